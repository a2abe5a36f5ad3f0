/* program.h — the program composite: camera panes, live layout switching and
 * overlays (private to pipelines/).
 *
 * Every camera is always connected to the compositor; a layout decides which
 * of them show, where, and which is in the main pane. cav_program_switch()
 * changes that while the pipeline runs: the new geometry is handed to the
 * compositor's output thread and applied between two output frames, all
 * panes at once, so no frame mixes two layouts and the output never stops.
 *
 * Threads: cav_program_new/switch/free on the main thread; the bin and the
 * switch probe run on streaming threads (see program.c).
 */
#pragma once

#include "recorder-private.h"
#include "layout.h"

G_BEGIN_DECLS

/* Largest number of cameras a program takes. */
#define CAV_PROGRAM_MAX_PANES CAV_LAYOUT_MAX_CAMERAS

typedef struct {
	const char *layout; /* any name of layout.h (unowned) */
	gint main;          /* camera index in the main pane, -1 = first */
	guint width;
	guint height;
	guint fps;
	const CavVideoFormat *camera;       /* size of every camera input (unowned) */
	const CavProgramOverlays *overlays; /* (unowned) */
	const CavWallClock *clock;          /* (unowned) must outlive the pipeline's streaming */
} CavProgramConfig;

/* A bin with sink pads "sink_0" .. "sink_<n-1>" (the cameras, raw I420, each
 * behind its own queue so a tee can feed it directly) and one "src" pad: I420
 * @width x @height at @fps with the overlays burnt in. *@control gets the
 * handle for live switching (free it after the pipeline is in NULL).
 * (transfer floating) */
GstElement *cav_program_new(const CavProgramConfig *cfg, guint n_cameras, CavProgram **control,
			    GError **error);

/* Asks for @layout with camera @main (index, -1 = keep the current one) in
 * the main pane, from the next output frame on. Fails (nothing changes) when
 * the layout is unknown or has more panes than there are cameras. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_program_switch(CavProgram *program, const char *layout, gint main, GError **error);

/* The layout (canonical name; "auto" stays "auto") and main camera asked for last. */
const char *cav_program_layout(const CavProgram *program);
gint cav_program_main(const CavProgram *program);
/* How many switches the output thread has applied so far (any thread). */
guint cav_program_applied(CavProgram *program);

void cav_program_free(CavProgram *program);

G_END_DECLS
