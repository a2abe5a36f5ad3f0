/* room.h — the courtroom controller: one per courtavd.
 *
 * Owns what happens in the room: cases, the hearing lifecycle (lifecycle.h
 * rules applied to the store), the recorder of the hearing being recorded,
 * the disk guard, and the handling of every segment the recorder closes
 * (room-media.c: hash in a worker, chain, row, audit, manifest). Every state
 * change and its audit row commit in one transaction.
 *
 * Threads: main thread only. Blocking work (hashing, MP4 repair) runs in
 * GTask worker threads and reports back to the main context. Callbacks
 * (GAsyncReadyCallback) are invoked on the main context.
 */
#pragma once

#include <glib.h>
#include <gio/gio.h>
#include "config.h"
#include "store.h"
#include "diskguard.h"
#include "events.h"
#include "common/signer.h"
#include "common/manifest.h"

G_BEGIN_DECLS

typedef struct CavRoom CavRoom;

/* The actor name the daemon uses for its own actions (recovery, faults). */
#define CAV_ACTOR_DAEMON "courtavd"

typedef struct {
	char *code;       /* "disk-low", "disk-full", "recorder-failed" (owned) */
	char *message;    /* English (owned) */
	char *message_zh; /* (owned) */
	gint64 at_us;
} CavAlarm;

/* Saves the courtroom row, starts the disk guard. Does not recover: call
 * cav_room_recover() next. (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
CavRoom *cav_room_new(const CavConfig *config, CavStore *store, const CavSigner *signer,
		      GError **error);
/* Frees the room; an active recorder is torn down without draining (use
 * cav_room_shutdown() first for a clean stop). NULL-safe. */
void cav_room_free(CavRoom *room);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavRoom, cav_room_free)

/* After a crash, power loss or a stop: registers every segment left open
 * (repairing torn files, never deleting), records the gap as a fault
 * interval, and resumes recording a hearing that was recording. Blocking;
 * call once before serving requests. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_room_recover(CavRoom *room, GError **error);

/* ---- cases --------------------------------------------------------------- */

/* Returns the new case id, or 0 with a bilingual error. */
G_GNUC_WARN_UNUSED_RESULT
gint64 cav_room_case_create(CavRoom *room, const char *number, const char *title, const char *cause,
			    const char *parties, gboolean is_public, const char *actor,
			    GError **error);

/* ---- hearings ------------------------------------------------------------ */

/* Opens a hearing of @case_id in this room (idle), and starts recording
 * when @start. Returns its id, or 0 with a bilingual error. */
G_GNUC_WARN_UNUSED_RESULT
gint64 cav_room_hearing_open(CavRoom *room, gint64 case_id, gboolean start, const char *actor,
			     GError **error);
/* idle → recording, or paused → recording (@action START or RESUME). */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_room_hearing_record(CavRoom *room, gint64 id, gboolean resume, const char *actor,
				 GError **error);
/* recording → paused(@reason). Completes once every segment is closed and
 * hashed. @reason is a canonical or Chinese reason name. */
void cav_room_hearing_pause(CavRoom *room, gint64 id, const char *reason, const char *detail,
			    const char *actor, GAsyncReadyCallback callback, gpointer user_data);
/* → closed; completes once every segment is closed and hashed. */
void cav_room_hearing_close(CavRoom *room, gint64 id, const char *actor,
			    GAsyncReadyCallback callback, gpointer user_data);
/* Finishes pause/close: TRUE or a bilingual error. */
gboolean cav_room_op_finish(CavRoom *room, GAsyncResult *result, GError **error);
/* closed → sealed: signs the manifest, writes manifest.sig. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_room_hearing_seal(CavRoom *room, gint64 id, const char *actor, GError **error);
/* Returns the new mark id, or 0 with a bilingual error. */
G_GNUC_WARN_UNUSED_RESULT
gint64 cav_room_mark_add(CavRoom *room, gint64 id, const char *label, const char *actor,
			 GError **error);

/* The manifest of a hearing as it stands now, built from the store. (transfer full) */
CavManifest *cav_room_build_manifest(CavRoom *room, gint64 hearing_id, GError **error);

/* Stops any recording cleanly (segments closed and hashed, interval ended)
 * for a daemon shutdown. The hearing stays "recording" in the store so the
 * next start resumes it, logging the downtime as a fault interval. */
void cav_room_shutdown(CavRoom *room, GAsyncReadyCallback callback, gpointer user_data);

/* Turns a store failure into a bilingual internal error (keeps the text). */
void cav_room_wrap_store_error(GError **error);

/* The room's live events (events.h). (transfer none) */
CavEventHub *cav_room_events(CavRoom *room);

/* ---- status -------------------------------------------------------------- */

/* (transfer none) */
const CavConfig *cav_room_config(CavRoom *room);
CavStore *cav_room_store(CavRoom *room);
CavDiskGuard *cav_room_disk(CavRoom *room);
gboolean cav_room_is_recording(CavRoom *room);
/* Active alarms, oldest first. (transfer none) of CavAlarm */
GPtrArray *cav_room_alarms(CavRoom *room);
/* Track names a hearing of this room records, in order. (transfer full) */
GStrv cav_room_track_names(CavRoom *room);

G_END_DECLS
