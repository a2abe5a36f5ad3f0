/* users.c — operator and inspector accounts (users.h).
 *
 * Main thread, except the KDF: cav_auth_hash/verify (appliance/auth.c) run
 * in GTask workers on copies of the secret and the stored hash. An unknown
 * name costs the same KDF as a real one, so timing does not tell which
 * names exist.
 */
#include "users.h"
#include "registry-private.h"
#include "appliance/errors.h"

#include <json-glib/json-glib.h>
#include <openssl/crypto.h>
#include <string.h>

/* The first argument is stringified: the error domain's name. */
/* clang-format off */
G_DEFINE_QUARK(cav-relay-users-error-quark, cav_relay_users_error)
/* clang-format on */

#define MAX_FAILURES 5

struct CavRelayUsers {
	CavRegistry *reg; /* unowned */
	gint64 session_us;
	gint64 lockout_us;
	CavAuthCost cost;
	char *dummy_hash; /* owned */
};

typedef struct {
	CavRelayUser pub;
	char *secret_hash;
	guint failed;
	gint64 locked_until_us;
} UserRow;

void
cav_relay_user_free(CavRelayUser *u)
{
	if (u == NULL)
		return;
	g_free(u->name);
	g_free(u->display_name);
	g_free(u->role);
	g_free(u);
}

void
cav_relay_session_free(CavRelaySession *s)
{
	if (s == NULL)
		return;
	if (s->token != NULL)
		OPENSSL_cleanse(s->token, strlen(s->token));
	g_free(s->token);
	cav_relay_user_free(s->user);
	g_free(s);
}

CavRelayUsers *
cav_relay_users_new(CavRegistry *reg, gint64 session_us, gint64 lockout_us)
{
	CavRelayUsers *u = g_new0(CavRelayUsers, 1);

	u->reg = reg;
	u->session_us = session_us;
	u->lockout_us = lockout_us;
	u->cost = CAV_AUTH_DEFAULT_COST;
	return u;
}

void
cav_relay_users_free(CavRelayUsers *users)
{
	if (users == NULL)
		return;
	g_free(users->dummy_hash);
	g_free(users);
}

void
cav_relay_users_set_cost(CavRelayUsers *users, const CavAuthCost *cost)
{
	users->cost = *cost;
	g_clear_pointer(&users->dummy_hash, g_free);
}

gboolean
cav_relay_users_role_valid(const char *role)
{
	return g_strcmp0(role, "operator") == 0 || g_strcmp0(role, "inspector") == 0;
}

static gboolean
name_valid(const char *name)
{
	glong n;

	if (name == NULL || !g_utf8_validate(name, -1, NULL))
		return FALSE;
	n = g_utf8_strlen(name, -1);
	if (n < 1 || n > 32)
		return FALSE;
	for (const char *p = name; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (!g_unichar_isalnum(c) && c != '.' && c != '-' && c != '_')
			return FALSE;
	}
	return TRUE;
}

static void
set_internal(GError **error, const GError *cause)
{
	cav_set_error_bi(error, CAV_RELAY_USERS_ERROR, CAV_RELAY_USERS_ERROR_INTERNAL,
			 "The account database failed: %s", "账户数据库出错：%s",
			 cause != NULL ? cause->message : "unknown");
}

static char *
detail_json(const char *k1, const char *v1, const char *k2, const char *v2)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object(b);
	if (k1 != NULL) {
		json_builder_set_member_name(b, k1);
		json_builder_add_string_value(b, v1);
	}
	if (k2 != NULL) {
		json_builder_set_member_name(b, k2);
		json_builder_add_string_value(b, v2);
	}
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	return json_generator_to_data(gen, NULL);
}

static gboolean
audit(CavRelayUsers *u, const char *actor, const char *action, const char *user_name,
      const char *detail, GError **error)
{
	g_autofree char *object = g_strdup_printf("user/%s", user_name);

	return cav_registry_audit(u->reg, actor, action, object, detail, error);
}

/* ---- rows -------------------------------------------------------------- */

#define USER_COLUMNS                                                                               \
	"u.id, u.name, u.display_name, u.role, u.disabled, u.created_us, u.secret_hash, "          \
	"u.failed_logins, u.locked_until_us"

static UserRow *
row_from_stmt(sqlite3_stmt *s)
{
	UserRow *r = g_new0(UserRow, 1);

	r->pub.id = sqlite3_column_int64(s, 0);
	r->pub.name = cav_reg_col_dup(s, 1);
	r->pub.display_name = cav_reg_col_dup(s, 2);
	r->pub.role = cav_reg_col_dup(s, 3);
	r->pub.disabled = sqlite3_column_int(s, 4) != 0;
	r->pub.created_us = sqlite3_column_int64(s, 5);
	r->secret_hash = cav_reg_col_dup(s, 6);
	r->failed = (guint)sqlite3_column_int(s, 7);
	r->locked_until_us = sqlite3_column_int64(s, 8);
	return r;
}

static void
user_row_free(UserRow *r)
{
	if (r == NULL)
		return;
	g_free(r->pub.name);
	g_free(r->pub.display_name);
	g_free(r->pub.role);
	g_free(r->secret_hash);
	g_free(r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(UserRow, user_row_free)

/* The public part of @r, moved out. (transfer full) */
static CavRelayUser *
steal_public(UserRow *r)
{
	CavRelayUser *u = g_new0(CavRelayUser, 1);

	*u = r->pub;
	memset(&r->pub, 0, sizeof r->pub);
	return u;
}

static UserRow *
find_by_name(CavRelayUsers *u, const char *name)
{
	g_autoptr(CavRegStmt) s = cav_registry_prepare(
		u->reg, "SELECT " USER_COLUMNS " FROM users u WHERE u.name = ?1", NULL);

	if (s == NULL)
		return NULL;
	cav_reg_bind_text(s, 1, name);
	return sqlite3_step(s) == SQLITE_ROW ? row_from_stmt(s) : NULL;
}

static gboolean
set_failures(CavRelayUsers *u, gint64 id, guint failed, gint64 locked_until, GError **error)
{
	g_autoptr(CavRegStmt) s = cav_registry_prepare(
		u->reg, "UPDATE users SET failed_logins = ?2, locked_until_us = ?3 WHERE id = ?1",
		error);

	if (s == NULL)
		return FALSE;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, (int)failed);
	if (locked_until > 0)
		sqlite3_bind_int64(s, 3, locked_until);
	else
		sqlite3_bind_null(s, 3);
	return cav_registry_step_done(u->reg, s, "recording a login attempt", error);
}

/* ---- login --------------------------------------------------------------- */

typedef struct {
	char *secret; /* owned, wiped */
	char *hash;   /* owned */
	char *name;   /* owned */
	char *client; /* owned, nullable */
	gboolean known;
	gboolean ok;
} LoginJob;

static void
login_job_free(LoginJob *j)
{
	if (j->secret != NULL)
		OPENSSL_cleanse(j->secret, strlen(j->secret));
	g_free(j->secret);
	g_free(j->hash);
	g_free(j->name);
	g_free(j->client);
	g_free(j);
}

static void
verify_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	LoginJob *j = data;

	j->ok = cav_auth_verify(j->secret, j->hash);
	g_task_return_boolean(task, TRUE);
}

static void
set_bad_credentials(GError **error)
{
	cav_set_error_bi(error, CAV_RELAY_USERS_ERROR, CAV_RELAY_USERS_ERROR_BAD_CREDENTIALS,
			 "Wrong user name or password.", "用户名或密码不正确。");
}

static void
set_locked(GError **error, gint64 until_us, gint64 now_us)
{
	guint minutes = (guint)MAX(1, (until_us - now_us + 59999999) / 60000000);

	cav_set_error_bi(error, CAV_RELAY_USERS_ERROR, CAV_RELAY_USERS_ERROR_LOCKED,
			 "Too many wrong passwords: this account is locked for %u more minute(s).",
			 "密码错误次数过多，账户已锁定，请 %u 分钟后再试。", minutes);
}

static gboolean
record_failure(CavRelayUsers *u, UserRow *row, LoginJob *j, gint64 now, GError **error)
{
	guint failed = row->failed + 1;
	gboolean lock = failed >= MAX_FAILURES;
	g_autofree char *n = g_strdup_printf("%u", failed);
	g_autofree char *actor = g_strdup_printf("peer:%s", j->client ? j->client : "?");
	g_autofree char *detail = detail_json("failures", n, "client", j->client ? j->client : "");
	g_autoptr(GError) local = NULL;

	if (!cav_registry_begin(u->reg, &local) ||
	    !set_failures(u, row->pub.id, lock ? 0 : failed, lock ? now + u->lockout_us : 0,
			  &local) ||
	    !audit(u, actor, lock ? "auth.lockout" : "auth.login-failed", row->pub.name, detail,
		   &local) ||
	    !cav_registry_commit(u->reg, &local)) {
		cav_registry_rollback(u->reg);
		set_internal(error, local);
		return FALSE;
	}
	if (lock)
		set_locked(error, now + u->lockout_us, now);
	else
		set_bad_credentials(error);
	return FALSE;
}

static CavRelaySession *
open_session(CavRelayUsers *u, UserRow *row, LoginJob *j, gint64 now, GError **error)
{
	g_autoptr(CavRelaySession) session = g_new0(CavRelaySession, 1);
	g_autofree char *hash = NULL;
	g_autofree char *detail = detail_json("client", j->client ? j->client : "", NULL, NULL);
	g_autoptr(CavRegStmt) purge = NULL;
	g_autoptr(CavRegStmt) ins = NULL;
	g_autoptr(GError) local = NULL;

	session->token = cav_auth_token_new();
	session->expires_us = now + u->session_us;
	hash = cav_auth_token_hash(session->token);
	if (!cav_registry_begin(u->reg, &local))
		goto fail;
	purge = cav_registry_prepare(u->reg, "DELETE FROM sessions WHERE expires_us <= ?1", &local);
	if (purge == NULL)
		goto fail;
	sqlite3_bind_int64(purge, 1, now);
	ins = cav_registry_prepare(u->reg,
				   "INSERT INTO sessions (token_sha256, user_id, created_us,"
				   " expires_us, client) VALUES (?1, ?2, ?3, ?4, ?5)",
				   &local);
	if (ins == NULL)
		goto fail;
	cav_reg_bind_text(ins, 1, hash);
	sqlite3_bind_int64(ins, 2, row->pub.id);
	sqlite3_bind_int64(ins, 3, now);
	sqlite3_bind_int64(ins, 4, session->expires_us);
	cav_reg_bind_text(ins, 5, j->client);
	if (!cav_registry_step_done(u->reg, purge, "purging sessions", &local) ||
	    !cav_registry_step_done(u->reg, ins, "saving the session", &local) ||
	    !set_failures(u, row->pub.id, 0, 0, &local) ||
	    !audit(u, row->pub.name, "auth.login", row->pub.name, detail, &local) ||
	    !cav_registry_commit(u->reg, &local))
		goto fail;
	session->user = steal_public(row);
	return g_steal_pointer(&session);
fail:
	cav_registry_rollback(u->reg);
	set_internal(error, local);
	return NULL;
}

static void
on_verified(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GTask *outer = user_data; /* owned */
	CavRelayUsers *u = g_task_get_task_data(outer);
	LoginJob *j = g_task_get_task_data(G_TASK(result));
	g_autoptr(UserRow) row = NULL;
	GError *error = NULL;
	CavRelaySession *session = NULL;
	gint64 now = g_get_real_time();
	gboolean ok = g_task_propagate_boolean(G_TASK(result), NULL) && j->ok && j->known;

	row = find_by_name(u, j->name);
	if (row == NULL || row->pub.disabled)
		set_bad_credentials(&error);
	else if (row->locked_until_us > now)
		set_locked(&error, row->locked_until_us, now);
	else if (!ok)
		record_failure(u, row, j, now, &error);
	else
		session = open_session(u, row, j, now, &error);
	if (session != NULL)
		g_task_return_pointer(outer, session, (GDestroyNotify)cav_relay_session_free);
	else
		g_task_return_error(outer, error);
	g_object_unref(outer);
}

void
cav_relay_users_login(CavRelayUsers *users, const char *name, const char *password,
		      const char *client, GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *outer = g_task_new(NULL, NULL, callback, user_data);
	g_autoptr(GTask) task = NULL;
	g_autoptr(UserRow) row = NULL;
	gint64 now = g_get_real_time();
	LoginJob *j;

	g_task_set_task_data(outer, users, NULL);
	row = name_valid(name) ? find_by_name(users, name) : NULL;
	if (row != NULL && !row->pub.disabled && row->locked_until_us > now) {
		GError *error = NULL;

		set_locked(&error, row->locked_until_us, now);
		g_task_return_error(outer, error);
		g_object_unref(outer);
		return;
	}
	if (users->dummy_hash == NULL)
		users->dummy_hash =
			g_strdup_printf("scrypt$%u$%u$%u$Y291cnRhdi1kdW1teS0x$"
					"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
					users->cost.log2_n, users->cost.r, users->cost.p);
	j = g_new0(LoginJob, 1);
	j->secret = g_strdup(password != NULL ? password : "");
	j->known = row != NULL && !row->pub.disabled;
	j->hash = g_strdup(j->known ? row->secret_hash : users->dummy_hash);
	j->name = g_strdup(name != NULL ? name : "");
	j->client = g_strdup(client);
	task = g_task_new(NULL, NULL, on_verified, outer);
	g_task_set_task_data(task, j, (GDestroyNotify)login_job_free);
	g_task_run_in_thread(task, verify_thread);
}

CavRelaySession *
cav_relay_users_login_finish(CavRelayUsers *users, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

CavRelayUser *
cav_relay_users_authenticate(CavRelayUsers *users, const char *token, gint64 *out_expires_us)
{
	g_autofree char *hash = NULL;
	g_autoptr(CavRegStmt) s = NULL;
	g_autoptr(UserRow) row = NULL;

	if (token == NULL || strlen(token) != 64 || strspn(token, "0123456789abcdef") != 64)
		return NULL;
	hash = cav_auth_token_hash(token);
	s = cav_registry_prepare(
		users->reg,
		"SELECT " USER_COLUMNS ", s.expires_us FROM sessions s"
		" JOIN users u ON u.id = s.user_id"
		" WHERE s.token_sha256 = ?1 AND s.expires_us > ?2 AND u.disabled = 0",
		NULL);
	if (s == NULL)
		return NULL;
	cav_reg_bind_text(s, 1, hash);
	sqlite3_bind_int64(s, 2, g_get_real_time());
	if (sqlite3_step(s) != SQLITE_ROW)
		return NULL;
	row = row_from_stmt(s);
	if (out_expires_us != NULL)
		*out_expires_us = sqlite3_column_int64(s, 9);
	return steal_public(row);
}

gboolean
cav_relay_users_logout(CavRelayUsers *users, const char *token, const char *actor, GError **error)
{
	g_autofree char *hash = cav_auth_token_hash(token);
	g_autoptr(CavRegStmt) s = NULL;
	g_autoptr(GError) local = NULL;

	if (!cav_registry_begin(users->reg, &local) ||
	    (s = cav_registry_prepare(users->reg, "DELETE FROM sessions WHERE token_sha256 = ?1",
				      &local)) == NULL ||
	    (cav_reg_bind_text(s, 1, hash),
	     !cav_registry_step_done(users->reg, s, "logging out", &local)) ||
	    !audit(users, actor, "auth.logout", actor, NULL, &local) ||
	    !cav_registry_commit(users->reg, &local)) {
		cav_registry_rollback(users->reg);
		set_internal(error, local);
		return FALSE;
	}
	return TRUE;
}

/* ---- accounts ---------------------------------------------------------------- */

/* Name, role and password policy; FALSE with a bilingual INVALID/EXISTS. */
static gboolean
check_new_user(CavRelayUsers *users, const char *name, const char *role, const char *password,
	       GError **error)
{
	g_autoptr(UserRow) existing = NULL;

	if (!name_valid(name)) {
		cav_set_error_bi(error, CAV_RELAY_USERS_ERROR, CAV_RELAY_USERS_ERROR_INVALID,
				 "A user name is 1–32 letters, digits, '.', '-' or '_'.",
				 "用户名须为 1 至 32 个字母、数字或 . - _。");
		return FALSE;
	}
	if (!cav_relay_users_role_valid(role)) {
		cav_set_error_bi(error, CAV_RELAY_USERS_ERROR, CAV_RELAY_USERS_ERROR_INVALID,
				 "The role must be operator or inspector.",
				 "角色须为 operator（运维）或 inspector（巡查）。");
		return FALSE;
	}
	if (!cav_auth_check_secret("password", password, NULL)) {
		cav_set_error_bi(error, CAV_RELAY_USERS_ERROR, CAV_RELAY_USERS_ERROR_INVALID, "%s",
				 "%s", "A password is 8 to 128 characters and not only digits.",
				 "密码须为 8 至 128 个字符，且不能全是数字。");
		return FALSE;
	}
	existing = find_by_name(users, name);
	if (existing != NULL) {
		cav_set_error_bi(error, CAV_RELAY_USERS_ERROR, CAV_RELAY_USERS_ERROR_EXISTS,
				 "A user named %s already exists.", "用户 %s 已存在。", name);
		return FALSE;
	}
	return TRUE;
}

static gint64
insert_user(CavRelayUsers *users, const char *name, const char *role, const char *hash,
	    const char *actor, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autofree char *detail = detail_json("role", role, NULL, NULL);
	g_autoptr(CavRegStmt) s = NULL;
	gint64 id;

	if (!cav_registry_begin(users->reg, &local) ||
	    (s = cav_registry_prepare(users->reg,
				      "INSERT INTO users (name, role, secret_hash, created_us,"
				      " created_by) VALUES (?1, ?2, ?3, ?4, ?5)",
				      &local)) == NULL)
		goto fail;
	cav_reg_bind_text(s, 1, name);
	cav_reg_bind_text(s, 2, role);
	cav_reg_bind_text(s, 3, hash);
	sqlite3_bind_int64(s, 4, g_get_real_time());
	cav_reg_bind_text(s, 5, actor);
	if (!cav_registry_step_done(users->reg, s, "saving the user", &local))
		goto fail;
	id = sqlite3_last_insert_rowid(cav_registry_db(users->reg));
	if (!audit(users, actor, "user.add", name, detail, &local) ||
	    !cav_registry_commit(users->reg, &local))
		goto fail;
	return id;
fail:
	cav_registry_rollback(users->reg);
	if (local != NULL && local->domain == CAV_REGISTRY_ERROR &&
	    local->code == CAV_REGISTRY_ERROR_CONSTRAINT)
		cav_set_error_bi(error, CAV_RELAY_USERS_ERROR, CAV_RELAY_USERS_ERROR_EXISTS,
				 "A user named %s already exists.", "用户 %s 已存在。", name);
	else
		set_internal(error, local);
	return 0;
}

gint64
cav_relay_users_add_sync(CavRelayUsers *users, const char *name, const char *role,
			 const char *password, const char *actor, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autofree char *hash = NULL;

	if (!check_new_user(users, name, role, password, error))
		return 0;
	hash = cav_auth_hash(password, &users->cost, &local);
	if (hash == NULL) {
		set_internal(error, local);
		return 0;
	}
	return insert_user(users, name, role, hash, actor, error);
}

typedef struct {
	char *name, *role, *password, *actor, *hash;
	CavAuthCost cost;
} AddJob;

static void
add_job_free(AddJob *j)
{
	g_free(j->name);
	g_free(j->role);
	if (j->password != NULL)
		OPENSSL_cleanse(j->password, strlen(j->password));
	g_free(j->password);
	g_free(j->actor);
	g_free(j->hash);
	g_free(j);
}

static void
hash_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	AddJob *j = data;
	GError *error = NULL;

	j->hash = cav_auth_hash(j->password, &j->cost, &error);
	if (j->hash == NULL)
		g_task_return_error(task, error);
	else
		g_task_return_boolean(task, TRUE);
}

void
cav_relay_users_add(CavRelayUsers *users, const char *name, const char *role, const char *password,
		    const char *actor, GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, NULL, callback, user_data);
	GError *error = NULL;
	AddJob *j;

	if (!check_new_user(users, name, role, password, &error)) {
		g_task_return_error(task, error);
		return;
	}
	j = g_new0(AddJob, 1);
	j->name = g_strdup(name);
	j->role = g_strdup(role);
	j->password = g_strdup(password);
	j->actor = g_strdup(actor);
	j->cost = users->cost;
	g_task_set_task_data(task, j, (GDestroyNotify)add_job_free);
	g_task_run_in_thread(task, hash_thread);
}

gint64
cav_relay_users_add_finish(CavRelayUsers *users, GAsyncResult *result, GError **error)
{
	AddJob *j = g_task_get_task_data(G_TASK(result));
	g_autoptr(GError) local = NULL;

	if (!g_task_propagate_boolean(G_TASK(result), &local)) {
		if (local->domain == CAV_RELAY_USERS_ERROR)
			g_propagate_error(error, g_steal_pointer(&local));
		else
			set_internal(error, local);
		return 0;
	}
	/* Checked again: the name may have been taken meanwhile. */
	return insert_user(users, j->name, j->role, j->hash, j->actor, error);
}

GPtrArray *
cav_relay_users_list(CavRelayUsers *users, GError **error)
{
	g_autoptr(CavRegStmt) s = cav_registry_prepare(
		users->reg, "SELECT " USER_COLUMNS " FROM users u ORDER BY u.name", error);
	g_autoptr(GPtrArray) out =
		g_ptr_array_new_with_free_func((GDestroyNotify)cav_relay_user_free);
	int rc;

	if (s == NULL)
		return NULL;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		g_autoptr(UserRow) r = row_from_stmt(s);

		g_ptr_array_add(out, steal_public(r));
	}
	if (rc != SQLITE_DONE) {
		cav_registry_fail(users->reg, "listing users", error);
		return NULL;
	}
	return g_steal_pointer(&out);
}

gboolean
cav_relay_users_set_disabled(CavRelayUsers *users, gint64 id, gboolean disabled, const char *actor,
			     GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autoptr(CavRegStmt) s = NULL;
	g_autoptr(CavRegStmt) d = NULL;
	g_autofree char *name = NULL;
	g_autofree char *obj = NULL;

	if (!cav_registry_begin(users->reg, &local) ||
	    (s = cav_registry_prepare(users->reg,
				      "UPDATE users SET disabled = ?2 WHERE id = ?1 RETURNING name",
				      &local)) == NULL)
		goto fail;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, disabled ? 1 : 0);
	if (sqlite3_step(s) != SQLITE_ROW) {
		cav_registry_rollback(users->reg);
		cav_set_error_bi(error, CAV_RELAY_USERS_ERROR, CAV_RELAY_USERS_ERROR_NOT_FOUND,
				 "No user with id %" G_GINT64_FORMAT ".",
				 "没有编号为 %" G_GINT64_FORMAT " 的用户。", id);
		return FALSE;
	}
	name = cav_reg_col_dup(s, 0);
	g_clear_pointer(&s, cav_reg_stmt_free);
	if (disabled) {
		d = cav_registry_prepare(users->reg, "DELETE FROM sessions WHERE user_id = ?1",
					 &local);
		if (d == NULL)
			goto fail;
		sqlite3_bind_int64(d, 1, id);
		if (!cav_registry_step_done(users->reg, d, "ending sessions", &local))
			goto fail;
	}
	obj = detail_json("disabled", disabled ? "yes" : "no", NULL, NULL);
	if (!audit(users, actor, "user.update", name, obj, &local) ||
	    !cav_registry_commit(users->reg, &local))
		goto fail;
	return TRUE;
fail:
	cav_registry_rollback(users->reg);
	set_internal(error, local);
	return FALSE;
}

gint64
cav_relay_users_count(CavRelayUsers *users)
{
	g_autoptr(CavRegStmt) s =
		cav_registry_prepare(users->reg, "SELECT count(*) FROM users", NULL);

	if (s == NULL || sqlite3_step(s) != SQLITE_ROW)
		return -1;
	return sqlite3_column_int64(s, 0);
}
