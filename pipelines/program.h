/* program.h — the program composite: camera panes, clock and caption (private to pipelines/).
 *
 * Main thread only (building); the bin runs on streaming threads.
 */
#pragma once

#include "recorder-private.h"

G_BEGIN_DECLS

/* A rectangle of the program picture, in pixels. */
typedef struct {
	guint x;
	guint y;
	guint width;
	guint height;
} CavPane;

/* Largest number of cameras any layout takes. */
#define CAV_PROGRAM_MAX_PANES 9

/* Cuts a @width x @height picture into @n_cameras panes for @layout
 * ("auto", "2x2", "side-by-side"), in camera order. Panes never overlap and
 * stay inside the picture. "auto" is full screen for 1, side-by-side for 2,
 * 2x2 for 3-4 and 3x3 for 5-9. @panes has room for @n_cameras entries and is
 * untouched on failure. Pure. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_program_layout(const char *layout, guint n_cameras, guint width, guint height,
			    CavPane *panes, GError **error);

/* The largest even-sized rectangle with @src_width:@src_height's aspect
 * that fits in @pane, centred in it. Pure. */
void cav_program_fit(const CavPane *pane, guint src_width, guint src_height, CavPane *out);

typedef struct {
	const char *layout; /* (unowned) */
	guint width;
	guint height;
	guint fps;
	const CavVideoFormat *camera; /* size of every camera input (unowned) */
	const char *overlay_text;     /* (unowned, nullable) */
	const CavWallClock *clock;    /* (unowned) must outlive the pipeline's streaming */
} CavProgramConfig;

/* A bin with sink pads "sink_0" .. "sink_<n-1>" (the cameras, raw I420, each
 * behind its own queue so a tee can feed it directly) and one "src" pad: I420
 * @width x @height at @fps with the caption and Beijing time burnt in.
 * (transfer floating) */
GstElement *cav_program_new(const CavProgramConfig *cfg, guint n_cameras, GError **error);

G_END_DECLS
