/* store-sources.c — source fault intervals (see store-sources.h). */
#include "store-sources.h"
#include "store-private.h"

void
cav_source_fault_row_free(CavSourceFaultRow *row)
{
	if (row == NULL)
		return;
	g_free(row->source);
	g_free(row->reason);
	g_free(row);
}

gint64
cav_store_source_fault_open(CavStore *store, gint64 hearing_id, const char *source, gint64 start_us,
			    const char *reason, GError **error)
{
	g_autoptr(CavStmt) find = cav_store_prepare(store,
						    "SELECT id FROM source_faults WHERE hearing_id "
						    "= ?1 AND source = ?2 AND end_us IS NULL",
						    error);
	g_autoptr(CavStmt) insert = NULL;

	if (find == NULL)
		return 0;
	sqlite3_bind_int64(find, 1, hearing_id);
	cav_bind_text(find, 2, source);
	if (sqlite3_step(find) == SQLITE_ROW)
		return sqlite3_column_int64(find, 0);
	insert = cav_store_prepare(
		store,
		"INSERT INTO source_faults (hearing_id, source, start_us, reason) "
		"VALUES (?1, ?2, ?3, ?4)",
		error);
	if (insert == NULL)
		return 0;
	sqlite3_bind_int64(insert, 1, hearing_id);
	cav_bind_text(insert, 2, source);
	sqlite3_bind_int64(insert, 3, start_us);
	cav_bind_text(insert, 4, reason);
	if (!cav_store_step_done(store, insert, "saving a source fault", error))
		return 0;
	return sqlite3_last_insert_rowid(cav_store_db(store));
}

gboolean
cav_store_source_fault_close(CavStore *store, gint64 hearing_id, const char *source, gint64 end_us,
			     GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"UPDATE source_faults SET end_us = MAX(?3, start_us) WHERE hearing_id = ?1 AND "
		"(?2 IS NULL OR source = ?2) AND end_us IS NULL",
		error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, hearing_id);
	cav_bind_text(stmt, 2, source);
	sqlite3_bind_int64(stmt, 3, end_us);
	return cav_store_step_done(store, stmt, "closing a source fault", error);
}

GPtrArray *
cav_store_source_fault_list(CavStore *store, gint64 hearing_id, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"SELECT id, hearing_id, source, start_us, end_us, reason FROM source_faults "
		"WHERE hearing_id = ?1 ORDER BY start_us, id",
		error);
	g_autoptr(GPtrArray) rows =
		g_ptr_array_new_with_free_func((GDestroyNotify)cav_source_fault_row_free);
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, hearing_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		CavSourceFaultRow *row = g_new0(CavSourceFaultRow, 1);

		row->id = sqlite3_column_int64(stmt, 0);
		row->hearing_id = sqlite3_column_int64(stmt, 1);
		row->source = g_strdup((const char *)sqlite3_column_text(stmt, 2));
		row->start_us = sqlite3_column_int64(stmt, 3);
		row->end_us = sqlite3_column_int64(stmt, 4);
		row->reason = g_strdup((const char *)sqlite3_column_text(stmt, 5));
		g_ptr_array_add(rows, row);
	}
	if (rc != SQLITE_DONE) {
		g_set_error(error, CAV_STORE_ERROR, CAV_STORE_ERROR_SQL,
			    "Could not list the source faults: %s",
			    sqlite3_errmsg(cav_store_db(store)));
		return NULL;
	}
	return g_steal_pointer(&rows);
}
