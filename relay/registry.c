/* registry.c — opening, migrating and querying the relay's registry
 * (registry.h). Main thread only. Users and sessions are in users.c.
 */
#include "registry-private.h"
#include "appliance/audit.h"

#include <string.h>

/* The first argument is stringified: the error domain's name. */
/* clang-format off */
G_DEFINE_QUARK(cav-registry-error-quark, cav_registry_error)
/* clang-format on */

void
cav_reg_stmt_free(CavRegStmt *stmt)
{
	if (stmt != NULL)
		sqlite3_finalize(stmt);
}

gboolean
cav_registry_fail(CavRegistry *reg, const char *what, GError **error)
{
	int primary = sqlite3_extended_errcode(reg->db) & 0xff;

	g_set_error(error, CAV_REGISTRY_ERROR,
		    primary == SQLITE_CONSTRAINT ? CAV_REGISTRY_ERROR_CONSTRAINT
						 : CAV_REGISTRY_ERROR_SQL,
		    "%s: %s (registry %s)", what, sqlite3_errmsg(reg->db), reg->path);
	return FALSE;
}

sqlite3_stmt *
cav_registry_prepare(CavRegistry *reg, const char *sql, GError **error)
{
	sqlite3_stmt *stmt = NULL;

	if (sqlite3_prepare_v2(reg->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		cav_registry_fail(reg, "preparing a statement", error);
		return NULL;
	}
	return stmt;
}

gboolean
cav_registry_step_done(CavRegistry *reg, sqlite3_stmt *stmt, const char *what, GError **error)
{
	if (sqlite3_step(stmt) != SQLITE_DONE)
		return cav_registry_fail(reg, what, error);
	return TRUE;
}

void
cav_reg_bind_text(sqlite3_stmt *stmt, int index, const char *text)
{
	if (text == NULL)
		sqlite3_bind_null(stmt, index);
	else
		sqlite3_bind_text(stmt, index, text, -1, SQLITE_TRANSIENT);
}

char *
cav_reg_col_dup(sqlite3_stmt *stmt, int col)
{
	const unsigned char *t = sqlite3_column_text(stmt, col);

	return t != NULL ? g_strdup((const char *)t) : NULL;
}

static gboolean
exec(CavRegistry *reg, const char *sql, const char *what, GError **error)
{
	if (sqlite3_exec(reg->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return cav_registry_fail(reg, what, error);
	return TRUE;
}

gboolean
cav_registry_begin(CavRegistry *reg, GError **error)
{
	return exec(reg, "BEGIN IMMEDIATE", "starting a transaction", error);
}

gboolean
cav_registry_commit(CavRegistry *reg, GError **error)
{
	return exec(reg, "COMMIT", "committing a transaction", error);
}

void
cav_registry_rollback(CavRegistry *reg)
{
	if (!sqlite3_get_autocommit(reg->db))
		sqlite3_exec(reg->db, "ROLLBACK", NULL, NULL, NULL);
}

static gboolean
migrate(CavRegistry *reg, GError **error)
{
	g_autoptr(CavRegStmt) stmt = cav_registry_prepare(reg, "PRAGMA user_version", error);
	guint count = cav_registry_schema_version();
	int version;

	if (stmt == NULL || sqlite3_step(stmt) != SQLITE_ROW)
		return cav_registry_fail(reg, "reading the schema version", error);
	version = sqlite3_column_int(stmt, 0);
	if (version < 0 || (guint)version > count) {
		g_set_error(error, CAV_REGISTRY_ERROR, CAV_REGISTRY_ERROR_OPEN,
			    "Registry %s has schema version %d, newer than this courtav-relay "
			    "knows (%u): install the newer relay or restore a backup.",
			    reg->path, version, count);
		return FALSE;
	}
	for (guint i = (guint)version; i < count; i++) {
		g_autofree char *set = g_strdup_printf("PRAGMA user_version = %u", i + 1);

		if (!cav_registry_begin(reg, error))
			return FALSE;
		if (!exec(reg, cav_registry_migration(i), "applying a schema migration", error) ||
		    !exec(reg, set, "recording the schema version", error)) {
			cav_registry_rollback(reg);
			g_prefix_error(error, "Migration %u → %u failed: ", i, i + 1);
			return FALSE;
		}
		if (!cav_registry_commit(reg, error))
			return FALSE;
	}
	return TRUE;
}

CavRegistry *
cav_registry_open(const char *path, const CavSigner *signer, GError **error)
{
	g_autoptr(CavRegistry) reg = g_new0(CavRegistry, 1);
	int rc;

	reg->path = g_strdup(path);
	reg->signer = signer;
	rc = sqlite3_open_v2(path, &reg->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		g_set_error(error, CAV_REGISTRY_ERROR, CAV_REGISTRY_ERROR_OPEN,
			    "Cannot open registry %s: %s", path,
			    reg->db ? sqlite3_errmsg(reg->db) : sqlite3_errstr(rc));
		return NULL;
	}
	sqlite3_extended_result_codes(reg->db, 1);
	sqlite3_busy_timeout(reg->db, 5000);
	/* synchronous=NORMAL: in WAL mode a power loss may lose the last
	 * heartbeat rows, never corrupt the file; the registry holds no
	 * evidence, and heartbeats write often. */
	/* A small page cache (512 KiB): the registry is mostly appended to
	 * (audit, heartbeats) and read in small pieces; the default 2 MiB
	 * would only make the relay's memory creep up to it. */
	if (!exec(reg,
		  "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		  "PRAGMA foreign_keys = ON; PRAGMA cache_size = -512;",
		  "configuring the registry", error) ||
	    !migrate(reg, error)) {
		g_prefix_error(error, "Cannot open registry %s: ", path);
		return NULL;
	}
	return g_steal_pointer(&reg);
}

void
cav_registry_close(CavRegistry *reg)
{
	if (reg == NULL)
		return;
	if (reg->db != NULL)
		sqlite3_close_v2(reg->db);
	g_free(reg->path);
	g_free(reg);
}

sqlite3 *
cav_registry_db(CavRegistry *reg)
{
	return reg->db;
}

const char *
cav_registry_path(CavRegistry *reg)
{
	return reg->path;
}

gboolean
cav_registry_audit(CavRegistry *reg, const char *actor, const char *action, const char *object,
		   const char *detail_json, GError **error)
{
	return cav_audit_append(reg->db, reg->signer, g_get_real_time(), actor, action, object,
				detail_json, NULL, error);
}

/* ---- appliances ---------------------------------------------------------- */

void
cav_appliance_row_free(CavApplianceRow *row)
{
	if (row == NULL)
		return;
	g_free(row->id);
	g_free(row->name);
	g_free(row->court);
	g_free(row->sig_alg);
	g_free(row->public_key);
	g_free(row->key_id);
	g_free(row->last_addr);
	g_free(row->health);
	g_free(row);
}

#define APPLIANCE_COLUMNS                                                                          \
	"id, name, court, sig_alg, public_key, key_id, enrolled_us, last_seen_us, last_addr, "     \
	"health, disabled"

static CavApplianceRow *
appliance_from_stmt(sqlite3_stmt *s)
{
	CavApplianceRow *r = g_new0(CavApplianceRow, 1);

	r->id = cav_reg_col_dup(s, 0);
	r->name = cav_reg_col_dup(s, 1);
	r->court = cav_reg_col_dup(s, 2);
	r->sig_alg = cav_reg_col_dup(s, 3);
	r->public_key = cav_reg_col_dup(s, 4);
	r->key_id = cav_reg_col_dup(s, 5);
	r->enrolled_us = sqlite3_column_int64(s, 6);
	r->last_seen_us = sqlite3_column_int64(s, 7);
	r->last_addr = cav_reg_col_dup(s, 8);
	r->health = cav_reg_col_dup(s, 9);
	r->disabled = sqlite3_column_int(s, 10) != 0;
	return r;
}

gboolean
cav_registry_appliance_insert(CavRegistry *reg, const CavApplianceRow *row, GError **error)
{
	g_autoptr(CavRegStmt) s = cav_registry_prepare(
		reg,
		"INSERT INTO appliances (id, name, court, sig_alg, public_key, key_id, enrolled_us)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
		error);

	if (s == NULL)
		return FALSE;
	cav_reg_bind_text(s, 1, row->id);
	cav_reg_bind_text(s, 2, row->name);
	cav_reg_bind_text(s, 3, row->court);
	cav_reg_bind_text(s, 4, row->sig_alg);
	cav_reg_bind_text(s, 5, row->public_key);
	cav_reg_bind_text(s, 6, row->key_id);
	sqlite3_bind_int64(s, 7, row->enrolled_us);
	return cav_registry_step_done(reg, s, "saving the appliance", error);
}

static CavApplianceRow *
appliance_where(CavRegistry *reg, const char *where, const char *value, GError **error)
{
	g_autofree char *sql =
		g_strdup_printf("SELECT " APPLIANCE_COLUMNS " FROM appliances WHERE %s", where);
	g_autoptr(CavRegStmt) s = cav_registry_prepare(reg, sql, error);
	int rc;

	if (s == NULL)
		return NULL;
	cav_reg_bind_text(s, 1, value);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		return appliance_from_stmt(s);
	if (rc == SQLITE_DONE)
		g_set_error(error, CAV_REGISTRY_ERROR, CAV_REGISTRY_ERROR_NOT_FOUND,
			    "No appliance %s", value);
	else
		cav_registry_fail(reg, "reading an appliance", error);
	return NULL;
}

CavApplianceRow *
cav_registry_appliance_get(CavRegistry *reg, const char *id, GError **error)
{
	return appliance_where(reg, "id = ?1", id, error);
}

CavApplianceRow *
cav_registry_appliance_by_key(CavRegistry *reg, const char *key_id, GError **error)
{
	return appliance_where(reg, "key_id = ?1", key_id, error);
}

GPtrArray *
cav_registry_appliance_list(CavRegistry *reg, GError **error)
{
	g_autoptr(CavRegStmt) s = cav_registry_prepare(
		reg, "SELECT " APPLIANCE_COLUMNS " FROM appliances ORDER BY id", error);
	g_autoptr(GPtrArray) out =
		g_ptr_array_new_with_free_func((GDestroyNotify)cav_appliance_row_free);
	int rc;

	if (s == NULL)
		return NULL;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		g_ptr_array_add(out, appliance_from_stmt(s));
	if (rc != SQLITE_DONE) {
		cav_registry_fail(reg, "listing appliances", error);
		return NULL;
	}
	return g_steal_pointer(&out);
}

gboolean
cav_registry_appliance_seen(CavRegistry *reg, const char *id, gint64 at_us, const char *addr,
			    const char *health_json, GError **error)
{
	g_autoptr(CavRegStmt) s =
		cav_registry_prepare(reg,
				     "UPDATE appliances SET last_seen_us = ?2, last_addr = ?3,"
				     " health = coalesce(?4, health) WHERE id = ?1",
				     error);

	if (s == NULL)
		return FALSE;
	cav_reg_bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, at_us);
	cav_reg_bind_text(s, 3, addr);
	cav_reg_bind_text(s, 4, health_json);
	return cav_registry_step_done(reg, s, "recording a heartbeat", error);
}

gboolean
cav_registry_appliance_set_disabled(CavRegistry *reg, const char *id, gboolean disabled,
				    GError **error)
{
	g_autoptr(CavRegStmt) s = cav_registry_prepare(
		reg, "UPDATE appliances SET disabled = ?2 WHERE id = ?1", error);

	if (s == NULL)
		return FALSE;
	cav_reg_bind_text(s, 1, id);
	sqlite3_bind_int(s, 2, disabled ? 1 : 0);
	if (!cav_registry_step_done(reg, s, "disabling an appliance", error))
		return FALSE;
	if (sqlite3_changes(reg->db) == 0) {
		g_set_error(error, CAV_REGISTRY_ERROR, CAV_REGISTRY_ERROR_NOT_FOUND,
			    "No appliance %s", id);
		return FALSE;
	}
	return TRUE;
}

/* ---- enrollment tokens ----------------------------------------------------- */

gboolean
cav_registry_enrollment_insert(CavRegistry *reg, const char *token_sha256, const char *appliance_id,
			       gint64 created_us, gint64 expires_us, const char *created_by,
			       GError **error)
{
	g_autoptr(CavRegStmt) s = cav_registry_prepare(
		reg,
		"INSERT INTO enrollment_tokens (token_sha256, appliance_id, created_us, expires_us,"
		" created_by) VALUES (?1, ?2, ?3, ?4, ?5)",
		error);

	if (s == NULL)
		return FALSE;
	cav_reg_bind_text(s, 1, token_sha256);
	cav_reg_bind_text(s, 2, appliance_id);
	sqlite3_bind_int64(s, 3, created_us);
	sqlite3_bind_int64(s, 4, expires_us);
	cav_reg_bind_text(s, 5, created_by);
	return cav_registry_step_done(reg, s, "saving the enrollment token", error);
}

gboolean
cav_registry_enrollment_consume(CavRegistry *reg, const char *token_sha256, gint64 now_us,
				const char *key_id, CavEnrollStatus *out_status,
				char **out_appliance_id, GError **error)
{
	g_autoptr(CavRegStmt) s = cav_registry_prepare(
		reg,
		"SELECT appliance_id, expires_us, used_us FROM enrollment_tokens"
		" WHERE token_sha256 = ?1",
		error);
	g_autoptr(CavRegStmt) u = NULL;
	int rc;

	if (s == NULL)
		return FALSE;
	cav_reg_bind_text(s, 1, token_sha256);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		*out_status = CAV_ENROLL_UNKNOWN;
		return TRUE;
	}
	if (rc != SQLITE_ROW)
		return cav_registry_fail(reg, "reading an enrollment token", error);
	if (sqlite3_column_type(s, 2) != SQLITE_NULL) {
		*out_status = CAV_ENROLL_USED;
		return TRUE;
	}
	if (sqlite3_column_int64(s, 1) <= now_us) {
		*out_status = CAV_ENROLL_EXPIRED;
		return TRUE;
	}
	*out_appliance_id = cav_reg_col_dup(s, 0);
	u = cav_registry_prepare(reg,
				 "UPDATE enrollment_tokens SET used_us = ?2, used_by_key = ?3"
				 " WHERE token_sha256 = ?1 AND used_us IS NULL",
				 error);
	if (u == NULL)
		return FALSE;
	cav_reg_bind_text(u, 1, token_sha256);
	sqlite3_bind_int64(u, 2, now_us);
	cav_reg_bind_text(u, 3, key_id);
	if (!cav_registry_step_done(reg, u, "using the enrollment token", error))
		return FALSE;
	*out_status = sqlite3_changes(reg->db) == 1 ? CAV_ENROLL_OK : CAV_ENROLL_USED;
	return TRUE;
}

/* ---- rooms ----------------------------------------------------------------- */

void
cav_room_row_free(CavRoomRow *row)
{
	if (row == NULL)
		return;
	g_free(row->key);
	g_free(row->appliance_id);
	g_free(row->room_id);
	g_free(row->name);
	g_free(row->court);
	g_free(row);
}

gboolean
cav_registry_room_upsert(CavRegistry *reg, const char *appliance_id, const char *room_id,
			 const char *name, const char *court, GError **error)
{
	g_autoptr(CavRegStmt) s = cav_registry_prepare(
		reg,
		"INSERT INTO rooms (key, appliance_id, room_id, name, court)"
		" VALUES (?1 || '/' || ?2, ?1, ?2, ?3, ?4)"
		" ON CONFLICT (key) DO UPDATE SET name = excluded.name, court = excluded.court"
		" WHERE name IS NOT excluded.name OR court IS NOT excluded.court",
		error);

	if (s == NULL)
		return FALSE;
	cav_reg_bind_text(s, 1, appliance_id);
	cav_reg_bind_text(s, 2, room_id);
	cav_reg_bind_text(s, 3, name);
	cav_reg_bind_text(s, 4, court);
	return cav_registry_step_done(reg, s, "saving a room", error);
}

GPtrArray *
cav_registry_room_list(CavRegistry *reg, GError **error)
{
	g_autoptr(CavRegStmt) s = cav_registry_prepare(
		reg, "SELECT key, appliance_id, room_id, name, court FROM rooms ORDER BY key",
		error);
	g_autoptr(GPtrArray) out =
		g_ptr_array_new_with_free_func((GDestroyNotify)cav_room_row_free);
	int rc;

	if (s == NULL)
		return NULL;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		CavRoomRow *r = g_new0(CavRoomRow, 1);

		r->key = cav_reg_col_dup(s, 0);
		r->appliance_id = cav_reg_col_dup(s, 1);
		r->room_id = cav_reg_col_dup(s, 2);
		r->name = cav_reg_col_dup(s, 3);
		r->court = cav_reg_col_dup(s, 4);
		g_ptr_array_add(out, r);
	}
	if (rc != SQLITE_DONE) {
		cav_registry_fail(reg, "listing rooms", error);
		return NULL;
	}
	return g_steal_pointer(&out);
}

/* ---- live sources ------------------------------------------------------------ */

gint64
cav_registry_live_begin(CavRegistry *reg, const char *room_key, guint32 ssrc_video,
			guint32 ssrc_audio, const char *suite, gint64 hearing_id, gint64 started_us,
			GError **error)
{
	g_autoptr(CavRegStmt) end = cav_registry_prepare(
		reg,
		"UPDATE live_sources SET ended_us = ?2 WHERE room_key = ?1 AND ended_us IS NULL",
		error);
	g_autoptr(CavRegStmt) s = NULL;

	if (end == NULL)
		return 0;
	cav_reg_bind_text(end, 1, room_key);
	sqlite3_bind_int64(end, 2, started_us);
	if (!cav_registry_step_done(reg, end, "ending the previous publish session", error))
		return 0;
	s = cav_registry_prepare(
		reg,
		"INSERT INTO live_sources (room_key, ssrc_video, ssrc_audio, suite,"
		" hearing_id, started_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		error);
	if (s == NULL)
		return 0;
	cav_reg_bind_text(s, 1, room_key);
	sqlite3_bind_int64(s, 2, ssrc_video);
	sqlite3_bind_int64(s, 3, ssrc_audio);
	cav_reg_bind_text(s, 4, suite);
	if (hearing_id > 0)
		sqlite3_bind_int64(s, 5, hearing_id);
	else
		sqlite3_bind_null(s, 5);
	sqlite3_bind_int64(s, 6, started_us);
	if (!cav_registry_step_done(reg, s, "saving a publish session", error))
		return 0;
	return sqlite3_last_insert_rowid(reg->db);
}

gboolean
cav_registry_live_end(CavRegistry *reg, gint64 id, gint64 ended_us, GError **error)
{
	g_autoptr(CavRegStmt) s = cav_registry_prepare(
		reg, "UPDATE live_sources SET ended_us = ?2 WHERE id = ?1 AND ended_us IS NULL",
		error);

	if (s == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, ended_us);
	return cav_registry_step_done(reg, s, "ending a publish session", error);
}

gboolean
cav_registry_live_end_all(CavRegistry *reg, gint64 ended_us, GError **error)
{
	g_autoptr(CavRegStmt) s = cav_registry_prepare(
		reg, "UPDATE live_sources SET ended_us = ?1 WHERE ended_us IS NULL", error);

	if (s == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, ended_us);
	return cav_registry_step_done(reg, s, "ending publish sessions", error);
}

char *
cav_registry_live_room(CavRegistry *reg, gint64 id, GError **error)
{
	g_autoptr(CavRegStmt) s =
		cav_registry_prepare(reg, "SELECT room_key FROM live_sources WHERE id = ?1", error);

	if (s == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		g_set_error(error, CAV_REGISTRY_ERROR, CAV_REGISTRY_ERROR_NOT_FOUND,
			    "No publish session %" G_GINT64_FORMAT, id);
		return NULL;
	}
	return cav_reg_col_dup(s, 0);
}
