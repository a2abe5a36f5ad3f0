/* api-ui.c — the relay's web pages, as files:
 *   GET /                      → 302 /watch/
 *   GET /watch/, /watch/{file}          ui/watch (the public watch page)   public
 *   GET /watch/vendor/{file}            hls.js, built from the lock file   public
 *   GET /console/, /console/{file}      ui/console (operators, inspectors) public files; its API calls need a login
 *
 * Files come from [relay] ui_dir; hls.js from [public] vendor_dir (default
 * <ui_dir>/watch/vendor, where meson installs it; tests point it at the
 * build tree). Only names the router's {file} pattern accepts (no slash,
 * no leading dot) reach the file system. Main thread only.
 */
#include "http-private.h"

#include <string.h>

static const char *
content_type(const char *file)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{".html", "text/html; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".mjs", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".png", "image/png"},
		{".svg", "image/svg+xml"},
		{".json", "application/json"},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(types); i++)
		if (g_str_has_suffix(file, types[i].ext))
			return types[i].type;
	return NULL;
}

static void
send_file(CavRelayRequest *req, const char *dir, const char *file, const char *cache)
{
	g_autofree char *path = dir != NULL ? g_build_filename(dir, file, NULL) : NULL;
	const char *type = content_type(file);
	g_autoptr(GMappedFile) mf = NULL;
	g_autoptr(GBytes) body = NULL;

	if (path == NULL || type == NULL || !g_file_test(path, G_FILE_TEST_IS_REGULAR) ||
	    (mf = g_mapped_file_new(path, FALSE, NULL)) == NULL) {
		cav_relay_respond_not_found(req->msg);
		return;
	}
	body = g_mapped_file_get_bytes(mf);
	soup_server_message_set_status(req->msg, 200, NULL);
	soup_message_headers_replace(soup_server_message_get_response_headers(req->msg),
				     "Cache-Control", cache);
	soup_server_message_set_response(req->msg, type, SOUP_MEMORY_COPY, NULL, 0);
	soup_message_body_append_bytes(soup_server_message_get_response_body(req->msg), body);
}

static void
redirect(CavRelayRequest *req, const char *to)
{
	soup_server_message_set_redirect(req->msg, 302, to);
}

static char *
page_dir(CavRelayRequest *req, const char *page)
{
	const char *ui = cav_relay_config(req->relay)->ui_dir;

	return ui != NULL ? g_build_filename(ui, page, NULL) : NULL;
}

static void
get_root(CavRelayRequest *req)
{
	redirect(req, "/watch/");
}

static void
get_page_index(CavRelayRequest *req, const char *page)
{
	g_autofree char *dir = page_dir(req, page);

	/* "/watch" and "/watch/" reach here; relative links need the slash. */
	if (!g_str_has_suffix(req->path, "/")) {
		g_autofree char *to = g_strdup_printf("/%s/", page);

		redirect(req, to);
		return;
	}
	send_file(req, dir, "index.html", "no-cache");
}

static void
get_watch_index(CavRelayRequest *req)
{
	get_page_index(req, "watch");
}

static void
get_console_index(CavRelayRequest *req)
{
	get_page_index(req, "console");
}

static void
get_watch_file(CavRelayRequest *req)
{
	g_autofree char *dir = page_dir(req, "watch");

	send_file(req, dir, req->file, "no-cache");
}

static void
get_console_file(CavRelayRequest *req)
{
	g_autofree char *dir = page_dir(req, "console");

	send_file(req, dir, req->file, "no-cache");
}

static void
get_vendor_file(CavRelayRequest *req)
{
	const CavRelayConfig *c = cav_relay_config(req->relay);
	const char *vendor = g_hash_table_lookup(c->public_keys, "vendor_dir");
	g_autofree char *dir =
		vendor != NULL && *vendor != '\0'
			? g_strdup(vendor)
			: (c->ui_dir ? g_build_filename(c->ui_dir, "watch", "vendor", NULL) : NULL);

	send_file(req, dir, req->file, "public, max-age=86400");
}

void
cav_relay_api_ui_register(CavRelayHttp *http)
{
	cav_relay_route(http, "GET", "/", CAV_RELAY_ROLES_PUBLIC, get_root);
	cav_relay_route(http, "GET", "/watch", CAV_RELAY_ROLES_PUBLIC, get_watch_index);
	cav_relay_route(http, "GET", "/watch/vendor/{file}", CAV_RELAY_ROLES_PUBLIC,
			get_vendor_file);
	cav_relay_route(http, "GET", "/watch/{file}", CAV_RELAY_ROLES_PUBLIC, get_watch_file);
	cav_relay_route(http, "GET", "/console", CAV_RELAY_ROLES_PUBLIC, get_console_index);
	cav_relay_route(http, "GET", "/console/{file}", CAV_RELAY_ROLES_PUBLIC, get_console_file);
}
