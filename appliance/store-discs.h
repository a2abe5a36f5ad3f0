/* store-discs.h — the disc_jobs and disc_copies rows (migration 3).
 *
 * Kept apart from store.h because only the disc module reads or writes
 * them. Main thread only, like every store call.
 */
#pragma once

#include <glib.h>
#include "store.h"

G_BEGIN_DECLS

typedef struct {
	gint64 id;
	char *kind; /* "author" | "burn" (owned) */
	gint64 case_id;
	guint disc;
	char *medium; /* (owned) */
	gboolean close;
	char *hearings; /* JSON array of the hearing ids the session added (owned, nullable) */
	char *state;    /* "running" | "done" | "failed" (owned) */
	char *actor;    /* (owned) */
	gint64 started_us;
	gint64 finished_us; /* 0 while running */
	char *error;        /* English\x1e中文 (owned, nullable) */
} CavDiscJobRow;

typedef struct {
	gint64 id;
	gint64 job_id;
	char *drive; /* (owned) */
	char *state; /* "pending" | "written" | "verified" | "failed" (owned) */
	gint64 bytes;
	guint sessions;
	char *verify;   /* "ok" | "failed" (owned, nullable) */
	char *findings; /* JSON array (owned, nullable) */
	char *error;    /* (owned, nullable) */
} CavDiscCopyRow;

void cav_disc_job_row_free(CavDiscJobRow *row);
void cav_disc_copy_row_free(CavDiscCopyRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavDiscJobRow, cav_disc_job_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavDiscCopyRow, cav_disc_copy_row_free)

/* Inserts a running job with a pending copy per drive; returns its id or 0. */
G_GNUC_WARN_UNUSED_RESULT
gint64 cav_store_disc_job_insert(CavStore *store, const CavDiscJobRow *job,
				 const char *const *drives, GError **error);
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_disc_job_finish(CavStore *store, gint64 id, const char *state,
				   const char *hearings, const char *error_text, GError **error);
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_disc_copy_update(CavStore *store, gint64 job_id, const char *drive,
				    const CavDiscCopyRow *copy, GError **error);
/* Marks every job left running by a previous process as failed. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_disc_jobs_interrupted(CavStore *store, gint64 now_us, GError **error);

/* (transfer full) NULL + NOT_FOUND when absent. */
CavDiscJobRow *cav_store_disc_job_get(CavStore *store, gint64 id, GError **error);
/* Newest first, those of @case_id when > 0, at most @limit. (transfer full) */
GPtrArray *cav_store_disc_job_list(CavStore *store, gint64 case_id, guint limit, GError **error);
/* (transfer full) of CavDiscCopyRow, by id. */
GPtrArray *cav_store_disc_copy_list(CavStore *store, gint64 job_id, GError **error);

G_END_DECLS
