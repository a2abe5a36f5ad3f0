/* api-auth.c — /auth (login, logout, who am I) and /users (accounts, admin
 * only) (docs/API.md). Login and any call that sets a secret wait for the
 * KDF in a worker: the HTTP message is paused and answered from the main
 * thread when it is done. Main thread only.
 */
#include "api-private.h"

#include <string.h>

static void
json_user(JsonBuilder *b, const CavUserRow *u)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, u->id);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, u->name);
	json_builder_set_member_name(b, "display_name");
	if (u->display_name != NULL)
		json_builder_add_string_value(b, u->display_name);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "role");
	json_builder_add_string_value(b, u->role);
	json_builder_set_member_name(b, "secret_kind");
	json_builder_add_string_value(b, u->secret_kind);
	json_builder_set_member_name(b, "disabled");
	json_builder_add_boolean_value(b, u->disabled);
	json_builder_set_member_name(b, "locked");
	json_builder_add_boolean_value(b, u->locked_until_us > g_get_real_time());
	cav_json_add_time(b, "locked_until", u->locked_until_us);
	cav_json_add_time(b, "created", u->created_us);
	json_builder_set_member_name(b, "created_by");
	json_builder_add_string_value(b, u->created_by);
	json_builder_end_object(b);
}

static void
respond_user(SoupServerMessage *msg, guint status, CavStore *store, gint64 id)
{
	g_autoptr(CavUserRow) u = cav_store_user_get(store, id, NULL);
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (u == NULL) {
		cav_api_respond_not_found(msg);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "user");
	json_user(b, u);
	json_builder_end_object(b);
	cav_api_respond_json(msg, status, b);
}

/* ---- login, logout, me ---------------------------------------------------- */

typedef struct {
	CavApi *api;
	SoupServerMessage *msg; /* owned ref */
} Pending;

static Pending *
pending_new(CavApiRequest *req)
{
	Pending *p = g_new0(Pending, 1);

	p->api = req->api;
	p->msg = g_object_ref(req->msg);
	soup_server_message_pause(req->msg);
	return p;
}

static void
pending_done(Pending *p)
{
	soup_server_message_unpause(p->msg);
	g_object_unref(p->msg);
	g_free(p);
}

static void
on_login(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Pending *p = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(CavSession) s = cav_users_login_finish(p->api->users, result, &error);
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (s == NULL) {
		cav_api_respond_error(p->msg, error);
		pending_done(p);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "token");
	json_builder_add_string_value(b, s->token);
	cav_json_add_time(b, "expires", s->expires_us);
	json_builder_set_member_name(b, "user");
	json_user(b, s->user);
	json_builder_end_object(b);
	cav_api_respond_json(p->msg, 200, b);
	pending_done(p);
}

static void
post_login(CavApiRequest *req)
{
	static const char *const fields[] = {"user", "secret", NULL};
	g_autoptr(JsonObject) o = cav_api_read_body(req->msg, fields);
	g_autofree char *peer = NULL;
	const char *user = NULL, *secret = NULL;

	if (o == NULL || !cav_api_get_string(req->msg, o, "user", &user) ||
	    !cav_api_get_string(req->msg, o, "secret", &secret))
		return;
	if (user == NULL || secret == NULL || strlen(secret) > 256) {
		cav_api_respond_bad(req->msg, "请输入用户名和 PIN。",
				    "Fields “user” and “secret” are required.");
		return;
	}
	peer = cav_http_peer(req->msg);
	cav_users_login(req->api->users, user, secret, peer, on_login, pending_new(req));
}

static void
post_logout(CavApiRequest *req)
{
	static const char *const no_fields[] = {NULL};
	g_autoptr(JsonObject) o = cav_api_read_body(req->msg, no_fields);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (o == NULL)
		return;
	if (!cav_users_logout(req->api->users, req->token, req->actor, &error)) {
		cav_api_respond_error(req->msg, error);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "ok");
	json_builder_add_boolean_value(b, TRUE);
	json_builder_end_object(b);
	cav_api_respond_json(req->msg, 200, b);
}

static void
get_me(CavApiRequest *req)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	gint64 *expires = g_object_get_data(G_OBJECT(req->msg), "cav-expires");

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "user");
	json_user(b, req->user);
	cav_json_add_time(b, "expires", expires != NULL ? *expires : 0);
	json_builder_end_object(b);
	cav_api_respond_json(req->msg, 200, b);
}

/* ---- users ------------------------------------------------------------------ */

static void
get_users(CavApiRequest *req)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rows = cav_store_user_list(cav_room_store(req->api->room), &error);
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (rows == NULL) {
		cav_room_wrap_store_error(&error);
		cav_api_respond_error(req->msg, error);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "users");
	json_builder_begin_array(b);
	for (guint i = 0; i < rows->len; i++)
		json_user(b, rows->pdata[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
	cav_api_respond_json(req->msg, 200, b);
}

/* A user add or change waiting for its secret's hash. */
typedef struct {
	CavApi *api;
	SoupServerMessage *msg;                  /* owned ref */
	gint64 id;                               /* 0: add */
	char *actor;                             /* owned */
	char *name, *display_name, *role, *kind; /* owned, nullable */
	int disabled;
	gboolean unlock;
} UserOp;

static void
user_op_free(UserOp *op)
{
	g_object_unref(op->msg);
	g_free(op->actor);
	g_free(op->name);
	g_free(op->display_name);
	g_free(op->role);
	g_free(op->kind);
	g_free(op);
}

/* Adds or changes the user with @hash (nullable: no new secret). */
static void
user_op_apply(UserOp *op, const char *hash)
{
	CavStore *store = cav_room_store(op->api->room);
	g_autoptr(GError) error = NULL;

	if (op->id == 0) {
		gint64 id = cav_users_add(op->api->users, op->name, op->display_name, op->role,
					  op->kind, hash, op->actor, &error);

		if (id == 0)
			cav_api_respond_error(op->msg, error);
		else
			respond_user(op->msg, 201, store, id);
		return;
	}
	CavUserChange ch = {op->display_name, op->role,  hash ? op->kind : NULL, hash,
			    op->disabled,     op->unlock};
	if (!cav_users_update(op->api->users, op->id, &ch, op->actor, &error))
		cav_api_respond_error(op->msg, error);
	else
		respond_user(op->msg, 200, store, op->id);
}

static void
on_user_hash(GObject *source, GAsyncResult *result, gpointer user_data)
{
	UserOp *op = user_data;
	g_autoptr(GError) error = NULL;
	g_autofree char *hash = cav_users_hash_secret_finish(op->api->users, result, &error);

	if (hash == NULL)
		cav_api_respond_error(op->msg, error);
	else
		user_op_apply(op, hash);
	soup_server_message_unpause(op->msg);
	user_op_free(op);
}

/* Reads the members shared by add and change; FALSE after answering 400. */
static gboolean
read_user_fields(CavApiRequest *req, JsonObject *o, UserOp *op, const char **secret)
{
	const char *display = NULL, *role = NULL, *kind = NULL, *name = NULL;
	gboolean disabled = FALSE, unlock = FALSE;

	if (!cav_api_get_string(req->msg, o, "name", &name) ||
	    !cav_api_get_string(req->msg, o, "display_name", &display) ||
	    !cav_api_get_string(req->msg, o, "role", &role) ||
	    !cav_api_get_string(req->msg, o, "secret_kind", &kind) ||
	    !cav_api_get_string(req->msg, o, "secret", secret) ||
	    !cav_api_get_bool(req->msg, o, "disabled", &disabled) ||
	    !cav_api_get_bool(req->msg, o, "unlock", &unlock))
		return FALSE;
	if (role != NULL && !cav_users_role_valid(role)) {
		cav_api_respond_bad(req->msg, "角色须为 clerk、judge、technician 或 admin。",
				    "Field “role” must be clerk, judge, technician or admin.");
		return FALSE;
	}
	op->name = g_strdup(name);
	op->display_name = g_strdup(display);
	op->role = g_strdup(role);
	op->kind = g_strdup(kind != NULL ? kind : "pin");
	op->disabled = json_object_has_member(o, "disabled") ? (disabled ? 1 : 0) : -1;
	op->unlock = unlock;
	return TRUE;
}

static UserOp *
user_op_new(CavApiRequest *req)
{
	UserOp *op = g_new0(UserOp, 1);

	op->api = req->api;
	op->msg = g_object_ref(req->msg);
	op->id = req->id;
	op->actor = g_strdup(req->actor);
	return op;
}

static void
post_user(CavApiRequest *req)
{
	static const char *const fields[] = {"name",        "display_name", "role",
					     "secret_kind", "secret",       NULL};
	g_autoptr(JsonObject) o = cav_api_read_body(req->msg, fields);
	UserOp *op;
	const char *secret = NULL;

	if (o == NULL)
		return;
	op = user_op_new(req);
	if (!read_user_fields(req, o, op, &secret)) {
		user_op_free(op);
		return;
	}
	if (op->name == NULL || op->role == NULL || secret == NULL) {
		cav_api_respond_bad(req->msg, "请填写用户名、角色和 PIN。",
				    "Fields “name”, “role” and “secret” are required.");
		user_op_free(op);
		return;
	}
	if (!cav_users_name_valid(op->name)) {
		cav_api_respond_bad(req->msg, "用户名须为 1 至 32 个字母、数字或 . - _。",
				    "A user name is 1–32 letters, digits, '.', '-' or '_'.");
		user_op_free(op);
		return;
	}
	soup_server_message_pause(req->msg);
	cav_users_hash_secret(req->api->users, op->kind, secret, on_user_hash, op);
}

static void
patch_user(CavApiRequest *req)
{
	static const char *const fields[] = {"display_name", "role",   "secret_kind", "secret",
					     "disabled",     "unlock", NULL};
	g_autoptr(JsonObject) o = cav_api_read_body(req->msg, fields);
	UserOp *op;
	const char *secret = NULL;

	if (o == NULL)
		return;
	op = user_op_new(req);
	if (!read_user_fields(req, o, op, &secret)) {
		user_op_free(op);
		return;
	}
	if (secret == NULL) {
		if (json_object_has_member(o, "secret_kind")) {
			cav_api_respond_bad(req->msg, "更改凭据类型时须同时提供新的 PIN 或密码。",
					    "“secret_kind” needs a new “secret”.");
		} else {
			user_op_apply(op, NULL);
		}
		user_op_free(op);
		return;
	}
	soup_server_message_pause(req->msg);
	cav_users_hash_secret(req->api->users, op->kind, secret, on_user_hash, op);
}

void
cav_api_auth_register(CavApi *api)
{
	cav_api_route(api, "POST", "/auth/login", CAV_ROLES_PUBLIC, post_login);
	cav_api_route(api, "POST", "/auth/logout", CAV_ROLES_ANY, post_logout);
	cav_api_route(api, "GET", "/auth/me", CAV_ROLES_ANY, get_me);
	cav_api_route(api, "GET", "/users", CAV_ROLE_ADMIN, get_users);
	cav_api_route(api, "POST", "/users", CAV_ROLE_ADMIN, post_user);
	cav_api_route(api, "PATCH", "/users/{id}", CAV_ROLE_ADMIN, patch_user);
}
