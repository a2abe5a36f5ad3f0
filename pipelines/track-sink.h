/* track-sink.h — one track's segmented fragmented-MP4 writer (private to pipelines/).
 *
 * A track sink is a splitmuxsink with our own mp4mux (fragmented) and
 * filesink, plus the bookkeeping that turns splitmuxsink's bus messages into
 * CavSegmentEvents. Created and driven on the main thread; the file-naming
 * callback runs on a streaming thread and reads only immutable fields.
 */
#pragma once

#include "recorder-private.h"

G_BEGIN_DECLS

typedef struct {
	const char *media_dir;   /* (unowned) */
	const char *name_prefix; /* (unowned) */
	guint first_seq;
	guint segment_seconds;
	guint fragment_ms;
	const CavWallClock *clock; /* (unowned) must outlive the track sink */
} CavTrackSinkConfig;

typedef enum {
	CAV_TRACK_SINK_EVENT_NONE,
	CAV_TRACK_SINK_EVENT_OPENED,
	CAV_TRACK_SINK_EVENT_CLOSED,
} CavTrackSinkEvent;

/* Creates the splitmuxsink for @track and adds it to @bin. The returned
 * struct must be freed only after the pipeline holding @bin is in NULL.
 * (transfer full) */
CavTrackSink *cav_track_sink_new(GstBin *bin, const char *track, const CavTrackSinkConfig *cfg,
				 GError **error);
void cav_track_sink_free(CavTrackSink *sink);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavTrackSink, cav_track_sink_free)

/* (transfer none) */
const char *cav_track_sink_name(const CavTrackSink *sink);

/* Links @src's "src" pad to the video input. At most once. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_track_sink_link_video(CavTrackSink *sink, GstElement *src, GError **error);
/* Links @src's "src" pad to a new audio input. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_track_sink_link_audio(CavTrackSink *sink, GstElement *src, GError **error);

/* Turns a splitmuxsink-fragment-opened/-closed element message posted by
 * this sink into @ev (whose strings stay valid until the next call on this
 * sink). Returns NONE for messages that are not this sink's. */
CavTrackSinkEvent cav_track_sink_handle_message(CavTrackSink *sink, GstMessage *msg,
						CavSegmentEvent *ev);

/* Flushes every input of the splitmuxsink so none of its streaming threads
 * is left waiting inside it; call before setting the pipeline to NULL. */
void cav_track_sink_unblock(CavTrackSink *sink);

/* After the pipeline was forced to NULL: if a file is still open, fills @ev
 * as its close (at @running_end, the best estimate of its last data) and
 * returns TRUE; the file is then considered closed. */
gboolean cav_track_sink_force_close(CavTrackSink *sink, GstClockTime running_end,
				    CavSegmentEvent *ev);

G_END_DECLS
