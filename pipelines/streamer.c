/* streamer.c — the live push to courtav-relay (streamer.h).
 *
 *   intervideosrc channel=cav.program ─ videoconvert ─ videoscale ─ videorate ─ caps(WxH@fps)
 *       ─ queue(leaky) ─ x264enc(zerolatency) ─ rtph264pay(pt 96) ─ appsink ┐
 *   interaudiosrc channel=cav.mix ─ audioconvert ─ audioresample ─ caps(48 kHz)
 *       ─ queue(leaky) ─ opusenc ─ rtpopuspay(pt 111) ─ appsink ─────────────┤
 *                                        send_packet(): history, SRTP, send() ┘
 *   RTCP thread: poll(socket) → SRTCP → NACK: resend from history; PLI/FIR:
 *   force a keyframe; every second an SR per SSRC.
 *
 * SRTP is done here with libsrtp2 (common/srtp.h) on our own UDP socket
 * rather than with srtpenc: the same socket receives the relay's RTCP, and
 * retransmissions need the plain packets anyway.
 */
#define _GNU_SOURCE
#include "streamer.h"
#include "common/rtp.h"

#include <errno.h>
#include <gio/gio.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <poll.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The first argument is stringified: the error domain's name. */
/* clang-format off */
G_DEFINE_QUARK(cav-streamer-error-quark, cav_streamer_error)
/* clang-format on */

#define HISTORY 512 /* packets per SSRC kept for NACKs (~2 s of video) */

typedef struct {
	guint16 seq;
	guint16 len; /* 0: empty */
	guint8 data[CAV_RTP_MAX_PACKET];
} Slot;

typedef struct {
	guint32 ssrc;
	guint32 last_ts; /* send_lock */
	gint64 last_us;  /* wall time of last_ts; send_lock */
	guint32 packets; /* send_lock */
	guint32 octets;  /* send_lock */
	Slot *hist;      /* HISTORY slots; send_lock */
} Track;

struct CavStreamer {
	int fd;               /* connected UDP socket (owned) */
	GstElement *pipeline; /* owned */
	GstPad *encoder_src;  /* x264enc's src pad, for force-key-unit (owned ref) */
	GMutex send_lock;
	CavSrtp *tx;    /* send_lock */
	CavSrtp *rx;    /* RTCP thread only */
	Track track[2]; /* video, audio */
	GThread *rtcp_thread;
	atomic_bool stop;
	guint32 own_ssrc;
	atomic_ullong st[8]; /* CavStreamerStats fields, in order */
};

enum { ST_PACKETS, ST_BYTES, ST_RETX, ST_NACKS, ST_KEYS, ST_RTCP_IN, ST_RTCP_BAD, ST_SEND_ERR };

static void
count(CavStreamer *s, int which, guint64 n)
{
	atomic_fetch_add_explicit(&s->st[which], n, memory_order_relaxed);
}

/* send_lock held. @buf has CAV_SRTP_MAX_TRAILER spare bytes. */
static void
protect_and_send(CavStreamer *s, guint8 *buf, gsize len, gboolean rtcp)
{
	CavSrtpStatus st =
		rtcp ? cav_srtp_protect_rtcp(s->tx, buf, &len) : cav_srtp_protect(s->tx, buf, &len);

	if (st != CAV_SRTP_OK) {
		count(s, ST_SEND_ERR, 1);
		return;
	}
	if (send(s->fd, buf, len, MSG_DONTWAIT) < 0) {
		count(s, ST_SEND_ERR, 1);
		return;
	}
	if (!rtcp) {
		count(s, ST_PACKETS, 1);
		count(s, ST_BYTES, len);
	}
}

/* Streaming thread: one RTP packet from a payloader. */
static void
send_packet(CavStreamer *s, Track *t, const guint8 *data, gsize len)
{
	guint8 buf[CAV_RTP_MAX_PACKET + CAV_SRTP_MAX_TRAILER];
	CavRtpHeader h;
	Slot *slot;

	if (len > CAV_RTP_MAX_PACKET || !cav_rtp_parse(data, len, &h))
		return;
	g_mutex_lock(&s->send_lock);
	slot = &t->hist[h.seq % HISTORY];
	slot->seq = h.seq;
	slot->len = (guint16)len;
	memcpy(slot->data, data, len);
	t->last_ts = h.timestamp;
	t->last_us = g_get_real_time();
	t->packets++;
	t->octets += (guint32)h.payload_len;
	memcpy(buf, data, len);
	protect_and_send(s, buf, len, FALSE);
	g_mutex_unlock(&s->send_lock);
}

static GstFlowReturn
on_sample(GstAppSink *sink, gpointer user_data)
{
	CavStreamer *s = user_data;
	Track *t = g_object_get_data(G_OBJECT(sink), "cav-track");
	g_autoptr(GstSample) sample = gst_app_sink_pull_sample(sink);
	GstBufferList *list;
	GstBuffer *buf;
	GstMapInfo map;

	if (sample == NULL)
		return GST_FLOW_EOS;
	list = gst_sample_get_buffer_list(sample);
	for (guint i = 0; list != NULL && i < gst_buffer_list_length(list); i++) {
		buf = gst_buffer_list_get(list, i);
		if (gst_buffer_map(buf, &map, GST_MAP_READ)) {
			send_packet(s, t, map.data, map.size);
			gst_buffer_unmap(buf, &map);
		}
	}
	buf = gst_sample_get_buffer(sample);
	if (buf != NULL && gst_buffer_map(buf, &map, GST_MAP_READ)) {
		send_packet(s, t, map.data, map.size);
		gst_buffer_unmap(buf, &map);
	}
	return GST_FLOW_OK;
}

void
cav_streamer_force_keyframe(CavStreamer *s)
{
	GstEvent *ev = gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0);

	count(s, ST_KEYS, 1);
	gst_pad_send_event(s->encoder_src, ev);
}

/* ---- RTCP thread ------------------------------------------------------------ */

typedef struct {
	CavStreamer *s;
	Track *t;
} NackCtx;

static void
on_nack(guint16 seq, gpointer data)
{
	NackCtx *c = data;
	guint8 buf[CAV_RTP_MAX_PACKET + CAV_SRTP_MAX_TRAILER];
	Slot *slot;

	count(c->s, ST_NACKS, 1);
	g_mutex_lock(&c->s->send_lock);
	slot = &c->t->hist[seq % HISTORY];
	if (slot->len > 0 && slot->seq == seq) {
		memcpy(buf, slot->data, slot->len);
		protect_and_send(c->s, buf, slot->len, FALSE);
		count(c->s, ST_RETX, 1);
	}
	g_mutex_unlock(&c->s->send_lock);
}

static void
on_rtcp(CavStreamer *s, guint8 *buf, gsize len)
{
	CavRtcpPacket p;
	gsize off = 0;

	if (!cav_rtp_is_rtcp(buf, len) ||
	    cav_srtp_unprotect_rtcp(s->rx, buf, &len) != CAV_SRTP_OK ||
	    !cav_rtcp_validate(buf, len)) {
		count(s, ST_RTCP_BAD, 1);
		return;
	}
	count(s, ST_RTCP_IN, 1);
	while (cav_rtcp_next(buf, len, &off, &p)) {
		if (p.type == CAV_RTCP_RTPFB && p.count == 1) {
			NackCtx c = {s, p.media_ssrc == s->track[1].ssrc ? &s->track[1]
									 : &s->track[0]};

			if (p.media_ssrc == s->track[0].ssrc || p.media_ssrc == s->track[1].ssrc)
				cav_rtcp_nack_foreach(&p, on_nack, &c);
		} else if (p.type == CAV_RTCP_PSFB && (p.count == 1 || p.count == 4)) {
			cav_streamer_force_keyframe(s);
		}
	}
}

static void
send_reports(CavStreamer *s)
{
	guint8 buf[128 + CAV_SRTP_MAX_TRAILER];
	gint64 now = g_get_real_time();

	g_mutex_lock(&s->send_lock);
	for (guint i = 0; i < 2; i++) {
		Track *t = &s->track[i];
		guint32 clock = i == 0 ? CAV_RTP_CLOCK_VIDEO : CAV_RTP_CLOCK_AUDIO;
		guint32 ts;
		gsize n;

		if (t->packets == 0)
			continue;
		ts = t->last_ts + (guint32)((now - t->last_us) * clock / G_USEC_PER_SEC);
		n = cav_rtcp_build_sr(buf, 128, t->ssrc, cav_rtcp_ntp_from_us(now), ts, t->packets,
				      t->octets);
		protect_and_send(s, buf, n, TRUE);
	}
	g_mutex_unlock(&s->send_lock);
}

static gpointer
rtcp_main(gpointer data)
{
	CavStreamer *s = data;
	guint8 buf[2048];
	gint64 next_sr = g_get_monotonic_time();

	while (!atomic_load(&s->stop)) {
		struct pollfd pfd = {s->fd, POLLIN, 0};

		if (poll(&pfd, 1, 100) > 0 && (pfd.revents & POLLIN)) {
			ssize_t n = recv(s->fd, buf, sizeof buf, MSG_DONTWAIT);

			if (n > 0 && n <= CAV_RTP_MAX_PACKET)
				on_rtcp(s, buf, (gsize)n);
			else if (n > CAV_RTP_MAX_PACKET)
				count(s, ST_RTCP_BAD, 1);
		}
		if (g_get_monotonic_time() >= next_sr) {
			send_reports(s);
			next_sr = g_get_monotonic_time() + G_USEC_PER_SEC;
		}
	}
	return NULL;
}

/* ---- building ----------------------------------------------------------------- */

static gboolean
open_socket(CavStreamer *s, const char *host, guint port, GError **error)
{
	g_autoptr(GSocketAddress) addr = g_inet_socket_address_new_from_string(host, port);
	struct sockaddr_storage native;
	int size = 1024 * 1024;

	if (addr == NULL || !g_socket_address_to_native(addr, &native, sizeof native, NULL)) {
		g_set_error(error, CAV_STREAMER_ERROR, CAV_STREAMER_ERROR_SOCKET,
			    "the relay's media address %s:%u is not an IP address and port", host,
			    port);
		return FALSE;
	}
	s->fd = socket(native.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || connect(s->fd, (struct sockaddr *)&native,
				 (socklen_t)g_socket_address_get_native_size(addr)) < 0) {
		g_set_error(error, CAV_STREAMER_ERROR, CAV_STREAMER_ERROR_SOCKET,
			    "cannot open a UDP socket to %s:%u: %s", host, port, g_strerror(errno));
		return FALSE;
	}
	setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	return TRUE;
}

static gboolean
build_pipeline(CavStreamer *s, const CavStreamerConfig *c, GError **error)
{
	g_autofree char *desc = g_strdup_printf(
		"intervideosrc channel=%s ! videoconvert ! videoscale ! videorate ! "
		"video/x-raw,format=I420,width=%u,height=%u,framerate=%u/1,pixel-aspect-ratio=1/1 "
		"! "
		"queue leaky=downstream max-size-buffers=4 max-size-time=0 max-size-bytes=0 ! "
		"x264enc name=enc tune=zerolatency speed-preset=veryfast bitrate=%u "
		"vbv-buf-capacity=500 key-int-max=%u threads=2 ! "
		"video/x-h264,profile=main ! "
		"rtph264pay pt=%u ssrc=%u config-interval=-1 mtu=1200 aggregate-mode=zero-latency "
		"! "
		"appsink name=vsink sync=false max-buffers=64 drop=true "
		"interaudiosrc channel=%s ! audioconvert ! audioresample ! "
		"audio/x-raw,rate=48000,channels=2 ! "
		"queue leaky=downstream max-size-buffers=8 max-size-time=0 max-size-bytes=0 ! "
		"opusenc bitrate=%u frame-size=20 ! "
		"rtpopuspay pt=%u ssrc=%u mtu=1200 ! appsink name=asink sync=false max-buffers=64 "
		"drop=true",
		c->video_channel ? c->video_channel : "cav.program", c->width, c->height, c->fps,
		c->video_kbps, c->fps * 2, CAV_RTP_PT_H264, c->ssrc_video,
		c->audio_channel ? c->audio_channel : "cav.mix", c->audio_kbps * 1000,
		CAV_RTP_PT_OPUS, c->ssrc_audio);
	GstAppSinkCallbacks cb = {NULL, NULL, on_sample};
	g_autoptr(GError) local = NULL;
	g_autoptr(GstElement) enc = NULL;
	const char *sinks[2] = {"vsink", "asink"};

	s->pipeline = gst_parse_launch(desc, &local);
	if (s->pipeline == NULL || local != NULL) {
		g_set_error(error, CAV_STREAMER_ERROR, CAV_STREAMER_ERROR_PIPELINE,
			    "cannot build the live pipeline: %s",
			    local ? local->message : "unknown error");
		return FALSE;
	}
	enc = gst_bin_get_by_name(GST_BIN(s->pipeline), "enc");
	s->encoder_src = gst_element_get_static_pad(enc, "src");
	for (guint i = 0; i < 2; i++) {
		g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(s->pipeline), sinks[i]);

		g_object_set_data(G_OBJECT(sink), "cav-track", &s->track[i]);
		gst_app_sink_set_callbacks(GST_APP_SINK(sink), &cb, s, NULL);
	}
	if (gst_element_set_state(s->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
		g_set_error(error, CAV_STREAMER_ERROR, CAV_STREAMER_ERROR_PIPELINE,
			    "the live pipeline does not start (are gst-plugins-bad, -ugly and "
			    "opus installed?)");
		return FALSE;
	}
	return TRUE;
}

CavStreamer *
cav_streamer_new(const CavStreamerConfig *c, GError **error)
{
	g_autoptr(CavStreamer) s = g_new0(CavStreamer, 1);

	s->fd = -1;
	g_mutex_init(&s->send_lock);
	for (guint i = 0; i < 2; i++)
		s->track[i].hist = g_new0(Slot, HISTORY);
	s->track[0].ssrc = c->ssrc_video;
	s->track[1].ssrc = c->ssrc_audio;
	s->own_ssrc = g_random_int();
	s->tx = cav_srtp_new(c->suite, c->key, TRUE, error);
	if (s->tx == NULL)
		return NULL;
	s->rx = cav_srtp_new(c->suite, c->key, FALSE, error);
	if (s->rx == NULL || !open_socket(s, c->host, c->port, error))
		return NULL;
	s->rtcp_thread = g_thread_new("cav-streamer-rtcp", rtcp_main, s);
	if (!build_pipeline(s, c, error))
		return NULL;
	return g_steal_pointer(&s);
}

void
cav_streamer_free(CavStreamer *s)
{
	if (s == NULL)
		return;
	if (s->pipeline != NULL) {
		gst_element_set_state(s->pipeline, GST_STATE_NULL);
		gst_object_unref(s->pipeline);
	}
	atomic_store(&s->stop, TRUE);
	if (s->rtcp_thread != NULL)
		g_thread_join(s->rtcp_thread);
	g_clear_object(&s->encoder_src);
	if (s->fd >= 0)
		close(s->fd);
	cav_srtp_free(s->tx);
	cav_srtp_free(s->rx);
	for (guint i = 0; i < 2; i++)
		g_free(s->track[i].hist);
	g_mutex_clear(&s->send_lock);
	g_free(s);
}

void
cav_streamer_get_stats(CavStreamer *s, CavStreamerStats *out)
{
	out->packets = atomic_load(&s->st[ST_PACKETS]);
	out->bytes = atomic_load(&s->st[ST_BYTES]);
	out->retransmits = atomic_load(&s->st[ST_RETX]);
	out->nacks = atomic_load(&s->st[ST_NACKS]);
	out->keyframes = atomic_load(&s->st[ST_KEYS]);
	out->rtcp_in = atomic_load(&s->st[ST_RTCP_IN]);
	out->rtcp_bad = atomic_load(&s->st[ST_RTCP_BAD]);
	out->send_errors = atomic_load(&s->st[ST_SEND_ERR]);
}
