/* room-evidence.h — evidence inputs in the room (issue 3).
 *
 * An evidence input ([evidence ID] in the config: an HDMI capture a party's
 * laptop is plugged into, or image and video files from a folder) is
 * recorded only while it is in use. Putting it to use starts a second,
 * small recorder beside the hearing's (CavRecorderPlan.evidence): the input
 * on its own track, named after its id, with the hearing's audio mix in
 * each file; ending the use stops it. Its segments are hashed, chained and
 * listed in the manifest like every other track's, and each use is a row
 * (store-evidence.h) and two audit entries — with the SHA-256 of a shown
 * file — so the record says what was shown, when and by whom.
 *
 * Rules: only while the hearing records; one input in use at a time (a
 * courtroom has one presenter screen; the next may start while the last
 * one's recorder is still closing its files); pausing, closing or a recorder fault
 * ends the use. The input is not composed into the program picture: the
 * program's panes are fixed for a recording run so that switching never
 * glitches, and an exhibit shown to the court is not always one for the
 * public stream; the program keeps showing the room.
 *
 * Events: "evidence" {id, state: "on"|"off", use_id, file, reason}.
 * Main thread only.
 */
#pragma once

#include "room-private.h"
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Puts evidence input @id to use in the hearing being recorded; @file
 * (for a "file" input, relative to its folder; NULL otherwise) is what it
 * shows. Returns the use id, or 0 with a bilingual error. */
G_GNUC_WARN_UNUSED_RESULT
gint64 cav_room_evidence_start(CavRoom *room, const char *id, const char *file, const char *actor,
			       GError **error);

/* Ends the use in progress: its files close in the background. FALSE with a
 * bilingual error when nothing is in use. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_room_evidence_stop(CavRoom *room, const char *actor, GError **error);

/* The hearing's recording stops (pause, close, fault, shutdown): ends a use
 * in progress, by the daemon, giving @reason. No-op otherwise. */
void cav_room_evidence_end(CavRoom *room, const char *reason);

/* TRUE while the SHA-256 of a file shown in @hearing_id is being computed
 * (sealing waits for it). */
gboolean cav_room_evidence_digest_pending(CavRoom *room, gint64 hearing_id);

/* TRUE while an evidence recorder exists (in use, or closing its files). */
gboolean cav_room_evidence_active(CavRoom *room);

/* {inputs: [{id, label, backend, files?: [name...]}], active: {...}|null}
 * for the panel. (transfer full) */
JsonNode *cav_room_evidence_status(CavRoom *room);

/* Frees the evidence state (the recorder without draining). NULL-safe. */
void cav_room_evidence_free(struct CavRoomEvidence *ev);
/* Frees the use in progress and the closing ones (cav_room_free). */
void cav_room_evidence_dispose(CavRoom *room);

G_END_DECLS
