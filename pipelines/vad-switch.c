/* vad-switch.c — the voice-activated switching state machine (see vad-switch.h).
 *
 * Levels are compared per camera rather than per microphone: two
 * microphones on the defence table both point at the defence camera, and
 * one of them being louder than the other must not count as "someone else
 * dominates". A microphone without a camera can stop a switch (it is one of
 * the others) but never win one.
 *
 * Pure; not thread-safe; no clock of its own.
 */
#include "vad-switch.h"

#include <math.h>

struct CavVad {
	CavVadConfig cfg;
	guint n_mics;
	guint n_cameras;
	gint *camera_of_mic; /* owned, n_mics */
	double *cam_level;   /* owned, n_cameras: scratch */
	gint *cam_mic;       /* owned, n_cameras: scratch, loudest mic of each camera */
	guint current;
	gint candidate; /* camera index, -1 when none */
	gint64 candidate_since;
	gint64 last_switch; /* G_MININT64 before the first switch */
	gint64 last_speech;
	gboolean fallen_back; /* the silence fallback was applied since the last speech */
};

#define SILENT_DB (-200.0)

static double
clean(double db)
{
	return isnan(db) || db < SILENT_DB ? SILENT_DB : db;
}

CavVad *
cav_vad_new(const CavVadConfig *config, guint n_mics, const gint *camera_of_mic, guint n_cameras)
{
	CavVad *vad = g_new0(CavVad, 1);

	vad->cfg = *config;
	vad->n_mics = n_mics;
	vad->n_cameras = MAX(n_cameras, 1u);
	vad->camera_of_mic = g_new(gint, MAX(n_mics, 1u));
	for (guint i = 0; i < n_mics; i++)
		vad->camera_of_mic[i] = camera_of_mic[i] >= 0 && (guint)camera_of_mic[i] < n_cameras
						? camera_of_mic[i]
						: -1;
	vad->cam_level = g_new(double, vad->n_cameras);
	vad->cam_mic = g_new(gint, vad->n_cameras);
	if (vad->cfg.fallback >= vad->n_cameras)
		vad->cfg.fallback = 0;
	cav_vad_reset(vad, 0, vad->cfg.fallback);
	vad->last_switch = G_MININT64;
	return vad;
}

void
cav_vad_free(CavVad *vad)
{
	if (vad == NULL)
		return;
	g_free(vad->camera_of_mic);
	g_free(vad->cam_level);
	g_free(vad->cam_mic);
	g_free(vad);
}

guint
cav_vad_current(const CavVad *vad)
{
	return vad->current;
}

void
cav_vad_reset(CavVad *vad, gint64 now_us, guint camera)
{
	vad->current = camera < vad->n_cameras ? camera : vad->cfg.fallback;
	vad->candidate = -1;
	vad->candidate_since = now_us;
	vad->last_switch = now_us;
	vad->last_speech = now_us;
	vad->fallen_back = vad->current == vad->cfg.fallback;
}

static gboolean
held(gint64 now, gint64 since, guint ms)
{
	return since == G_MININT64 || now - since >= (gint64)ms * 1000;
}

/* The loudest camera and the loudest level of every microphone outside it. */
static gint
loudest(CavVad *vad, const double *rms_db, double *best_level, double *others)
{
	gint best = -1;

	for (guint c = 0; c < vad->n_cameras; c++) {
		vad->cam_level[c] = SILENT_DB;
		vad->cam_mic[c] = -1;
	}
	for (guint i = 0; i < vad->n_mics; i++) {
		gint c = vad->camera_of_mic[i];
		double l = clean(rms_db[i]);

		if (c >= 0 && l > vad->cam_level[c]) {
			vad->cam_level[c] = l;
			vad->cam_mic[c] = (gint)i;
		}
	}
	for (guint c = 0; c < vad->n_cameras; c++)
		if (vad->cam_mic[c] >= 0 && (best < 0 || vad->cam_level[c] > vad->cam_level[best]))
			best = (gint)c;
	*best_level = best >= 0 ? vad->cam_level[best] : SILENT_DB;
	*others = SILENT_DB;
	for (guint i = 0; i < vad->n_mics; i++)
		if (vad->camera_of_mic[i] != best)
			*others = MAX(*others, clean(rms_db[i]));
	return best;
}

static gboolean
decide(CavVad *vad, gint64 now, CavVadReason reason, guint camera, gint mic, CavVadDecision *out)
{
	vad->current = camera;
	vad->candidate = -1;
	vad->last_switch = now;
	out->reason = reason;
	out->camera = camera;
	out->mic = mic;
	return TRUE;
}

gboolean
cav_vad_feed(CavVad *vad, gint64 now_us, const double *rms_db, CavVadDecision *out)
{
	double best_level, others;
	gint best = loudest(vad, rms_db, &best_level, &others);
	gboolean speaking = FALSE;

	out->reason = CAV_VAD_NONE;
	out->camera = vad->current;
	out->mic = -1;
	for (guint i = 0; i < vad->n_mics; i++)
		speaking = speaking || clean(rms_db[i]) >= vad->cfg.speech_db;
	if (speaking) {
		vad->last_speech = now_us;
		vad->fallen_back = FALSE;
	}

	if (best >= 0 && (guint)best != vad->current && best_level >= vad->cfg.speech_db &&
	    best_level - others >= vad->cfg.dominance_db) {
		if (vad->candidate != best) {
			vad->candidate = best;
			vad->candidate_since = now_us;
		}
		if (held(now_us, vad->candidate_since, vad->cfg.hold_in_ms) &&
		    held(now_us, vad->last_switch, vad->cfg.min_hold_ms))
			return decide(vad, now_us, CAV_VAD_SPEAKER, (guint)best, vad->cam_mic[best],
				      out);
		return FALSE;
	}
	vad->candidate = -1;
	if (!speaking && !vad->fallen_back && held(now_us, vad->last_speech, vad->cfg.silence_ms)) {
		vad->fallen_back = TRUE;
		if (vad->current != vad->cfg.fallback)
			return decide(vad, now_us, CAV_VAD_SILENCE, vad->cfg.fallback, -1, out);
	}
	return FALSE;
}
