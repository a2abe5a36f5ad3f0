/* stream-tap.h — how in-process consumers (HLS muxer, WebRTC/low-latency
 * view, video-wall composite) receive a live stream's packets.
 *
 * The ingest (ingest.c) decrypts and validates each SRTP packet of a
 * publisher and, after the SSRC/sequence/timestamp rewrite that keeps the
 * stream continuous across publisher reconnects, hands the plain RTP packet
 * to every tap of that stream. Taps are called on the ingest worker thread
 * that received the packet: they must not block (copy what they need, or
 * push into a GstAppSrc, which is thread-safe) and must not call back into
 * the relay's control plane. Adding or removing a tap may be done from any
 * thread.
 *
 * Contract shared by the relay core (ingest, fan-out) and the public outputs
 * (HLS, console view); both sides code against this header.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	CAV_MEDIA_RTP_VIDEO, /* H.264, payload type 96, clock 90 kHz (RFC 6184) */
	CAV_MEDIA_RTP_AUDIO, /* Opus, payload type 111, clock 48 kHz (RFC 7587) */
} CavRtpMedia;

/* One plain RTP packet (header + payload), valid only during the call. */
typedef void (*CavStreamTapFunc)(CavRtpMedia media, const guint8 *packet, gsize len,
				 gpointer user_data);

typedef struct CavStream CavStream;

/* Finds the live stream of an appliance room, or NULL. (transfer full: unref) */
CavStream *cav_stream_lookup(const char *room_key);
CavStream *cav_stream_ref(CavStream *stream);
void cav_stream_unref(CavStream *stream);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavStream, cav_stream_unref)

/* Returns a tap id (> 0). @destroy (nullable) frees @user_data after removal. */
guint cav_stream_add_tap(CavStream *stream, CavStreamTapFunc func, gpointer user_data,
			 GDestroyNotify destroy);
void cav_stream_remove_tap(CavStream *stream, guint tap_id);
/* Asks the publisher for a keyframe (an RTCP PLI upstream), e.g. when a tap joins. */
void cav_stream_request_keyframe(CavStream *stream);

G_END_DECLS
