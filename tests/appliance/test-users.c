/* test-users.c — secrets, tokens and the account rules on a real database:
 * scrypt hashes verify and reject, weak secrets are refused, five wrong
 * secrets lock an account (audited) until the cool-down, sessions expire
 * and end with logout, the last admin stays. A low KDF cost keeps it fast;
 * the real cost is measured in docs/BENCHMARKS.md. */
#include "appliance/auth.h"
#include "appliance/store-users.h"
#include "appliance/users.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

static const CavAuthCost fast = {10, 8, 1};

typedef struct {
	char *dir;
	CavStore *store;
	CavUsers *users;
	GMainLoop *loop;
	CavSession *session;
	GError *error;
} Fixture;

static void
setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;

	f->dir = g_dir_make_tmp("cav-users-XXXXXX", &error);
	g_assert_no_error(error);
	path = g_build_filename(f->dir, "courtav.db", NULL);
	f->store = cav_store_open(path, &error);
	g_assert_no_error(error);
	/* 60 s sessions, a 1 s lockout. */
	f->users = cav_users_new(f->store, NULL, 60 * G_USEC_PER_SEC, G_USEC_PER_SEC);
	cav_users_set_cost(f->users, &fast);
	f->loop = g_main_loop_new(NULL, FALSE);
}

static void
teardown(Fixture *f, gconstpointer data)
{
	g_autoptr(GDir) d = g_dir_open(f->dir, 0, NULL);
	const char *name;

	cav_users_free(f->users);
	cav_store_close(f->store);
	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree char *p = g_build_filename(f->dir, name, NULL);
		g_unlink(p);
	}
	g_rmdir(f->dir);
	g_free(f->dir);
	g_main_loop_unref(f->loop);
	cav_session_free(f->session);
	g_clear_error(&f->error);
}

static void
on_login(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Fixture *f = user_data;

	f->session = cav_users_login_finish(f->users, result, &f->error);
	g_main_loop_quit(f->loop);
}

static void
login(Fixture *f, const char *name, const char *secret)
{
	g_clear_pointer(&f->session, cav_session_free);
	g_clear_error(&f->error);
	cav_users_login(f->users, name, secret, "test", on_login, f);
	g_main_loop_run(f->loop);
}

static gint64
add(Fixture *f, const char *name, const char *role, const char *secret)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *hash = cav_users_hash_secret_sync(f->users, "pin", secret, &error);
	gint64 id;

	g_assert_no_error(error);
	id = cav_users_add(f->users, name, NULL, role, "pin", hash, "test", &error);
	g_assert_no_error(error);
	return id;
}

static gint64
count(Fixture *f, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	gint64 n;

	g_assert_cmpint(sqlite3_prepare_v2(cav_store_db(f->store), sql, -1, &stmt, NULL), ==,
			SQLITE_OK);
	g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_ROW);
	n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return n;
}

static void
test_hash(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *h1 = cav_auth_hash("246810", &fast, &error);
	g_autofree char *h2 = cav_auth_hash("246810", &fast, &error);
	g_autofree char *tok = cav_auth_token_new();
	g_autofree char *th = cav_auth_token_hash(tok);

	g_assert_no_error(error);
	g_assert_true(g_str_has_prefix(h1, "scrypt$10$8$1$"));
	g_assert_cmpstr(h1, !=, h2); /* fresh salt */
	g_assert_true(cav_auth_verify("246810", h1));
	g_assert_false(cav_auth_verify("246811", h1));
	g_assert_false(cav_auth_verify("246810", "scrypt$10$8$1$bad"));
	g_assert_false(cav_auth_verify("246810", "scrypt$99$8$1$AAAAAAAAAAA=$AAAA"));
	g_assert_false(cav_auth_verify("246810", NULL));
	g_assert_cmpuint(strlen(tok), ==, 64);
	g_assert_cmpuint(strlen(th), ==, 64);
	g_assert_cmpstr(tok, !=, th);
}

static void
test_policy(void)
{
	GError *error = NULL;

	g_assert_true(cav_auth_check_secret("pin", "1234", NULL));
	g_assert_false(cav_auth_check_secret("pin", "123", &error));
	g_assert_error(error, CAV_AUTH_ERROR, CAV_AUTH_ERROR_WEAK);
	g_clear_error(&error);
	g_assert_false(cav_auth_check_secret("pin", "12a4", NULL));
	g_assert_false(cav_auth_check_secret("pin", "1234567890123", NULL));
	g_assert_true(cav_auth_check_secret("password", "court-room-1", NULL));
	g_assert_false(cav_auth_check_secret("password", "12345678", NULL));
	g_assert_false(cav_auth_check_secret("password", "short", NULL));
	g_assert_false(cav_auth_check_secret("token", "whatever-long", NULL));
	g_assert_true(cav_users_name_valid("张书记员"));
	g_assert_true(cav_users_name_valid("t-clerk.1"));
	g_assert_false(cav_users_name_valid("a b"));
	g_assert_false(cav_users_name_valid(""));
	g_assert_false(cav_users_name_valid("x'--"));
}

static void
test_login_lockout(Fixture *f, gconstpointer data)
{
	g_autoptr(CavUserRow) who = NULL;
	gint64 expires = 0;

	add(f, "zhang", "clerk", "246810");
	login(f, "zhang", "246810");
	g_assert_no_error(f->error);
	g_assert_nonnull(f->session);
	who = cav_users_authenticate(f->users, f->session->token, &expires);
	g_assert_nonnull(who);
	g_assert_cmpstr(who->role, ==, "clerk");
	g_assert_cmpint(expires, >, g_get_real_time());

	for (int i = 1; i <= 4; i++) {
		login(f, "zhang", "000000");
		g_assert_error(f->error, CAV_USERS_ERROR, CAV_USERS_ERROR_BAD_CREDENTIALS);
	}
	login(f, "zhang", "000000");
	g_assert_error(f->error, CAV_USERS_ERROR, CAV_USERS_ERROR_LOCKED);
	login(f, "zhang", "246810"); /* the right PIN, but locked */
	g_assert_error(f->error, CAV_USERS_ERROR, CAV_USERS_ERROR_LOCKED);
	g_assert_cmpint(count(f, "SELECT count(*) FROM audit WHERE action = 'auth.lockout'"), ==,
			1);
	g_assert_cmpint(count(f, "SELECT count(*) FROM audit WHERE action = 'auth.login-failed'"),
			==, 4);
	g_usleep(1100 * 1000);
	login(f, "zhang", "246810");
	g_assert_no_error(f->error);

	login(f, "nobody", "246810");
	g_assert_error(f->error, CAV_USERS_ERROR, CAV_USERS_ERROR_BAD_CREDENTIALS);
}

static void
test_sessions(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *token = NULL;
	CavUserRow *u;

	add(f, "li", "judge", "135790");
	login(f, "li", "135790");
	g_assert_no_error(f->error);
	token = g_strdup(f->session->token);
	/* Only the hash is stored. */
	g_assert_cmpint(count(f, "SELECT count(*) FROM sessions WHERE token_sha256 = token_sha256"),
			==, 1);
	u = cav_users_authenticate(f->users, token, NULL);
	g_assert_nonnull(u);
	cav_user_row_free(u);
	g_assert_null(cav_users_authenticate(f->users, "0000", NULL));
	g_assert_null(cav_users_authenticate(f->users, NULL, NULL));
	/* Expired. */
	g_assert_cmpint(sqlite3_exec(cav_store_db(f->store),
				     "UPDATE sessions SET expires_us = created_us + 1", NULL, NULL,
				     NULL),
			==, SQLITE_OK);
	g_assert_null(cav_users_authenticate(f->users, token, NULL));
	/* Logout ends a fresh session. */
	login(f, "li", "135790");
	g_assert_true(cav_users_logout(f->users, f->session->token, "li", &error));
	g_assert_no_error(error);
	g_assert_null(cav_users_authenticate(f->users, f->session->token, NULL));
}

static void
test_last_admin(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	gint64 admin = add(f, "root1", "admin", "975310");
	CavUserChange demote = {NULL, "clerk", NULL, NULL, -1, FALSE};
	CavUserChange disable = {NULL, NULL, NULL, NULL, 1, FALSE};

	g_assert_false(cav_users_update(f->users, admin, &demote, "root1", &error));
	g_assert_error(error, CAV_USERS_ERROR, CAV_USERS_ERROR_LAST_ADMIN);
	g_clear_error(&error);
	g_assert_false(cav_users_update(f->users, admin, &disable, "root1", &error));
	g_assert_error(error, CAV_USERS_ERROR, CAV_USERS_ERROR_LAST_ADMIN);
	g_clear_error(&error);
	add(f, "root2", "admin", "975311");
	g_assert_true(cav_users_update(f->users, admin, &disable, "root2", &error));
	g_assert_no_error(error);
	/* A disabled user cannot log in. */
	login(f, "root1", "975310");
	g_assert_error(f->error, CAV_USERS_ERROR, CAV_USERS_ERROR_BAD_CREDENTIALS);
	/* Duplicate names are refused. */
	g_assert_cmpint(cav_users_add(f->users, "root2", NULL, "admin", "pin", "x", "t", &error),
			==, 0);
	g_assert_error(error, CAV_USERS_ERROR, CAV_USERS_ERROR_EXISTS);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/auth/hash", test_hash);
	g_test_add_func("/auth/policy", test_policy);
	g_test_add("/users/login-lockout", Fixture, NULL, setup, test_login_lockout, teardown);
	g_test_add("/users/sessions", Fixture, NULL, setup, test_sessions, teardown);
	g_test_add("/users/last-admin", Fixture, NULL, setup, test_last_admin, teardown);
	return g_test_run();
}
