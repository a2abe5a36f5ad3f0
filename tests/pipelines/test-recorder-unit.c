/* test-recorder-unit.c — the recorder's pure parts and its plan checks:
 * program layouts, segment paths, plan errors, track order, and the life
 * cycle of a recorder that is never started. No pipeline runs here.
 */
#include "pipelines/program.h"
#include "pipelines/recorder.h"

#include <string.h>

static gboolean
panes_overlap(const CavPane *a, const CavPane *b)
{
	return a->x < b->x + b->width && b->x < a->x + a->width && a->y < b->y + b->height &&
	       b->y < a->y + a->height;
}

static void
assert_layout_sane(const char *layout, guint n, guint width, guint height)
{
	CavPane panes[CAV_PROGRAM_MAX_PANES];
	g_autoptr(GError) error = NULL;

	g_assert_true(cav_program_layout(layout, n, width, height, panes, &error));
	g_assert_no_error(error);
	for (guint i = 0; i < n; i++) {
		g_assert_cmpuint(panes[i].width, >, 0);
		g_assert_cmpuint(panes[i].height, >, 0);
		g_assert_cmpuint(panes[i].x + panes[i].width, <=, width);
		g_assert_cmpuint(panes[i].y + panes[i].height, <=, height);
		g_assert_cmpuint(panes[i].width % 2, ==, 0);
		for (guint j = 0; j < i; j++)
			g_assert_false(panes_overlap(&panes[i], &panes[j]));
	}
}

static void
test_layouts(void)
{
	CavPane p[CAV_PROGRAM_MAX_PANES];

	for (guint n = 1; n <= CAV_PROGRAM_MAX_PANES; n++) {
		assert_layout_sane("auto", n, 1280, 720);
		assert_layout_sane("auto", n, 1918, 1078);
	}
	for (guint n = 1; n <= 4; n++)
		assert_layout_sane("2x2", n, 1280, 720);
	assert_layout_sane("side-by-side", 2, 1280, 720);

	g_assert_true(cav_program_layout("auto", 1, 1280, 720, p, NULL));
	g_assert_cmpuint(p[0].width, ==, 1280);
	g_assert_cmpuint(p[0].height, ==, 720);
	g_assert_true(cav_program_layout("auto", 2, 1280, 720, p, NULL));
	g_assert_cmpuint(p[1].x, ==, 640);
	g_assert_cmpuint(p[1].y, ==, 0);
	g_assert_cmpuint(p[1].height, ==, 720);
	g_assert_true(cav_program_layout("auto", 3, 1280, 720, p, NULL));
	g_assert_cmpuint(p[2].x, ==, 0);
	g_assert_cmpuint(p[2].y, ==, 360);
	g_assert_cmpuint(p[2].width, ==, 640);
}

static void
test_layout_errors(void)
{
	CavPane p[CAV_PROGRAM_MAX_PANES];
	GError *error = NULL;

	g_assert_false(cav_program_layout("2x2", 5, 1280, 720, p, &error));
	g_assert_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD);
	g_clear_error(&error);
	g_assert_false(cav_program_layout("side-by-side", 3, 1280, 720, p, &error));
	g_assert_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD);
	g_clear_error(&error);
	g_assert_false(cav_program_layout("pip", 2, 1280, 720, p, &error));
	g_assert_nonnull(strstr(error->message, "pip"));
	g_clear_error(&error);
	g_assert_false(cav_program_layout("auto", 0, 1280, 720, p, &error));
	g_clear_error(&error);
	g_assert_false(cav_program_layout("auto", 10, 1280, 720, p, &error));
	g_clear_error(&error);
}

static void
test_fit(void)
{
	CavPane pane = {640, 0, 640, 720}, out;

	/* 16:9 into a tall half: full width, centred vertically. */
	cav_program_fit(&pane, 1280, 720, &out);
	g_assert_cmpuint(out.width, ==, 640);
	g_assert_cmpuint(out.height, ==, 360);
	g_assert_cmpuint(out.x, ==, 640);
	g_assert_cmpuint(out.y, ==, 180);
	/* 4:3 into a 16:9 pane: full height, centred horizontally. */
	pane = (CavPane){0, 360, 640, 360};
	cav_program_fit(&pane, 640, 480, &out);
	g_assert_cmpuint(out.height, ==, 360);
	g_assert_cmpuint(out.width, ==, 480);
	g_assert_cmpuint(out.x, ==, 80);
	g_assert_cmpuint(out.y, ==, 360);
}

static void
test_segment_path(void)
{
	/* 2026-11-28 09:45:01 UTC = 17:45:01 in Beijing. */
	gint64 t = G_GINT64_CONSTANT(1795859101) * G_USEC_PER_SEC + 123456;
	g_autofree char *path =
		cav_recorder_segment_path("/srv/media/c1/h3", "room101_x_h3", "cam1", 7, t);

	g_assert_cmpstr(path, ==,
			"/srv/media/c1/h3/cam1/room101_x_h3_cam1_0007_20261128-174501.mp4");
}

typedef struct {
	CavRecordFormat format;
	GPtrArray *sources;
	CavRecorderPlan plan;
} Plan;

static void
plan_init(Plan *p, guint cameras, guint mics)
{
	p->format = (CavRecordFormat){
		.camera = {320, 240, 25},
		.program_width = 320,
		.program_height = 240,
		.camera_kbps = 300,
		.program_kbps = 300,
		.audio_kbps = 64,
		.segment_seconds = 2,
		.fragment_ms = 500,
		.keyframe_seconds = 1,
		.x264_preset = "ultrafast",
	};
	p->sources = g_ptr_array_new_with_free_func((GDestroyNotify)cav_source_spec_free);
	for (guint i = 1; i <= cameras; i++) {
		g_autofree char *id = g_strdup_printf("cam%u", i);

		g_ptr_array_add(p->sources, cav_source_spec_new(id, CAV_MEDIA_VIDEO, "test"));
	}
	for (guint i = 1; i <= mics; i++) {
		g_autofree char *id = g_strdup_printf("mic%u", i);

		g_ptr_array_add(p->sources, cav_source_spec_new(id, CAV_MEDIA_AUDIO, "test"));
	}
	p->plan = (CavRecorderPlan){
		.format = &p->format,
		.sources = p->sources,
		.media_dir = "/nonexistent/media",
		.name_prefix = "unit",
		.layout = "auto",
	};
}

static void
plan_clear(Plan *p)
{
	g_clear_pointer(&p->sources, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Plan, plan_clear)

static void
assert_build_error(const CavRecorderPlan *plan, const char *word)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(CavRecorder) rec = cav_recorder_new(plan, NULL, NULL, &error);

	g_assert_null(rec);
	g_assert_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD);
	if (strstr(error->message, word) == NULL)
		g_error("\"%s\" does not mention \"%s\"", error->message, word);
}

static void
test_plan_errors(void)
{
	g_auto(Plan) p = {0};

	plan_init(&p, 2, 1);
	p.plan.media_dir = "relative/dir";
	assert_build_error(&p.plan, "media_dir");
	p.plan.media_dir = "/m";
	p.plan.name_prefix = "a/b";
	assert_build_error(&p.plan, "name_prefix");
	p.plan.name_prefix = "unit";
	p.format.fragment_ms = 1500;
	assert_build_error(&p.plan, "fragment_ms");
	p.format.fragment_ms = 500;
	p.format.camera.width = 321;
	assert_build_error(&p.plan, "camera size");
	p.format.camera.width = 320;
	p.format.x264_preset = "warp-speed";
	assert_build_error(&p.plan, "warp-speed");
	p.format.x264_preset = "veryfast";
	p.plan.layout = "side-by-side";
	g_ptr_array_add(p.sources, cav_source_spec_new("cam3", CAV_MEDIA_VIDEO, "test"));
	assert_build_error(&p.plan, "side-by-side");
	p.plan.layout = "auto";
	g_ptr_array_add(p.sources, cav_source_spec_new("cam3", CAV_MEDIA_VIDEO, "test"));
	assert_build_error(&p.plan, "cam3");
	g_ptr_array_remove_index(p.sources, p.sources->len - 1);
	g_ptr_array_add(p.sources, cav_source_spec_new("cam4", CAV_MEDIA_VIDEO, "nope"));
	assert_build_error(&p.plan, "nope");
	g_ptr_array_set_size(p.sources, 0);
	assert_build_error(&p.plan, "no cameras");
}

static void
assert_tracks(CavRecorder *rec, const char *const *want)
{
	const char *const *tracks = cav_recorder_tracks(rec);
	guint i;

	for (i = 0; want[i] != NULL; i++)
		g_assert_cmpstr(tracks[i], ==, want[i]);
	g_assert_null(tracks[i]);
}

static void
on_stopped(CavRecorder *rec, gpointer data)
{
	(*(guint *)data)++;
}

static void
test_tracks_and_unstarted_stop(void)
{
	static const char *const all[] = {"cam1", "cam2", "cam3", "program", "audio", NULL};
	static const char *const audio_only[] = {"audio", NULL};
	static const char *const video_only[] = {"cam1", "program", NULL};
	CavRecorderCallbacks callbacks = {.stopped = on_stopped};
	g_auto(Plan) p = {0};
	g_autoptr(GError) error = NULL;
	CavRecorder *rec;
	guint stopped = 0;

	plan_init(&p, 3, 2);
	rec = cav_recorder_new(&p.plan, &callbacks, &stopped, &error);
	g_assert_no_error(error);
	assert_tracks(rec, all);
	/* Never started: stopped still arrives, on the main context, once. */
	cav_recorder_stop(rec, 1000);
	cav_recorder_stop(rec, 1000);
	g_assert_cmpuint(stopped, ==, 0);
	while (g_main_context_iteration(NULL, FALSE))
		;
	g_assert_cmpuint(stopped, ==, 1);
	cav_recorder_free(rec);

	plan_clear(&p);
	plan_init(&p, 0, 1);
	rec = cav_recorder_new(&p.plan, &callbacks, &stopped, &error);
	g_assert_no_error(error);
	assert_tracks(rec, audio_only);
	/* Freed before the deferred stopped runs: no callback after free. */
	cav_recorder_stop(rec, 1000);
	cav_recorder_free(rec);
	while (g_main_context_iteration(NULL, FALSE))
		;
	g_assert_cmpuint(stopped, ==, 1);

	plan_clear(&p);
	plan_init(&p, 1, 0);
	rec = cav_recorder_new(&p.plan, NULL, NULL, &error);
	g_assert_no_error(error);
	assert_tracks(rec, video_only);
	cav_recorder_free(rec);
	cav_recorder_free(NULL);
}

int
main(int argc, char **argv)
{
	gst_init(&argc, &argv);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/recorder/layouts", test_layouts);
	g_test_add_func("/recorder/layout-errors", test_layout_errors);
	g_test_add_func("/recorder/fit", test_fit);
	g_test_add_func("/recorder/segment-path", test_segment_path);
	g_test_add_func("/recorder/plan-errors", test_plan_errors);
	g_test_add_func("/recorder/tracks-and-unstarted-stop", test_tracks_and_unstarted_stop);
	return g_test_run();
}
