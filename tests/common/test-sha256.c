/* test-sha256.c — SHA-256 of buffers and real files against known answers. */
#include "common/sha256.h"
#include "test-util.h"

#include <string.h>

static void
assert_hex(const guint8 d[CAV_SHA256_LEN], const char *expected)
{
	g_autofree char *hex = cav_sha256_hex(d);

	g_assert_cmpstr(hex, ==, expected);
}

static void
test_buf_vectors(void)
{
	guint8 d[CAV_SHA256_LEN];

	cav_sha256_buf("", 0, d);
	assert_hex(d, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	cav_sha256_buf("abc", 3, d);
	assert_hex(d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* A file larger than the 1 MiB read block, with a tail, so the block loop
 * and the final partial block are both exercised. */
static void
test_file_matches_buf(void)
{
	g_autofree char *dir = cav_test_tmpdir();
	g_autofree char *path = g_build_filename(dir, "big.bin", NULL);
	gsize len = 3 * 1024 * 1024 + 17;
	g_autofree guint8 *data = g_malloc(len);
	guint8 want[CAV_SHA256_LEN], got[CAV_SHA256_LEN];
	guint64 bytes = 0;
	g_autoptr(GError) error = NULL;

	for (gsize i = 0; i < len; i++)
		data[i] = (guint8)(i * 2654435761u >> 13);
	cav_test_write(path, data, len);
	cav_sha256_buf(data, len, want);
	g_assert_true(cav_sha256_file(path, got, &bytes, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpmem(got, sizeof(got), want, sizeof(want));
	g_assert_cmpuint(bytes, ==, len);
	cav_test_rmtree(dir);
}

static void
test_file_errors(void)
{
	g_autofree char *dir = cav_test_tmpdir();
	g_autofree char *missing = g_build_filename(dir, "nope", NULL);
	g_autofree char *path = g_build_filename(dir, "x", NULL);
	g_autoptr(GCancellable) cancel = g_cancellable_new();
	g_autoptr(GError) error = NULL;
	guint8 out[CAV_SHA256_LEN], before[CAV_SHA256_LEN];
	guint64 bytes = 42;

	memset(out, 0xab, sizeof(out));
	memcpy(before, out, sizeof(out));
	g_assert_false(cav_sha256_file(missing, out, &bytes, NULL, &error));
	g_assert_error(error, CAV_SHA256_ERROR, CAV_SHA256_ERROR_IO);
	g_assert_nonnull(strstr(error->message, "nope"));
	/* Out-parameters untouched on failure. */
	g_assert_cmpmem(out, sizeof(out), before, sizeof(before));
	g_assert_cmpuint(bytes, ==, 42);
	g_clear_error(&error);

	cav_test_write(path, "data", 4);
	g_cancellable_cancel(cancel);
	g_assert_false(cav_sha256_file(path, out, &bytes, cancel, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_assert_cmpuint(bytes, ==, 42);
	cav_test_rmtree(dir);
}

static void
test_hex(void)
{
	const char *hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	guint8 d[CAV_SHA256_LEN], keep[CAV_SHA256_LEN];
	g_autofree char *back = NULL;
	g_autofree char *upper = g_ascii_strup(hex, -1);
	g_autofree char *longer = g_strconcat(hex, "0", NULL);
	g_autofree char *shorter = g_strndup(hex, 63);
	g_autofree char *bad = g_strdup(hex);

	g_assert_true(cav_sha256_from_hex(hex, d));
	back = cav_sha256_hex(d);
	g_assert_cmpstr(back, ==, hex);
	g_assert_true(cav_sha256_from_hex(upper, keep));
	g_assert_cmpmem(keep, sizeof(keep), d, sizeof(d));

	bad[10] = 'g';
	memcpy(keep, d, sizeof(d));
	g_assert_false(cav_sha256_from_hex(longer, d));
	g_assert_false(cav_sha256_from_hex(shorter, d));
	g_assert_false(cav_sha256_from_hex(bad, d));
	g_assert_false(cav_sha256_from_hex("", d));
	g_assert_false(cav_sha256_from_hex(NULL, d));
	g_assert_cmpmem(keep, sizeof(keep), d, sizeof(d));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sha256/buf-vectors", test_buf_vectors);
	g_test_add_func("/sha256/file-matches-buf", test_file_matches_buf);
	g_test_add_func("/sha256/file-errors", test_file_errors);
	g_test_add_func("/sha256/hex", test_hex);
	return g_test_run();
}
