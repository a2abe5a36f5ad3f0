/* test-recorder.c — real recordings on test sources, checked with ffprobe.
 *
 * 6 s with two cameras and two microphones in 2 s segments: every track's
 * events, names, streams, durations and keyframes. Then the life cycle: one
 * process making recorder after recorder (as pause/resume does), continuing
 * the sequence numbers, freeing from inside a callback and while running.
 */
#include "pipelines/recorder.h"
#include "media-check.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct {
	char *track;
	guint seq;
	char *path;
	gint64 wall_start_us;
	gint64 wall_end_us;
	GstClockTime running_start;
	GstClockTime running_end;
} Seg;

static void
seg_free(Seg *s)
{
	g_free(s->track);
	g_free(s->path);
	g_free(s);
}

typedef struct {
	GMainLoop *loop;
	GPtrArray *opened; /* of Seg */
	GPtrArray *closed; /* of Seg */
	guint stopped;
	guint failed;
	gboolean free_in_stopped;
	CavRecorder *rec; /* freed by on_stopped when free_in_stopped */
} Events;

static void
events_init(Events *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->loop = g_main_loop_new(NULL, FALSE);
	ev->opened = g_ptr_array_new_with_free_func((GDestroyNotify)seg_free);
	ev->closed = g_ptr_array_new_with_free_func((GDestroyNotify)seg_free);
}

static void
events_clear(Events *ev)
{
	g_clear_pointer(&ev->loop, g_main_loop_unref);
	g_clear_pointer(&ev->opened, g_ptr_array_unref);
	g_clear_pointer(&ev->closed, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Events, events_clear)

static Seg *
seg_from(const CavSegmentEvent *e)
{
	Seg *s = g_new0(Seg, 1);

	s->track = g_strdup(e->track);
	s->seq = e->seq;
	s->path = g_strdup(e->path);
	s->wall_start_us = e->wall_start_us;
	s->wall_end_us = e->wall_end_us;
	s->running_start = e->running_start;
	s->running_end = e->running_end;
	return s;
}

static void
on_opened(CavRecorder *rec, const CavSegmentEvent *e, gpointer data)
{
	Events *ev = data;

	g_assert_cmpint(e->wall_end_us, ==, 0);
	g_assert_false(GST_CLOCK_TIME_IS_VALID(e->running_end));
	g_ptr_array_add(ev->opened, seg_from(e));
}

static void
on_closed(CavRecorder *rec, const CavSegmentEvent *e, gpointer data)
{
	g_ptr_array_add(((Events *)data)->closed, seg_from(e));
}

static void
on_stopped(CavRecorder *rec, gpointer data)
{
	Events *ev = data;

	ev->stopped++;
	if (ev->free_in_stopped) {
		g_assert_true(rec == ev->rec);
		g_clear_pointer(&ev->rec, cav_recorder_free);
	}
	g_main_loop_quit(ev->loop);
}

static void
on_failed(CavRecorder *rec, const GError *error, gpointer data)
{
	Events *ev = data;

	g_printerr("recorder failed: %s\n", error->message);
	ev->failed++;
	g_main_loop_quit(ev->loop);
}

static const CavRecorderCallbacks callbacks = {
	.segment_opened = on_opened,
	.segment_closed = on_closed,
	.stopped = on_stopped,
	.failed = on_failed,
};

static gboolean
on_stop_timer(gpointer data)
{
	cav_recorder_stop(((Events *)data)->rec, 5000);
	return G_SOURCE_REMOVE;
}

static gboolean
on_guard(gpointer data)
{
	g_error("the recorder did not finish in time");
	return G_SOURCE_REMOVE;
}

static GPtrArray *
make_sources(guint cameras, guint mics)
{
	GPtrArray *sources = g_ptr_array_new_with_free_func((GDestroyNotify)cav_source_spec_free);

	for (guint i = 1; i <= cameras; i++) {
		g_autofree char *id = g_strdup_printf("cam%u", i);

		g_ptr_array_add(sources, cav_source_spec_new(id, CAV_MEDIA_VIDEO, "test"));
	}
	for (guint i = 1; i <= mics; i++) {
		g_autofree char *id = g_strdup_printf("mic%u", i);

		g_ptr_array_add(sources, cav_source_spec_new(id, CAV_MEDIA_AUDIO, "test"));
	}
	return sources;
}

static const CavRecordFormat small_format = {
	.camera = {320, 240, 25},
	.program_width = 320,
	.program_height = 240,
	.camera_kbps = 400,
	.program_kbps = 500,
	.audio_kbps = 64,
	.segment_seconds = 2,
	.fragment_ms = 500,
	.keyframe_seconds = 1,
	.x264_preset = "veryfast",
};

/* Starts @rec, stops it after @ms (unless @ms is 0) and runs until it ends. */
static void
record_for(Events *ev, guint ms)
{
	g_autoptr(GError) error = NULL;
	guint guard = g_timeout_add_seconds(30, on_guard, NULL);

	g_assert_true(cav_recorder_start(ev->rec, &error));
	g_assert_no_error(error);
	if (ms > 0)
		g_timeout_add(ms, on_stop_timer, ev);
	g_main_loop_run(ev->loop);
	g_source_remove(guard);
}

static GPtrArray *
segs_of(GPtrArray *all, const char *track)
{
	GPtrArray *out = g_ptr_array_new();

	for (guint i = 0; i < all->len; i++) {
		Seg *s = g_ptr_array_index(all, i);

		if (strcmp(s->track, track) == 0)
			g_ptr_array_add(out, s);
	}
	return out;
}

static void
check_file(const Seg *s, const char *track, gboolean video)
{
	CavTestProbe probe;
	g_autoptr(GError) error = NULL;
	g_autofree char *boxes = cav_test_mp4_boxes(s->path);
	double expected = (double)(s->running_end - s->running_start) / GST_SECOND;

	g_test_message("%s: %s", s->path, boxes);
	g_assert_true(g_str_has_prefix(boxes, "ftyp moov moof mdat"));
	g_assert_true(g_str_has_suffix(boxes, "mfra"));
	g_assert_true(cav_test_probe_file(s->path, &probe, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(probe.n_audio, ==, 1);
	g_assert_cmpstr(probe.audio_codec, ==, "aac");
	g_assert_cmpuint(probe.n_video, ==, video ? 1 : 0);
	if (video) {
		g_assert_cmpstr(probe.video_codec, ==, "h264");
		g_assert_cmpint(cav_test_first_video_frame_is_key(s->path), ==, 1);
	}
	if (G_APPROX_VALUE(probe.duration, expected, 0.5) == FALSE)
		g_error("%s: %.3f s long, events say %.3f s", s->path, probe.duration, expected);
	cav_test_probe_clear(&probe);
}

/* Every track: consecutive seqs from @first, matching opened/closed pairs,
 * names by the scheme, playable files of the right length. */
static void
check_track(Events *ev, const char *dir, const char *track, guint first, double seconds)
{
	g_autoptr(GPtrArray) opened = segs_of(ev->opened, track);
	g_autoptr(GPtrArray) closed = segs_of(ev->closed, track);
	gboolean video = strcmp(track, CAV_TRACK_AUDIO) != 0;
	double total = 0;

	g_assert_cmpuint(opened->len, >=, (guint)(seconds / small_format.segment_seconds));
	g_assert_cmpuint(opened->len, ==, closed->len);
	for (guint i = 0; i < opened->len; i++) {
		Seg *o = g_ptr_array_index(opened, i), *c = g_ptr_array_index(closed, i);
		g_autofree char *head =
			g_strdup_printf("%s/%s/rec_%s_%04u_", dir, track, track, first + i);

		g_assert_cmpuint(o->seq, ==, first + i);
		g_assert_cmpuint(c->seq, ==, o->seq);
		g_assert_cmpstr(c->path, ==, o->path);
		g_assert_true(g_str_has_prefix(o->path, head));
		g_assert_true(g_str_has_suffix(o->path, ".mp4"));
		g_assert_cmpuint(strlen(o->path), ==, strlen(head) + strlen("20261128-174501.mp4"));
		g_assert_cmpint(c->wall_start_us, ==, o->wall_start_us);
		g_assert_cmpint(c->wall_end_us, >, c->wall_start_us);
		g_assert_cmpuint(c->running_end, >, c->running_start);
		if (i > 0)
			g_assert_cmpint(o->wall_start_us, >,
					((Seg *)opened->pdata[i - 1])->wall_start_us);
		check_file(c, track, video);
		total += (double)(c->running_end - c->running_start) / GST_SECOND;
	}
	if (!G_APPROX_VALUE(total, seconds, 1.0))
		g_error("track %s holds %.3f s, expected about %.1f s", track, total, seconds);
}

static void
test_record_six_seconds(void)
{
	g_autofree char *dir = g_dir_make_tmp("cav-rec-XXXXXX", NULL);
	g_autoptr(GPtrArray) sources = make_sources(2, 2);
	g_autoptr(GHashTable) first = g_hash_table_new(g_str_hash, g_str_equal);
	g_auto(Events) ev = {0};
	g_autoptr(GError) error = NULL;
	const char *const *tracks;

	g_hash_table_insert(first, "cam1", GUINT_TO_POINTER(5));
	g_hash_table_insert(first, "audio", GUINT_TO_POINTER(3));
	CavRecorderPlan plan = {
		.format = &small_format,
		.sources = sources,
		.media_dir = dir,
		.name_prefix = "rec",
		.first_seq = first,
		.layout = "auto",
		.overlay_text = "Room 101 · test",
	};

	events_init(&ev);
	ev.rec = cav_recorder_new(&plan, &callbacks, &ev, &error);
	g_assert_no_error(error);
	record_for(&ev, 6000);
	g_assert_cmpuint(ev.stopped, ==, 1);
	g_assert_cmpuint(ev.failed, ==, 0);

	tracks = cav_recorder_tracks(ev.rec);
	g_assert_cmpstr(tracks[0], ==, "cam1");
	g_assert_cmpstr(tracks[1], ==, "cam2");
	g_assert_cmpstr(tracks[2], ==, "program");
	g_assert_cmpstr(tracks[3], ==, "audio");
	g_assert_null(tracks[4]);
	check_track(&ev, dir, "cam1", 5, 6.0);
	check_track(&ev, dir, "cam2", 1, 6.0);
	check_track(&ev, dir, "program", 1, 6.0);
	check_track(&ev, dir, "audio", 3, 6.0);
	g_clear_pointer(&ev.rec, cav_recorder_free);
	cav_test_rm_rf(dir);
}

/* Three recorders in a row, each continuing the last one's seqs; the second
 * is freed from its stopped callback, the third while running. */
static void
test_recreate(void)
{
	g_autofree char *dir = g_dir_make_tmp("cav-rec-XXXXXX", NULL);
	g_autoptr(GPtrArray) sources = make_sources(1, 1);
	g_autoptr(GHashTable) first = g_hash_table_new(g_str_hash, g_str_equal);
	static const char *const names[] = {"cam1", "program", "audio"};
	g_autoptr(GError) error = NULL;
	CavRecorderPlan plan = {
		.format = &small_format,
		.sources = sources,
		.media_dir = dir,
		.name_prefix = "rec",
		.first_seq = first,
		.layout = "auto",
	};

	for (guint round = 0; round < 3; round++) {
		g_auto(Events) ev = {0};

		events_init(&ev);
		ev.free_in_stopped = round == 1;
		ev.rec = cav_recorder_new(&plan, &callbacks, &ev, &error);
		g_assert_no_error(error);
		if (round < 2) {
			record_for(&ev, 1500);
			g_assert_cmpuint(ev.stopped, ==, 1);
			g_assert_null(round == 1 ? ev.rec : NULL);
		} else {
			g_assert_true(cav_recorder_start(ev.rec, &error));
			g_usleep(800 * 1000);
			g_clear_pointer(&ev.rec, cav_recorder_free);
			/* Nothing may arrive after free, even what was already queued. */
			while (g_main_context_iteration(NULL, FALSE))
				;
			g_assert_cmpuint(ev.opened->len + ev.closed->len + ev.stopped, ==, 0);
			cav_test_rm_rf(dir);
			return;
		}
		g_clear_pointer(&ev.rec, cav_recorder_free);
		for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
			g_autoptr(GPtrArray) o = segs_of(ev.opened, names[i]);
			gpointer want = g_hash_table_lookup(first, names[i]);
			Seg *last;

			g_assert_cmpuint(o->len, >=, 1);
			g_assert_cmpuint(((Seg *)o->pdata[0])->seq, ==,
					 want ? GPOINTER_TO_UINT(want) : 1);
			last = o->pdata[o->len - 1];
			g_hash_table_insert(first, (gpointer)names[i],
					    GUINT_TO_POINTER(last->seq + 1));
		}
	}
}

/* A stop that cannot drain in time is forced: stopped still comes, and every
 * file opened is reported closed. */
static void
test_stop_timeout(void)
{
	g_autofree char *dir = g_dir_make_tmp("cav-rec-XXXXXX", NULL);
	g_autoptr(GPtrArray) sources = make_sources(2, 1);
	g_auto(Events) ev = {0};
	g_autoptr(GError) error = NULL;
	guint guard;
	CavRecorderPlan plan = {
		.format = &small_format,
		.sources = sources,
		.media_dir = dir,
		.name_prefix = "rec",
		.layout = "auto",
	};

	events_init(&ev);
	ev.rec = cav_recorder_new(&plan, &callbacks, &ev, &error);
	g_assert_no_error(error);
	g_assert_true(cav_recorder_start(ev.rec, &error));
	guard = g_timeout_add_seconds(30, on_guard, NULL);
	/* Let files open, then allow 1 ms to drain: far too little. */
	while (ev.opened->len < 4)
		g_main_context_iteration(NULL, TRUE);
	g_test_expect_message("cav-pipelines", G_LOG_LEVEL_WARNING, "*did not drain*");
	cav_recorder_stop(ev.rec, 1);
	g_main_loop_run(ev.loop);
	g_test_assert_expected_messages();
	g_source_remove(guard);
	g_assert_cmpuint(ev.stopped, ==, 1);
	g_assert_cmpuint(ev.failed, ==, 0);
	g_assert_cmpuint(ev.closed->len, ==, ev.opened->len);
	for (guint i = 0; i < ev.closed->len; i++) {
		Seg *c = g_ptr_array_index(ev.closed, i);

		g_assert_true(GST_CLOCK_TIME_IS_VALID(c->running_end));
		g_assert_cmpint(c->wall_end_us, >=, c->wall_start_us);
	}
	g_clear_pointer(&ev.rec, cav_recorder_free);
	cav_test_rm_rf(dir);
}

int
main(int argc, char **argv)
{
	gst_init(&argc, &argv);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/recorder/record-six-seconds", test_record_six_seconds);
	g_test_add_func("/recorder/recreate", test_recreate);
	g_test_add_func("/recorder/stop-timeout", test_stop_timeout);
	return g_test_run();
}
