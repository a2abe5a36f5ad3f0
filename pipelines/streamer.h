/* streamer.h — the appliance's live push: the program picture and the
 * audio mix, read from the recorder's inter channels (cav.program,
 * cav.mix), encoded for a thin link (H.264 zerolatency + Opus), packetised
 * as RTP and sent over SRTP/UDP to courtav-relay; RTCP from the relay is
 * answered: NACKs by retransmission from a send history, PLI/FIR by
 * forcing a keyframe.
 *
 * A pipeline of its own: the inter channels decouple it from the recorder,
 * sends never block (MSG_DONTWAIT), appsinks drop rather than wait, so a
 * dead link or a slow relay never slows or stops the recording.
 *
 * Threads: cav_streamer_new/free and the getters on the caller's thread
 * (courtavd's main thread). Packets are sent from GStreamer's streaming
 * threads (the two appsinks) and the RTCP thread; send_lock serialises
 * them (it protects the SRTP outbound session and the history).
 */
#pragma once

#include <glib.h>
#include "common/srtp.h"

G_BEGIN_DECLS

#define CAV_STREAMER_ERROR (cav_streamer_error_quark())
GQuark cav_streamer_error_quark(void);

typedef enum {
	CAV_STREAMER_ERROR_SOCKET,   /* cannot reach the relay's address */
	CAV_STREAMER_ERROR_PIPELINE, /* GStreamer could not build or start */
	CAV_STREAMER_ERROR_KEY,      /* unusable SRTP key */
} CavStreamerError;

typedef struct {
	const char *host; /* the relay's media address (IP) */
	guint port;
	CavSrtpSuite suite;
	const guint8 *key;  /* master key + salt, cav_srtp_key_len(suite) bytes (copied) */
	guint32 ssrc_video; /* as the relay assigned them */
	guint32 ssrc_audio;
	guint width, height, fps;
	guint video_kbps;
	guint audio_kbps;
	const char *video_channel; /* NULL: "cav.program" */
	const char *audio_channel; /* NULL: "cav.mix" */
} CavStreamerConfig;

typedef struct {
	guint64 packets; /* RTP packets sent (both media) */
	guint64 bytes;
	guint64 retransmits; /* answers to NACKs */
	guint64 nacks;       /* sequence numbers asked for */
	guint64 keyframes;   /* forced by PLI/FIR */
	guint64 rtcp_in;     /* SRTCP packets from the relay accepted */
	guint64 rtcp_bad;    /* refused (forged, replayed, malformed) */
	guint64 send_errors; /* datagrams the kernel refused (link down) */
} CavStreamerStats;

typedef struct CavStreamer CavStreamer;

/* Builds and starts the pipeline and the RTCP thread. (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
CavStreamer *cav_streamer_new(const CavStreamerConfig *config, GError **error);
/* Stops everything (joins the RTCP thread). NULL-safe. */
void cav_streamer_free(CavStreamer *streamer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavStreamer, cav_streamer_free)

void cav_streamer_get_stats(CavStreamer *streamer, CavStreamerStats *out);
/* Forces a keyframe now (as a PLI does). Any thread. */
void cav_streamer_force_keyframe(CavStreamer *streamer);

G_END_DECLS
