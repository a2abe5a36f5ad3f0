/* test-layout.c — the program layouts' geometry (pipelines/layout.c):
 * for every layout, camera count and many frame sizes, panes are even,
 * inside the frame and never overlap (the PiP inset lies inside the main
 * pane, away from the edges); names, aliases, "auto", pane assignment and
 * the errors for unknown layouts and too few cameras.
 */
#include "pipelines/layout.h"

#include <string.h>

static gboolean
overlap(const CavPane *a, const CavPane *b)
{
	return a->x < b->x + b->width && b->x < a->x + a->width && a->y < b->y + b->height &&
	       b->y < a->y + a->height;
}

static gboolean
inside(const CavPane *inner, const CavPane *outer)
{
	return inner->x >= outer->x && inner->y >= outer->y &&
	       inner->x + inner->width <= outer->x + outer->width &&
	       inner->y + inner->height <= outer->y + outer->height;
}

static void
assert_sane(const char *layout, guint n_cameras, guint width, guint height)
{
	CavPane panes[CAV_LAYOUT_MAX_PANES];
	CavPane frame = {0, 0, width, height};
	g_autoptr(GError) error = NULL;
	guint n = 0;
	gboolean inset = cav_layout_is_inset(layout);

	if (!cav_layout_panes(layout, n_cameras, width, height, panes, &n, &error))
		g_error("%s with %u cameras at %ux%u: %s", layout, n_cameras, width, height,
			error->message);
	g_assert_cmpuint(n, ==, cav_layout_n_panes(layout, n_cameras));
	if (strcmp(layout, "auto") != 0)
		g_assert_cmpuint(n, <=, n_cameras);
	for (guint i = 0; i < n; i++) {
		g_assert_cmpuint(panes[i].width, >=, 2);
		g_assert_cmpuint(panes[i].height, >=, 2);
		g_assert_cmpuint(panes[i].x % 2 + panes[i].y % 2, ==, 0);
		g_assert_cmpuint(panes[i].width % 2 + panes[i].height % 2, ==, 0);
		g_assert_true(inside(&panes[i], &frame));
		for (guint j = 0; j < i; j++) {
			if (inset && i == n - 1 && j == 0)
				continue;
			if (overlap(&panes[i], &panes[j]))
				g_error("%s %ux%u: panes %u and %u overlap", layout, width, height,
					j, i);
		}
	}
	if (inset) {
		/* Inside the main pane, clear of every edge. */
		g_assert_true(inside(&panes[n - 1], &panes[0]));
		g_assert_cmpuint(panes[n - 1].x, >, 0);
		g_assert_cmpuint(panes[n - 1].y, >, 0);
		g_assert_cmpuint(panes[n - 1].x + panes[n - 1].width, <, width);
		g_assert_cmpuint(panes[n - 1].y + panes[n - 1].height, <, height);
		/* The clock sits at the bottom left: the inset stays in the top half. */
		g_assert_cmpuint(panes[n - 1].y + panes[n - 1].height, <=, height / 2);
	} else if (n > 1) {
		/* The main pane is at least as large as any other. */
		for (guint i = 1; i < n; i++)
			g_assert_cmpuint(panes[0].width * panes[0].height, >=,
					 panes[i].width * panes[i].height);
	}
}

static void
test_every_layout(void)
{
	static const guint sizes[][2] = {{1920, 1080}, {1280, 720}, {1918, 1078},
					 {720, 576},   {64, 48},    {3840, 2160},
					 {1000, 1000}, {66, 50},    {1922, 1082}};
	const char *const *names = cav_layout_names();

	for (guint s = 0; s < G_N_ELEMENTS(sizes); s++)
		for (guint l = 0; names[l] != NULL; l++)
			for (guint cams = 1; cams <= CAV_LAYOUT_MAX_CAMERAS; cams++)
				if (cav_layout_n_panes(names[l], cams) <= cams)
					assert_sane(names[l], cams, sizes[s][0], sizes[s][1]);
	/* Every even size in a range, for the rounding. */
	for (guint w = 86; w <= 400; w += 2)
		for (guint l = 0; names[l] != NULL; l++)
			assert_sane(names[l], 6, w, (w * 9 / 16 + 1) & ~1u);
}

static void
test_geometry(void)
{
	CavPane p[CAV_LAYOUT_MAX_PANES];
	guint n;

	g_assert_true(cav_layout_panes("5", 5, 1920, 1080, p, &n, NULL));
	g_assert_cmpuint(n, ==, 5);
	/* ¾ × ¾ large pane centred on top, 16:9 like the frame. */
	g_assert_cmpuint(p[0].x, ==, 240);
	g_assert_cmpuint(p[0].width, ==, 1440);
	g_assert_cmpuint(p[0].height, ==, 810);
	g_assert_cmpuint(p[4].x, ==, 1440);
	g_assert_cmpuint(p[4].y, ==, 810);
	g_assert_cmpuint(p[4].width, ==, 480);
	g_assert_true(cav_layout_panes("6", 6, 1920, 1080, p, &n, NULL));
	g_assert_cmpuint(p[0].width, ==, 1280);
	g_assert_cmpuint(p[0].height, ==, 720);
	g_assert_cmpuint(p[5].x, ==, 1280);
	g_assert_cmpuint(p[5].y, ==, 720);
	g_assert_true(cav_layout_panes("pip", 2, 1920, 1080, p, &n, NULL));
	g_assert_cmpuint(p[0].width, ==, 1920);
	g_assert_cmpuint(p[1].width, ==, 480);
	g_assert_cmpuint(p[1].x + p[1].width, ==, 1920 - 36);
	g_assert_true(cav_layout_panes("2", 3, 1280, 720, p, &n, NULL));
	g_assert_cmpuint(n, ==, 2);
	g_assert_cmpuint(p[1].x, ==, 640);
}

static void
test_names(void)
{
	g_assert_cmpstr(cav_layout_canonical("2x2"), ==, "4");
	g_assert_cmpstr(cav_layout_canonical("side-by-side"), ==, "2");
	g_assert_cmpstr(cav_layout_canonical("1+5"), ==, "6");
	g_assert_cmpstr(cav_layout_canonical("auto"), ==, "auto");
	g_assert_null(cav_layout_canonical("3x3"));
	g_assert_null(cav_layout_canonical(NULL));
	g_assert_cmpstr(cav_layout_resolve("auto", 3, NULL), ==, "4");
	g_assert_cmpstr(cav_layout_resolve("auto", 8, NULL), ==, "6");
	g_assert_cmpstr(cav_layout_resolve("auto", 1, NULL), ==, "1");
	g_assert_cmpstr(cav_layout_resolve("2x2", 4, NULL), ==, "4");
	g_assert_cmpuint(cav_layout_n_panes("pip", 1), ==, 2);
	g_assert_true(cav_layout_position_valid("bottom-right"));
	g_assert_false(cav_layout_position_valid("middle"));
	g_assert_false(cav_layout_position_valid(NULL));
}

static void
test_errors(void)
{
	CavPane p[CAV_LAYOUT_MAX_PANES];
	GError *error = NULL;
	guint n = 77;

	g_assert_null(cav_layout_resolve("6", 4, &error));
	g_assert_error(error, CAV_LAYOUT_ERROR, CAV_LAYOUT_ERROR_TOO_FEW);
	g_assert_nonnull(strstr(error->message, "6 panes"));
	g_clear_error(&error);
	g_assert_null(cav_layout_resolve("pip", 1, &error));
	g_assert_error(error, CAV_LAYOUT_ERROR, CAV_LAYOUT_ERROR_TOO_FEW);
	g_clear_error(&error);
	g_assert_null(cav_layout_resolve("3x3", 9, &error));
	g_assert_error(error, CAV_LAYOUT_ERROR, CAV_LAYOUT_ERROR_UNKNOWN);
	g_assert_nonnull(strstr(error->message, "pip"));
	g_clear_error(&error);
	g_assert_null(cav_layout_resolve("auto", 0, &error));
	g_clear_error(&error);
	g_assert_false(cav_layout_panes("4", 4, 62, 48, p, &n, &error));
	g_assert_error(error, CAV_LAYOUT_ERROR, CAV_LAYOUT_ERROR_TOO_SMALL);
	g_assert_cmpuint(n, ==, 77);
	g_clear_error(&error);
}

static void
test_fit(void)
{
	CavPane pane = {640, 0, 640, 720}, out;

	/* 16:9 into a tall half: full width, centred vertically. */
	cav_layout_fit(&pane, 1280, 720, &out);
	g_assert_cmpuint(out.width, ==, 640);
	g_assert_cmpuint(out.height, ==, 360);
	g_assert_cmpuint(out.x, ==, 640);
	g_assert_cmpuint(out.y, ==, 180);
	/* 4:3 into a 16:9 pane: full height, centred horizontally. */
	pane = (CavPane){0, 360, 640, 360};
	cav_layout_fit(&pane, 640, 480, &out);
	g_assert_cmpuint(out.height, ==, 360);
	g_assert_cmpuint(out.width, ==, 480);
	g_assert_cmpuint(out.x, ==, 80);
	g_assert_cmpuint(out.y, ==, 360);
}

static void
test_assign(void)
{
	guint cam[CAV_LAYOUT_MAX_PANES];

	cav_layout_assign(4, 6, 3, cam);
	g_assert_cmpuint(cam[0], ==, 3);
	g_assert_cmpuint(cam[1], ==, 0);
	g_assert_cmpuint(cam[2], ==, 1);
	g_assert_cmpuint(cam[3], ==, 2);
	cav_layout_assign(2, 2, 1, cam);
	g_assert_cmpuint(cam[0], ==, 1);
	g_assert_cmpuint(cam[1], ==, 0);
	cav_layout_assign(1, 3, -1, cam);
	g_assert_cmpuint(cam[0], ==, 0);
	cav_layout_assign(4, 3, 2, cam);
	g_assert_cmpuint(cam[0], ==, 2);
	g_assert_cmpuint(cam[2], ==, 1);
	g_assert_cmpuint(cam[3], ==, G_MAXUINT);
	cav_layout_assign(3, 3, 99, cam);
	g_assert_cmpuint(cam[0], ==, 0);
	g_assert_cmpuint(cam[1], ==, 1);
	g_assert_cmpuint(cam[2], ==, 2);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/layout/every-layout-sane", test_every_layout);
	g_test_add_func("/layout/geometry", test_geometry);
	g_test_add_func("/layout/names", test_names);
	g_test_add_func("/layout/errors", test_errors);
	g_test_add_func("/layout/fit", test_fit);
	g_test_add_func("/layout/assign", test_assign);
	return g_test_run();
}
