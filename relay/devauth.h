/* devauth.h — checking device-signed requests (common/reqsign.h) at the
 * relay: the key must belong to an enrolled, enabled appliance, the
 * signer's clock must be within `signature_window_seconds` of ours, the
 * nonce must not have been seen in twice that window, and the signature
 * must verify over the exact method, target, time, nonce and body.
 *
 * Main thread only (the nonce cache is control-plane state).
 */
#pragma once

#include <glib.h>
#include "registry.h"

G_BEGIN_DECLS

typedef struct CavDevAuth CavDevAuth;

typedef enum {
	CAV_DEVAUTH_OK,
	CAV_DEVAUTH_MISSING, /* no or malformed signature headers */
	CAV_DEVAUTH_UNKNOWN, /* key of no enrolled (or a disabled) appliance */
	CAV_DEVAUTH_STALE,   /* time outside the window */
	CAV_DEVAUTH_REPLAY,  /* nonce already used */
	CAV_DEVAUTH_BAD,     /* signature does not verify */
} CavDevAuthResult;

/* (transfer full) */
CavDevAuth *cav_devauth_new(CavRegistry *reg, guint window_s);
void cav_devauth_free(CavDevAuth *da);

/* Checks one request. Header values are nullable (absent). On OK,
 * *out_appliance (transfer full) is the signer. With @public_pem non-NULL
 * (enrollment: the key is not registered yet) that key is used and
 * *out_appliance is left NULL. The nonce is remembered only when the
 * signature verified. */
CavDevAuthResult cav_devauth_check(CavDevAuth *da, const char *method, const char *target,
				   const guint8 *body, gsize len, const char *key_id,
				   const char *time, const char *nonce, const char *signature,
				   const char *alg, const char *public_pem, gint64 now_us,
				   CavApplianceRow **out_appliance);

/* English, for logs and answers. */
const char *cav_devauth_result_text(CavDevAuthResult r);
/* Nonces remembered now (tests). */
guint cav_devauth_cache_size(CavDevAuth *da);

G_END_DECLS
