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
 * Bodies are bounded twice: a Content-Length above CAV_API_MAX_BODY is
 * refused with 413 as soon as the headers are in (the rest is read and
 * dropped, not stored), chunked bodies are cut off at the same size, and a
 * body that has not fully arrived CAV_API_BODY_TIMEOUT_S after its headers
 * gets its connection shut down.
 *
 * Connections that clients drop while idle are closed by the reaper
 * (common/http-reaper.h): libsoup 3.2 would keep each one open, with its
 * descriptor, as long as the daemon runs.
 */
#include "api-private.h"

#include <string.h>

typedef struct {
	char *method;   /* owned */
	GStrv segments; /* the pattern split on '/', "{id}"/"{name}" wildcards (owned) */
	guint roles;    /* CavRole bits, or CAV_ROLES_PUBLIC */
	CavApiHandler handler;
} CavApiRoute;

static void
route_free(CavApiRoute *r)
{
	g_free(r->method);
	g_strfreev(r->segments);
	g_free(r);
}

void
cav_api_route(CavApi *api, const char *method, const char *pattern, guint roles,
	      CavApiHandler handler)
{
	CavApiRoute *r = g_new0(CavApiRoute, 1);

	g_return_if_fail(pattern[0] == '/');
	r->method = g_strdup(method);
	r->segments = g_strsplit(pattern + 1, "/", -1);
	r->roles = roles;
	r->handler = handler;
	g_ptr_array_add(api->routes, r);
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
	GString *s = g_string_new(NULL);

	if (roles == CAV_ROLES_PUBLIC)
		return g_string_free(g_string_append(s, "public"), FALSE);
	for (guint i = 0; i < G_N_ELEMENTS(role_names); i++) {
		if (roles & (1u << i))
			g_string_append_printf(s, "%s%s", s->len ? "," : "", role_names[i]);
	}
	return g_string_free(s, FALSE);
}

static gint64
parse_id(const char *s)
{
	char *end = NULL;
	guint64 v;

	if (s == NULL || !g_ascii_isdigit(s[0]))
		return 0;
	v = g_ascii_strtoull(s, &end, 10);
	return (*end == '\0' && v > 0 && v < G_MAXINT64) ? (gint64)v : 0;
}

static gboolean
valid_name(const char *s)
{
	gsize n = strlen(s);

	if (n == 0 || n > 32)
		return FALSE;
	for (gsize i = 0; i < n; i++)
		if (!g_ascii_isalnum(s[i]) && s[i] != '-' && s[i] != '_')
			return FALSE;
	return TRUE;
}

/* Whether @r matches the path segments; sets req->id / req->name from the
 * wildcards. */
static gboolean
route_matches(const CavApiRoute *r, char **seg, guint n, CavApiRequest *req)
{
	if (g_strv_length(r->segments) != n)
		return FALSE;
	for (guint i = 0; i < n; i++) {
		if (g_str_equal(r->segments[i], "{id}")) {
			req->id = parse_id(seg[i]);
			if (req->id == 0)
				return FALSE;
		} else if (g_str_equal(r->segments[i], "{name}")) {
			if (!valid_name(seg[i]))
				return FALSE;
			req->name = seg[i];
		} else if (!g_str_equal(r->segments[i], seg[i])) {
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
is_websocket_upgrade(SoupServerMessage *msg)
{
	const char *up = soup_message_headers_get_one(soup_server_message_get_request_headers(msg),
						      "Upgrade");

	return up != NULL && g_ascii_strcasecmp(up, "websocket") == 0;
}

/* 401 or 403, or TRUE with req->user set. */
static gboolean
authorize(CavApi *api, const CavApiRoute *r, CavApiRequest *req, CavUserRow **out_user)
{
	const char *token = cav_api_token(req->msg);
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
		soup_message_headers_replace(soup_server_message_get_response_headers(req->msg),
					     "WWW-Authenticate", "Bearer realm=\"courtavd\"");
		cav_api_respond_status(req->msg, 401, "unauthorized",
				       token != NULL ? "Your login has expired: log in again."
						     : "Log in first: this call needs a user.",
				       token != NULL ? "登录已过期，请重新登录。" : "请先登录。");
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
	const char *method = soup_server_message_get_method(msg);
	g_auto(GStrv) seg = NULL;
	guint n;

	if (!g_str_has_prefix(path, "/api/v1/")) {
		cav_api_respond_not_found(msg);
		return;
	}
	if (GPOINTER_TO_INT(g_object_get_data(G_OBJECT(msg), "cav-too-large"))) {
		cav_api_respond_status(msg, 413, "too-large",
				       "Request body too large (at most 64 KiB).",
				       "请求内容过大。");
		return;
	}
	seg = g_strsplit(path + strlen("/api/v1/"), "/", 16);
	n = g_strv_length(seg);
	if (n > 0 && seg[n - 1][0] == '\0') /* tolerate a trailing slash */
		n--;
	for (guint i = 0; i < api->routes->len; i++) {
		CavApiRoute *r = api->routes->pdata[i];
		CavApiRequest req = {api, msg, query, 0, NULL, NULL, NULL, NULL};
		g_autoptr(CavUserRow) user = NULL;

		if (!g_str_equal(r->method, method) || !route_matches(r, seg, n, &req))
			continue;
		if (r->roles != CAV_ROLES_PUBLIC && !authorize(api, r, &req, &user))
			return;
		if (user != NULL) {
			req.user = user;
			req.actor = user->name;
			req.token = g_object_get_data(G_OBJECT(msg), "cav-token");
		}
		if (is_websocket_upgrade(msg)) {
			/* Authorized: leave the status unset so libsoup completes
			 * the handshake and calls the WebSocket handler (api-ws.c). */
			if (user != NULL && g_str_equal(path, "/api/v1/events")) {
				g_object_set_data_full(G_OBJECT(msg), "cav-user",
						       g_strdup(user->name), g_free);
				return;
			}
			cav_api_respond_bad(msg, "此接口不支持 WebSocket。",
					    "%s does not take a WebSocket.", path);
			return;
		}
		r->handler(&req);
		return;
	}
	cav_api_respond_not_found(msg);
}

/* ---- body limits ------------------------------------------------------- */

typedef struct {
	guint source;
	SoupServerMessage *msg; /* unowned: the timer dies with the message's data */
} BodyTimer;

static void
body_timer_free(BodyTimer *t)
{
	if (t->source != 0)
		g_source_remove(t->source);
	g_free(t);
}

static gboolean
on_body_timeout(gpointer data)
{
	BodyTimer *t = data;
	GSocket *sock = soup_server_message_get_socket(t->msg);

	t->source = 0;
	g_message("API: request body not received within %d s; closing the connection",
		  CAV_API_BODY_TIMEOUT_S);
	if (sock != NULL)
		g_socket_shutdown(sock, TRUE, TRUE, NULL);
	return G_SOURCE_REMOVE;
}

static void
stop_body_timer(SoupServerMessage *msg)
{
	g_object_set_data(G_OBJECT(msg), "cav-body-timer", NULL);
}

static void
mark_too_large(SoupServerMessage *msg)
{
	soup_message_body_set_accumulate(soup_server_message_get_request_body(msg), FALSE);
	soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Connection",
				     "close");
	g_object_set_data(G_OBJECT(msg), "cav-too-large", GINT_TO_POINTER(1));
}

static void
on_got_headers(SoupServerMessage *msg, gpointer user_data)
{
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	SoupEncoding enc = soup_message_headers_get_encoding(h);
	BodyTimer *t;

	if (enc == SOUP_ENCODING_CONTENT_LENGTH &&
	    soup_message_headers_get_content_length(h) > CAV_API_MAX_BODY) {
		mark_too_large(msg);
		/* Answer now; the body is read and dropped. */
		cav_api_respond_status(msg, 413, "too-large",
				       "Request body too large (at most 64 KiB).",
				       "请求内容过大。");
	}
	if (enc == SOUP_ENCODING_NONE || (enc == SOUP_ENCODING_CONTENT_LENGTH &&
					  soup_message_headers_get_content_length(h) == 0))
		return;
	t = g_new0(BodyTimer, 1);
	t->msg = msg;
	t->source = g_timeout_add_seconds(CAV_API_BODY_TIMEOUT_S, on_body_timeout, t);
	g_object_set_data_full(G_OBJECT(msg), "cav-body-timer", t, (GDestroyNotify)body_timer_free);
}

static void
on_got_chunk(SoupServerMessage *msg, GBytes *chunk, gpointer user_data)
{
	if (soup_server_message_get_request_body(msg)->length > CAV_API_MAX_BODY &&
	    !g_object_get_data(G_OBJECT(msg), "cav-too-large"))
		mark_too_large(msg);
}

static void
on_request_started(SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
	g_signal_connect(msg, "got-headers", G_CALLBACK(on_got_headers), NULL);
	g_signal_connect(msg, "got-chunk", G_CALLBACK(on_got_chunk), NULL);
	g_signal_connect(msg, "got-body", G_CALLBACK(stop_body_timer), NULL);
	g_signal_connect(msg, "finished", G_CALLBACK(stop_body_timer), NULL);
}

/* ---- server ------------------------------------------------------------ */

static void
register_routes(CavApi *api)
{
	api->routes = g_ptr_array_new_with_free_func((GDestroyNotify)route_free);
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
	g_signal_connect(api->server, "request-started", G_CALLBACK(on_request_started), api);
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
	for (guint i = 0; i < api.routes->len; i++) {
		CavApiRoute *r = api.routes->pdata[i];
		g_autofree char *pattern = g_strjoinv("/", r->segments);
		g_autofree char *roles = cav_api_roles_string(r->roles);

		fprintf(out, "%s /api/v1/%s %s\n", r->method, pattern, roles);
	}
	g_ptr_array_unref(api.routes);
}
