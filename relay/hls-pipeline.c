/* hls-pipeline.c — RTP in, delayed and cuttable HLS segments out
 * (hls-pipeline.h).
 *
 * Threads: the ingest worker calls push_rtp() (appsrc is thread-safe and
 * set not to block); GStreamer's streaming threads run the pads' probes,
 * which read the atomic cut flag and swap buffers; the main context owns
 * the bus watch, the stop timeout and every callback but @on_keyframe.
 */
#include "relay/hls-pipeline.h"

#include "relay/hls-playlist.h"

#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>
#include <string.h>

#define STOP_TIMEOUT_MS 3000
/* At most one keyframe request per this many µs reaches the publisher. */
#define KEYFRAME_INTERVAL_US (500 * 1000)
/* Input queue bound per appsrc: ~4 s of a 4 Mbit/s stream. */
#define INPUT_MAX_BYTES (2 * 1024 * 1024)

struct CavHlsPipeline {
	gint refs;               /* atomic */
	GstElement *pipeline;    /* owned */
	GstElement *vsrc, *asrc; /* appsrc (owned refs) */
	GstBuffer *slate;        /* owned; read by the video probe */
	char *dir;               /* owned */
	guint first_index;
	GMainContext *context; /* owned: where callbacks run */
	GSource *bus_source;   /* owned, nullable */
	GSource *stop_timer;   /* owned, nullable */
	gint stopping;         /* atomic: no more input accepted */
	gint cut;              /* atomic: replace output by slate/silence */
	/* 64-bit atomics (GCC/Clang builtins; GLib 2.74 has none): */
	gint64 cut_media_us;         /* first slate frame time since the cut */
	gint64 last_keyframe_us;     /* last keyframe request (monotonic) */
	GstClockTime fragment_start; /* main: running time of the open fragment */
	guint fragment_index;        /* main */
	gboolean done;               /* main: on_done was called or cancelled */
	CavHlsSegmentFunc on_segment;
	CavHlsDoneFunc on_done;
	CavHlsKeyframeFunc on_keyframe;
	gpointer user_data; /* unowned */
};

GstBuffer *
cav_hls_slate_render(guint width, guint height, const char *text, GError **error)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *desc = g_strdup_printf(
		"videotestsrc num-buffers=1 pattern=solid-color foreground-color=0xff1e2d4a ! "
		"video/x-raw,format=I420,width=%u,height=%u,framerate=25/1 ! "
		"textoverlay name=text halignment=center valignment=center line-alignment=center "
		"font-desc=\"Noto Sans CJK SC, %u\" shaded-background=false ! "
		"appsink name=out sync=false",
		width, height, MAX(height / 18, 8));
	g_autoptr(GstElement) pipe = gst_parse_launch(desc, &err);
	g_autoptr(GstElement) sink = NULL;
	g_autoptr(GstElement) overlay = NULL;
	GstSample *sample;
	GstBuffer *frame = NULL;

	if (pipe == NULL) {
		g_set_error(error, CAV_HLS_ERROR, CAV_HLS_ERROR_FAILED,
			    "Cannot build the slate renderer: %s", err->message);
		return NULL;
	}
	sink = gst_bin_get_by_name(GST_BIN(pipe), "out");
	overlay = gst_bin_get_by_name(GST_BIN(pipe), "text");
	/* A property, not part of the description: the text is the operator's. */
	g_object_set(overlay, "text", text != NULL ? text : "庭审直播暂停\nBroadcast paused", NULL);
	gst_element_set_state(pipe, GST_STATE_PLAYING);
	g_signal_emit_by_name(sink, "pull-preroll", &sample);
	if (sample != NULL) {
		frame = gst_buffer_ref(gst_sample_get_buffer(sample));
		gst_sample_unref(sample);
	}
	gst_element_set_state(pipe, GST_STATE_NULL);
	if (frame == NULL)
		g_set_error(error, CAV_HLS_ERROR, CAV_HLS_ERROR_FAILED,
			    "The slate renderer produced no frame (is the textoverlay "
			    "plugin installed? scripts/install-deps.sh)");
	return frame;
}

CavHlsPipeline *
cav_hls_pipeline_ref(CavHlsPipeline *p)
{
	g_atomic_int_inc(&p->refs);
	return p;
}

static void
remove_sources(CavHlsPipeline *p)
{
	if (p->bus_source != NULL) {
		g_source_destroy(p->bus_source);
		g_clear_pointer(&p->bus_source, g_source_unref);
	}
	if (p->stop_timer != NULL) {
		g_source_destroy(p->stop_timer);
		g_clear_pointer(&p->stop_timer, g_source_unref);
	}
}

void
cav_hls_pipeline_cancel(CavHlsPipeline *p)
{
	if (p == NULL)
		return;
	g_atomic_int_set(&p->stopping, 1);
	p->done = TRUE;
	remove_sources(p);
	gst_element_set_state(p->pipeline, GST_STATE_NULL);
}

void
cav_hls_pipeline_unref(CavHlsPipeline *p)
{
	if (p == NULL || !g_atomic_int_dec_and_test(&p->refs))
		return;
	cav_hls_pipeline_cancel(p);
	gst_object_unref(p->vsrc);
	gst_object_unref(p->asrc);
	gst_object_unref(p->pipeline);
	gst_buffer_unref(p->slate);
	g_main_context_unref(p->context);
	g_free(p->dir);
	g_free(p);
}

void
cav_hls_pipeline_push_rtp(CavHlsPipeline *p, CavRtpMedia media, const guint8 *packet, gsize len)
{
	GstElement *src = media == CAV_MEDIA_RTP_VIDEO ? p->vsrc : p->asrc;

	if (g_atomic_int_get(&p->stopping) || len < 12 || len > 65536)
		return;
	/* appsrc timestamps it (do-timestamp) and drops it if full
	 * (leaky-type=downstream): the ingest thread never waits. */
	gst_app_src_push_buffer(GST_APP_SRC(src), gst_buffer_new_memdup(packet, len));
}

void
cav_hls_pipeline_set_cut(CavHlsPipeline *p, gboolean cut)
{
	if (g_atomic_int_exchange(&p->cut, cut ? 1 : 0) != (cut ? 1 : 0))
		__atomic_store_n(&p->cut_media_us, 0, __ATOMIC_RELEASE);
}

gboolean
cav_hls_pipeline_get_cut(CavHlsPipeline *p)
{
	return g_atomic_int_get(&p->cut) != 0;
}

gint64
cav_hls_pipeline_cut_media_us(CavHlsPipeline *p)
{
	return __atomic_load_n(&p->cut_media_us, __ATOMIC_ACQUIRE);
}

/* Running time → UTC µs: the pipeline runs on the realtime clock. */
static gint64
running_to_utc_us(CavHlsPipeline *p, GstClockTime rt)
{
	GstClockTime base = gst_element_get_base_time(p->pipeline);

	if (!GST_CLOCK_TIME_IS_VALID(rt))
		return g_get_real_time();
	return (gint64)((base + rt) / GST_USECOND);
}

/* Streaming thread: after the delay and the decoder, before the encoder. */
static GstPadProbeReturn
video_cut_probe(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
	CavHlsPipeline *p = user_data;
	GstBuffer *in = GST_PAD_PROBE_INFO_BUFFER(info);
	GstBuffer *slate;

	if (!g_atomic_int_get(&p->cut))
		return GST_PAD_PROBE_OK;
	/* The slate shares its memory (the encoder only reads it); only
	 * the timing is the live frame's. */
	slate = gst_buffer_copy(p->slate);
	GST_BUFFER_PTS(slate) = GST_BUFFER_PTS(in);
	GST_BUFFER_DTS(slate) = GST_BUFFER_DTS(in);
	GST_BUFFER_DURATION(slate) = GST_BUFFER_DURATION(in);
	if (__atomic_load_n(&p->cut_media_us, __ATOMIC_ACQUIRE) == 0) {
		GstSegment *seg = NULL;
		GstEvent *ev = gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0);
		GstClockTime rt = GST_CLOCK_TIME_NONE;

		if (ev != NULL) {
			gst_event_parse_segment(ev, (const GstSegment **)&seg);
			rt = gst_segment_to_running_time(seg, GST_FORMAT_TIME, GST_BUFFER_PTS(in));
			gst_event_unref(ev);
		}
		if (GST_CLOCK_TIME_IS_VALID(rt))
			rt += (GstClockTime)MAX(gst_pad_get_offset(pad), 0);
		__atomic_store_n(&p->cut_media_us, running_to_utc_us(p, rt), __ATOMIC_RELEASE);
	}
	gst_buffer_unref(in);
	GST_PAD_PROBE_INFO_DATA(info) = slate;
	return GST_PAD_PROBE_OK;
}

/* Streaming thread: silence while cut. */
static GstPadProbeReturn
audio_cut_probe(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
	CavHlsPipeline *p = user_data;
	GstBuffer *buf;
	GstMapInfo map;

	if (!g_atomic_int_get(&p->cut))
		return GST_PAD_PROBE_OK;
	buf = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
	if (gst_buffer_map(buf, &map, GST_MAP_WRITE)) {
		memset(map.data, 0, map.size); /* S16LE: zero is silence */
		gst_buffer_unmap(buf, &map);
	}
	GST_PAD_PROBE_INFO_DATA(info) = buf;
	return GST_PAD_PROBE_OK;
}

/* Streaming thread: the depayloader asks upstream for a keyframe (on
 * start, or after a loss); pass it on to the publisher, rate-limited. */
static GstPadProbeReturn
keyframe_probe(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
	CavHlsPipeline *p = user_data;
	GstEvent *ev = GST_PAD_PROBE_INFO_EVENT(info);
	gint64 now = g_get_monotonic_time();
	gint64 last = __atomic_load_n(&p->last_keyframe_us, __ATOMIC_ACQUIRE);

	if (!gst_video_event_is_force_key_unit(ev) || p->on_keyframe == NULL)
		return GST_PAD_PROBE_OK;
	if (now - last >= KEYFRAME_INTERVAL_US &&
	    __atomic_compare_exchange_n(&p->last_keyframe_us, &last, now, FALSE, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		p->on_keyframe(p->user_data);
	return GST_PAD_PROBE_OK;
}

/* Streaming thread (splitmuxsink's "format-location-full"). */
static char *
format_location(GstElement *splitmux, guint fragment_id, GstSample *first, gpointer user_data)
{
	CavHlsPipeline *p = user_data;

	return g_strdup_printf("%s/s%06u.ts", p->dir, p->first_index + fragment_id);
}

static guint
index_of_location(const char *location)
{
	g_autofree char *base = g_path_get_basename(location);

	if (!cav_hls_file_name_valid(base) || base[0] != 's')
		return 0;
	return (guint)g_ascii_strtoull(base + 1, NULL, 10);
}

static void
finish(CavHlsPipeline *p, const GError *error)
{
	if (p->done)
		return;
	p->done = TRUE;
	g_atomic_int_set(&p->stopping, 1);
	remove_sources(p);
	gst_element_set_state(p->pipeline, GST_STATE_NULL);
	if (p->on_done != NULL)
		p->on_done(p, error, p->user_data);
}

static void
on_element_message(CavHlsPipeline *p, const GstStructure *s)
{
	const char *location = gst_structure_get_string(s, "location");
	GstClockTime rt = GST_CLOCK_TIME_NONE;

	if (location == NULL || !gst_structure_get_clock_time(s, "running-time", &rt))
		return;
	if (gst_structure_has_name(s, "splitmuxsink-fragment-opened")) {
		p->fragment_start = rt;
		p->fragment_index = index_of_location(location);
	} else if (gst_structure_has_name(s, "splitmuxsink-fragment-closed")) {
		guint index = index_of_location(location);

		if (index == 0 || index != p->fragment_index ||
		    !GST_CLOCK_TIME_IS_VALID(p->fragment_start) || rt < p->fragment_start)
			return;
		if (p->on_segment != NULL && rt > p->fragment_start)
			p->on_segment(p, index, (gint64)((rt - p->fragment_start) / GST_USECOND),
				      running_to_utc_us(p, p->fragment_start), p->user_data);
		p->fragment_start = GST_CLOCK_TIME_NONE;
	}
}

/* Main context. */
static gboolean
on_bus(GstBus *bus, GstMessage *msg, gpointer user_data)
{
	CavHlsPipeline *p = user_data;

	switch (GST_MESSAGE_TYPE(msg)) {
	case GST_MESSAGE_ELEMENT:
		if (GST_MESSAGE_SRC(msg) != NULL && gst_message_get_structure(msg) != NULL)
			on_element_message(p, gst_message_get_structure(msg));
		break;
	case GST_MESSAGE_EOS:
		finish(p, NULL);
		break;
	case GST_MESSAGE_ERROR: {
		g_autoptr(GError) err = NULL;
		g_autofree char *dbg = NULL;

		gst_message_parse_error(msg, &err, &dbg);
		g_warning("public HLS pipeline for %s failed in %s: %s (%s)", p->dir,
			  GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), err->message, dbg ? dbg : "");
		finish(p, err);
		break;
	}
	default:
		break;
	}
	return G_SOURCE_CONTINUE;
}

static char *
describe(const CavHlsOutputConfig *cfg, const char *preset)
{
	guint fps = MAX(cfg->fps, 1);
	/* Keyframes come where splitmuxsink asks for them (at each segment
	 * boundary); the encoder's own interval is only a fallback, longer than a
	 * segment so that it never adds a second keyframe right after one. */
	guint gop = MAX(fps * MAX(cfg->segment_ms, 500) * 3 / 1000, 1);
	guint jitter = cfg->jitter_ms ? cfg->jitter_ms : 200;
	/* The delay queue holds compressed media: unbounded in buffers and
	 * bytes, bounded in time (the delay plus slack). */
	g_autofree char *delay = g_strdup_printf("queue name=%%s max-size-buffers=0 "
						 "max-size-bytes=0 max-size-time=%" G_GUINT64_FORMAT
						 " min-threshold-time=%" G_GUINT64_FORMAT,
						 (guint64)(cfg->delay_ms + 5000) * GST_MSECOND,
						 (guint64)cfg->delay_ms * GST_MSECOND);
	g_autofree char *vdelay = g_strdup_printf(delay, "vdelay");
	g_autofree char *adelay = g_strdup_printf(delay, "adelay");

	return g_strdup_printf(
		"splitmuxsink name=mux muxer-factory=mpegtsmux max-size-time=%" G_GUINT64_FORMAT
		" send-keyframe-requests=true async-finalize=false "
		"appsrc name=vsrc is-live=true do-timestamp=true format=time block=false "
		"max-bytes=%u leaky-type=downstream "
		"caps=\"application/"
		"x-rtp,media=video,encoding-name=H264,clock-rate=90000,payload=96\" ! "
		"rtpjitterbuffer latency=%u drop-on-latency=true ! "
		"rtph264depay request-keyframe=true wait-for-keyframe=true ! h264parse ! %s ! "
		"avdec_h264 output-corrupt=false ! videoconvert ! videoscale add-borders=true ! "
		"video/x-raw,format=I420,width=%u,height=%u,pixel-aspect-ratio=1/1 ! "
		"identity name=vcut ! queue max-size-time=2000000000 max-size-bytes=0 "
		"max-size-buffers=0 ! "
		"x264enc tune=zerolatency speed-preset=%s bitrate=%u key-int-max=%u bframes=0 "
		"option-string=scenecut=0 ! h264parse ! mux.video "
		"appsrc name=asrc is-live=true do-timestamp=true format=time block=false "
		"max-bytes=%u leaky-type=downstream "
		"caps=\"application/"
		"x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000,payload=111\" ! "
		"rtpjitterbuffer latency=%u drop-on-latency=true ! rtpopusdepay ! %s ! opusdec ! "
		"audioconvert ! audioresample ! audio/x-raw,format=S16LE,rate=48000,channels=2 ! "
		"identity name=acut ! audioconvert ! avenc_aac bitrate=%u ! aacparse ! queue ! "
		"mux.audio_0",
		(guint64)MAX(cfg->segment_ms, 500) * GST_MSECOND, INPUT_MAX_BYTES, jitter, vdelay,
		cfg->width, cfg->height, preset, cfg->video_kbps, gop, INPUT_MAX_BYTES, jitter,
		adelay, cfg->audio_kbps * 1000);
}

static void
add_probe(GstBin *bin, const char *name, GstPadProbeType type, GstPadProbeCallback cb,
	  CavHlsPipeline *p, gint64 offset)
{
	g_autoptr(GstElement) e = gst_bin_get_by_name(bin, name);
	g_autoptr(GstPad) pad = gst_element_get_static_pad(e, "src");

	if (cb != NULL)
		gst_pad_add_probe(pad, type, cb, p, NULL);
	if (offset != 0)
		gst_pad_set_offset(pad, offset);
}

static gboolean
on_stop_timeout(gpointer user_data)
{
	CavHlsPipeline *p = user_data;

	g_warning("public HLS pipeline for %s did not finish within %d ms; stopped", p->dir,
		  STOP_TIMEOUT_MS);
	g_clear_pointer(&p->stop_timer, g_source_unref);
	finish(p, NULL);
	return G_SOURCE_REMOVE;
}

CavHlsPipeline *
cav_hls_pipeline_new(const CavHlsOutputConfig *cfg, GstBuffer *slate, const char *dir,
		     guint first_index, CavHlsSegmentFunc on_segment, CavHlsDoneFunc on_done,
		     CavHlsKeyframeFunc on_keyframe, gpointer user_data, GError **error)
{
	const char *preset = cfg->x264_preset ? cfg->x264_preset : "veryfast";
	g_autofree char *desc = NULL;
	g_autoptr(GError) err = NULL;
	g_autoptr(GstClock) clock = NULL;
	g_autoptr(GstElement) mux = NULL;
	g_autoptr(GstBus) bus = NULL;
	CavHlsPipeline *p;
	GstElement *pipe;
	gint64 offset = (gint64)cfg->delay_ms * GST_MSECOND;

	/* Only names the code itself made reach the description. */
	if (!g_regex_match_simple("^[a-z]+$", preset, 0, 0) || cfg->width < 16 ||
	    cfg->height < 16 || cfg->width % 2 || cfg->height % 2) {
		g_set_error(error, CAV_HLS_ERROR, CAV_HLS_ERROR_FAILED,
			    "Invalid public output settings (size %ux%u, preset %s)", cfg->width,
			    cfg->height, preset);
		return NULL;
	}
	desc = describe(cfg, preset);
	pipe = gst_parse_launch_full(desc, NULL, GST_PARSE_FLAG_FATAL_ERRORS, &err);
	if (pipe == NULL) {
		g_set_error(error, CAV_HLS_ERROR, CAV_HLS_ERROR_FAILED,
			    "Cannot build the public HLS pipeline: %s (scripts/install-deps.sh "
			    "installs the GStreamer plugins it needs)",
			    err->message);
		return NULL;
	}
	p = g_new0(CavHlsPipeline, 1);
	p->refs = 1;
	p->pipeline = gst_object_ref_sink(pipe);
	p->vsrc = gst_bin_get_by_name(GST_BIN(pipe), "vsrc");
	p->asrc = gst_bin_get_by_name(GST_BIN(pipe), "asrc");
	p->slate = gst_buffer_ref(slate);
	p->dir = g_strdup(dir);
	p->first_index = first_index;
	p->context = g_main_context_ref_thread_default();
	p->fragment_start = GST_CLOCK_TIME_NONE;
	p->on_segment = on_segment;
	p->on_done = on_done;
	p->on_keyframe = on_keyframe;
	p->user_data = user_data;

	mux = gst_bin_get_by_name(GST_BIN(pipe), "mux");
	g_signal_connect(mux, "format-location-full", G_CALLBACK(format_location), p);
	add_probe(GST_BIN(pipe), "vcut", GST_PAD_PROBE_TYPE_BUFFER, video_cut_probe, p, 0);
	add_probe(GST_BIN(pipe), "acut", GST_PAD_PROBE_TYPE_BUFFER, audio_cut_probe, p, 0);
	add_probe(GST_BIN(pipe), "vsrc", GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, keyframe_probe, p, 0);
	/* The delayed media leaves the queue @delay later than its capture
	 * time stamp says; shifting it by as much keeps its running time
	 * equal to the moment it is output, so the cut and the slate share
	 * one time line. */
	add_probe(GST_BIN(pipe), "vdelay", 0, NULL, p, offset);
	add_probe(GST_BIN(pipe), "adelay", 0, NULL, p, offset);

	clock = g_object_new(GST_TYPE_SYSTEM_CLOCK, "clock-type", GST_CLOCK_TYPE_REALTIME, NULL);
	gst_pipeline_use_clock(GST_PIPELINE(pipe), clock);

	bus = gst_element_get_bus(pipe);
	p->bus_source = gst_bus_create_watch(bus);
	g_source_set_callback(p->bus_source, G_SOURCE_FUNC(on_bus), p, NULL);
	g_source_attach(p->bus_source, p->context);

	if (gst_element_set_state(pipe, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
		p->on_done = NULL;
		cav_hls_pipeline_unref(p);
		g_set_error(error, CAV_HLS_ERROR, CAV_HLS_ERROR_FAILED,
			    "Cannot start the public HLS pipeline for %s", dir);
		return NULL;
	}
	return p;
}

void
cav_hls_pipeline_stop(CavHlsPipeline *p)
{
	if (p->done || g_atomic_int_get(&p->stopping))
		return;
	g_atomic_int_set(&p->stopping, 1);
	gst_app_src_end_of_stream(GST_APP_SRC(p->vsrc));
	gst_app_src_end_of_stream(GST_APP_SRC(p->asrc));
	p->stop_timer = g_timeout_source_new(STOP_TIMEOUT_MS);
	g_source_set_callback(p->stop_timer, on_stop_timeout, p, NULL);
	g_source_attach(p->stop_timer, p->context);
}
