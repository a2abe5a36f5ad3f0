/* view.c — the console's low-latency view of any room (庭审巡查), and its
 * audit:
 *   GET /api/v1/rooms/{key}/view     fragmented MP4, streamed       staff (operator, inspector)
 *
 * Why not WebRTC: the browser's MediaSource plays fragmented MP4 fetched
 * over the same authenticated HTTP connection as the rest of the console,
 * with no ICE, STUN/TURN, DTLS or second port — and it meets the goal of a
 * picture within 1 s (tests/relay-public/console-e2e.sh measures it). The
 * media is not re-encoded: the publisher's H.264 and Opus are depayloaded
 * and put into 100 ms MP4 fragments; a keyframe is asked from the publisher
 * when a view starts, and the first fragment begins with it.
 *
 * Every view writes an audit row when it starts ("view.start": who, which
 * room, which hearing, public or not) and when it ends ("view.stop", with
 * its length in seconds).
 *
 * Threads: the handler, the chunk writer and the teardown run on the main
 * context. The pipeline's appsink callback (streaming thread) copies each
 * fragment and hands it to the main context; the stream tap (ingest
 * thread) only pushes into the appsrcs. A viewer that reads too slowly
 * (more than VIEW_MAX_BACKLOG bytes not yet written) is disconnected rather
 * than buffered without bound.
 */
#include "http-private.h"
#include "relay/stream.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <string.h>

#define VIEW_MAX_BACKLOG (8 * 1024 * 1024)
#define VIEW_MAX_PER_ROOM 32

typedef struct {
	gint refs;               /* atomic: the main context + the tap */
	CavRelay *relay;         /* unowned */
	SoupServerMessage *msg;  /* owned ref until finished */
	GstElement *pipeline;    /* owned */
	GstElement *vsrc, *asrc; /* owned refs */
	CavStream *stream;       /* owned ref */
	guint tap_id;
	gint stopping;         /* atomic */
	gboolean header_done;  /* streaming thread only: the moov was seen */
	GMainContext *context; /* owned */
	char *room_key;        /* owned */
	char *actor;           /* owned */
	gint64 hearing_id;
	gint64 started_us;
	gsize backlog;     /* main: bytes appended, not yet written */
	gboolean finished; /* main: no more chunks (ended or disconnected) */
	gboolean ended;    /* main: on_finished ran */
} View;

static View *
view_ref(View *v)
{
	g_atomic_int_inc(&v->refs);
	return v;
}

static void
view_unref(View *v)
{
	if (!g_atomic_int_dec_and_test(&v->refs))
		return;
	gst_element_set_state(v->pipeline, GST_STATE_NULL);
	gst_object_unref(v->vsrc);
	gst_object_unref(v->asrc);
	gst_object_unref(v->pipeline);
	cav_stream_unref(v->stream);
	g_main_context_unref(v->context);
	g_free(v->room_key);
	g_free(v->actor);
	g_free(v);
}

/* Ingest thread. */
static void
on_packet(CavRtpMedia media, const guint8 *packet, gsize len, gpointer user_data)
{
	View *v = user_data;

	if (g_atomic_int_get(&v->stopping) || len < 12)
		return;
	gst_app_src_push_buffer(GST_APP_SRC(media == CAV_MEDIA_RTP_VIDEO ? v->vsrc : v->asrc),
				gst_buffer_new_memdup(packet, len));
}

typedef struct {
	View *view;   /* owned ref */
	GBytes *data; /* owned */
} Chunk;

/* Main context: one MP4 piece to the viewer. */
static gboolean
write_chunk(gpointer user_data)
{
	Chunk *c = user_data;
	View *v = c->view;

	if (!v->finished) {
		if (v->backlog > VIEW_MAX_BACKLOG) {
			g_message("view of %s by %s: the viewer reads too slowly; disconnected",
				  v->room_key, v->actor);
			v->finished = TRUE;
			soup_message_body_complete(soup_server_message_get_response_body(v->msg));
		} else {
			v->backlog += g_bytes_get_size(c->data);
			soup_message_body_append_bytes(
				soup_server_message_get_response_body(v->msg), c->data);
		}
		soup_server_message_unpause(v->msg);
	}
	g_bytes_unref(c->data);
	view_unref(v);
	g_free(c);
	return G_SOURCE_REMOVE;
}

/* GStreamer 1.22's mp4mux writes the Opus box's InputSampleRate in the
 * wrong byte order (80 bb 00 00 for 48000), which Chrome's MP4 parser
 * rejects. Rewritten here in the movie header, once per view; a fixed
 * mp4mux writes 00 00 bb 80 and is left alone. Returns TRUE once the
 * movie header has gone by. */
static gboolean
fix_dops(guint8 *data, gsize len)
{
	for (gsize i = 0; i + 16 <= len; i++) {
		if (memcmp(data + i, "dOps", 4) == 0) {
			guint8 *rate = data + i + 8; /* after version, channels, pre-skip */
			/* Byte by byte: the box is not aligned. */
			guint32 be = (guint32)rate[0] << 24 | (guint32)rate[1] << 16 |
				     (guint32)rate[2] << 8 | rate[3];
			guint32 le = (guint32)rate[3] << 24 | (guint32)rate[2] << 16 |
				     (guint32)rate[1] << 8 | rate[0];

			if (be > 384000 && le <= 384000 && le >= 8000) {
				rate[0] = le >> 24;
				rate[1] = le >> 16;
				rate[2] = le >> 8;
				rate[3] = le;
			}
			return TRUE;
		}
		if (memcmp(data + i, "moof", 4) == 0)
			return TRUE;
	}
	return FALSE;
}

/* Streaming thread. */
static GstFlowReturn
on_sample(GstAppSink *sink, gpointer user_data)
{
	View *v = user_data;
	GstSample *sample = gst_app_sink_pull_sample(sink);
	GstBuffer *buf = sample ? gst_sample_get_buffer(sample) : NULL;
	GstMapInfo map;

	if (buf != NULL && gst_buffer_map(buf, &map, GST_MAP_READ)) {
		Chunk *c = g_new0(Chunk, 1);
		guint8 *copy = g_memdup2(map.data, map.size);

		if (!v->header_done)
			v->header_done = fix_dops(copy, map.size);
		c->view = view_ref(v);
		c->data = g_bytes_new_take(copy, map.size);
		gst_buffer_unmap(buf, &map);
		g_main_context_invoke(v->context, write_chunk, c);
	}
	if (sample != NULL)
		gst_sample_unref(sample);
	return GST_FLOW_OK;
}

/* Streaming thread: the depayloader wants a keyframe. */
static GstPadProbeReturn
keyframe_probe(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
	View *v = user_data;

	if (gst_video_event_is_force_key_unit(GST_PAD_PROBE_INFO_EVENT(info)))
		cav_stream_request_keyframe(v->stream);
	return GST_PAD_PROBE_OK;
}

static void
on_wrote(SoupServerMessage *msg, guint chunk_size, gpointer user_data)
{
	View *v = user_data;

	v->backlog = v->backlog > chunk_size ? v->backlog - chunk_size : 0;
}

static void
audit(View *v, const char *action, const char *extra)
{
	g_autofree char *detail = g_strdup_printf("{\"hearing_id\":%" G_GINT64_FORMAT "%s}",
						  v->hearing_id, extra ? extra : "");
	g_autoptr(GError) error = NULL;

	if (!cav_registry_audit(cav_relay_registry(v->relay), v->actor, action, v->room_key, detail,
				&error))
		g_warning("audit %s %s: %s", action, v->room_key, error->message);
}

static guint views_of(CavRelayHttp *http, const char *room_key, gint delta);

/* Main context: the viewer went away (or was disconnected). */
static void
on_finished(SoupServerMessage *msg, gpointer user_data)
{
	View *v = user_data;
	g_autofree char *extra = g_strdup_printf(
		",\"seconds\":%.1f", (double)(g_get_real_time() - v->started_us) / G_USEC_PER_SEC);
	CavRelayHttp *http = cav_relay_http(v->relay);

	if (v->ended)
		return;
	v->ended = TRUE;
	v->finished = TRUE;
	if (http != NULL)
		views_of(http, v->room_key, -1);
	g_atomic_int_set(&v->stopping, 1);
	cav_stream_remove_tap(v->stream, v->tap_id);
	gst_element_set_state(v->pipeline, GST_STATE_NULL);
	audit(v, "view.stop", extra);
	g_message("view of %s by %s ended", v->room_key, v->actor);
	g_signal_handlers_disconnect_by_data(msg, v);
	g_object_unref(v->msg);
	view_unref(v);
}

static GstElement *
build(View *v, GError **error)
{
	/* H.264 and Opus as published, into 100 ms fragments. */
	static const char *desc =
		"mp4mux name=mux fragment-duration=100 streamable=true ! "
		"appsink name=out sync=false emit-signals=false max-buffers=0 "
		"appsrc name=vsrc is-live=true do-timestamp=true format=time block=false "
		"max-bytes=4000000 leaky-type=downstream "
		"caps=\"application/"
		"x-rtp,media=video,encoding-name=H264,clock-rate=90000,payload=96\" ! "
		"rtpjitterbuffer latency=50 ! rtph264depay request-keyframe=true "
		"wait-for-keyframe=true ! "
		"h264parse ! video/x-h264,stream-format=avc,alignment=au ! queue ! mux.video_0 "
		"appsrc name=asrc is-live=true do-timestamp=true format=time block=false "
		"max-bytes=1000000 leaky-type=downstream "
		"caps=\"application/"
		"x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000,payload=111\" ! "
		"rtpjitterbuffer latency=50 ! rtpopusdepay ! opusparse ! queue ! mux.audio_0";
	GstElement *pipe = gst_parse_launch_full(desc, NULL, GST_PARSE_FLAG_FATAL_ERRORS, error);
	g_autoptr(GstElement) sink = NULL;
	g_autoptr(GstPad) pad = NULL;
	GstAppSinkCallbacks cb = {.new_sample = on_sample};

	if (pipe == NULL)
		return NULL;
	gst_object_ref_sink(pipe);
	v->vsrc = gst_bin_get_by_name(GST_BIN(pipe), "vsrc");
	v->asrc = gst_bin_get_by_name(GST_BIN(pipe), "asrc");
	sink = gst_bin_get_by_name(GST_BIN(pipe), "out");
	gst_app_sink_set_callbacks(GST_APP_SINK(sink), &cb, v, NULL);
	pad = gst_element_get_static_pad(v->vsrc, "src");
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, keyframe_probe, v, NULL);
	return pipe;
}

static guint
views_of(CavRelayHttp *http, const char *room_key, gint delta)
{
	GHashTable *counts = cav_relay_http_get_area_data(http, "view");
	guint n;

	if (counts == NULL) {
		counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		cav_relay_http_set_area_data(http, "view", counts,
					     (GDestroyNotify)g_hash_table_unref);
	}
	n = GPOINTER_TO_UINT(g_hash_table_lookup(counts, room_key));
	if (delta < 0 && n > 0)
		n--;
	else if (delta > 0)
		n++;
	g_hash_table_replace(counts, g_strdup(room_key), GUINT_TO_POINTER(n));
	return n;
}

static void
get_view(CavRelayRequest *req)
{
	CavLiveEntry *e = cav_directory_get(cav_relay_directory(req->relay), req->key);
	g_autoptr(CavStream) stream = cav_stream_lookup(req->key);
	g_autoptr(GError) error = NULL;
	SoupMessageHeaders *h = soup_server_message_get_response_headers(req->msg);
	View *v;
	gboolean is_public = e != NULL && e->is_public;
	gint64 hearing_id = e != NULL ? e->hearing_id : 0;

	cav_live_entry_free(e);
	if (e == NULL || stream == NULL) {
		cav_relay_respond_error(req->msg, 404, "not-live",
					"This room is not sending a live stream now.",
					"该法庭当前没有直播信号。");
		return;
	}
	if (views_of(req->http, req->key, 0) >= VIEW_MAX_PER_ROOM) {
		cav_relay_respond_error(req->msg, 503, "too-many-views",
					"Too many views of this room; try again later.",
					"查看该法庭的人数已满，请稍后再试。");
		return;
	}
	v = g_new0(View, 1);
	v->refs = 1;
	v->relay = req->relay;
	v->stream = g_steal_pointer(&stream);
	v->context = g_main_context_ref_thread_default();
	v->room_key = g_strdup(req->key);
	v->actor = g_strdup(req->actor);
	v->hearing_id = hearing_id;
	v->started_us = g_get_real_time();
	v->pipeline = build(v, &error);
	if (v->pipeline == NULL) {
		g_warning("view of %s: %s", req->key, error->message);
		cav_stream_unref(v->stream);
		g_main_context_unref(v->context);
		g_free(v->room_key);
		g_free(v->actor);
		g_free(v);
		cav_relay_respond_error(req->msg, 500, "internal", "The view could not be started.",
					"无法开始查看。");
		return;
	}
	v->msg = g_object_ref(req->msg);
	gst_element_set_state(v->pipeline, GST_STATE_PLAYING);
	v->tap_id =
		cav_stream_add_tap(v->stream, on_packet, view_ref(v), (GDestroyNotify)view_unref);
	cav_stream_request_keyframe(v->stream);
	views_of(req->http, req->key, +1);

	soup_server_message_set_status(req->msg, 200, NULL);
	soup_message_headers_set_encoding(h, SOUP_ENCODING_CHUNKED);
	soup_message_headers_set_content_type(h, "video/mp4", NULL);
	soup_message_headers_replace(h, "Cache-Control", "no-store");
	soup_message_headers_replace(h, "X-Accel-Buffering", "no"); /* nginx: do not buffer */
	g_signal_connect(req->msg, "wrote-body-data", G_CALLBACK(on_wrote), v);
	g_signal_connect(req->msg, "finished", G_CALLBACK(on_finished), v);
	soup_server_message_pause(req->msg);
	audit(v, "view.start", is_public ? ",\"public\":true" : ",\"public\":false");
	g_message("view of %s (hearing %" G_GINT64_FORMAT ") by %s started", v->room_key,
		  v->hearing_id, v->actor);
}

void
cav_relay_api_view_register(CavRelayHttp *http)
{
	gst_init(NULL, NULL);
	cav_relay_route(http, "GET", "/api/v1/rooms/{key}/view", CAV_RELAY_ROLES_STAFF, get_view);
}
