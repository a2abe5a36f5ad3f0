/* rtp-sender.c — see rtp-sender.h. */
#include "rtp-sender.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>

struct CavTestSender {
	GstElement *pipeline; /* owned */
	GstElement *video;    /* videotestsrc (owned ref) */
	GstElement *encoder;  /* x264enc (owned ref) */
	CavStreamTapFunc func;
	gpointer user_data;
};

typedef struct {
	CavTestSender *s;
	CavRtpMedia media;
} Sink;

static GstFlowReturn
on_sample(GstAppSink *sink, gpointer user_data)
{
	Sink *k = user_data;
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
			k->s->func(k->media, map.data, map.size, k->s->user_data);
			gst_buffer_unmap(buf, &map);
		}
	}
	buf = gst_sample_get_buffer(sample);
	if (list == NULL && buf != NULL && gst_buffer_map(buf, &map, GST_MAP_READ)) {
		k->s->func(k->media, map.data, map.size, k->s->user_data);
		gst_buffer_unmap(buf, &map);
	}
	return GST_FLOW_OK;
}

static void
connect_sink(CavTestSender *s, const char *name, CavRtpMedia media)
{
	g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(s->pipeline), name);
	GstAppSinkCallbacks cb = {.new_sample = on_sample};
	Sink *k = g_new0(Sink, 1);

	k->s = s;
	k->media = media;
	gst_app_sink_set_callbacks(GST_APP_SINK(sink), &cb, k, g_free);
}

CavTestSender *
cav_test_sender_new(guint width, guint height, const char *pattern, CavStreamTapFunc func,
		    gpointer user_data)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *desc = g_strdup_printf(
		"videotestsrc name=v is-live=true pattern=%s ! "
		"video/x-raw,width=%u,height=%u,framerate=25/1 ! "
		"x264enc name=enc tune=zerolatency speed-preset=ultrafast bitrate=800 "
		"key-int-max=50 ! "
		"video/x-h264,profile=constrained-baseline ! "
		"rtph264pay pt=96 config-interval=-1 mtu=1200 ! "
		"appsink name=vout sync=false emit-signals=false buffer-list=true "
		"audiotestsrc is-live=true wave=sine freq=440 volume=0.3 samplesperbuffer=960 ! "
		"audio/x-raw,rate=48000,channels=2 ! opusenc bitrate=64000 ! "
		"rtpopuspay pt=111 ! appsink name=aout sync=false buffer-list=true",
		pattern, width, height);
	CavTestSender *s = g_new0(CavTestSender, 1);

	s->pipeline = gst_parse_launch(desc, &err);
	g_assert_no_error(err);
	s->video = gst_bin_get_by_name(GST_BIN(s->pipeline), "v");
	s->encoder = gst_bin_get_by_name(GST_BIN(s->pipeline), "enc");
	s->func = func;
	s->user_data = user_data;
	connect_sink(s, "vout", CAV_MEDIA_RTP_VIDEO);
	connect_sink(s, "aout", CAV_MEDIA_RTP_AUDIO);
	g_assert_cmpint(gst_element_set_state(s->pipeline, GST_STATE_PLAYING), !=,
			GST_STATE_CHANGE_FAILURE);
	return s;
}

void
cav_test_sender_set_pattern(CavTestSender *s, const char *pattern)
{
	gst_util_set_object_arg(G_OBJECT(s->video), "pattern", pattern);
}

void
cav_test_sender_keyframe(CavTestSender *s)
{
	g_autoptr(GstPad) pad = gst_element_get_static_pad(s->encoder, "src");

	gst_pad_send_event(
		pad, gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
}

void
cav_test_sender_free(CavTestSender *s)
{
	if (s == NULL)
		return;
	gst_element_set_state(s->pipeline, GST_STATE_NULL);
	gst_object_unref(s->video);
	gst_object_unref(s->encoder);
	gst_object_unref(s->pipeline);
	g_free(s);
}
