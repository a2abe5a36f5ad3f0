/* source-guard.h — a capture source behind a health watchdog (private to pipelines/).
 *
 * A guard is a bin that wraps the bin a source backend creates (source.h),
 * so the rest of the graph sees a source that never stops and never fails:
 *
 *   cameras:  the camera's frames are sampled by a frame clock — a live
 *             slate (videotestsrc + "信号中断 / Signal lost" + the source's
 *             name) that always runs — so "src" delivers one frame every
 *             frame interval whatever the camera does: the camera's latest
 *             frame while it is healthy (frozen while it is late), the slate
 *             once it is lost. Timestamps come from the frame clock, so the
 *             track never has a gap.
 *   passthrough cameras (the backend's "encoded" pad, e.g. RTSP): "encoded"
 *             carries the camera's own H.264; while the camera is lost, the
 *             slate encoded with x264, timed to continue the camera's
 *             timeline; back to the camera at its first keyframe after the
 *             restore. The switch changes caps, so the track's file is split
 *             there (splitmuxsink does this when mp4mux refuses new caps).
 *   microphones: "src" (or "src_0".. for a multi-channel card) passes the
 *             samples through; a lost microphone is mixed as silence by the
 *             live audiomixer downstream.
 *
 * A source that delivers nothing for lost_after_ms (default 2000) or posts
 * an error is lost: its bin is torn down (an RTSP session rebuilt, a V4L2
 * device reopened) and created again after a back-off (0.5 s doubling to
 * 8 s) until it delivers again. Errors of the wrapped bin never reach the
 * pipeline's bus, so a camera never stops the recording.
 *
 * Threads: created, started and stopped on the main thread; the watchdog
 * timer and the health callback run on the main context given at creation;
 * the probes run on streaming threads and share only the fields under
 * CavSourceGuard.lock (see source-guard.c).
 */
#pragma once

#include "recorder-private.h"

G_BEGIN_DECLS

#define CAV_SOURCE_LOST_AFTER_MS_DEFAULT 2000

/* The slate's background (RGB), so tests can recognise it in a recording. */
#define CAV_SLATE_RGB 0x203060
#define CAV_SLATE_TEXT "信号中断 / Signal lost"

/* Called on the guard's main context, once per source of the guard. */
typedef void (*CavSourceGuardHealthFunc)(const CavSourceHealth *health, gpointer user_data);

typedef struct {
	const CavVideoFormat *video; /* cameras' raw format; NULL for microphones (unowned) */
	guint camera_kbps;           /* slate encoding, passthrough cameras only */
	guint keyframe_seconds;
	const char *x264_preset; /* (unowned) */
	GMainContext *context;   /* watchdog and callback (unowned, ref taken) */
	CavSourceGuardHealthFunc health;
	gpointer user_data; /* (unowned) must outlive the guard's watchdog */
} CavSourceGuardConfig;

#define CAV_TYPE_SOURCE_GUARD (cav_source_guard_get_type())
G_DECLARE_FINAL_TYPE(CavSourceGuard, cav_source_guard, CAV, SOURCE_GUARD, GstBin)

/* A guard for @specs: one camera or one microphone, or the microphones of
 * one capture group (source.h, create_group). Builds the first source bin
 * now, so a missing plugin fails here; a missing device does not (it is
 * reported lost once the pipeline runs). Pads: "src" for one source,
 * "src_0".. for a group, plus "encoded" for a passthrough camera.
 * (transfer floating) */
CavSourceGuard *cav_source_guard_new(const CavSourceSpec *const *specs, guint n_specs,
				     const CavSourceGuardConfig *cfg, GError **error);

/* TRUE when the guard has the "encoded" pad. */
gboolean cav_source_guard_has_encoded(CavSourceGuard *guard);

/* Stops the watchdog: no callback after this, no more rebuilds. Call before
 * the pipeline goes to NULL. Idempotent. */
void cav_source_guard_stop(CavSourceGuard *guard);

G_END_DECLS
