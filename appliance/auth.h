/* auth.h — secrets and tokens: the slow KDF that stores PINs and passwords,
 * the policy a new secret must meet, and session tokens.
 *
 * Secrets are hashed with scrypt (OpenSSL EVP_PBE_scrypt) and stored as
 * "scrypt$<log2 N>$<r>$<p>$<salt base64>$<hash base64>", so the cost can be
 * raised later without invalidating stored hashes. The default cost
 * (CAV_AUTH_DEFAULT_COST: N = 2^15, r = 8, p = 2, 32 MiB) takes about 220 ms
 * on the reference machine (docs/BENCHMARKS.md, "Login"): slow enough that
 * guessing a 6-digit PIN offline from a stolen database takes days, fast
 * enough for a clerk. Session tokens are 256 random bits, handed out once
 * and stored only as their SHA-256.
 *
 * Pure functions, callable from any thread; cav_auth_hash/verify block for
 * the KDF's duration, so courtavd calls them from a worker (users.c).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CAV_AUTH_ERROR (cav_auth_error_quark())
GQuark cav_auth_error_quark(void);

typedef enum {
	CAV_AUTH_ERROR_WEAK,   /* the secret does not meet the policy */
	CAV_AUTH_ERROR_CRYPTO, /* OpenSSL failed */
} CavAuthError;

typedef struct {
	guint log2_n;
	guint r;
	guint p;
} CavAuthCost;

extern const CavAuthCost CAV_AUTH_DEFAULT_COST;

/* Hashes @secret with a fresh salt; @cost NULL means the default.
 * (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
char *cav_auth_hash(const char *secret, const CavAuthCost *cost, GError **error);
/* Whether @secret matches @encoded (constant-time compare). FALSE for a
 * malformed @encoded. */
gboolean cav_auth_verify(const char *secret, const char *encoded);

/* @kind "pin": 4–12 digits; "password": 8–128 characters, not all digits.
 * Sets a bilingual CAV_AUTH_ERROR_WEAK otherwise (errors.h). */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_auth_check_secret(const char *kind, const char *secret, GError **error);

/* 256 random bits as 64 hex digits. (transfer full) */
char *cav_auth_token_new(void);
/* SHA-256 of @token as hex, what the store keeps. (transfer full) */
char *cav_auth_token_hash(const char *token);

G_END_DECLS
