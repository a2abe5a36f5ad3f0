/* lifecycle.h — the rules of a hearing, as pure functions.
 *
 *   idle ──start──► recording ──pause(reason)──► paused ──resume──► recording
 *     │                 │                          │
 *     └──────close──────┴──────────close───────────┴──► closed ──seal──► sealed
 *
 * Pause reasons are the three lawful interruptions of the 2017 rule — recess
 * (休庭), non-public evidence examination (不公开质证), mediation (调解) — and
 * "fault", which only the daemon itself uses. Case numbers follow the
 * national format （2026）兵0101刑初12号. No I/O; any thread.
 */
#pragma once

#include <glib.h>
#include "store.h"

G_BEGIN_DECLS

typedef enum {
	CAV_ACTION_START,
	CAV_ACTION_PAUSE,
	CAV_ACTION_RESUME,
	CAV_ACTION_CLOSE,
	CAV_ACTION_SEAL,
	CAV_ACTION_MARK,
} CavHearingAction;

const char *cav_action_name(CavHearingAction action);

/* Whether @action may be taken from @state; if not, a bilingual
 * CAV_ROOM_ERROR_BAD_TRANSITION saying why and what to do. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_lifecycle_check(CavHearingState state, CavHearingAction action, GError **error);

/* The state after @action (only meaningful when the check passed). */
CavHearingState cav_lifecycle_next(CavHearingState state, CavHearingAction action);

/* Parses a pause reason given by a person: "recess", "closed_evidence",
 * "mediation" or their Chinese names 休庭, 不公开质证, 调解. "fault" is
 * refused unless @allow_fault. Returns the canonical name (static). */
const char *cav_pause_reason_parse(const char *text, gboolean allow_fault, GError **error);
/* 休庭 etc. for a canonical reason. (transfer none) */
const char *cav_pause_reason_zh(const char *reason);

/* Validates and normalises a case number: ASCII parentheses become
 * full-width, spaces are removed. Returns NULL with a bilingual
 * CAV_ROOM_ERROR_INVALID_CASE_NUMBER when it is not of the form
 * （year）court-code type-word serial 号. (transfer full) */
char *cav_case_number_normalize(const char *text, GError **error);

/* The case number as a path component: without the year's parentheses, any
 * character unsafe in a file name replaced by '_'. (transfer full) */
char *cav_case_number_slug(const char *number);

G_END_DECLS
