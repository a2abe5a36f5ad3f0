/* test-store.c — the SQLite store on a real file: pragmas, migrations, and
 * the constraints that protect the record whatever the C code does. */
#include "appliance/migrations.h"
#include "appliance/store.h"

#include <glib/gstdio.h>

typedef struct {
	char *dir;
	char *path;
	CavStore *store;
} Fixture;

static void
setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	f->dir = g_dir_make_tmp("cav-store-XXXXXX", &error);
	g_assert_no_error(error);
	f->path = g_build_filename(f->dir, "courtav.db", NULL);
	f->store = cav_store_open(f->path, &error);
	g_assert_no_error(error);
}

static void
teardown(Fixture *f, gconstpointer data)
{
	g_autofree char *wal = g_strconcat(f->path, "-wal", NULL);
	g_autofree char *shm = g_strconcat(f->path, "-shm", NULL);

	cav_store_close(f->store);
	g_unlink(f->path);
	g_unlink(wal);
	g_unlink(shm);
	g_rmdir(f->dir);
	g_free(f->path);
	g_free(f->dir);
}

static gint64
query_int(CavStore *store, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	gint64 v;

	g_assert_cmpint(sqlite3_prepare_v2(cav_store_db(store), sql, -1, &stmt, NULL), ==,
			SQLITE_OK);
	g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_ROW);
	v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

static char *
query_text(CavStore *store, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	char *v;

	g_assert_cmpint(sqlite3_prepare_v2(cav_store_db(store), sql, -1, &stmt, NULL), ==,
			SQLITE_OK);
	g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_ROW);
	v = g_strdup((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	return v;
}

static void
test_pragmas(Fixture *f, gconstpointer data)
{
	g_autofree char *mode = query_text(f->store, "PRAGMA journal_mode");
	g_autoptr(GError) error = NULL;

	g_assert_cmpstr(mode, ==, "wal");
	g_assert_cmpint(query_int(f->store, "PRAGMA foreign_keys"), ==, 1);
	g_assert_cmpint(query_int(f->store, "PRAGMA user_version"), ==, cav_migrations_count());
	/* Re-opening an up-to-date database migrates nothing and keeps data. */
	g_assert_true(cav_store_room_upsert(f->store, "101", "第一法庭", NULL, &error));
	cav_store_close(f->store);
	f->store = cav_store_open(f->path, &error);
	g_assert_no_error(error);
	g_assert_cmpint(query_int(f->store, "SELECT count(*) FROM courtrooms"), ==, 1);
}

static void
test_newer_schema_refused(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *sql =
		g_strdup_printf("PRAGMA user_version = %u", cav_migrations_count() + 1);
	CavStore *again;

	g_assert_cmpint(sqlite3_exec(cav_store_db(f->store), sql, NULL, NULL, NULL), ==, SQLITE_OK);
	again = cav_store_open(f->path, &error);
	g_assert_null(again);
	g_assert_error(error, CAV_STORE_ERROR, CAV_STORE_ERROR_OPEN);
	g_assert_nonnull(strstr(error->message, "newer than this courtavd"));
}

static gint64
add_case(CavStore *store, const char *number)
{
	CavCaseRow row = {0, (char *)number, "title", NULL, NULL, TRUE, 1, "t"};
	g_autoptr(GError) error = NULL;
	gint64 id = cav_store_case_insert(store, &row, &error);

	g_assert_no_error(error);
	return id;
}

static gint64
add_hearing(CavStore *store, gint64 case_id, const char *uid, GError **error)
{
	CavHearingRow row = {0};

	row.uid = (char *)uid;
	row.case_id = case_id;
	row.room_id = "101";
	row.state = CAV_HEARING_IDLE;
	row.media_dir = "/m";
	row.name_prefix = "p";
	row.opened_us = 1;
	row.opened_by = "t";
	return cav_store_hearing_insert(store, &row, error);
}

static void
test_constraints(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 case_id, h1, track;

	g_assert_true(cav_store_room_upsert(f->store, "101", "第一法庭", NULL, NULL));
	case_id = add_case(f->store, "（2026）兵0101刑初1号");
	/* Duplicate case number. */
	{
		CavCaseRow dup = {0, "（2026）兵0101刑初1号", "x", NULL, NULL, TRUE, 1, "t"};

		g_assert_cmpint(cav_store_case_insert(f->store, &dup, &error), ==, 0);
		g_assert_error(error, CAV_STORE_ERROR, CAV_STORE_ERROR_CONSTRAINT);
		g_clear_error(&error);
	}
	/* One open hearing per room, enforced by the database. */
	h1 = add_hearing(f->store, case_id, "u1", &error);
	g_assert_no_error(error);
	g_assert_cmpint(add_hearing(f->store, case_id, "u2", &error), ==, 0);
	g_assert_error(error, CAV_STORE_ERROR, CAV_STORE_ERROR_CONSTRAINT);
	g_clear_error(&error);
	g_assert_true(cav_store_hearing_set_closed(f->store, h1, 5, &error));
	g_assert_cmpint(add_hearing(f->store, case_id, "u2", &error), >, 0);
	g_assert_no_error(error);
	/* Unknown hearing (foreign key), unknown pause reason (CHECK). */
	g_assert_cmpint(
		cav_store_interval_open(f->store, 999, "recording", NULL, NULL, 1, "t", &error), ==,
		0);
	g_assert_error(error, CAV_STORE_ERROR, CAV_STORE_ERROR_CONSTRAINT);
	g_clear_error(&error);
	g_assert_cmpint(
		cav_store_interval_open(f->store, h1, "paused", "lunch", NULL, 1, "t", &error), ==,
		0);
	g_assert_error(error, CAV_STORE_ERROR, CAV_STORE_ERROR_CONSTRAINT);
	g_clear_error(&error);
	g_assert_cmpint(cav_store_interval_open(f->store, h1, "paused", NULL, NULL, 1, "t", &error),
			==, 0);
	g_assert_error(error, CAV_STORE_ERROR, CAV_STORE_ERROR_CONSTRAINT);
	g_clear_error(&error);
	/* An interval closes at or after its start even if the clock stepped back. */
	g_assert_cmpint(
		cav_store_interval_open(f->store, h1, "paused", "recess", NULL, 100, "t", NULL), >,
		0);
	g_assert_true(cav_store_interval_close_open(f->store, h1, 50, NULL));
	g_assert_cmpint(query_int(f->store, "SELECT end_us FROM intervals"), ==, 100);
	/* Segments: unique per track and sequence. */
	track = cav_store_track_ensure(f->store, h1, "cam1", "camera", NULL, &error);
	g_assert_cmpint(track, ==,
			cav_store_track_ensure(f->store, h1, "cam1", "camera", NULL, NULL));
	g_assert_cmpint(cav_store_segment_insert_open(f->store, track, 1, "cam1/a.mp4", 1, &error),
			>, 0);
	g_assert_cmpint(cav_store_segment_insert_open(f->store, track, 1, "cam1/b.mp4", 1, &error),
			==, 0);
	g_assert_error(error, CAV_STORE_ERROR, CAV_STORE_ERROR_CONSTRAINT);
	g_clear_error(&error);
	g_assert_cmpuint(cav_store_segment_max_seq(f->store, track), ==, 1);
}

static void
test_rows_roundtrip(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) segs = NULL;
	g_autoptr(CavHearingRow) open = NULL;
	gint64 case_id, h, track, seg;
	CavSegmentRow *s;

	g_assert_true(cav_store_room_upsert(f->store, "101", "第一法庭", NULL, NULL));
	case_id = add_case(f->store, "（2026）兵0101刑初2号");
	h = add_hearing(f->store, case_id, "u3", NULL);
	open = cav_store_hearing_open_in_room(f->store, "101", &error);
	g_assert_no_error(error);
	g_assert_cmpint(open->id, ==, h);
	track = cav_store_track_ensure(f->store, h, "program", "program", NULL, NULL);
	seg = cav_store_segment_insert_open(f->store, track, 7, "program/x.mp4", 1000, NULL);
	g_assert_true(cav_store_segment_finish(f->store, seg, "closed", 2000, 1.5, 4096, "aa", 1,
					       "bb", &error));
	segs = cav_store_segment_list(f->store, h, TRUE, &error);
	g_assert_cmpuint(segs->len, ==, 1);
	s = segs->pdata[0];
	g_assert_cmpstr(s->track, ==, "program");
	g_assert_cmpuint(s->seq, ==, 7);
	g_assert_cmpint(s->hearing_id, ==, h);
	g_assert_cmpint(s->bytes, ==, 4096);
	g_assert_cmpstr(s->chain, ==, "bb");
	g_assert_true(cav_store_heartbeat_set(f->store, 42, NULL));
	g_assert_true(cav_store_heartbeat_set(f->store, 43, NULL));
	g_assert_cmpint(cav_store_heartbeat_get(f->store), ==, 43);
}

/* Migration 6 rebuilds the tracks table (a wider CHECK): a database at
 * schema 5 holding tracks and segments keeps every row and id, foreign keys
 * are on again afterwards, and the new kind is accepted. The schema-5 state
 * is made by undoing the rebuild on a current database with data in it. */
static void
test_migration_6_keeps_tracks(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 h, track, seg;
	sqlite3 *db = cav_store_db(f->store);

	g_assert_true(cav_store_room_upsert(f->store, "101", "第一法庭", NULL, &error));
	h = add_hearing(f->store, add_case(f->store, "（2026）兵0101刑初1号"), "u6", &error);
	g_assert_no_error(error);
	track = cav_store_track_ensure(f->store, h, "cam1", "camera", "审判席", &error);
	g_assert_no_error(error);
	seg = cav_store_segment_insert_open(f->store, track, 1, "cam1/a.mp4", 1, &error);
	g_assert_no_error(error);
	g_assert_cmpint(seg, >, 0);
	g_assert_cmpint(
		sqlite3_exec(db,
			     "PRAGMA foreign_keys = OFF;"
			     "BEGIN;"
			     "DROP TABLE evidence_uses;"
			     "CREATE TABLE tracks_v5 (id INTEGER PRIMARY KEY,"
			     " hearing_id INTEGER NOT NULL REFERENCES hearings(id),"
			     " name TEXT NOT NULL,"
			     " kind TEXT NOT NULL CHECK (kind IN ('camera','program','audio')),"
			     " label TEXT, UNIQUE (hearing_id, name));"
			     "INSERT INTO tracks_v5 SELECT * FROM tracks;"
			     "DROP TABLE tracks;"
			     "ALTER TABLE tracks_v5 RENAME TO tracks;"
			     "PRAGMA user_version = 5;"
			     "COMMIT;",
			     NULL, NULL, NULL),
		==, SQLITE_OK);
	cav_store_close(f->store);

	f->store = cav_store_open(f->path, &error);
	g_assert_no_error(error);
	db = cav_store_db(f->store);
	g_assert_cmpint(query_int(f->store, "PRAGMA user_version"), ==, cav_migrations_count());
	g_assert_cmpint(query_int(f->store, "PRAGMA foreign_keys"), ==, 1);
	g_assert_cmpint(query_int(f->store, "SELECT count(*) FROM tracks WHERE id = 1 AND "
					    "name = 'cam1' AND label = '审判席'"),
			==, 1);
	g_assert_cmpint(query_int(f->store, "SELECT count(*) FROM segments s JOIN tracks t ON "
					    "t.id = s.track_id WHERE t.name = 'cam1'"),
			==, 1);
	g_assert_cmpint(cav_store_track_ensure(f->store, h, "doc", "evidence", NULL, &error), >, 0);
	g_assert_no_error(error);
	/* Foreign keys hold again: a segment of a missing track is refused. */
	g_assert_cmpint(cav_store_segment_insert_open(f->store, 999, 1, "x/b.mp4", 1, &error), ==,
			0);
	g_assert_nonnull(error);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/store/pragmas", Fixture, NULL, setup, test_pragmas, teardown);
	g_test_add("/store/newer-schema", Fixture, NULL, setup, test_newer_schema_refused,
		   teardown);
	g_test_add("/store/constraints", Fixture, NULL, setup, test_constraints, teardown);
	g_test_add("/store/rows", Fixture, NULL, setup, test_rows_roundtrip, teardown);
	g_test_add("/store/migration-6", Fixture, NULL, setup, test_migration_6_keeps_tracks,
		   teardown);
	return g_test_run();
}
