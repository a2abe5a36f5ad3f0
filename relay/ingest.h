/* ingest.h — the relay's media plane: one UDP socket shared by publishers
 * and subscribers, one ingest thread that receives (recvmmsg), checks,
 * decrypts, rewrites and fans out, and the fan-out workers (fanout.h) that
 * encrypt per subscriber and send (sendmmsg).
 *
 * The ingest thread owns every publisher's and subscriber's receive state
 * (SRTP inbound sessions, sequence tracking, the rewrite that keeps a
 * stream's SSRC, sequence numbers and timestamps continuous across
 * publisher reconnects, the retransmission history). It answers RTCP:
 * receiver reports and NACKs upstream to publishers, NACKs from
 * subscribers from the history, PLI/FIR from subscribers and taps as a
 * rate-limited PLI upstream. Subscribers wait for a keyframe before they
 * get video.
 *
 * The one handoff with the control plane: calls below (main thread only)
 * post commands to a queue (cmd_lock) and wake the ingest thread with an
 * eventfd; facts flowing back (a publisher started or stopped arriving, a
 * subscriber was dropped) are posted to the main context as idle sources
 * and delivered through CavIngestEvents. Nothing on
 * the packet path touches the registry, the HTTP server or the directory.
 */
#pragma once

#include <glib.h>
#include <sys/socket.h>
#include "relay.h"
#include "common/srtp.h"

G_BEGIN_DECLS

/* Main thread callbacks. */
typedef struct {
	/* A publisher's packets started (@active) or stopped (3 s silence) arriving. */
	void (*publisher)(guint64 publish_id, const char *room_key, gboolean active,
			  gpointer user_data);
	/* A subscriber was dropped by the media plane: "slow", "timeout". */
	void (*subscriber_gone)(guint64 sub_id, const char *reason, gpointer user_data);
} CavIngestEvents;

/* Binds [media] listen and starts the ingest thread and the workers.
 * (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
CavIngest *cav_ingest_new(CavRelay *relay, GError **error);
void cav_ingest_free(CavIngest *ingest);
/* The bound UDP port. */
guint cav_ingest_port(CavIngest *ingest);
void cav_ingest_set_events(CavIngest *ingest, const CavIngestEvents *events, gpointer user_data);

typedef struct {
	guint64 id; /* the live_sources row */
	const char *room_key;
	guint32 ssrc_video; /* what the publisher must send with */
	guint32 ssrc_audio;
	CavSrtpSuite suite;
	const guint8 *key; /* cav_srtp_key_len(suite) bytes, copied */
} CavPublishSpec;

/* Accepts @spec's SSRCs from now on; a previous publisher of the same
 * room is replaced (its late packets are refused). */
void cav_ingest_publish(CavIngest *ingest, const CavPublishSpec *spec);
void cav_ingest_unpublish(CavIngest *ingest, guint64 publish_id);

typedef struct {
	guint64 id;
	const char *room_key;
	guint32 rtcp_ssrc; /* the SSRC of the subscriber's own RTCP */
	CavSrtpSuite suite;
	const guint8 *key; /* copied */
	/* Where to send (nullable): otherwise the address of its first
	 * authenticated SRTCP packet. */
	const struct sockaddr *addr;
	socklen_t addr_len;
} CavSubscribeSpec;

/* FALSE (nothing done) when the key is unusable. */
gboolean cav_ingest_subscribe(CavIngest *ingest, const CavSubscribeSpec *spec, GError **error);
void cav_ingest_unsubscribe(CavIngest *ingest, guint64 sub_id);

/* Counts for the stats endpoint (any thread, approximate). */
guint cav_ingest_n_publishers(CavIngest *ingest);
guint cav_ingest_n_subscribers(CavIngest *ingest);

G_END_DECLS
