/* api.c — the control API's server and router. Each area of the API lives
 * in its own file (api-cases.c, api-hearings.c, api-device.c, api-auth.c,
 * api-room.c, api-preview.c, api-ws.c) and registers its routes here;
 * helpers for bodies and answers are in api-util.c, the web UI's files are
 * served by api-static.c. Main thread only.
 *
 * The router enforces each route's roles: a request without a valid bearer
 * token gets 401, a user whose role is not in the route's set 403, before
 * the handler runs. Tokens travel only in the Authorization header (or, for
 * the WebSocket, its subprotocol list), never in cookies, so a page on
 * another site cannot make a browser send them: that is the defence
 * against cross-site request forgery, and why no CORS headers are sent.
 *
 * Bodies are bounded twice (common/http-limits.h): a Content-Length above
 * CAV_API_MAX_BODY is refused with 413 as soon as the headers are in (the
 * rest is read and dropped, not stored), chunked bodies are cut off at the
 * same size, and a body that has not fully arrived CAV_API_BODY_TIMEOUT_S
 * after its headers gets its connection shut down. The route table is
 * common/http-route.h's, shared with the relay's router.
 *
 * Connections that clients drop while idle are closed by the reaper
 * (common/http-reaper.h): libsoup 3.2 would keep each one open, with its
 * descriptor, as long as the daemon runs.
 */
#include "api-private.h"

#include <string.h>

/* The limits of request bodies. The 413 answer is indented JSON, as every
 * answer of this API (api-util.c). */
static const CavHttpLimits limits = {
	.max_body = CAV_API_MAX_BODY,
	.timeout_s = CAV_API_BODY_TIMEOUT_S,
	.log_domain = G_LOG_DOMAIN,
	.log_prefix = "API",
	.pretty = TRUE,
	.refused = NULL,
};

/* An {id} is bounded by its value only, not by its number of digits (the
 * relay's router takes at most 18): 0 keeps courtavd's routes matching as
 * they always have. */
#define ID_MAX_DIGITS 0

void
cav_api_route(CavApi *api, const char *method, const char *pattern, guint roles,
	      CavApiHandler handler)
{
	cav_http_routes_add(api->routes, method, pattern, roles, (GCallback)handler);
}

static const char *const role_names[] = {"clerk", "judge", "technician", "admin"};

guint
cav_api_role_bit(const char *role)
{
	for (guint i = 0; i < G_N_ELEMENTS(role_names); i++)
		if (g_strcmp0(role, role_names[i]) == 0)
			return 1u << i;
	return 0;
}

char *
cav_api_roles_string(guint roles)
{
	return cav_http_roles_string(roles, role_names, G_N_ELEMENTS(role_names));
}

/* 401 or 403, or TRUE with req->user set. */
static gboolean
authorize(CavApi *api, const CavHttpRoute *r, CavApiRequest *req, CavUserRow **out_user)
{
	const char *token = cav_http_bearer(req->msg);
	g_autofree char *clean = NULL;
	gint64 expires = 0;
	CavUserRow *user;

	if (token != NULL) {
		/* A WebSocket subprotocol list continues after the token. */
		clean = g_strndup(token, strcspn(token, ", \t"));
		user = cav_users_authenticate(api->users, clean, &expires);
	} else {
		user = NULL;
	}
	if (user == NULL) {
		cav_http_respond_login_needed(req->msg, "courtavd", token != NULL, TRUE);
		return FALSE;
	}
	if ((r->roles & cav_api_role_bit(user->role)) == 0) {
		g_autofree char *allowed = cav_api_roles_string(r->roles);
		g_autofree char *en =
			g_strdup_printf("User %s (%s) may not do this; it needs one of: %s.",
					user->name, user->role, allowed);

		cav_api_respond_status(req->msg, 403, "forbidden", en,
				       "您的账户无权执行此操作，请联系管理员。");
		cav_user_row_free(user);
		return FALSE;
	}
	g_object_set_data_full(G_OBJECT(req->msg), "cav-token", g_steal_pointer(&clean), g_free);
	g_object_set_data_full(G_OBJECT(req->msg), "cav-expires",
			       g_memdup2(&expires, sizeof expires), g_free);
	*out_user = user;
	return TRUE;
}

static void
handler(SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
	gpointer user_data)
{
	CavApi *api = user_data;
	CavApiRequest req = {api, msg, query, 0, NULL, NULL, NULL, NULL};
	g_autoptr(CavUserRow) user = NULL;
	g_auto(GStrv) seg = NULL;
	const CavHttpRoute *r;
	CavHttpRouteMatch m;
	guint n;

	if (!g_str_has_prefix(path, "/api/v1/")) {
		cav_api_respond_not_found(msg);
		return;
	}
	if (cav_http_limits_refused(msg, &limits))
		return;
	seg = cav_http_path_split(path + strlen("/api/v1/"), 16, &n);
	r = cav_http_routes_find(api->routes, soup_server_message_get_method(msg), seg, n,
				 ID_MAX_DIGITS, &m);
	if (r == NULL) {
		cav_api_respond_not_found(msg);
		return;
	}
	req.id = m.id;
	req.name = m.name;
	if (r->roles != CAV_ROLES_PUBLIC && !authorize(api, r, &req, &user))
		return;
	if (user != NULL) {
		req.user = user;
		req.actor = user->name;
		req.token = g_object_get_data(G_OBJECT(msg), "cav-token");
	}
	/* Authorized: a WebSocket of /api/v1/events is left to libsoup to
	 * complete, and to the WebSocket handler (api-ws.c). */
	if (cav_http_websocket_gate(msg, path, "/api/v1/events", user != NULL ? user->name : NULL,
				    TRUE))
		return;
	((CavApiHandler)r->handler)(&req);
}

/* ---- server ------------------------------------------------------------ */

static void
register_routes(CavApi *api)
{
	api->routes = cav_http_routes_new();
	cav_api_auth_register(api);
	cav_api_cases_register(api);
	cav_api_hearings_register(api);
	cav_api_device_register(api);
	cav_api_room_register(api);
	cav_api_preview_register(api);
	cav_api_quality_register(api);
	cav_api_disc_register(api);
	cav_api_evidence_register(api);
}

static char *
first_uri(SoupServer *server, gboolean https)
{
	GSList *uris = soup_server_get_uris(server);
	char *url = NULL;

	for (GSList *l = uris; l != NULL && url == NULL; l = l->next) {
		g_autofree char *s = g_uri_to_string(l->data);

		if (g_str_has_prefix(s, "https:") == https)
			url = g_strndup(s, strlen(s) - (g_str_has_suffix(s, "/") ? 1 : 0));
	}
	g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
	return url;
}

static gboolean
listen_on(CavApi *api, const char *host, guint port, SoupServerListenOptions options,
	  GError **error)
{
	g_autoptr(GSocketAddress) addr = g_inet_socket_address_new_from_string(host, port);

	if (addr == NULL) {
		cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_INTERNAL,
				 "Invalid listen address %s", "监听地址无效：%s", host);
		return FALSE;
	}
	if (!soup_server_listen(api->server, addr, options, error)) {
		g_prefix_error(error, "Cannot listen on %s:%u: ", host, port);
		return FALSE;
	}
	return TRUE;
}

/* The panel's address, HTTPS when a certificate is configured. Its URL is
 * the one listener that was not there before. */
static gboolean
listen_panel(CavApi *api, const CavConfig *c, GError **error)
{
	SoupServerListenOptions options = 0;
	GSList *uris;

	if (c->panel_host == NULL)
		return TRUE;
	if (c->tls_certificate != NULL) {
		g_autoptr(GTlsCertificate) cert =
			g_tls_certificate_new_from_files(c->tls_certificate, c->tls_key, error);

		if (cert == NULL) {
			g_prefix_error(error, "TLS certificate %s / key %s: ", c->tls_certificate,
				       c->tls_key);
			return FALSE;
		}
		g_object_set(api->server, "tls-certificate", cert, NULL);
		options |= SOUP_SERVER_LISTEN_HTTPS;
	}
	if (!listen_on(api, c->panel_host, c->panel_port, options, error))
		return FALSE;
	uris = soup_server_get_uris(api->server);
	for (GSList *l = uris; l != NULL; l = l->next) {
		g_autofree char *s = g_uri_to_string(l->data);
		g_autofree char *trimmed =
			g_strndup(s, strlen(s) - (g_str_has_suffix(s, "/") ? 1 : 0));

		if (g_strcmp0(trimmed, api->url) != 0 && api->panel_url == NULL)
			api->panel_url = g_steal_pointer(&trimmed);
	}
	g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
	return TRUE;
}

CavApi *
cav_api_new(CavRoom *room, const CavSigner *signer, GError **error)
{
	const CavConfig *c = cav_room_config(room);
	g_autoptr(CavApi) api = g_new0(CavApi, 1);
	const char *ws_protocols[] = {"cav.v1", NULL};

	api->room = room;
	api->signer = signer;
	api->users = cav_users_new(cav_room_store(room), signer,
				   (gint64)c->session_minutes * 60 * G_USEC_PER_SEC,
				   (gint64)c->lockout_seconds * G_USEC_PER_SEC);
	api->preview = cav_preview_new();
	register_routes(api);
	api->server = soup_server_new("server-header", "courtavd/" CAV_VERSION, NULL);
	api->reaper = cav_http_reaper_new(api->server);
	cav_http_limits_attach(api->server, &limits);
	soup_server_add_handler(api->server, "/api/v1", handler, api, NULL);
	/* The same path serves GET /events (JSON) and the WebSocket: libsoup
	 * runs the plain handler first and upgrades only when it left the
	 * status unset (handler() above). */
	soup_server_add_handler(api->server, "/api/v1/events", handler, api, NULL);
	cav_api_ws_start(api);
	soup_server_add_websocket_handler(api->server, "/api/v1/events", NULL,
					  (char **)ws_protocols, cav_api_ws_connected, api, NULL);
	soup_server_add_handler(api->server, "/", cav_api_static_handler, api, NULL);
	if (!listen_on(api, c->listen_host, c->listen_port, 0, error))
		return NULL;
	api->url = first_uri(api->server, FALSE);
	if (!listen_panel(api, c, error))
		return NULL;
	cav_api_room_start(api);
	return g_steal_pointer(&api);
}

void
cav_api_free(CavApi *api)
{
	if (api == NULL)
		return;
	cav_http_reaper_free(api->reaper);
	if (api->server != NULL) {
		soup_server_disconnect(api->server);
		g_object_unref(api->server);
	}
	cav_api_ws_stop(api);
	cav_api_room_stop(api);
	cav_preview_free(api->preview);
	cav_users_free(api->users);
	if (api->routes != NULL)
		g_ptr_array_unref(api->routes);
	g_free(api->url);
	g_free(api->panel_url);
	g_free(api);
}

const char *
cav_api_url(CavApi *api)
{
	return api->url;
}

const char *
cav_api_panel_url(CavApi *api)
{
	return api->panel_url;
}

CavUsers *
cav_api_users(CavApi *api)
{
	return api->users;
}

void
cav_api_print_routes(FILE *out)
{
	CavApi api = {0};

	register_routes(&api);
	cav_http_routes_print(out, api.routes, "/api/v1/", role_names, G_N_ELEMENTS(role_names));
	g_ptr_array_unref(api.routes);
}
