/* reqsign.h — requests signed by a device key (appliance → relay).
 *
 * An enrolled appliance authenticates each control request with its device
 * key (signer.h) instead of a password or a client certificate. Four
 * headers travel with the request:
 *   X-Cav-Key        the key id (cav_signer_key_id)
 *   X-Cav-Time       the signer's clock, UTC milliseconds since 1970
 *   X-Cav-Nonce      32 random hex digits, never reused
 *   X-Cav-Signature  base64 of the signature over the canonical text
 * The canonical text is
 *   "courtav-req-v1\n" METHOD "\n" PATH[?QUERY] "\n" TIME "\n" NONCE "\n" hex(SHA-256(body))
 * so a signature binds the method, the target, the moment and the exact
 * body. The verifier (relay/devauth.c) also bounds the clock skew and
 * remembers nonces for twice that window, which makes a replayed request
 * fail even inside the window.
 *
 * Pure functions, any thread.
 */
#pragma once

#include <glib.h>
#include "signer.h"

G_BEGIN_DECLS

#define CAV_REQSIGN_HEADER_KEY "X-Cav-Key"
#define CAV_REQSIGN_HEADER_TIME "X-Cav-Time"
#define CAV_REQSIGN_HEADER_NONCE "X-Cav-Nonce"
#define CAV_REQSIGN_HEADER_SIGNATURE "X-Cav-Signature"

typedef struct {
	char *key_id;    /* (owned) */
	char *time;      /* decimal milliseconds (owned) */
	char *nonce;     /* 32 hex digits (owned) */
	char *signature; /* base64 (owned) */
} CavReqSig;

void cav_reqsig_free(CavReqSig *sig);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavReqSig, cav_reqsig_free)

/* The canonical text signed for a request. @body may be NULL when @len is 0.
 * (transfer full) */
char *cav_reqsign_canonical(const char *method, const char *target, const char *time,
			    const char *nonce, const guint8 *body, gsize len);

/* Signs a request made at @now_us (g_get_real_time()). (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
CavReqSig *cav_reqsign_make(const CavSigner *signer, const char *method, const char *target,
			    const guint8 *body, gsize len, gint64 now_us, GError **error);

/* Checks the signature only (not time nor nonce reuse) against
 * @public_pem under @alg. @time must be a decimal number, @nonce 16–64 hex
 * digits. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_reqsign_verify(const char *alg, const char *public_pem, const char *method,
			    const char *target, const guint8 *body, gsize len, const char *time,
			    const char *nonce, const char *signature_b64, GError **error);

G_END_DECLS
