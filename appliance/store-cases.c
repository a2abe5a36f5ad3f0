/* store-cases.c — courtrooms and cases. Main thread only. */
#include "store-private.h"

gboolean
cav_store_room_upsert(CavStore *store, const char *id, const char *name, const char *court,
		      GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"INSERT INTO courtrooms (id, name, court) VALUES (?1, ?2, ?3) "
		"ON CONFLICT (id) DO UPDATE SET name = excluded.name, court = excluded.court",
		error);

	if (stmt == NULL)
		return FALSE;
	cav_bind_text(stmt, 1, id);
	cav_bind_text(stmt, 2, name);
	cav_bind_text(stmt, 3, court);
	return cav_store_step_done(store, stmt, "saving the courtroom", error);
}

gint64
cav_store_case_insert(CavStore *store, const CavCaseRow *row, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"INSERT INTO cases (number, title, cause, parties, is_public, created_us, "
		"created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
		error);

	if (stmt == NULL)
		return 0;
	cav_bind_text(stmt, 1, row->number);
	cav_bind_text(stmt, 2, row->title);
	cav_bind_text(stmt, 3, row->cause);
	cav_bind_text(stmt, 4, row->parties);
	sqlite3_bind_int(stmt, 5, row->is_public ? 1 : 0);
	sqlite3_bind_int64(stmt, 6, row->created_us);
	cav_bind_text(stmt, 7, row->created_by);
	if (!cav_store_step_done(store, stmt, "saving the case", error))
		return 0;
	return sqlite3_last_insert_rowid(cav_store_db(store));
}

#define CASE_COLUMNS "id, number, title, cause, parties, is_public, created_us, created_by"

static CavCaseRow *
case_from_stmt(sqlite3_stmt *stmt)
{
	CavCaseRow *row = g_new0(CavCaseRow, 1);

	row->id = sqlite3_column_int64(stmt, 0);
	row->number = cav_col_dup(stmt, 1);
	row->title = cav_col_dup(stmt, 2);
	row->cause = cav_col_dup(stmt, 3);
	row->parties = cav_col_dup(stmt, 4);
	row->is_public = sqlite3_column_int(stmt, 5) != 0;
	row->created_us = sqlite3_column_int64(stmt, 6);
	row->created_by = cav_col_dup(stmt, 7);
	return row;
}

static CavCaseRow *
case_get_where(CavStore *store, const char *where, sqlite3_int64 id, const char *text,
	       GError **error)
{
	g_autofree char *sql =
		g_strdup_printf("SELECT " CASE_COLUMNS " FROM cases WHERE %s", where);
	g_autoptr(CavStmt) stmt = cav_store_prepare(store, sql, error);
	int rc;

	if (stmt == NULL)
		return NULL;
	if (text != NULL)
		cav_bind_text(stmt, 1, text);
	else
		sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return case_from_stmt(stmt);
	if (rc == SQLITE_DONE) {
		if (text != NULL)
			g_set_error(error, CAV_STORE_ERROR, CAV_STORE_ERROR_NOT_FOUND,
				    "No case numbered %s.", text);
		else
			g_set_error(error, CAV_STORE_ERROR, CAV_STORE_ERROR_NOT_FOUND,
				    "No case with id %" G_GINT64_FORMAT ".", (gint64)id);
		return NULL;
	}
	cav_store_fail(store, "reading a case", error);
	return NULL;
}

CavCaseRow *
cav_store_case_get(CavStore *store, gint64 id, GError **error)
{
	return case_get_where(store, "id = ?1", id, NULL, error);
}

CavCaseRow *
cav_store_case_find_number(CavStore *store, const char *number, GError **error)
{
	return case_get_where(store, "number = ?1", 0, number, error);
}

GPtrArray *
cav_store_case_list(CavStore *store, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store, "SELECT " CASE_COLUMNS " FROM cases ORDER BY id DESC", error);
	g_autoptr(GPtrArray) rows =
		g_ptr_array_new_with_free_func((GDestroyNotify)cav_case_row_free);
	int rc;

	if (stmt == NULL)
		return NULL;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(rows, case_from_stmt(stmt));
	if (rc != SQLITE_DONE) {
		cav_store_fail(store, "listing cases", error);
		return NULL;
	}
	return g_steal_pointer(&rows);
}
