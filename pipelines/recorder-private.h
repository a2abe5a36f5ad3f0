/* recorder-private.h — what the recorder's files share (private to pipelines/).
 *
 * The recorder is split by responsibility: recorder.c (life cycle, bus,
 * callbacks), recorder-build.c (plan checks and graph assembly), and the
 * pieces it assembles: track-sink.c (splitmuxsink per track), program.c
 * (composite + overlays), audio-mix.c (mix + AAC), encode.c (encoders) and
 * graph.c (element helpers). All of them use CAV_RECORDER_ERROR.
 */
#pragma once

#include "recorder.h"

G_BEGIN_DECLS

/* Branch queues: leaky=no everywhere (a recording never drops data on
 * purpose), bounded in time only so one stalled branch blocks its tee after
 * this much and never grows memory without bound. Raw video is bulky, so its
 * queues are short; coded streams are small and must absorb a whole GOP while
 * splitmuxsink decides where to split. */
#define CAV_QUEUE_RAW_TIME (1 * GST_SECOND)
#define CAV_QUEUE_CODED_TIME (3 * GST_SECOND)

/* Maps running time to UTC. The recorder picks the pipeline's base time
 * itself and samples the wall clock at that instant (see recorder.c), so
 * wall0_us is written once on the main thread before the pipeline goes to
 * PLAYING and is read-only while streaming threads run: no lock needed. */
typedef struct {
	gint64 wall0_us; /* UTC microseconds at running time 0 */
} CavWallClock;

static inline gint64
cav_wall_clock_at(const CavWallClock *clock, GstClockTime running_time)
{
	if (!GST_CLOCK_TIME_IS_VALID(running_time))
		return clock->wall0_us;
	return clock->wall0_us + (gint64)(running_time / GST_USECOND);
}

/* graph.c — element helpers; every failure names the element. */

/* Makes @factory named @name (nullable) and adds it to @bin. (transfer none) */
GstElement *cav_graph_add(GstBin *bin, const char *factory, const char *name, GError **error);
/* A queue with leaky=no and only a time bound. (transfer none) */
GstElement *cav_graph_add_queue(GstBin *bin, const char *name, GstClockTime max_time,
				GError **error);
/* gst_element_link_pads() that reports which link failed. @src_pad and
 * @sink_pad are pad or template names, NULL for "any". */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_graph_link(GstElement *src, const char *src_pad, GstElement *sink,
			const char *sink_pad, GError **error);
/* Links a chain of elements, NULL-terminated. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_graph_link_many(GError **error, GstElement *first, ...) G_GNUC_NULL_TERMINATED;
/* Sets an enum/flags property from its nick, failing on unknown nicks
 * (gst_util_set_object_arg() only warns). */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_graph_set_nick(GstElement *element, const char *property, const char *nick,
			    GError **error);
/* Exposes @element's static pad @pad on @bin as @ghost_name. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_graph_ghost(GstBin *bin, GstElement *element, const char *pad, const char *ghost_name,
			 GError **error);

/* --- The recorder object, shared by recorder.c and recorder-build.c --- */

typedef struct CavTrackSink CavTrackSink; /* track-sink.h */
typedef struct CavProgram CavProgram;     /* program.h */
typedef struct CavLevels CavLevels;       /* levels.h */

typedef enum {
	CAV_RECORDER_STATE_NEW,      /* built, not started */
	CAV_RECORDER_STATE_RUNNING,  /* PLAYING */
	CAV_RECORDER_STATE_STOPPING, /* EOS sent, draining */
	CAV_RECORDER_STATE_DONE,     /* stopped, failed or failed to start: pipeline is NULL */
} CavRecorderState;

/* Everything here is main-thread state; streaming threads see only the
 * immutable parts of the track sinks, the program's probe and the clock. */
struct CavRecorder {
	gint refs;         /* main thread only; see recorder.c */
	gboolean disposed; /* cav_recorder_free() was called */
	CavRecorderState state;
	CavRecorderCallbacks callbacks;
	gpointer user_data;    /* unowned */
	GMainContext *context; /* owned: where callbacks run */
	GstElement *pipeline;  /* owned */
	GstBus *bus;           /* owned */
	GSource *bus_source;   /* owned */
	GSource *stop_source;  /* owned: drain timeout or deferred stopped, nullable */
	GstClock *gst_clock;   /* owned: the pipeline clock we chose */
	GstClockTime base_time;
	CavWallClock clock;
	GPtrArray *tracks;      /* of CavTrackSink, in track order (owned) */
	GPtrArray *track_names; /* of char *, NULL-terminated (owned) */
	CavProgram *program;    /* live layout switching (owned, nullable: no cameras) */
	GPtrArray *camera_ids;  /* of char *, camera ids in program input order (owned) */
	CavLevels *levels;      /* microphone level rounds (owned, nullable: no microphones) */
};

/* recorder-build.c: checks @plan and fills rec->pipeline, rec->tracks and
 * rec->track_names. On failure they may be half-built; the caller frees. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_recorder_build(CavRecorder *rec, const CavRecorderPlan *plan, GError **error);

G_END_DECLS
