/* sha256.c — SHA-256 of buffers and files through OpenSSL's EVP interface.
 *
 * Files are read in 1 MiB blocks with plain read(2): large enough that the
 * syscall cost vanishes next to the digest, small enough that a cancellable
 * is honoured quickly. No shared state; any thread.
 */
#include "sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#define CAV_SHA256_BLOCK (1024 * 1024)

/* The first argument is stringified: the error domain's name. */
/* clang-format off */
G_DEFINE_QUARK(cav-sha256-error-quark, cav_sha256_error)
/* clang-format on */

void
cav_sha256_buf(const void *data, gsize len, guint8 out[CAV_SHA256_LEN])
{
	unsigned int out_len = 0;

	g_return_if_fail(data != NULL || len == 0);
	g_return_if_fail(out != NULL);

	/* EVP_Digest only fails when OpenSSL cannot allocate; GLib's policy for
	 * that is to abort, and callers rely on "never fails". */
	if (EVP_Digest(data, len, out, &out_len, EVP_sha256(), NULL) != 1 ||
	    out_len != CAV_SHA256_LEN)
		g_error("OpenSSL could not compute a SHA-256 digest");
}

static void
evp_md_ctx_free0(EVP_MD_CTX *ctx)
{
	EVP_MD_CTX_free(ctx);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(EVP_MD_CTX, evp_md_ctx_free0)

static gboolean
digest_fd(int fd, const char *path, EVP_MD_CTX *ctx, guint64 *total, GCancellable *cancellable,
	  GError **error)
{
	g_autofree guint8 *block = g_malloc(CAV_SHA256_BLOCK);

	for (;;) {
		ssize_t n;

		if (g_cancellable_set_error_if_cancelled(cancellable, error))
			return FALSE;
		n = read(fd, block, CAV_SHA256_BLOCK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;

			g_set_error(error, CAV_SHA256_ERROR, CAV_SHA256_ERROR_IO,
				    "Could not read %s: %s", path, g_strerror(saved));
			return FALSE;
		}
		if (n == 0)
			return TRUE;
		if (EVP_DigestUpdate(ctx, block, (size_t)n) != 1) {
			g_set_error(error, CAV_SHA256_ERROR, CAV_SHA256_ERROR_CRYPTO,
				    "OpenSSL refused to hash %s", path);
			return FALSE;
		}
		*total += (guint64)n;
	}
}

gboolean
cav_sha256_file(const char *path, guint8 out[CAV_SHA256_LEN], guint64 *out_bytes,
		GCancellable *cancellable, GError **error)
{
	g_autoptr(EVP_MD_CTX) ctx = NULL;
	guint8 digest[CAV_SHA256_LEN];
	unsigned int digest_len = 0;
	guint64 total = 0;
	gboolean ok;
	int fd;

	g_return_val_if_fail(path != NULL, FALSE);
	g_return_val_if_fail(out != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int saved = errno;

		g_set_error(error, CAV_SHA256_ERROR, CAV_SHA256_ERROR_IO, "Could not open %s: %s",
			    path, g_strerror(saved));
		return FALSE;
	}
	/* Tells the kernel to read ahead aggressively; failure is harmless. */
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);

	ctx = EVP_MD_CTX_new();
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		close(fd);
		g_set_error(error, CAV_SHA256_ERROR, CAV_SHA256_ERROR_CRYPTO,
			    "OpenSSL could not start a SHA-256 digest for %s", path);
		return FALSE;
	}
	ok = digest_fd(fd, path, ctx, &total, cancellable, error);
	close(fd);
	if (!ok)
		return FALSE;
	if (EVP_DigestFinal_ex(ctx, digest, &digest_len) != 1 || digest_len != CAV_SHA256_LEN) {
		g_set_error(error, CAV_SHA256_ERROR, CAV_SHA256_ERROR_CRYPTO,
			    "OpenSSL could not finish the SHA-256 digest of %s", path);
		return FALSE;
	}

	memcpy(out, digest, CAV_SHA256_LEN);
	if (out_bytes != NULL)
		*out_bytes = total;
	return TRUE;
}

char *
cav_sha256_hex(const guint8 digest[CAV_SHA256_LEN])
{
	static const char hexdig[] = "0123456789abcdef";
	char *hex;

	g_return_val_if_fail(digest != NULL, NULL);

	hex = g_malloc(CAV_SHA256_HEX_LEN + 1);
	for (guint i = 0; i < CAV_SHA256_LEN; i++) {
		hex[2 * i] = hexdig[digest[i] >> 4];
		hex[2 * i + 1] = hexdig[digest[i] & 0x0f];
	}
	hex[CAV_SHA256_HEX_LEN] = '\0';
	return hex;
}

gboolean
cav_sha256_from_hex(const char *hex, guint8 out[CAV_SHA256_LEN])
{
	guint8 tmp[CAV_SHA256_LEN];

	if (hex == NULL || out == NULL)
		return FALSE;
	for (guint i = 0; i < CAV_SHA256_LEN; i++) {
		int hi = g_ascii_xdigit_value(hex[2 * i]);
		int lo = hi < 0 ? -1 : g_ascii_xdigit_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return FALSE;
		tmp[i] = (guint8)(hi << 4 | lo);
	}
	if (hex[CAV_SHA256_HEX_LEN] != '\0')
		return FALSE;
	memcpy(out, tmp, CAV_SHA256_LEN);
	return TRUE;
}
