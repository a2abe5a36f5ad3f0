/* test-program.c — live layout switching in the program composite
 * (pipelines/program.c) on a real pipeline, frame by frame.
 *
 * Three solid-colour cameras (red, green, blue) feed the program bin;
 * a probe on its output reads the pixel at the centre of every pane and
 * asks for the next layout at fixed frames. Non-live sources make it
 * deterministic: a switch asked while frame k leaves the program applies
 * exactly at frame k + 2 (frame k + 1 was already being composed), for every
 * pane at once — no frame shows part of one layout and part of another —
 * and the output timestamps advance by exactly one frame interval
 * throughout, so a switch leaves no gap.
 */
#include "pipelines/program.h"

#include <gst/video/video.h>
#include <string.h>

#define W 320
#define H 180
#define FPS 25
#define FRAMES 60

static const guint8 luma[] = {81, 145, 41}; /* red, green, blue in BT.601 */
#define BLACK 16

typedef struct {
	guint x, y;
	gint camera; /* -1: black (empty) */
} Point;

typedef struct {
	guint at_frame; /* asked while this frame leaves */
	const char *layout;
	gint main;
	Point points[4];
	guint n_points;
} Step;

/* Pane centres: "1" (160,90); "2" (80,90) (240,90); "pip" inset (274,28);
 * "auto" = 2 × 2 with 3 cameras: (80,45) (240,45) (80,135) and an empty (240,135). */
static const Step steps[] = {
	{0, "1", 0, {{160, 90, 0}}, 1},
	{10, "1", 2, {{160, 90, 2}}, 1},
	{20, "2", 1, {{80, 90, 1}, {240, 90, 0}}, 2},
	{30, "pip", 0, {{160, 120, 0}, {274, 28, 1}}, 2},
	{40, "auto", 0, {{80, 45, 0}, {240, 45, 1}, {80, 135, 2}, {240, 135, -1}}, 4},
	{50, "side-by-side", 2, {{80, 90, 2}, {240, 90, 0}}, 2},
};

typedef struct {
	CavProgram *program;
	guint frame;
	GstClockTime last_pts;
	guint checked;
	guint failures;
} Run;

static const Step *
step_for_frame(guint frame)
{
	const Step *s = &steps[0];

	/* Step i (i > 0) shows from at_frame + 2 on. */
	for (guint i = 1; i < G_N_ELEMENTS(steps); i++)
		if (frame >= steps[i].at_frame + 2)
			s = &steps[i];
	return s;
}

static GstPadProbeReturn
on_frame(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	Run *run = data;
	GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
	const Step *want = step_for_frame(run->frame);
	GstMapInfo map;

	g_assert_true(GST_BUFFER_PTS_IS_VALID(buf));
	if (GST_CLOCK_TIME_IS_VALID(run->last_pts))
		g_assert_cmpuint(GST_BUFFER_PTS(buf) - run->last_pts, ==, GST_SECOND / FPS);
	run->last_pts = GST_BUFFER_PTS(buf);
	g_assert_true(gst_buffer_map(buf, &map, GST_MAP_READ));
	for (guint i = 0; i < want->n_points; i++) {
		const Point *p = &want->points[i];
		guint8 y = map.data[p->y * W + p->x];
		guint8 expect = p->camera >= 0 ? luma[p->camera] : BLACK;

		if (ABS((int)y - (int)expect) > 12) {
			g_printerr("frame %u, layout %s: pixel (%u,%u) has Y=%u, expected %u\n",
				   run->frame, want->layout, p->x, p->y, y, expect);
			run->failures++;
		}
		run->checked++;
	}
	gst_buffer_unmap(buf, &map);
	for (guint i = 1; i < G_N_ELEMENTS(steps); i++) {
		if (steps[i].at_frame == run->frame) {
			g_autoptr(GError) error = NULL;

			g_assert_true(cav_program_switch(run->program, steps[i].layout,
							 steps[i].main, &error));
			g_assert_no_error(error);
		}
	}
	/* An explicit layout with more panes than cameras is refused and
	 * changes nothing. */
	if (run->frame == 45) {
		g_autoptr(GError) error = NULL;

		g_assert_false(cav_program_switch(run->program, "4", 1, &error));
		g_assert_nonnull(error);
		g_assert_cmpstr(cav_program_layout(run->program), ==, "auto");
	}
	run->frame++;
	return GST_PAD_PROBE_OK;
}

static void
test_switching(void)
{
	static const guint colours[] = {0xffff0000, 0xff00ff00, 0xff0000ff};
	const CavVideoFormat camera = {W, H, FPS};
	const CavProgramOverlays overlays = {.clock = FALSE};
	const CavWallClock clock = {0};
	const CavProgramConfig cfg = {
		.layout = "1",
		.main = 0,
		.width = W,
		.height = H,
		.fps = FPS,
		.camera = &camera,
		.overlays = &overlays,
		.clock = &clock,
	};
	g_autoptr(GstElement) pipeline = gst_object_ref_sink(gst_pipeline_new(NULL));
	g_autoptr(GError) error = NULL;
	g_autoptr(GstPad) out = NULL;
	g_autoptr(GstBus) bus = NULL;
	g_autoptr(GstMessage) msg = NULL;
	GstElement *program, *sink;
	Run run = {NULL, 0, GST_CLOCK_TIME_NONE, 0, 0};

	program = cav_program_new(&cfg, 3, &run.program, &error);
	g_assert_no_error(error);
	gst_bin_add(GST_BIN(pipeline), program);
	for (guint i = 0; i < 3; i++) {
		g_autofree char *desc = g_strdup_printf(
			"videotestsrc pattern=solid-color foreground-color=%u num-buffers=%u ! "
			"capsfilter caps=\"video/x-raw,format=I420,width=%u,height=%u,"
			"framerate=%u/1\"",
			colours[i], FRAMES, W, H, FPS);
		g_autofree char *pad = g_strdup_printf("sink_%u", i);
		GstElement *src = gst_parse_bin_from_description(desc, TRUE, &error);

		g_assert_no_error(error);
		gst_bin_add(GST_BIN(pipeline), src);
		g_assert_true(gst_element_link_pads(src, NULL, program, pad));
	}
	sink = gst_element_factory_make("fakesink", NULL);
	g_object_set(sink, "sync", FALSE, NULL);
	gst_bin_add(GST_BIN(pipeline), sink);
	g_assert_true(gst_element_link(program, sink));
	out = gst_element_get_static_pad(program, "src");
	gst_pad_add_probe(out, GST_PAD_PROBE_TYPE_BUFFER, on_frame, &run, NULL);

	g_assert_cmpint(gst_element_set_state(pipeline, GST_STATE_PLAYING), !=,
			GST_STATE_CHANGE_FAILURE);
	bus = gst_element_get_bus(pipeline);
	msg = gst_bus_timed_pop_filtered(bus, 30 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
	g_assert_nonnull(msg);
	if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
		g_autoptr(GError) gerr = NULL;

		gst_message_parse_error(msg, &gerr, NULL);
		g_error("pipeline error: %s", gerr->message);
	}
	gst_element_set_state(pipeline, GST_STATE_NULL);
	g_assert_cmpuint(run.frame, ==, FRAMES);
	g_assert_cmpuint(run.failures, ==, 0);
	g_assert_cmpuint(run.checked, >=, FRAMES);
	g_assert_cmpuint(cav_program_applied(run.program), ==, G_N_ELEMENTS(steps) - 1);
	g_assert_cmpstr(cav_program_layout(run.program), ==, "2");
	g_assert_cmpint(cav_program_main(run.program), ==, 2);
	cav_program_free(run.program);
}

int
main(int argc, char **argv)
{
	gst_init(&argc, &argv);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/program/live-switching", test_switching);
	return g_test_run();
}
