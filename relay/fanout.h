/* fanout.h — the send side of the relay's packet path: subscribers and the
 * worker threads that encrypt and send to them.
 *
 * A subscriber (an inspector's player, a video-wall decoder, another
 * relay) gets the stream's packets re-protected with its own SRTP key,
 * without re-encoding. Each subscriber belongs to one worker thread, which
 * alone uses its outbound SRTP session; the ingest thread fills the
 * subscriber's bounded queue (packet.h ring) and wakes the worker. A full
 * queue drops that subscriber's packets, and a queue full for longer than
 * CAV_FANOUT_SLOW_US drops the subscriber — never the stream, never
 * another subscriber. Workers send with sendmmsg on the relay's one UDP
 * socket, in batches across subscribers, and never block: a send the
 * kernel refuses is counted and the packet is gone, as UDP would lose it.
 *
 * Threads: cav_fanout_new/free on the control plane; everything marked
 * "ingest thread" only from the ingest worker; the workers are internal.
 */
#pragma once

#include <glib.h>
#include <sys/socket.h>
#include "common/srtp.h"
#include "packet.h"

G_BEGIN_DECLS

/* How long a queue may stay full before its subscriber is dropped. */
#define CAV_FANOUT_SLOW_US (2 * G_USEC_PER_SEC)

typedef struct CavFanout CavFanout;
typedef struct CavSubscriber CavSubscriber;

/* Starts @n_workers threads sending on @fd (not owned). (transfer full) */
CavFanout *cav_fanout_new(int fd, guint n_workers, GError **error);
/* Stops and joins the workers, releasing their subscribers. NULL-safe. */
void cav_fanout_free(CavFanout *fanout);

/* A subscriber whose outbound key is @key (cav_srtp_key_len(@suite)
 * bytes, copied). (transfer full) */
CavSubscriber *cav_subscriber_new(guint64 id, CavSrtpSuite suite, const guint8 *key,
				  guint queue_packets, GError **error);
CavSubscriber *cav_subscriber_ref(CavSubscriber *sub);
void cav_subscriber_unref(CavSubscriber *sub);
guint64 cav_subscriber_id(CavSubscriber *sub);

/* Ingest thread: hands @sub to the least loaded worker. */
void cav_fanout_attach(CavFanout *fanout, CavSubscriber *sub);
/* Ingest thread: the address to send to (the one the subscriber's RTCP
 * came from, or given when it subscribed). Before it is set, queued
 * packets are discarded. May be called again (NAT rebinding). */
void cav_subscriber_set_address(CavSubscriber *sub, const struct sockaddr *addr, socklen_t len);
gboolean cav_subscriber_has_address(CavSubscriber *sub);
/* Ingest thread: queues @p (a ref is taken). FALSE when the queue is
 * full; returns TRUE and marks the subscriber slow (see
 * cav_subscriber_is_dead) once it has been full for CAV_FANOUT_SLOW_US. */
gboolean cav_subscriber_enqueue(CavSubscriber *sub, CavPacket *p, gint64 now_us);
/* Any thread: stop sending to @sub; its worker lets it go. */
void cav_subscriber_kill(CavSubscriber *sub);
gboolean cav_subscriber_is_dead(CavSubscriber *sub);
/* Whether it died because its queue stayed full. */
gboolean cav_subscriber_was_slow(CavSubscriber *sub);
/* Ingest thread: wakes the workers that have packets queued since the last kick. */
void cav_fanout_kick(CavFanout *fanout);

/* Subscribers held by the workers now (leak checks, stats). */
guint cav_fanout_n_subscribers(CavFanout *fanout);
/* Subscriber objects alive in the process. */
guint cav_subscriber_alive(void);

G_END_DECLS
