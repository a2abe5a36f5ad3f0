/* srtp.h — SRTP/SRTCP sessions over libsrtp2, as both ends of courtav's
 * live path use them (the appliance's streamer, the relay's ingest and
 * fan-out).
 *
 * A CavSrtp is one direction of one key: outbound (protect) or inbound
 * (unprotect), for any SSRC. Keys are the master key followed by the
 * master salt, as SDES (RFC 4568) carries them, base64 in the control API.
 * AES-128-GCM is preferred: Debian's libsrtp2 is built on NSS, whose
 * AES-CM + HMAC-SHA1 path costs about twice AES-GCM's per packet
 * (docs/BENCHMARKS.md, "Relay"). Outbound sessions allow re-protecting a
 * sequence number (retransmissions answer NACKs with the same packet);
 * inbound sessions keep a 1024-packet replay window.
 *
 * A session is not thread-safe: one thread uses it at a time (the relay
 * gives each to one worker). cav_srtp_global_init() may be called from
 * any thread, any number of times.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CAV_SRTP_ERROR (cav_srtp_error_quark())
GQuark cav_srtp_error_quark(void);

typedef enum {
	CAV_SRTP_AES_128_GCM, /* "AEAD_AES_128_GCM": 16-byte key, 12-byte salt, 16-byte tag */
	CAV_SRTP_AES_128_CM_SHA1_80, /* 16-byte key, 14-byte salt, 10-byte tag */
} CavSrtpSuite;

/* What a protect/unprotect did. */
typedef enum {
	CAV_SRTP_OK,
	CAV_SRTP_AUTH_FAIL, /* forged, tampered or the wrong key */
	CAV_SRTP_REPLAY,    /* seen before, or older than the replay window */
	CAV_SRTP_FAIL,      /* anything else (malformed, no room for the tag) */
} CavSrtpStatus;

/* Room to leave after a packet for protect's tag (and SRTCP index). */
#define CAV_SRTP_MAX_TRAILER 32

gboolean cav_srtp_global_init(GError **error);

/* "AEAD_AES_128_GCM" / "AES_CM_128_HMAC_SHA1_80". (transfer none) */
const char *cav_srtp_suite_name(CavSrtpSuite suite);
gboolean cav_srtp_suite_parse(const char *name, CavSrtpSuite *out);
/* Master key + salt length of @suite (28 or 30). */
gsize cav_srtp_key_len(CavSrtpSuite suite);
/* Fresh random key+salt, base64. (transfer full) */
char *cav_srtp_key_new_base64(CavSrtpSuite suite);
/* Decodes a base64 key of @suite's length into @out (at least 32 bytes). */
gboolean cav_srtp_key_decode(CavSrtpSuite suite, const char *b64, guint8 *out);

typedef struct CavSrtp CavSrtp;

/* (transfer full) NULL with CAV_SRTP_ERROR on a bad key. */
CavSrtp *cav_srtp_new(CavSrtpSuite suite, const guint8 *key, gboolean outbound, GError **error);
void cav_srtp_free(CavSrtp *srtp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavSrtp, cav_srtp_free)

/* In place. @len in/out; @buf must have CAV_SRTP_MAX_TRAILER spare bytes
 * after *len for protect. */
CavSrtpStatus cav_srtp_protect(CavSrtp *s, guint8 *buf, gsize *len);
CavSrtpStatus cav_srtp_unprotect(CavSrtp *s, guint8 *buf, gsize *len);
CavSrtpStatus cav_srtp_protect_rtcp(CavSrtp *s, guint8 *buf, gsize *len);
CavSrtpStatus cav_srtp_unprotect_rtcp(CavSrtp *s, guint8 *buf, gsize *len);

G_END_DECLS
