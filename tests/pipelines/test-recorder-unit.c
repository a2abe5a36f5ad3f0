/* test-recorder-unit.c — the recorder's pure parts and its plan checks:
 * segment paths, plan errors, track order (role tracks too), and the life
 * cycle of a recorder that is never started. No pipeline runs here. The
 * layouts' geometry has its own test (test-layout.c).
 */
#include "pipelines/recorder.h"

#include <string.h>

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
	/* More panes than cameras; fewer is fine (the others are hidden). */
	p.plan.layout = "6";
	g_ptr_array_add(p.sources, cav_source_spec_new("cam3", CAV_MEDIA_VIDEO, "test"));
	assert_build_error(&p.plan, "6");
	p.plan.layout = "side-by-side";
	p.plan.main_camera = "cam9";
	assert_build_error(&p.plan, "main_camera");
	p.plan.main_camera = NULL;
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
	static const char *const roles[] = {"judge", "prosecution", "defence", NULL};
	static const char *const with_roles[] = {"cam1",        "cam2",          "program", "audio",
						 "audio-judge", "audio-defence", NULL};
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
	g_assert_cmpstr(cav_recorder_program_layout(rec), ==, "auto");
	g_assert_cmpstr(cav_recorder_program_main(rec), ==, "cam1");
	cav_recorder_free(rec);

	/* Role tracks after the mix, in the plan's role order, only for roles
	 * that have a microphone; two defence microphones make one track. */
	plan_clear(&p);
	plan_init(&p, 2, 4);
	((CavSourceSpec *)p.sources->pdata[2])->role = g_strdup("defence");
	((CavSourceSpec *)p.sources->pdata[3])->role = g_strdup("judge");
	((CavSourceSpec *)p.sources->pdata[4])->role = g_strdup("defence");
	p.plan.role_tracks = roles;
	rec = cav_recorder_new(&p.plan, NULL, NULL, &error);
	g_assert_no_error(error);
	assert_tracks(rec, with_roles);
	/* Live switching before start: validated, remembered. */
	g_assert_true(cav_recorder_set_program(rec, "pip", "cam2", &error));
	g_assert_no_error(error);
	g_assert_cmpstr(cav_recorder_program_layout(rec), ==, "pip");
	g_assert_cmpstr(cav_recorder_program_main(rec), ==, "cam2");
	g_assert_false(cav_recorder_set_program(rec, "4", NULL, &error));
	g_assert_nonnull(strstr(error->message, "4"));
	g_clear_error(&error);
	g_assert_false(cav_recorder_set_program(rec, NULL, "cam7", &error));
	g_clear_error(&error);
	g_assert_cmpstr(cav_recorder_program_layout(rec), ==, "pip");
	cav_recorder_free(rec);
	cav_recorder_free(NULL);
}

int
main(int argc, char **argv)
{
	gst_init(&argc, &argv);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/recorder/segment-path", test_segment_path);
	g_test_add_func("/recorder/plan-errors", test_plan_errors);
	g_test_add_func("/recorder/tracks-and-unstarted-stop", test_tracks_and_unstarted_stop);
	return g_test_run();
}
