/* store.c — opening, migrating and transacting on the appliance database.
 *
 * Main thread only. Migrations (migrations.c) run in one transaction each,
 * keyed on PRAGMA user_version, so a crash mid-migration leaves the previous
 * version intact.
 */
#include "store-private.h"
#include "migrations.h"

#include <errno.h>
#include <string.h>

/* The first argument is stringified: the error domain's name. */
/* clang-format off */
G_DEFINE_QUARK(cav-store-error-quark, cav_store_error)
/* clang-format on */

static const char *const hearing_state_names[] = {
	[CAV_HEARING_IDLE] = "idle",     [CAV_HEARING_RECORDING] = "recording",
	[CAV_HEARING_PAUSED] = "paused", [CAV_HEARING_CLOSED] = "closed",
	[CAV_HEARING_SEALED] = "sealed",
};

const char *
cav_hearing_state_name(CavHearingState state)
{
	if ((guint)state >= G_N_ELEMENTS(hearing_state_names))
		return "unknown";
	return hearing_state_names[state];
}

gboolean
cav_hearing_state_parse(const char *name, CavHearingState *out)
{
	for (guint i = 0; i < G_N_ELEMENTS(hearing_state_names); i++) {
		if (g_strcmp0(name, hearing_state_names[i]) == 0) {
			*out = (CavHearingState)i;
			return TRUE;
		}
	}
	return FALSE;
}

gboolean
cav_store_fail(CavStore *store, const char *what, GError **error)
{
	int rc = sqlite3_extended_errcode(store->db);
	int primary = rc & 0xff;
	CavStoreError code = CAV_STORE_ERROR_SQL;

	if (primary == SQLITE_CONSTRAINT)
		code = CAV_STORE_ERROR_CONSTRAINT;
	else if (primary == SQLITE_FULL)
		code = CAV_STORE_ERROR_FULL;
	g_set_error(error, CAV_STORE_ERROR, code, "%s: %s (database %s)", what,
		    sqlite3_errmsg(store->db), store->path);
	return FALSE;
}

sqlite3_stmt *
cav_store_prepare(CavStore *store, const char *sql, GError **error)
{
	sqlite3_stmt *stmt = NULL;

	if (sqlite3_prepare_v2(store->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		cav_store_fail(store, "preparing a statement", error);
		return NULL;
	}
	return stmt;
}

void
cav_stmt_free(CavStmt *stmt)
{
	if (stmt != NULL)
		sqlite3_finalize(stmt);
}

void
cav_bind_text(sqlite3_stmt *stmt, int index, const char *text)
{
	if (text == NULL)
		sqlite3_bind_null(stmt, index);
	else
		sqlite3_bind_text(stmt, index, text, -1, SQLITE_TRANSIENT);
}

void
cav_bind_int64(sqlite3_stmt *stmt, int index, gint64 value, gboolean zero_is_null)
{
	if (zero_is_null && value == 0)
		sqlite3_bind_null(stmt, index);
	else
		sqlite3_bind_int64(stmt, index, value);
}

char *
cav_col_dup(sqlite3_stmt *stmt, int col)
{
	const unsigned char *text = sqlite3_column_text(stmt, col);

	return text != NULL ? g_strdup((const char *)text) : NULL;
}

gboolean
cav_store_step_done(CavStore *store, sqlite3_stmt *stmt, const char *what, GError **error)
{
	if (sqlite3_step(stmt) != SQLITE_DONE)
		return cav_store_fail(store, what, error);
	return TRUE;
}

static gboolean
exec(CavStore *store, const char *sql, const char *what, GError **error)
{
	char *msg = NULL;

	if (sqlite3_exec(store->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		gboolean ret = cav_store_fail(store, what, error);
		sqlite3_free(msg);
		return ret;
	}
	return TRUE;
}

gboolean
cav_store_begin(CavStore *store, GError **error)
{
	return exec(store, "BEGIN IMMEDIATE", "starting a transaction", error);
}

gboolean
cav_store_commit(CavStore *store, GError **error)
{
	return exec(store, "COMMIT", "committing a transaction", error);
}

void
cav_store_rollback(CavStore *store)
{
	/* After some errors SQLite has already rolled back; that is fine. */
	if (!sqlite3_get_autocommit(store->db))
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
}

static int
user_version(CavStore *store)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(store, "PRAGMA user_version", NULL);

	if (stmt == NULL || sqlite3_step(stmt) != SQLITE_ROW)
		return -1;
	return sqlite3_column_int(stmt, 0);
}

/* TRUE when no row refers to a missing parent. */
static gboolean
foreign_keys_hold(CavStore *store, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(store, "PRAGMA foreign_key_check", error);

	if (stmt == NULL)
		return FALSE;
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		g_set_error(error, CAV_STORE_ERROR, CAV_STORE_ERROR_CONSTRAINT,
			    "a row of %s refers to a missing row of %s",
			    (const char *)sqlite3_column_text(stmt, 0),
			    (const char *)sqlite3_column_text(stmt, 2));
		return FALSE;
	}
	return TRUE;
}

static gboolean
migrate(CavStore *store, GError **error)
{
	int version = user_version(store);
	guint count = cav_migrations_count();

	if (version < 0)
		return cav_store_fail(store, "reading the schema version", error);
	if ((guint)version > count) {
		g_set_error(error, CAV_STORE_ERROR, CAV_STORE_ERROR_OPEN,
			    "Database %s has schema version %d, newer than this courtavd "
			    "knows (%u): install the newer courtavd or restore a backup.",
			    store->path, version, count);
		return FALSE;
	}
	/* Foreign keys off while migrating (a no-op inside a transaction, so
	 * here): a migration may rebuild a table others refer to, SQLite's own
	 * recipe for changing a constraint. Each migration still commits only
	 * when PRAGMA foreign_key_check finds nothing. */
	if ((guint)version < count &&
	    !exec(store, "PRAGMA foreign_keys = OFF", "preparing a migration", error))
		return FALSE;
	for (guint i = (guint)version; i < count; i++) {
		g_autofree char *set = g_strdup_printf("PRAGMA user_version = %u", i + 1);

		if (!cav_store_begin(store, error))
			return FALSE;
		if (!exec(store, cav_migrations_get(i), "applying a schema migration", error) ||
		    !foreign_keys_hold(store, error) ||
		    !exec(store, set, "recording the schema version", error)) {
			cav_store_rollback(store);
			g_prefix_error(error, "Migration %u → %u failed: ", i, i + 1);
			return FALSE;
		}
		if (!cav_store_commit(store, error))
			return FALSE;
		g_info("database %s migrated to schema version %u", store->path, i + 1);
	}
	return exec(store, "PRAGMA foreign_keys = ON", "enabling foreign keys", error);
}

CavStore *
cav_store_open(const char *path, GError **error)
{
	g_autoptr(CavStore) store = g_new0(CavStore, 1);
	int rc;

	store->path = g_strdup(path);
	rc = sqlite3_open_v2(path, &store->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		g_set_error(error, CAV_STORE_ERROR, CAV_STORE_ERROR_OPEN,
			    "Cannot open database %s: %s", path,
			    store->db ? sqlite3_errmsg(store->db) : sqlite3_errstr(rc));
		return NULL;
	}
	sqlite3_extended_result_codes(store->db, 1);
	sqlite3_busy_timeout(store->db, 5000);
	if (!exec(store,
		  "PRAGMA journal_mode = WAL;"
		  "PRAGMA synchronous = FULL;"
		  "PRAGMA foreign_keys = ON;",
		  "configuring the database", error) ||
	    !migrate(store, error)) {
		g_prefix_error(error, "Cannot open database %s: ", path);
		return NULL;
	}
	return g_steal_pointer(&store);
}

void
cav_store_close(CavStore *store)
{
	if (store == NULL)
		return;
	if (store->db != NULL)
		sqlite3_close_v2(store->db);
	g_free(store->path);
	g_free(store);
}

sqlite3 *
cav_store_db(CavStore *store)
{
	return store->db;
}

const char *
cav_store_path(CavStore *store)
{
	return store->path;
}

void
cav_case_row_free(CavCaseRow *row)
{
	if (row == NULL)
		return;
	g_free(row->number);
	g_free(row->title);
	g_free(row->cause);
	g_free(row->parties);
	g_free(row->created_by);
	g_free(row);
}

void
cav_hearing_row_free(CavHearingRow *row)
{
	if (row == NULL)
		return;
	g_free(row->uid);
	g_free(row->room_id);
	g_free(row->pause_reason);
	g_free(row->media_dir);
	g_free(row->name_prefix);
	g_free(row->opened_by);
	g_free(row->chain_head);
	g_free(row->sig_alg);
	g_free(row->key_id);
	g_free(row->signature);
	g_free(row);
}

void
cav_interval_row_free(CavIntervalRow *row)
{
	if (row == NULL)
		return;
	g_free(row->kind);
	g_free(row->reason);
	g_free(row->detail);
	g_free(row->actor);
	g_free(row);
}

void
cav_mark_row_free(CavMarkRow *row)
{
	if (row == NULL)
		return;
	g_free(row->label);
	g_free(row->actor);
	g_free(row);
}

void
cav_track_row_free(CavTrackRow *row)
{
	if (row == NULL)
		return;
	g_free(row->name);
	g_free(row->kind);
	g_free(row->label);
	g_free(row);
}

void
cav_segment_row_free(CavSegmentRow *row)
{
	if (row == NULL)
		return;
	g_free(row->track);
	g_free(row->path);
	g_free(row->state);
	g_free(row->sha256);
	g_free(row->chain);
	g_free(row);
}

void
cav_event_row_free(CavEventRow *row)
{
	if (row == NULL)
		return;
	g_free(row->severity);
	g_free(row->code);
	g_free(row->message);
	g_free(row);
}
