/* store.h — the appliance's SQLite store: open, migrate, transactions, and
 * the typed rows every other module reads and writes.
 *
 * One CavStore per process, used only from the main thread (SQLite handle
 * in serialized mode anyway). WAL journal, foreign keys on, a 5 s busy
 * timeout (courtavctl may read concurrently), synchronous=FULL because a
 * committed hearing transition must survive power loss.
 *
 * SQL lives in store*.c files by subject: store.c (open, migrate,
 * transactions), store-cases.c, store-hearings.c (hearings, intervals, marks),
 * store-media.c (tracks, segments, events, heartbeat).
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define CAV_STORE_ERROR (cav_store_error_quark())
GQuark cav_store_error_quark(void);

typedef enum {
	CAV_STORE_ERROR_OPEN,       /* cannot open or migrate the database */
	CAV_STORE_ERROR_SQL,        /* a statement failed */
	CAV_STORE_ERROR_CONSTRAINT, /* a UNIQUE/CHECK/FK constraint refused the change */
	CAV_STORE_ERROR_NOT_FOUND,  /* no such row */
	CAV_STORE_ERROR_FULL,       /* the disk holding the database is full */
} CavStoreError;

typedef struct CavStore CavStore;

/* Opens (creating if needed) and migrates the database at @path. (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
CavStore *cav_store_open(const char *path, GError **error);
void cav_store_close(CavStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavStore, cav_store_close)

/* (transfer none) */
sqlite3 *cav_store_db(CavStore *store);
/* (transfer none) */
const char *cav_store_path(CavStore *store);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. Rollback never fails visibly. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_begin(CavStore *store, GError **error);
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_commit(CavStore *store, GError **error);
void cav_store_rollback(CavStore *store);

/* Sets @error from the handle's last failure, prefixed by @what. Always
 * returns FALSE so callers can `return cav_store_fail(...)`. */
gboolean cav_store_fail(CavStore *store, const char *what, GError **error);

/* ---- rows ---------------------------------------------------------------- */

typedef struct {
	gint64 id;
	char *number;  /* (owned) */
	char *title;   /* (owned) */
	char *cause;   /* (owned, nullable) */
	char *parties; /* (owned, nullable) */
	gboolean is_public;
	gint64 created_us;
	char *created_by; /* (owned) */
} CavCaseRow;

typedef enum {
	CAV_HEARING_IDLE,
	CAV_HEARING_RECORDING,
	CAV_HEARING_PAUSED,
	CAV_HEARING_CLOSED,
	CAV_HEARING_SEALED,
} CavHearingState;

typedef struct {
	gint64 id;
	char *uid; /* (owned) */
	gint64 case_id;
	char *room_id; /* (owned) */
	CavHearingState state;
	char *pause_reason; /* (owned, nullable) */
	char *media_dir;    /* absolute (owned) */
	char *name_prefix;  /* (owned) */
	gint64 opened_us;
	char *opened_by;  /* (owned) */
	gint64 closed_us; /* 0 if not */
	gint64 sealed_us; /* 0 if not */
	char *chain_head; /* hex (owned, nullable) */
	char *sig_alg;    /* (owned, nullable) */
	char *key_id;     /* (owned, nullable) */
	char *signature;  /* base64 (owned, nullable) */
} CavHearingRow;

typedef struct {
	gint64 id;
	gint64 hearing_id;
	char *kind;   /* "recording" | "paused" (owned) */
	char *reason; /* (owned, nullable) */
	char *detail; /* (owned, nullable) */
	gint64 start_us;
	gint64 end_us; /* 0 while open */
	char *actor;   /* (owned) */
} CavIntervalRow;

typedef struct {
	gint64 id;
	gint64 hearing_id;
	gint64 at_us;
	char *label; /* (owned) */
	char *actor; /* (owned) */
} CavMarkRow;

typedef struct {
	gint64 id;
	gint64 hearing_id;
	char *name;  /* (owned) */
	char *kind;  /* "camera" | "program" | "audio" (owned) */
	char *label; /* (owned, nullable) */
} CavTrackRow;

typedef struct {
	gint64 id;
	gint64 track_id;
	gint64 hearing_id;
	char *track; /* track name (owned) */
	guint seq;
	char *path;  /* relative to the hearing's media_dir (owned) */
	char *state; /* "open" | "closed" | "partial" (owned) */
	gint64 start_us;
	gint64 end_us; /* 0 while open */
	double duration_s;
	gint64 bytes;
	char *sha256;       /* hex (owned, nullable while open) */
	gint64 chain_index; /* 0 while open; 1.. in chain order */
	char *chain;        /* hex (owned, nullable while open) */
} CavSegmentRow;

typedef struct {
	gint64 id;
	gint64 at_us;
	char *severity;    /* "info" | "warning" | "alarm" (owned) */
	char *code;        /* (owned) */
	gint64 hearing_id; /* 0 if none */
	char *message;     /* (owned) */
} CavEventRow;

void cav_case_row_free(CavCaseRow *row);
void cav_hearing_row_free(CavHearingRow *row);
void cav_interval_row_free(CavIntervalRow *row);
void cav_mark_row_free(CavMarkRow *row);
void cav_track_row_free(CavTrackRow *row);
void cav_segment_row_free(CavSegmentRow *row);
void cav_event_row_free(CavEventRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavCaseRow, cav_case_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavHearingRow, cav_hearing_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavIntervalRow, cav_interval_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavSegmentRow, cav_segment_row_free)

const char *cav_hearing_state_name(CavHearingState state);
gboolean cav_hearing_state_parse(const char *name, CavHearingState *out);

/* ---- courtrooms and cases (store-cases.c) -------------------------------- */

G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_room_upsert(CavStore *store, const char *id, const char *name, const char *court,
			       GError **error);

/* Inserts @row (its id is ignored); returns the new id, or 0 with @error
 * (CONSTRAINT when the number exists). */
G_GNUC_WARN_UNUSED_RESULT
gint64 cav_store_case_insert(CavStore *store, const CavCaseRow *row, GError **error);
/* (transfer full) NULL + NOT_FOUND when absent. */
CavCaseRow *cav_store_case_get(CavStore *store, gint64 id, GError **error);
CavCaseRow *cav_store_case_find_number(CavStore *store, const char *number, GError **error);
/* Newest first. (transfer full) of CavCaseRow */
GPtrArray *cav_store_case_list(CavStore *store, GError **error);

/* ---- hearings, intervals, marks (store-hearings.c) ----------------------- */

G_GNUC_WARN_UNUSED_RESULT
gint64 cav_store_hearing_insert(CavStore *store, const CavHearingRow *row, GError **error);
CavHearingRow *cav_store_hearing_get(CavStore *store, gint64 id, GError **error);
/* The room's hearing in idle/recording/paused, or NULL with no error. */
CavHearingRow *cav_store_hearing_open_in_room(CavStore *store, const char *room_id, GError **error);
/* (transfer full) of CavHearingRow; all, or those of @case_id when > 0. */
GPtrArray *cav_store_hearing_list(CavStore *store, gint64 case_id, GError **error);
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_hearing_set_state(CavStore *store, gint64 id, CavHearingState state,
				     const char *pause_reason, GError **error);
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_hearing_set_closed(CavStore *store, gint64 id, gint64 closed_us, GError **error);
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_hearing_set_sealed(CavStore *store, gint64 id, gint64 sealed_us,
				      const char *chain_head, const char *sig_alg,
				      const char *key_id, const char *signature, GError **error);

G_GNUC_WARN_UNUSED_RESULT
gint64 cav_store_interval_open(CavStore *store, gint64 hearing_id, const char *kind,
			       const char *reason, const char *detail, gint64 start_us,
			       const char *actor, GError **error);
/* Closes the hearing's open interval (end_us NULL) at @end_us; TRUE with
 * nothing done if none is open. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_interval_close_open(CavStore *store, gint64 hearing_id, gint64 end_us,
				       GError **error);
/* Inserts an already-closed interval (e.g. a fault gap found after a crash). */
G_GNUC_WARN_UNUSED_RESULT
gint64 cav_store_interval_insert_closed(CavStore *store, gint64 hearing_id, const char *kind,
					const char *reason, const char *detail, gint64 start_us,
					gint64 end_us, const char *actor, GError **error);
/* In time order. (transfer full) of CavIntervalRow */
GPtrArray *cav_store_interval_list(CavStore *store, gint64 hearing_id, GError **error);

G_GNUC_WARN_UNUSED_RESULT
gint64 cav_store_mark_insert(CavStore *store, gint64 hearing_id, gint64 at_us, const char *label,
			     const char *actor, GError **error);
/* (transfer full) of CavMarkRow */
GPtrArray *cav_store_mark_list(CavStore *store, gint64 hearing_id, GError **error);

/* ---- tracks, segments, events, heartbeat (store-media.c) ----------------- */

/* Returns the track's id, creating the row when needed. */
G_GNUC_WARN_UNUSED_RESULT
gint64 cav_store_track_ensure(CavStore *store, gint64 hearing_id, const char *name,
			      const char *kind, const char *label, GError **error);
/* (transfer full) of CavTrackRow */
GPtrArray *cav_store_track_list(CavStore *store, gint64 hearing_id, GError **error);

/* A segment that has just been opened (state "open"). */
G_GNUC_WARN_UNUSED_RESULT
gint64 cav_store_segment_insert_open(CavStore *store, gint64 track_id, guint seq,
				     const char *rel_path, gint64 start_us, GError **error);
/* Marks a segment closed or partial with its measured facts and chain link. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_segment_finish(CavStore *store, gint64 segment_id, const char *state,
				  gint64 end_us, double duration_s, gint64 bytes,
				  const char *sha256, gint64 chain_index, const char *chain,
				  GError **error);
/* Segments of a hearing; @chained_only restricts to closed/partial rows in
 * chain order, else all rows by id. (transfer full) of CavSegmentRow */
GPtrArray *cav_store_segment_list(CavStore *store, gint64 hearing_id, gboolean chained_only,
				  GError **error);
CavSegmentRow *cav_store_segment_find_path(CavStore *store, const char *rel_path, GError **error);
/* Highest seq of a track (0 if none). */
guint cav_store_segment_max_seq(CavStore *store, gint64 track_id);

G_GNUC_WARN_UNUSED_RESULT
gint64 cav_store_event_insert(CavStore *store, gint64 at_us, const char *severity, const char *code,
			      gint64 hearing_id, const char *message, GError **error);
/* At most @limit events with id > @after, oldest first. (transfer full) */
GPtrArray *cav_store_event_list(CavStore *store, gint64 after, guint limit, GError **error);

G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_heartbeat_set(CavStore *store, gint64 at_us, GError **error);
/* 0 when never written. */
gint64 cav_store_heartbeat_get(CavStore *store);

G_END_DECLS
