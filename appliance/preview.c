/* preview.c — per-channel snapshot pipelines (preview.h).
 *
 * Main thread: creation, teardown, the idle timer and the bus watch.
 * Streaming thread: on_new_sample() only, which replaces Channel.frame
 * under Channel.lock.
 */
#include "preview.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#define IDLE_STOP_US (30 * G_USEC_PER_SEC)

typedef struct {
	char *name;           /* channel name (owned) */
	GstElement *pipeline; /* owned */
	guint bus_watch;
	gint64 last_request_us;
	gboolean failed;
	char *error;   /* owned, nullable */
	GMutex lock;   /* protects frame and frame_at_us */
	GBytes *frame; /* owned, nullable */
	gint64 frame_at_us;
} Channel;

struct CavPreview {
	GHashTable *channels; /* name -> Channel * (owned) */
	guint idle_timer;
};

static void
channel_stop(Channel *ch)
{
	if (ch->bus_watch != 0)
		g_source_remove(ch->bus_watch);
	ch->bus_watch = 0;
	if (ch->pipeline != NULL) {
		gst_element_set_state(ch->pipeline, GST_STATE_NULL);
		gst_clear_object(&ch->pipeline);
	}
	g_mutex_lock(&ch->lock);
	g_clear_pointer(&ch->frame, g_bytes_unref);
	g_mutex_unlock(&ch->lock);
}

static void
channel_free(Channel *ch)
{
	channel_stop(ch);
	g_mutex_clear(&ch->lock);
	g_free(ch->name);
	g_free(ch->error);
	g_free(ch);
}

/* Streaming thread. */
static GstFlowReturn
on_new_sample(GstAppSink *sink, gpointer user_data)
{
	Channel *ch = user_data;
	GstSample *sample = gst_app_sink_pull_sample(sink);
	GstBuffer *buf = sample ? gst_sample_get_buffer(sample) : NULL;
	GstMapInfo map;

	if (buf != NULL && gst_buffer_map(buf, &map, GST_MAP_READ)) {
		GBytes *jpeg = g_bytes_new(map.data, map.size);

		gst_buffer_unmap(buf, &map);
		g_mutex_lock(&ch->lock);
		g_clear_pointer(&ch->frame, g_bytes_unref);
		ch->frame = jpeg;
		ch->frame_at_us = g_get_monotonic_time();
		g_mutex_unlock(&ch->lock);
	}
	if (sample != NULL)
		gst_sample_unref(sample);
	return GST_FLOW_OK;
}

static gboolean
on_bus(GstBus *bus, GstMessage *msg, gpointer user_data)
{
	Channel *ch = user_data;
	g_autoptr(GError) error = NULL;

	if (GST_MESSAGE_TYPE(msg) != GST_MESSAGE_ERROR)
		return G_SOURCE_CONTINUE;
	gst_message_parse_error(msg, &error, NULL);
	g_warning("preview %s: %s", ch->name, error->message);
	g_free(ch->error);
	ch->error = g_strdup(error->message);
	ch->failed = TRUE;
	ch->bus_watch = 0;
	if (ch->pipeline != NULL) {
		gst_element_set_state(ch->pipeline, GST_STATE_NULL);
		gst_clear_object(&ch->pipeline);
	}
	return G_SOURCE_REMOVE;
}

static gboolean
channel_start(Channel *ch, GError **error)
{
	g_autofree char *desc = g_strdup_printf(
		"intervideosrc channel=%s ! videoconvert ! videoscale ! videorate ! "
		"video/x-raw,width=480,pixel-aspect-ratio=1/1,framerate=2/1 ! "
		"jpegenc quality=75 ! appsink name=sink max-buffers=1 drop=true sync=false",
		ch->name);
	GstAppSinkCallbacks cb = {.new_sample = on_new_sample};
	g_autoptr(GstElement) sink = NULL;
	g_autoptr(GstBus) bus = NULL;

	ch->pipeline = gst_parse_launch(desc, error);
	if (ch->pipeline == NULL)
		return FALSE;
	sink = gst_bin_get_by_name(GST_BIN(ch->pipeline), "sink");
	gst_app_sink_set_callbacks(GST_APP_SINK(sink), &cb, ch, NULL);
	bus = gst_element_get_bus(ch->pipeline);
	ch->bus_watch = gst_bus_add_watch(bus, on_bus, ch);
	ch->failed = FALSE;
	if (gst_element_set_state(ch->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
		g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_STATE_CHANGE,
			    "the preview pipeline of %s did not start", ch->name);
		channel_stop(ch);
		return FALSE;
	}
	g_message("preview of %s started", ch->name);
	return TRUE;
}

static gboolean
on_idle_check(gpointer data)
{
	CavPreview *p = data;
	GHashTableIter it;
	Channel *ch;
	gint64 now = g_get_monotonic_time();

	g_hash_table_iter_init(&it, p->channels);
	while (g_hash_table_iter_next(&it, NULL, (gpointer *)&ch)) {
		if (ch->pipeline != NULL && now - ch->last_request_us > IDLE_STOP_US) {
			g_message("preview of %s stopped (nobody watching)", ch->name);
			channel_stop(ch);
		}
	}
	return G_SOURCE_CONTINUE;
}

CavPreview *
cav_preview_new(void)
{
	CavPreview *p = g_new0(CavPreview, 1);

	p->channels =
		g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)channel_free);
	p->idle_timer = g_timeout_add_seconds(5, on_idle_check, p);
	return p;
}

void
cav_preview_free(CavPreview *p)
{
	if (p == NULL)
		return;
	g_source_remove(p->idle_timer);
	g_hash_table_unref(p->channels);
	g_free(p);
}

GBytes *
cav_preview_get(CavPreview *p, const char *channel, gint64 *out_at_us, GError **error)
{
	Channel *ch = g_hash_table_lookup(p->channels, channel);
	GBytes *frame = NULL;

	if (ch == NULL) {
		ch = g_new0(Channel, 1);
		ch->name = g_strdup(channel);
		g_mutex_init(&ch->lock);
		g_hash_table_insert(p->channels, ch->name, ch);
	}
	ch->last_request_us = g_get_monotonic_time();
	if (ch->pipeline == NULL && !channel_start(ch, error))
		return NULL;
	g_mutex_lock(&ch->lock);
	if (ch->frame != NULL) {
		frame = g_bytes_ref(ch->frame);
		*out_at_us = ch->frame_at_us;
	}
	g_mutex_unlock(&ch->lock);
	return frame;
}
