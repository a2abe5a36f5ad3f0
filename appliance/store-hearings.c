/* store-hearings.c — hearings, their intervals and marks. Main thread only.
 * The state machine itself lives in hearing.c; these are plain row moves.
 */
#include "store-private.h"

gint64
cav_store_hearing_insert(CavStore *store, const CavHearingRow *row, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"INSERT INTO hearings (uid, case_id, room_id, state, media_dir, name_prefix, "
		"opened_us, opened_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
		error);

	if (stmt == NULL)
		return 0;
	cav_bind_text(stmt, 1, row->uid);
	sqlite3_bind_int64(stmt, 2, row->case_id);
	cav_bind_text(stmt, 3, row->room_id);
	cav_bind_text(stmt, 4, cav_hearing_state_name(row->state));
	cav_bind_text(stmt, 5, row->media_dir);
	cav_bind_text(stmt, 6, row->name_prefix);
	sqlite3_bind_int64(stmt, 7, row->opened_us);
	cav_bind_text(stmt, 8, row->opened_by);
	if (!cav_store_step_done(store, stmt, "saving the hearing", error))
		return 0;
	return sqlite3_last_insert_rowid(cav_store_db(store));
}

#define HEARING_COLUMNS                                                                            \
	"id, uid, case_id, room_id, state, pause_reason, media_dir, name_prefix, opened_us, "      \
	"opened_by, closed_us, sealed_us, chain_head, sig_alg, key_id, signature"

static CavHearingRow *
hearing_from_stmt(sqlite3_stmt *stmt)
{
	CavHearingRow *row = g_new0(CavHearingRow, 1);

	row->id = sqlite3_column_int64(stmt, 0);
	row->uid = cav_col_dup(stmt, 1);
	row->case_id = sqlite3_column_int64(stmt, 2);
	row->room_id = cav_col_dup(stmt, 3);
	if (!cav_hearing_state_parse((const char *)sqlite3_column_text(stmt, 4), &row->state))
		row->state = CAV_HEARING_CLOSED; /* unreachable: CHECK constraint */
	row->pause_reason = cav_col_dup(stmt, 5);
	row->media_dir = cav_col_dup(stmt, 6);
	row->name_prefix = cav_col_dup(stmt, 7);
	row->opened_us = sqlite3_column_int64(stmt, 8);
	row->opened_by = cav_col_dup(stmt, 9);
	row->closed_us = sqlite3_column_int64(stmt, 10);
	row->sealed_us = sqlite3_column_int64(stmt, 11);
	row->chain_head = cav_col_dup(stmt, 12);
	row->sig_alg = cav_col_dup(stmt, 13);
	row->key_id = cav_col_dup(stmt, 14);
	row->signature = cav_col_dup(stmt, 15);
	return row;
}

CavHearingRow *
cav_store_hearing_get(CavStore *store, gint64 id, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store, "SELECT " HEARING_COLUMNS " FROM hearings WHERE id = ?1", error);
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return hearing_from_stmt(stmt);
	if (rc == SQLITE_DONE)
		g_set_error(error, CAV_STORE_ERROR, CAV_STORE_ERROR_NOT_FOUND,
			    "No hearing with id %" G_GINT64_FORMAT ".", id);
	else
		cav_store_fail(store, "reading a hearing", error);
	return NULL;
}

CavHearingRow *
cav_store_hearing_open_in_room(CavStore *store, const char *room_id, GError **error)
{
	g_autoptr(CavStmt) stmt =
		cav_store_prepare(store,
				  "SELECT " HEARING_COLUMNS " FROM hearings WHERE room_id = ?1 "
				  "AND state IN ('idle','recording','paused')",
				  error);
	int rc;

	if (stmt == NULL)
		return NULL;
	cav_bind_text(stmt, 1, room_id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return hearing_from_stmt(stmt);
	if (rc != SQLITE_DONE)
		cav_store_fail(store, "reading the open hearing", error);
	return NULL;
}

GPtrArray *
cav_store_hearing_list(CavStore *store, gint64 case_id, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(store,
						    "SELECT " HEARING_COLUMNS
						    " FROM hearings WHERE ?1 = 0 OR case_id = ?1 "
						    "ORDER BY id DESC",
						    error);
	g_autoptr(GPtrArray) rows =
		g_ptr_array_new_with_free_func((GDestroyNotify)cav_hearing_row_free);
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, case_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(rows, hearing_from_stmt(stmt));
	if (rc != SQLITE_DONE) {
		cav_store_fail(store, "listing hearings", error);
		return NULL;
	}
	return g_steal_pointer(&rows);
}

gboolean
cav_store_hearing_set_state(CavStore *store, gint64 id, CavHearingState state,
			    const char *pause_reason, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store, "UPDATE hearings SET state = ?2, pause_reason = ?3 WHERE id = ?1", error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, id);
	cav_bind_text(stmt, 2, cav_hearing_state_name(state));
	cav_bind_text(stmt, 3, pause_reason);
	return cav_store_step_done(store, stmt, "changing the hearing's state", error);
}

gboolean
cav_store_hearing_set_closed(CavStore *store, gint64 id, gint64 closed_us, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"UPDATE hearings SET state = 'closed', pause_reason = NULL, closed_us = ?2 "
		"WHERE id = ?1",
		error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, closed_us);
	return cav_store_step_done(store, stmt, "closing the hearing", error);
}

gboolean
cav_store_hearing_set_sealed(CavStore *store, gint64 id, gint64 sealed_us, const char *chain_head,
			     const char *sig_alg, const char *key_id, const char *signature,
			     GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"UPDATE hearings SET state = 'sealed', sealed_us = ?2, chain_head = ?3, "
		"sig_alg = ?4, key_id = ?5, signature = ?6 WHERE id = ?1",
		error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, sealed_us);
	cav_bind_text(stmt, 3, chain_head);
	cav_bind_text(stmt, 4, sig_alg);
	cav_bind_text(stmt, 5, key_id);
	cav_bind_text(stmt, 6, signature);
	return cav_store_step_done(store, stmt, "sealing the hearing", error);
}

gint64
cav_store_interval_open(CavStore *store, gint64 hearing_id, const char *kind, const char *reason,
			const char *detail, gint64 start_us, const char *actor, GError **error)
{
	return cav_store_interval_insert_closed(store, hearing_id, kind, reason, detail, start_us,
						0, actor, error);
}

gboolean
cav_store_interval_close_open(CavStore *store, gint64 hearing_id, gint64 end_us, GError **error)
{
	/* max() keeps the CHECK (end >= start) true when clocks step backwards. */
	g_autoptr(CavStmt) stmt =
		cav_store_prepare(store,
				  "UPDATE intervals SET end_us = max(?2, start_us) "
				  "WHERE hearing_id = ?1 AND end_us IS NULL",
				  error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, hearing_id);
	sqlite3_bind_int64(stmt, 2, end_us);
	return cav_store_step_done(store, stmt, "closing an interval", error);
}

gint64
cav_store_interval_insert_closed(CavStore *store, gint64 hearing_id, const char *kind,
				 const char *reason, const char *detail, gint64 start_us,
				 gint64 end_us, const char *actor, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"INSERT INTO intervals (hearing_id, kind, reason, detail, start_us, end_us, actor) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
		error);

	if (stmt == NULL)
		return 0;
	sqlite3_bind_int64(stmt, 1, hearing_id);
	cav_bind_text(stmt, 2, kind);
	cav_bind_text(stmt, 3, reason);
	cav_bind_text(stmt, 4, detail);
	sqlite3_bind_int64(stmt, 5, start_us);
	cav_bind_int64(stmt, 6, end_us, TRUE);
	cav_bind_text(stmt, 7, actor);
	if (!cav_store_step_done(store, stmt, "saving an interval", error))
		return 0;
	return sqlite3_last_insert_rowid(cav_store_db(store));
}

GPtrArray *
cav_store_interval_list(CavStore *store, gint64 hearing_id, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"SELECT id, hearing_id, kind, reason, detail, start_us, end_us, actor "
		"FROM intervals WHERE hearing_id = ?1 ORDER BY start_us, id",
		error);
	g_autoptr(GPtrArray) rows =
		g_ptr_array_new_with_free_func((GDestroyNotify)cav_interval_row_free);
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, hearing_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		CavIntervalRow *row = g_new0(CavIntervalRow, 1);

		row->id = sqlite3_column_int64(stmt, 0);
		row->hearing_id = sqlite3_column_int64(stmt, 1);
		row->kind = cav_col_dup(stmt, 2);
		row->reason = cav_col_dup(stmt, 3);
		row->detail = cav_col_dup(stmt, 4);
		row->start_us = sqlite3_column_int64(stmt, 5);
		row->end_us = sqlite3_column_int64(stmt, 6);
		row->actor = cav_col_dup(stmt, 7);
		g_ptr_array_add(rows, row);
	}
	if (rc != SQLITE_DONE) {
		cav_store_fail(store, "listing intervals", error);
		return NULL;
	}
	return g_steal_pointer(&rows);
}

gint64
cav_store_mark_insert(CavStore *store, gint64 hearing_id, gint64 at_us, const char *label,
		      const char *actor, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"INSERT INTO marks (hearing_id, at_us, label, actor) VALUES (?1, ?2, ?3, ?4)",
		error);

	if (stmt == NULL)
		return 0;
	sqlite3_bind_int64(stmt, 1, hearing_id);
	sqlite3_bind_int64(stmt, 2, at_us);
	cav_bind_text(stmt, 3, label);
	cav_bind_text(stmt, 4, actor);
	if (!cav_store_step_done(store, stmt, "saving a mark", error))
		return 0;
	return sqlite3_last_insert_rowid(cav_store_db(store));
}

GPtrArray *
cav_store_mark_list(CavStore *store, gint64 hearing_id, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"SELECT id, hearing_id, at_us, label, actor FROM marks WHERE hearing_id = ?1 "
		"ORDER BY at_us, id",
		error);
	g_autoptr(GPtrArray) rows =
		g_ptr_array_new_with_free_func((GDestroyNotify)cav_mark_row_free);
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, hearing_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		CavMarkRow *row = g_new0(CavMarkRow, 1);

		row->id = sqlite3_column_int64(stmt, 0);
		row->hearing_id = sqlite3_column_int64(stmt, 1);
		row->at_us = sqlite3_column_int64(stmt, 2);
		row->label = cav_col_dup(stmt, 3);
		row->actor = cav_col_dup(stmt, 4);
		g_ptr_array_add(rows, row);
	}
	if (rc != SQLITE_DONE) {
		cav_store_fail(store, "listing marks", error);
		return NULL;
	}
	return g_steal_pointer(&rows);
}
