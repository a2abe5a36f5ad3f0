/* test-mic-watch.c — silent and clipping microphone alarms
 * (pipelines/mic-watch.c) from synthetic level rounds at 10 Hz.
 */
#include "pipelines/mic-watch.h"

#define TICK_US (100 * 1000)

static const CavMicWatchConfig config = {
	.silent_db = -60,
	.silent_ms = 5000,
	.speech_db = -45,
	.clip_db = -1,
	.clear_ms = 3000,
};

typedef struct {
	CavMicWatch *w;
	gint64 now;
	GArray *events;
} Run;

static void
feed(Run *r, guint ticks, const double *rms, const double *peak)
{
	for (guint t = 0; t < ticks; t++) {
		r->now += TICK_US;
		cav_mic_watch_feed(r->w, r->now, rms, peak, r->events);
	}
}

static void
test_silent(void)
{
	Run r = {cav_mic_watch_new(&config, 3), 0,
		 g_array_new(FALSE, FALSE, sizeof(CavMicWatchEvent))};
	const double low[] = {-20, -90, -30};
	const double peaks[] = {-10, -90, -20};
	const double quiet_room[] = {-70, -90, -70};
	CavMicWatchEvent *ev;

	/* 4.9 s of mic1 dead while others talk: not yet. */
	feed(&r, 49, low, peaks);
	g_assert_cmpuint(r.events->len, ==, 0);
	/* A quiet courtroom neither counts nor resets. */
	feed(&r, 100, quiet_room, quiet_room);
	g_assert_cmpuint(r.events->len, ==, 0);
	feed(&r, 2, low, peaks);
	g_assert_cmpuint(r.events->len, ==, 1);
	ev = &g_array_index(r.events, CavMicWatchEvent, 0);
	g_assert_cmpuint(ev->mic, ==, 1);
	g_assert_cmpint(ev->kind, ==, CAV_MIC_ALARM_SILENT);
	g_assert_true(ev->active);
	g_assert_true(cav_mic_watch_active(r.w, 1, CAV_MIC_ALARM_SILENT));
	/* Back: cleared after a second of sound. */
	feed(&r, 9, (const double[]){-20, -30, -30}, peaks);
	g_assert_cmpuint(r.events->len, ==, 1);
	feed(&r, 2, (const double[]){-20, -30, -30}, peaks);
	g_assert_cmpuint(r.events->len, ==, 2);
	ev = &g_array_index(r.events, CavMicWatchEvent, 1);
	g_assert_false(ev->active);
	g_assert_false(cav_mic_watch_active(r.w, 1, CAV_MIC_ALARM_SILENT));
	g_array_unref(r.events);
	cav_mic_watch_free(r.w);
}

static void
test_clipping(void)
{
	Run r = {cav_mic_watch_new(&config, 2), 0,
		 g_array_new(FALSE, FALSE, sizeof(CavMicWatchEvent))};
	const double rms[] = {-20, -20};
	const double clean[] = {-6, -6};
	const double clip[] = {-0.1, -6};

	/* Two clipped rounds in a second: a transient, not an alarm. */
	feed(&r, 1, rms, clip);
	feed(&r, 4, rms, clean);
	feed(&r, 1, rms, clip);
	feed(&r, 20, rms, clean);
	g_assert_cmpuint(r.events->len, ==, 0);
	/* Three in a second: alarm. */
	feed(&r, 1, rms, clip);
	feed(&r, 2, rms, clean);
	feed(&r, 1, rms, clip);
	feed(&r, 2, rms, clean);
	g_assert_cmpuint(r.events->len, ==, 0);
	feed(&r, 1, rms, clip);
	g_assert_cmpuint(r.events->len, ==, 1);
	g_assert_cmpint(g_array_index(r.events, CavMicWatchEvent, 0).kind, ==,
			CAV_MIC_ALARM_CLIPPING);
	g_assert_cmpuint(g_array_index(r.events, CavMicWatchEvent, 0).mic, ==, 0);
	/* Cleared after 3 s clean. */
	feed(&r, 29, rms, clean);
	g_assert_cmpuint(r.events->len, ==, 1);
	feed(&r, 2, rms, clean);
	g_assert_cmpuint(r.events->len, ==, 2);
	g_assert_false(g_array_index(r.events, CavMicWatchEvent, 1).active);
	g_array_unref(r.events);
	cav_mic_watch_free(r.w);
}

static void
test_stall_is_capped(void)
{
	Run r = {cav_mic_watch_new(&config, 2), 0,
		 g_array_new(FALSE, FALSE, sizeof(CavMicWatchEvent))};
	const double rms[] = {-20, -90};

	/* A 60 s gap between two rounds counts as at most one second. */
	feed(&r, 1, rms, rms);
	r.now += 60 * G_USEC_PER_SEC;
	feed(&r, 1, rms, rms);
	g_assert_cmpuint(r.events->len, ==, 0);
	g_array_unref(r.events);
	cav_mic_watch_free(r.w);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/mic-watch/silent", test_silent);
	g_test_add_func("/mic-watch/clipping", test_clipping);
	g_test_add_func("/mic-watch/stall-is-capped", test_stall_is_capped);
	return g_test_run();
}
