/* users.h — user accounts and login sessions on the appliance.
 *
 * Four roles: clerk and judge run hearings, technician looks after sources,
 * storage and alarms, admin manages accounts. Each user has one secret, a
 * PIN (for the touch panel) or a password, kept as a scrypt hash (auth.h).
 * A login hands out a random 256-bit bearer token valid for a fixed time
 * (`session_minutes`); the store keeps only its SHA-256. Five wrong secrets
 * in a row lock the account for `lockout_seconds`; failures, lockouts,
 * logins and every account change are audit rows.
 *
 * Threads: main thread only. The KDF (about 0.2 s) runs in a GTask worker,
 * so a login never stalls the main loop that also runs the recorder's bus;
 * callbacks are invoked on the main context.
 */
#pragma once

#include <gio/gio.h>
#include "store-users.h"
#include "auth.h"
#include "common/signer.h"

G_BEGIN_DECLS

#define CAV_USERS_ERROR (cav_users_error_quark())
GQuark cav_users_error_quark(void);

typedef enum {
	CAV_USERS_ERROR_BAD_CREDENTIALS, /* unknown user or wrong secret (401) */
	CAV_USERS_ERROR_LOCKED,          /* too many failures, cooling down (429) */
	CAV_USERS_ERROR_INVALID,         /* bad name, role or secret (400) */
	CAV_USERS_ERROR_NOT_FOUND,       /* (404) */
	CAV_USERS_ERROR_EXISTS,          /* the name is taken (409) */
	CAV_USERS_ERROR_LAST_ADMIN,      /* would leave no enabled admin (409) */
	CAV_USERS_ERROR_INTERNAL,        /* store or crypto failure (500) */
} CavUsersError;

/* Failures in a row that lock an account. */
#define CAV_USERS_MAX_FAILURES 5

typedef struct CavUsers CavUsers;

typedef struct {
	char *token; /* the bearer token, shown once (owned) */
	gint64 expires_us;
	CavUserRow *user; /* (owned) */
} CavSession;

void cav_session_free(CavSession *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavSession, cav_session_free)

/* @session_us: how long a token lives; @lockout_us: the cool-down.
 * (transfer full) */
CavUsers *cav_users_new(CavStore *store, const CavSigner *signer, gint64 session_us,
			gint64 lockout_us);
void cav_users_free(CavUsers *users);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavUsers, cav_users_free)

/* The KDF cost for new hashes (tests lower it). @cost is copied. */
void cav_users_set_cost(CavUsers *users, const CavAuthCost *cost);
/* (transfer none) */
CavStore *cav_users_store(CavUsers *users);

/* TRUE when @role is one of the four role names. */
gboolean cav_users_role_valid(const char *role);
/* Names: 1–32 characters, letters (any script), digits, '.', '-', '_'. */
gboolean cav_users_name_valid(const char *name);

/* Checks @name and @secret; the KDF runs in a worker. @client (nullable,
 * e.g. the peer address) is kept with the session. */
void cav_users_login(CavUsers *users, const char *name, const char *secret, const char *client,
		     GAsyncReadyCallback callback, gpointer user_data);
/* (transfer full) the new session, or NULL with a CAV_USERS_ERROR. */
CavSession *cav_users_login_finish(CavUsers *users, GAsyncResult *result, GError **error);

/* The user a bearer token belongs to, or NULL when it is unknown, expired
 * or its user is disabled. (transfer full) */
CavUserRow *cav_users_authenticate(CavUsers *users, const char *token, gint64 *out_expires_us);
/* Ends the session of @token; audited as @actor. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_users_logout(CavUsers *users, const char *token, const char *actor, GError **error);

/* Hashes @secret after checking it against @kind's policy, in a worker. */
void cav_users_hash_secret(CavUsers *users, const char *kind, const char *secret,
			   GAsyncReadyCallback callback, gpointer user_data);
/* (transfer full) the hash, or NULL with CAV_USERS_ERROR_INVALID/INTERNAL. */
char *cav_users_hash_secret_finish(CavUsers *users, GAsyncResult *result, GError **error);
/* Same, blocking (the command line). (transfer full) */
char *cav_users_hash_secret_sync(CavUsers *users, const char *kind, const char *secret,
				 GError **error);

/* Adds a user whose secret is already hashed; audited "user.add" as @actor.
 * Returns the id, or 0 with an error. */
G_GNUC_WARN_UNUSED_RESULT
gint64 cav_users_add(CavUsers *users, const char *name, const char *display_name, const char *role,
		     const char *secret_kind, const char *secret_hash, const char *actor,
		     GError **error);

/* What cav_users_update() changes; NULL / -1 fields are left alone. */
typedef struct {
	const char *display_name;
	const char *role;
	const char *secret_kind; /* with secret_hash */
	const char *secret_hash;
	int disabled; /* -1 keep, 0, 1 */
	gboolean unlock;
} CavUserChange;

/* Applies @change, refusing to leave no enabled admin; a new secret or a
 * disabled account ends the user's sessions. Audited "user.update". */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_users_update(CavUsers *users, gint64 id, const CavUserChange *change,
			  const char *actor, GError **error);

G_END_DECLS
