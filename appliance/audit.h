/* audit.h — the append-only, hash-chained audit log (全程留痕).
 *
 * Every row's hash covers its own fields and the previous row's hash:
 *   hash = SHA256(prev_hash || 0x1f || id || 0x1f || at_us || 0x1f || actor || 0x1f ||
 *                 action || 0x1f || object || 0x1f || detail)   (decimal numbers, UTF-8 text,
 *                 NULL written as the empty string preceded by 0x00)
 * with prev_hash of the first row = 64 '0'. An edited, inserted or deleted row
 * breaks the chain; the signed checkpoint (last id + last hash, signed by the
 * device key) catches a truncated tail and a chain rewritten without the key.
 * Triggers in the schema refuse UPDATE and DELETE outright.
 *
 * Called from the thread that owns the sqlite3 handle (the main thread in
 * courtavd; the CLI's only thread in courtavctl).
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>
#include "common/signer.h"

G_BEGIN_DECLS

#define CAV_AUDIT_ERROR (cav_audit_error_quark())
GQuark cav_audit_error_quark(void);

typedef enum {
	CAV_AUDIT_ERROR_DB,   /* SQLite failed */
	CAV_AUDIT_ERROR_SIGN, /* the checkpoint could not be signed */
} CavAuditError;

/* Appends one row and re-signs the checkpoint, atomically (in a SAVEPOINT, so
 * it joins the caller's transaction when there is one: the audit row commits
 * or rolls back with the change it records). @object and @detail_json are
 * nullable; @at_us is UTC microseconds. @signer NULL skips the checkpoint
 * (tests only). @out_id (nullable) gets the new row id. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_audit_append(sqlite3 *db, const CavSigner *signer, gint64 at_us, const char *actor,
			  const char *action, const char *object, const char *detail_json,
			  gint64 *out_id, GError **error);

typedef struct {
	guint64 rows;
	gint64 first_bad_id; /* 0 when intact */
	GPtrArray *problems; /* of char*, one English sentence each, naming the row (owned) */
	gboolean checkpoint_ok;
} CavAuditReport;

/* Walks the whole log. Returns FALSE only if it could not read the database;
 * an intact log is TRUE with report->problems empty. With @public_pem
 * (nullable) the checkpoint signature is checked against that key — take it
 * from outside the database (the device's exported key), since whoever can
 * edit the database can also replace a key stored in it. (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_audit_verify(sqlite3 *db, const char *public_pem, CavAuditReport **out_report,
			  GError **error);
void cav_audit_report_free(CavAuditReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavAuditReport, cav_audit_report_free)

G_END_DECLS
