/* api.c — the control API's server and router. Each area of the API lives
 * in its own file (api-cases.c, api-hearings.c, api-device.c) and registers
 * its routes here; helpers for bodies and answers are in api-util.c.
 * Main thread only.
 */
#include "api-private.h"

#include <string.h>

typedef struct {
	char *method;   /* owned */
	GStrv segments; /* the pattern split on '/', "{id}" a wildcard (owned) */
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

/* Whether @r matches the path segments; sets *id from a "{id}" segment. */
static gboolean
route_matches(const CavApiRoute *r, char **seg, guint n, gint64 *id)
{
	if (g_strv_length(r->segments) != n)
		return FALSE;
	for (guint i = 0; i < n; i++) {
		if (g_str_equal(r->segments[i], "{id}")) {
			*id = parse_id(seg[i]);
			if (*id == 0)
				return FALSE;
		} else if (!g_str_equal(r->segments[i], seg[i])) {
			return FALSE;
		}
	}
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
	seg = g_strsplit(path + strlen("/api/v1/"), "/", 16);
	n = g_strv_length(seg);
	if (n > 0 && seg[n - 1][0] == '\0') /* tolerate a trailing slash */
		n--;
	for (guint i = 0; i < api->routes->len; i++) {
		CavApiRoute *r = api->routes->pdata[i];
		CavApiRequest req = { api, msg, query, 0, NULL };

		if (!g_str_equal(r->method, method) || !route_matches(r, seg, n, &req.id))
			continue;
		req.actor = cav_api_actor(msg);
		r->handler(&req);
		return;
	}
	cav_api_respond_not_found(msg);
}

CavApi *
cav_api_new(CavRoom *room, const CavSigner *signer, GError **error)
{
	const CavConfig *c = cav_room_config(room);
	g_autoptr(CavApi) api = g_new0(CavApi, 1);
	g_autoptr(GSocketAddress) addr = g_inet_socket_address_new_from_string(c->listen_host,
										c->listen_port);
	GSList *uris;

	api->room = room;
	api->signer = signer;
	api->routes = g_ptr_array_new_with_free_func((GDestroyNotify)route_free);
	cav_api_cases_register(api);
	cav_api_hearings_register(api);
	cav_api_device_register(api);
	api->server = soup_server_new("server-header", "courtavd/" CAV_VERSION, NULL);
	soup_server_add_handler(api->server, "/api/v1", handler, api, NULL);
	if (addr == NULL) {
		cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_INTERNAL,
				 "Invalid listen address %s", "监听地址无效：%s", c->listen_host);
		return NULL;
	}
	if (!soup_server_listen(api->server, addr, 0, error)) {
		g_prefix_error(error, "Cannot listen on %s:%u: ", c->listen_host, c->listen_port);
		return NULL;
	}
	uris = soup_server_get_uris(api->server);
	if (uris != NULL) {
		g_autofree char *s = g_uri_to_string(uris->data);

		api->url = g_strndup(s, strlen(s) - (g_str_has_suffix(s, "/") ? 1 : 0));
	}
	g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
	return g_steal_pointer(&api);
}

void
cav_api_free(CavApi *api)
{
	if (api == NULL)
		return;
	if (api->server != NULL) {
		soup_server_disconnect(api->server);
		g_object_unref(api->server);
	}
	g_ptr_array_unref(api->routes);
	g_free(api->url);
	g_free(api);
}

const char *
cav_api_url(CavApi *api)
{
	return api->url;
}
