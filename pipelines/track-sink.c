/* track-sink.c — one track's segmented, fragmented MP4 files.
 *
 * splitmuxsink does the splitting (at the first keyframe past max-size-time,
 * asking the encoder for one at that moment); we give it the muxer and the
 * sink ourselves because:
 *  - its "muxer-properties" is honoured only with async-finalize=TRUE, so
 *    mp4mux's fragment-duration must be set on an mp4mux we create and hand
 *    over through the "muxer" property (before any pad is requested, or
 *    splitmuxsink creates its default muxer). Without it files are
 *    "ftyp mdat moov" and a crash leaves them unplayable; with it they are
 *    "ftyp moov (moof mdat)* mfra" and a crash leaves every fragment written.
 *  - the default filesink buffers 64 KiB in user space, which a kill -9 loses
 *    (a truncated mdat); buffer-mode=unbuffered hands each fragment to the
 *    kernel as soon as mp4mux writes it. mp4mux writes a fragment as a few
 *    large buffers, so the extra syscalls are negligible.
 * Audio-only tracks need nothing special: with no video pad, splitmuxsink
 * uses the audio stream as the reference and splits it on time (verified on
 * GStreamer 1.22).
 *
 * Threads: on_format_location() runs on a splitmuxsink streaming thread and
 * reads only fields that are immutable after creation (and the wall clock,
 * written before PLAYING). Everything else is main-thread state, updated from
 * bus messages.
 */
#include "track-sink.h"

#include <string.h>

struct CavTrackSink {
	/* Immutable after cav_track_sink_new(); shared with the streaming thread. */
	char *name;      /* owned */
	char *dir;       /* <media_dir>/<track> (owned) */
	char *media_dir; /* owned */
	char *prefix;    /* owned */
	guint first_seq;
	const CavWallClock *clock; /* unowned */
	GstElement *splitmux;      /* unowned: the bin owns it */

	/* Main thread only. */
	gboolean has_video;
	guint n_opened; /* files opened so far: next seq is first_seq + n_opened */
	gboolean open;  /* a file is open (opened seen, closed not yet) */
	guint open_seq;
	char *open_path; /* owned; the last opened file, kept for its close event */
	GstClockTime open_running;
};

/* Streaming thread: names the next file. splitmuxsink counts files from
 * start-index (0), so @fragment_id is the offset from first_seq. */
static gchar *
on_format_location(GstElement *splitmux, guint fragment_id, GstSample *first, gpointer data)
{
	const CavTrackSink *sink = data;
	GstClockTime running = GST_CLOCK_TIME_NONE;
	GstBuffer *buf = first ? gst_sample_get_buffer(first) : NULL;
	const GstSegment *segment = first ? gst_sample_get_segment(first) : NULL;

	if (buf != NULL && segment != NULL && segment->format == GST_FORMAT_TIME) {
		GstClockTime ts =
			GST_BUFFER_PTS_IS_VALID(buf) ? GST_BUFFER_PTS(buf) : GST_BUFFER_DTS(buf);

		running = gst_segment_to_running_time(segment, GST_FORMAT_TIME, ts);
	}
	/* A failure here surfaces as filesink's open error on the bus. */
	g_mkdir_with_parents(sink->dir, 0750);
	return cav_recorder_segment_path(sink->media_dir, sink->prefix, sink->name,
					 sink->first_seq + fragment_id,
					 cav_wall_clock_at(sink->clock, running));
}

static GstElement *
make_muxer(guint fragment_ms, GError **error)
{
	GstElement *mux = gst_element_factory_make("mp4mux", NULL);

	if (mux == NULL) {
		g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD,
			    "GStreamer element \"mp4mux\" is not installed");
		return NULL;
	}
	g_object_set(mux, "fragment-duration", fragment_ms, NULL);
	return mux;
}

static GstElement *
make_filesink(GError **error)
{
	GstElement *fsink = gst_element_factory_make("filesink", NULL);

	if (fsink == NULL) {
		g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD,
			    "GStreamer element \"filesink\" is not installed");
		return NULL;
	}
	gst_util_set_object_arg(G_OBJECT(fsink), "buffer-mode", "unbuffered");
	return fsink;
}

CavTrackSink *
cav_track_sink_new(GstBin *bin, const char *track, const CavTrackSinkConfig *cfg, GError **error)
{
	g_autoptr(CavTrackSink) sink = g_new0(CavTrackSink, 1);
	g_autofree char *element_name = g_strdup_printf("%s-splitmux", track);
	GstElement *mux, *fsink;

	sink->name = g_strdup(track);
	sink->dir = g_build_filename(cfg->media_dir, track, NULL);
	sink->media_dir = g_strdup(cfg->media_dir);
	sink->prefix = g_strdup(cfg->name_prefix);
	sink->first_seq = cfg->first_seq;
	sink->clock = cfg->clock;
	sink->open_running = GST_CLOCK_TIME_NONE;

	sink->splitmux = cav_graph_add(bin, "splitmuxsink", element_name, error);
	if (sink->splitmux == NULL)
		return NULL;
	mux = make_muxer(cfg->fragment_ms, error);
	if (mux == NULL)
		return NULL;
	fsink = make_filesink(error);
	if (fsink == NULL) {
		gst_object_unref(gst_object_ref_sink(mux));
		return NULL;
	}
	/* Both must be set before the first pad request (see the top of file). */
	g_object_set(sink->splitmux, "muxer", mux, "sink", fsink, "max-size-time",
		     (guint64)cfg->segment_seconds * GST_SECOND, "max-size-bytes", (guint64)0,
		     "send-keyframe-requests", TRUE, "async-finalize", FALSE, NULL);
	g_signal_connect(sink->splitmux, "format-location-full", G_CALLBACK(on_format_location),
			 sink);
	return g_steal_pointer(&sink);
}

void
cav_track_sink_free(CavTrackSink *sink)
{
	if (sink == NULL)
		return;
	g_free(sink->name);
	g_free(sink->dir);
	g_free(sink->media_dir);
	g_free(sink->prefix);
	g_free(sink->open_path);
	g_free(sink);
}

const char *
cav_track_sink_name(const CavTrackSink *sink)
{
	return sink->name;
}

gboolean
cav_track_sink_link_video(CavTrackSink *sink, GstElement *src, GError **error)
{
	g_return_val_if_fail(!sink->has_video, FALSE);
	if (!cav_graph_link(src, "src", sink->splitmux, "video", error))
		return FALSE;
	sink->has_video = TRUE;
	return TRUE;
}

gboolean
cav_track_sink_link_audio(CavTrackSink *sink, GstElement *src, GError **error)
{
	return cav_graph_link(src, "src", sink->splitmux, "audio_%u", error);
}

static void
fill_event(const CavTrackSink *sink, CavSegmentEvent *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->track = sink->name;
	ev->seq = sink->open_seq;
	ev->path = sink->open_path;
	ev->running_start = sink->open_running;
	ev->running_end = GST_CLOCK_TIME_NONE;
	ev->wall_start_us = cav_wall_clock_at(sink->clock, sink->open_running);
}

static char *
absolute_path(const char *location)
{
	g_autofree char *cwd = NULL;

	if (g_path_is_absolute(location))
		return g_strdup(location);
	cwd = g_get_current_dir();
	return g_build_filename(cwd, location, NULL);
}

CavTrackSinkEvent
cav_track_sink_handle_message(CavTrackSink *sink, GstMessage *msg, CavSegmentEvent *ev)
{
	const GstStructure *s = gst_message_get_structure(msg);
	GstClockTime running = GST_CLOCK_TIME_NONE;
	const char *location;

	if (GST_MESSAGE_TYPE(msg) != GST_MESSAGE_ELEMENT ||
	    GST_MESSAGE_SRC(msg) != GST_OBJECT(sink->splitmux) || s == NULL)
		return CAV_TRACK_SINK_EVENT_NONE;
	location = gst_structure_get_string(s, "location");
	if (location == NULL)
		return CAV_TRACK_SINK_EVENT_NONE;
	gst_structure_get_uint64(s, "running-time", &running);

	if (gst_structure_has_name(s, "splitmuxsink-fragment-opened")) {
		g_free(sink->open_path);
		sink->open_path = absolute_path(location);
		sink->open_seq = sink->first_seq + sink->n_opened++;
		sink->open_running = running;
		sink->open = TRUE;
		fill_event(sink, ev);
		return CAV_TRACK_SINK_EVENT_OPENED;
	}
	if (gst_structure_has_name(s, "splitmuxsink-fragment-closed")) {
		/* Files close in order and never overlap (async-finalize is off). */
		if (!sink->open)
			return CAV_TRACK_SINK_EVENT_NONE;
		sink->open = FALSE;
		fill_event(sink, ev);
		ev->running_end = running;
		ev->wall_end_us = cav_wall_clock_at(sink->clock, running);
		return CAV_TRACK_SINK_EVENT_CLOSED;
	}
	return CAV_TRACK_SINK_EVENT_NONE;
}

static gboolean
send_flush_start(GstElement *element, GstPad *pad, gpointer data)
{
	gst_pad_send_event(pad, gst_event_new_flush_start());
	return TRUE;
}

/* GStreamer 1.22's splitmuxsink can deadlock when it goes from PAUSED to
 * READY while data still flows: a CAPS event reaching its output side after
 * the state change (seen with the program encoder's first caps) overwrites
 * its STOPPED state, its queue thread then waits forever, and the state
 * change waits forever for that thread. Flush-start is not serialised, so it
 * reaches splitmuxsink even then, marks every input as flushing and wakes
 * the waiting thread, which then returns. */
void
cav_track_sink_unblock(CavTrackSink *sink)
{
	gst_element_foreach_sink_pad(sink->splitmux, send_flush_start, NULL);
}

gboolean
cav_track_sink_force_close(CavTrackSink *sink, GstClockTime running_end, CavSegmentEvent *ev)
{
	if (!sink->open)
		return FALSE;
	sink->open = FALSE;
	fill_event(sink, ev);
	ev->running_end = running_end;
	ev->wall_end_us = cav_wall_clock_at(sink->clock, running_end);
	return TRUE;
}
