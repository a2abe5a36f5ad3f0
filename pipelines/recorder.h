/* recorder.h — one recording run: sources → encoders → segmented fMP4 files.
 *
 * A CavRecorder owns one GStreamer pipeline for one recording interval of a
 * hearing (start → pause, or start → close). Pausing a hearing stops the
 * recorder; resuming starts a new one that continues each track's sequence.
 *
 * Graph (see docs/ARCHITECTURE.md):
 *   each video source ─ tee ─┬─ x264 ─ splitmuxsink  (track = source id)
 *                            └─ compositor (layouts of layout.h, switched live)
 *                                 + caption, case, text and Beijing clock overlays
 *                                 ─ x264 ─ splitmuxsink (track "program")
 *   each audio source ─ audiorate ─ level ─ tee ─┬─ audiomixer ─ AAC ─ tee ─┬─ splitmuxsink "audio"
 *                                                │                          └─ into every video file
 *                                                └─ per-role mixer ─ AAC ─ splitmuxsink "audio-<role>"
 * Files are fragmented MP4 (mp4mux fragment-duration ≤ 1 s), each starting on
 * a keyframe, split every segment_seconds, named
 *   <media_dir>/<track>/<prefix>_<track>_<seq %04u>_<Beijing yyyymmdd-hhmmss>.mp4
 *
 * Threads: all functions are called from the main thread; every callback is
 * invoked on the thread-default main context that was current when
 * cav_recorder_new() was called (through the pipeline's bus watch), never
 * from a streaming thread.
 */
#pragma once

#include <glib.h>
#include <gst/gst.h>
#include "layout.h"
#include "source.h"

G_BEGIN_DECLS

#define CAV_RECORDER_ERROR (cav_recorder_error_quark())
GQuark cav_recorder_error_quark(void);

typedef enum {
	CAV_RECORDER_ERROR_BUILD,   /* the graph could not be built (missing plugin, bad source) */
	CAV_RECORDER_ERROR_START,   /* the pipeline refused to start */
	CAV_RECORDER_ERROR_RUNTIME, /* a streaming error after start (e.g. write failed: disk full) */
	CAV_RECORDER_ERROR_NO_SPACE, /* RUNTIME, recognised as ENOSPC */
} CavRecorderError;

#define CAV_TRACK_PROGRAM "program"
#define CAV_TRACK_AUDIO "audio"
/* Prefix of the per-role audio tracks: "audio-judge", "audio-defence", ... */
#define CAV_TRACK_ROLE_PREFIX "audio-"

typedef struct {
	CavVideoFormat camera; /* per-camera tracks, e.g. 1280x720@25 */
	guint program_width;   /* program composite size; fps as cameras */
	guint program_height;
	guint camera_kbps;
	guint program_kbps;
	guint audio_kbps;
	guint segment_seconds;   /* split files at the first keyframe past this (default 300) */
	guint fragment_ms;       /* fMP4 fragment duration, ≤ 1000 */
	guint keyframe_seconds;  /* GOP length in seconds (default 1) */
	const char *x264_preset; /* "veryfast" (unowned) */
} CavRecordFormat;

/* What the program shows besides the cameras; strings nullable (absent). */
typedef struct {
	const char *caption;     /* e.g. "某某人民法院 第一法庭" (unowned) */
	const char *case_number; /* shown under the caption (unowned) */
	const char *text;        /* free text (unowned) */
	gboolean clock;          /* Beijing date and time of each frame */
	const char *
		caption_position; /* "top-left" (default), "top-right", "bottom-left", "bottom-right" */
	const char *text_position;  /* default "bottom-right" */
	const char *clock_position; /* default "bottom-left" */
	const char *font;           /* Pango font description, e.g. "Noto Sans CJK SC 20" */
} CavProgramOverlays;

/* One microphone's level over the last 100 ms. */
typedef struct {
	const char *id;   /* (unowned) */
	const char *role; /* (unowned, nullable) */
	double rms_db;    /* dBFS, clamped to CAV_LEVEL_FLOOR_DB */
	double peak_db;
} CavMicLevel;

#define CAV_LEVEL_FLOOR_DB (-120.0)
/* Level measurement interval of every microphone. */
#define CAV_LEVEL_INTERVAL_MS 100

typedef struct {
	const CavRecordFormat *format; /* (unowned) */
	GPtrArray *sources;            /* of CavSourceSpec, cameras and microphones (unowned) */
	const char *media_dir;         /* absolute folder of this hearing (unowned) */
	const char *name_prefix;       /* e.g. "room101_2026兵0101刑初12号_h3" (unowned) */
	GHashTable *
		first_seq; /* track name -> GUINT_TO_POINTER(first seq); missing = 1 (unowned, nullable) */
	const char *
		layout; /* a layout of layout.h: "auto", "1", "2", "4", "5", "6", "pip" (unowned) */
	const char *
		overlay_text; /* shown on the program with the clock, e.g. court + case (unowned, nullable) */
	/* Program and audio (issue 3); all nullable. */
	const char *main_camera; /* camera id in the program's main pane at start (unowned) */
	const CavProgramOverlays *overlays; /* replaces overlay_text when set (unowned) */
	const char *const *role_tracks;     /* roles whose microphones get their own track
					 * "audio-<role>" besides the mix (unowned) */
	/* An evidence run (issue 3): the cameras of @sources (no microphones)
	 * are each recorded on their own track only — no program, no "audio"
	 * track — and the hearing's raw audio mix, read from the recorder of
	 * the hearing running in the same process (inter channel cav.mix;
	 * silence when there is none), is muxed into each of their files. */
	gboolean evidence;
} CavRecorderPlan;

typedef struct CavRecorder CavRecorder;

typedef struct {
	const char *track; /* (unowned) */
	guint seq;
	const char *path;     /* absolute (unowned) */
	gint64 wall_start_us; /* UTC microseconds of the first frame */
	gint64 wall_end_us;   /* for closed segments; 0 for opened */
	GstClockTime running_start;
	GstClockTime running_end; /* GST_CLOCK_TIME_NONE for opened */
} CavSegmentEvent;

typedef struct {
	/* A new file was created and its first keyframe is being written. */
	void (*segment_opened)(CavRecorder *rec, const CavSegmentEvent *ev, gpointer user_data);
	/* A file was finalized and closed; it will never be written again.
	 * Also sent, before stopped or failed, for a file that was still open
	 * when the pipeline had to be forced down (stop timeout, streaming
	 * error): running_end is then the moment it went down. */
	void (*segment_closed)(CavRecorder *rec, const CavSegmentEvent *ev, gpointer user_data);
	/* After cav_recorder_stop(): every file is closed. The pipeline is down. */
	void (*stopped)(CavRecorder *rec, gpointer user_data);
	/* A fatal streaming error. The pipeline has been set to NULL; files that
	 * were open stay on disk as they were (they hold complete fragments up to
	 * the fault). Not called after stopped. */
	void (*failed)(CavRecorder *rec, const GError *error, gpointer user_data);
	/* Every microphone's level, about every CAV_LEVEL_INTERVAL_MS, in the
	 * plan's microphone order; @levels is valid during the call. Nullable. */
	void (*levels)(CavRecorder *rec, const CavMicLevel *levels, guint n_levels,
		       gpointer user_data);
	/* A source was lost (its track and pane show the slate while the
	 * recording goes on) or delivers again (source-guard.h). Nullable. */
	void (*source_health)(CavRecorder *rec, const CavSourceHealth *health, gpointer user_data);
} CavRecorderCallbacks;

/* Builds the graph (does not start it). (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
CavRecorder *cav_recorder_new(const CavRecorderPlan *plan, const CavRecorderCallbacks *callbacks,
			      gpointer user_data, GError **error);

/* Sets the pipeline PLAYING and waits (up to 10 s, iterating nothing) for
 * the state change; on failure no callback will be called. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_recorder_start(CavRecorder *rec, GError **error);

/* Asks every source to end; segment_closed for each open file, then stopped,
 * follow on the main context. If the pipeline does not drain in @timeout_ms,
 * it is set to NULL and stopped is called anyway (files keep their complete
 * fragments). Calling it twice is harmless. */
void cav_recorder_stop(CavRecorder *rec, guint timeout_ms);

/* Tracks this recorder writes, in a fixed order (cameras, "program", "audio",
 * then "audio-<role>" in the order of the plan's role_tracks).
 * (transfer none) NULL-terminated. */
const char *const *cav_recorder_tracks(CavRecorder *rec);

/* Switches the program to @layout (any name of layout.h, NULL = keep) with
 * camera @main_camera (a camera id, NULL = keep) in the main pane, live,
 * from the next program frame on. Fails with CAV_RECORDER_ERROR_BUILD and
 * changes nothing when the layout is unknown, has more panes than cameras,
 * or the camera is unknown. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_recorder_set_program(CavRecorder *rec, const char *layout, const char *main_camera,
				  GError **error);
/* The program's layout (canonical name, "auto" kept) and main camera id, or
 * NULL without a program. (transfer none) */
const char *cav_recorder_program_layout(CavRecorder *rec);
const char *cav_recorder_program_main(CavRecorder *rec);

/* The per-role audio tracks a plan with @sources and @roles records:
 * "audio-<role>" for each role of @roles (in that order, nullable) that at
 * least one microphone of @sources has. Pure. (transfer full) */
GStrv cav_recorder_role_tracks(const GPtrArray *sources, const char *const *roles);

/* Frees a recorder in any state; an active pipeline is set to NULL without
 * draining. No callback is called after this. NULL-safe. */
void cav_recorder_free(CavRecorder *rec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavRecorder, cav_recorder_free)

/* The file path the recorder uses for a segment (pure; for tests and for
 * recovery, which must predict names). (transfer full) */
char *cav_recorder_segment_path(const char *media_dir, const char *name_prefix, const char *track,
				guint seq, gint64 wall_start_us);

G_END_DECLS
