/* vad-switch.h — voice-activated switching (语音激励) as a pure state machine.
 *
 * Fed with every microphone's RMS level ten times a second, it decides
 * which camera belongs in the program's main pane:
 *   - a camera's level is the loudest of the microphones mapped to it;
 *   - a camera whose level is above the speech threshold and at least
 *     dominance_db above every other microphone (mapped or not) for
 *     hold_in_ms becomes the main camera;
 *   - hysteresis: the current camera is one of the "others" a challenger
 *     must beat by dominance_db, and no switch happens within min_hold_ms
 *     of the previous one, so two people talking over each other do not
 *     make the picture flap;
 *   - when no microphone has been above the speech threshold for
 *     silence_ms, the main pane falls back to the fallback camera (the
 *     judge's or the overview), once, until someone speaks again.
 *
 * No clock of its own: the caller passes the time of each level sample, so
 * tests drive it with synthetic sequences (tests/pipelines/test-vad-switch.c).
 * Not thread-safe; the appliance feeds it on the main thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
	double speech_db;    /* RMS above which a microphone counts as speaking, e.g. -45 */
	double dominance_db; /* margin over every other microphone, e.g. 6 */
	guint hold_in_ms;    /* how long the margin must hold before a switch, e.g. 600 */
	guint min_hold_ms;   /* least time between two switches, e.g. 2500 */
	guint silence_ms;    /* silence before the fallback, e.g. 5000 */
	guint fallback;      /* camera index shown on silence and at start */
} CavVadConfig;

typedef enum {
	CAV_VAD_NONE,    /* no change */
	CAV_VAD_SPEAKER, /* a speaker took the main pane */
	CAV_VAD_SILENCE, /* silence: back to the fallback camera */
} CavVadReason;

typedef struct {
	CavVadReason reason;
	guint camera; /* the new main camera */
	gint mic;     /* the microphone that won, -1 for a silence fallback */
} CavVadDecision;

typedef struct CavVad CavVad;

/* @camera_of_mic[i] is the camera index microphone i shows, or -1 for a
 * microphone with no camera. Starts on the fallback camera. (transfer full) */
CavVad *cav_vad_new(const CavVadConfig *config, guint n_mics, const gint *camera_of_mic,
		    guint n_cameras);
void cav_vad_free(CavVad *vad);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavVad, cav_vad_free)

/* One level sample per microphone (dBFS RMS, -inf or < -200 for silence)
 * taken at @now_us (monotonic, non-decreasing). Fills @out and returns TRUE
 * when the main camera changes. */
gboolean cav_vad_feed(CavVad *vad, gint64 now_us, const double *rms_db, CavVadDecision *out);

/* The camera currently chosen. */
guint cav_vad_current(const CavVad *vad);

/* Forgets candidates and timers and puts the main pane on @camera, e.g.
 * after switching is turned back on or a person chose the layout. */
void cav_vad_reset(CavVad *vad, gint64 now_us, guint camera);

G_END_DECLS
