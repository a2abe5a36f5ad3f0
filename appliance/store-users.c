/* store-users.c — users, sessions, settings, and the audit log read back
 * (store-users.h). SQL only: the rules are in users.c. Main thread only. */
#include "store-private.h"
#include "store-users.h"

void
cav_user_row_free(CavUserRow *row)
{
	if (row == NULL)
		return;
	g_free(row->name);
	g_free(row->display_name);
	g_free(row->role);
	g_free(row->secret_kind);
	g_free(row->secret_hash);
	g_free(row->created_by);
	g_free(row);
}

void
cav_audit_row_free(CavAuditRow *row)
{
	if (row == NULL)
		return;
	g_free(row->actor);
	g_free(row->action);
	g_free(row->object);
	g_free(row->detail);
	g_free(row);
}

#define USER_COLUMNS                                                                               \
	"u.id, u.name, u.display_name, u.role, u.secret_kind, u.secret_hash, u.disabled, "         \
	"u.failed_logins, u.locked_until_us, u.created_us, u.created_by"

static CavUserRow *
user_from_stmt(sqlite3_stmt *stmt)
{
	CavUserRow *row = g_new0(CavUserRow, 1);

	row->id = sqlite3_column_int64(stmt, 0);
	row->name = cav_col_dup(stmt, 1);
	row->display_name = cav_col_dup(stmt, 2);
	row->role = cav_col_dup(stmt, 3);
	row->secret_kind = cav_col_dup(stmt, 4);
	row->secret_hash = cav_col_dup(stmt, 5);
	row->disabled = sqlite3_column_int(stmt, 6) != 0;
	row->failed_logins = (guint)sqlite3_column_int(stmt, 7);
	row->locked_until_us = sqlite3_column_int64(stmt, 8);
	row->created_us = sqlite3_column_int64(stmt, 9);
	row->created_by = cav_col_dup(stmt, 10);
	return row;
}

gint64
cav_store_user_insert(CavStore *store, const CavUserRow *row, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"INSERT INTO users (name, display_name, role, secret_kind, secret_hash, disabled, "
		"created_us, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
		error);

	if (stmt == NULL)
		return 0;
	cav_bind_text(stmt, 1, row->name);
	cav_bind_text(stmt, 2, row->display_name);
	cav_bind_text(stmt, 3, row->role);
	cav_bind_text(stmt, 4, row->secret_kind);
	cav_bind_text(stmt, 5, row->secret_hash);
	sqlite3_bind_int(stmt, 6, row->disabled ? 1 : 0);
	sqlite3_bind_int64(stmt, 7, row->created_us);
	cav_bind_text(stmt, 8, row->created_by);
	if (!cav_store_step_done(store, stmt, "saving the user", error))
		return 0;
	return sqlite3_last_insert_rowid(cav_store_db(store));
}

static CavUserRow *
user_get_where(CavStore *store, const char *where, gint64 id, const char *name, GError **error)
{
	g_autofree char *sql =
		g_strdup_printf("SELECT " USER_COLUMNS " FROM users u WHERE %s", where);
	g_autoptr(CavStmt) stmt = cav_store_prepare(store, sql, error);
	int rc;

	if (stmt == NULL)
		return NULL;
	if (name != NULL)
		cav_bind_text(stmt, 1, name);
	else
		sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return user_from_stmt(stmt);
	if (rc == SQLITE_DONE) {
		g_set_error(error, CAV_STORE_ERROR, CAV_STORE_ERROR_NOT_FOUND, "No such user.");
		return NULL;
	}
	cav_store_fail(store, "reading a user", error);
	return NULL;
}

CavUserRow *
cav_store_user_get(CavStore *store, gint64 id, GError **error)
{
	return user_get_where(store, "u.id = ?1", id, NULL, error);
}

CavUserRow *
cav_store_user_find(CavStore *store, const char *name, GError **error)
{
	return user_get_where(store, "u.name = ?1", 0, name, error);
}

GPtrArray *
cav_store_user_list(CavStore *store, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store, "SELECT " USER_COLUMNS " FROM users u ORDER BY u.name", error);
	g_autoptr(GPtrArray) rows =
		g_ptr_array_new_with_free_func((GDestroyNotify)cav_user_row_free);
	int rc;

	if (stmt == NULL)
		return NULL;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(rows, user_from_stmt(stmt));
	if (rc != SQLITE_DONE) {
		cav_store_fail(store, "listing users", error);
		return NULL;
	}
	return g_steal_pointer(&rows);
}

gboolean
cav_store_user_update(CavStore *store, const CavUserRow *row, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"UPDATE users SET display_name = ?2, role = ?3, secret_kind = ?4, "
		"secret_hash = ?5, disabled = ?6 WHERE id = ?1",
		error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, row->id);
	cav_bind_text(stmt, 2, row->display_name);
	cav_bind_text(stmt, 3, row->role);
	cav_bind_text(stmt, 4, row->secret_kind);
	cav_bind_text(stmt, 5, row->secret_hash);
	sqlite3_bind_int(stmt, 6, row->disabled ? 1 : 0);
	return cav_store_step_done(store, stmt, "updating the user", error);
}

gboolean
cav_store_user_set_failures(CavStore *store, gint64 id, guint failed, gint64 locked_until_us,
			    GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store, "UPDATE users SET failed_logins = ?2, locked_until_us = ?3 WHERE id = ?1",
		error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int(stmt, 2, (int)MIN(failed, 1000000));
	cav_bind_int64(stmt, 3, locked_until_us, TRUE);
	return cav_store_step_done(store, stmt, "recording a login attempt", error);
}

gint64
cav_store_user_count(CavStore *store, const char *role)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"SELECT count(*) FROM users WHERE disabled = 0 AND (?1 IS NULL OR role = ?1)",
		NULL);

	if (stmt == NULL)
		return -1;
	cav_bind_text(stmt, 1, role);
	if (sqlite3_step(stmt) != SQLITE_ROW)
		return -1;
	return sqlite3_column_int64(stmt, 0);
}

gboolean
cav_store_session_insert(CavStore *store, const char *token_sha256, gint64 user_id,
			 gint64 created_us, gint64 expires_us, const char *client, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"INSERT INTO sessions (token_sha256, user_id, created_us, expires_us, client) "
		"VALUES (?1, ?2, ?3, ?4, ?5)",
		error);

	if (stmt == NULL)
		return FALSE;
	cav_bind_text(stmt, 1, token_sha256);
	sqlite3_bind_int64(stmt, 2, user_id);
	sqlite3_bind_int64(stmt, 3, created_us);
	sqlite3_bind_int64(stmt, 4, expires_us);
	cav_bind_text(stmt, 5, client);
	return cav_store_step_done(store, stmt, "saving the session", error);
}

CavUserRow *
cav_store_session_user(CavStore *store, const char *token_sha256, gint64 now_us,
		       gint64 *out_expires_us, GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(
		store,
		"SELECT " USER_COLUMNS ", s.expires_us FROM sessions s JOIN users u "
		"ON u.id = s.user_id WHERE s.token_sha256 = ?1 AND s.expires_us > ?2 "
		"AND u.disabled = 0",
		error);
	int rc;

	if (stmt == NULL)
		return NULL;
	cav_bind_text(stmt, 1, token_sha256);
	sqlite3_bind_int64(stmt, 2, now_us);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		if (out_expires_us != NULL)
			*out_expires_us = sqlite3_column_int64(stmt, 11);
		return user_from_stmt(stmt);
	}
	if (rc != SQLITE_DONE)
		cav_store_fail(store, "reading a session", error);
	return NULL;
}

static gboolean
exec_one(CavStore *store, const char *sql, const char *text, gint64 value, const char *what,
	 GError **error)
{
	g_autoptr(CavStmt) stmt = cav_store_prepare(store, sql, error);

	if (stmt == NULL)
		return FALSE;
	if (text != NULL)
		cav_bind_text(stmt, 1, text);
	else
		sqlite3_bind_int64(stmt, 1, value);
	return cav_store_step_done(store, stmt, what, error);
}

gboolean
cav_store_session_delete(CavStore *store, const char *token_sha256, GError **error)
{
	return exec_one(store, "DELETE FROM sessions WHERE token_sha256 = ?1", token_sha256, 0,
			"ending the session", error);
}

gboolean
cav_store_session_delete_user(CavStore *store, gint64 user_id, GError **error)
{
	return exec_one(store, "DELETE FROM sessions WHERE user_id = ?1", NULL, user_id,
			"ending the user's sessions", error);
}

gboolean
cav_store_session_purge(CavStore *store, gint64 now_us, GError **error)
{
	return exec_one(store, "DELETE FROM sessions WHERE expires_us <= ?1", NULL, now_us,
			"deleting expired sessions", error);
}

char *
cav_store_setting_get(CavStore *store, const char *key)
{
	g_autoptr(CavStmt) stmt =
		cav_store_prepare(store, "SELECT value FROM settings WHERE key = ?1", NULL);

	if (stmt == NULL)
		return NULL;
	cav_bind_text(stmt, 1, key);
	if (sqlite3_step(stmt) != SQLITE_ROW)
		return NULL;
	return cav_col_dup(stmt, 0);
}

gboolean
cav_store_setting_set(CavStore *store, const char *key, const char *value, GError **error)
{
	g_autoptr(CavStmt) stmt =
		cav_store_prepare(store,
				  "INSERT INTO settings (key, value) VALUES (?1, ?2) "
				  "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
				  error);

	if (stmt == NULL)
		return FALSE;
	cav_bind_text(stmt, 1, key);
	cav_bind_text(stmt, 2, value);
	return cav_store_step_done(store, stmt, "saving a setting", error);
}

GPtrArray *
cav_store_audit_list(CavStore *store, gint64 before, guint limit, GError **error)
{
	g_autoptr(CavStmt) stmt =
		cav_store_prepare(store,
				  "SELECT id, at_us, actor, action, object, detail FROM audit "
				  "WHERE ?1 <= 0 OR id < ?1 ORDER BY id DESC LIMIT ?2",
				  error);
	g_autoptr(GPtrArray) rows =
		g_ptr_array_new_with_free_func((GDestroyNotify)cav_audit_row_free);
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, before);
	sqlite3_bind_int(stmt, 2, (int)limit);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		CavAuditRow *row = g_new0(CavAuditRow, 1);

		row->id = sqlite3_column_int64(stmt, 0);
		row->at_us = sqlite3_column_int64(stmt, 1);
		row->actor = cav_col_dup(stmt, 2);
		row->action = cav_col_dup(stmt, 3);
		row->object = cav_col_dup(stmt, 4);
		row->detail = cav_col_dup(stmt, 5);
		g_ptr_array_add(rows, row);
	}
	if (rc != SQLITE_DONE) {
		cav_store_fail(store, "reading the audit log", error);
		return NULL;
	}
	return g_steal_pointer(&rows);
}
