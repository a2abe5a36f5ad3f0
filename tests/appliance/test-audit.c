/* test-audit.c — the hash-chained audit log on a real SQLite file with the
 * real schema. Each tamper test drops the append-only triggers first (as an
 * attacker with file access would) and checks the damage is found and the
 * right row named. The row hash is recomputed here independently from the
 * definition in audit.h, so the two cannot drift apart silently.
 */
#include "appliance/audit.h"
#include "appliance/migrations.h"
#include "common/sha256.h"
#include "../common/test-util.h"

#include <string.h>

#define N_ROWS 20

typedef struct {
	char *dir;
	sqlite3 *db;
	CavSigner *signer;
} Fixture;

static void
exec_ok(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		g_error("%s: %s", sql, msg);
}

static void
fixture_setup(Fixture *f, gconstpointer data)
{
	g_autofree char *db_path = NULL, *key = NULL;
	g_autoptr(GError) error = NULL;

	f->dir = cav_test_tmpdir();
	db_path = g_build_filename(f->dir, "courtav.db", NULL);
	key = g_build_filename(f->dir, "device.key", NULL);
	g_assert_cmpint(sqlite3_open(db_path, &f->db), ==, SQLITE_OK);
	exec_ok(f->db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;");
	for (guint i = 0; i < cav_migrations_count(); i++)
		exec_ok(f->db, cav_migrations_get(i));
	f->signer = cav_signer_load_or_create(key, "ed25519", &error);
	g_assert_no_error(error);

	for (gint64 i = 1; i <= N_ROWS; i++) {
		g_autofree char *object = g_strdup_printf("hearing/%" G_GINT64_FORMAT, i);
		gint64 id = 0;

		/* Every third row has NULL object and detail. */
		g_assert_true(
			cav_audit_append(f->db, f->signer, 1795859101000000 + i, "clerk1",
					 i == 1 ? "login" : "hearing.pause", i % 3 ? object : NULL,
					 i % 3 ? "{\"reason\":\"recess\"}" : NULL, &id, &error));
		g_assert_no_error(error);
		g_assert_cmpint(id, ==, i);
	}
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
	sqlite3_close(f->db);
	cav_signer_free(f->signer);
	cav_test_rmtree(f->dir);
	g_free(f->dir);
}

static CavAuditReport *
verify(Fixture *f)
{
	CavAuditReport *r = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_true(cav_audit_verify(f->db, cav_signer_public_pem(f->signer), &r, &error));
	g_assert_no_error(error);
	for (guint i = 0; i < r->problems->len; i++)
		g_test_message("%s", (char *)g_ptr_array_index(r->problems, i));
	return r;
}

static void
assert_problem(const CavAuditReport *r, guint index, const char *text)
{
	g_assert_cmpuint(index, <, r->problems->len);
	if (strstr(g_ptr_array_index(r->problems, index), text) == NULL)
		g_error("problem %u is \"%s\", expected it to contain \"%s\"", index,
			(char *)g_ptr_array_index(r->problems, index), text);
}

/* The hash definition of audit.h, written out again. */
static char *
expected_hash(const char *prev, gint64 id, gint64 at_us, const char *actor, const char *action,
	      const char *object, const char *detail)
{
	const char *fields[] = {actor, action, object, detail};
	g_autoptr(GByteArray) b = g_byte_array_new();
	g_autofree char *nums =
		g_strdup_printf("%s\x1f%" G_GINT64_FORMAT "\x1f%" G_GINT64_FORMAT, prev, id, at_us);
	guint8 d[CAV_SHA256_LEN];

	g_byte_array_append(b, (const guint8 *)nums, strlen(nums));
	for (guint i = 0; i < G_N_ELEMENTS(fields); i++) {
		g_byte_array_append(b, (const guint8 *)"\x1f", 1);
		if (fields[i] == NULL)
			g_byte_array_append(b, (const guint8 *)"", 1); /* one 0x00 */
		else
			g_byte_array_append(b, (const guint8 *)fields[i], strlen(fields[i]));
	}
	cav_sha256_buf(b->data, b->len, d);
	return cav_sha256_hex(d);
}

static char *
stored_hash(sqlite3 *db, gint64 id)
{
	sqlite3_stmt *st = NULL;
	char *h = NULL;

	g_assert_cmpint(
		sqlite3_prepare_v2(db, "SELECT hash FROM audit WHERE id = ?", -1, &st, NULL), ==,
		SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		h = g_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return h;
}

/* Inserts a row the way a forger with the hash definition but without the
 * device key would; @prev NULL chains it correctly after row id-1. */
static void
forge_row(sqlite3 *db, gint64 id, const char *prev, const char *detail)
{
	g_autofree char *real_prev = prev ? g_strdup(prev) : stored_hash(db, id - 1);
	g_autofree char *hash = expected_hash(real_prev, id, 42, "mallory", "note", NULL, detail);
	g_autofree char *sql = g_strdup_printf(
		"INSERT INTO audit (id, at_us, actor, action, object, detail, prev_hash, hash)"
		" VALUES (%" G_GINT64_FORMAT ", 42, 'mallory', 'note', NULL, '%s', '%s', '%s')",
		id, detail, real_prev, hash);

	exec_ok(db, sql);
}

static void
test_intact(Fixture *f, gconstpointer data)
{
	g_autoptr(CavAuditReport) r = verify(f);
	g_autofree char *first = stored_hash(f->db, 1);
	g_autofree char *want = NULL;
	g_autofree char *third = stored_hash(f->db, 3);
	g_autofree char *second = stored_hash(f->db, 2);
	g_autofree char *want3 = NULL;

	g_assert_cmpuint(r->rows, ==, N_ROWS);
	g_assert_cmpuint(r->problems->len, ==, 0);
	g_assert_cmpint(r->first_bad_id, ==, 0);
	g_assert_true(r->checkpoint_ok);
	/* The stored hashes follow the documented definition, NULLs included. */
	want = expected_hash("0000000000000000000000000000000000000000000000000000000000000000", 1,
			     1795859101000001, "clerk1", "login", "hearing/1",
			     "{\"reason\":\"recess\"}");
	g_assert_cmpstr(first, ==, want);
	want3 = expected_hash(second, 3, 1795859101000003, "clerk1", "hearing.pause", NULL, NULL);
	g_assert_cmpstr(third, ==, want3);
}

static void
test_altered_row(Fixture *f, gconstpointer data)
{
	g_autoptr(CavAuditReport) r = NULL;

	exec_ok(f->db, "DROP TRIGGER audit_append_only_update;"
		       "UPDATE audit SET detail = '{\"reason\":\"mediation\"}' WHERE id = 17;");
	r = verify(f);
	g_assert_cmpuint(r->problems->len, ==, 1);
	assert_problem(r, 0, "Row 17 was altered");
	g_assert_cmpint(r->first_bad_id, ==, 17);
	g_assert_true(r->checkpoint_ok);
}

static void
test_deleted_row(Fixture *f, gconstpointer data)
{
	g_autoptr(CavAuditReport) r = NULL;

	exec_ok(f->db, "DROP TRIGGER audit_append_only_delete; DELETE FROM audit WHERE id = 17;");
	r = verify(f);
	g_assert_cmpuint(r->problems->len, ==, 1);
	assert_problem(r, 0, "between 16 and 18 are missing");
	g_assert_cmpint(r->first_bad_id, ==, 17);
	g_assert_cmpuint(r->rows, ==, N_ROWS - 1);
}

/* Row 10 replaced by a well-formed forgery: row 11 no longer follows. */
static void
test_replaced_row(Fixture *f, gconstpointer data)
{
	g_autoptr(CavAuditReport) r = NULL;

	exec_ok(f->db, "DROP TRIGGER audit_append_only_delete; DELETE FROM audit WHERE id = 10;");
	forge_row(f->db, 10, NULL, "{}");
	r = verify(f);
	g_assert_cmpuint(r->problems->len, ==, 1);
	assert_problem(r, 0, "Row 11 does not follow row 10");
	g_assert_cmpint(r->first_bad_id, ==, 11);
}

static void
test_inserted_row(Fixture *f, gconstpointer data)
{
	g_autoptr(CavAuditReport) r = NULL;
	g_autofree char *h19 = stored_hash(f->db, 19);

	/* Chained to the wrong predecessor. */
	forge_row(f->db, N_ROWS + 1, h19, "{}");
	r = verify(f);
	g_assert_cmpuint(r->problems->len, ==, 2);
	assert_problem(r, 0, "Row 21 does not follow row 20");
	assert_problem(r, 1, "Row 21 was appended without the device key");
	g_assert_false(r->checkpoint_ok);
	g_assert_cmpint(r->first_bad_id, ==, 21);
}

/* A perfect chain extension: only the signed checkpoint can tell. */
static void
test_appended_without_key(Fixture *f, gconstpointer data)
{
	g_autoptr(CavAuditReport) r = NULL;

	forge_row(f->db, N_ROWS + 1, NULL, "{}");
	forge_row(f->db, N_ROWS + 2, NULL, "{}");
	r = verify(f);
	g_assert_cmpuint(r->problems->len, ==, 1);
	assert_problem(r, 0, "Rows 21 to 22 were appended without the device key");
	g_assert_false(r->checkpoint_ok);
	g_assert_cmpuint(r->rows, ==, N_ROWS + 2);
}

static void
test_truncated(Fixture *f, gconstpointer data)
{
	g_autoptr(CavAuditReport) r = NULL;

	exec_ok(f->db, "DROP TRIGGER audit_append_only_delete; DELETE FROM audit WHERE id >= 19;");
	r = verify(f);
	g_assert_cmpuint(r->problems->len, ==, 1);
	assert_problem(r, 0, "truncated after row 18");
	g_assert_false(r->checkpoint_ok);
	g_assert_cmpint(r->first_bad_id, ==, 19);
}

/* The last row edited and its hash recomputed: the chain is consistent,
 * the checkpoint is not. */
static void
test_rewritten_tail(Fixture *f, gconstpointer data)
{
	g_autoptr(CavAuditReport) r = NULL;
	g_autofree char *h19 = stored_hash(f->db, 19);

	exec_ok(f->db, "DROP TRIGGER audit_append_only_delete; DELETE FROM audit WHERE id = 20;");
	forge_row(f->db, 20, h19, "{\"rewritten\":true}");
	r = verify(f);
	g_assert_cmpuint(r->problems->len, ==, 1);
	assert_problem(r, 0, "Row 20 does not match the signed checkpoint");
	g_assert_false(r->checkpoint_ok);
}

static void
test_checkpoint_missing_or_forged(Fixture *f, gconstpointer data)
{
	g_autoptr(CavAuditReport) r = NULL;
	g_autofree char *other_key = g_build_filename(f->dir, "other.key", NULL);
	g_autoptr(CavSigner) other = cav_signer_load_or_create(other_key, NULL, NULL);
	g_autoptr(GError) error = NULL;

	/* Checked against another device's key. */
	g_assert_true(cav_audit_verify(f->db, cav_signer_public_pem(other), &r, &error));
	g_assert_cmpuint(r->problems->len, ==, 1);
	assert_problem(r, 0, "signature does not verify");
	g_assert_false(r->checkpoint_ok);
	cav_audit_report_free(g_steal_pointer(&r));

	/* Re-signed by another key (the forger appends with their own). */
	g_assert_true(
		cav_audit_append(f->db, other, 1, "mallory", "note", NULL, NULL, NULL, &error));
	r = verify(f);
	g_assert_cmpuint(r->problems->len, ==, 1);
	assert_problem(r, 0, "signature does not verify");
	cav_audit_report_free(g_steal_pointer(&r));

	exec_ok(f->db, "DELETE FROM audit_checkpoint;");
	r = verify(f);
	g_assert_cmpuint(r->problems->len, ==, 1);
	assert_problem(r, 0, "checkpoint is missing");
	g_assert_false(r->checkpoint_ok);
}

/* The audit row joins the caller's transaction, and a failed append leaves
 * nothing behind. */
static void
test_atomicity(Fixture *f, gconstpointer data)
{
	g_autoptr(CavAuditReport) r = NULL;
	g_autoptr(GError) error = NULL;
	gint64 id = -1;

	exec_ok(f->db, "BEGIN");
	g_assert_true(
		cav_audit_append(f->db, f->signer, 1, "clerk1", "x", NULL, NULL, &id, &error));
	g_assert_cmpint(id, ==, N_ROWS + 1);
	exec_ok(f->db, "ROLLBACK");

	exec_ok(f->db, "CREATE TRIGGER no_cp BEFORE INSERT ON audit_checkpoint"
		       " BEGIN SELECT RAISE(ABORT, 'disk says no'); END;");
	id = -1;
	g_assert_false(
		cav_audit_append(f->db, f->signer, 1, "clerk1", "x", NULL, NULL, &id, &error));
	g_assert_error(error, CAV_AUDIT_ERROR, CAV_AUDIT_ERROR_DB);
	g_assert_cmpint(id, ==, -1);
	g_assert_true(sqlite3_get_autocommit(f->db));
	exec_ok(f->db, "DROP TRIGGER no_cp;");

	r = verify(f);
	g_assert_cmpuint(r->rows, ==, N_ROWS);
	g_assert_cmpuint(r->problems->len, ==, 0);
	g_assert_true(r->checkpoint_ok);
	/* The append-only triggers are really there. */
	g_assert_cmpint(sqlite3_exec(f->db, "DELETE FROM audit WHERE id = 1", NULL, NULL, NULL), ==,
			SQLITE_CONSTRAINT);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD("/audit/intact", test_intact);
	ADD("/audit/altered-row", test_altered_row);
	ADD("/audit/deleted-row", test_deleted_row);
	ADD("/audit/replaced-row", test_replaced_row);
	ADD("/audit/inserted-row", test_inserted_row);
	ADD("/audit/appended-without-key", test_appended_without_key);
	ADD("/audit/truncated", test_truncated);
	ADD("/audit/rewritten-tail", test_rewritten_tail);
	ADD("/audit/checkpoint-missing-or-forged", test_checkpoint_missing_or_forged);
	ADD("/audit/atomicity", test_atomicity);
#undef ADD
	return g_test_run();
}
