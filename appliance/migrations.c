/* migrations.c — the store's schema, one step per user_version.
 *
 * Each entry moves the database from version i to i+1 inside one
 * transaction (store.c runs them). Never edit a released step: append one.
 * Why these constraints live in SQL: a bug in C must not be able to write a
 * second open hearing for a room, an unknown pause reason, or an edited audit
 * row; SQLite refuses them whatever the caller does.
 */
#include "migrations.h"

static const char *const migrations[] = {
	/* 1: the appliance core. */
	"CREATE TABLE courtrooms ("
	"  id TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  court TEXT);"

	"CREATE TABLE cases ("
	"  id INTEGER PRIMARY KEY,"
	"  number TEXT NOT NULL UNIQUE,"
	"  title TEXT NOT NULL,"
	"  cause TEXT,"
	"  parties TEXT,"
	"  is_public INTEGER NOT NULL DEFAULT 1 CHECK (is_public IN (0, 1)),"
	"  created_us INTEGER NOT NULL,"
	"  created_by TEXT NOT NULL);"

	"CREATE TABLE hearings ("
	"  id INTEGER PRIMARY KEY,"
	"  uid TEXT NOT NULL UNIQUE,"
	"  case_id INTEGER NOT NULL REFERENCES cases(id),"
	"  room_id TEXT NOT NULL REFERENCES courtrooms(id),"
	"  state TEXT NOT NULL CHECK (state IN ('idle','recording','paused','closed','sealed')),"
	"  pause_reason TEXT CHECK (pause_reason IS NULL OR"
	"    pause_reason IN ('recess','closed_evidence','mediation','fault')),"
	"  media_dir TEXT NOT NULL,"
	"  name_prefix TEXT NOT NULL,"
	"  opened_us INTEGER NOT NULL,"
	"  opened_by TEXT NOT NULL,"
	"  closed_us INTEGER,"
	"  sealed_us INTEGER,"
	"  chain_head TEXT,"
	"  sig_alg TEXT,"
	"  key_id TEXT,"
	"  signature TEXT);"
	/* One open hearing per room, enforced by the database itself. */
	"CREATE UNIQUE INDEX hearings_one_open_per_room ON hearings(room_id)"
	"  WHERE state IN ('idle','recording','paused');"

	"CREATE TABLE intervals ("
	"  id INTEGER PRIMARY KEY,"
	"  hearing_id INTEGER NOT NULL REFERENCES hearings(id),"
	"  kind TEXT NOT NULL CHECK (kind IN ('recording','paused')),"
	"  reason TEXT CHECK ((kind = 'recording' AND reason IS NULL) OR"
	"    (kind = 'paused' AND reason IS NOT NULL AND"
	"     reason IN ('recess','closed_evidence','mediation','fault'))),"
	"  detail TEXT,"
	"  start_us INTEGER NOT NULL,"
	"  end_us INTEGER CHECK (end_us IS NULL OR end_us >= start_us),"
	"  actor TEXT NOT NULL);"
	"CREATE INDEX intervals_by_hearing ON intervals(hearing_id, start_us);"

	"CREATE TABLE tracks ("
	"  id INTEGER PRIMARY KEY,"
	"  hearing_id INTEGER NOT NULL REFERENCES hearings(id),"
	"  name TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('camera','program','audio')),"
	"  label TEXT,"
	"  UNIQUE (hearing_id, name));"

	"CREATE TABLE segments ("
	"  id INTEGER PRIMARY KEY,"
	"  track_id INTEGER NOT NULL REFERENCES tracks(id),"
	"  seq INTEGER NOT NULL CHECK (seq >= 1),"
	"  path TEXT NOT NULL UNIQUE,"
	"  state TEXT NOT NULL CHECK (state IN ('open','closed','partial')),"
	"  start_us INTEGER NOT NULL,"
	"  end_us INTEGER,"
	"  duration_s REAL,"
	"  bytes INTEGER,"
	"  sha256 TEXT,"
	"  chain_index INTEGER,"
	"  chain TEXT,"
	"  UNIQUE (track_id, seq));"

	"CREATE TABLE marks ("
	"  id INTEGER PRIMARY KEY,"
	"  hearing_id INTEGER NOT NULL REFERENCES hearings(id),"
	"  at_us INTEGER NOT NULL,"
	"  label TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 200),"
	"  actor TEXT NOT NULL);"

	/* Hash-chained, append-only audit log (audit.c). */
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
	/* The signed head of the audit chain, rewritten on every append, so a
	 * truncated tail is detected too (audit.c). */
	"CREATE TABLE audit_checkpoint ("
	"  one INTEGER PRIMARY KEY CHECK (one = 1),"
	"  last_id INTEGER NOT NULL,"
	"  last_hash TEXT NOT NULL,"
	"  sig_alg TEXT NOT NULL,"
	"  key_id TEXT NOT NULL,"
	"  signature TEXT NOT NULL);"

	/* Alarms and faults shown to people (disk low, source lost, ...). */
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  at_us INTEGER NOT NULL,"
	"  severity TEXT NOT NULL CHECK (severity IN ('info','warning','alarm')),"
	"  code TEXT NOT NULL,"
	"  hearing_id INTEGER REFERENCES hearings(id),"
	"  message TEXT NOT NULL);"

	/* Last moment the daemon was known alive, written every second; after a
	 * crash it bounds the start of the gap. */
	"CREATE TABLE heartbeat ("
	"  one INTEGER PRIMARY KEY CHECK (one = 1),"
	"  at_us INTEGER NOT NULL);"

	"CREATE TABLE settings ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);",

	/* 2: user accounts and login sessions (issue 4, users.c). Secrets are
	 * stored only as a slow KDF hash ("scrypt$N$r$p$salt$hash"), session
	 * tokens only as their SHA-256: a copy of the database logs nobody in. */
	"CREATE TABLE users ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 32),"
	"  display_name TEXT,"
	"  role TEXT NOT NULL CHECK (role IN ('clerk','judge','technician','admin')),"
	"  secret_kind TEXT NOT NULL CHECK (secret_kind IN ('pin','password')),"
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
	"CREATE INDEX sessions_by_user ON sessions(user_id);",

	/* 3: disc jobs (issue 6, disc-job.c): who burned or authored which case,
	 * onto which drives, and what the read-back found. A job is one session
	 * written to one or more drives at once; each drive is a copy. */
	"CREATE TABLE disc_jobs ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL CHECK (kind IN ('author','burn')),"
	"  case_id INTEGER NOT NULL REFERENCES cases(id),"
	"  disc INTEGER NOT NULL CHECK (disc >= 1),"
	"  medium TEXT NOT NULL,"
	"  close INTEGER NOT NULL DEFAULT 0 CHECK (close IN (0, 1)),"
	"  hearings TEXT,"
	"  state TEXT NOT NULL CHECK (state IN ('running','done','failed')),"
	"  actor TEXT NOT NULL,"
	"  started_us INTEGER NOT NULL,"
	"  finished_us INTEGER,"
	"  error TEXT);"
	"CREATE INDEX disc_jobs_by_case ON disc_jobs(case_id);"

	"CREATE TABLE disc_copies ("
	"  id INTEGER PRIMARY KEY,"
	"  job_id INTEGER NOT NULL REFERENCES disc_jobs(id),"
	"  drive TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('pending','written','verified','failed')),"
	"  bytes INTEGER,"
	"  sessions INTEGER,"
	"  verify TEXT CHECK (verify IS NULL OR verify IN ('ok','failed')),"
	"  findings TEXT,"
	"  error TEXT,"
	"  UNIQUE (job_id, drive));",

	/* 4: program, audio and quality (issue 3, room-program.c, quality.c): the
	 * speaker timeline and layout changes of each hearing, microphone faults
	 * (silent, clipping) as intervals, each segment's measured A/V offset
	 * and dropped frames, and the quality report stored when a hearing
	 * closes. */
	"CREATE TABLE program_switches ("
	"  id INTEGER PRIMARY KEY,"
	"  hearing_id INTEGER NOT NULL REFERENCES hearings(id),"
	"  at_us INTEGER NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('layout','speaker','silence','voice')),"
	"  layout TEXT,"
	"  camera TEXT,"
	"  mic TEXT,"
	"  actor TEXT NOT NULL,"
	"  detail TEXT);"
	"CREATE INDEX program_switches_by_hearing ON program_switches(hearing_id, at_us);"

	"CREATE TABLE audio_faults ("
	"  id INTEGER PRIMARY KEY,"
	"  hearing_id INTEGER NOT NULL REFERENCES hearings(id),"
	"  mic TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('silent','clipping')),"
	"  start_us INTEGER NOT NULL,"
	"  end_us INTEGER CHECK (end_us IS NULL OR end_us >= start_us));"
	"CREATE INDEX audio_faults_by_hearing ON audio_faults(hearing_id, start_us);"

	/* Signed, in milliseconds, ITU-R BT.1359 convention: positive when the
	 * sound comes before the picture; NULL when not measured. */
	"ALTER TABLE segments ADD COLUMN av_offset_ms REAL;"
	"ALTER TABLE segments ADD COLUMN dropped_frames INTEGER;"

	"CREATE TABLE quality_reports ("
	"  hearing_id INTEGER PRIMARY KEY REFERENCES hearings(id),"
	"  created_us INTEGER NOT NULL,"
	"  report TEXT NOT NULL);",

	/* 5: capture source faults (issue 3, store-sources.c, room-sources.c):
	 * each time a camera or microphone was lost during a hearing (its track
	 * showed the slate), from the last data before the loss to the first
	 * after it; end_us NULL while it lasts. */
	"CREATE TABLE source_faults ("
	"  id INTEGER PRIMARY KEY,"
	"  hearing_id INTEGER NOT NULL REFERENCES hearings(id),"
	"  source TEXT NOT NULL,"
	"  start_us INTEGER NOT NULL,"
	"  end_us INTEGER CHECK (end_us IS NULL OR end_us >= start_us),"
	"  reason TEXT);"
	"CREATE INDEX source_faults_by_hearing ON source_faults(hearing_id, start_us);",

	/* 6: evidence inputs (issue 3, store-evidence.c, room-evidence.c): a
	 * track may be an evidence input's, recorded only while it is in use;
	 * each use is a row (what was shown, the SHA-256 of a shown file, who
	 * started and ended it). SQLite cannot widen a CHECK in place, so the
	 * tracks table is rebuilt (migrate() runs migrations with foreign keys
	 * off and checks them before committing; ids are kept). */
	"CREATE TABLE tracks_v6 ("
	"  id INTEGER PRIMARY KEY,"
	"  hearing_id INTEGER NOT NULL REFERENCES hearings(id),"
	"  name TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('camera','program','audio','evidence')),"
	"  label TEXT,"
	"  UNIQUE (hearing_id, name));"
	"INSERT INTO tracks_v6 (id, hearing_id, name, kind, label)"
	"  SELECT id, hearing_id, name, kind, label FROM tracks;"
	"DROP TABLE tracks;"
	"ALTER TABLE tracks_v6 RENAME TO tracks;"

	"CREATE TABLE evidence_uses ("
	"  id INTEGER PRIMARY KEY,"
	"  hearing_id INTEGER NOT NULL REFERENCES hearings(id),"
	"  source TEXT NOT NULL,"
	"  file TEXT,"
	"  file_sha256 TEXT CHECK (file_sha256 IS NULL OR length(file_sha256) = 64),"
	"  file_bytes INTEGER,"
	"  start_us INTEGER NOT NULL,"
	"  end_us INTEGER CHECK (end_us IS NULL OR end_us >= start_us),"
	"  started_by TEXT NOT NULL,"
	"  ended_by TEXT,"
	"  end_reason TEXT);"
	"CREATE INDEX evidence_uses_by_hearing ON evidence_uses(hearing_id, start_us);"
	"CREATE UNIQUE INDEX one_open_evidence_use ON evidence_uses(hearing_id)"
	"  WHERE end_us IS NULL;",
};

guint
cav_migrations_count(void)
{
	return G_N_ELEMENTS(migrations);
}

const char *
cav_migrations_get(guint index)
{
	g_return_val_if_fail(index < G_N_ELEMENTS(migrations), NULL);
	return migrations[index];
}
