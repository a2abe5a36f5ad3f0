/* store-evidence.c — evidence input uses (see store-evidence.h). */
#include "store-evidence.h"
#include "store-private.h"

void
cav_evidence_use_row_free(CavEvidenceUseRow *row)
{
	if (row == NULL)
		return;
	g_free(row->source);
	g_free(row->file);
	g_free(row->file_sha256);
	g_free(row->started_by);
	g_free(row->ended_by);
	g_free(row->end_reason);
	g_free(row);
}

gint64
cav_store_evidence_open(CavStore *store, gint64 hearing_id, const char *source, const char *file,
			gint64 start_us, const char *actor, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"INSERT INTO evidence_uses (hearing_id, source, file, start_us, started_by) "
		"VALUES (?1, ?2, ?3, ?4, ?5)",
		error);

	if (stmt == NULL)
		return 0;
	sqlite3_bind_int64(stmt, 1, hearing_id);
	cav_bind_text(stmt, 2, source);
	cav_bind_text(stmt, 3, file);
	sqlite3_bind_int64(stmt, 4, start_us);
	cav_bind_text(stmt, 5, actor);
	if (!cav_store_step_done(store, stmt, "saving an evidence use", error))
		return 0;
	return sqlite3_last_insert_rowid(cav_store_db(store));
}

gboolean
cav_store_evidence_set_digest(CavStore *store, gint64 use_id, const char *sha256_hex, gint64 bytes,
			      GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store, "UPDATE evidence_uses SET file_sha256 = ?2, file_bytes = ?3 WHERE id = ?1",
		error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, use_id);
	cav_bind_text(stmt, 2, sha256_hex);
	sqlite3_bind_int64(stmt, 3, bytes);
	return cav_store_step_done(store, stmt, "saving an exhibit's digest", error);
}

gboolean
cav_store_evidence_close(CavStore *store, gint64 use_id, gint64 end_us, const char *actor,
			 const char *reason, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"UPDATE evidence_uses SET end_us = MAX(?2, start_us), ended_by = ?3, "
		"end_reason = ?4 WHERE id = ?1 AND end_us IS NULL",
		error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, use_id);
	sqlite3_bind_int64(stmt, 2, end_us);
	cav_bind_text(stmt, 3, actor);
	cav_bind_text(stmt, 4, reason);
	return cav_store_step_done(store, stmt, "ending an evidence use", error);
}

gboolean
cav_store_evidence_close_all(CavStore *store, gint64 hearing_id, gint64 end_us, const char *actor,
			     const char *reason, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"UPDATE evidence_uses SET end_us = MAX(?2, start_us), ended_by = ?3, "
		"end_reason = ?4 WHERE (?1 = 0 OR hearing_id = ?1) AND end_us IS NULL",
		error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, hearing_id);
	sqlite3_bind_int64(stmt, 2, end_us);
	cav_bind_text(stmt, 3, actor);
	cav_bind_text(stmt, 4, reason);
	return cav_store_step_done(store, stmt, "ending evidence uses", error);
}

GPtrArray *
cav_store_evidence_list(CavStore *store, gint64 hearing_id, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"SELECT id, hearing_id, source, file, file_sha256, file_bytes, start_us, end_us, "
		"started_by, ended_by, end_reason FROM evidence_uses WHERE hearing_id = ?1 "
		"ORDER BY start_us, id",
		error);
	g_autoptr(GPtrArray) rows =
		g_ptr_array_new_with_free_func((GDestroyNotify)cav_evidence_use_row_free);
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, hearing_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		CavEvidenceUseRow *row = g_new0(CavEvidenceUseRow, 1);

		row->id = sqlite3_column_int64(stmt, 0);
		row->hearing_id = sqlite3_column_int64(stmt, 1);
		row->source = cav_col_dup(stmt, 2);
		row->file = cav_col_dup(stmt, 3);
		row->file_sha256 = cav_col_dup(stmt, 4);
		row->file_bytes = sqlite3_column_int64(stmt, 5);
		row->start_us = sqlite3_column_int64(stmt, 6);
		row->end_us = sqlite3_column_int64(stmt, 7);
		row->started_by = cav_col_dup(stmt, 8);
		row->ended_by = cav_col_dup(stmt, 9);
		row->end_reason = cav_col_dup(stmt, 10);
		g_ptr_array_add(rows, row);
	}
	if (rc != SQLITE_DONE) {
		g_set_error(error, CAV_STORE_ERROR, CAV_STORE_ERROR_SQL,
			    "Could not list the evidence uses: %s",
			    sqlite3_errmsg(cav_store_db(store)));
		return NULL;
	}
	return g_steal_pointer(&rows);
}
