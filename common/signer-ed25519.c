/* signer-ed25519.c — the default signature backend: Ed25519 through
 * OpenSSL 3 (EVP_PKEY_ED25519, one-shot EVP_DigestSign with no digest, as
 * RFC 8032 "pure" Ed25519 requires). Keys are PKCS#8 / SubjectPublicKeyInfo
 * PEM. Stateless; any thread.
 */
#include "signer-backends.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#define ED25519_SIG_LEN 64
/* A PEM key is a few hundred bytes; anything far larger is not one. */
#define ED25519_MAX_PEM 16384

static void
evp_pkey_free0(EVP_PKEY *k)
{
	EVP_PKEY_free(k);
}
static void
bio_free0(BIO *b)
{
	BIO_free(b);
}
static void
md_ctx_free0(EVP_MD_CTX *c)
{
	EVP_MD_CTX_free(c);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(EVP_PKEY, evp_pkey_free0)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BIO, bio_free0)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(EVP_MD_CTX, md_ctx_free0)

static gboolean
key_error(GError **error, int code, const char *what)
{
	g_autofree char *ossl = cav_signer_openssl_error();

	g_set_error(error, CAV_SIGNER_ERROR, code, "%s%s%s", what, ossl[0] ? ": " : "", ossl);
	return FALSE;
}

static char *
bio_to_string(BIO *bio)
{
	char *mem = NULL;
	long n = BIO_get_mem_data(bio, &mem);

	if (n <= 0 || mem == NULL)
		return NULL;
	return g_strndup(mem, (gsize)n);
}

/* OpenSSL 3 decodes a PEM key through its decoder framework in about
 * 1 ms, twenty times what an Ed25519 signature or check costs. Decoded
 * keys are therefore kept, keyed by their PEM text: a device signing an
 * audit row per action, or a relay checking every heartbeat, decodes each
 * key once. Bounded (cleared when full); key_cache_lock protects it. An
 * EVP_PKEY is immutable and reference-counted, safe to share. */
#define KEY_CACHE_MAX 256

G_LOCK_DEFINE_STATIC(key_cache_lock);
static GHashTable *key_cache; /* PEM text -> EVP_PKEY * (a ref); key_cache_lock */

static EVP_PKEY *
cache_lookup(const char *pem)
{
	EVP_PKEY *k = NULL;

	G_LOCK(key_cache_lock);
	if (key_cache != NULL && (k = g_hash_table_lookup(key_cache, pem)) != NULL)
		EVP_PKEY_up_ref(k);
	G_UNLOCK(key_cache_lock);
	return k;
}

static void
cache_store(const char *pem, EVP_PKEY *k)
{
	G_LOCK(key_cache_lock);
	if (key_cache == NULL)
		key_cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
						  (GDestroyNotify)EVP_PKEY_free);
	if (g_hash_table_size(key_cache) >= KEY_CACHE_MAX)
		g_hash_table_remove_all(key_cache);
	if (EVP_PKEY_up_ref(k) == 1)
		g_hash_table_replace(key_cache, g_strdup(pem), k);
	G_UNLOCK(key_cache_lock);
}

static EVP_PKEY *load_private_uncached(const char *pem, GError **error);
static EVP_PKEY *load_public_uncached(const char *pem, GError **error);

static EVP_PKEY *
load_private(const char *pem, GError **error)
{
	EVP_PKEY *k = pem != NULL ? cache_lookup(pem) : NULL;

	if (k == NULL && (k = load_private_uncached(pem, error)) != NULL)
		cache_store(pem, k);
	return k;
}

static EVP_PKEY *
load_public(const char *pem, GError **error)
{
	EVP_PKEY *k = pem != NULL ? cache_lookup(pem) : NULL;

	if (k == NULL && (k = load_public_uncached(pem, error)) != NULL)
		cache_store(pem, k);
	return k;
}

static EVP_PKEY *
load_private_uncached(const char *pem, GError **error)
{
	g_autoptr(BIO) bio = NULL;
	g_autoptr(EVP_PKEY) pkey = NULL;

	if (pem == NULL || strlen(pem) > ED25519_MAX_PEM) {
		key_error(error, CAV_SIGNER_ERROR_KEY, "The private key is missing or too long");
		return NULL;
	}
	bio = BIO_new_mem_buf(pem, -1);
	/* The empty passphrase callback result keeps OpenSSL from prompting
	 * on a terminal when handed an encrypted key. */
	pkey = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"") : NULL;
	if (pkey == NULL) {
		key_error(error, CAV_SIGNER_ERROR_KEY, "The private key is not readable PEM");
		return NULL;
	}
	if (!EVP_PKEY_is_a(pkey, "ED25519")) {
		g_set_error(error, CAV_SIGNER_ERROR, CAV_SIGNER_ERROR_KEY,
			    "The private key is a %s key, not Ed25519",
			    EVP_PKEY_get0_type_name(pkey));
		return NULL;
	}
	return g_steal_pointer(&pkey);
}

static EVP_PKEY *
load_public_uncached(const char *pem, GError **error)
{
	g_autoptr(BIO) bio = NULL;
	g_autoptr(EVP_PKEY) pkey = NULL;

	if (pem == NULL || strlen(pem) > ED25519_MAX_PEM) {
		key_error(error, CAV_SIGNER_ERROR_KEY, "The public key is missing or too long");
		return NULL;
	}
	bio = BIO_new_mem_buf(pem, -1);
	pkey = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	if (pkey == NULL) {
		key_error(error, CAV_SIGNER_ERROR_KEY, "The public key is not readable PEM");
		return NULL;
	}
	if (!EVP_PKEY_is_a(pkey, "ED25519")) {
		g_set_error(error, CAV_SIGNER_ERROR, CAV_SIGNER_ERROR_KEY,
			    "The public key is a %s key, not Ed25519",
			    EVP_PKEY_get0_type_name(pkey));
		return NULL;
	}
	return g_steal_pointer(&pkey);
}

static char *
ed25519_generate(GError **error)
{
	g_autoptr(EVP_PKEY) pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	g_autoptr(BIO) bio = NULL;
	char *pem;

	if (pkey == NULL) {
		key_error(error, CAV_SIGNER_ERROR_KEY, "OpenSSL could not generate an Ed25519 key");
		return NULL;
	}
	bio = BIO_new(BIO_s_mem());
	if (bio == NULL || PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) != 1 ||
	    (pem = bio_to_string(bio)) == NULL) {
		key_error(error, CAV_SIGNER_ERROR_KEY, "OpenSSL could not encode an Ed25519 key");
		return NULL;
	}
	/* The memory BIO held the private key; wipe it before it is freed. */
	{
		char *mem = NULL;
		long n = BIO_get_mem_data(bio, &mem);

		if (n > 0 && mem != NULL)
			OPENSSL_cleanse(mem, (size_t)n);
	}
	return pem;
}

static char *
ed25519_public_from_private(const char *private_pem, GError **error)
{
	g_autoptr(EVP_PKEY) pkey = load_private(private_pem, error);
	g_autoptr(BIO) bio = NULL;
	char *pem;

	if (pkey == NULL)
		return NULL;
	bio = BIO_new(BIO_s_mem());
	if (bio == NULL || PEM_write_bio_PUBKEY(bio, pkey) != 1 ||
	    (pem = bio_to_string(bio)) == NULL) {
		key_error(error, CAV_SIGNER_ERROR_KEY, "OpenSSL could not encode the public key");
		return NULL;
	}
	return pem;
}

static GBytes *
ed25519_sign(const char *private_pem, const guint8 *data, gsize len, GError **error)
{
	g_autoptr(EVP_PKEY) pkey = load_private(private_pem, error);
	g_autoptr(EVP_MD_CTX) ctx = NULL;
	guint8 sig[ED25519_SIG_LEN];
	size_t sig_len = sizeof(sig);

	if (pkey == NULL)
		return NULL;
	ctx = EVP_MD_CTX_new();
	/* NULL digest: Ed25519 hashes internally (PureEdDSA). */
	if (ctx == NULL || EVP_DigestSignInit(ctx, NULL, NULL, NULL, pkey) != 1 ||
	    EVP_DigestSign(ctx, sig, &sig_len, data, len) != 1 || sig_len != ED25519_SIG_LEN) {
		key_error(error, CAV_SIGNER_ERROR_SIGN, "Ed25519 signing failed");
		return NULL;
	}
	return g_bytes_new(sig, sig_len);
}

static gboolean
ed25519_verify(const char *public_pem, const guint8 *data, gsize len, const guint8 *sig,
	       gsize sig_len, GError **error)
{
	g_autoptr(EVP_PKEY) pkey = load_public(public_pem, error);
	g_autoptr(EVP_MD_CTX) ctx = NULL;
	int rc;

	if (pkey == NULL)
		return FALSE;
	if (sig == NULL || sig_len != ED25519_SIG_LEN) {
		g_set_error(error, CAV_SIGNER_ERROR, CAV_SIGNER_ERROR_BAD_SIGNATURE,
			    "An Ed25519 signature is %d bytes, this one is %" G_GSIZE_FORMAT,
			    ED25519_SIG_LEN, sig_len);
		return FALSE;
	}
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL || EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) != 1)
		return key_error(error, CAV_SIGNER_ERROR_KEY, "OpenSSL could not start verifying");
	rc = EVP_DigestVerify(ctx, sig, sig_len, data, len);
	if (rc != 1) {
		ERR_clear_error();
		g_set_error_literal(error, CAV_SIGNER_ERROR, CAV_SIGNER_ERROR_BAD_SIGNATURE,
				    "The Ed25519 signature does not match the data and key");
		return FALSE;
	}
	return TRUE;
}

const CavSignerBackend cav_signer_backend_ed25519 = {
	.version = CAV_SIGNER_BACKEND_VERSION,
	.name = "ed25519",
	.generate = ed25519_generate,
	.public_from_private = ed25519_public_from_private,
	.sign = ed25519_sign,
	.verify = ed25519_verify,
};
