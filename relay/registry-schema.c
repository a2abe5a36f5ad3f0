/* registry-schema.c — the relay registry's schema, one migration per entry,
 * applied in order by cav_registry_open() keyed on PRAGMA user_version.
 * Never edit a released entry: add a new one. Constraints live in SQL
 * (roles, one open publish session per room, append-only audit) so they
 * hold whatever the C code does.
 */
#include "registry-private.h"

static const char *const migrations[] = {
	/* 1: the relay core (issue 5). */
	"CREATE TABLE appliances ("
	"  id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 32),"
	"  name TEXT,"
	"  court TEXT,"
	"  sig_alg TEXT NOT NULL,"
	"  public_key TEXT NOT NULL,"
	"  key_id TEXT NOT NULL UNIQUE,"
	"  enrolled_us INTEGER NOT NULL,"
	"  last_seen_us INTEGER,"
	"  last_addr TEXT,"
	"  health TEXT,"
	"  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)));"

	/* Tokens are stored only as their SHA-256; each is used once. */
	"CREATE TABLE enrollment_tokens ("
	"  token_sha256 TEXT PRIMARY KEY,"
	"  appliance_id TEXT,"
	"  created_us INTEGER NOT NULL,"
	"  expires_us INTEGER NOT NULL CHECK (expires_us > created_us),"
	"  created_by TEXT NOT NULL,"
	"  used_us INTEGER,"
	"  used_by_key TEXT);"

	"CREATE TABLE rooms ("
	"  key TEXT PRIMARY KEY,"
	"  appliance_id TEXT NOT NULL REFERENCES appliances(id),"
	"  room_id TEXT NOT NULL,"
	"  name TEXT,"
	"  court TEXT,"
	"  UNIQUE (appliance_id, room_id));"

	/* One row per publish session of a room's program stream. */
	"CREATE TABLE live_sources ("
	"  id INTEGER PRIMARY KEY,"
	"  room_key TEXT NOT NULL REFERENCES rooms(key),"
	"  ssrc_video INTEGER NOT NULL,"
	"  ssrc_audio INTEGER NOT NULL,"
	"  suite TEXT NOT NULL,"
	"  hearing_id INTEGER,"
	"  started_us INTEGER NOT NULL,"
	"  ended_us INTEGER);"
	"CREATE UNIQUE INDEX live_sources_one_open ON live_sources(room_key)"
	"  WHERE ended_us IS NULL;"

	"CREATE TABLE users ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 32),"
	"  display_name TEXT,"
	"  role TEXT NOT NULL CHECK (role IN ('operator','inspector')),"
	"  secret_hash TEXT NOT NULL,"
	"  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
	"  failed_logins INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),"
	"  locked_until_us INTEGER,"
	"  created_us INTEGER NOT NULL,"
	"  created_by TEXT NOT NULL);"

	"CREATE TABLE sessions ("
	"  token_sha256 TEXT PRIMARY KEY,"
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  created_us INTEGER NOT NULL,"
	"  expires_us INTEGER NOT NULL CHECK (expires_us > created_us),"
	"  client TEXT);"
	"CREATE INDEX sessions_by_user ON sessions(user_id);"

	/* The same audit tables as courtavd's (appliance/audit.c). */
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  at_us INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  object TEXT,"
	"  detail TEXT,"
	"  prev_hash TEXT NOT NULL,"
	"  hash TEXT NOT NULL);"
	"CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
	"CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
	"CREATE TABLE audit_checkpoint ("
	"  one INTEGER PRIMARY KEY CHECK (one = 1),"
	"  last_id INTEGER NOT NULL,"
	"  last_hash TEXT NOT NULL,"
	"  sig_alg TEXT NOT NULL,"
	"  key_id TEXT NOT NULL,"
	"  signature TEXT NOT NULL);"

	"CREATE TABLE settings ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);",
};

guint
cav_registry_schema_version(void)
{
	return G_N_ELEMENTS(migrations);
}

const char *
cav_registry_migration(guint index)
{
	g_return_val_if_fail(index < G_N_ELEMENTS(migrations), NULL);
	return migrations[index];
}
