/* store-discs.c — disc jobs and their copies (see store-discs.h). Main
 * thread only. */
#include "store-private.h"
#include "store-discs.h"

void
cav_disc_job_row_free(CavDiscJobRow *row)
{
	if (row == NULL)
		return;
	g_free(row->kind);
	g_free(row->medium);
	g_free(row->hearings);
	g_free(row->state);
	g_free(row->actor);
	g_free(row->error);
	g_free(row);
}

void
cav_disc_copy_row_free(CavDiscCopyRow *row)
{
	if (row == NULL)
		return;
	g_free(row->drive);
	g_free(row->state);
	g_free(row->verify);
	g_free(row->findings);
	g_free(row->error);
	g_free(row);
}

gint64
cav_store_disc_job_insert(CavStore *store, const CavDiscJobRow *job, const char *const *drives,
			  GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"INSERT INTO disc_jobs (kind, case_id, disc, medium, close, state, actor, "
		"started_us) VALUES (?1, ?2, ?3, ?4, ?5, 'running', ?6, ?7)",
		error);
	g_autoptr(CavStmt) copy = NULL;
	gint64 id;

	if (stmt == NULL)
		return 0;
	cav_bind_text(stmt, 1, job->kind);
	sqlite3_bind_int64(stmt, 2, job->case_id);
	sqlite3_bind_int(stmt, 3, (int)job->disc);
	cav_bind_text(stmt, 4, job->medium);
	sqlite3_bind_int(stmt, 5, job->close ? 1 : 0);
	cav_bind_text(stmt, 6, job->actor);
	sqlite3_bind_int64(stmt, 7, job->started_us);
	if (!cav_store_step_done(store, stmt, "saving the disc job", error))
		return 0;
	id = sqlite3_last_insert_rowid(cav_store_db(store));
	copy = cav_store_prepare(store,
				 "INSERT INTO disc_copies (job_id, drive, state) VALUES (?1, ?2, "
				 "'pending')",
				 error);
	if (copy == NULL)
		return 0;
	for (guint i = 0; drives[i] != NULL; i++) {
		sqlite3_reset(copy);
		sqlite3_bind_int64(copy, 1, id);
		cav_bind_text(copy, 2, drives[i]);
		if (!cav_store_step_done(store, copy, "saving a disc copy", error))
			return 0;
	}
	return id;
}

gboolean
cav_store_disc_job_finish(CavStore *store, gint64 id, const char *state, const char *hearings,
			  const char *error_text, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"UPDATE disc_jobs SET state = ?2, hearings = ?3, error = ?4, finished_us = ?5 "
		"WHERE id = ?1",
		error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, id);
	cav_bind_text(stmt, 2, state);
	cav_bind_text(stmt, 3, hearings);
	cav_bind_text(stmt, 4, error_text);
	sqlite3_bind_int64(stmt, 5, g_get_real_time());
	return cav_store_step_done(store, stmt, "finishing the disc job", error);
}

gboolean
cav_store_disc_copy_update(CavStore *store, gint64 job_id, const char *drive,
			   const CavDiscCopyRow *copy, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"UPDATE disc_copies SET state = ?3, bytes = ?4, sessions = ?5, verify = ?6, "
		"findings = ?7, error = ?8 WHERE job_id = ?1 AND drive = ?2",
		error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, job_id);
	cav_bind_text(stmt, 2, drive);
	cav_bind_text(stmt, 3, copy->state);
	cav_bind_int64(stmt, 4, copy->bytes, TRUE);
	cav_bind_int64(stmt, 5, copy->sessions, TRUE);
	cav_bind_text(stmt, 6, copy->verify);
	cav_bind_text(stmt, 7, copy->findings);
	cav_bind_text(stmt, 8, copy->error);
	return cav_store_step_done(store, stmt, "saving a disc copy", error);
}

gboolean
cav_store_disc_jobs_interrupted(CavStore *store, gint64 now_us, GError **error)
{
	g_autoptr(CavStmt) jobs = cav_store_prepare(
		store,
		"UPDATE disc_jobs SET state = 'failed', finished_us = ?1, error = 'Interrupted: "
		"courtavd stopped while the job ran; the discs are incomplete and must not be "
		"used.' || char(30) || '中断：任务进行中 courtavd 已停止，光盘不完整，不得使用。' "
		"WHERE state = 'running'",
		error);
	g_autoptr(CavStmt) copies = NULL;

	if (jobs == NULL)
		return FALSE;
	sqlite3_bind_int64(jobs, 1, now_us);
	if (!cav_store_step_done(store, jobs, "closing interrupted disc jobs", error))
		return FALSE;
	copies = cav_store_prepare(store,
				   "UPDATE disc_copies SET state = 'failed' WHERE state IN "
				   "('pending','written') AND job_id IN (SELECT id FROM disc_jobs "
				   "WHERE state = 'failed')",
				   error);
	return copies != NULL &&
	       cav_store_step_done(store, copies, "closing interrupted disc copies", error);
}

#define JOB_COLUMNS                                                                                \
	"id, kind, case_id, disc, medium, close, hearings, state, actor, started_us, "             \
	"finished_us, error"

static CavDiscJobRow *
job_from_stmt(sqlite3_stmt *stmt)
{
	CavDiscJobRow *row = g_new0(CavDiscJobRow, 1);

	row->id = sqlite3_column_int64(stmt, 0);
	row->kind = cav_col_dup(stmt, 1);
	row->case_id = sqlite3_column_int64(stmt, 2);
	row->disc = (guint)sqlite3_column_int(stmt, 3);
	row->medium = cav_col_dup(stmt, 4);
	row->close = sqlite3_column_int(stmt, 5) != 0;
	row->hearings = cav_col_dup(stmt, 6);
	row->state = cav_col_dup(stmt, 7);
	row->actor = cav_col_dup(stmt, 8);
	row->started_us = sqlite3_column_int64(stmt, 9);
	row->finished_us = sqlite3_column_int64(stmt, 10);
	row->error = cav_col_dup(stmt, 11);
	return row;
}

CavDiscJobRow *
cav_store_disc_job_get(CavStore *store, gint64 id, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store, "SELECT " JOB_COLUMNS " FROM disc_jobs WHERE id = ?1", error);
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return job_from_stmt(stmt);
	if (rc == SQLITE_DONE)
		g_set_error(error, CAV_STORE_ERROR, CAV_STORE_ERROR_NOT_FOUND,
			    "No disc job with id %" G_GINT64_FORMAT ".", id);
	else
		cav_store_fail(store, "reading a disc job", error);
	return NULL;
}

GPtrArray *
cav_store_disc_job_list(CavStore *store, gint64 case_id, guint limit, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(store,
						    "SELECT " JOB_COLUMNS
						    " FROM disc_jobs WHERE ?1 = 0 OR case_id = ?1 "
						    "ORDER BY id DESC LIMIT ?2",
						    error);
	g_autoptr(GPtrArray) rows =
		g_ptr_array_new_with_free_func((GDestroyNotify)cav_disc_job_row_free);
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, case_id);
	sqlite3_bind_int(stmt, 2, (int)limit);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(rows, job_from_stmt(stmt));
	if (rc != SQLITE_DONE) {
		cav_store_fail(store, "listing disc jobs", error);
		return NULL;
	}
	return g_steal_pointer(&rows);
}

GPtrArray *
cav_store_disc_copy_list(CavStore *store, gint64 job_id, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"SELECT id, job_id, drive, state, bytes, sessions, verify, findings, error "
		"FROM disc_copies WHERE job_id = ?1 ORDER BY id",
		error);
	g_autoptr(GPtrArray) rows =
		g_ptr_array_new_with_free_func((GDestroyNotify)cav_disc_copy_row_free);
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, job_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		CavDiscCopyRow *row = g_new0(CavDiscCopyRow, 1);

		row->id = sqlite3_column_int64(stmt, 0);
		row->job_id = sqlite3_column_int64(stmt, 1);
		row->drive = cav_col_dup(stmt, 2);
		row->state = cav_col_dup(stmt, 3);
		row->bytes = sqlite3_column_int64(stmt, 4);
		row->sessions = (guint)sqlite3_column_int(stmt, 5);
		row->verify = cav_col_dup(stmt, 6);
		row->findings = cav_col_dup(stmt, 7);
		row->error = cav_col_dup(stmt, 8);
		g_ptr_array_add(rows, row);
	}
	if (rc != SQLITE_DONE) {
		cav_store_fail(store, "listing disc copies", error);
		return NULL;
	}
	return g_steal_pointer(&rows);
}
