/* http.c — the relay's HTTP server and router (http-private.h).
 *
 * One route table for the whole server: the control API under /api/v1,
 * and whatever other areas register (the public outputs' /hls/..., the
 * console's files). Each route names the roles that may call it; the
 * router authenticates bearer tokens (users.h) and device signatures
 * (devauth.h) before the handler runs, so no handler can forget to.
 * Bodies are bounded as in courtavd's api.c, by the same code
 * (common/http-limits.h): a Content-Length above the limit is refused with
 * 413 as soon as the headers are in, chunked bodies are cut off at the same
 * size, and a body slower than CAV_RELAY_BODY_TIMEOUT_S gets its connection
 * shut. The route table is common/http-route.h's, shared with courtavd.
 * Connections that clients drop while idle are closed by the reaper
 * (common/http-reaper.h), which libsoup 3.2 needs. Main thread only.
 */
#include "http-private.h"
#include "devauth.h"
#include "stats.h"
#include "common/reqsign.h"

#include <string.h>

typedef void (*AreaRegister)(CavRelayHttp *http);

/* One line per area of the API. */
static const AreaRegister areas[] = {
	cav_relay_api_auth_register,  cav_relay_api_appliance_register,
	cav_relay_api_admin_register, cav_relay_api_live_register,
	cav_relay_api_ws_register,    cav_relay_api_public_register,
	cav_relay_api_ui_register,    cav_relay_api_view_register,
};

/* The limits of request bodies. The 413 answer is compact JSON, as every
 * answer of the relay (http-util.c); each refused body is counted in the
 * stats ("api_bad_bodies"), which courtavd does not keep. */
static const CavHttpLimits limits = {
	.max_body = CAV_RELAY_MAX_BODY,
	.timeout_s = CAV_RELAY_BODY_TIMEOUT_S,
	.log_domain = G_LOG_DOMAIN,
	.log_prefix = "HTTP",
	.pretty = FALSE,
	.refused = cav_relay_count_bad_body,
};

/* An {id} has at most 18 digits here (courtavd's API bounds only its
 * value): kept so the relay's routes match what they always matched. */
#define ID_MAX_DIGITS 18

/* The roles' names, bit i named [i]. */
static const char *const role_names[] = {"operator", "inspector", "appliance"};

void
cav_relay_route(CavRelayHttp *http, const char *method, const char *pattern, guint roles,
		CavRelayHandler handler)
{
	cav_http_routes_add(http->routes, method, pattern, roles, (GCallback)handler);
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

/* ---- authentication ----------------------------------------------------------- */

/* Sets req->user/role/actor from a bearer token; FALSE when none is valid. */
static gboolean
bearer_user(CavRelayHttp *http, CavRelayRequest *req, CavRelayUser **out_user)
{
	const char *token = cav_http_bearer(req->msg);
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
		g_autofree char *peer = cav_http_peer(req->msg);

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
authorize(CavRelayHttp *http, const CavHttpRoute *r, CavRelayRequest *req, CavRelayUser **user,
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
			cav_http_respond_unauthorized(req->msg, "courtav-relay",
						      cav_devauth_result_text(why),
						      "设备签名无效。", FALSE);
		else
			cav_http_respond_login_needed(req->msg, "courtav-relay",
						      cav_http_bearer(req->msg) != NULL, FALSE);
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

static void
dispatch(SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
	 gpointer user_data)
{
	CavRelayHttp *http = user_data;
	CavRelayRequest req = {0};
	g_autoptr(CavRelayUser) user = NULL;
	g_autoptr(CavApplianceRow) app = NULL;
	g_auto(GStrv) seg = NULL;
	const CavHttpRoute *r;
	CavHttpRouteMatch m;
	guint n;

	if (cav_http_limits_refused(msg, &limits))
		return;
	if (path[0] != '/' || strlen(path) > 1024) {
		cav_relay_respond_not_found(msg);
		return;
	}
	seg = cav_http_path_split(path + 1, 24, &n);
	r = cav_http_routes_find(http->routes, soup_server_message_get_method(msg), seg, n,
				 ID_MAX_DIGITS, &m);
	if (r == NULL) {
		cav_relay_respond_not_found(msg);
		return;
	}
	req.http = http;
	req.relay = http->relay;
	req.msg = msg;
	req.path = path;
	req.query = query;
	req.id = m.id;
	req.name = m.name;
	req.file = m.file;
	req.key = m.key[0] != '\0' ? m.key : NULL;
	if (!authorize(http, r, &req, &user, &app))
		return;
	/* Authorized: a WebSocket of /api/v1/events is left to libsoup to
	 * complete (api-ws.c). */
	if (cav_http_websocket_gate(msg, path, "/api/v1/events", user != NULL ? user->name : NULL,
				    FALSE))
		return;
	((CavRelayHandler)r->handler)(&req);
}

/* ---- server ---------------------------------------------------------------------- */

static void
register_areas(CavRelayHttp *http)
{
	http->routes = cav_http_routes_new();
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
	cav_http_limits_attach(http->server, &limits);
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

void
cav_relay_http_print_routes(FILE *out)
{
	CavRelayHttp http = {0};

	register_areas(&http);
	cav_http_routes_print(out, http.routes, "/", role_names, G_N_ELEMENTS(role_names));
	g_ptr_array_unref(http.routes);
}
