/* quality.h — the quality report of a hearing (issue 3): was everything
 * recorded, and how well.
 *
 *   recorded_s        time in recording intervals
 *   tracks[]          per track: coverage % of the recorded time by its
 *                     segments, fault intervals (uncovered stretches over one
 *                     second; "lost": the source's faults from source health,
 *                     while the file showed the slate; alarms whose code ends
 *                     in ":<track>"), dropped frames, worst A/V offset
 *   microphones[]     per microphone: silent, clipping and lost time, with intervals
 *   av                worst A/V offset over every segment, BT.1359 verdict
 *   layout            switches, time per layout, completeness (share of pane
 *                     time showing a camera that was not lost)
 *   speakers          the speaker timeline: every voice switch, time per camera
 *   verdict           "ok" or the list of problems found
 *
 * Built from the store alone (segments rows carry the measurements taken
 * when each file closed), so it can be rebuilt at any time; it is stored
 * when the hearing closes and served by GET /api/v1/hearings/{id}/report.
 *
 * Main thread only.
 */
#pragma once

#include <json-glib/json-glib.h>
#include "config.h"
#include "store.h"

G_BEGIN_DECLS

/* Builds the report as it stands now (an open hearing's recording interval
 * counts up to @now_us). (transfer full) NULL with @error. */
JsonNode *cav_quality_report_build(CavStore *store, const CavConfig *config, gint64 hearing_id,
				   gint64 now_us, GError **error);

/* Builds the report of a closed or sealed hearing and stores it. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_quality_report_store(CavStore *store, const CavConfig *config, gint64 hearing_id,
				  GError **error);

/* The stored report if there is one, else one built now (and stored when
 * the hearing is closed). *@stored says which. (transfer full) */
char *cav_quality_report_get(CavStore *store, const CavConfig *config, gint64 hearing_id,
			     gboolean *stored, GError **error);

G_END_DECLS
