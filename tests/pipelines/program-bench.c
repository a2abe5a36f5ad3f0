/* program-bench.c — CPU cost of the program composite alone (driver of
 * bench/program-cpu.sh).
 *
 * N non-live test cameras (I420 at --width x --height, 25 fps) feed the real
 * program bin (pipelines/program.c: pre-scale per input, compositor,
 * overlays) in --layout at --program-width x --program-height; the output
 * goes to a fakesink as fast as it can for --frames frames. With --baseline
 * the cameras go straight to fakesinks instead, so the caller can subtract
 * what producing the test pictures costs. Prints one line:
 *   frames <n> cpu_s <user+system seconds> wall_s <seconds>
 */
#include "pipelines/program.h"

#include <stdio.h>
#include <sys/resource.h>

static double
cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

int
main(int argc, char **argv)
{
	const char *layout = "4";
	int cameras = 4, width = 1280, height = 720, pw = 1920, ph = 1080, frames = 250;
	gboolean baseline = FALSE;
	GOptionEntry entries[] = {
		{"layout", 0, 0, G_OPTION_ARG_STRING, &layout, "Program layout", "L"},
		{"cameras", 0, 0, G_OPTION_ARG_INT, &cameras, "Cameras", "N"},
		{"width", 0, 0, G_OPTION_ARG_INT, &width, "Camera width", "PX"},
		{"height", 0, 0, G_OPTION_ARG_INT, &height, "Camera height", "PX"},
		{"program-width", 0, 0, G_OPTION_ARG_INT, &pw, "Program width", "PX"},
		{"program-height", 0, 0, G_OPTION_ARG_INT, &ph, "Program height", "PX"},
		{"frames", 0, 0, G_OPTION_ARG_INT, &frames, "Frames", "N"},
		{"baseline", 0, 0, G_OPTION_ARG_NONE, &baseline, "Cameras only", NULL},
		{NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- program composite benchmark");
	g_autoptr(GError) error = NULL;
	g_autoptr(GstElement) pipeline = NULL;
	g_autoptr(GstBus) bus = NULL;
	g_autoptr(GstMessage) msg = NULL;
	const CavVideoFormat camera = {(guint)width, (guint)height, 25};
	const CavProgramOverlays overlays = {.caption = "测试人民法院 第一法庭",
					     .case_number = "（2026）兵0101刑初12号",
					     .clock = TRUE};
	const CavWallClock clock = {g_get_real_time()};
	CavProgram *control = NULL;
	GstElement *program = NULL;
	GTimer *timer;
	double cpu0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_add_group(ctx, gst_init_get_option_group());
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		g_printerr("%s\n", error->message);
		return 2;
	}
	pipeline = gst_object_ref_sink(gst_pipeline_new(NULL));
	if (!baseline) {
		CavProgramConfig cfg = {layout, 0,       (guint)pw, (guint)ph,
					25,     &camera, &overlays, &clock};
		GstElement *sink = gst_element_factory_make("fakesink", NULL);

		program = cav_program_new(&cfg, (guint)cameras, &control, &error);
		if (program == NULL) {
			g_printerr("%s\n", error->message);
			return 1;
		}
		g_object_set(sink, "sync", FALSE, NULL);
		gst_bin_add_many(GST_BIN(pipeline), program, sink, NULL);
		gst_element_link(program, sink);
	}
	for (int i = 0; i < cameras; i++) {
		g_autofree char *desc = g_strdup_printf(
			"videotestsrc pattern=%s num-buffers=%d ! capsfilter caps=\"video/x-raw,"
			"format=I420,width=%d,height=%d,framerate=25/1\"",
			i % 2 ? "ball" : "smpte", frames, width, height);
		g_autofree char *pad = g_strdup_printf("sink_%d", i);
		GstElement *src = gst_parse_bin_from_description(desc, TRUE, &error);

		gst_bin_add(GST_BIN(pipeline), src);
		if (baseline) {
			GstElement *sink = gst_element_factory_make("fakesink", NULL);

			g_object_set(sink, "sync", FALSE, NULL);
			gst_bin_add(GST_BIN(pipeline), sink);
			gst_element_link(src, sink);
		} else {
			gst_element_link_pads(src, NULL, program, pad);
		}
	}
	cpu0 = cpu_seconds();
	timer = g_timer_new();
	gst_element_set_state(pipeline, GST_STATE_PLAYING);
	bus = gst_element_get_bus(pipeline);
	msg = gst_bus_timed_pop_filtered(bus, GST_CLOCK_TIME_NONE,
					 GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
	if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
		gst_message_parse_error(msg, &error, NULL);
		g_printerr("%s\n", error->message);
		return 1;
	}
	printf("frames %d cpu_s %.3f wall_s %.3f\n", frames, cpu_seconds() - cpu0,
	       g_timer_elapsed(timer, NULL));
	gst_element_set_state(pipeline, GST_STATE_NULL);
	g_timer_destroy(timer);
	cav_program_free(control);
	return 0;
}
