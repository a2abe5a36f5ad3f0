/* test-quality.c — the quality report (appliance/quality.c) built from rows
 * written through the real store on a real SQLite file: coverage and gaps
 * per track, microphone silence, worst A/V offset, dropped frames, layout
 * completeness and the speaker timeline, and storing it.
 */
#include "appliance/quality.h"
#include "appliance/store-program.h"
#include "appliance/store-sources.h"

#include <glib/gstdio.h>
#include <math.h>

#define S (G_USEC_PER_SEC)
#define T0 ((gint64)1795859100 * S)

static const char config_text[] =
	"[courtavd]\nroom = 101\nstate_dir = /s\n"
	"[camera cam1]\nbackend = test\n[camera cam2]\nbackend = test\n[camera cam3]\nbackend = "
	"test\n"
	"[microphone mic1]\nbackend = test\nrole = judge\ncamera = cam1\n"
	"[microphone mic2]\nbackend = test\nrole = defence\ncamera = cam2\n";

static void
add_segment(CavStore *store, gint64 track, guint seq, gint64 start, gint64 end, double av,
	    gint64 dropped)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = g_strdup_printf("t%" G_GINT64_FORMAT "/%u.mp4", track, seq);
	gint64 id = cav_store_segment_insert_open(store, track, seq, path, start, &error);

	g_assert_no_error(error);
	g_assert_true(cav_store_segment_finish(store, id, "closed", end, (double)(end - start) / S,
					       1000, "00", seq, "00", &error));
	g_assert_true(cav_store_segment_set_quality(store, id, av, dropped, &error));
	g_assert_no_error(error);
}

static void
add_switch(CavStore *store, gint64 h, gint64 at, const char *kind, const char *layout,
	   const char *camera, const char *mic, const char *actor)
{
	CavSwitchRow row = {0,
			    h,
			    at,
			    (char *)kind,
			    (char *)layout,
			    (char *)camera,
			    (char *)mic,
			    (char *)actor,
			    NULL};
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(cav_store_switch_insert(store, &row, &error), >, 0);
}

static JsonObject *
track(JsonObject *r, const char *name)
{
	JsonArray *a = json_object_get_array_member(r, "tracks");

	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonObject *t = json_array_get_object_element(a, i);

		if (g_str_equal(json_object_get_string_member(t, "name"), name))
			return t;
	}
	g_assert_not_reached();
}

static void
test_report(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp("cav-quality-XXXXXX", &error);
	g_autofree char *db = g_build_filename(dir, "courtav.db", NULL);
	g_autoptr(CavConfig) config =
		cav_config_load_data("t.ini", config_text, sizeof config_text - 1, &error);
	g_autoptr(CavStore) store = cav_store_open(db, &error);
	CavCaseRow kase = {0, "（2026）兵0101刑初1号", "t", NULL, NULL, TRUE, 1, "t"};
	CavHearingRow hr = {0};
	g_autoptr(JsonNode) root = NULL;
	g_autofree char *text = NULL;
	JsonObject *r, *cam1, *cam2, *mic;
	gint64 h, t1, t2, fault;
	gboolean stored = FALSE;

	g_assert_no_error(error);
	g_assert_true(cav_store_room_upsert(store, "101", "第一法庭", NULL, &error));
	hr.uid = "u1";
	hr.case_id = cav_store_case_insert(store, &kase, &error);
	hr.room_id = "101";
	hr.state = CAV_HEARING_CLOSED;
	hr.media_dir = "/m";
	hr.name_prefix = "p";
	hr.opened_us = T0;
	hr.opened_by = "t";
	h = cav_store_hearing_insert(store, &hr, &error);
	g_assert_no_error(error);
	/* Recorded 0-60 s and 100-140 s (a 40 s recess between). */
	g_assert_cmpint(cav_store_interval_insert_closed(store, h, "recording", NULL, NULL, T0,
							 T0 + 60 * S, "t", &error),
			>, 0);
	g_assert_cmpint(cav_store_interval_insert_closed(store, h, "paused", "recess", NULL,
							 T0 + 60 * S, T0 + 100 * S, "t", &error),
			>, 0);
	g_assert_cmpint(cav_store_interval_insert_closed(store, h, "recording", NULL, NULL,
							 T0 + 100 * S, T0 + 140 * S, "t", &error),
			>, 0);
	t1 = cav_store_track_ensure(store, h, "cam1", "camera", NULL, &error);
	t2 = cav_store_track_ensure(store, h, "cam2", "camera", NULL, &error);
	/* cam1 covers everything (a 0.3 s start latency is no gap); cam2 misses
	 * 10 s in the middle of the first run. */
	add_segment(store, t1, 1, T0 + S * 3 / 10, T0 + 60 * S, -3.0, 0);
	add_segment(store, t1, 2, T0 + 100 * S, T0 + 140 * S, 30.0, 2);
	add_segment(store, t2, 1, T0, T0 + 20 * S, -130.0, 0);
	add_segment(store, t2, 2, T0 + 30 * S, T0 + 60 * S, NAN, -1);
	add_segment(store, t2, 3, T0 + 100 * S, T0 + 140 * S, 1.0, 0);
	/* mic2 silent 10 s; layouts: "4" (3 cameras: one empty pane) then "1". */
	fault = cav_store_audio_fault_open(store, h, "mic2", "silent", T0 + 10 * S, &error);
	g_assert_true(cav_store_audio_fault_close(store, fault, T0 + 20 * S, &error));
	add_switch(store, h, T0, "layout", "auto", "cam1", NULL, "courtavd");
	add_switch(store, h, T0 + 5 * S, "speaker", "auto", "cam2", "mic2", "courtavd");
	add_switch(store, h, T0 + 40 * S, "layout", "1", "cam2", NULL, "clerk1");
	add_switch(store, h, T0 + 100 * S, "layout", "1", "cam2", NULL, "courtavd");
	/* cam2, then in the only pane, lost for 10 s (source health). */
	g_assert_cmpint(
		cav_store_source_fault_open(store, h, "cam2", T0 + 110 * S, "no data", &error), >,
		0);
	g_assert_true(cav_store_source_fault_close(store, h, "cam2", T0 + 120 * S, &error));
	g_assert_no_error(error);

	root = cav_quality_report_build(store, config, h, T0 + 200 * S, &error);
	g_assert_no_error(error);
	r = json_node_get_object(root);
	g_assert_cmpfloat(json_object_get_double_member(r, "recorded_s"), ==, 100.0);
	cam1 = track(r, "cam1");
	g_assert_cmpfloat(json_object_get_double_member(cam1, "coverage_pct"), ==, 99.7);
	g_assert_cmpuint(json_array_get_length(json_object_get_array_member(cam1, "gaps")), ==, 0);
	g_assert_cmpint(json_object_get_int_member(cam1, "dropped_frames"), ==, 2);
	g_assert_cmpfloat(json_object_get_double_member(cam1, "worst_av_offset_ms"), ==, 30.0);
	cam2 = track(r, "cam2");
	g_assert_cmpfloat(json_object_get_double_member(cam2, "coverage_pct"), ==, 90.0);
	g_assert_cmpuint(json_array_get_length(json_object_get_array_member(cam2, "gaps")), ==, 1);
	g_assert_cmpfloat(json_object_get_double_member(cam2, "worst_av_offset_ms"), ==, -130.0);
	g_assert_cmpint(json_object_get_int_member(cam2, "segments_measured"), ==, 2);
	/* The worst offset of all, and it is outside BT.1359. */
	g_assert_cmpfloat(json_object_get_double_member(json_object_get_object_member(r, "av"),
							"worst_offset_ms"),
			  ==, -130.0);
	g_assert_false(json_object_get_boolean_member(json_object_get_object_member(r, "av"),
						      "within_limits"));
	mic = json_array_get_object_element(json_object_get_array_member(r, "microphones"), 1);
	g_assert_cmpstr(json_object_get_string_member(mic, "id"), ==, "mic2");
	g_assert_cmpfloat(json_object_get_double_member(mic, "silent_s"), ==, 10.0);
	g_assert_cmpfloat(json_object_get_double_member(r, "silent_s"), ==, 10.0);
	g_assert_cmpint(json_object_get_int_member(r, "dropped_frames"), ==, 2);
	/* 40 s of "auto" = 4 panes for 3 cameras (75 % filled), 60 s of "1" of
	 * which 10 s showed the lost cam2: (30 + 60 - 10) / 100. */
	g_assert_cmpfloat(json_object_get_double_member(json_object_get_object_member(r, "layout"),
							"completeness_pct"),
			  ==, 80.0);
	g_assert_cmpuint(json_array_get_length(json_object_get_array_member(cam2, "lost")), ==, 1);
	g_assert_cmpuint(json_array_get_length(json_object_get_array_member(cam1, "lost")), ==, 0);
	g_assert_cmpint(
		json_object_get_int_member(json_object_get_object_member(r, "layout"), "changes"),
		==, 1);
	g_assert_cmpint(json_object_get_int_member(json_object_get_object_member(r, "speakers"),
						   "switches"),
			==, 1);
	g_assert_cmpstr(json_object_get_string_member(r, "verdict"), ==, "problems");
	g_assert_cmpuint(json_array_get_length(json_object_get_array_member(r, "problems")), >=, 5);

	/* Closed: stored by the first request (as on close), served from the store after. */
	g_assert_null(cav_store_report_get(store, h, &error));
	text = cav_quality_report_get(store, config, h, &stored, &error);
	g_assert_no_error(error);
	g_assert_true(stored);
	g_clear_pointer(&text, g_free);
	text = cav_store_report_get(store, h, &error);
	g_assert_nonnull(text);
	g_clear_pointer(&text, g_free);
	text = cav_quality_report_get(store, config, h, &stored, &error);
	g_assert_true(stored);
	g_assert_nonnull(g_strstr_len(text, -1, "\"verdict\":\"problems\""));

	g_clear_pointer(&store, cav_store_close);
	g_unlink(db);
	{
		g_autofree char *wal = g_strconcat(db, "-wal", NULL);
		g_autofree char *shm = g_strconcat(db, "-shm", NULL);

		g_unlink(wal);
		g_unlink(shm);
	}
	g_rmdir(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/quality/report", test_report);
	return g_test_run();
}
