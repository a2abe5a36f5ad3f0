/* test-vad-switch.c — voice-activated switching (pipelines/vad-switch.c)
 * driven by synthetic level sequences at 10 Hz: a dominant speaker takes
 * the main pane after the hold-in time and not before; a margin below the
 * dominance does nothing; hysteresis keeps two alternating speakers from
 * flapping; silence falls back to the fallback camera once; microphones
 * sharing a camera do not compete; an unmapped microphone can block a
 * switch but never win one.
 */
#include "pipelines/vad-switch.h"

#define TICK_US (100 * 1000)
#define QUIET (-70.0)
#define TALK (-20.0)

static const CavVadConfig config = {
	.speech_db = -45,
	.dominance_db = 6,
	.hold_in_ms = 600,
	.min_hold_ms = 2500,
	.silence_ms = 5000,
	.fallback = 0,
};

typedef struct {
	CavVad *vad;
	gint64 now;
	guint switches;
	CavVadDecision last;
} Run;

/* Feeds @ticks rounds of @levels; returns the number of switches. */
static guint
feed(Run *r, guint ticks, const double *levels)
{
	guint before = r->switches;

	for (guint t = 0; t < ticks; t++) {
		CavVadDecision d;

		r->now += TICK_US;
		if (cav_vad_feed(r->vad, r->now, levels, &d)) {
			r->switches++;
			r->last = d;
		}
	}
	return r->switches - before;
}

static void
test_dominant_speaker(void)
{
	/* mic0 → judge cam0, mic1 → prosecution cam1, mic2 → defence cam2. */
	static const gint map[] = {0, 1, 2};
	const double prosecutor[] = {QUIET, TALK, QUIET};
	Run r = {cav_vad_new(&config, 3, map, 3), 0, 0, {0}};

	g_assert_cmpuint(cav_vad_current(r.vad), ==, 0);
	feed(&r, 30, (const double[]){QUIET, QUIET, QUIET});
	/* 500 ms of a dominant prosecutor: not yet (hold-in is 600 ms). */
	g_assert_cmpuint(feed(&r, 5, prosecutor), ==, 0);
	g_assert_cmpuint(feed(&r, 2, prosecutor), ==, 1);
	g_assert_cmpint(r.last.reason, ==, CAV_VAD_SPEAKER);
	g_assert_cmpuint(r.last.camera, ==, 1);
	g_assert_cmpint(r.last.mic, ==, 1);
	/* Keeps talking: nothing more. */
	g_assert_cmpuint(feed(&r, 50, prosecutor), ==, 0);
	cav_vad_free(r.vad);
}

static void
test_margin_below_dominance(void)
{
	static const gint map[] = {0, 1};
	Run r = {cav_vad_new(&config, 2, map, 2), 0, 0, {0}};

	/* Both talk, the prosecutor only 4 dB louder: no switch, ever. */
	g_assert_cmpuint(feed(&r, 100, (const double[]){-24, -20}), ==, 0);
	/* Interrupted dominance restarts the hold-in. */
	for (guint i = 0; i < 10; i++) {
		g_assert_cmpuint(feed(&r, 5, (const double[]){QUIET, TALK}), ==, 0);
		g_assert_cmpuint(feed(&r, 1, (const double[]){TALK, TALK}), ==, 0);
	}
	g_assert_cmpuint(cav_vad_current(r.vad), ==, 0);
	cav_vad_free(r.vad);
}

static void
test_hysteresis(void)
{
	static const gint map[] = {0, 1, 2};
	const double a[] = {QUIET, TALK, QUIET};
	const double b[] = {QUIET, QUIET, TALK};
	Run r = {cav_vad_new(&config, 3, map, 3), 0, 0, {0}};
	guint switches;

	g_assert_cmpuint(feed(&r, 10, a), ==, 1);
	/* Two speakers alternating every 800 ms for 40 s: each would pass the
	 * hold-in, but min_hold (2.5 s) caps the rate. */
	for (guint i = 0; i < 25; i++) {
		feed(&r, 8, b);
		feed(&r, 8, a);
	}
	switches = r.switches - 1;
	g_assert_cmpuint(switches, <=, 40 * 1000 / config.min_hold_ms);
	g_assert_cmpuint(switches, >=, 1);
	cav_vad_free(r.vad);
}

static void
test_silence_fallback(void)
{
	static const gint map[] = {0, 1};
	const double silent[] = {QUIET, QUIET};
	Run r = {cav_vad_new(&config, 2, map, 2), 0, 0, {0}};

	g_assert_cmpuint(feed(&r, 10, (const double[]){QUIET, TALK}), ==, 1);
	/* 4.9 s of silence: still the last speaker. */
	g_assert_cmpuint(feed(&r, 49, silent), ==, 0);
	g_assert_cmpuint(feed(&r, 2, silent), ==, 1);
	g_assert_cmpint(r.last.reason, ==, CAV_VAD_SILENCE);
	g_assert_cmpuint(r.last.camera, ==, 0);
	g_assert_cmpint(r.last.mic, ==, -1);
	/* Once: a long silence does not switch again. */
	g_assert_cmpuint(feed(&r, 200, silent), ==, 0);
	/* The judge speaking while already shown changes nothing. */
	g_assert_cmpuint(feed(&r, 20, (const double[]){TALK, QUIET}), ==, 0);
	cav_vad_free(r.vad);
}

static void
test_shared_and_unmapped(void)
{
	/* mic0 judge cam0; mic1 and mic2 both defence cam1; mic3 gallery, no camera. */
	static const gint map[] = {0, 1, 1, -1};
	Run r = {cav_vad_new(&config, 4, map, 2), 0, 0, {0}};

	/* Two defence microphones, one 3 dB under the other: still dominant. */
	g_assert_cmpuint(feed(&r, 10, (const double[]){QUIET, -20, -23, QUIET}), ==, 1);
	g_assert_cmpuint(r.last.camera, ==, 1);
	g_assert_cmpint(r.last.mic, ==, 1);
	feed(&r, 30, (const double[]){QUIET, QUIET, QUIET, QUIET});
	/* The gallery is loudest: it cannot win, and as speech it holds off
	 * the silence fallback; a quieter judge does not dominate it. */
	g_assert_cmpuint(feed(&r, 80, (const double[]){QUIET, QUIET, QUIET, TALK}), ==, 0);
	g_assert_cmpuint(feed(&r, 40, (const double[]){-40, QUIET, QUIET, TALK}), ==, 0);
	g_assert_cmpuint(cav_vad_current(r.vad), ==, 1);
	cav_vad_reset(r.vad, r.now, 0);
	/* Reset: on camera 1, timers restarted; the judge must wait min_hold. */
	cav_vad_reset(r.vad, r.now, 1);
	g_assert_cmpuint(cav_vad_current(r.vad), ==, 1);
	g_assert_cmpuint(feed(&r, 10, (const double[]){TALK, QUIET, QUIET, QUIET}), ==, 0);
	g_assert_cmpuint(feed(&r, 20, (const double[]){TALK, QUIET, QUIET, QUIET}), ==, 1);
	cav_vad_free(r.vad);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/vad/dominant-speaker", test_dominant_speaker);
	g_test_add_func("/vad/margin-below-dominance", test_margin_below_dominance);
	g_test_add_func("/vad/hysteresis", test_hysteresis);
	g_test_add_func("/vad/silence-fallback", test_silence_fallback);
	g_test_add_func("/vad/shared-and-unmapped", test_shared_and_unmapped);
	return g_test_run();
}
