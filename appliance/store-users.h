/* store-users.h — the store's user accounts, login sessions, settings and
 * the audit log read back for people (store-users.c).
 *
 * Kept apart from store.h so the account tables have one file pair; the
 * rules (KDF, lockout, expiry) live in users.c, this file only reads and
 * writes rows. Main thread only, like the rest of CavStore.
 */
#pragma once

#include "store.h"

G_BEGIN_DECLS

typedef struct {
	gint64 id;
	char *name;         /* (owned) */
	char *display_name; /* (owned, nullable) */
	char *role;         /* "clerk" | "judge" | "technician" | "admin" (owned) */
	char *secret_kind;  /* "pin" | "password" (owned) */
	char *secret_hash;  /* cav_auth_hash() text (owned) */
	gboolean disabled;
	guint failed_logins;
	gint64 locked_until_us; /* 0 when not locked */
	gint64 created_us;
	char *created_by; /* (owned) */
} CavUserRow;

typedef struct {
	gint64 id;
	gint64 at_us;
	char *actor;  /* (owned) */
	char *action; /* (owned) */
	char *object; /* (owned, nullable) */
	char *detail; /* JSON text (owned, nullable) */
} CavAuditRow;

void cav_user_row_free(CavUserRow *row);
void cav_audit_row_free(CavAuditRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavUserRow, cav_user_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavAuditRow, cav_audit_row_free)

/* Inserts @row (id ignored); returns the new id, or 0 with @error
 * (CONSTRAINT when the name exists). */
G_GNUC_WARN_UNUSED_RESULT
gint64 cav_store_user_insert(CavStore *store, const CavUserRow *row, GError **error);
/* (transfer full) NULL + NOT_FOUND when absent. */
CavUserRow *cav_store_user_get(CavStore *store, gint64 id, GError **error);
CavUserRow *cav_store_user_find(CavStore *store, const char *name, GError **error);
/* By name. (transfer full) of CavUserRow */
GPtrArray *cav_store_user_list(CavStore *store, GError **error);
/* Writes display_name, role, secret_kind, secret_hash and disabled of @row. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_user_update(CavStore *store, const CavUserRow *row, GError **error);
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_user_set_failures(CavStore *store, gint64 id, guint failed,
				     gint64 locked_until_us, GError **error);
/* Enabled users with @role (all users when @role is NULL); -1 on error. */
gint64 cav_store_user_count(CavStore *store, const char *role);

G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_session_insert(CavStore *store, const char *token_sha256, gint64 user_id,
				  gint64 created_us, gint64 expires_us, const char *client,
				  GError **error);
/* The enabled user of an unexpired session, or NULL (no error when simply
 * unknown or expired). *out_expires_us (nullable) gets the expiry.
 * (transfer full) */
CavUserRow *cav_store_session_user(CavStore *store, const char *token_sha256, gint64 now_us,
				   gint64 *out_expires_us, GError **error);
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_session_delete(CavStore *store, const char *token_sha256, GError **error);
/* Ends every session of @user_id (disabled, new secret). */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_session_delete_user(CavStore *store, gint64 user_id, GError **error);
/* Deletes sessions that expired before @now_us. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_session_purge(CavStore *store, gint64 now_us, GError **error);

/* settings(key, value). get: (transfer full) NULL when unset. */
char *cav_store_setting_get(CavStore *store, const char *key);
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_setting_set(CavStore *store, const char *key, const char *value, GError **error);

/* At most @limit audit rows with id < @before (all when @before <= 0),
 * newest first. (transfer full) of CavAuditRow */
GPtrArray *cav_store_audit_list(CavStore *store, gint64 before, guint limit, GError **error);

G_END_DECLS
