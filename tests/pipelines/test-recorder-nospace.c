/* test-recorder-nospace.c — a full disk ends the recording with NO_SPACE, cleanly.
 *
 * record-forever records onto a 512 KiB tmpfs, which fills in a few seconds.
 * Mounting needs root; the tmpfs lives in a private mount namespace
 * (unshare -m) so nothing outside the child ever sees it, and it vanishes
 * with the child. Without root or unshare the test is skipped.
 */
#include "pipelines/recorder.h"
#include "media-check.h"

#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

/* The shell exits with this when the tmpfs cannot be mounted. */
#define EXIT_NO_MOUNT 99

static guint
count_lines(const char *log, const char *prefix)
{
	g_auto(GStrv) lines = g_strsplit(log, "\n", -1);
	guint n = 0;

	for (guint i = 0; lines[i] != NULL; i++)
		n += g_str_has_prefix(lines[i], prefix);
	return n;
}

static void
test_disk_full(void)
{
	g_autofree char *unshare = g_find_program_in_path("unshare");
	g_autofree char *helper = cav_test_build_path("tests/pipelines/record-forever");
	g_autofree char *dir = NULL;
	g_autoptr(GSubprocess) child = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *out = NULL;
	const char *script = "mount -t tmpfs -o size=512k cavtest \"$0\" || exit 99; exec \"$@\"";

	if (getuid() != 0 || unshare == NULL) {
		g_test_skip("needs root and unshare(1) to mount a small tmpfs privately");
		return;
	}
	dir = g_dir_make_tmp("cav-nospace-XXXXXX", NULL);
	child = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
				 &error, unshare, "-m", "sh", "-c", script, dir, helper, "--dir",
				 dir, "--seconds=30", "--cameras=2", "--mics=1", NULL);
	g_assert_no_error(error);
	g_assert_true(g_subprocess_communicate_utf8(child, NULL, NULL, &out, NULL, &error));
	g_assert_no_error(error);
	g_rmdir(dir);
	if (g_subprocess_get_if_exited(child) &&
	    g_subprocess_get_exit_status(child) == EXIT_NO_MOUNT) {
		g_test_skip("could not mount a tmpfs in a private mount namespace");
		return;
	}
	g_test_message("%s", out);

	/* A clean exit (no crash, no abort) reporting the full disk. */
	g_assert_true(g_subprocess_get_if_exited(child));
	g_assert_cmpint(g_subprocess_get_exit_status(child), ==, 2);
	g_assert_nonnull(strstr(out, "\nfailed NO_SPACE "));
	g_assert_cmpuint(count_lines(out, "stopped"), ==, 0);
	/* Every file opened was reported closed before failed. */
	g_assert_cmpuint(count_lines(out, "opened "), >=, 1);
	g_assert_cmpuint(count_lines(out, "closed "), ==, count_lines(out, "opened "));
	g_assert_null(strstr(strstr(out, "\nfailed ") + 1, "\nclosed "));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/recorder/disk-full", test_disk_full);
	return g_test_run();
}
