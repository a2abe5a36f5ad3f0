/* layout.h — the program picture's layouts as pure geometry.
 *
 * A layout cuts the program frame into panes: pane 0 is the main pane (the
 * speaker's camera under voice-activated switching), the others follow.
 *
 *   "1"    one camera, full frame
 *   "2"    two side by side (alias "side-by-side")
 *   "4"    2 × 2 grid (alias "2x2")
 *   "5"    one large (¾ × ¾, top centre) + 4 small along the bottom (alias "1+4")
 *   "6"    one large (⅔ × ⅔, top left) + 5 small around it on a 3 × 3 grid (alias "1+5")
 *   "pip"  picture in picture: the main camera full frame, a ¼ × ¼ inset at
 *          the top right (interrogation rooms: subject large, room overview
 *          inset); the clock stays clear of it at the bottom left
 *   "auto" the grid for the number of cameras: 1, 2, 4, 5 or 6 panes
 *
 * Panes have even positions and sizes (I420 chroma), stay inside the frame
 * and never overlap, except the PiP inset, which lies inside the main pane
 * above it (zorder), away from the frame's edges. tests/pipelines/test-layout.c
 * proves this for every layout and many frame sizes.
 *
 * Pure functions; any thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CAV_LAYOUT_ERROR (cav_layout_error_quark())
GQuark cav_layout_error_quark(void);

typedef enum {
	CAV_LAYOUT_ERROR_UNKNOWN,   /* no layout of that name */
	CAV_LAYOUT_ERROR_TOO_FEW,   /* the layout has more panes than there are cameras */
	CAV_LAYOUT_ERROR_TOO_SMALL, /* the frame is too small to cut */
} CavLayoutError;

/* Most panes of any layout, and most camera inputs a program takes. */
#define CAV_LAYOUT_MAX_PANES 6
#define CAV_LAYOUT_MAX_CAMERAS 8

/* A rectangle of the program picture, in pixels. */
typedef struct {
	guint x;
	guint y;
	guint width;
	guint height;
} CavPane;

/* Canonical layout names in menu order ("auto", "1", "2", "4", "5", "6",
 * "pip"). (transfer none) NULL-terminated. */
const char *const *cav_layout_names(void);

/* The canonical name of @name (an alias or a canonical name), or NULL when
 * unknown. "auto" stays "auto". (transfer none) */
const char *cav_layout_canonical(const char *name);

/* The layout "auto" stands for with @n_cameras cameras. (transfer none) */
const char *cav_layout_auto(guint n_cameras);

/* Panes of a canonical or alias name; "auto" with @n_cameras; 0 when unknown. */
guint cav_layout_n_panes(const char *name, guint n_cameras);

/* TRUE when the last pane is an inset drawn over the main pane ("pip"). */
gboolean cav_layout_is_inset(const char *name);

/* Checks that @name exists and that @n_cameras cameras fill its panes
 * ("auto" may leave one empty: 3 cameras in "4"); on success returns the
 * concrete canonical name ("auto" resolved).
 * (transfer none) NULL with @error otherwise. */
const char *cav_layout_resolve(const char *name, guint n_cameras, GError **error);

/* Cuts a @width × @height frame for @name ("auto" resolved with
 * @n_cameras). @panes has room for CAV_LAYOUT_MAX_PANES; *@n_panes gets how
 * many were written. Outputs untouched on failure. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_layout_panes(const char *name, guint n_cameras, guint width, guint height,
			  CavPane *panes, guint *n_panes, GError **error);

/* The largest even-sized rectangle with @src_width:@src_height's aspect
 * that fits in @pane, centred in it. */
void cav_layout_fit(const CavPane *pane, guint src_width, guint src_height, CavPane *out);

/* Which camera shows in which pane: pane 0 gets @main (a camera index, or
 * -1 for the first camera), the other panes the remaining cameras in order.
 * @camera_of_pane has room for @n_panes; cameras beyond the panes are hidden,
 * panes beyond the cameras get G_MAXUINT (left empty). */
void cav_layout_assign(guint n_panes, guint n_cameras, gint main, guint *camera_of_pane);

/* TRUE for the overlay corners "top-left", "top-right", "bottom-left" and
 * "bottom-right". */
gboolean cav_layout_position_valid(const char *position);

G_END_DECLS
