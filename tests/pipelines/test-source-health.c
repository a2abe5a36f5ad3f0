/* test-source-health.c — a camera and a microphone that stop delivering
 * mid-recording, behind the health guard (source-guard.h).
 *
 * cam1 and mic1 deliver nothing from 2 s to 5 s of running time (the test
 * backend's "outage"). With lost_after_ms = 800 the guard must report both
 * lost, show the slate on cam1's track, rebuild them with back-off, and
 * report them back; cam2 and every track keep recording without a timestamp
 * gap longer than one frame. Checked with ffprobe (packets) and ffmpeg (the
 * slate's colour in a frame from the outage).
 */
#include "pipelines/recorder.h"
#include "pipelines/source-guard.h"
#include "media-check.h"

#include <string.h>

typedef struct {
	GMainLoop *loop;
	GPtrArray *closed; /* of char *"track path" */
	GPtrArray *health; /* of char *"id ok|lost since_us" */
	guint stopped;
} Run;

static void
on_closed(CavRecorder *rec, const CavSegmentEvent *e, gpointer data)
{
	g_ptr_array_add(((Run *)data)->closed, g_strdup_printf("%s %s", e->track, e->path));
}

static void
on_stopped(CavRecorder *rec, gpointer data)
{
	((Run *)data)->stopped++;
	g_main_loop_quit(((Run *)data)->loop);
}

static void
on_failed(CavRecorder *rec, const GError *error, gpointer data)
{
	g_error("recorder failed: %s", error->message);
}

static void
on_health(CavRecorder *rec, const CavSourceHealth *h, gpointer data)
{
	g_test_message("health %s %s since %" G_GINT64_FORMAT " (%s)", h->id, h->ok ? "ok" : "lost",
		       h->since_us, h->reason ? h->reason : "");
	g_assert_cmpint(h->since_us, >, 0);
	g_ptr_array_add(((Run *)data)->health,
			g_strdup_printf("%s %s", h->id, h->ok ? "ok" : "lost"));
}

static const CavRecorderCallbacks callbacks = {
	.segment_closed = on_closed,
	.stopped = on_stopped,
	.failed = on_failed,
	.source_health = on_health,
};

static const CavRecordFormat format = {
	.camera = {320, 240, 25},
	.program_width = 640,
	.program_height = 240,
	.camera_kbps = 300,
	.program_kbps = 300,
	.audio_kbps = 64,
	.segment_seconds = 30,
	.fragment_ms = 500,
	.keyframe_seconds = 1,
	.x264_preset = "ultrafast",
};

static gboolean
stop_later(gpointer rec)
{
	cav_recorder_stop(rec, 5000);
	return G_SOURCE_REMOVE;
}

/* Largest gap between consecutive video packet timestamps of @path, and
 * their count. */
static double
max_video_gap(const char *path, guint *n_packets)
{
	g_autofree char *cmd = g_strdup_printf(
		"ffprobe -v error -select_streams v:0 -show_entries packet=pts_time -of csv=p=0 %s",
		path);
	g_autofree char *out = NULL;
	g_auto(GStrv) lines = NULL;
	g_autoptr(GArray) pts = g_array_new(FALSE, FALSE, sizeof(double));
	double gap = 0;

	g_assert_true(g_spawn_command_line_sync(cmd, &out, NULL, NULL, NULL));
	lines = g_strsplit(out, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		double t = g_ascii_strtod(lines[i], NULL);

		if (lines[i][0] != '\0')
			g_array_append_val(pts, t);
	}
	/* Packets are in decode order; with no B-frames that is pts order. */
	for (guint i = 1; i < pts->len; i++)
		gap = MAX(gap, g_array_index(pts, double, i) - g_array_index(pts, double, i - 1));
	*n_packets = pts->len;
	return gap;
}

/* The mean RGB of the top-left 1/8 of the frame at @t seconds. */
static guint32
corner_rgb(const char *path, double t)
{
	g_autofree char *cmd = g_strdup_printf(
		"ffmpeg -v error -ss %.2f -i %s -frames:v 1 -vf crop=iw/8:ih/8:0:0,scale=1:1 "
		"-f rawvideo -pix_fmt rgb24 -",
		t, path);
	g_autofree char *out = NULL;
	gint status = 0;

	g_assert_true(g_spawn_command_line_sync(cmd, &out, NULL, &status, NULL));
	g_assert_cmpint(status, ==, 0);
	return ((guint32)(guint8)out[0] << 16) | ((guint32)(guint8)out[1] << 8) | (guint8)out[2];
}

static gboolean
near_rgb(guint32 a, guint32 b, int tol)
{
	for (int shift = 0; shift <= 16; shift += 8) {
		int d = (int)((a >> shift) & 0xff) - (int)((b >> shift) & 0xff);

		if (ABS(d) > tol)
			return FALSE;
	}
	return TRUE;
}

static const char *
path_of(Run *run, const char *track)
{
	for (guint i = 0; i < run->closed->len; i++) {
		const char *line = run->closed->pdata[i];

		if (g_str_has_prefix(line, track) && line[strlen(track)] == ' ')
			return line + strlen(track) + 1;
	}
	g_error("no file for track %s", track);
	return NULL;
}

static void
test_camera_outage(void)
{
	g_autofree char *dir = g_dir_make_tmp("cav-health-XXXXXX", NULL);
	g_autoptr(GPtrArray) sources =
		g_ptr_array_new_with_free_func((GDestroyNotify)cav_source_spec_free);
	g_autoptr(GError) error = NULL;
	CavSourceSpec *cam1 = cav_source_spec_new("cam1", CAV_MEDIA_VIDEO, "test");
	CavSourceSpec *mic1 = cav_source_spec_new("mic1", CAV_MEDIA_AUDIO, "test");
	Run run = {0};
	CavRecorder *rec;
	const char *tracks[] = {"cam1", "cam2", "program"};
	guint n;

	g_hash_table_insert(cam1->params, g_strdup("outage"), g_strdup("2-5"));
	g_hash_table_insert(cam1->params, g_strdup("lost_after_ms"), g_strdup("800"));
	g_hash_table_insert(cam1->params, g_strdup("pattern"), g_strdup("white"));
	g_hash_table_insert(mic1->params, g_strdup("outage"), g_strdup("2-5"));
	g_hash_table_insert(mic1->params, g_strdup("lost_after_ms"), g_strdup("800"));
	g_ptr_array_add(sources, cam1);
	g_ptr_array_add(sources, cav_source_spec_new("cam2", CAV_MEDIA_VIDEO, "test"));
	g_ptr_array_add(sources, mic1);
	CavRecorderPlan plan = {
		.format = &format,
		.sources = sources,
		.media_dir = dir,
		.name_prefix = "health",
		.layout = "auto",
	};
	run.loop = g_main_loop_new(NULL, FALSE);
	run.closed = g_ptr_array_new_with_free_func(g_free);
	run.health = g_ptr_array_new_with_free_func(g_free);
	rec = cav_recorder_new(&plan, &callbacks, &run, &error);
	g_assert_no_error(error);
	g_assert_true(cav_recorder_start(rec, &error));
	g_timeout_add(8500, stop_later, rec);
	g_main_loop_run(run.loop);
	g_assert_cmpuint(run.stopped, ==, 1);

	/* Lost once and back once, each. */
	g_assert_cmpuint(run.health->len, ==, 4);
	for (guint i = 0; i < run.health->len; i++)
		g_test_message("%s", (char *)run.health->pdata[i]);
	g_assert_true(g_ptr_array_find_with_equal_func(run.health, "cam1 lost", g_str_equal, NULL));
	g_assert_true(g_ptr_array_find_with_equal_func(run.health, "cam1 ok", g_str_equal, NULL));
	g_assert_true(g_ptr_array_find_with_equal_func(run.health, "mic1 lost", g_str_equal, NULL));
	g_assert_true(g_ptr_array_find_with_equal_func(run.health, "mic1 ok", g_str_equal, NULL));

	/* No gap on any video track; the run is about 8 s of 25 fps. */
	for (guint i = 0; i < G_N_ELEMENTS(tracks); i++) {
		double gap = max_video_gap(path_of(&run, tracks[i]), &n);

		g_test_message("%s: %u packets, largest gap %.3f s", tracks[i], n, gap);
		g_assert_cmpuint(n, >, 7 * 25);
		g_assert_cmpfloat(gap, <=, 0.041);
	}
	/* cam1 is white before and after, the slate during the outage. */
	g_assert_true(near_rgb(corner_rgb(path_of(&run, "cam1"), 1.0), 0xffffff, 40));
	g_assert_true(near_rgb(corner_rgb(path_of(&run, "cam1"), 3.8), CAV_SLATE_RGB, 24));
	g_assert_true(near_rgb(corner_rgb(path_of(&run, "cam1"), 7.5), 0xffffff, 40));

	cav_recorder_free(rec);
	g_main_loop_unref(run.loop);
	g_ptr_array_unref(run.closed);
	g_ptr_array_unref(run.health);
	cav_test_rm_rf(dir);
}

int
main(int argc, char **argv)
{
	gst_init(&argc, &argv);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/source-health/camera-outage", test_camera_outage);
	return g_test_run();
}
