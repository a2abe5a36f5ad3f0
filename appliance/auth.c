/* auth.c — scrypt hashes, secret policy and session tokens (auth.h).
 * Any thread; no shared state. */
#include "auth.h"
#include "errors.h"
#include "common/sha256.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

/* The first argument is stringified: the error domain's name. */
/* clang-format off */
G_DEFINE_QUARK(cav-auth-error-quark, cav_auth_error)
/* clang-format on */

const CavAuthCost CAV_AUTH_DEFAULT_COST = {15, 8, 2};

#define SALT_LEN 16
#define HASH_LEN 32
/* scrypt needs 128 * N * r bytes; allow what the largest accepted cost needs. */
#define MAX_LOG2_N 20
#define MAX_MEM ((guint64)1 << 31)

static gboolean
derive(const char *secret, const guint8 *salt, gsize salt_len, const CavAuthCost *c,
       guint8 out[HASH_LEN])
{
	return EVP_PBE_scrypt(secret, strlen(secret), salt, salt_len, (guint64)1 << c->log2_n, c->r,
			      c->p, MAX_MEM, out, HASH_LEN) == 1;
}

char *
cav_auth_hash(const char *secret, const CavAuthCost *cost, GError **error)
{
	const CavAuthCost *c = cost != NULL ? cost : &CAV_AUTH_DEFAULT_COST;
	guint8 salt[SALT_LEN], out[HASH_LEN];
	g_autofree char *salt_b64 = NULL;
	g_autofree char *hash_b64 = NULL;

	if (RAND_bytes(salt, sizeof salt) != 1 || !derive(secret, salt, sizeof salt, c, out)) {
		g_set_error(error, CAV_AUTH_ERROR, CAV_AUTH_ERROR_CRYPTO,
			    "scrypt failed (OpenSSL); the secret was not saved");
		return NULL;
	}
	salt_b64 = g_base64_encode(salt, sizeof salt);
	hash_b64 = g_base64_encode(out, sizeof out);
	OPENSSL_cleanse(out, sizeof out);
	return g_strdup_printf("scrypt$%u$%u$%u$%s$%s", c->log2_n, c->r, c->p, salt_b64, hash_b64);
}

gboolean
cav_auth_verify(const char *secret, const char *encoded)
{
	g_auto(GStrv) parts = encoded != NULL ? g_strsplit(encoded, "$", 7) : NULL;
	g_autofree guint8 *salt = NULL;
	g_autofree guint8 *want = NULL;
	gsize salt_len = 0, want_len = 0;
	guint64 v[3];
	CavAuthCost c;
	guint8 out[HASH_LEN];
	gboolean ok;

	if (parts == NULL || g_strv_length(parts) != 6 || strcmp(parts[0], "scrypt") != 0)
		return FALSE;
	for (guint i = 0; i < 3; i++)
		if (!g_ascii_string_to_unsigned(parts[1 + i], 10, 1, 1000, &v[i], NULL))
			return FALSE;
	c = (CavAuthCost){(guint)v[0], (guint)v[1], (guint)v[2]};
	if (c.log2_n > MAX_LOG2_N || c.r > 32 || c.p > 16)
		return FALSE;
	salt = g_base64_decode(parts[4], &salt_len);
	want = g_base64_decode(parts[5], &want_len);
	if (salt_len < 8 || want_len != HASH_LEN || !derive(secret, salt, salt_len, &c, out))
		return FALSE;
	ok = CRYPTO_memcmp(out, want, HASH_LEN) == 0;
	OPENSSL_cleanse(out, sizeof out);
	return ok;
}

gboolean
cav_auth_check_secret(const char *kind, const char *secret, GError **error)
{
	glong n = secret != NULL && g_utf8_validate(secret, -1, NULL) ? g_utf8_strlen(secret, -1)
								      : -1;
	gboolean digits = n > 0 && strspn(secret, "0123456789") == strlen(secret);

	if (g_strcmp0(kind, "pin") == 0) {
		if (digits && n >= 4 && n <= 12)
			return TRUE;
		cav_set_error_bi(error, CAV_AUTH_ERROR, CAV_AUTH_ERROR_WEAK,
				 "A PIN is 4 to 12 digits.", "PIN 须为 4 至 12 位数字。");
		return FALSE;
	}
	if (g_strcmp0(kind, "password") == 0) {
		if (n >= 8 && n <= 128 && !digits)
			return TRUE;
		cav_set_error_bi(error, CAV_AUTH_ERROR, CAV_AUTH_ERROR_WEAK,
				 "A password is 8 to 128 characters and not only digits.",
				 "密码须为 8 至 128 个字符，且不能全是数字。");
		return FALSE;
	}
	cav_set_error_bi(error, CAV_AUTH_ERROR, CAV_AUTH_ERROR_WEAK,
			 "The secret kind must be “pin” or “password”.",
			 "凭据类型须为 pin 或 password。");
	return FALSE;
}

char *
cav_auth_token_new(void)
{
	guint8 raw[32];
	GString *s = g_string_sized_new(65);

	/* RAND_bytes only fails when the CSPRNG cannot be seeded; a daemon
	 * that cannot make secrets must not hand out guessable ones. */
	if (RAND_bytes(raw, sizeof raw) != 1)
		g_error("RAND_bytes failed: no secure random numbers");
	for (guint i = 0; i < sizeof raw; i++)
		g_string_append_printf(s, "%02x", raw[i]);
	OPENSSL_cleanse(raw, sizeof raw);
	return g_string_free(s, FALSE);
}

char *
cav_auth_token_hash(const char *token)
{
	guint8 d[CAV_SHA256_LEN];

	cav_sha256_buf(token, strlen(token), d);
	return cav_sha256_hex(d);
}
