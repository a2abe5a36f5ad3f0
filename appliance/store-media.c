/* store-media.c — tracks, segments, events and the heartbeat. Main thread only. */
#include "store-private.h"

gint64
cav_store_track_ensure(CavStore *store, gint64 hearing_id, const char *name, const char *kind,
		       const char *label, GError **error)
{
	g_autoptr(CavStmt) ins = cav_store_prepare(
		store,
		"INSERT INTO tracks (hearing_id, name, kind, label) VALUES (?1, ?2, ?3, ?4) "
		"ON CONFLICT (hearing_id, name) DO NOTHING",
		error);
	g_autoptr(CavStmt) sel = NULL;

	if (ins == NULL)
		return 0;
	sqlite3_bind_int64(ins, 1, hearing_id);
	cav_bind_text(ins, 2, name);
	cav_bind_text(ins, 3, kind);
	cav_bind_text(ins, 4, label);
	if (!cav_store_step_done(store, ins, "saving a track", error))
		return 0;
	sel = cav_store_prepare(store, "SELECT id FROM tracks WHERE hearing_id = ?1 AND name = ?2",
				error);
	if (sel == NULL)
		return 0;
	sqlite3_bind_int64(sel, 1, hearing_id);
	cav_bind_text(sel, 2, name);
	if (sqlite3_step(sel) != SQLITE_ROW) {
		cav_store_fail(store, "reading a track", error);
		return 0;
	}
	return sqlite3_column_int64(sel, 0);
}

GPtrArray *
cav_store_track_list(CavStore *store, gint64 hearing_id, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"SELECT id, hearing_id, name, kind, label FROM tracks WHERE hearing_id = ?1 "
		"ORDER BY id",
		error);
	g_autoptr(GPtrArray) rows =
		g_ptr_array_new_with_free_func((GDestroyNotify)cav_track_row_free);
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, hearing_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		CavTrackRow *row = g_new0(CavTrackRow, 1);

		row->id = sqlite3_column_int64(stmt, 0);
		row->hearing_id = sqlite3_column_int64(stmt, 1);
		row->name = cav_col_dup(stmt, 2);
		row->kind = cav_col_dup(stmt, 3);
		row->label = cav_col_dup(stmt, 4);
		g_ptr_array_add(rows, row);
	}
	if (rc != SQLITE_DONE) {
		cav_store_fail(store, "listing tracks", error);
		return NULL;
	}
	return g_steal_pointer(&rows);
}

gint64
cav_store_segment_insert_open(CavStore *store, gint64 track_id, guint seq, const char *rel_path,
			      gint64 start_us, GError **error)
{
	g_autoptr(CavStmt) stmt =
		cav_store_prepare(store,
				  "INSERT INTO segments (track_id, seq, path, state, start_us) "
				  "VALUES (?1, ?2, ?3, 'open', ?4)",
				  error);

	if (stmt == NULL)
		return 0;
	sqlite3_bind_int64(stmt, 1, track_id);
	sqlite3_bind_int64(stmt, 2, seq);
	cav_bind_text(stmt, 3, rel_path);
	sqlite3_bind_int64(stmt, 4, start_us);
	if (!cav_store_step_done(store, stmt, "saving a new segment", error))
		return 0;
	return sqlite3_last_insert_rowid(cav_store_db(store));
}

gboolean
cav_store_segment_finish(CavStore *store, gint64 segment_id, const char *state, gint64 end_us,
			 double duration_s, gint64 bytes, const char *sha256, gint64 chain_index,
			 const char *chain, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"UPDATE segments SET state = ?2, end_us = ?3, duration_s = ?4, bytes = ?5, "
		"sha256 = ?6, chain_index = ?7, chain = ?8 WHERE id = ?1",
		error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, segment_id);
	cav_bind_text(stmt, 2, state);
	sqlite3_bind_int64(stmt, 3, end_us);
	sqlite3_bind_double(stmt, 4, duration_s);
	sqlite3_bind_int64(stmt, 5, bytes);
	cav_bind_text(stmt, 6, sha256);
	sqlite3_bind_int64(stmt, 7, chain_index);
	cav_bind_text(stmt, 8, chain);
	return cav_store_step_done(store, stmt, "saving a closed segment", error);
}

#define SEGMENT_SELECT                                                                             \
	"SELECT s.id, s.track_id, t.name, s.seq, s.path, s.state, s.start_us, s.end_us, "          \
	"s.duration_s, s.bytes, s.sha256, s.chain_index, s.chain, t.hearing_id "                   \
	"FROM segments s JOIN tracks t ON t.id = s.track_id "

static CavSegmentRow *
segment_from_stmt(sqlite3_stmt *stmt)
{
	CavSegmentRow *row = g_new0(CavSegmentRow, 1);

	row->id = sqlite3_column_int64(stmt, 0);
	row->track_id = sqlite3_column_int64(stmt, 1);
	row->track = cav_col_dup(stmt, 2);
	row->seq = (guint)sqlite3_column_int64(stmt, 3);
	row->path = cav_col_dup(stmt, 4);
	row->state = cav_col_dup(stmt, 5);
	row->start_us = sqlite3_column_int64(stmt, 6);
	row->end_us = sqlite3_column_int64(stmt, 7);
	row->duration_s = sqlite3_column_double(stmt, 8);
	row->bytes = sqlite3_column_int64(stmt, 9);
	row->sha256 = cav_col_dup(stmt, 10);
	row->chain_index = sqlite3_column_int64(stmt, 11);
	row->chain = cav_col_dup(stmt, 12);
	row->hearing_id = sqlite3_column_int64(stmt, 13);
	return row;
}

GPtrArray *
cav_store_segment_list(CavStore *store, gint64 hearing_id, gboolean chained_only, GError **error)
{
	const char *sql = chained_only ? SEGMENT_SELECT
				  "WHERE t.hearing_id = ?1 AND "
				  "s.chain_index IS NOT NULL ORDER BY s.chain_index"
				       : SEGMENT_SELECT "WHERE t.hearing_id = ?1 ORDER BY s.id";
	g_autoptr(CavStmt) stmt = cav_store_prepare(store, sql, error);
	g_autoptr(GPtrArray) rows =
		g_ptr_array_new_with_free_func((GDestroyNotify)cav_segment_row_free);
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, hearing_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(rows, segment_from_stmt(stmt));
	if (rc != SQLITE_DONE) {
		cav_store_fail(store, "listing segments", error);
		return NULL;
	}
	return g_steal_pointer(&rows);
}

CavSegmentRow *
cav_store_segment_find_path(CavStore *store, const char *rel_path, GError **error)
{
	g_autoptr(CavStmt) stmt =
		cav_store_prepare(store, SEGMENT_SELECT "WHERE s.path = ?1", error);
	int rc;

	if (stmt == NULL)
		return NULL;
	cav_bind_text(stmt, 1, rel_path);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return segment_from_stmt(stmt);
	if (rc != SQLITE_DONE)
		cav_store_fail(store, "reading a segment", error);
	return NULL;
}

guint
cav_store_segment_max_seq(CavStore *store, gint64 track_id)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store, "SELECT coalesce(max(seq), 0) FROM segments WHERE track_id = ?1", NULL);

	if (stmt == NULL)
		return 0;
	sqlite3_bind_int64(stmt, 1, track_id);
	if (sqlite3_step(stmt) != SQLITE_ROW)
		return 0;
	return (guint)sqlite3_column_int64(stmt, 0);
}

gint64
cav_store_event_insert(CavStore *store, gint64 at_us, const char *severity, const char *code,
		       gint64 hearing_id, const char *message, GError **error)
{
	g_autoptr(CavStmt) stmt =
		cav_store_prepare(store,
				  "INSERT INTO events (at_us, severity, code, hearing_id, message) "
				  "VALUES (?1, ?2, ?3, ?4, ?5)",
				  error);

	if (stmt == NULL)
		return 0;
	sqlite3_bind_int64(stmt, 1, at_us);
	cav_bind_text(stmt, 2, severity);
	cav_bind_text(stmt, 3, code);
	cav_bind_int64(stmt, 4, hearing_id, TRUE);
	cav_bind_text(stmt, 5, message);
	if (!cav_store_step_done(store, stmt, "saving an event", error))
		return 0;
	return sqlite3_last_insert_rowid(cav_store_db(store));
}

GPtrArray *
cav_store_event_list(CavStore *store, gint64 after, guint limit, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"SELECT id, at_us, severity, code, hearing_id, message FROM events "
		"WHERE id > ?1 ORDER BY id LIMIT ?2",
		error);
	g_autoptr(GPtrArray) rows =
		g_ptr_array_new_with_free_func((GDestroyNotify)cav_event_row_free);
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, after);
	sqlite3_bind_int64(stmt, 2, limit);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		CavEventRow *row = g_new0(CavEventRow, 1);

		row->id = sqlite3_column_int64(stmt, 0);
		row->at_us = sqlite3_column_int64(stmt, 1);
		row->severity = cav_col_dup(stmt, 2);
		row->code = cav_col_dup(stmt, 3);
		row->hearing_id = sqlite3_column_int64(stmt, 4);
		row->message = cav_col_dup(stmt, 5);
		g_ptr_array_add(rows, row);
	}
	if (rc != SQLITE_DONE) {
		cav_store_fail(store, "listing events", error);
		return NULL;
	}
	return g_steal_pointer(&rows);
}

gboolean
cav_store_heartbeat_set(CavStore *store, gint64 at_us, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store, "INSERT OR REPLACE INTO heartbeat (one, at_us) VALUES (1, ?1)", error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, at_us);
	return cav_store_step_done(store, stmt, "writing the heartbeat", error);
}

gint64
cav_store_heartbeat_get(CavStore *store)
{
	g_autoptr(CavStmt) stmt =
		cav_store_prepare(store, "SELECT at_us FROM heartbeat WHERE one = 1", NULL);

	if (stmt == NULL || sqlite3_step(stmt) != SQLITE_ROW)
		return 0;
	return sqlite3_column_int64(stmt, 0);
}
