/* http.c — the relay's HTTP server and router (http-private.h).
 *
 * One route table for the whole server: the control API under /api/v1,
 * and whatever other areas register (the public outputs' /hls/..., the
 * console's files). Each route names the roles that may call it; the
 * router authenticates bearer tokens (users.h) and device signatures
 * (devauth.h) before the handler runs, so no handler can forget to.
 * Bodies are bounded as in courtavd's api.c: a Content-Length above the
 * limit is refused with 413 as soon as the headers are in, chunked bodies
 * are cut off at the same size, and a body slower than
 * CAV_RELAY_BODY_TIMEOUT_S gets its connection shut. Connections that
 * clients drop while idle are closed by the reaper (common/http-reaper.h),
 * which libsoup 3.2 needs. Main thread only.
 */
#include "http-private.h"
#include "devauth.h"
#include "stats.h"
#include "common/reqsign.h"

#include <string.h>

typedef struct {
	char *method;   /* owned */
	GStrv segments; /* the pattern split on '/' (owned) */
	guint roles;
	CavRelayHandler handler;
} Route;

typedef void (*AreaRegister)(CavRelayHttp *http);

/* One line per area of the API. */
static const AreaRegister areas[] = {
	cav_relay_api_auth_register,  cav_relay_api_appliance_register,
	cav_relay_api_admin_register, cav_relay_api_live_register,
	cav_relay_api_ws_register,    cav_relay_api_public_register,
	cav_relay_api_ui_register,    cav_relay_api_view_register,
};

static void
route_free(Route *r)
{
	g_free(r->method);
	g_strfreev(r->segments);
	g_free(r);
}

void
cav_relay_route(CavRelayHttp *http, const char *method, const char *pattern, guint roles,
		CavRelayHandler handler)
{
	Route *r;

	g_return_if_fail(pattern != NULL && pattern[0] == '/');
	r = g_new0(Route, 1);
	r->method = g_strdup(method);
	r->segments = g_strsplit(pattern + 1, "/", -1);
	r->roles = roles;
	r->handler = handler;
	g_ptr_array_add(http->routes, r);
}

typedef struct {
	gpointer data;
	GDestroyNotify destroy;
} AreaData;

static void
area_data_free(AreaData *a)
{
	if (a->destroy != NULL)
		a->destroy(a->data);
	g_free(a);
}

void
cav_relay_http_set_area_data(CavRelayHttp *http, const char *area, gpointer data,
			     GDestroyNotify destroy)
{
	AreaData *a = g_new0(AreaData, 1);

	a->data = data;
	a->destroy = destroy;
	g_hash_table_replace(http->area_data, g_strdup(area), a);
}

gpointer
cav_relay_http_get_area_data(CavRelayHttp *http, const char *area)
{
	AreaData *a = g_hash_table_lookup(http->area_data, area);

	return a != NULL ? a->data : NULL;
}

/* ---- matching -------------------------------------------------------------- */

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

static gboolean
valid_file(const char *s)
{
	gsize n = strlen(s);

	if (n == 0 || n > 64 || s[0] == '.')
		return FALSE;
	for (gsize i = 0; i < n; i++)
		if (!g_ascii_isalnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return FALSE;
	return TRUE;
}

static gint64
parse_id(const char *s)
{
	char *end = NULL;
	guint64 v;

	if (!g_ascii_isdigit(s[0]) || strlen(s) > 18)
		return 0;
	v = g_ascii_strtoull(s, &end, 10);
	return (*end == '\0' && v > 0) ? (gint64)v : 0;
}

/* Whether @r matches the path's segments; fills req's wildcards. The
 * {key} pieces are joined into @keybuf. */
static gboolean
route_matches(const Route *r, char **seg, guint n, CavRelayRequest *req, char *keybuf, gsize keylen)
{
	guint i = 0;

	for (guint k = 0; r->segments[k] != NULL; k++) {
		const char *want = r->segments[k];

		if (i >= n)
			return FALSE;
		if (g_str_equal(want, "{id}")) {
			if ((req->id = parse_id(seg[i])) == 0)
				return FALSE;
		} else if (g_str_equal(want, "{name}")) {
			if (!valid_name(seg[i]))
				return FALSE;
			req->name = seg[i];
		} else if (g_str_equal(want, "{file}")) {
			if (!valid_file(seg[i]))
				return FALSE;
			req->file = seg[i];
		} else if (g_str_equal(want, "{key}")) {
			if (i + 1 >= n || !valid_name(seg[i]) || !valid_name(seg[i + 1]))
				return FALSE;
			g_snprintf(keybuf, keylen, "%s/%s", seg[i], seg[i + 1]);
			req->key = keybuf;
			i++;
		} else if (!g_str_equal(want, seg[i])) {
			return FALSE;
		}
		i++;
	}
	return i == n;
}

/* ---- authentication ----------------------------------------------------------- */

static void
answer_401(SoupServerMessage *msg, const char *en, const char *zh)
{
	soup_message_headers_replace(soup_server_message_get_response_headers(msg),
				     "WWW-Authenticate", "Bearer realm=\"courtav-relay\"");
	cav_relay_respond_error(msg, 401, "unauthorized", en, zh);
}

/* Sets req->user/role/actor from a bearer token; FALSE when none is valid. */
static gboolean
bearer_user(CavRelayHttp *http, CavRelayRequest *req, CavRelayUser **out_user)
{
	const char *token = cav_relay_bearer(req->msg);
	g_autofree char *clean = NULL;
	CavRelayUser *user;

	if (token == NULL)
		return FALSE;
	clean = g_strndup(token, strcspn(token, ", \t"));
	user = cav_relay_users_authenticate(cav_relay_users(http->relay), clean, NULL);
	if (user == NULL)
		return FALSE;
	*out_user = user;
	req->user = user;
	req->role = g_str_equal(user->role, "operator") ? CAV_RELAY_ROLE_OPERATOR
							: CAV_RELAY_ROLE_INSPECTOR;
	req->actor = user->name;
	g_object_set_data_full(G_OBJECT(req->msg), "cav-token", g_steal_pointer(&clean), g_free);
	req->token = g_object_get_data(G_OBJECT(req->msg), "cav-token");
	return TRUE;
}

static gboolean
device_signed(CavRelayHttp *http, CavRelayRequest *req, CavApplianceRow **out_app)
{
	SoupMessageHeaders *h = soup_server_message_get_request_headers(req->msg);
	SoupMessageBody *body = soup_server_message_get_request_body(req->msg);
	GUri *uri = soup_server_message_get_uri(req->msg);
	g_autofree char *target = NULL;
	CavDevAuthResult r;

	if (soup_message_headers_get_one(h, CAV_REQSIGN_HEADER_SIGNATURE) == NULL)
		return FALSE;
	target = g_uri_get_query(uri) != NULL
			 ? g_strdup_printf("%s?%s", g_uri_get_path(uri), g_uri_get_query(uri))
			 : g_strdup(g_uri_get_path(uri));
	r = cav_devauth_check(cav_relay_devauth(http->relay),
			      soup_server_message_get_method(req->msg), target,
			      (const guint8 *)body->data, (gsize)body->length,
			      soup_message_headers_get_one(h, CAV_REQSIGN_HEADER_KEY),
			      soup_message_headers_get_one(h, CAV_REQSIGN_HEADER_TIME),
			      soup_message_headers_get_one(h, CAV_REQSIGN_HEADER_NONCE),
			      soup_message_headers_get_one(h, CAV_REQSIGN_HEADER_SIGNATURE), NULL,
			      NULL, g_get_real_time(), out_app);
	if (r != CAV_DEVAUTH_OK) {
		g_autofree char *peer = cav_relay_peer(req->msg);

		g_message("device-signed %s %s from %s refused: %s",
			  soup_server_message_get_method(req->msg), target, peer ? peer : "?",
			  cav_devauth_result_text(r));
		g_object_set_data(G_OBJECT(req->msg), "cav-devauth", GINT_TO_POINTER(r));
		return FALSE;
	}
	req->appliance = *out_app;
	req->role = CAV_RELAY_ROLE_APPLIANCE;
	req->actor = g_object_get_data(G_OBJECT(req->msg), "cav-actor");
	if (req->actor == NULL) {
		g_object_set_data_full(G_OBJECT(req->msg), "cav-actor",
				       g_strdup_printf("appliance:%s", (*out_app)->id), g_free);
		req->actor = g_object_get_data(G_OBJECT(req->msg), "cav-actor");
	}
	return TRUE;
}

/* Runs the route's checks; answers 401/403 itself and returns FALSE. */
static gboolean
authorize(CavRelayHttp *http, const Route *r, CavRelayRequest *req, CavRelayUser **user,
	  CavApplianceRow **app)
{
	gboolean has_user = bearer_user(http, req, user);

	if (r->roles == CAV_RELAY_ROLES_PUBLIC) {
		if (!has_user)
			req->actor = "public";
		return TRUE;
	}
	if ((r->roles & CAV_RELAY_ROLE_APPLIANCE) && !has_user && device_signed(http, req, app))
		return TRUE;
	if (!has_user) {
		CavDevAuthResult why =
			GPOINTER_TO_INT(g_object_get_data(G_OBJECT(req->msg), "cav-devauth"));

		if (why != CAV_DEVAUTH_OK)
			answer_401(req->msg, cav_devauth_result_text(why), "设备签名无效。");
		else
			answer_401(req->msg,
				   cav_relay_bearer(req->msg) != NULL
					   ? "Your login has expired: log in again."
					   : "Log in first: this call needs a user.",
				   cav_relay_bearer(req->msg) != NULL ? "登录已过期，请重新登录。"
								      : "请先登录。");
		return FALSE;
	}
	if ((r->roles & req->role) == 0) {
		g_autofree char *en = g_strdup_printf("User %s (%s) may not do this.",
						      (*user)->name, (*user)->role);

		cav_relay_respond_error(req->msg, 403, "forbidden", en,
					"您的账户无权执行此操作，请联系运维人员。");
		return FALSE;
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

static void
dispatch(SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
	 gpointer user_data)
{
	CavRelayHttp *http = user_data;
	const char *method = soup_server_message_get_method(msg);
	g_auto(GStrv) seg = NULL;
	guint n;

	if (GPOINTER_TO_INT(g_object_get_data(G_OBJECT(msg), "cav-too-large"))) {
		cav_relay_respond_error(msg, 413, "too-large",
					"Request body too large (at most 64 KiB).",
					"请求内容过大。");
		return;
	}
	if (path[0] != '/' || strlen(path) > 1024) {
		cav_relay_respond_not_found(msg);
		return;
	}
	seg = g_strsplit(path + 1, "/", 24);
	n = g_strv_length(seg);
	if (n > 1 && seg[n - 1][0] == '\0') /* a trailing slash */
		n--;
	for (guint i = 0; i < http->routes->len; i++) {
		Route *r = http->routes->pdata[i];
		char keybuf[80];
		CavRelayRequest req = {0};
		g_autoptr(CavRelayUser) user = NULL;
		g_autoptr(CavApplianceRow) app = NULL;

		req.http = http;
		req.relay = http->relay;
		req.msg = msg;
		req.path = path;
		req.query = query;
		if (!g_str_equal(r->method, method) ||
		    !route_matches(r, seg, n, &req, keybuf, sizeof keybuf))
			continue;
		if (!authorize(http, r, &req, &user, &app))
			return;
		if (is_websocket_upgrade(msg)) {
			/* Authorized: leave the status unset so libsoup completes
			 * the handshake (api-ws.c). */
			if (g_str_equal(path, "/api/v1/events") && user != NULL) {
				g_object_set_data_full(G_OBJECT(msg), "cav-user",
						       g_strdup(user->name), g_free);
				return;
			}
			cav_relay_respond_bad(msg, "此接口不支持 WebSocket。",
					      "%s does not take a WebSocket.", path);
			return;
		}
		r->handler(&req);
		return;
	}
	cav_relay_respond_not_found(msg);
}

/* ---- body limits ---------------------------------------------------------------- */

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
	g_message("HTTP: request body not received within %d s; closing the connection",
		  CAV_RELAY_BODY_TIMEOUT_S);
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
	cav_relay_count_bad_body();
}

static void
on_got_headers(SoupServerMessage *msg, gpointer user_data)
{
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	SoupEncoding enc = soup_message_headers_get_encoding(h);
	BodyTimer *t;

	if (enc == SOUP_ENCODING_CONTENT_LENGTH &&
	    soup_message_headers_get_content_length(h) > CAV_RELAY_MAX_BODY) {
		mark_too_large(msg);
		cav_relay_respond_error(msg, 413, "too-large",
					"Request body too large (at most 64 KiB).",
					"请求内容过大。");
	}
	if (enc == SOUP_ENCODING_NONE || (enc == SOUP_ENCODING_CONTENT_LENGTH &&
					  soup_message_headers_get_content_length(h) == 0))
		return;
	t = g_new0(BodyTimer, 1);
	t->msg = msg;
	t->source = g_timeout_add_seconds(CAV_RELAY_BODY_TIMEOUT_S, on_body_timeout, t);
	g_object_set_data_full(G_OBJECT(msg), "cav-body-timer", t, (GDestroyNotify)body_timer_free);
}

static void
on_got_chunk(SoupServerMessage *msg, GBytes *chunk, gpointer user_data)
{
	if (soup_server_message_get_request_body(msg)->length > CAV_RELAY_MAX_BODY &&
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

/* ---- server ---------------------------------------------------------------------- */

static void
register_areas(CavRelayHttp *http)
{
	http->routes = g_ptr_array_new_with_free_func((GDestroyNotify)route_free);
	for (guint i = 0; i < G_N_ELEMENTS(areas); i++)
		areas[i](http);
}

static char *
first_uri(SoupServer *server)
{
	GSList *uris = soup_server_get_uris(server);
	char *url = NULL;

	if (uris != NULL) {
		g_autofree char *s = g_uri_to_string(uris->data);

		url = g_strndup(s, strlen(s) - (g_str_has_suffix(s, "/") ? 1 : 0));
	}
	g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
	return url;
}

CavRelayHttp *
cav_relay_http_new(CavRelay *relay, GError **error)
{
	const CavRelayConfig *c = cav_relay_config(relay);
	CavRelayHttp *http = g_new0(CavRelayHttp, 1);
	const char *ws_protocols[] = {CAV_RELAY_WS_PROTOCOL, NULL};
	g_autoptr(GSocketAddress) addr = NULL;
	SoupServerListenOptions options = 0;

	http->relay = relay;
	http->sockets = g_ptr_array_new_with_free_func(g_object_unref);
	http->area_data = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
						(GDestroyNotify)area_data_free);
	http->server = soup_server_new("server-header", "courtav-relay/" CAV_VERSION, NULL);
	/* libsoup 3.2 keeps connections dropped while idle open forever. */
	http->reaper = cav_http_reaper_new(http->server);
	if (c->tls_certificate != NULL) {
		g_autoptr(GTlsCertificate) cert =
			g_tls_certificate_new_from_files(c->tls_certificate, c->tls_key, error);

		if (cert == NULL) {
			g_prefix_error(error, "TLS certificate %s / key %s: ", c->tls_certificate,
				       c->tls_key);
			cav_relay_http_free(http);
			return NULL;
		}
		g_object_set(http->server, "tls-certificate", cert, NULL);
		options |= SOUP_SERVER_LISTEN_HTTPS;
	}
	register_areas(http);
	g_signal_connect(http->server, "request-started", G_CALLBACK(on_request_started), http);
	soup_server_add_handler(http->server, NULL, dispatch, http, NULL);
	/* The WebSocket's path needs the router too, registered on that very
	 * path: libsoup picks the most specific path's entry, runs its plain
	 * handler first (the router: 401/403) and upgrades only when that left
	 * the status unset. Without this line the upgrade would skip the
	 * router, and its authentication. */
	soup_server_add_handler(http->server, "/api/v1/events", dispatch, http, NULL);
	soup_server_add_websocket_handler(http->server, "/api/v1/events", NULL,
					  (char **)ws_protocols, cav_relay_ws_connected, http,
					  NULL);
	addr = g_inet_socket_address_new_from_string(c->listen_host, c->listen_port);
	if (addr == NULL || !soup_server_listen(http->server, addr, options, error)) {
		if (addr == NULL)
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "invalid listen address %s", c->listen_host);
		g_prefix_error(error, "Cannot listen on %s:%u: ", c->listen_host, c->listen_port);
		cav_relay_http_free(http);
		return NULL;
	}
	http->url = first_uri(http->server);
	return http;
}

void
cav_relay_http_free(CavRelayHttp *http)
{
	if (http == NULL)
		return;
	cav_relay_ws_stop(http);
	g_clear_pointer(&http->reaper, cav_http_reaper_free);
	/* Areas' state first: it may refer to the server. */
	g_clear_pointer(&http->area_data, g_hash_table_unref);
	if (http->server != NULL) {
		soup_server_disconnect(http->server);
		g_object_unref(http->server);
	}
	g_clear_pointer(&http->routes, g_ptr_array_unref);
	g_clear_pointer(&http->sockets, g_ptr_array_unref);
	g_free(http->url);
	g_free(http);
}

static char *
roles_string(guint roles)
{
	static const char *const names[] = {"operator", "inspector", "appliance"};
	GString *s = g_string_new(NULL);

	if (roles == CAV_RELAY_ROLES_PUBLIC)
		return g_string_free(g_string_append(s, "public"), FALSE);
	for (guint i = 0; i < G_N_ELEMENTS(names); i++)
		if (roles & (1u << i))
			g_string_append_printf(s, "%s%s", s->len ? "," : "", names[i]);
	return g_string_free(s, FALSE);
}

void
cav_relay_http_print_routes(FILE *out)
{
	CavRelayHttp http = {0};

	register_areas(&http);
	for (guint i = 0; i < http.routes->len; i++) {
		Route *r = http.routes->pdata[i];
		g_autofree char *pattern = g_strjoinv("/", r->segments);
		g_autofree char *roles = roles_string(r->roles);

		fprintf(out, "%s /%s %s\n", r->method, pattern, roles);
	}
	g_ptr_array_unref(http.routes);
}
