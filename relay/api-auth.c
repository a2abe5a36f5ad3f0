/* api-auth.c — logging in and out, and operator-managed accounts.
 *   POST /api/v1/login           {name, password} → {token, expires_us, user}   public
 *   POST /api/v1/logout                                                      staff
 *   GET  /api/v1/me                                                          staff
 *   GET  /api/v1/users                                                       operator
 *   POST /api/v1/users           {name, role, password}                      operator
 *   POST /api/v1/users/{id}/disable, /enable                                 operator
 * Main thread only.
 */
#include "http-private.h"

#include <string.h>

static void
json_user(JsonBuilder *b, const CavRelayUser *u)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, u->id);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, u->name);
	json_builder_set_member_name(b, "role");
	json_builder_add_string_value(b, u->role);
	json_builder_set_member_name(b, "disabled");
	json_builder_add_boolean_value(b, u->disabled);
	cav_relay_json_time(b, "created", u->created_us);
	json_builder_end_object(b);
}

static void
on_login(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SoupServerMessage *msg = user_data; /* owned ref */
	CavRelayUsers *users = g_object_get_data(G_OBJECT(msg), "cav-users");
	g_autoptr(GError) error = NULL;
	g_autoptr(CavRelaySession) s = cav_relay_users_login_finish(users, result, &error);

	if (s == NULL) {
		cav_relay_respond_gerror(msg, error);
	} else {
		g_autoptr(JsonBuilder) b = json_builder_new();

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "token");
		json_builder_add_string_value(b, s->token);
		cav_relay_json_time(b, "expires", s->expires_us);
		json_builder_set_member_name(b, "user");
		json_user(b, s->user);
		json_builder_end_object(b);
		cav_relay_respond_json(msg, 200, b);
	}
	soup_server_message_unpause(msg);
	g_object_unref(msg);
}

static void
post_login(CavRelayRequest *req)
{
	static const char *const allowed[] = {"name", "password", NULL};
	g_autoptr(JsonObject) o = cav_relay_read_body(req->msg, allowed);
	const char *name = NULL, *password = NULL;
	g_autofree char *peer = NULL;

	if (o == NULL || !cav_relay_get_string(req->msg, o, "name", 128, &name) ||
	    !cav_relay_get_string(req->msg, o, "password", 256, &password))
		return;
	if (name == NULL || password == NULL) {
		cav_relay_respond_bad(req->msg, "请填写用户名和密码。",
				      "Both “name” and “password” are needed.");
		return;
	}
	peer = cav_http_peer(req->msg);
	g_object_set_data(G_OBJECT(req->msg), "cav-users", cav_relay_users(req->relay));
	soup_server_message_pause(req->msg);
	cav_relay_users_login(cav_relay_users(req->relay), name, password, peer, on_login,
			      g_object_ref(req->msg));
}

static void
post_logout(CavRelayRequest *req)
{
	g_autoptr(GError) error = NULL;

	if (!cav_relay_users_logout(cav_relay_users(req->relay), req->token, req->actor, &error)) {
		cav_relay_respond_gerror(req->msg, error);
		return;
	}
	cav_relay_respond_no_content(req->msg);
}

static void
get_me(CavRelayRequest *req)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_user(b, req->user);
	cav_relay_respond_json(req->msg, 200, b);
}

static void
get_users(CavRelayRequest *req)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) users = cav_relay_users_list(cav_relay_users(req->relay), &error);
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (users == NULL) {
		cav_relay_respond_gerror(req->msg, error);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "users");
	json_builder_begin_array(b);
	for (guint i = 0; i < users->len; i++)
		json_user(b, users->pdata[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
	cav_relay_respond_json(req->msg, 200, b);
}

static void
on_added(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SoupServerMessage *msg = user_data; /* owned ref */
	CavRelayUsers *users = g_object_get_data(G_OBJECT(msg), "cav-users");
	g_autoptr(GError) error = NULL;
	gint64 id = cav_relay_users_add_finish(users, result, &error);

	if (id == 0) {
		cav_relay_respond_gerror(msg, error);
	} else {
		g_autoptr(JsonBuilder) b = json_builder_new();

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "id");
		json_builder_add_int_value(b, id);
		json_builder_end_object(b);
		cav_relay_respond_json(msg, 201, b);
	}
	soup_server_message_unpause(msg);
	g_object_unref(msg);
}

static void
post_user(CavRelayRequest *req)
{
	static const char *const allowed[] = {"name", "role", "password", NULL};
	g_autoptr(JsonObject) o = cav_relay_read_body(req->msg, allowed);
	const char *name = NULL, *role = NULL, *password = NULL;

	if (o == NULL || !cav_relay_get_string(req->msg, o, "name", 128, &name) ||
	    !cav_relay_get_string(req->msg, o, "role", 32, &role) ||
	    !cav_relay_get_string(req->msg, o, "password", 256, &password))
		return;
	if (name == NULL || role == NULL || password == NULL) {
		cav_relay_respond_bad(req->msg, "请填写用户名、角色和密码。",
				      "“name”, “role” and “password” are needed.");
		return;
	}
	g_object_set_data(G_OBJECT(req->msg), "cav-users", cav_relay_users(req->relay));
	soup_server_message_pause(req->msg);
	cav_relay_users_add(cav_relay_users(req->relay), name, role, password, req->actor, on_added,
			    g_object_ref(req->msg));
}

static void
set_disabled(CavRelayRequest *req, gboolean disabled)
{
	g_autoptr(GError) error = NULL;

	if (!cav_relay_users_set_disabled(cav_relay_users(req->relay), req->id, disabled,
					  req->actor, &error)) {
		cav_relay_respond_gerror(req->msg, error);
		return;
	}
	cav_relay_respond_no_content(req->msg);
}

static void
post_disable(CavRelayRequest *req)
{
	set_disabled(req, TRUE);
}

static void
post_enable(CavRelayRequest *req)
{
	set_disabled(req, FALSE);
}

void
cav_relay_api_auth_register(CavRelayHttp *http)
{
	cav_relay_route(http, "POST", "/api/v1/login", CAV_RELAY_ROLES_PUBLIC, post_login);
	cav_relay_route(http, "POST", "/api/v1/logout", CAV_RELAY_ROLES_STAFF, post_logout);
	cav_relay_route(http, "GET", "/api/v1/me", CAV_RELAY_ROLES_STAFF, get_me);
	cav_relay_route(http, "GET", "/api/v1/users", CAV_RELAY_ROLE_OPERATOR, get_users);
	cav_relay_route(http, "POST", "/api/v1/users", CAV_RELAY_ROLE_OPERATOR, post_user);
	cav_relay_route(http, "POST", "/api/v1/users/{id}/disable", CAV_RELAY_ROLE_OPERATOR,
			post_disable);
	cav_relay_route(http, "POST", "/api/v1/users/{id}/enable", CAV_RELAY_ROLE_OPERATOR,
			post_enable);
}
