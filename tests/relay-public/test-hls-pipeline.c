/* test-hls-pipeline.c — the public HLS pipeline with a local RTP sender
 * standing in for the relay's ingest: segments of the asked length with
 * wall-clock times, the cut (slate and silence in the output within 1 s of
 * the cut, in media time) and the broadcast delay (the output lags the
 * input by the delay, and a cut hides what entered during the delay).
 *
 * Real time passes (about 25 s): suite 'integration'.
 */
#include <gst/gst.h>
#include <glib/gstdio.h>

#include "media-probe.h"
#include "relay/hls-pipeline.h"
#include "relay/hls-playlist.h"
#include "rtp-sender.h"

#define W 640
#define H 360

typedef struct {
	char *dir;
	CavHlsBroadcast *b;
	CavHlsPipeline *p;
	CavTestSender *sender;
	GMainLoop *loop;
	gboolean done;
	guint keyframes;
	gint64 closed_us[64]; /* wall time each segment was reported */
} Fixture;

static void
tap(CavRtpMedia media, const guint8 *packet, gsize len, gpointer user_data)
{
	Fixture *f = user_data;

	cav_hls_pipeline_push_rtp(f->p, media, packet, len);
}

static void
on_segment(CavHlsPipeline *p, guint index, gint64 duration_us, gint64 start_us, gpointer user_data)
{
	Fixture *f = user_data;

	if (index < G_N_ELEMENTS(f->closed_us))
		f->closed_us[index] = g_get_real_time();
	cav_hls_broadcast_add(f->b, index, duration_us, start_us);
}

static void
on_done(CavHlsPipeline *p, const GError *error, gpointer user_data)
{
	Fixture *f = user_data;

	g_assert_no_error(error);
	f->done = TRUE;
	g_main_loop_quit(f->loop);
}

static void
on_keyframe(gpointer user_data)
{
	Fixture *f = user_data;

	g_atomic_int_inc(&f->keyframes);
	if (g_atomic_pointer_get(&f->sender) != NULL)
		cav_test_sender_keyframe(f->sender);
}

static gboolean
quit_cb(gpointer loop)
{
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

static void
run_for(Fixture *f, guint ms)
{
	g_autoptr(GSource) timer = g_timeout_source_new(ms);

	g_source_set_callback(timer, quit_cb, f->loop, NULL);
	g_source_attach(timer, NULL);
	g_main_loop_run(f->loop);
	/* on_done() may have ended the loop first. */
	g_source_destroy(timer);
}

static void
run_until_segments(Fixture *f, guint n)
{
	for (int i = 0; i < 100 && f->b->segments->len < n; i++)
		run_for(f, 100);
	g_assert_cmpuint(f->b->segments->len, >=, n);
}

static void
setup(Fixture *f, guint delay_ms)
{
	CavHlsOutputConfig cfg = {
		.segment_ms = 1000,
		.delay_ms = delay_ms,
		.width = W,
		.height = H,
		.fps = 25,
		.video_kbps = 600,
		.audio_kbps = 64,
		.x264_preset = "ultrafast",
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(GstBuffer) slate = cav_hls_slate_render(W, H, NULL, &error);

	g_assert_no_error(error);
	f->dir = g_dir_make_tmp("cav-hls-XXXXXX", &error);
	g_assert_no_error(error);
	f->loop = g_main_loop_new(NULL, FALSE);
	f->b = cav_hls_broadcast_new("0123456789abcdef0123456789abcdef", "a1/r1", 1);
	f->p = cav_hls_pipeline_new(&cfg, slate, f->dir, 1, on_segment, on_done, on_keyframe, f,
				    &error);
	g_assert_no_error(error);
	g_atomic_pointer_set(&f->sender, cav_test_sender_new(W, H, "smpte", tap, f));
}

/* Stops, writes vod.m3u8 and decodes it. */
static GArray *
finish(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *vod = cav_hls_broadcast_vod_playlist(f->b);
	g_autofree char *path = g_build_filename(f->dir, "vod.m3u8", NULL);
	CavTestSender *s = g_atomic_pointer_exchange(&f->sender, NULL);
	GArray *items;

	cav_hls_pipeline_stop(f->p);
	for (int i = 0; i < 50 && !f->done; i++)
		run_for(f, 100);
	g_assert_true(f->done);
	cav_test_sender_free(s);
	g_free(vod);
	vod = cav_hls_broadcast_vod_playlist(f->b);
	g_assert_true(g_file_set_contents(path, vod, -1, &error));
	items = cav_probe_playlist(path, &error);
	g_assert_no_error(error);
	/* Segments: about the asked length, contiguous in wall-clock time. */
	for (guint i = 0; i + 1 < f->b->segments->len; i++) {
		CavHlsSegment *s0 = &g_array_index(f->b->segments, CavHlsSegment, i);
		CavHlsSegment *s1 = &g_array_index(f->b->segments, CavHlsSegment, i + 1);

		g_assert_cmpint(s0->duration_us, >=, 500000);
		g_assert_cmpint(s0->duration_us, <=, 2100000);
		g_assert_cmpint(ABS(s0->start_us + s0->duration_us - s1->start_us), <, 100000);
	}
	return items;
}

static void
teardown(Fixture *f)
{
	g_autoptr(GDir) d = g_dir_open(f->dir, 0, NULL);
	const char *name;

	cav_hls_pipeline_unref(f->p);
	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree char *path = g_build_filename(f->dir, name, NULL);

		g_unlink(path);
	}
	g_rmdir(f->dir);
	g_free(f->dir);
	cav_hls_broadcast_free(f->b);
	g_main_loop_unref(f->loop);
}

/* Counts video frames of @kind in [from, to) and all video frames there. */
static guint
count(GArray *items, CavFrameKind kind, gint64 from, gint64 to, guint *total)
{
	guint n = 0, all = 0;

	for (guint i = 0; i < items->len; i++) {
		CavProbeItem *it = &g_array_index(items, CavProbeItem, i);

		if (!it->video || it->utc_us < from || it->utc_us >= to)
			continue;
		all++;
		n += it->kind == kind;
	}
	if (total != NULL)
		*total = all;
	return n;
}

static gint64
first_of(GArray *items, CavFrameKind kind, gint64 from)
{
	for (guint i = 0; i < items->len; i++) {
		CavProbeItem *it = &g_array_index(items, CavProbeItem, i);

		if (it->video && it->kind == kind && it->utc_us >= from)
			return it->utc_us;
	}
	return 0;
}

static double
max_rms(GArray *items, gint64 from, gint64 to)
{
	double m = 0;

	for (guint i = 0; i < items->len; i++) {
		CavProbeItem *it = &g_array_index(items, CavProbeItem, i);

		if (!it->video && it->utc_us >= from && it->utc_us < to)
			m = MAX(m, it->rms);
	}
	return m;
}

static void
test_cut(void)
{
	Fixture f = {0};
	g_autoptr(GArray) items = NULL;
	gint64 t_cut, t_uncut, first_slate, first_live;
	guint total, n;

	setup(&f, 0);
	run_until_segments(&f, 3);
	t_cut = g_get_real_time();
	cav_hls_pipeline_set_cut(f.p, TRUE);
	run_for(&f, 3000);
	g_assert_true(cav_hls_pipeline_get_cut(f.p));
	t_uncut = g_get_real_time();
	cav_hls_pipeline_set_cut(f.p, FALSE);
	run_for(&f, 3000);
	items = finish(&f);

	first_slate = first_of(items, CAV_FRAME_SLATE, 0);
	first_live = first_of(items, CAV_FRAME_OTHER, t_uncut - 500000);
	g_test_message("cut: first slate frame at %+.3f s of the cut (media time); "
		       "uncut: first live frame at %+.3f s; keyframe requests %u",
		       (first_slate - t_cut) / 1e6, (first_live - t_uncut) / 1e6, f.keyframes);
	g_assert_cmpint(first_slate, >, 0);
	g_assert_cmpint(first_slate - t_cut, <=, G_USEC_PER_SEC);
	/* Before the cut: live pictures and sound. */
	n = count(items, CAV_FRAME_OTHER, t_cut - 2000000, t_cut - 500000, &total);
	g_assert_cmpuint(total, >, 20);
	g_assert_cmpuint(n, ==, total);
	g_assert_cmpfloat(max_rms(items, t_cut - 2000000, t_cut - 500000), >, 0.05);
	/* From 1 s after the cut to the uncut: only the slate, silence. (The
	 * uncut, like the cut, acts on what passes after the call; frames a
	 * loaded pipeline still holds may carry earlier times: hence the
	 * half-second margin before the uncut.) */
	n = count(items, CAV_FRAME_SLATE, t_cut + G_USEC_PER_SEC, t_uncut - 500000, &total);
	g_assert_cmpuint(total, >, 30);
	g_assert_cmpuint(n, ==, total);
	g_assert_cmpfloat(max_rms(items, t_cut + G_USEC_PER_SEC, t_uncut - 500000), <, 0.001);
	/* From 1 s after the uncut: live again. */
	g_assert_cmpint(first_live - t_uncut, <=, G_USEC_PER_SEC);
	n = count(items, CAV_FRAME_OTHER, t_uncut + G_USEC_PER_SEC, G_MAXINT64, &total);
	g_assert_cmpuint(total, >, 20);
	g_assert_cmpuint(n, ==, total);
	teardown(&f);
}

static void
test_delay(void)
{
	const gint64 delay = 2000000;
	Fixture f = {0};
	g_autoptr(GArray) items = NULL;
	gint64 t_red, t_cut, t_uncut, first_red;
	guint total, n;

	setup(&f, (guint)(delay / 1000));
	run_until_segments(&f, 2);
	/* Red enters now and must leave the delay 2 s later. */
	t_red = g_get_real_time();
	cav_test_sender_set_pattern(f.sender, "red");
	run_for(&f, 3000);
	/* Something said now, then the cut half a second later: it must never
	 * reach the public, though it entered before the cut. */
	cav_test_sender_set_pattern(f.sender, "smpte");
	run_for(&f, 500);
	t_cut = g_get_real_time();
	cav_hls_pipeline_set_cut(f.p, TRUE);
	run_for(&f, 3000);
	t_uncut = g_get_real_time();
	cav_hls_pipeline_set_cut(f.p, FALSE);
	run_for(&f, 3500);
	items = finish(&f);

	first_red = first_of(items, CAV_FRAME_RED, 0);
	g_test_message("delay: red entered at 0, left at %+.3f s (configured %.1f s)",
		       (first_red - t_red) / 1e6, delay / 1e6);
	g_assert_cmpint(first_red, >, 0);
	g_assert_cmpint(first_red - t_red, >=, delay - 300000);
	g_assert_cmpint(first_red - t_red, <=, delay + 600000);
	/* Red until the cut (it was the picture up to 0.5 s before it)... */
	n = count(items, CAV_FRAME_RED, first_red + 500000, t_cut, &total);
	g_assert_cmpuint(n, ==, total);
	/* ...then only the slate: what entered before the cut is covered
	 * (margin before the uncut as in test_cut). */
	n = count(items, CAV_FRAME_SLATE, t_cut + G_USEC_PER_SEC, t_uncut - 500000, &total);
	g_assert_cmpuint(total, >, 30);
	g_assert_cmpuint(n, ==, total);
	g_assert_cmpuint(count(items, CAV_FRAME_OTHER, first_red, t_uncut - 500000, NULL), ==, 0);
	g_assert_cmpint(first_of(items, CAV_FRAME_OTHER, t_red) - t_uncut, <=, G_USEC_PER_SEC);
	teardown(&f);
}

int
main(int argc, char **argv)
{
	gst_init(&argc, &argv);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/hls-pipeline/cut", test_cut);
	g_test_add_func("/hls-pipeline/delay", test_delay);
	return g_test_run();
}
