/* users.c — accounts, logins, lockout and sessions (users.h).
 *
 * Main thread, except the KDF: cav_auth_hash/verify run in GTask workers
 * that see only copies of the secret and the stored hash. A login is
 * decided back on the main thread from the row as it is then, so two
 * attempts racing for the same account are both counted.
 *
 * An unknown or disabled name costs the same KDF as a real one (checked
 * against a dummy hash), so response times do not tell which names exist.
 */
#include "users.h"
#include "audit.h"
#include "errors.h"

#include <json-glib/json-glib.h>
#include <openssl/crypto.h>
#include <string.h>

/* The first argument is stringified: the error domain's name. */
/* clang-format off */
G_DEFINE_QUARK(cav-users-error-quark, cav_users_error)
/* clang-format on */

struct CavUsers {
	CavStore *store;         /* unowned */
	const CavSigner *signer; /* unowned */
	gint64 session_us;
	gint64 lockout_us;
	CavAuthCost cost;
	char *dummy_hash; /* for unknown names, made on first use (owned) */
};

static const char *const roles[] = {"clerk", "judge", "technician", "admin", NULL};

void
cav_session_free(CavSession *s)
{
	if (s == NULL)
		return;
	if (s->token != NULL)
		OPENSSL_cleanse(s->token, strlen(s->token));
	g_free(s->token);
	cav_user_row_free(s->user);
	g_free(s);
}

CavUsers *
cav_users_new(CavStore *store, const CavSigner *signer, gint64 session_us, gint64 lockout_us)
{
	CavUsers *u = g_new0(CavUsers, 1);

	u->store = store;
	u->signer = signer;
	u->session_us = session_us;
	u->lockout_us = lockout_us;
	u->cost = CAV_AUTH_DEFAULT_COST;
	return u;
}

void
cav_users_free(CavUsers *users)
{
	if (users == NULL)
		return;
	g_free(users->dummy_hash);
	g_free(users);
}

void
cav_users_set_cost(CavUsers *users, const CavAuthCost *cost)
{
	users->cost = *cost;
	g_clear_pointer(&users->dummy_hash, g_free);
}

CavStore *
cav_users_store(CavUsers *users)
{
	return users->store;
}

gboolean
cav_users_role_valid(const char *role)
{
	return role != NULL && g_strv_contains(roles, role);
}

gboolean
cav_users_name_valid(const char *name)
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
set_internal(GError **error, GError *cause)
{
	cav_set_error_bi(error, CAV_USERS_ERROR, CAV_USERS_ERROR_INTERNAL,
			 "The account database failed: %s", "账户数据库出错：%s",
			 cause != NULL ? cause->message : "unknown");
}

/* One audit row; @... are key, value string pairs, NULL-terminated. */
static gboolean G_GNUC_NULL_TERMINATED
audit(CavUsers *u, const char *actor, const char *action, const char *user_name, GError **error,
      ...)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree char *detail = NULL;
	g_autofree char *object = g_strdup_printf("user/%s", user_name);
	const char *key;
	va_list ap;

	json_builder_begin_object(b);
	va_start(ap, error);
	while ((key = va_arg(ap, const char *)) != NULL) {
		const char *value = va_arg(ap, const char *);

		json_builder_set_member_name(b, key);
		if (value != NULL)
			json_builder_add_string_value(b, value);
		else
			json_builder_add_null_value(b);
	}
	va_end(ap);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	detail = json_generator_to_data(gen, NULL);
	return cav_audit_append(cav_store_db(u->store), u->signer, g_get_real_time(), actor, action,
				object, detail, NULL, error);
}

/* ---- hashing in a worker ----------------------------------------------- */

typedef struct {
	char *secret; /* owned, wiped */
	char *hash;   /* owned: stored hash to verify against, or the result */
	char *kind;   /* owned, nullable */
	CavAuthCost cost;
	gboolean ok;
	/* login only */
	char *name;   /* owned */
	char *client; /* owned, nullable */
	gboolean known;
} KdfJob;

static void
kdf_job_free(KdfJob *j)
{
	if (j->secret != NULL)
		OPENSSL_cleanse(j->secret, strlen(j->secret));
	g_free(j->secret);
	g_free(j->hash);
	g_free(j->kind);
	g_free(j->name);
	g_free(j->client);
	g_free(j);
}

/* Worker thread: verify (job->hash set) or hash (job->hash NULL). */
static void
kdf_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	KdfJob *j = data;
	GError *error = NULL;

	if (j->hash != NULL) {
		j->ok = cav_auth_verify(j->secret, j->hash);
		g_task_return_boolean(task, TRUE);
		return;
	}
	j->hash = cav_auth_hash(j->secret, &j->cost, &error);
	if (j->hash == NULL)
		g_task_return_error(task, error);
	else
		g_task_return_boolean(task, TRUE);
}

void
cav_users_hash_secret(CavUsers *users, const char *kind, const char *secret,
		      GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, NULL, callback, user_data);
	GError *error = NULL;
	KdfJob *j;

	if (!cav_auth_check_secret(kind, secret, &error)) {
		error->domain = CAV_USERS_ERROR;
		error->code = CAV_USERS_ERROR_INVALID;
		g_task_return_error(task, error);
		return;
	}
	j = g_new0(KdfJob, 1);
	j->secret = g_strdup(secret);
	j->cost = users->cost;
	g_task_set_task_data(task, j, (GDestroyNotify)kdf_job_free);
	g_task_run_in_thread(task, kdf_thread);
}

char *
cav_users_hash_secret_finish(CavUsers *users, GAsyncResult *result, GError **error)
{
	KdfJob *j = g_task_get_task_data(G_TASK(result));
	g_autoptr(GError) local = NULL;

	if (!g_task_propagate_boolean(G_TASK(result), &local)) {
		if (local->domain == CAV_USERS_ERROR)
			g_propagate_error(error, g_steal_pointer(&local));
		else
			set_internal(error, local);
		return NULL;
	}
	return g_steal_pointer(&j->hash);
}

char *
cav_users_hash_secret_sync(CavUsers *users, const char *kind, const char *secret, GError **error)
{
	g_autoptr(GError) local = NULL;
	char *hash;

	if (!cav_auth_check_secret(kind, secret, error)) {
		(*error)->domain = CAV_USERS_ERROR;
		(*error)->code = CAV_USERS_ERROR_INVALID;
		return NULL;
	}
	hash = cav_auth_hash(secret, &users->cost, &local);
	if (hash == NULL)
		set_internal(error, local);
	return hash;
}

/* ---- login --------------------------------------------------------------- */

static void
set_bad_credentials(GError **error)
{
	cav_set_error_bi(error, CAV_USERS_ERROR, CAV_USERS_ERROR_BAD_CREDENTIALS,
			 "Wrong user name or PIN.", "用户名或 PIN 不正确。");
}

static void
set_locked(GError **error, gint64 until_us, gint64 now_us)
{
	guint minutes = (guint)MAX(1, (until_us - now_us + 59999999) / 60000000);

	cav_set_error_bi(error, CAV_USERS_ERROR, CAV_USERS_ERROR_LOCKED,
			 "Too many wrong PINs: this account is locked for %u more minute(s).",
			 "PIN 错误次数过多，账户已锁定，请 %u 分钟后再试。", minutes);
}

static void
on_login_kdf(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GTask *outer = user_data; /* owned */
	CavUsers *u = g_task_get_task_data(outer);
	KdfJob *j = g_task_get_task_data(G_TASK(result));
	g_autoptr(GError) error = NULL;
	g_autoptr(CavUserRow) row = NULL;
	g_autoptr(CavSession) session = NULL;
	g_autofree char *token_hash = NULL;
	gint64 now = g_get_real_time();
	gboolean ok = g_task_propagate_boolean(G_TASK(result), NULL) && j->ok && j->known;

	/* The row may have changed while the KDF ran. */
	row = cav_store_user_find(u->store, j->name, NULL);
	if (row == NULL || row->disabled) {
		set_bad_credentials(&error);
		goto out;
	}
	if (row->locked_until_us > now) {
		set_locked(&error, row->locked_until_us, now);
		goto out;
	}
	if (!cav_store_begin(u->store, &error))
		goto internal;
	if (!ok) {
		guint failed = row->failed_logins + 1;
		gboolean lock = failed >= CAV_USERS_MAX_FAILURES;
		g_autofree char *n = g_strdup_printf("%u", failed);

		/* The actor is where the attempt came from: nobody logged in. */
		g_autofree char *actor = g_strdup_printf("peer:%s", j->client ? j->client : "?");

		if (!cav_store_user_set_failures(u->store, row->id, lock ? 0 : failed,
						 lock ? now + u->lockout_us : 0, &error) ||
		    !audit(u, actor, lock ? "auth.lockout" : "auth.login-failed", row->name, &error,
			   "failures", n, "client", j->client, NULL) ||
		    !cav_store_commit(u->store, &error)) {
			cav_store_rollback(u->store);
			goto internal;
		}
		if (lock) {
			g_message("account %s locked after %u wrong secrets", row->name, failed);
			set_locked(&error, now + u->lockout_us, now);
		} else {
			set_bad_credentials(&error);
		}
		goto out;
	}
	session = g_new0(CavSession, 1);
	session->token = cav_auth_token_new();
	session->expires_us = now + u->session_us;
	token_hash = cav_auth_token_hash(session->token);
	if (!cav_store_session_purge(u->store, now, &error) ||
	    !cav_store_user_set_failures(u->store, row->id, 0, 0, &error) ||
	    !cav_store_session_insert(u->store, token_hash, row->id, now, session->expires_us,
				      j->client, &error) ||
	    !audit(u, row->name, "auth.login", row->name, &error, "client", j->client, NULL) ||
	    !cav_store_commit(u->store, &error)) {
		cav_store_rollback(u->store);
		goto internal;
	}
	row->failed_logins = 0;
	row->locked_until_us = 0;
	session->user = g_steal_pointer(&row);
	g_task_return_pointer(outer, g_steal_pointer(&session), (GDestroyNotify)cav_session_free);
	g_object_unref(outer);
	return;
internal : {
	g_autoptr(GError) cause = g_steal_pointer(&error);

	set_internal(&error, cause);
}
out:
	g_task_return_error(outer, g_steal_pointer(&error));
	g_object_unref(outer);
}

void
cav_users_login(CavUsers *users, const char *name, const char *secret, const char *client,
		GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *outer = g_task_new(NULL, NULL, callback, user_data);
	g_autoptr(GTask) task = NULL;
	g_autoptr(CavUserRow) row = NULL;
	gint64 now = g_get_real_time();
	KdfJob *j;

	/* CavUsers is not a GObject: it travels as the outer task's data. */
	g_task_set_task_data(outer, users, NULL);
	row = cav_users_name_valid(name) ? cav_store_user_find(users->store, name, NULL) : NULL;
	if (row != NULL && !row->disabled && row->locked_until_us > now) {
		GError *error = NULL;

		set_locked(&error, row->locked_until_us, now);
		g_task_return_error(outer, error);
		g_object_unref(outer);
		return;
	}
	/* Any well-formed hash of the same cost costs the same to check; this
	 * one matches no secret. Built by hand: hashing here would block. */
	if (users->dummy_hash == NULL)
		users->dummy_hash =
			g_strdup_printf("scrypt$%u$%u$%u$Y291cnRhdi1kdW1teS0x$"
					"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
					users->cost.log2_n, users->cost.r, users->cost.p);
	j = g_new0(KdfJob, 1);
	j->secret = g_strdup(secret != NULL ? secret : "");
	j->known = row != NULL && !row->disabled;
	j->hash = g_strdup(j->known ? row->secret_hash : users->dummy_hash);
	j->name = g_strdup(name != NULL ? name : "");
	j->client = g_strdup(client);
	task = g_task_new(NULL, NULL, on_login_kdf, outer);
	g_task_set_task_data(task, j, (GDestroyNotify)kdf_job_free);
	g_task_run_in_thread(task, kdf_thread);
}

CavSession *
cav_users_login_finish(CavUsers *users, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

CavUserRow *
cav_users_authenticate(CavUsers *users, const char *token, gint64 *out_expires_us)
{
	g_autofree char *hash = NULL;
	g_autoptr(GError) error = NULL;
	CavUserRow *row;

	if (token == NULL || strlen(token) != 64 || strspn(token, "0123456789abcdef") != 64)
		return NULL;
	hash = cav_auth_token_hash(token);
	row = cav_store_session_user(users->store, hash, g_get_real_time(), out_expires_us, &error);
	if (error != NULL)
		g_warning("checking a session: %s", error->message);
	return row;
}

gboolean
cav_users_logout(CavUsers *users, const char *token, const char *actor, GError **error)
{
	g_autofree char *hash = cav_auth_token_hash(token);
	g_autoptr(GError) local = NULL;

	if (!cav_store_begin(users->store, &local) ||
	    !cav_store_session_delete(users->store, hash, &local) ||
	    !audit(users, actor, "auth.logout", actor, &local, NULL) ||
	    !cav_store_commit(users->store, &local)) {
		cav_store_rollback(users->store);
		set_internal(error, local);
		return FALSE;
	}
	return TRUE;
}

/* ---- account changes ------------------------------------------------------ */

gint64
cav_users_add(CavUsers *users, const char *name, const char *display_name, const char *role,
	      const char *secret_kind, const char *secret_hash, const char *actor, GError **error)
{
	CavUserRow row = {0};
	g_autoptr(GError) local = NULL;
	g_autoptr(CavUserRow) existing = NULL;
	gint64 id;

	if (!cav_users_name_valid(name)) {
		cav_set_error_bi(error, CAV_USERS_ERROR, CAV_USERS_ERROR_INVALID,
				 "A user name is 1–32 letters, digits, '.', '-' or '_'.",
				 "用户名须为 1 至 32 个字母、数字或 . - _。");
		return 0;
	}
	if (!cav_users_role_valid(role)) {
		cav_set_error_bi(error, CAV_USERS_ERROR, CAV_USERS_ERROR_INVALID,
				 "The role must be clerk, judge, technician or admin.",
				 "角色须为 clerk（书记员）、judge（法官）、technician（技术员）或 "
				 "admin（管理员）。");
		return 0;
	}
	if (display_name != NULL && g_utf8_strlen(display_name, -1) > 64) {
		cav_set_error_bi(error, CAV_USERS_ERROR, CAV_USERS_ERROR_INVALID,
				 "The display name is longer than 64 characters.",
				 "显示名称超过 64 个字符。");
		return 0;
	}
	existing = cav_store_user_find(users->store, name, NULL);
	if (existing != NULL) {
		cav_set_error_bi(error, CAV_USERS_ERROR, CAV_USERS_ERROR_EXISTS,
				 "A user named %s already exists.", "用户 %s 已存在。", name);
		return 0;
	}
	row.name = (char *)name;
	row.display_name = (char *)display_name;
	row.role = (char *)role;
	row.secret_kind = (char *)secret_kind;
	row.secret_hash = (char *)secret_hash;
	row.created_us = g_get_real_time();
	row.created_by = (char *)actor;
	if (!cav_store_begin(users->store, &local) ||
	    (id = cav_store_user_insert(users->store, &row, &local)) == 0 ||
	    !audit(users, actor, "user.add", name, &local, "role", role, "secret_kind", secret_kind,
		   NULL) ||
	    !cav_store_commit(users->store, &local)) {
		cav_store_rollback(users->store);
		set_internal(error, local);
		return 0;
	}
	g_message("user %s (%s) added by %s", name, role, actor);
	return id;
}

gboolean
cav_users_update(CavUsers *users, gint64 id, const CavUserChange *ch, const char *actor,
		 GError **error)
{
	g_autoptr(CavUserRow) row = cav_store_user_get(users->store, id, NULL);
	g_autoptr(GError) local = NULL;
	gboolean was_admin, is_admin, end_sessions;
	g_autofree char *old_role = NULL;

	if (row == NULL) {
		cav_set_error_bi(error, CAV_USERS_ERROR, CAV_USERS_ERROR_NOT_FOUND,
				 "No user with id %" G_GINT64_FORMAT ".",
				 "没有编号为 %" G_GINT64_FORMAT " 的用户。", id);
		return FALSE;
	}
	if (ch->role != NULL && !cav_users_role_valid(ch->role)) {
		cav_set_error_bi(error, CAV_USERS_ERROR, CAV_USERS_ERROR_INVALID,
				 "The role must be clerk, judge, technician or admin.",
				 "角色须为 clerk、judge、technician 或 admin。");
		return FALSE;
	}
	if (ch->display_name != NULL && g_utf8_strlen(ch->display_name, -1) > 64) {
		cav_set_error_bi(error, CAV_USERS_ERROR, CAV_USERS_ERROR_INVALID,
				 "The display name is longer than 64 characters.",
				 "显示名称超过 64 个字符。");
		return FALSE;
	}
	was_admin = g_str_equal(row->role, "admin") && !row->disabled;
	old_role = g_strdup(row->role);
	if (ch->display_name != NULL) {
		g_free(row->display_name);
		row->display_name = g_strdup(ch->display_name);
	}
	if (ch->role != NULL) {
		g_free(row->role);
		row->role = g_strdup(ch->role);
	}
	if (ch->secret_hash != NULL) {
		g_free(row->secret_kind);
		g_free(row->secret_hash);
		row->secret_kind = g_strdup(ch->secret_kind);
		row->secret_hash = g_strdup(ch->secret_hash);
	}
	if (ch->disabled >= 0)
		row->disabled = ch->disabled != 0;
	is_admin = g_str_equal(row->role, "admin") && !row->disabled;
	if (was_admin && !is_admin && cav_store_user_count(users->store, "admin") <= 1) {
		cav_set_error_bi(error, CAV_USERS_ERROR, CAV_USERS_ERROR_LAST_ADMIN,
				 "%s is the last enabled admin: add another admin first.",
				 "%s 是最后一个可用的管理员，请先添加另一位管理员。", row->name);
		return FALSE;
	}
	end_sessions = ch->secret_hash != NULL || row->disabled;
	if (!cav_store_begin(users->store, &local) ||
	    !cav_store_user_update(users->store, row, &local) ||
	    (ch->unlock && !cav_store_user_set_failures(users->store, id, 0, 0, &local)) ||
	    (end_sessions && !cav_store_session_delete_user(users->store, id, &local)) ||
	    !audit(users, actor, "user.update", row->name, &local, "role", row->role, "old_role",
		   old_role, "display_name", ch->display_name, "new_secret",
		   ch->secret_hash != NULL ? "yes" : "no", "disabled", row->disabled ? "yes" : "no",
		   "unlock", ch->unlock ? "yes" : "no", NULL) ||
	    !cav_store_commit(users->store, &local)) {
		cav_store_rollback(users->store);
		set_internal(error, local);
		return FALSE;
	}
	return TRUE;
}
