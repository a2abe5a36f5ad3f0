/* mic-watch.c — silent and clipping microphones from their levels (see mic-watch.h).
 *
 * Time between rounds is measured from the callers' timestamps and capped
 * at one second, so a stalled pipeline that resumes does not count its
 * stall as a long silence all at once.
 *
 * Pure; not thread-safe.
 */
#include "mic-watch.h"

#include <math.h>

#define CLIP_WINDOW 10 /* rounds */
#define CLIP_HITS 3
#define SILENT_CLEAR_MS 1000
#define MAX_STEP_MS 1000

typedef struct {
	guint silent_ms; /* silent-while-others-speak time in a row */
	guint loud_ms;   /* time above silent_db in a row */
	gboolean silent;
	guint16 clip_bits; /* the last CLIP_WINDOW rounds, bit 0 = newest */
	guint since_clip_ms;
	gboolean clipping;
} MicState;

struct CavMicWatch {
	CavMicWatchConfig cfg;
	guint n;
	MicState *mics; /* owned, n */
	gint64 last_us; /* G_MININT64 before the first round */
};

CavMicWatch *
cav_mic_watch_new(const CavMicWatchConfig *config, guint n_mics)
{
	CavMicWatch *w = g_new0(CavMicWatch, 1);

	w->cfg = *config;
	w->n = n_mics;
	w->mics = g_new0(MicState, MAX(n_mics, 1u));
	w->last_us = G_MININT64;
	return w;
}

void
cav_mic_watch_free(CavMicWatch *watch)
{
	if (watch == NULL)
		return;
	g_free(watch->mics);
	g_free(watch);
}

static void
report(GArray *events, guint mic, CavMicAlarm kind, gboolean active)
{
	CavMicWatchEvent ev = {mic, kind, active};

	g_array_append_val(events, ev);
}

static gboolean
above(double db, double threshold)
{
	return !isnan(db) && db >= threshold;
}

static void
watch_silence(CavMicWatch *w, guint i, guint step, gboolean others, double rms, GArray *events)
{
	MicState *m = &w->mics[i];

	if (above(rms, w->cfg.silent_db)) {
		m->silent_ms = 0;
		m->loud_ms += step;
		if (m->silent && m->loud_ms >= SILENT_CLEAR_MS) {
			m->silent = FALSE;
			report(events, i, CAV_MIC_ALARM_SILENT, FALSE);
		}
		return;
	}
	m->loud_ms = 0;
	if (others)
		m->silent_ms += step;
	if (!m->silent && m->silent_ms >= w->cfg.silent_ms) {
		m->silent = TRUE;
		report(events, i, CAV_MIC_ALARM_SILENT, TRUE);
	}
}

static void
watch_clipping(CavMicWatch *w, guint i, guint step, double peak, GArray *events)
{
	MicState *m = &w->mics[i];
	gboolean hit = above(peak, w->cfg.clip_db);
	guint hits = 0;

	m->clip_bits =
		(guint16)(((m->clip_bits << 1) | (hit ? 1u : 0u)) & ((1u << CLIP_WINDOW) - 1));
	for (guint b = 0; b < CLIP_WINDOW; b++)
		hits += (m->clip_bits >> b) & 1u;
	m->since_clip_ms = hit ? 0 : m->since_clip_ms + step;
	if (!m->clipping && hits >= CLIP_HITS) {
		m->clipping = TRUE;
		report(events, i, CAV_MIC_ALARM_CLIPPING, TRUE);
	} else if (m->clipping && m->since_clip_ms >= w->cfg.clear_ms) {
		m->clipping = FALSE;
		report(events, i, CAV_MIC_ALARM_CLIPPING, FALSE);
	}
}

void
cav_mic_watch_feed(CavMicWatch *w, gint64 now_us, const double *rms_db, const double *peak_db,
		   GArray *events)
{
	guint step = 0;

	if (w->last_us != G_MININT64 && now_us > w->last_us)
		step = (guint)MIN((now_us - w->last_us) / 1000, (gint64)MAX_STEP_MS);
	w->last_us = now_us;
	for (guint i = 0; i < w->n; i++) {
		gboolean others = FALSE;

		for (guint j = 0; j < w->n; j++)
			others = others || (j != i && above(rms_db[j], w->cfg.speech_db));
		watch_silence(w, i, step, others, rms_db[i], events);
		watch_clipping(w, i, step, peak_db[i], events);
	}
}

gboolean
cav_mic_watch_active(const CavMicWatch *watch, guint mic, CavMicAlarm kind)
{
	if (mic >= watch->n)
		return FALSE;
	return kind == CAV_MIC_ALARM_SILENT ? watch->mics[mic].silent : watch->mics[mic].clipping;
}
