/* users.h — the relay's accounts: operators and inspectors.
 *
 * Passwords are scrypt-hashed by the appliance's auth.c (the same format
 * and cost), session tokens are 256 random bits stored as SHA-256, five
 * failures lock an account for `lockout_seconds`. Logins, failures,
 * lockouts and account changes are audit rows.
 *
 * Main thread only; the KDF runs in a GTask worker and the callback comes
 * back on the main context.
 */
#pragma once

#include <gio/gio.h>
#include "registry.h"
#include "appliance/auth.h"

G_BEGIN_DECLS

#define CAV_RELAY_USERS_ERROR (cav_relay_users_error_quark())
GQuark cav_relay_users_error_quark(void);

typedef enum {
	CAV_RELAY_USERS_ERROR_BAD_CREDENTIALS, /* 401 */
	CAV_RELAY_USERS_ERROR_LOCKED,          /* 429 */
	CAV_RELAY_USERS_ERROR_INVALID,         /* 400 */
	CAV_RELAY_USERS_ERROR_NOT_FOUND,       /* 404 */
	CAV_RELAY_USERS_ERROR_EXISTS,          /* 409 */
	CAV_RELAY_USERS_ERROR_INTERNAL,        /* 500 */
} CavRelayUsersError;

typedef struct CavRelayUsers CavRelayUsers;

typedef struct {
	gint64 id;
	char *name;         /* (owned) */
	char *display_name; /* (owned, nullable) */
	char *role;         /* "operator" | "inspector" (owned) */
	gboolean disabled;
	gint64 created_us;
} CavRelayUser;

void cav_relay_user_free(CavRelayUser *user);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavRelayUser, cav_relay_user_free)

typedef struct {
	char *token; /* shown once (owned) */
	gint64 expires_us;
	CavRelayUser *user; /* (owned) */
} CavRelaySession;

void cav_relay_session_free(CavRelaySession *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavRelaySession, cav_relay_session_free)

/* (transfer full) */
CavRelayUsers *cav_relay_users_new(CavRegistry *reg, gint64 session_us, gint64 lockout_us);
void cav_relay_users_free(CavRelayUsers *users);
/* The KDF cost of new hashes (tests lower it). */
void cav_relay_users_set_cost(CavRelayUsers *users, const CavAuthCost *cost);

gboolean cav_relay_users_role_valid(const char *role);

void cav_relay_users_login(CavRelayUsers *users, const char *name, const char *password,
			   const char *client, GAsyncReadyCallback callback, gpointer user_data);
/* (transfer full) the session, or NULL with a CAV_RELAY_USERS_ERROR. */
CavRelaySession *cav_relay_users_login_finish(CavRelayUsers *users, GAsyncResult *result,
					      GError **error);
/* The enabled user of an unexpired token, or NULL. (transfer full) */
CavRelayUser *cav_relay_users_authenticate(CavRelayUsers *users, const char *token,
					   gint64 *out_expires_us);
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_relay_users_logout(CavRelayUsers *users, const char *token, const char *actor,
				GError **error);
/* Adds a user with a password (hashed here, blocking: call from the
 * command line or a worker). Returns the id or 0. */
G_GNUC_WARN_UNUSED_RESULT
gint64 cav_relay_users_add_sync(CavRelayUsers *users, const char *name, const char *role,
				const char *password, const char *actor, GError **error);
/* The same with the KDF in a worker; the callback runs on the main
 * context. _finish returns the id or 0 with an error. */
void cav_relay_users_add(CavRelayUsers *users, const char *name, const char *role,
			 const char *password, const char *actor, GAsyncReadyCallback callback,
			 gpointer user_data);
gint64 cav_relay_users_add_finish(CavRelayUsers *users, GAsyncResult *result, GError **error);
/* (transfer full) of CavRelayUser, by name */
GPtrArray *cav_relay_users_list(CavRelayUsers *users, GError **error);
/* Enables or disables @id (ending its sessions when disabled). */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_relay_users_set_disabled(CavRelayUsers *users, gint64 id, gboolean disabled,
				      const char *actor, GError **error);
/* Users in total (0 → print how to add the first operator). */
gint64 cav_relay_users_count(CavRelayUsers *users);

G_END_DECLS
