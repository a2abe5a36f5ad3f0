/* ingest.c — the media plane's socket and ingest thread (ingest.h).
 *
 * Everything below the "ingest thread" line runs on that one thread and
 * owns its state without locks: the route table (SSRC → publisher or
 * subscriber), publishers, per-stream rewrite and history (FanStream),
 * subscribers' receive side. The control plane reaches it only through
 * the command queue; the workers only through the subscriber queues.
 */
#define _GNU_SOURCE
#include "ingest.h"
#include "fanout.h"
#include "packet.h"
#include "stats.h"
#include "stream.h"
#include "common/rtp.h"

#include <errno.h>
#include <gio/gio.h>
#include <poll.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define RECV_BATCH 32
#define TICK_MS 20
#define HISTORY 1024    /* packets kept per media for NACKs (~4 s of video) */
#define MAX_MISSING 128 /* upstream NACK tracking window */
#define NACK_RETRIES 3
#define NACK_DELAY_US (40 * 1000) /* a gap younger than this may be reordering */
#define PLI_MIN_GAP_US (300 * 1000)
#define PUBLISHER_IDLE_US (3 * G_USEC_PER_SEC)
#define SUB_LATCH_US (30 * G_USEC_PER_SEC)
#define SUB_TIMEOUT_US (30 * G_USEC_PER_SEC)
#define STREAM_IDLE_US (60 * G_USEC_PER_SEC)
#define SLOW_LOSS_FRACTION 128 /* of 256: half the packets lost ... */
#define SLOW_LOSS_STRIKES 5    /* ... in this many receiver reports in a row */

typedef enum { CMD_PUBLISH, CMD_UNPUBLISH, CMD_SUBSCRIBE, CMD_UNSUBSCRIBE } CmdType;

typedef struct {
	CmdType type;
	guint64 id;
	char *room_key;    /* owned */
	CavStream *stream; /* a ref (publish/subscribe) */
	guint32 ssrc[2];   /* publish: video, audio; subscribe: [0] its RTCP SSRC */
	CavSrtpSuite suite;
	guint8 key[32];
	CavSubscriber *sub; /* subscribe: a ref */
	struct sockaddr_storage addr;
	socklen_t addr_len;
} Cmd;

struct CavIngest {
	CavRelay *relay; /* unowned */
	GSocket *socket; /* owned */
	int fd;          /* the socket's */
	guint port;
	guint queue_packets;
	GMainContext *main_ctx; /* owned ref: where events are delivered */
	struct Sink *sink;      /* a ref */
	CavFanout *fanout;      /* owned */
	GThread *thread;
	int wake_fd; /* eventfd (owned) */
	atomic_bool stop;
	GMutex cmd_lock;
	GQueue cmds; /* Cmd * (owned); cmd_lock */
	atomic_uint n_pubs;
	atomic_uint n_subs;
	/* ---- ingest thread only ---- */
	GHashTable *routes;   /* SSRC -> Route * (owned) */
	GHashTable *pubs;     /* id -> Publisher * (owned) */
	GHashTable *subs;     /* id -> SubEntry * (owned) */
	GHashTable *fstreams; /* room_key -> FanStream * (owned) */
};

/* ---- per-stream state (ingest thread) --------------------------------------------- */

typedef struct {
	gboolean have;
	guint64 src; /* the publisher whose numbers are being mapped */
	guint16 seq_off;
	guint32 ts_off;
	guint16 last_seq;
	guint32 last_ts;
	gint64 last_us;
} Rewrite;

typedef struct Publisher Publisher;
typedef struct SubEntry SubEntry;

typedef struct {
	char *room_key;    /* owned */
	CavStream *stream; /* a ref */
	Rewrite rw[2];
	CavPacket *hist[2][HISTORY]; /* by out seq (refs) */
	GPtrArray *subs;             /* SubEntry * (unowned: owned by CavIngest.subs) */
	Publisher *pub;              /* the current publisher (unowned), NULL if none */
	gboolean want_key;
	gint64 last_pli_us;
	gint64 idle_since_us;
} FanStream;

typedef struct {
	gboolean init;
	guint16 max_seq;
	guint32 cycles;
	guint32 base_seq;
	guint32 received;
	guint32 expected_prior;
	guint32 received_prior;
	double jitter;
	gint64 last_transit;
	guint32 clock;
	guint32 lsr;
	gint64 lsr_at_us;
} RecvStats;

typedef struct {
	guint16 seq;
	guint8 media;
	guint8 tries;
	gint64 first_us;
	gint64 last_sent_us;
} Missing;

struct Publisher {
	guint64 id;
	FanStream *fs; /* unowned */
	guint32 ssrc[2];
	guint32 own_ssrc; /* the relay's SSRC in RTCP to this publisher */
	CavSrtp *rx;      /* owned */
	CavSrtp *tx;      /* owned: our RTCP to it */
	struct sockaddr_storage addr;
	socklen_t addr_len;
	gint64 last_us;
	gboolean active;
	RecvStats st[2];
	Missing missing[MAX_MISSING];
	guint n_missing;
	gint64 last_rr_us;
};

struct SubEntry {
	guint64 id;
	CavSubscriber *sub; /* a ref */
	FanStream *fs;      /* unowned */
	guint32 rtcp_ssrc;
	CavSrtp *rx; /* owned: its SRTCP to us */
	gboolean need_key;
	gint64 created_us;
	gint64 last_rtcp_us;
	guint loss_strikes;
};

typedef struct {
	gboolean is_pub;
	gpointer target; /* Publisher * or SubEntry * (unowned) */
} Route;

/* ---- small helpers ------------------------------------------------------------------- */

static guint32
rd32(const guint8 *p)
{
	return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
}

static CavRtpMedia
media_of(Publisher *p, guint32 ssrc)
{
	return ssrc == p->ssrc[CAV_MEDIA_RTP_AUDIO] ? CAV_MEDIA_RTP_AUDIO : CAV_MEDIA_RTP_VIDEO;
}

static void
cmd_free(Cmd *c)
{
	g_free(c->room_key);
	if (c->stream != NULL)
		cav_stream_unref(c->stream);
	if (c->sub != NULL)
		cav_subscriber_unref(c->sub);
	explicit_bzero(c->key, sizeof c->key);
	g_free(c);
}

static void
post(CavIngest *in, Cmd *c)
{
	guint64 one = 1;

	g_mutex_lock(&in->cmd_lock);
	g_queue_push_tail(&in->cmds, c);
	g_mutex_unlock(&in->cmd_lock);
	if (write(in->wake_fd, &one, sizeof one) < 0 && errno != EAGAIN)
		g_warning("waking the ingest thread: %s", g_strerror(errno));
}

/* ---- events to the main context ------------------------------------------------------- */

/* Where events go. Shared with events in flight, so cav_ingest_free can
 * disconnect it (main thread) while some are still queued. */
typedef struct Sink {
	gatomicrefcount ref;
	CavIngestEvents cb; /* main thread */
	gpointer data;
} Sink;

static void
sink_unref(Sink *s)
{
	if (g_atomic_ref_count_dec(&s->ref))
		g_free(s);
}

typedef struct {
	Sink *sink; /* a ref */
	gboolean is_pub;
	guint64 id;
	char *room_key;
	gboolean active;
	const char *reason; /* static */
} Event;

static void
event_free(Event *e)
{
	sink_unref(e->sink);
	g_free(e->room_key);
	g_free(e);
}

static gboolean
deliver_event(gpointer data)
{
	Event *e = data;
	Sink *s = e->sink;

	if (e->is_pub && s->cb.publisher != NULL)
		s->cb.publisher(e->id, e->room_key, e->active, s->data);
	else if (!e->is_pub && s->cb.subscriber_gone != NULL)
		s->cb.subscriber_gone(e->id, e->reason, s->data);
	return G_SOURCE_REMOVE;
}

/* Ingest thread: posts one event to the main context. */
static void
emit(CavIngest *in, gboolean is_pub, guint64 id, const char *room_key, gboolean active,
     const char *reason)
{
	Event *e = g_new0(Event, 1);

	g_atomic_ref_count_inc(&in->sink->ref);
	e->sink = in->sink;
	e->is_pub = is_pub;
	e->id = id;
	e->room_key = g_strdup(room_key);
	e->active = active;
	e->reason = reason;
	/* An idle source rather than g_main_context_invoke(): that one runs the
	 * callback right here when no thread holds the main context at the
	 * moment (start-up, tests), and the callbacks are main-thread code. */
	{
		GSource *src = g_idle_source_new();

		g_source_set_priority(src, G_PRIORITY_DEFAULT);
		g_source_set_callback(src, deliver_event, e, (GDestroyNotify)event_free);
		g_source_attach(src, in->main_ctx);
		g_source_unref(src);
	}
}

/* ---- ingest thread: streams, publishers, subscribers ------------------------------------ */

static void
fstream_free(FanStream *fs)
{
	for (guint m = 0; m < 2; m++)
		for (guint i = 0; i < HISTORY; i++)
			cav_packet_unref(fs->hist[m][i]);
	g_ptr_array_unref(fs->subs);
	cav_stream_retire(fs->stream);
	cav_stream_unref(fs->stream);
	g_free(fs->room_key);
	g_free(fs);
}

static FanStream *
fstream_get(CavIngest *in, const char *room_key)
{
	FanStream *fs = g_hash_table_lookup(in->fstreams, room_key);

	if (fs != NULL)
		return fs;
	fs = g_new0(FanStream, 1);
	fs->room_key = g_strdup(room_key);
	/* From the table, not the command's: an idle stream retired since the
	 * command was posted must not come back outside the table, where
	 * cav_stream_lookup() would not find it. */
	fs->stream = cav_stream_obtain(room_key);
	fs->subs = g_ptr_array_new();
	g_hash_table_insert(in->fstreams, fs->room_key, fs);
	return fs;
}

static void
publisher_free(Publisher *p)
{
	cav_srtp_free(p->rx);
	cav_srtp_free(p->tx);
	g_free(p);
}

static void
drop_publisher(CavIngest *in, Publisher *p)
{
	for (guint m = 0; m < 2; m++)
		g_hash_table_remove(in->routes, GUINT_TO_POINTER(p->ssrc[m]));
	if (p->fs->pub == p)
		p->fs->pub = NULL;
	if (p->active)
		emit(in, TRUE, p->id, p->fs->room_key, FALSE, NULL);
	g_hash_table_remove(in->pubs, &p->id);
	atomic_fetch_sub(&in->n_pubs, 1);
}

static void
sub_entry_free(SubEntry *s)
{
	cav_subscriber_kill(s->sub);
	cav_subscriber_unref(s->sub);
	cav_srtp_free(s->rx);
	g_free(s);
}

static void
drop_sub(CavIngest *in, SubEntry *s, const char *reason)
{
	g_hash_table_remove(in->routes, GUINT_TO_POINTER(s->rtcp_ssrc));
	g_ptr_array_remove_fast(s->fs->subs, s);
	if (reason != NULL)
		emit(in, FALSE, s->id, s->fs->room_key, FALSE, reason);
	g_hash_table_remove(in->subs, &s->id);
	atomic_fetch_sub(&in->n_subs, 1);
}

static void
do_publish(CavIngest *in, Cmd *c)
{
	g_autoptr(GError) error = NULL;
	FanStream *fs = fstream_get(in, c->room_key);
	Publisher *p = g_new0(Publisher, 1);
	GHashTableIter it;
	gpointer v;

	/* One publisher per room: the newest wins. */
	g_hash_table_iter_init(&it, in->pubs);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		Publisher *old = v;

		if (old->fs == fs) {
			drop_publisher(in, old);
			break;
		}
	}
	p->id = c->id;
	p->fs = fs;
	p->ssrc[0] = c->ssrc[0];
	p->ssrc[1] = c->ssrc[1];
	p->own_ssrc = g_random_int();
	p->rx = cav_srtp_new(c->suite, c->key, FALSE, &error);
	p->tx = p->rx != NULL ? cav_srtp_new(c->suite, c->key, TRUE, &error) : NULL;
	if (p->tx == NULL) {
		g_warning("publisher %" G_GUINT64_FORMAT ": %s", c->id, error->message);
		publisher_free(p);
		return;
	}
	p->st[CAV_MEDIA_RTP_VIDEO].clock = CAV_RTP_CLOCK_VIDEO;
	p->st[CAV_MEDIA_RTP_AUDIO].clock = CAV_RTP_CLOCK_AUDIO;
	g_hash_table_insert(in->pubs, &p->id, p);
	for (guint m = 0; m < 2; m++) {
		Route *r = g_new0(Route, 1);

		r->is_pub = TRUE;
		r->target = p;
		g_hash_table_replace(in->routes, GUINT_TO_POINTER(p->ssrc[m]), r);
	}
	atomic_fetch_add(&in->n_pubs, 1);
	fs->want_key = TRUE;
}

static void
do_subscribe(CavIngest *in, Cmd *c)
{
	g_autoptr(GError) error = NULL;
	FanStream *fs = fstream_get(in, c->room_key);
	SubEntry *s = g_new0(SubEntry, 1);
	Route *r = g_new0(Route, 1);

	s->id = c->id;
	s->sub = g_steal_pointer(&c->sub);
	s->fs = fs;
	s->rtcp_ssrc = c->ssrc[0];
	s->rx = cav_srtp_new(c->suite, c->key, FALSE, &error);
	s->need_key = TRUE;
	s->created_us = s->last_rtcp_us = g_get_monotonic_time();
	if (c->addr_len > 0)
		cav_subscriber_set_address(s->sub, (struct sockaddr *)&c->addr, c->addr_len);
	g_hash_table_insert(in->subs, &s->id, s);
	r->target = s;
	g_hash_table_replace(in->routes, GUINT_TO_POINTER(s->rtcp_ssrc), r);
	g_ptr_array_add(fs->subs, s);
	cav_fanout_attach(in->fanout, s->sub);
	atomic_fetch_add(&in->n_subs, 1);
	fs->want_key = TRUE; /* keyframe on join */
}

static void
run_commands(CavIngest *in)
{
	GQueue q = G_QUEUE_INIT;
	Cmd *c;

	g_mutex_lock(&in->cmd_lock);
	q = in->cmds;
	g_queue_init(&in->cmds);
	g_mutex_unlock(&in->cmd_lock);
	while ((c = g_queue_pop_head(&q)) != NULL) {
		Publisher *p;
		SubEntry *s;

		switch (c->type) {
		case CMD_PUBLISH:
			do_publish(in, c);
			break;
		case CMD_UNPUBLISH:
			if ((p = g_hash_table_lookup(in->pubs, &c->id)) != NULL)
				drop_publisher(in, p);
			break;
		case CMD_SUBSCRIBE:
			do_subscribe(in, c);
			break;
		case CMD_UNSUBSCRIBE:
			if ((s = g_hash_table_lookup(in->subs, &c->id)) != NULL)
				drop_sub(in, s, NULL);
			break;
		}
		cmd_free(c);
	}
}

/* ---- ingest thread: RTCP out ------------------------------------------------------------ */

static void
send_to(CavIngest *in, const struct sockaddr_storage *addr, socklen_t len, const guint8 *buf,
	gsize n)
{
	if (len == 0)
		return;
	if (sendto(in->fd, buf, n, MSG_DONTWAIT, (const struct sockaddr *)addr, len) < 0)
		cav_stat_inc(CAV_STAT_SEND_ERRORS);
}

static guint
report_blocks(Publisher *p, gint64 now, CavRtcpReportBlock *b)
{
	guint n = 0;

	for (guint m = 0; m < 2; m++) {
		RecvStats *st = &p->st[m];
		guint32 ext, expected, exp_int, rec_int;
		gint64 lost_int;

		if (!st->init)
			continue;
		ext = st->cycles + st->max_seq;
		expected = ext - st->base_seq + 1;
		exp_int = expected - st->expected_prior;
		rec_int = st->received - st->received_prior;
		st->expected_prior = expected;
		st->received_prior = st->received;
		lost_int = (gint64)exp_int - rec_int;
		b[n].ssrc = p->ssrc[m];
		b[n].fraction_lost =
			(exp_int == 0 || lost_int <= 0) ? 0 : (guint8)((lost_int << 8) / exp_int);
		b[n].cumulative_lost = (guint32)MAX((gint64)expected - st->received, 0);
		b[n].highest_seq = ext;
		b[n].jitter = (guint32)st->jitter;
		b[n].lsr = st->lsr;
		b[n].dlsr = st->lsr_at_us
				    ? (guint32)((now - st->lsr_at_us) * 65536 / G_USEC_PER_SEC)
				    : 0;
		n++;
	}
	return n;
}

/* RR, then NACK and/or PLI when given, as one SRTCP compound. */
static void
send_rtcp_up(CavIngest *in, Publisher *p, gint64 now, const guint16 *nack, guint n_nack,
	     CavRtpMedia nack_media, gboolean pli)
{
	guint8 buf[1200 + CAV_SRTP_MAX_TRAILER];
	CavRtcpReportBlock blocks[2];
	gsize len, add;

	if (p->addr_len == 0)
		return;
	len = cav_rtcp_build_rr(buf, 1200, p->own_ssrc, blocks, report_blocks(p, now, blocks));
	if (n_nack > 0 && (add = cav_rtcp_build_nack(buf + len, 1200 - len, p->own_ssrc,
						     p->ssrc[nack_media], nack, n_nack)) > 0)
		len += add;
	if (pli && (add = cav_rtcp_build_pli(buf + len, 1200 - len, p->own_ssrc,
					     p->ssrc[CAV_MEDIA_RTP_VIDEO])) > 0) {
		len += add;
		cav_stat_inc(CAV_STAT_PLI_UP);
	}
	if (cav_srtp_protect_rtcp(p->tx, buf, &len) != CAV_SRTP_OK)
		return;
	send_to(in, &p->addr, p->addr_len, buf, len);
	p->last_rr_us = now;
}

/* ---- ingest thread: RTP in ----------------------------------------------------------------- */

static void
track_missing(Publisher *p, CavRtpMedia m, guint16 seq, gint64 now)
{
	RecvStats *st = &p->st[m];
	gint16 d;

	if (!st->init) {
		st->init = TRUE;
		st->max_seq = seq;
		st->base_seq = seq;
		return;
	}
	d = (gint16)(seq - st->max_seq);
	if (d > 0) {
		for (guint16 k = 1; k < (guint16)d && k <= 64; k++) {
			if (p->n_missing == MAX_MISSING)
				break;
			p->missing[p->n_missing++] =
				(Missing){(guint16)(st->max_seq + k), (guint8)m, 0, now, 0};
		}
		if (seq < st->max_seq)
			st->cycles += 65536;
		st->max_seq = seq;
		return;
	}
	for (guint i = 0; i < p->n_missing; i++) {
		if (p->missing[i].seq == seq && p->missing[i].media == m) {
			p->missing[i] = p->missing[--p->n_missing];
			break;
		}
	}
}

static void
update_jitter(RecvStats *st, guint32 rtp_ts, gint64 now)
{
	gint64 arrival = now * st->clock / G_USEC_PER_SEC;
	gint64 transit = arrival - (gint64)rtp_ts;
	gint64 d = st->last_transit != 0 ? transit - st->last_transit : 0;

	st->last_transit = transit;
	if (d < 0)
		d = -d;
	st->jitter += ((double)d - st->jitter) / 16.0;
}

/* Maps a publisher's numbers into the stream's: continuous across a
 * change of publisher. Returns whether the source just changed. */
static gboolean
rewrite(Rewrite *rw, guint64 src, guint16 *seq, guint32 *ts, guint32 clock, gint64 now)
{
	gboolean switched = FALSE;
	guint16 out_seq;
	guint32 out_ts;

	if (!rw->have || rw->src != src) {
		if (rw->have) {
			guint64 elapsed =
				(guint64)MAX(now - rw->last_us, 0) * clock / G_USEC_PER_SEC;

			rw->seq_off = (guint16)(rw->last_seq + 1 - *seq);
			rw->ts_off = rw->last_ts + (guint32)MAX(elapsed, 1) - *ts;
			switched = TRUE;
		}
		rw->have = TRUE;
		rw->src = src;
		rw->last_seq = (guint16)(*seq + rw->seq_off - 1);
	}
	out_seq = (guint16)(*seq + rw->seq_off);
	out_ts = *ts + rw->ts_off;
	if ((gint16)(out_seq - rw->last_seq) > 0) {
		rw->last_seq = out_seq;
		rw->last_ts = out_ts;
		rw->last_us = now;
	}
	*seq = out_seq;
	*ts = out_ts;
	return switched;
}

static void
fan_out(CavIngest *in, FanStream *fs, CavPacket *pkt, const CavRtpHeader *h, gint64 now)
{
	gboolean key = FALSE, key_checked = FALSE;

	for (guint i = 0; i < fs->subs->len; i++) {
		SubEntry *s = fs->subs->pdata[i];

		if (pkt->media == CAV_MEDIA_RTP_VIDEO && s->need_key) {
			if (!key_checked) {
				key = cav_rtp_h264_is_keyframe(pkt->data + h->header_len,
							       h->payload_len);
				key_checked = TRUE;
			}
			if (!key)
				continue;
			s->need_key = FALSE;
		}
		cav_subscriber_enqueue(s->sub, pkt, now);
	}
}

static void
on_rtp(CavIngest *in, Publisher *p, guint8 *buf, gsize len, const struct sockaddr_storage *from,
       socklen_t from_len, gint64 now)
{
	CavRtpHeader h;
	CavRtpMedia m;
	CavSrtpStatus st;
	FanStream *fs = p->fs;
	CavPacket *pkt;
	guint16 seq;
	guint32 ts;

	st = cav_srtp_unprotect(p->rx, buf, &len);
	if (st != CAV_SRTP_OK) {
		cav_stat_reject(st == CAV_SRTP_AUTH_FAIL ? CAV_STAT_SRTP_AUTH_FAIL
				: st == CAV_SRTP_REPLAY  ? CAV_STAT_SRTP_REPLAY
							 : CAV_STAT_SRTP_OTHER_FAIL,
				"SRTP packet of publisher %" G_GUINT64_FORMAT " (%s)", p->id,
				fs->room_key);
		return;
	}
	if (!cav_rtp_parse(buf, len, &h)) {
		cav_stat_reject(CAV_STAT_BAD_HEADER,
				"malformed RTP from publisher %" G_GUINT64_FORMAT, p->id);
		return;
	}
	m = media_of(p, h.ssrc);
	if (h.payload_type != (m == CAV_MEDIA_RTP_VIDEO ? CAV_RTP_PT_H264 : CAV_RTP_PT_OPUS)) {
		cav_stat_reject(CAV_STAT_BAD_PAYLOAD_TYPE, "payload type %u on SSRC %08x",
				h.payload_type, h.ssrc);
		return;
	}
	cav_stat_inc(CAV_STAT_RTP_IN);
	cav_stat_add(CAV_STAT_RTP_IN_BYTES, (gint64)len);
	memcpy(&p->addr, from, from_len);
	p->addr_len = from_len;
	p->last_us = now;
	if (!p->active) {
		p->active = TRUE;
		emit(in, TRUE, p->id, fs->room_key, TRUE, NULL);
	}
	p->st[m].received++;
	track_missing(p, m, h.seq, now);
	update_jitter(&p->st[m], h.timestamp, now);
	if (fs->pub != p) {
		/* A new publisher (e.g. the appliance restarted): it takes over
		 * the stream; late packets of the old one are no longer routed. */
		fs->pub = p;
	}
	seq = h.seq;
	ts = h.timestamp;
	if (rewrite(&fs->rw[m], p->id, &seq, &ts, p->st[m].clock, now)) {
		cav_stat_inc(CAV_STAT_PUBLISHER_SWITCH);
		fs->want_key = TRUE;
	}
	cav_rtp_rewrite(buf, cav_stream_out_ssrc(fs->stream, m), seq, ts);
	pkt = cav_packet_new(m, buf, len);
	cav_packet_unref(fs->hist[m][seq % HISTORY]);
	fs->hist[m][seq % HISTORY] = cav_packet_ref(pkt);
	cav_stream_deliver(fs->stream, m, buf, len);
	fan_out(in, fs, pkt, &h, now);
	cav_packet_unref(pkt);
}

/* ---- ingest thread: RTCP in ---------------------------------------------------------------- */

typedef struct {
	CavIngest *in;
	SubEntry *s;
	CavRtpMedia media;
	gint64 now;
} NackCtx;

static void
on_nack_seq(guint16 seq, gpointer data)
{
	NackCtx *c = data;
	CavPacket *p = c->s->fs->hist[c->media][seq % HISTORY];
	CavRtpHeader h;

	cav_stat_inc(CAV_STAT_NACK_IN);
	if (p == NULL || !cav_rtp_parse(p->data, p->len, &h) || h.seq != seq)
		return;
	if (cav_subscriber_enqueue(c->s->sub, p, c->now))
		cav_stat_inc(CAV_STAT_RETRANSMIT);
}

static void
on_sub_rtcp(CavIngest *in, SubEntry *s, guint8 *buf, gsize len, const struct sockaddr_storage *from,
	    socklen_t from_len, gint64 now)
{
	CavSrtpStatus st = cav_srtp_unprotect_rtcp(s->rx, buf, &len);
	CavStream *stream = s->fs->stream;
	CavRtcpPacket p;
	gsize off = 0;

	if (st != CAV_SRTP_OK) {
		cav_stat_reject(st == CAV_SRTP_AUTH_FAIL ? CAV_STAT_SRTP_AUTH_FAIL
				: st == CAV_SRTP_REPLAY  ? CAV_STAT_SRTP_REPLAY
							 : CAV_STAT_SRTP_OTHER_FAIL,
				"SRTCP packet of subscriber %" G_GUINT64_FORMAT, s->id);
		return;
	}
	if (!cav_rtcp_validate(buf, len)) {
		cav_stat_reject(CAV_STAT_BAD_RTCP,
				"malformed RTCP from subscriber %" G_GUINT64_FORMAT, s->id);
		return;
	}
	cav_stat_inc(CAV_STAT_RTCP_IN);
	s->last_rtcp_us = now;
	/* Latching: media goes where the authenticated RTCP comes from. */
	cav_subscriber_set_address(s->sub, (const struct sockaddr *)from, from_len);
	while (cav_rtcp_next(buf, len, &off, &p)) {
		if (p.type == CAV_RTCP_RTPFB && p.count == 1) {
			NackCtx c = {
				in, s,
				p.media_ssrc == cav_stream_out_ssrc(stream, CAV_MEDIA_RTP_AUDIO)
					? CAV_MEDIA_RTP_AUDIO
					: CAV_MEDIA_RTP_VIDEO,
				now};

			cav_rtcp_nack_foreach(&p, on_nack_seq, &c);
		} else if (p.type == CAV_RTCP_PSFB && (p.count == 1 || p.count == 4)) {
			cav_stat_inc(CAV_STAT_PLI_IN);
			s->fs->want_key = TRUE;
		} else if (p.type == CAV_RTCP_RR || p.type == CAV_RTCP_SR) {
			CavRtcpReportBlock b[4];
			guint n = cav_rtcp_report_blocks(&p, b, G_N_ELEMENTS(b));
			gboolean lossy = FALSE;

			for (guint i = 0; i < n; i++)
				lossy |= b[i].fraction_lost >= SLOW_LOSS_FRACTION;
			s->loss_strikes = lossy ? s->loss_strikes + 1 : 0;
		}
	}
}

static void
on_pub_rtcp(CavIngest *in, Publisher *pub, guint8 *buf, gsize len,
	    const struct sockaddr_storage *from, socklen_t from_len, gint64 now)
{
	CavSrtpStatus st = cav_srtp_unprotect_rtcp(pub->rx, buf, &len);
	CavRtcpPacket p;
	gsize off = 0;

	if (st != CAV_SRTP_OK) {
		cav_stat_reject(st == CAV_SRTP_AUTH_FAIL ? CAV_STAT_SRTP_AUTH_FAIL
				: st == CAV_SRTP_REPLAY  ? CAV_STAT_SRTP_REPLAY
							 : CAV_STAT_SRTP_OTHER_FAIL,
				"SRTCP packet of publisher %" G_GUINT64_FORMAT, pub->id);
		return;
	}
	if (!cav_rtcp_validate(buf, len)) {
		cav_stat_reject(CAV_STAT_BAD_RTCP,
				"malformed RTCP from publisher %" G_GUINT64_FORMAT, pub->id);
		return;
	}
	cav_stat_inc(CAV_STAT_RTCP_IN);
	memcpy(&pub->addr, from, from_len);
	pub->addr_len = from_len;
	while (cav_rtcp_next(buf, len, &off, &p)) {
		if (p.type == CAV_RTCP_SR && p.len >= 28) {
			RecvStats *rs = &pub->st[media_of(pub, p.sender_ssrc)];

			rs->lsr = (rd32(p.data + 8) << 16) | (rd32(p.data + 12) >> 16);
			rs->lsr_at_us = now;
		}
	}
}

static void
on_datagram(CavIngest *in, guint8 *buf, gsize len, gboolean truncated,
	    const struct sockaddr_storage *from, socklen_t from_len, gint64 now)
{
	Route *r;
	guint32 ssrc;

	if (truncated || len > CAV_RTP_MAX_PACKET) {
		cav_stat_reject(CAV_STAT_BAD_OVERSIZE, "datagram larger than %d bytes",
				CAV_RTP_MAX_PACKET);
		return;
	}
	if (len < CAV_RTCP_MIN_HEADER) {
		cav_stat_reject(CAV_STAT_BAD_SHORT, "datagram of %" G_GSIZE_FORMAT " bytes", len);
		return;
	}
	if ((buf[0] >> 6) != 2) {
		cav_stat_reject(CAV_STAT_BAD_VERSION, "not RTP version 2 (first byte %02x)",
				buf[0]);
		return;
	}
	if (cav_rtp_is_rtcp(buf, len)) {
		ssrc = rd32(buf + 4);
		r = g_hash_table_lookup(in->routes, GUINT_TO_POINTER(ssrc));
		if (r == NULL)
			cav_stat_reject(CAV_STAT_UNKNOWN_SSRC, "RTCP from unknown SSRC %08x", ssrc);
		else if (r->is_pub)
			on_pub_rtcp(in, r->target, buf, len, from, from_len, now);
		else
			on_sub_rtcp(in, r->target, buf, len, from, from_len, now);
		return;
	}
	if (len < CAV_RTP_MIN_HEADER) {
		cav_stat_reject(CAV_STAT_BAD_SHORT, "RTP datagram of %" G_GSIZE_FORMAT " bytes",
				len);
		return;
	}
	ssrc = rd32(buf + 8);
	r = g_hash_table_lookup(in->routes, GUINT_TO_POINTER(ssrc));
	if (r == NULL || !r->is_pub) {
		cav_stat_reject(CAV_STAT_UNKNOWN_SSRC, "RTP from unknown SSRC %08x", ssrc);
		return;
	}
	on_rtp(in, r->target, buf, len, from, from_len, now);
}

/* ---- ingest thread: timers ------------------------------------------------------------------ */

static void
tick_publisher(CavIngest *in, Publisher *p, gint64 now)
{
	guint16 nack[2][MAX_MISSING];
	guint n[2] = {0, 0};
	FanStream *fs = p->fs;
	gboolean pli = FALSE;

	for (guint i = 0; i < p->n_missing;) {
		Missing *ms = &p->missing[i];

		if (ms->tries >= NACK_RETRIES || now - ms->first_us > G_USEC_PER_SEC) {
			*ms = p->missing[--p->n_missing];
			continue;
		}
		if (now - ms->first_us >= NACK_DELAY_US && now - ms->last_sent_us >= 100 * 1000) {
			nack[ms->media][n[ms->media]++] = ms->seq;
			ms->tries++;
			ms->last_sent_us = now;
		}
		i++;
	}
	if (fs->pub == p && (fs->want_key || cav_stream_take_keyframe_request(fs->stream))) {
		if (now - fs->last_pli_us >= PLI_MIN_GAP_US) {
			pli = TRUE;
			fs->want_key = FALSE;
			fs->last_pli_us = now;
		} else {
			fs->want_key = TRUE;
		}
	}
	if (n[0] > 0 || n[1] > 0 || pli || now - p->last_rr_us >= G_USEC_PER_SEC) {
		send_rtcp_up(in, p, now, nack[0], n[0], CAV_MEDIA_RTP_VIDEO, pli);
		if (n[1] > 0)
			send_rtcp_up(in, p, now, nack[1], n[1], CAV_MEDIA_RTP_AUDIO, FALSE);
	}
	if (p->active && now - p->last_us > PUBLISHER_IDLE_US) {
		p->active = FALSE;
		emit(in, TRUE, p->id, fs->room_key, FALSE, NULL);
	}
}

static void
tick(CavIngest *in, gint64 now)
{
	GHashTableIter it;
	gpointer v;
	GPtrArray *gone = g_ptr_array_new();

	g_hash_table_iter_init(&it, in->pubs);
	while (g_hash_table_iter_next(&it, NULL, &v))
		tick_publisher(in, v, now);
	g_hash_table_iter_init(&it, in->subs);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		SubEntry *s = v;

		if (cav_subscriber_was_slow(s->sub) || s->loss_strikes >= SLOW_LOSS_STRIKES)
			g_ptr_array_add(gone, s);
		else if (!cav_subscriber_has_address(s->sub) && now - s->created_us > SUB_LATCH_US)
			g_ptr_array_add(gone, s);
		else if (now - s->last_rtcp_us > SUB_TIMEOUT_US)
			g_ptr_array_add(gone, s);
	}
	for (guint i = 0; i < gone->len; i++) {
		SubEntry *s = gone->pdata[i];
		gboolean slow =
			cav_subscriber_was_slow(s->sub) || s->loss_strikes >= SLOW_LOSS_STRIKES;

		if (s->loss_strikes >= SLOW_LOSS_STRIKES && !cav_subscriber_was_slow(s->sub))
			cav_stat_inc(CAV_STAT_SUB_DROPPED_SLOW);
		g_message("subscriber %" G_GUINT64_FORMAT " of %s dropped: %s", s->id,
			  s->fs->room_key, slow ? "too slow" : "no RTCP from it");
		drop_sub(in, s, slow ? "slow" : "timeout");
	}
	g_ptr_array_set_size(gone, 0);
	g_hash_table_iter_init(&it, in->fstreams);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		FanStream *fs = v;
		gboolean idle =
			fs->pub == NULL && fs->subs->len == 0 && cav_stream_n_taps(fs->stream) == 0;

		if (!idle)
			fs->idle_since_us = 0;
		else if (fs->idle_since_us == 0)
			fs->idle_since_us = now;
		else if (now - fs->idle_since_us > STREAM_IDLE_US)
			g_ptr_array_add(gone, fs);
	}
	for (guint i = 0; i < gone->len; i++)
		g_hash_table_remove(in->fstreams, ((FanStream *)gone->pdata[i])->room_key);
	g_ptr_array_unref(gone);
}

/* ---- ingest thread: the loop ------------------------------------------------------------------ */

typedef struct {
	struct mmsghdr msgs[RECV_BATCH];
	struct iovec iov[RECV_BATCH];
	struct sockaddr_storage addrs[RECV_BATCH];
	guint8 bufs[RECV_BATCH][CAV_RTP_MAX_PACKET + CAV_SRTP_MAX_TRAILER + 1];
} RecvBatch;

static void
receive(CavIngest *in, RecvBatch *b)
{
	for (;;) {
		int n;

		for (guint i = 0; i < RECV_BATCH; i++) {
			b->iov[i].iov_base = b->bufs[i];
			b->iov[i].iov_len = sizeof b->bufs[i];
			memset(&b->msgs[i].msg_hdr, 0, sizeof b->msgs[i].msg_hdr);
			b->msgs[i].msg_hdr.msg_name = &b->addrs[i];
			b->msgs[i].msg_hdr.msg_namelen = sizeof b->addrs[i];
			b->msgs[i].msg_hdr.msg_iov = &b->iov[i];
			b->msgs[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(in->fd, b->msgs, RECV_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		for (int i = 0; i < n; i++) {
			gsize len = b->msgs[i].msg_len;
			gboolean trunc = (b->msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0 ||
					 len > CAV_RTP_MAX_PACKET;

			on_datagram(in, b->bufs[i], len, trunc, &b->addrs[i],
				    b->msgs[i].msg_hdr.msg_namelen, g_get_monotonic_time());
		}
		cav_fanout_kick(in->fanout);
		if (n < RECV_BATCH)
			break;
	}
}

static gpointer
ingest_main(gpointer data)
{
	CavIngest *in = data;
	RecvBatch *b = g_new0(RecvBatch, 1);
	gint64 next_tick = g_get_monotonic_time();

	while (!atomic_load(&in->stop)) {
		struct pollfd pfd[2] = {{in->fd, POLLIN, 0}, {in->wake_fd, POLLIN, 0}};
		gint64 now = g_get_monotonic_time();
		int timeout = (int)MAX((next_tick - now) / 1000, 0);
		guint64 v;

		if (poll(pfd, 2, timeout) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents & POLLIN) {
			if (read(in->wake_fd, &v, sizeof v) < 0)
				v = 0;
			run_commands(in);
		}
		if (pfd[0].revents & POLLIN)
			receive(in, b);
		now = g_get_monotonic_time();
		if (now >= next_tick) {
			tick(in, now);
			cav_fanout_kick(in->fanout);
			next_tick = now + TICK_MS * 1000;
		}
	}
	run_commands(in); /* frees what was still queued */
	g_free(b);
	return NULL;
}

/* ---- control plane ------------------------------------------------------------------------------ */

CavIngest *
cav_ingest_new(CavRelay *relay, GError **error)
{
	const CavRelayConfig *c = cav_relay_config(relay);
	g_autoptr(GSocketAddress) addr =
		g_inet_socket_address_new_from_string(c->media_host, c->media_port);
	g_autoptr(GSocketAddress) bound = NULL;
	CavIngest *in;
	int size = 4 * 1024 * 1024;

	if (addr == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "invalid media address %s", c->media_host);
		return NULL;
	}
	if (!cav_srtp_global_init(error))
		return NULL;
	in = g_new0(CavIngest, 1);
	in->relay = relay;
	in->queue_packets = c->queue_packets;
	in->wake_fd = -1;
	g_mutex_init(&in->cmd_lock);
	g_queue_init(&in->cmds);
	in->routes = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	in->pubs = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL,
					 (GDestroyNotify)publisher_free);
	in->subs = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL,
					 (GDestroyNotify)sub_entry_free);
	in->fstreams =
		g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)fstream_free);
	in->main_ctx = g_main_context_ref_thread_default();
	in->sink = g_new0(Sink, 1);
	g_atomic_ref_count_init(&in->sink->ref);
	in->socket = g_socket_new(g_socket_address_get_family(addr), G_SOCKET_TYPE_DATAGRAM,
				  G_SOCKET_PROTOCOL_UDP, error);
	if (in->socket == NULL || !g_socket_bind(in->socket, addr, TRUE, error) ||
	    (bound = g_socket_get_local_address(in->socket, error)) == NULL) {
		g_prefix_error(error, "media socket %s:%u: ", c->media_host, c->media_port);
		cav_ingest_free(in);
		return NULL;
	}
	in->fd = g_socket_get_fd(in->socket);
	/* Room for bursts (a keyframe is ~100 packets; many subscribers). */
	setsockopt(in->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	setsockopt(in->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	in->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
	in->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	in->fanout = in->wake_fd >= 0 ? cav_fanout_new(in->fd, c->workers, error) : NULL;
	if (in->fanout == NULL) {
		if (in->wake_fd < 0)
			g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "eventfd: %s",
				    g_strerror(errno));
		cav_ingest_free(in);
		return NULL;
	}
	in->thread = g_thread_new("cav-ingest", ingest_main, in);
	return in;
}

void
cav_ingest_free(CavIngest *in)
{
	guint64 one = 1;

	if (in == NULL)
		return;
	memset(&in->sink->cb, 0, sizeof in->sink->cb);
	atomic_store(&in->stop, TRUE);
	if (in->thread != NULL) {
		if (write(in->wake_fd, &one, sizeof one) < 0)
			g_debug("waking the ingest thread: %s", g_strerror(errno));
		g_thread_join(in->thread);
	}
	/* Subscribers first (they reference streams), then publishers, then
	 * streams; the workers last, after nothing queues to them. */
	g_clear_pointer(&in->subs, g_hash_table_unref);
	g_clear_pointer(&in->pubs, g_hash_table_unref);
	g_clear_pointer(&in->routes, g_hash_table_unref);
	g_clear_pointer(&in->fstreams, g_hash_table_unref);
	g_clear_pointer(&in->fanout, cav_fanout_free);
	g_queue_clear_full(&in->cmds, (GDestroyNotify)cmd_free);
	g_mutex_clear(&in->cmd_lock);
	if (in->wake_fd >= 0)
		close(in->wake_fd);
	g_clear_object(&in->socket);
	sink_unref(in->sink);
	g_main_context_unref(in->main_ctx);
	g_free(in);
}

guint
cav_ingest_port(CavIngest *ingest)
{
	return ingest->port;
}

void
cav_ingest_set_events(CavIngest *ingest, const CavIngestEvents *events, gpointer user_data)
{
	ingest->sink->cb = *events;
	ingest->sink->data = user_data;
}

void
cav_ingest_publish(CavIngest *in, const CavPublishSpec *spec)
{
	Cmd *c = g_new0(Cmd, 1);

	c->type = CMD_PUBLISH;
	c->id = spec->id;
	c->room_key = g_strdup(spec->room_key);
	c->stream = cav_stream_obtain(spec->room_key);
	c->ssrc[0] = spec->ssrc_video;
	c->ssrc[1] = spec->ssrc_audio;
	c->suite = spec->suite;
	memcpy(c->key, spec->key, cav_srtp_key_len(spec->suite));
	post(in, c);
}

void
cav_ingest_unpublish(CavIngest *in, guint64 publish_id)
{
	Cmd *c = g_new0(Cmd, 1);

	c->type = CMD_UNPUBLISH;
	c->id = publish_id;
	post(in, c);
}

gboolean
cav_ingest_subscribe(CavIngest *in, const CavSubscribeSpec *spec, GError **error)
{
	CavSubscriber *sub =
		cav_subscriber_new(spec->id, spec->suite, spec->key, in->queue_packets, error);
	Cmd *c;

	if (sub == NULL)
		return FALSE;
	c = g_new0(Cmd, 1);
	c->type = CMD_SUBSCRIBE;
	c->id = spec->id;
	c->room_key = g_strdup(spec->room_key);
	c->stream = cav_stream_obtain(spec->room_key);
	c->ssrc[0] = spec->rtcp_ssrc;
	c->suite = spec->suite;
	memcpy(c->key, spec->key, cav_srtp_key_len(spec->suite));
	c->sub = sub;
	if (spec->addr != NULL && spec->addr_len <= sizeof c->addr) {
		memcpy(&c->addr, spec->addr, spec->addr_len);
		c->addr_len = spec->addr_len;
	}
	post(in, c);
	return TRUE;
}

void
cav_ingest_unsubscribe(CavIngest *in, guint64 sub_id)
{
	Cmd *c = g_new0(Cmd, 1);

	c->type = CMD_UNSUBSCRIBE;
	c->id = sub_id;
	post(in, c);
}

guint
cav_ingest_n_publishers(CavIngest *ingest)
{
	return atomic_load(&ingest->n_pubs);
}

guint
cav_ingest_n_subscribers(CavIngest *ingest)
{
	return atomic_load(&ingest->n_subs);
}
