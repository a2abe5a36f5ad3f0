/* audit.c — the append-only, hash-chained audit log (definition in audit.h).
 *
 * The row hash is computed here and only here, so courtavd (which appends)
 * and courtavctl (which verifies) cannot disagree about it. Each append also
 * rewrites the one-row signed checkpoint; the schema forbids UPDATE/DELETE on
 * `audit` by trigger but deliberately not on `audit_checkpoint`, which is
 * replaced on every append. Runs on the thread owning the sqlite3 handle.
 */
#include "audit.h"

#include <string.h>

#include "common/sha256.h"

#define AUDIT_SEP 0x1f
#define AUDIT_CHECKPOINT_MAGIC "courtav-audit-v1"

/* The first argument is stringified: the error domain's name. */
/* clang-format off */
G_DEFINE_QUARK(cav-audit-error-quark, cav_audit_error)
/* clang-format on */

static void
stmt_finalize0(sqlite3_stmt *stmt)
{
	sqlite3_finalize(stmt);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sqlite3_stmt, stmt_finalize0)

static const char zero_hash[CAV_SHA256_HEX_LEN + 1] =
	"0000000000000000000000000000000000000000000000000000000000000000";

/* One text field with its length (SQLite text may hold NUL bytes; a row
 * written by someone else is hashed as stored). */
typedef struct {
	const char *s; /* NULL for SQL NULL (unowned) */
	gsize len;
} Field;

static Field
field_from_cstr(const char *s)
{
	return (Field){s, s ? strlen(s) : 0};
}

static Field
field_from_column(sqlite3_stmt *stmt, int col)
{
	const char *s = (const char *)sqlite3_column_text(stmt, col);

	return (Field){s, s ? (gsize)sqlite3_column_bytes(stmt, col) : 0};
}

static void
append_field(GByteArray *buf, Field f)
{
	static const guint8 sep = AUDIT_SEP, nul = 0;

	g_byte_array_append(buf, &sep, 1);
	if (f.s == NULL)
		g_byte_array_append(buf, &nul, 1);
	else
		g_byte_array_append(buf, (const guint8 *)f.s, (guint)f.len);
}

/* hash = SHA256(prev_hash 0x1f id 0x1f at_us 0x1f actor 0x1f action 0x1f
 * object 0x1f detail), numbers in decimal, SQL NULL as a single 0x00. */
static char *
row_hash(Field prev_hash, gint64 id, gint64 at_us, Field actor, Field action, Field object,
	 Field detail)
{
	g_autoptr(GByteArray) buf = g_byte_array_new();
	char num[32];
	guint8 digest[CAV_SHA256_LEN];

	if (prev_hash.s != NULL)
		g_byte_array_append(buf, (const guint8 *)prev_hash.s, (guint)prev_hash.len);
	g_snprintf(num, sizeof(num), "%" G_GINT64_FORMAT, id);
	append_field(buf, field_from_cstr(num));
	g_snprintf(num, sizeof(num), "%" G_GINT64_FORMAT, at_us);
	append_field(buf, field_from_cstr(num));
	append_field(buf, actor);
	append_field(buf, action);
	append_field(buf, object);
	append_field(buf, detail);
	cav_sha256_buf(buf->data, buf->len, digest);
	return cav_sha256_hex(digest);
}

static char *
checkpoint_message(gint64 last_id, const char *last_hash)
{
	return g_strdup_printf(AUDIT_CHECKPOINT_MAGIC "\n%" G_GINT64_FORMAT "\n%s", last_id,
			       last_hash);
}

static gboolean
db_error(sqlite3 *db, GError **error, const char *what)
{
	g_set_error(error, CAV_AUDIT_ERROR, CAV_AUDIT_ERROR_DB, "Could not %s the audit log: %s",
		    what, sqlite3_errmsg(db));
	return FALSE;
}

static gboolean
exec(sqlite3 *db, const char *sql, GError **error)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(db, error, "update");
	return TRUE;
}

/* ---- append --------------------------------------------------------------- */

static gboolean
write_checkpoint(sqlite3 *db, const CavSigner *signer, gint64 id, const char *hash, GError **error)
{
	g_autofree char *msg = checkpoint_message(id, hash);
	g_autoptr(GBytes) sig = NULL;
	g_autoptr(GError) local = NULL;
	g_autoptr(sqlite3_stmt) stmt = NULL;
	g_autofree char *b64 = NULL;
	gsize sig_len = 0;
	const guint8 *sig_data;

	sig = cav_signer_sign(signer, (const guint8 *)msg, strlen(msg), &local);
	if (sig == NULL) {
		g_set_error(error, CAV_AUDIT_ERROR, CAV_AUDIT_ERROR_SIGN,
			    "Could not sign the audit checkpoint: %s", local->message);
		return FALSE;
	}
	sig_data = g_bytes_get_data(sig, &sig_len);
	b64 = g_base64_encode(sig_data, sig_len);
	if (sqlite3_prepare_v2(db,
			       "INSERT OR REPLACE INTO audit_checkpoint"
			       " (one, last_id, last_hash, sig_alg, key_id, signature)"
			       " VALUES (1, ?1, ?2, ?3, ?4, ?5)",
			       -1, &stmt, NULL) != SQLITE_OK)
		return db_error(db, error, "prepare the checkpoint of");
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, cav_signer_alg(signer), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, cav_signer_key_id(signer), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, b64, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		return db_error(db, error, "write the checkpoint of");
	return TRUE;
}

static gboolean
append_row(sqlite3 *db, const CavSigner *signer, gint64 at_us, const char *actor,
	   const char *action, const char *object, const char *detail, gint64 *out_id,
	   GError **error)
{
	g_autoptr(sqlite3_stmt) last = NULL;
	g_autoptr(sqlite3_stmt) ins = NULL;
	g_autofree char *prev = NULL;
	g_autofree char *hash = NULL;
	gint64 id = 1;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", -1, &last,
			       NULL) != SQLITE_OK)
		return db_error(db, error, "read");
	rc = sqlite3_step(last);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(last, 0) + 1;
		prev = g_strdup((const char *)sqlite3_column_text(last, 1));
	} else if (rc != SQLITE_DONE) {
		return db_error(db, error, "read");
	}
	if (prev == NULL)
		prev = g_strdup(zero_hash);

	/* The id is chosen here, not by SQLite, because the hash covers it. */
	hash = row_hash(field_from_cstr(prev), id, at_us, field_from_cstr(actor),
			field_from_cstr(action), field_from_cstr(object), field_from_cstr(detail));
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO audit (id, at_us, actor, action, object, detail,"
			       " prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
			       -1, &ins, NULL) != SQLITE_OK)
		return db_error(db, error, "prepare an append to");
	sqlite3_bind_int64(ins, 1, id);
	sqlite3_bind_int64(ins, 2, at_us);
	sqlite3_bind_text(ins, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 4, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 5, object, -1, SQLITE_STATIC); /* NULL binds SQL NULL */
	sqlite3_bind_text(ins, 6, detail, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 7, prev, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 8, hash, -1, SQLITE_STATIC);
	if (sqlite3_step(ins) != SQLITE_DONE)
		return db_error(db, error, "append to");
	if (signer != NULL && !write_checkpoint(db, signer, id, hash, error))
		return FALSE;
	if (out_id != NULL)
		*out_id = id;
	return TRUE;
}

gboolean
cav_audit_append(sqlite3 *db, const CavSigner *signer, gint64 at_us, const char *actor,
		 const char *action, const char *object, const char *detail_json, gint64 *out_id,
		 GError **error)
{
	gint64 id = 0;

	g_return_val_if_fail(db != NULL, FALSE);
	g_return_val_if_fail(actor != NULL && action != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	/* A SAVEPOINT nests inside the caller's transaction when there is one
	 * and acts as BEGIN otherwise. */
	if (!exec(db, "SAVEPOINT cav_audit", error))
		return FALSE;
	if (!append_row(db, signer, at_us, actor, action, object, detail_json, &id, error) ||
	    !exec(db, "RELEASE cav_audit", error)) {
		sqlite3_exec(db, "ROLLBACK TO cav_audit", NULL, NULL, NULL);
		sqlite3_exec(db, "RELEASE cav_audit", NULL, NULL, NULL);
		return FALSE;
	}
	if (out_id != NULL)
		*out_id = id;
	return TRUE;
}

/* ---- verify ----------------------------------------------------------------- */

void
cav_audit_report_free(CavAuditReport *report)
{
	if (report == NULL)
		return;
	g_clear_pointer(&report->problems, g_ptr_array_unref);
	g_free(report);
}

G_GNUC_PRINTF(3, 4)
static void
problem(CavAuditReport *r, gint64 row, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_ptr_array_add(r->problems, g_strdup_vprintf(fmt, ap));
	va_end(ap);
	if (row > 0 && (r->first_bad_id == 0 || row < r->first_bad_id))
		r->first_bad_id = row;
}

/* Walks the rows in id order. On return @last_id/@last_hash describe the
 * final row (0/NULL for an empty log). */
static gboolean
walk_rows(sqlite3 *db, CavAuditReport *r, gint64 *last_id, char **last_hash, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	g_autofree char *expected_prev = g_strdup(zero_hash);
	gint64 prev_id = 0;
	int rc;

	if (sqlite3_prepare_v2(db,
			       "SELECT id, at_us, actor, action, object, detail, prev_hash, hash"
			       " FROM audit ORDER BY id",
			       -1, &stmt, NULL) != SQLITE_OK)
		return db_error(db, error, "read");
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(stmt, 0);
		Field prev = field_from_column(stmt, 6);
		const char *stored = (const char *)sqlite3_column_text(stmt, 7);
		g_autofree char *calc = NULL;

		calc = row_hash(prev, id, sqlite3_column_int64(stmt, 1), field_from_column(stmt, 2),
				field_from_column(stmt, 3), field_from_column(stmt, 4),
				field_from_column(stmt, 5));
		r->rows++;
		if (stored == NULL || strcmp(calc, stored) != 0)
			problem(r, id,
				"Row %" G_GINT64_FORMAT " was altered: its hash does not match "
				"its content.",
				id);
		/* Ids are assigned consecutively by cav_audit_append(), so any
		 * gap is a deletion, whether or not the chain was patched up. */
		if (id > prev_id + 1 && prev_id == 0)
			problem(r, id, "Row(s) before %" G_GINT64_FORMAT " are missing.", id);
		else if (id > prev_id + 1)
			problem(r, prev_id + 1,
				"Row(s) between %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT
				" are missing.",
				prev_id, id);
		else if ((prev.s == NULL || strcmp(prev.s, expected_prev) != 0) && prev_id == 0)
			problem(r, id,
				"Row %" G_GINT64_FORMAT " does not start the chain: its prev_hash "
				"is not all zeros.",
				id);
		else if (prev.s == NULL || strcmp(prev.s, expected_prev) != 0)
			problem(r, id,
				"Row %" G_GINT64_FORMAT " does not follow row %" G_GINT64_FORMAT
				": a row was inserted or replaced there.",
				id, prev_id);
		prev_id = id;
		g_free(expected_prev);
		expected_prev = g_strdup(stored ? stored : "");
	}
	if (rc != SQLITE_DONE)
		return db_error(db, error, "read");
	*last_id = prev_id;
	*last_hash = prev_id > 0 ? g_steal_pointer(&expected_prev) : NULL;
	return TRUE;
}

/* The stored hash of row @id, or NULL when there is no such row. */
static char *
hash_of_row(sqlite3 *db, gint64 id)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;

	if (sqlite3_prepare_v2(db, "SELECT hash FROM audit WHERE id = ?1", -1, &stmt, NULL) !=
	    SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) != SQLITE_ROW)
		return NULL;
	return g_strdup((const char *)sqlite3_column_text(stmt, 0));
}

/* Compares the checkpoint with the log's real end. A missing checkpoint or
 * a bad signature discredits the whole log, so it is charged to row 1. */
static void
judge_checkpoint(sqlite3 *db, CavAuditReport *r, gint64 cp_id, const char *cp_hash, gint64 last_id,
		 const char *last_hash)
{
	if (cp_id > last_id && last_id == 0) {
		problem(r, 1,
			"The log is empty but the signed checkpoint names row %" G_GINT64_FORMAT
			": it was truncated.",
			cp_id);
	} else if (cp_id > last_id) {
		problem(r, last_id + 1,
			"The log was truncated after row %" G_GINT64_FORMAT
			": the signed checkpoint names row %" G_GINT64_FORMAT ".",
			last_id, cp_id);
	} else if (cp_id < last_id) {
		g_autofree char *h = hash_of_row(db, cp_id);

		if (h != NULL && g_str_equal(h, cp_hash) && cp_id + 1 == last_id)
			problem(r, last_id,
				"Row %" G_GINT64_FORMAT " was appended without the "
				"device key (the signed checkpoint ends at row %" G_GINT64_FORMAT
				").",
				last_id, cp_id);
		else if (h != NULL && g_str_equal(h, cp_hash))
			problem(r, cp_id + 1,
				"Rows %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
				" were appended without the device key (the signed checkpoint "
				"ends at row %" G_GINT64_FORMAT ").",
				cp_id + 1, last_id, cp_id);
		else
			problem(r, MAX(cp_id, 1),
				"The signed checkpoint (row %" G_GINT64_FORMAT
				") does not match the log.",
				cp_id);
	} else if (last_hash == NULL || !g_str_equal(cp_hash, last_hash)) {
		problem(r, last_id,
			"Row %" G_GINT64_FORMAT " does not match the signed checkpoint: "
			"the chain was rewritten without the device key.",
			last_id);
	} else {
		return;
	}
	r->checkpoint_ok = FALSE;
}

static gboolean
check_checkpoint(sqlite3 *db, const char *public_pem, CavAuditReport *r, gint64 last_id,
		 const char *last_hash, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	g_autofree guint8 *sig = NULL;
	g_autofree char *msg = NULL;
	const char *cp_hash, *alg, *sig_b64;
	gsize sig_len = 0;
	gint64 cp_id;
	int rc;

	if (sqlite3_prepare_v2(db,
			       "SELECT last_id, last_hash, sig_alg, signature FROM audit_checkpoint"
			       " WHERE one = 1",
			       -1, &stmt, NULL) != SQLITE_OK)
		return db_error(db, error, "read the checkpoint of");
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(db, error, "read the checkpoint of");
	r->checkpoint_ok = TRUE;
	if (rc == SQLITE_DONE) {
		if (last_id > 0) {
			problem(r, 1,
				"The signed checkpoint is missing, so the log cannot be told "
				"from one rewritten without the device key.");
			r->checkpoint_ok = FALSE;
		}
		return TRUE;
	}
	cp_id = sqlite3_column_int64(stmt, 0);
	cp_hash = (const char *)sqlite3_column_text(stmt, 1);
	alg = (const char *)sqlite3_column_text(stmt, 2);
	sig_b64 = (const char *)sqlite3_column_text(stmt, 3);
	judge_checkpoint(db, r, cp_id, cp_hash ? cp_hash : "", last_id, last_hash);
	if (public_pem == NULL)
		return TRUE;
	msg = checkpoint_message(cp_id, cp_hash ? cp_hash : "");
	sig = g_base64_decode(sig_b64 ? sig_b64 : "", &sig_len);
	if (!cav_signature_verify(alg, public_pem, (const guint8 *)msg, strlen(msg), sig, sig_len,
				  NULL)) {
		problem(r, 1,
			"The checkpoint signature does not verify with the device key: the "
			"checkpoint was forged or the log belongs to another device.");
		r->checkpoint_ok = FALSE;
	}
	return TRUE;
}

gboolean
cav_audit_verify(sqlite3 *db, const char *public_pem, CavAuditReport **out_report, GError **error)
{
	g_autoptr(CavAuditReport) r = NULL;
	g_autofree char *last_hash = NULL;
	gint64 last_id = 0;

	g_return_val_if_fail(db != NULL, FALSE);
	g_return_val_if_fail(out_report != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	r = g_new0(CavAuditReport, 1);
	r->problems = g_ptr_array_new_with_free_func(g_free);
	/* One read transaction, so a concurrent append cannot make the rows
	 * and the checkpoint disagree. */
	if (!exec(db, "SAVEPOINT cav_audit_verify", error))
		return FALSE;
	if (!walk_rows(db, r, &last_id, &last_hash, error) ||
	    !check_checkpoint(db, public_pem, r, last_id, last_hash, error)) {
		sqlite3_exec(db, "RELEASE cav_audit_verify", NULL, NULL, NULL);
		return FALSE;
	}
	sqlite3_exec(db, "RELEASE cav_audit_verify", NULL, NULL, NULL);
	*out_report = g_steal_pointer(&r);
	return TRUE;
}
