/* layout.c — pane geometry of the program layouts (see layout.h).
 *
 * Every size is rounded down to an even number before positions are
 * derived from it, so panes abut exactly or leave a black sliver at the
 * right or bottom edge; they never overlap because each pane's origin is
 * computed from the rounded sizes of the panes before it, never from the
 * frame size directly.
 *
 * The "5" layout puts the large pane at ¾ × ¾ of the frame so it keeps the
 * frame's aspect (a 16:9 camera fills it without bars) and the four small
 * ones at ¼ × ¼ along the bottom, also 16:9. "6" is the usual 3 × 3 grid
 * with the main pane on 2 × 2 cells. Rejected: a large pane of the full
 * height beside a column of small ones (a 4:3 hole for a 16:9 camera).
 *
 * Pure; any thread.
 */
#include "layout.h"

#include <string.h>

/* The first argument is stringified: the error domain's name. */
/* clang-format off */
G_DEFINE_QUARK(cav-layout-error-quark, cav_layout_error)
/* clang-format on */

typedef struct {
	const char *name;
	guint panes; /* 0 for "auto" */
} LayoutInfo;

static const LayoutInfo layouts[] = {
	{"auto", 0}, {"1", 1}, {"2", 2}, {"4", 4}, {"5", 5}, {"6", 6}, {"pip", 2},
};

static const char *const names[] = {"auto", "1", "2", "4", "5", "6", "pip", NULL};

static const struct {
	const char *alias;
	const char *name;
} aliases[] = {
	{"side-by-side", "2"}, {"2x2", "4"},    {"1+4", "5"},
	{"1+5", "6"},          {"single", "1"}, {"PiP", "pip"},
};

#define EVEN(v) ((guint)(v) & ~1u)

const char *const *
cav_layout_names(void)
{
	return names;
}

const char *
cav_layout_canonical(const char *name)
{
	if (name == NULL)
		return NULL;
	for (guint i = 0; i < G_N_ELEMENTS(layouts); i++)
		if (strcmp(layouts[i].name, name) == 0)
			return layouts[i].name;
	for (guint i = 0; i < G_N_ELEMENTS(aliases); i++)
		if (strcmp(aliases[i].alias, name) == 0)
			return aliases[i].name;
	return NULL;
}

const char *
cav_layout_auto(guint n_cameras)
{
	if (n_cameras <= 1)
		return "1";
	if (n_cameras == 2)
		return "2";
	if (n_cameras <= 4)
		return "4";
	if (n_cameras == 5)
		return "5";
	return "6";
}

static const LayoutInfo *
info_of(const char *name, guint n_cameras)
{
	const char *canonical = cav_layout_canonical(name);

	if (canonical == NULL)
		return NULL;
	if (strcmp(canonical, "auto") == 0)
		canonical = cav_layout_auto(n_cameras);
	for (guint i = 0; i < G_N_ELEMENTS(layouts); i++)
		if (strcmp(layouts[i].name, canonical) == 0)
			return &layouts[i];
	return NULL;
}

guint
cav_layout_n_panes(const char *name, guint n_cameras)
{
	const LayoutInfo *info = info_of(name, n_cameras);

	return info != NULL ? info->panes : 0;
}

gboolean
cav_layout_is_inset(const char *name)
{
	return g_strcmp0(cav_layout_canonical(name), "pip") == 0;
}

const char *
cav_layout_resolve(const char *name, guint n_cameras, GError **error)
{
	const LayoutInfo *info = info_of(name, n_cameras);

	if (info == NULL) {
		g_autofree char *known = g_strjoinv(", ", (char **)names);

		g_set_error(error, CAV_LAYOUT_ERROR, CAV_LAYOUT_ERROR_UNKNOWN,
			    "Unknown program layout \"%s\" (known: %s)", name ? name : "(none)",
			    known);
		return NULL;
	}
	/* "auto" may leave a pane empty (3 cameras in the 2 × 2 grid); a layout
	 * someone chose must be filled. */
	if (n_cameras == 0 || (info->panes > n_cameras && strcmp(name, "auto") != 0)) {
		g_set_error(error, CAV_LAYOUT_ERROR, CAV_LAYOUT_ERROR_TOO_FEW,
			    "Program layout \"%s\" has %u panes but only %u camera%s configured",
			    name, info->panes, n_cameras, n_cameras == 1 ? " is" : "s are");
		return NULL;
	}
	return info->name;
}

static void
set(CavPane *p, guint x, guint y, guint w, guint h)
{
	p->x = x;
	p->y = y;
	p->width = w;
	p->height = h;
}

/* @cols × @rows cells of even size from the top left. */
static void
grid(guint cols, guint rows, guint n, guint width, guint height, CavPane *panes)
{
	guint cw = EVEN(width / cols), ch = EVEN(height / rows);

	for (guint i = 0; i < n; i++)
		set(&panes[i], (i % cols) * cw, (i / cols) * ch, cw, ch);
}

static void
one_plus_four(guint width, guint height, CavPane *panes)
{
	guint sw = EVEN(width / 4), sh = EVEN(height / 4);
	guint mw = 3 * sw, mh = EVEN(height - sh);

	set(&panes[0], EVEN((width - mw) / 2), 0, mw, mh);
	for (guint i = 0; i < 4; i++)
		set(&panes[1 + i], i * sw, mh, sw, sh);
}

static void
one_plus_five(guint width, guint height, CavPane *panes)
{
	guint cw = EVEN(width / 3), ch = EVEN(height / 3);
	static const guint cells[5][2] = {{2, 0}, {2, 1}, {0, 2}, {1, 2}, {2, 2}};

	set(&panes[0], 0, 0, 2 * cw, 2 * ch);
	for (guint i = 0; i < 5; i++)
		set(&panes[1 + i], cells[i][0] * cw, cells[i][1] * ch, cw, ch);
}

static void
pip(guint width, guint height, CavPane *panes)
{
	guint w = EVEN(width / 4), h = EVEN(height / 4);
	guint margin = MAX(EVEN(MIN(width, height) / 30), 2u);

	set(&panes[0], 0, 0, EVEN(width), EVEN(height));
	set(&panes[1], EVEN(width) - w - margin, margin, w, h);
}

gboolean
cav_layout_panes(const char *name, guint n_cameras, guint width, guint height, CavPane *panes,
		 guint *n_panes, GError **error)
{
	const char *concrete = cav_layout_resolve(name, n_cameras, error);
	guint n;

	if (concrete == NULL)
		return FALSE;
	/* 64 × 48 keeps every pane at least 2 pixels after the ¼ and ⅓ cuts
	 * and the PiP margin. */
	if (width < 64 || height < 48) {
		g_set_error(error, CAV_LAYOUT_ERROR, CAV_LAYOUT_ERROR_TOO_SMALL,
			    "Program size %ux%u is too small for layout \"%s\" (at least 64x48)",
			    width, height, name);
		return FALSE;
	}
	n = cav_layout_n_panes(concrete, n_cameras);
	if (strcmp(concrete, "1") == 0)
		grid(1, 1, 1, width, height, panes);
	else if (strcmp(concrete, "2") == 0)
		grid(2, 1, 2, width, height, panes);
	else if (strcmp(concrete, "4") == 0)
		grid(2, 2, 4, width, height, panes);
	else if (strcmp(concrete, "5") == 0)
		one_plus_four(width, height, panes);
	else if (strcmp(concrete, "6") == 0)
		one_plus_five(width, height, panes);
	else
		pip(width, height, panes);
	*n_panes = n;
	return TRUE;
}

void
cav_layout_fit(const CavPane *pane, guint src_width, guint src_height, CavPane *out)
{
	guint64 w = pane->width, h = pane->height;

	/* Compare aspects without division: pw/ph versus sw/sh. */
	if ((guint64)pane->width * src_height > (guint64)pane->height * src_width)
		w = (guint64)pane->height * src_width / src_height;
	else
		h = (guint64)pane->width * src_height / src_width;
	out->width = MAX(EVEN(w), 2u);
	out->height = MAX(EVEN(h), 2u);
	out->x = pane->x + EVEN((pane->width - out->width) / 2);
	out->y = pane->y + EVEN((pane->height - out->height) / 2);
}

void
cav_layout_assign(guint n_panes, guint n_cameras, gint main, guint *camera_of_pane)
{
	guint next = 0;

	if (main < 0 || (guint)main >= n_cameras)
		main = 0;
	camera_of_pane[0] = (guint)main;
	for (guint p = 1; p < n_panes; p++) {
		if (next == (guint)main)
			next++;
		camera_of_pane[p] = next < n_cameras ? next : G_MAXUINT;
		next++;
	}
}

gboolean
cav_layout_position_valid(const char *position)
{
	static const char *const positions[] = {"top-left", "top-right", "bottom-left",
						"bottom-right", NULL};

	return position != NULL && g_strv_contains(positions, position);
}
