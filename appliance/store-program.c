/* store-program.c — switches, microphone faults, segment measurements and
 * quality reports (see store-program.h). Main thread only. */
#include "store-program.h"
#include "store-private.h"

#include <math.h>

void
cav_switch_row_free(CavSwitchRow *row)
{
	if (row == NULL)
		return;
	g_free(row->kind);
	g_free(row->layout);
	g_free(row->camera);
	g_free(row->mic);
	g_free(row->actor);
	g_free(row->detail);
	g_free(row);
}

void
cav_audio_fault_row_free(CavAudioFaultRow *row)
{
	if (row == NULL)
		return;
	g_free(row->mic);
	g_free(row->kind);
	g_free(row);
}

gint64
cav_store_switch_insert(CavStore *store, const CavSwitchRow *row, GError **error)
{
	g_autoptr(CavStmt) stmt =
		cav_store_prepare(store,
				  "INSERT INTO program_switches (hearing_id, at_us, kind, layout, "
				  "camera, mic, actor, "
				  "detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
				  error);

	if (stmt == NULL)
		return 0;
	sqlite3_bind_int64(stmt, 1, row->hearing_id);
	sqlite3_bind_int64(stmt, 2, row->at_us);
	cav_bind_text(stmt, 3, row->kind);
	cav_bind_text(stmt, 4, row->layout);
	cav_bind_text(stmt, 5, row->camera);
	cav_bind_text(stmt, 6, row->mic);
	cav_bind_text(stmt, 7, row->actor);
	cav_bind_text(stmt, 8, row->detail);
	if (!cav_store_step_done(store, stmt, "saving a program switch", error))
		return 0;
	return sqlite3_last_insert_rowid(cav_store_db(store));
}

GPtrArray *
cav_store_switch_list(CavStore *store, gint64 hearing_id, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"SELECT id, hearing_id, at_us, kind, layout, camera, mic, actor, detail "
		"FROM program_switches WHERE hearing_id = ?1 ORDER BY at_us, id",
		error);
	g_autoptr(GPtrArray) rows =
		g_ptr_array_new_with_free_func((GDestroyNotify)cav_switch_row_free);
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, hearing_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		CavSwitchRow *row = g_new0(CavSwitchRow, 1);

		row->id = sqlite3_column_int64(stmt, 0);
		row->hearing_id = sqlite3_column_int64(stmt, 1);
		row->at_us = sqlite3_column_int64(stmt, 2);
		row->kind = cav_col_dup(stmt, 3);
		row->layout = cav_col_dup(stmt, 4);
		row->camera = cav_col_dup(stmt, 5);
		row->mic = cav_col_dup(stmt, 6);
		row->actor = cav_col_dup(stmt, 7);
		row->detail = cav_col_dup(stmt, 8);
		g_ptr_array_add(rows, row);
	}
	if (rc != SQLITE_DONE) {
		cav_store_fail(store, "listing program switches", error);
		return NULL;
	}
	return g_steal_pointer(&rows);
}

gint64
cav_store_audio_fault_open(CavStore *store, gint64 hearing_id, const char *mic, const char *kind,
			   gint64 start_us, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(store,
						    "INSERT INTO audio_faults (hearing_id, mic, "
						    "kind, start_us) VALUES (?1, ?2, ?3, ?4)",
						    error);

	if (stmt == NULL)
		return 0;
	sqlite3_bind_int64(stmt, 1, hearing_id);
	cav_bind_text(stmt, 2, mic);
	cav_bind_text(stmt, 3, kind);
	sqlite3_bind_int64(stmt, 4, start_us);
	if (!cav_store_step_done(store, stmt, "saving a microphone fault", error))
		return 0;
	return sqlite3_last_insert_rowid(cav_store_db(store));
}

gboolean
cav_store_audio_fault_close(CavStore *store, gint64 id, gint64 end_us, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(store,
						    "UPDATE audio_faults SET end_us = max(?2, "
						    "start_us) WHERE id = ?1 AND end_us IS NULL",
						    error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, end_us);
	return cav_store_step_done(store, stmt, "closing a microphone fault", error);
}

gboolean
cav_store_audio_fault_close_all(CavStore *store, gint64 hearing_id, gint64 end_us, GError **error)
{
	g_autoptr(CavStmt) stmt =
		cav_store_prepare(store,
				  "UPDATE audio_faults SET end_us = max(?2, start_us) "
				  "WHERE hearing_id = ?1 AND end_us IS NULL",
				  error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, hearing_id);
	sqlite3_bind_int64(stmt, 2, end_us);
	return cav_store_step_done(store, stmt, "closing microphone faults", error);
}

GPtrArray *
cav_store_audio_fault_list(CavStore *store, gint64 hearing_id, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"SELECT id, hearing_id, mic, kind, start_us, end_us FROM audio_faults "
		"WHERE hearing_id = ?1 ORDER BY start_us, id",
		error);
	g_autoptr(GPtrArray) rows =
		g_ptr_array_new_with_free_func((GDestroyNotify)cav_audio_fault_row_free);
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, hearing_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		CavAudioFaultRow *row = g_new0(CavAudioFaultRow, 1);

		row->id = sqlite3_column_int64(stmt, 0);
		row->hearing_id = sqlite3_column_int64(stmt, 1);
		row->mic = cav_col_dup(stmt, 2);
		row->kind = cav_col_dup(stmt, 3);
		row->start_us = sqlite3_column_int64(stmt, 4);
		row->end_us = sqlite3_column_int64(stmt, 5);
		g_ptr_array_add(rows, row);
	}
	if (rc != SQLITE_DONE) {
		cav_store_fail(store, "listing microphone faults", error);
		return NULL;
	}
	return g_steal_pointer(&rows);
}

gboolean
cav_store_segment_set_quality(CavStore *store, gint64 segment_id, double av_offset_ms,
			      gint64 dropped_frames, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store, "UPDATE segments SET av_offset_ms = ?2, dropped_frames = ?3 WHERE id = ?1",
		error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, segment_id);
	if (isnan(av_offset_ms))
		sqlite3_bind_null(stmt, 2);
	else
		sqlite3_bind_double(stmt, 2, av_offset_ms);
	if (dropped_frames < 0)
		sqlite3_bind_null(stmt, 3);
	else
		sqlite3_bind_int64(stmt, 3, dropped_frames);
	return cav_store_step_done(store, stmt, "saving a segment's measurements", error);
}

GArray *
cav_store_segment_quality_list(CavStore *store, gint64 hearing_id, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"SELECT s.id, s.av_offset_ms, s.dropped_frames FROM segments s "
		"JOIN tracks t ON t.id = s.track_id WHERE t.hearing_id = ?1 ORDER BY s.id",
		error);
	g_autoptr(GArray) rows = g_array_new(FALSE, TRUE, sizeof(CavSegmentQuality));
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, hearing_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		CavSegmentQuality q = {0};

		q.segment_id = sqlite3_column_int64(stmt, 0);
		q.has_av_offset = sqlite3_column_type(stmt, 1) != SQLITE_NULL;
		q.av_offset_ms = sqlite3_column_double(stmt, 1);
		q.dropped_frames = sqlite3_column_type(stmt, 2) != SQLITE_NULL
					   ? sqlite3_column_int64(stmt, 2)
					   : -1;
		g_array_append_val(rows, q);
	}
	if (rc != SQLITE_DONE) {
		cav_store_fail(store, "listing segment measurements", error);
		return NULL;
	}
	return g_steal_pointer(&rows);
}

gboolean
cav_store_report_set(CavStore *store, gint64 hearing_id, gint64 created_us, const char *json,
		     GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"INSERT INTO quality_reports (hearing_id, created_us, report) VALUES (?1, ?2, ?3) "
		"ON CONFLICT (hearing_id) DO UPDATE SET created_us = ?2, report = ?3",
		error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, hearing_id);
	sqlite3_bind_int64(stmt, 2, created_us);
	cav_bind_text(stmt, 3, json);
	return cav_store_step_done(store, stmt, "saving a quality report", error);
}

char *
cav_store_report_get(CavStore *store, gint64 hearing_id, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store, "SELECT report FROM quality_reports WHERE hearing_id = ?1", error);
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, hearing_id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return cav_col_dup(stmt, 0);
	if (rc != SQLITE_DONE)
		cav_store_fail(store, "reading a quality report", error);
	return NULL;
}
