/* signer.h — device signatures behind a small backend table.
 *
 * A sealed hearing's manifest is signed with the device key. Ed25519 (through
 * OpenSSL 3) is the default; the table exists so SM2/SM3 (also OpenSSL 3) can
 * be added for GB 35114-style deployments by one new backend file and one
 * registration line in signer.c, without touching callers.
 *
 * Any thread may call these functions; a CavSigner is immutable after load.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CAV_SIGNER_ERROR (cav_signer_error_quark())
GQuark cav_signer_error_quark(void);

typedef enum {
	CAV_SIGNER_ERROR_UNKNOWN_ALG,   /* no backend of that name */
	CAV_SIGNER_ERROR_KEY,           /* key file unreadable, malformed or of the wrong type */
	CAV_SIGNER_ERROR_SIGN,          /* signing failed */
	CAV_SIGNER_ERROR_BAD_SIGNATURE, /* signature does not match data and key */
} CavSignerError;

#define CAV_SIGNER_BACKEND_VERSION 1

/* One signature scheme. All strings are static. Keys travel as PEM text. */
typedef struct {
	guint version;    /* CAV_SIGNER_BACKEND_VERSION */
	const char *name; /* "ed25519" */
	/* A new private key as PKCS#8 PEM. (transfer full) */
	char *(*generate)(GError **error);
	/* The public key (SubjectPublicKeyInfo PEM) of a private key. (transfer full) */
	char *(*public_from_private)(const char *private_pem, GError **error);
	/* Signature of @data by @private_pem. (transfer full) */
	GBytes *(*sign)(const char *private_pem, const guint8 *data, gsize len, GError **error);
	gboolean (*verify)(const char *public_pem, const guint8 *data, gsize len, const guint8 *sig,
			   gsize sig_len, GError **error);
} CavSignerBackend;

/* The backend called @name, or NULL. (transfer none) */
const CavSignerBackend *cav_signer_backend_lookup(const char *name);

typedef struct CavSigner CavSigner;

/* Loads the private key at @key_path, or creates it (mode 0600, written
 * atomically) when the file does not exist. @alg is used only when creating;
 * a loaded key keeps the algorithm recorded beside it (key_path + ".alg").
 * (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
CavSigner *cav_signer_load_or_create(const char *key_path, const char *alg, GError **error);
void cav_signer_free(CavSigner *signer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavSigner, cav_signer_free)

/* (transfer none) */
const char *cav_signer_alg(const CavSigner *signer);
/* SubjectPublicKeyInfo PEM. (transfer none) */
const char *cav_signer_public_pem(const CavSigner *signer);
/* A short stable id of the public key: first 16 hex chars of SHA-256(DER). (transfer none) */
const char *cav_signer_key_id(const CavSigner *signer);

/* The key id, as cav_signer_key_id() computes it, of any SubjectPublicKeyInfo
 * PEM (e.g. the key embedded in a manifest); NULL with @error set when
 * @public_pem is not one. (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
char *cav_signer_key_id_from_pem(const char *public_pem, GError **error);

/* (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
GBytes *cav_signer_sign(const CavSigner *signer, const guint8 *data, gsize len, GError **error);

/* Checks @sig over @data with @public_pem under scheme @alg. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_signature_verify(const char *alg, const char *public_pem, const guint8 *data,
			      gsize len, const guint8 *sig, gsize sig_len, GError **error);

G_END_DECLS
