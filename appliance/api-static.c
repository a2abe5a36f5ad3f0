/* api-static.c — serves the web UI (ui/panel, the in-room status page)
 * from the configured ui_dir: GET and HEAD only, regular files only, no
 * ".." or hidden path segments, a fixed list of types. "/" redirects to
 * the panel. Every page gets a Content-Security-Policy that allows only
 * this origin's scripts, so injected text cannot run as code.
 * Main thread only; files are small and read whole.
 */
#include "api-private.h"

#include <string.h>

#define MAX_FILE (4 * 1024 * 1024)

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{".html", "text/html; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".mjs", "text/javascript; charset=utf-8"},
	{".json", "application/json; charset=utf-8"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".ico", "image/x-icon"},
};

static void
respond_plain(SoupServerMessage *msg, guint status, const char *text)
{
	soup_server_message_set_status(msg, status, NULL);
	soup_server_message_set_response(msg, "text/plain; charset=utf-8", SOUP_MEMORY_COPY, text,
					 strlen(text));
}

static gboolean
path_safe(const char *path)
{
	g_auto(GStrv) parts = g_strsplit(path, "/", -1);

	for (guint i = 0; parts[i] != NULL; i++)
		if (parts[i][0] == '.' || strchr(parts[i], '\\') != NULL)
			return FALSE;
	return TRUE;
}

void
cav_api_static_handler(SoupServer *server, SoupServerMessage *msg, const char *path,
		       GHashTable *query, gpointer user_data)
{
	CavApi *api = user_data;
	const char *method = soup_server_message_get_method(msg);
	const char *ui_dir = cav_room_config(api->room)->ui_dir;
	SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);
	g_autofree char *rel = NULL;
	g_autofree char *file = NULL;
	g_autofree char *data = NULL;
	const char *type = NULL;
	gsize len = 0;

	if (g_strcmp0(method, "GET") != 0 && g_strcmp0(method, "HEAD") != 0) {
		respond_plain(msg, 405, "Method not allowed\n");
		return;
	}
	if (g_str_equal(path, "/") || g_str_equal(path, "/panel")) {
		soup_server_message_set_redirect(msg, 302, "/panel/");
		return;
	}
	rel = g_str_has_suffix(path, "/") ? g_strconcat(path, "index.html", NULL) : g_strdup(path);
	if (!path_safe(rel)) {
		respond_plain(msg, 404, "Not found\n");
		return;
	}
	for (guint i = 0; i < G_N_ELEMENTS(types); i++)
		if (g_str_has_suffix(rel, types[i].ext))
			type = types[i].type;
	file = g_build_filename(ui_dir, rel, NULL);
	if (type == NULL || !g_file_test(file, G_FILE_TEST_IS_REGULAR) ||
	    !g_file_get_contents(file, &data, &len, NULL) || len > MAX_FILE) {
		respond_plain(msg, 404, "Not found\n");
		return;
	}
	soup_message_headers_replace(h, "Cache-Control", "no-cache");
	soup_message_headers_replace(h, "X-Content-Type-Options", "nosniff");
	soup_message_headers_replace(h, "X-Frame-Options", "DENY");
	soup_message_headers_replace(h, "Referrer-Policy", "no-referrer");
	soup_message_headers_replace(h, "Content-Security-Policy",
				     "default-src 'self'; img-src 'self' blob: data:; "
				     "connect-src 'self' ws: wss:; style-src 'self'; "
				     "script-src 'self'; frame-ancestors 'none'");
	soup_server_message_set_status(msg, 200, NULL);
	soup_server_message_set_response(msg, type, SOUP_MEMORY_TAKE, g_steal_pointer(&data), len);
}
