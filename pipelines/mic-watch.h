/* mic-watch.h — alarms from microphone levels, as a pure state machine.
 *
 *   silent:   a microphone below silent_db while at least one other
 *             microphone is above speech_db, for silent_ms of such time in
 *             a row (time when nobody speaks neither counts nor resets:
 *             a quiet courtroom is not a dead microphone); cleared after
 *             one second above silent_db.
 *   clipping: the peak at or above clip_db in at least 3 of the last 10
 *             level rounds (one second); cleared after clear_ms without.
 *
 * Fed one round of levels at a time with the round's time; reports each
 * alarm's start and end. Tested with synthetic sequences
 * (tests/pipelines/test-mic-watch.c). Not thread-safe; the appliance feeds
 * it on the main thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
	double silent_db; /* e.g. -60 */
	guint silent_ms;  /* e.g. 10000 */
	double speech_db; /* "others speak": e.g. -45 */
	double clip_db;   /* e.g. -1 */
	guint clear_ms;   /* clipping clears after this long without, e.g. 5000 */
} CavMicWatchConfig;

typedef enum {
	CAV_MIC_ALARM_SILENT,
	CAV_MIC_ALARM_CLIPPING,
} CavMicAlarm;

typedef struct {
	guint mic; /* index in the rounds */
	CavMicAlarm kind;
	gboolean active; /* TRUE: raised; FALSE: cleared */
} CavMicWatchEvent;

typedef struct CavMicWatch CavMicWatch;

CavMicWatch *cav_mic_watch_new(const CavMicWatchConfig *config, guint n_mics);
void cav_mic_watch_free(CavMicWatch *watch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavMicWatch, cav_mic_watch_free)

/* One round at @now_us (non-decreasing): @rms_db and @peak_db have one value
 * per microphone. Appends a CavMicWatchEvent to @events for every alarm that
 * starts or ends. */
void cav_mic_watch_feed(CavMicWatch *watch, gint64 now_us, const double *rms_db,
			const double *peak_db, GArray *events);

/* Whether @kind is active on @mic now. */
gboolean cav_mic_watch_active(const CavMicWatch *watch, guint mic, CavMicAlarm kind);

G_END_DECLS
