/* levels.h — microphone levels: reading the level elements' messages into
 * 10 Hz rounds, and the silent/clipping watch (private to pipelines/, but
 * the watch is pure and also used by the appliance through recorder.h's
 * types).
 *
 * Each microphone's input chain has a `level` element named
 * "level-<mic id>" (audio-in.c) posting a message every 100 ms. The
 * messages reach the main thread through the recorder's bus watch;
 * CavLevels keeps the latest of each microphone and says when a round is
 * complete, so the recorder calls its `levels` callback about ten times a
 * second with every microphone in it, even when one microphone stalls.
 *
 * Threads: main thread only (bus messages are dispatched there).
 */
#pragma once

#include "recorder.h"

G_BEGIN_DECLS

/* Name of a microphone's level element; the id follows the prefix. */
#define CAV_LEVEL_ELEMENT_PREFIX "level-"

typedef struct CavLevels CavLevels;

/* @mics: CavSourceSpec of the microphones, in plan order (unowned; the
 * specs must outlive the CavLevels). (transfer full) */
CavLevels *cav_levels_new(const GPtrArray *mics);
void cav_levels_free(CavLevels *levels);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavLevels, cav_levels_free)

/* Takes a level element's message. Returns TRUE when it was one, and sets
 * *@round_done when a round of levels is ready in cav_levels_round(). */
gboolean cav_levels_handle_message(CavLevels *levels, GstMessage *msg, gboolean *round_done);

/* The last complete round, one entry per microphone. (transfer none) */
const CavMicLevel *cav_levels_round(CavLevels *levels, guint *n_levels);

/* dB value of a level message field, clamped to [CAV_LEVEL_FLOOR_DB, 0]. */
double cav_levels_clamp_db(double db);

G_END_DECLS
