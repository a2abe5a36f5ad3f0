/* signer.c — the signature backend table and the device key.
 *
 * The device key lives in one PEM file (mode 0600) with its algorithm name
 * in "<key>.alg" beside it, so an SM2 key is never fed to Ed25519 code after
 * an upgrade changes the default. The private PEM is held in memory for the
 * signer's life and wiped on free. A CavSigner is immutable after load, so
 * any thread may use it.
 */
#include "signer.h"
#include "signer-backends.h"
#include "fsutil.h"
#include "sha256.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#define CAV_SIGNER_DEFAULT_ALG "ed25519"
#define CAV_SIGNER_MAX_PEM (64 * 1024)
#define CAV_SIGNER_KEY_ID_LEN 16

/* Registration: one line per backend. */
static const CavSignerBackend *const backends[] = {
	&cav_signer_backend_ed25519,
};

struct CavSigner {
	const CavSignerBackend *backend; /* unowned, static */
	char *private_pem;               /* owned, wiped on free */
	char *public_pem;                /* owned */
	char *key_id;                    /* owned */
};

/* The first argument is stringified: the error domain's name. */
/* clang-format off */
G_DEFINE_QUARK(cav-signer-error-quark, cav_signer_error)
/* clang-format on */

char *
cav_signer_openssl_error(void)
{
	GString *s = g_string_new(NULL);
	unsigned long e;

	while ((e = ERR_get_error()) != 0) {
		char buf[256];

		ERR_error_string_n(e, buf, sizeof(buf));
		if (s->len > 0)
			g_string_append(s, "; ");
		g_string_append(s, buf);
	}
	return g_string_free(s, FALSE);
}

const CavSignerBackend *
cav_signer_backend_lookup(const char *name)
{
	if (name == NULL)
		return NULL;
	for (guint i = 0; i < G_N_ELEMENTS(backends); i++) {
		if (backends[i]->version == CAV_SIGNER_BACKEND_VERSION &&
		    g_str_equal(backends[i]->name, name))
			return backends[i];
	}
	return NULL;
}

static const CavSignerBackend *
lookup_or_error(const char *name, GError **error)
{
	const CavSignerBackend *b = cav_signer_backend_lookup(name);

	if (b == NULL)
		g_set_error(error, CAV_SIGNER_ERROR, CAV_SIGNER_ERROR_UNKNOWN_ALG,
			    "No signature backend called \"%s\" in this build", name ? name : "");
	return b;
}

static void
bio_free0(BIO *b)
{
	BIO_free(b);
}
static void
pkey_free0(EVP_PKEY *k)
{
	EVP_PKEY_free(k);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BIO, bio_free0)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(EVP_PKEY, pkey_free0)

char *
cav_signer_key_id_from_pem(const char *public_pem, GError **error)
{
	g_autoptr(BIO) bio = NULL;
	g_autoptr(EVP_PKEY) pkey = NULL;
	unsigned char *der = NULL;
	guint8 digest[CAV_SHA256_LEN];
	g_autofree char *hex = NULL;
	int der_len;

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (public_pem == NULL || strlen(public_pem) > CAV_SIGNER_MAX_PEM) {
		g_set_error_literal(error, CAV_SIGNER_ERROR, CAV_SIGNER_ERROR_KEY,
				    "The public key is missing or too long");
		return NULL;
	}
	bio = BIO_new_mem_buf(public_pem, -1);
	pkey = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	der_len = pkey ? i2d_PUBKEY(pkey, &der) : -1;
	if (der_len <= 0) {
		g_autofree char *ossl = cav_signer_openssl_error();

		g_set_error(error, CAV_SIGNER_ERROR, CAV_SIGNER_ERROR_KEY,
			    "The public key is not readable PEM: %s", ossl);
		return NULL;
	}
	cav_sha256_buf(der, (gsize)der_len, digest);
	OPENSSL_free(der);
	hex = cav_sha256_hex(digest);
	return g_strndup(hex, CAV_SIGNER_KEY_ID_LEN);
}

void
cav_signer_free(CavSigner *signer)
{
	if (signer == NULL)
		return;
	if (signer->private_pem != NULL) {
		OPENSSL_cleanse(signer->private_pem, strlen(signer->private_pem));
		g_free(signer->private_pem);
	}
	g_free(signer->public_pem);
	g_free(signer->key_id);
	g_free(signer);
}

static void
wipe_string(char *s)
{
	if (s != NULL) {
		OPENSSL_cleanse(s, strlen(s));
		g_free(s);
	}
}

/* Reads the recorded algorithm; a missing ".alg" falls back to @fallback
 * (keys made before the side file existed were all Ed25519). */
static char *
read_alg(const char *alg_path, const char *fallback, GError **error)
{
	g_autofree char *text = NULL;
	g_autoptr(GError) local = NULL;

	if (!g_file_get_contents(alg_path, &text, NULL, &local)) {
		if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			return g_strdup(fallback);
		g_set_error(error, CAV_SIGNER_ERROR, CAV_SIGNER_ERROR_KEY,
			    "Could not read the key algorithm file: %s", local->message);
		return NULL;
	}
	return g_strdup(g_strstrip(text));
}

static char *
create_key(const char *key_path, const char *alg_path, const CavSignerBackend *backend,
	   GError **error)
{
	char *pem = backend->generate(error);

	if (pem == NULL)
		return NULL;
	/* The algorithm first: a crash between the two writes leaves no key,
	 * and the next start simply creates one again. */
	if (!cav_fs_write_atomic(alg_path, backend->name, strlen(backend->name), 0644, error) ||
	    !cav_fs_write_atomic(key_path, pem, strlen(pem), 0600, error)) {
		wipe_string(pem);
		return NULL;
	}
	return pem;
}

CavSigner *
cav_signer_load_or_create(const char *key_path, const char *alg, GError **error)
{
	g_autoptr(CavSigner) signer = NULL;
	g_autoptr(GError) local = NULL;
	g_autofree char *alg_path = NULL;
	g_autofree char *alg_name = NULL;
	char *pem = NULL;
	gsize pem_len = 0;

	g_return_val_if_fail(key_path != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	signer = g_new0(CavSigner, 1);
	alg_path = g_strconcat(key_path, ".alg", NULL);
	if (g_file_get_contents(key_path, &pem, &pem_len, &local)) {
		signer->private_pem = pem;
		if (pem_len > CAV_SIGNER_MAX_PEM || strlen(pem) != pem_len) {
			g_set_error(error, CAV_SIGNER_ERROR, CAV_SIGNER_ERROR_KEY,
				    "The device key %s is not a PEM file", key_path);
			return NULL;
		}
		alg_name = read_alg(alg_path, alg ? alg : CAV_SIGNER_DEFAULT_ALG, error);
		if (alg_name == NULL ||
		    (signer->backend = lookup_or_error(alg_name, error)) == NULL)
			return NULL;
	} else if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
		signer->backend = lookup_or_error(alg ? alg : CAV_SIGNER_DEFAULT_ALG, error);
		if (signer->backend == NULL)
			return NULL;
		signer->private_pem = create_key(key_path, alg_path, signer->backend, error);
		if (signer->private_pem == NULL)
			return NULL;
	} else {
		g_set_error(error, CAV_SIGNER_ERROR, CAV_SIGNER_ERROR_KEY,
			    "Could not read the device key: %s", local->message);
		return NULL;
	}

	signer->public_pem = signer->backend->public_from_private(signer->private_pem, error);
	if (signer->public_pem == NULL)
		return NULL;
	signer->key_id = cav_signer_key_id_from_pem(signer->public_pem, error);
	if (signer->key_id == NULL)
		return NULL;
	return g_steal_pointer(&signer);
}

const char *
cav_signer_alg(const CavSigner *signer)
{
	g_return_val_if_fail(signer != NULL, NULL);
	return signer->backend->name;
}

const char *
cav_signer_public_pem(const CavSigner *signer)
{
	g_return_val_if_fail(signer != NULL, NULL);
	return signer->public_pem;
}

const char *
cav_signer_key_id(const CavSigner *signer)
{
	g_return_val_if_fail(signer != NULL, NULL);
	return signer->key_id;
}

GBytes *
cav_signer_sign(const CavSigner *signer, const guint8 *data, gsize len, GError **error)
{
	g_return_val_if_fail(signer != NULL, NULL);
	g_return_val_if_fail(data != NULL || len == 0, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	return signer->backend->sign(signer->private_pem, data ? data : (const guint8 *)"", len,
				     error);
}

gboolean
cav_signature_verify(const char *alg, const char *public_pem, const guint8 *data, gsize len,
		     const guint8 *sig, gsize sig_len, GError **error)
{
	const CavSignerBackend *backend;

	g_return_val_if_fail(data != NULL || len == 0, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	backend = lookup_or_error(alg, error);
	if (backend == NULL)
		return FALSE;
	if (public_pem == NULL) {
		g_set_error_literal(error, CAV_SIGNER_ERROR, CAV_SIGNER_ERROR_KEY,
				    "No public key to verify the signature with");
		return FALSE;
	}
	return backend->verify(public_pem, data ? data : (const guint8 *)"", len, sig, sig_len,
			       error);
}
