/* http-route.c — route patterns, matching, and the request facts a router
 * reads (http-route.h). Main context only.
 */
#include "http-route.h"
#include "http-json.h"

#include <string.h>

static void
route_free(CavHttpRoute *r)
{
	g_free(r->method);
	g_strfreev(r->segments);
	g_free(r);
}

GPtrArray *
cav_http_routes_new(void)
{
	return g_ptr_array_new_with_free_func((GDestroyNotify)route_free);
}

void
cav_http_routes_add(GPtrArray *routes, const char *method, const char *pattern, guint roles,
		    GCallback handler)
{
	CavHttpRoute *r;

	g_return_if_fail(pattern != NULL && pattern[0] == '/');
	r = g_new0(CavHttpRoute, 1);
	r->method = g_strdup(method);
	r->segments = g_strsplit(pattern + 1, "/", -1);
	r->roles = roles;
	r->handler = handler;
	g_ptr_array_add(routes, r);
}

char **
cav_http_path_split(const char *rest, guint max_segments, guint *n)
{
	char **seg = g_strsplit(rest, "/", (gint)max_segments);

	*n = g_strv_length(seg);
	if (*n > 0 && seg[*n - 1][0] == '\0') /* a trailing slash */
		(*n)--;
	return seg;
}

/* ---- matching ------------------------------------------------------------ */

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

/* The positive integer @s, or 0. */
static gint64
parse_id(const char *s, guint max_digits)
{
	char *end = NULL;
	guint64 v;

	if (!g_ascii_isdigit(s[0]) || (max_digits > 0 && strlen(s) > max_digits))
		return 0;
	v = g_ascii_strtoull(s, &end, 10);
	return (*end == '\0' && v > 0 && v < G_MAXINT64) ? (gint64)v : 0;
}

/* Whether @r matches: see cav_http_routes_find(). */
static gboolean
route_match(const CavHttpRoute *r, const char *method, char **seg, guint n, guint id_max_digits,
	    CavHttpRouteMatch *m)
{
	guint i = 0;

	memset(m, 0, sizeof *m);
	if (!g_str_equal(r->method, method))
		return FALSE;
	for (guint k = 0; r->segments[k] != NULL; k++) {
		const char *want = r->segments[k];

		if (i >= n)
			return FALSE;
		if (g_str_equal(want, "{id}")) {
			if ((m->id = parse_id(seg[i], id_max_digits)) == 0)
				return FALSE;
		} else if (g_str_equal(want, "{name}")) {
			if (!valid_name(seg[i]))
				return FALSE;
			m->name = seg[i];
		} else if (g_str_equal(want, "{file}")) {
			if (!valid_file(seg[i]))
				return FALSE;
			m->file = seg[i];
		} else if (g_str_equal(want, "{key}")) {
			if (i + 1 >= n || !valid_name(seg[i]) || !valid_name(seg[i + 1]))
				return FALSE;
			g_snprintf(m->key, sizeof m->key, "%s/%s", seg[i], seg[i + 1]);
			i++;
		} else if (!g_str_equal(want, seg[i])) {
			return FALSE;
		}
		i++;
	}
	return i == n;
}

const CavHttpRoute *
cav_http_routes_find(GPtrArray *routes, const char *method, char **seg, guint n,
		     guint id_max_digits, CavHttpRouteMatch *m)
{
	for (guint i = 0; i < routes->len; i++)
		if (route_match(routes->pdata[i], method, seg, n, id_max_digits, m))
			return routes->pdata[i];
	return NULL;
}

/* ---- listing ------------------------------------------------------------- */

char *
cav_http_roles_string(guint roles, const char *const *names, guint n_names)
{
	GString *s = g_string_new(NULL);

	if (roles == 0)
		return g_string_free(g_string_append(s, "public"), FALSE);
	for (guint i = 0; i < n_names; i++)
		if (roles & (1u << i))
			g_string_append_printf(s, "%s%s", s->len ? "," : "", names[i]);
	return g_string_free(s, FALSE);
}

void
cav_http_routes_print(FILE *out, GPtrArray *routes, const char *prefix,
		      const char *const *role_names, guint n_role_names)
{
	for (guint i = 0; i < routes->len; i++) {
		CavHttpRoute *r = routes->pdata[i];
		g_autofree char *pattern = g_strjoinv("/", r->segments);
		g_autofree char *roles = cav_http_roles_string(r->roles, role_names, n_role_names);

		fprintf(out, "%s %s%s %s\n", r->method, prefix, pattern, roles);
	}
}

/* ---- requests ------------------------------------------------------------ */

const char *
cav_http_bearer(SoupServerMessage *msg)
{
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	const char *auth = soup_message_headers_get_one(h, "Authorization");
	const char *protocols, *p;

	if (auth != NULL && g_ascii_strncasecmp(auth, "Bearer ", 7) == 0)
		return auth + 7;
	/* Browsers cannot set headers on a WebSocket; the token rides in the
	 * subprotocol list instead ("cav.v1, cav.token.T"). What follows the
	 * token in the list is the caller's to cut off. */
	protocols = soup_message_headers_get_one(h, "Sec-WebSocket-Protocol");
	if (protocols != NULL && (p = strstr(protocols, "cav.token.")) != NULL)
		return p + strlen("cav.token.");
	return NULL;
}

char *
cav_http_peer(SoupServerMessage *msg)
{
	GSocketAddress *addr = soup_server_message_get_remote_address(msg);

	if (addr == NULL || !G_IS_INET_SOCKET_ADDRESS(addr))
		return NULL;
	return g_inet_address_to_string(
		g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(addr)));
}

static gboolean
is_websocket_upgrade(SoupServerMessage *msg)
{
	const char *up = soup_message_headers_get_one(soup_server_message_get_request_headers(msg),
						      "Upgrade");

	return up != NULL && g_ascii_strcasecmp(up, "websocket") == 0;
}

gboolean
cav_http_websocket_gate(SoupServerMessage *msg, const char *path, const char *ws_path,
			const char *user_name, gboolean pretty)
{
	g_autofree char *en = NULL;

	if (!is_websocket_upgrade(msg))
		return FALSE;
	if (user_name != NULL && g_str_equal(path, ws_path)) {
		g_object_set_data_full(G_OBJECT(msg), "cav-user", g_strdup(user_name), g_free);
		return TRUE;
	}
	en = g_strdup_printf("%s does not take a WebSocket.", path);
	cav_http_respond_error(msg, 400, "bad-request", en, "此接口不支持 WebSocket。", pretty);
	return TRUE;
}
