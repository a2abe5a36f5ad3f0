/* test-util.h — small helpers shared by the tests in tests/common and
 * tests/appliance: a private temporary folder and files in it.
 */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>

/* A new folder under $TMPDIR; abort on failure. (transfer full) */
static inline char *
cav_test_tmpdir(void)
{
	g_autoptr(GError) error = NULL;
	char *dir = g_dir_make_tmp("courtav-test-XXXXXX", &error);

	g_assert_no_error(error);
	return dir;
}

/* rm -r of a folder the test made; symlinks are removed, not followed. */
static inline void
cav_test_rmtree(const char *path)
{
	GDir *d;
	const char *name;

	if (!g_file_test(path, G_FILE_TEST_IS_DIR) || g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
		g_unlink(path);
		return;
	}
	d = g_dir_open(path, 0, NULL);
	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree char *child = g_build_filename(path, name, NULL);

		cav_test_rmtree(child);
	}
	if (d != NULL)
		g_dir_close(d);
	g_rmdir(path);
}

static inline void
cav_test_write(const char *path, const void *data, gsize len)
{
	g_autoptr(GError) error = NULL;

	g_file_set_contents(path, data, (gssize)len, &error);
	g_assert_no_error(error);
}
