/* test-burner.c — the libburn backend through stdio: pseudo-drives, the
 * same code a real burner runs: a first session, a second one grown on top,
 * a plain image, reading back through the drive, and the refusals (no
 * medium, no drive).
 */
#include "drivers/burner.h"
#include "common/sha256.h"
#include "tests/common/test-util.h"

#include <string.h>

typedef struct {
	char *dir;
	char *src;   /* a 300 KiB file with a Chinese name */
	char *image; /* "stdio:<dir>/disc.iso" */
} Fixture;

static void
setup(Fixture *fx, gconstpointer data)
{
	g_autofree guint8 *buf = g_malloc(300 * 1024);

	fx->dir = cav_test_tmpdir();
	for (guint i = 0; i < 300 * 1024; i++)
		buf[i] = (guint8)(g_random_int() & 0xff);
	fx->src = g_build_filename(fx->dir, "录像_0001.mp4", NULL);
	cav_test_write(fx->src, buf, 300 * 1024);
	fx->image = g_strdup_printf("stdio:%s/disc.iso", fx->dir);
}

static void
teardown(Fixture *fx, gconstpointer data)
{
	cav_test_rmtree(fx->dir);
	g_free(fx->dir);
	g_free(fx->src);
	g_free(fx->image);
}

static guint n_progress;

static void
on_progress(const CavBurnProgress *p, gpointer user_data)
{
	g_assert_cmpuint(p->drive, ==, 0);
	g_assert_cmpuint(p->done_bytes, <=, MAX(p->total_bytes, p->done_bytes));
	n_progress++;
}

static void
write_ok(const char *address, CavBurnTree *tree, guint flags)
{
	g_autoptr(GPtrArray) errors = NULL;
	g_autoptr(GError) error = NULL;
	const char *addrs[] = {address};

	g_assert_true(
		cav_burner_write(addrs, 1, tree, flags, on_progress, NULL, NULL, &errors, &error));
	g_assert_no_error(error);
	g_assert_no_error((GError *)errors->pdata[0]);
}

static char *
read_text(CavVerifyFs *fs, const char *path)
{
	g_autoptr(GError) error = NULL;
	char *data = NULL;
	gsize len = 0;

	g_assert_true(fs->ops->read(fs->data, path, 1 << 20, &data, &len, &error));
	g_assert_no_error(error);
	return data;
}

static void
test_sessions(Fixture *fx, gconstpointer data)
{
	g_autoptr(CavBurnTree) t1 = cav_burn_tree_new("COURTAV_TEST");
	g_autoptr(CavBurnTree) t2 = cav_burn_tree_new("COURTAV_TEST");
	g_autoptr(CavDriveInfo) info = NULL;
	g_autoptr(CavBurnReader) rd = NULL;
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) names = NULL;
	g_autofree char *text = NULL;
	guint8 want[CAV_SHA256_LEN], got[CAV_SHA256_LEN];
	guint64 bytes = 0, size = 0;
	CavVerifyFs fs;

	/* A file that does not exist yet is a blank medium. */
	info = cav_burner_probe(fx->image, &error);
	g_assert_no_error(error);
	g_assert_cmpint(info->state, ==, CAV_MEDIUM_BLANK);
	g_assert_true(info->pseudo);
	g_assert_cmpuint(info->free_bytes, >, 1 << 20);
	g_clear_pointer(&info, cav_drive_info_free);

	g_assert_true(cav_burn_tree_add_file(t1, "h1/cam1/录像_0001.mp4", fx->src, &error));
	cav_burn_tree_add_data(t1, "index.html", "one", 3);
	n_progress = 0;
	write_ok(fx->image, t1, 0);
	g_assert_cmpuint(n_progress, >, 0);

	cav_burn_tree_add_data(t2, "h2/manifest.json", "{}", 2);
	cav_burn_tree_add_data(t2, "index.html", "two", 3);
	write_ok(fx->image, t2, 0);

	info = cav_burner_probe(fx->image, &error);
	g_assert_no_error(error);
	g_assert_cmpint(info->state, ==, CAV_MEDIUM_APPENDABLE);
	g_assert_cmpuint(info->sessions, ==, 2);

	/* The newest session holds both hearings and the newer index. */
	rd = cav_burner_open(fx->image, &error);
	g_assert_no_error(error);
	fs = cav_burner_reader_fs(rd);
	names = fs.ops->list(fs.data, "/", &error);
	g_assert_no_error(error);
	g_assert_true(g_strv_contains((const char *const *)names, "h1"));
	g_assert_true(g_strv_contains((const char *const *)names, "h2"));
	g_assert_true(g_strv_contains((const char *const *)names, "index.html"));
	text = read_text(&fs, "/index.html");
	g_assert_cmpstr(text, ==, "two");
	g_assert_cmpint(fs.ops->stat(fs.data, "/h1/cam1/录像_0001.mp4", &size), ==,
			CAV_VERIFY_NODE_FILE);
	g_assert_cmpuint(size, ==, 300 * 1024);
	g_assert_cmpint(fs.ops->stat(fs.data, "/h1/cam1", NULL), ==, CAV_VERIFY_NODE_DIR);
	g_assert_cmpint(fs.ops->stat(fs.data, "/nope", NULL), ==, CAV_VERIFY_NODE_NONE);
	g_assert_true(fs.ops->hash(fs.data, "/h1/cam1/录像_0001.mp4", got, &bytes, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(cav_sha256_file(fx->src, want, NULL, NULL, NULL));
	g_assert_cmpmem(got, sizeof got, want, sizeof want);
	g_assert_cmpuint(bytes, ==, 300 * 1024);
}

static void
test_plain_image(Fixture *fx, gconstpointer data)
{
	g_autoptr(CavBurnTree) t = cav_burn_tree_new("COURTAV_TEST");
	g_autoptr(CavDriveInfo) info = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *path = g_build_filename(fx->dir, "plain.iso", NULL);
	g_autofree char *addr = cav_burner_address(path);
	g_autofree char *head = NULL;
	gsize len = 0;

	g_assert_cmpstr(addr + strlen("stdio:"), ==, path);
	/* An existing file is replaced, not grown. */
	cav_test_write(path, "old content", 11);
	g_assert_true(cav_burn_tree_add_file(t, "a/录像_0001.mp4", fx->src, &error));
	write_ok(addr, t, CAV_BURN_PLAIN_IMAGE | CAV_BURN_CLOSE);
	g_assert_true(g_file_get_contents(path, &head, &len, NULL));
	/* The primary volume descriptor at block 16, right where a plain image has it. */
	g_assert_cmpuint(len, >, 300 * 1024);
	g_assert_cmpmem(head + 16 * 2048 + 1, 5, "CD001", 5);
	info = cav_burner_probe(addr, &error);
	g_assert_no_error(error);
	g_assert_cmpint(info->state, ==, CAV_MEDIUM_APPENDABLE);
}

static void
test_refusals(Fixture *fx, gconstpointer data)
{
	g_autoptr(CavBurnTree) t = cav_burn_tree_new("COURTAV_TEST");
	g_autoptr(GPtrArray) errors = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(CavDriveInfo) info = NULL;
	g_autoptr(CavBurnReader) rd = NULL;
	g_autofree char *gone = g_build_filename(fx->dir, "no", "such", "x.iso", NULL);
	g_autofree char *gone_addr = cav_burner_address(gone);
	const char *null_drive[] = {"stdio:"};
	const char *twice[] = {fx->image, fx->image};

	cav_burn_tree_add_data(t, "a.txt", "a", 1);

	/* libburn's null drive holds no medium. */
	info = cav_burner_probe("stdio:", &error);
	g_assert_no_error(error);
	g_assert_cmpint(info->state, ==, CAV_MEDIUM_NONE);
	g_assert_true(cav_burner_write(null_drive, 1, t, 0, NULL, NULL, NULL, &errors, &error));
	g_assert_error((GError *)errors->pdata[0], CAV_BURNER_ERROR, CAV_BURNER_ERROR_NO_MEDIUM);
	g_assert_nonnull(strstr(((GError *)errors->pdata[0])->message, "\x1e"));
	g_clear_pointer(&errors, g_ptr_array_unref);

	/* A folder that does not exist: no drive there. */
	g_assert_true(cav_burner_write((const char *const[]){gone_addr}, 1, t, 0, NULL, NULL, NULL,
				       &errors, &error));
	g_assert_nonnull(errors->pdata[0]);
	g_clear_pointer(&errors, g_ptr_array_unref);

	/* One drive named twice would be grabbed twice. */
	g_assert_false(cav_burner_write(twice, 2, t, 0, NULL, NULL, NULL, &errors, &error));
	g_assert_nonnull(error);
	g_clear_error(&error);

	/* A blank medium has nothing to read. */
	rd = cav_burner_open(fx->image, &error);
	g_assert_null(rd);
	g_assert_error(error, CAV_BURNER_ERROR, CAV_BURNER_ERROR_NOT_ISO);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/burner/sessions", Fixture, NULL, setup, test_sessions, teardown);
	g_test_add("/burner/plain-image", Fixture, NULL, setup, test_plain_image, teardown);
	g_test_add("/burner/refusals", Fixture, NULL, setup, test_refusals, teardown);
	return g_test_run();
}
