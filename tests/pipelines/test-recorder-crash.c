/* test-recorder-crash.c — kill -9 while recording loses at most about a second.
 *
 * record-forever records in a child process; after ~3.5 s it gets SIGKILL.
 * The files it leaves must play (ffprobe reads them), start on a keyframe,
 * and hold the recording up to shortly before the kill: what is lost is the
 * GOP splitmuxsink was still collecting plus the fragment mp4mux had not yet
 * written (keyframe_seconds + fragment_ms at most).
 */
#include "pipelines/recorder.h"
#include "media-check.h"

#include <signal.h>
#include <string.h>

#include <gio/gio.h>

#define KILL_AFTER_US (3500 * 1000)
#define KEYFRAME_S 1
#define FRAGMENT_MS 500
/* The bound derived above, plus scheduling slack. */
#define MAX_LOSS_S (KEYFRAME_S + FRAGMENT_MS / 1000.0 + 0.3)

typedef struct {
	char *track;
	char *path;
	gint64 wall0_us; /* wall clock at running time 0, from the opened line */
} Opened;

static void
opened_free(Opened *o)
{
	g_free(o->track);
	g_free(o->path);
	g_free(o);
}

/* "opened <track> <seq> <running_start_ns> <wall_start_us> <path>" */
static GPtrArray *
parse_opened(const char *log)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)opened_free);
	g_auto(GStrv) lines = g_strsplit(log, "\n", -1);

	for (guint i = 0; lines[i] != NULL; i++) {
		g_auto(GStrv) f = g_strsplit(lines[i], " ", 6);
		Opened *o;

		if (g_strv_length(f) != 6 || strcmp(f[0], "opened") != 0)
			continue;
		o = g_new0(Opened, 1);
		o->track = g_strdup(f[1]);
		o->path = g_strdup(f[5]);
		o->wall0_us = g_ascii_strtoll(f[4], NULL, 10) -
			      (gint64)(g_ascii_strtoull(f[3], NULL, 10) / 1000);
		g_ptr_array_add(out, o);
	}
	return out;
}

static void
check_track(GPtrArray *opened, const char *track, gint64 kill_us)
{
	double total = 0, expected = -1, loss;
	guint files = 0;

	for (guint i = 0; i < opened->len; i++) {
		Opened *o = g_ptr_array_index(opened, i);
		g_autofree char *boxes = NULL;
		g_autoptr(GError) error = NULL;
		CavTestProbe probe;

		if (strcmp(o->track, track) != 0)
			continue;
		files++;
		expected = (double)(kill_us - o->wall0_us) / G_USEC_PER_SEC;
		boxes = cav_test_mp4_boxes(o->path);
		g_test_message("%s: %s", o->path, boxes);
		/* Fragmented from the first byte: the moov is up front. */
		g_assert_true(g_str_has_prefix(boxes, "ftyp moov moof mdat"));
		if (!cav_test_probe_file(o->path, &probe, &error))
			g_error("%s does not play after kill -9: %s", o->path, error->message);
		g_assert_cmpuint(probe.n_audio, ==, 1);
		if (strcmp(track, CAV_TRACK_AUDIO) != 0)
			g_assert_cmpint(cav_test_first_video_frame_is_key(o->path), ==, 1);
		g_assert_cmpfloat(probe.duration, >, 0);
		total += probe.duration;
		cav_test_probe_clear(&probe);
	}
	g_assert_cmpuint(files, >=, 2);
	loss = expected - total;
	g_test_message("%s: killed at %.3f s, %.3f s on disk, %.3f s lost", track, expected, total,
		       loss);
	g_assert_cmpfloat(loss, <, MAX_LOSS_S);
	g_assert_cmpfloat(loss, >, -0.3);
}

static void
test_kill_9(void)
{
	g_autofree char *dir = g_dir_make_tmp("cav-crash-XXXXXX", NULL);
	g_autofree char *log_path = g_build_filename(dir, "events.log", NULL);
	g_autofree char *helper = cav_test_build_path("tests/pipelines/record-forever");
	g_autofree char *fragment = g_strdup_printf("--fragment-ms=%d", FRAGMENT_MS);
	g_autofree char *keyframe = g_strdup_printf("--keyframe=%d", KEYFRAME_S);
	g_autoptr(GSubprocessLauncher) launcher =
		g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDERR_SILENCE);
	g_autoptr(GSubprocess) child = NULL;
	g_autoptr(GPtrArray) opened = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *log = NULL;
	gint64 kill_us;

	g_subprocess_launcher_set_stdout_file_path(launcher, log_path);
	child = g_subprocess_launcher_spawn(launcher, &error, helper, "--dir", dir, "--cameras=2",
					    "--mics=2", "--segment=2", fragment, keyframe, NULL);
	g_assert_no_error(error);
	/* Kill KILL_AFTER_US after every track opened its first file, not after
	 * the spawn: a sanitizer build on a busy machine can take seconds to
	 * start, and what is measured is the loss at the kill, not start-up. */
	for (int waited = 0; waited < 300; waited++) {
		g_autofree char *so_far = NULL;
		g_autoptr(GPtrArray) seen = NULL;

		if (g_file_get_contents(log_path, &so_far, NULL, NULL) &&
		    (seen = parse_opened(so_far))->len >= 4)
			break;
		g_usleep(100 * 1000);
	}
	g_usleep(KILL_AFTER_US);
	kill_us = g_get_real_time();
	g_subprocess_send_signal(child, SIGKILL);
	g_assert_true(g_subprocess_wait(child, NULL, &error));
	g_assert_true(g_subprocess_get_if_signaled(child));
	g_assert_cmpint(g_subprocess_get_term_sig(child), ==, SIGKILL);

	g_assert_true(g_file_get_contents(log_path, &log, NULL, &error));
	opened = parse_opened(log);
	check_track(opened, "cam1", kill_us);
	check_track(opened, "cam2", kill_us);
	check_track(opened, CAV_TRACK_PROGRAM, kill_us);
	check_track(opened, CAV_TRACK_AUDIO, kill_us);
	cav_test_rm_rf(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/recorder/kill-9", test_kill_9);
	return g_test_run();
}
