/* room-private.h — CavRoom's fields, shared by room.c, room-media.c and
 * recovery.c only. Main thread only. */
#pragma once

#include "room.h"
#include "events.h"
#include "pipelines/recorder.h"
#include "common/mp4scan.h"
#include "common/sha256.h"

struct CavRoom {
	const CavConfig *config;   /* unowned: outlives the room */
	CavStore *store;           /* unowned */
	const CavSigner *signer;   /* unowned */
	CavDiskGuard *guard;       /* owned */
	CavRecorder *recorder;     /* owned; NULL when nothing records */
	gint64 rec_hearing_id;     /* the hearing the recorder writes, or 0 */
	char *rec_media_dir;       /* that hearing's folder (owned) */
	GHashTable *track_ids;     /* track name -> gint64 * (owned) */
	GHashTable *open_segments; /* absolute path -> gint64 * segment id (owned) */
	GQueue jobs;               /* SegmentJob *, in the order files closed (owned) */
	GPtrArray *waiters;  /* GTask *, completed when recorder is down and jobs drained (owned) */
	GPtrArray *alarms;   /* CavAlarm * (owned) */
	CavEventHub *events; /* owned */
	struct CavRoomProgram
		*program; /* owned: layout, voice switching, mic alarms (room-program.c) */
	struct CavRoomEvidence
		*evidence; /* owned: the evidence input in use (room-evidence.c), nullable */
	GPtrArray *evidence_closing;  /* owned: ended uses whose recorders drain, nullable */
	GHashTable *evidence_digests; /* owned: hearing id -> exhibit digests pending, nullable */
	gboolean shutting_down;
};

/* One closed (or torn) segment on its way into the chain. The worker fills
 * the results; the main thread commits jobs strictly in queue order. */
typedef struct {
	gint64 segment_id;
	gint64 hearing_id;
	char *abs_path; /* owned */
	char *track;    /* owned */
	guint seq;
	gint64 start_us;
	gint64 end_us; /* from the recorder; 0 = derive from the file */
	gboolean partial;
	/* results, written by the worker before done is set */
	gboolean done;
	GError *error; /* owned; file unreadable */
	guint8 sha256[CAV_SHA256_LEN];
	guint64 bytes;
	CavMp4Info info;
	gboolean repaired;
} SegmentJob;

SegmentJob *cav_segment_job_new(gint64 segment_id, gint64 hearing_id, const char *abs_path,
				const char *track, guint seq, gint64 start_us, gint64 end_us,
				gboolean partial);
void cav_segment_job_free(SegmentJob *job);
/* Worker side: repair if partial, scan, hash. Blocking. */
void cav_segment_job_compute(SegmentJob *job);
/* Main side: chain link, row, audit, in one transaction. */
gboolean cav_room_media_commit(CavRoom *room, SegmentJob *job, GError **error);

/* Recorder callbacks (room-media.c). */
void cav_room_media_opened(CavRoom *room, gint64 hearing_id, const CavSegmentEvent *ev);
void cav_room_media_closed(CavRoom *room, const CavSegmentEvent *ev);
/* Queues every still-open segment of @tracks (NULL: of every track) as a
 * partial job: their recorder went down without closing them. */
void cav_room_media_flush_open(CavRoom *room, const char *const *tracks);
/* room-evidence.c: TRUE while an evidence recorder exists. */
gboolean cav_room_evidence_active(CavRoom *room);
/* Completes the waiters when the recorder is gone and no job is pending. */
void cav_room_media_check_waiters(CavRoom *room);

/* Registers (repairs, hashes, chains as partial) every .mp4 in @h's track
 * folders that has no segment row: a file the recorder created but never
 * reported, because it crashed or failed in between (recovery.c). */
void cav_room_register_orphans(CavRoom *room, const CavHearingRow *h);

/* Rewrites <media_dir>/manifest.json from the store; logs on failure. */
gboolean cav_room_write_manifest(CavRoom *room, gint64 hearing_id, GError **error);

/* Appends an audit row (joining the caller's transaction). @detail is a
 * NULL-terminated list of key, value string pairs, or NULL. */
gboolean cav_room_audit(CavRoom *room, const char *actor, const char *action, gint64 hearing_id,
			GError **error, ...) G_GNUC_NULL_TERMINATED;

/* Raises or clears an alarm by code; raising also stores an event row. */
void cav_room_alarm_raise(CavRoom *room, const char *code, gint64 hearing_id, const char *message,
			  const char *message_zh);
void cav_room_alarm_clear(CavRoom *room, const char *code);

/* Emits a "state" event with the hearing's current state. */
void cav_room_emit_state(CavRoom *room, gint64 hearing_id);

/* Starts the recorder for @hearing (tracks rows, plan, start). */
gboolean cav_room_start_recorder(CavRoom *room, const CavHearingRow *hearing, GError **error);
