/* test-chain.c — the hash chain against answers computed independently
 * (Python's hashlib over the byte layout documented in chain.h), so a change
 * that breaks compatibility with sealed archives fails here. Also covers the
 * small pure helpers in timefmt.c and fsutil.c.
 */
#include "common/chain.h"
#include "common/fsutil.h"
#include "common/timefmt.h"
#include "test-util.h"

#include <string.h>
#include <sys/stat.h>

#define UID "6f1c2a3e-0000-4000-8000-000000000001"

static void
assert_hex(const guint8 d[CAV_SHA256_LEN], const char *expected)
{
	g_autofree char *hex = cav_sha256_hex(d);

	g_assert_cmpstr(hex, ==, expected);
}

static CavChainLink
hello_link(guint seq, const char *name)
{
	CavChainLink l = {.track = "cam1", .seq = seq, .name = name, .bytes = 5};

	cav_sha256_buf("hello", 5, l.sha256);
	return l;
}

static void
test_known_answers(void)
{
	guint8 g[CAV_SHA256_LEN], l1[CAV_SHA256_LEN], l2[CAV_SHA256_LEN];
	CavChainLink a = hello_link(1, "room101_0001.mp4");
	CavChainLink b = hello_link(2, "room101_0002.mp4");

	cav_chain_genesis(UID, g);
	assert_hex(g, "89c629d286c45e96fda8460e1c9400e376b2712ddd64f94191127ad1330f5315");
	cav_chain_next(g, &a, l1);
	assert_hex(l1, "c3121e5ad36f1e3191e8eb31c54492e9c350718c9a80cccb8f82093db6bc7d90");
	cav_chain_next(l1, &b, l2);
	assert_hex(l2, "bff44857db72c16f03d7de4a0ade2b3a64914f55a9b0ba35a913f5567d3961ff");
	/* In place (prev and out the same buffer) gives the same answer. */
	cav_chain_next(g, &a, g);
	g_assert_cmpmem(g, sizeof(g), l1, sizeof(l1));
}

static void
assert_link_differs(const guint8 g[CAV_SHA256_LEN], const guint8 base[CAV_SHA256_LEN],
		    const CavChainLink *m)
{
	guint8 other[CAV_SHA256_LEN];

	cav_chain_next(g, m, other);
	g_assert_true(memcmp(base, other, CAV_SHA256_LEN) != 0);
}

/* Every bound field must change the link: that is what lets verify tell a
 * renamed or reordered file from an altered one. */
static void
test_every_field_binds(void)
{
	guint8 g[CAV_SHA256_LEN], base[CAV_SHA256_LEN], other[CAV_SHA256_LEN];
	const CavChainLink l = hello_link(1, "a.mp4");
	CavChainLink m;

	cav_chain_genesis(UID, g);
	cav_chain_next(g, &l, base);

	m = l;
	m.seq = 2;
	assert_link_differs(g, base, &m);
	m = l;
	m.bytes = 6;
	assert_link_differs(g, base, &m);
	m = l;
	m.track = "cam2";
	assert_link_differs(g, base, &m);
	m = l;
	m.name = "b.mp4";
	assert_link_differs(g, base, &m);
	/* The separators keep "cam1"+"a.mp4" apart from "cam1a"+".mp4". */
	m = l;
	m.track = "cam1a";
	m.name = ".mp4";
	assert_link_differs(g, base, &m);
	m = l;
	m.sha256[31] ^= 1;
	assert_link_differs(g, base, &m);
	cav_chain_genesis(UID "x", other);
	g_assert_true(memcmp(g, other, CAV_SHA256_LEN) != 0);
}

static void
test_timefmt(void)
{
	/* 2026-11-28T09:45:01.123456Z */
	gint64 t = G_GINT64_CONSTANT(1795859101123456);
	g_autofree char *iso = cav_time_iso_utc(t);
	g_autofree char *bj = cav_time_beijing(t);
	g_autofree char *compact = cav_time_beijing_compact(t);
	g_autofree char *neg = cav_time_iso_utc(-1);

	g_assert_cmpstr(iso, ==, "2026-11-28T09:45:01.123Z");
	g_assert_cmpstr(bj, ==, "2026-11-28 17:45:01");
	g_assert_cmpstr(compact, ==, "20261128-174501");
	g_assert_cmpstr(neg, ==, "1969-12-31T23:59:59.999Z");
	g_assert_cmpint(cav_time_parse_iso("2026-11-28T09:45:01.123456Z"), ==, t);
	g_assert_cmpint(cav_time_parse_iso("2026-11-28T09:45:01Z"), ==, t - 123456);
	g_assert_cmpint(cav_time_parse_iso("2026-11-28T17:45:01+08:00"), ==, t - 123456);
	g_assert_cmpint(cav_time_parse_iso("2026-11-28T09:45:01"), ==, -1);
	g_assert_cmpint(cav_time_parse_iso("yesterday"), ==, -1);
	g_assert_cmpint(cav_time_parse_iso(NULL), ==, -1);
}

/* Times from an untrusted manifest can be anything; formatting must not
 * return NULL or raise a critical. */
static void
test_timefmt_out_of_range(void)
{
	const gint64 extremes[] = {G_MAXINT64, G_MININT64, G_GINT64_CONSTANT(253402300800000000)};

	for (guint i = 0; i < G_N_ELEMENTS(extremes); i++) {
		g_autofree char *a = cav_time_iso_utc(extremes[i]);
		g_autofree char *b = cav_time_beijing(extremes[i]);
		g_autofree char *c = cav_time_beijing_compact(extremes[i]);

		g_assert_cmpstr(a, ==, "invalid-time");
		g_assert_cmpstr(b, ==, "invalid-time");
		g_assert_cmpstr(c, ==, "invalid-time");
	}
}

/* Beijing time must not depend on the process TZ. */
static void
test_timefmt_ignores_tz(void)
{
	g_autofree char *bj = NULL;

	g_setenv("TZ", "America/New_York", TRUE);
	bj = cav_time_beijing(G_GINT64_CONSTANT(1795859101123456));
	g_unsetenv("TZ");
	g_assert_cmpstr(bj, ==, "2026-11-28 17:45:01");
}

static void
test_fs_write_atomic(void)
{
	g_autofree char *dir = cav_test_tmpdir();
	g_autofree char *path = g_build_filename(dir, "key.pem", NULL);
	g_autofree char *back = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GDir) d = NULL;
	struct stat st;
	guint n = 0;

	g_assert_true(cav_fs_write_atomic(path, "one", 3, 0600, &error));
	g_assert_no_error(error);
	g_assert_true(cav_fs_write_atomic(path, "second", 6, 0640, &error));
	g_assert_true(g_file_get_contents(path, &back, NULL, NULL));
	g_assert_cmpstr(back, ==, "second");
	g_assert_cmpint(stat(path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0640);
	/* No temporary left behind. */
	d = g_dir_open(dir, 0, NULL);
	while (g_dir_read_name(d) != NULL)
		n++;
	g_assert_cmpuint(n, ==, 1);

	/* What a crash mid-write leaves: only those temporaries go. */
	{
		g_autofree char *t1 = g_build_filename(dir, ".key.pem.tmp-AB12cd", NULL);
		g_autofree char *t2 = g_build_filename(dir, ".key.pem.tmp-short", NULL);
		g_autofree char *t3 = g_build_filename(dir, ".other.tmp-AB12cd", NULL);

		g_assert_true(g_file_set_contents(t1, "half", -1, NULL));
		g_assert_true(g_file_set_contents(t2, "x", -1, NULL));
		g_assert_true(g_file_set_contents(t3, "x", -1, NULL));
		g_assert_cmpuint(cav_fs_remove_stale_temps(dir, "key.pem"), ==, 1);
		g_assert_false(g_file_test(t1, G_FILE_TEST_EXISTS));
		g_assert_true(g_file_test(t2, G_FILE_TEST_EXISTS));
		g_assert_true(g_file_test(t3, G_FILE_TEST_EXISTS));
		g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
		g_assert_cmpuint(cav_fs_remove_stale_temps("/nonexistent-dir", "key.pem"), ==, 0);
	}
	g_assert_false(cav_fs_write_atomic("/nonexistent-dir/x", "a", 1, 0644, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_cmpint(cav_fs_free_bytes(dir, &error), >, 0);
	g_assert_cmpint(cav_fs_free_bytes("/nonexistent-dir", &error), ==, -1);
	g_assert_nonnull(error);
	cav_test_rmtree(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/chain/known-answers", test_known_answers);
	g_test_add_func("/chain/every-field-binds", test_every_field_binds);
	g_test_add_func("/timefmt/formats", test_timefmt);
	g_test_add_func("/timefmt/ignores-tz", test_timefmt_ignores_tz);
	g_test_add_func("/timefmt/out-of-range", test_timefmt_out_of_range);
	g_test_add_func("/fsutil/write-atomic", test_fs_write_atomic);
	return g_test_run();
}
