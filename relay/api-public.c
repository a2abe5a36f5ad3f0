/* api-public.c — the public outputs over HTTP (docs/API.md, "Relay: public
 * output"):
 *   GET  /api/v1/public/hearings        live and on-demand public hearings   public
 *   GET  /hls/{token}/live.m3u8         live playlist (max-age=1)             public
 *   GET  /hls/{token}/vod.m3u8          on-demand playlist of a finished one  public
 *   GET  /hls/{token}/s000123.ts        a segment (immutable)                 public
 *   GET  /api/v1/public/hls-auth        nginx auth_request: may X-Original-URI
 *                                       be served now? 200 / 403 (max-age=1)  public
 *   POST /api/v1/rooms/{key}/cut        slate on the public output            operator, the room's appliance
 *   POST /api/v1/rooms/{key}/uncut      live picture again                    operator, the room's appliance
 *   GET  /api/v1/rooms/{key}/public     the room's public output state        staff
 *
 * Everything under /hls/ is answered from the broadcast table (hls.h): a
 * token that is not there (never was, or revoked) is 404, whatever files
 * might exist. Playlists are rendered from memory on each request, so
 * they are never staler than the last closed segment.
 *
 * Main thread only. The HLS object is this area's data (created here,
 * freed with the router).
 */
#include "http-private.h"
#include "relay/hls.h"

#include <gst/gst.h>
#include <string.h>

#define AREA "public"
#define SEGMENT_CACHE "public, max-age=31536000, immutable"
#define LIVE_CACHE "public, max-age=1"
#define VOD_CACHE "public, max-age=10"

static CavHls *
hls_of(CavRelayRequest *req)
{
	return cav_relay_http_get_area_data(req->http, AREA);
}

static const char *
state_name(CavHlsState s)
{
	return s == CAV_HLS_LIVE ? "live" : s == CAV_HLS_PAUSED ? "paused" : "finished";
}

static void
add_str(JsonBuilder *b, const char *name, const char *value)
{
	json_builder_set_member_name(b, name);
	if (value != NULL)
		json_builder_add_string_value(b, value);
	else
		json_builder_add_null_value(b);
}

static void
json_broadcast(JsonBuilder *b, const CavHlsListItem *it)
{
	const CavHlsBroadcast *bc = it->b;
	g_autofree char *live = g_strdup_printf("/hls/%s/live.m3u8", bc->token);
	g_autofree char *vod = g_strdup_printf("/hls/%s/vod.m3u8", bc->token);

	json_builder_begin_object(b);
	add_str(b, "id", bc->token);
	add_str(b, "court", bc->court);
	add_str(b, "room_name", bc->room_name);
	add_str(b, "case_number", bc->case_number);
	add_str(b, "case_title", bc->case_title);
	add_str(b, "cause", bc->cause);
	add_str(b, "state", state_name(it->state));
	json_builder_set_member_name(b, "cut");
	json_builder_add_boolean_value(b, it->cut);
	cav_relay_json_time(b, "started", bc->started_us);
	cav_relay_json_time(b, "ended", bc->ended_us);
	json_builder_set_member_name(b, "duration_s");
	json_builder_add_double_value(b, (double)(cav_hls_broadcast_duration_us(bc) / 1000) / 1000);
	add_str(b, "playlist", it->state == CAV_HLS_FINISHED ? vod : live);
	json_builder_end_object(b);
}

static void
get_hearings(CavRelayRequest *req)
{
	g_autoptr(GArray) all = cav_hls_list(hls_of(req));
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "live");
	json_builder_begin_array(b);
	for (guint i = 0; i < all->len; i++) {
		const CavHlsListItem *it = &g_array_index(all, CavHlsListItem, i);

		if (it->state != CAV_HLS_FINISHED)
			json_broadcast(b, it);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "on_demand");
	json_builder_begin_array(b);
	for (guint i = 0; i < all->len; i++) {
		const CavHlsListItem *it = &g_array_index(all, CavHlsListItem, i);

		if (it->state == CAV_HLS_FINISHED && it->b->segments->len > 0)
			json_broadcast(b, it);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	cav_relay_respond_json(req->msg, 200, b);
	/* The list changes every few seconds at most; let a cache hold it
	 * briefly (respond_json said no-store). */
	soup_message_headers_replace(soup_server_message_get_response_headers(req->msg),
				     "Cache-Control", "public, max-age=2");
}

static void
set_media(SoupServerMessage *msg, const char *type, const char *cache, GBytes *body)
{
	SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);

	soup_message_headers_replace(h, "Cache-Control", cache);
	soup_message_headers_replace(h, "Access-Control-Allow-Origin", "*");
	soup_server_message_set_status(msg, 200, NULL);
	soup_server_message_set_response(msg, type, SOUP_MEMORY_COPY, NULL, 0);
	soup_message_body_append_bytes(soup_server_message_get_response_body(msg), body);
}

/* Whether @file of @token may be served now; sets *state. */
static const CavHlsBroadcast *
servable(CavHls *hls, const char *token, const char *file, CavHlsState *state)
{
	const CavHlsBroadcast *b;

	if (hls == NULL || token == NULL || !cav_hls_file_name_valid(file))
		return NULL;
	b = cav_hls_find(hls, token, state);
	if (b == NULL)
		return NULL;
	/* The on-demand list exists once the hearing ended. */
	if (g_str_equal(file, "vod.m3u8") && *state != CAV_HLS_FINISHED)
		return NULL;
	return b;
}

static void
get_hls(CavRelayRequest *req)
{
	CavHls *hls = hls_of(req);
	CavHlsState state;
	const CavHlsBroadcast *b = servable(hls, req->name, req->file, &state);

	if (b == NULL) {
		cav_relay_respond_not_found(req->msg);
		return;
	}
	if (g_str_has_suffix(req->file, ".m3u8")) {
		gboolean live = g_str_equal(req->file, "live.m3u8");
		char *text =
			live ? cav_hls_broadcast_live_playlist(b, cav_hls_get_config(hls)->window)
			     : cav_hls_broadcast_vod_playlist(b);
		g_autoptr(GBytes) body = g_bytes_new_take(text, strlen(text));

		set_media(req->msg, "application/vnd.apple.mpegurl",
			  live && state != CAV_HLS_FINISHED ? LIVE_CACHE : VOD_CACHE, body);
		return;
	}
	{
		g_autofree char *dir = cav_hls_broadcast_dir(hls, b->token);
		g_autofree char *path = g_build_filename(dir, req->file, NULL);
		guint index = (guint)g_ascii_strtoull(req->file + 1, NULL, 10);
		g_autoptr(GMappedFile) mf = NULL;
		g_autoptr(GBytes) body = NULL;

		/* Only segments already listed: the one being written is not
		 * complete yet. */
		if (index == 0 || index >= cav_hls_broadcast_next_index(b) ||
		    (mf = g_mapped_file_new(path, FALSE, NULL)) == NULL) {
			cav_relay_respond_not_found(req->msg);
			return;
		}
		body = g_mapped_file_get_bytes(mf);
		set_media(req->msg, "video/mp2t", SEGMENT_CACHE, body);
	}
}

/* nginx's auth_request: the original URI comes in a header. */
static void
get_hls_auth(CavRelayRequest *req)
{
	SoupMessageHeaders *h = soup_server_message_get_request_headers(req->msg);
	const char *uri = soup_message_headers_get_one(h, "X-Original-URI");
	g_auto(GStrv) parts = NULL;
	CavHlsState state;
	gboolean ok = FALSE;

	if (uri != NULL && g_str_has_prefix(uri, "/hls/") && strchr(uri, '?') == NULL) {
		parts = g_strsplit(uri + strlen("/hls/"), "/", 3);
		ok = g_strv_length(parts) == 2 &&
		     servable(hls_of(req), parts[0], parts[1], &state) != NULL;
	}
	/* 200 with an empty body rather than 204: libsoup then keeps the
	 * connection reusable for nginx's keepalive pool. */
	soup_server_message_set_status(req->msg, ok ? 200 : 403, NULL);
	soup_server_message_set_response(req->msg, "text/plain", SOUP_MEMORY_STATIC, "", 0);
	soup_message_headers_replace(soup_server_message_get_response_headers(req->msg),
				     "Cache-Control", "max-age=1");
}

/* The room's own appliance may cut it (the clerk's panel through the
 * appliance's link); operators may cut any room. */
static gboolean
may_cut(CavRelayRequest *req)
{
	if (req->role != CAV_RELAY_ROLE_APPLIANCE)
		return TRUE;
	if (req->appliance != NULL && g_str_has_prefix(req->key, req->appliance->id) &&
	    req->key[strlen(req->appliance->id)] == '/')
		return TRUE;
	cav_relay_respond_error(req->msg, 403, "forbidden",
				"An appliance may cut only its own rooms.",
				"设备只能暂停本机房间的直播。");
	return FALSE;
}

static void
post_cut_common(CavRelayRequest *req, gboolean cut)
{
	static const char *const allowed[] = {"reason", NULL};
	CavHls *hls = hls_of(req);
	g_autoptr(JsonObject) body = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = NULL;
	g_autofree char *detail = NULL;
	const char *reason = NULL;
	gint64 at_us = 0;

	if (!may_cut(req) || (body = cav_relay_read_body(req->msg, allowed)) == NULL ||
	    !cav_relay_get_string(req->msg, body, "reason", 200, &reason))
		return;
	if (hls == NULL || !cav_hls_get_config(hls)->enabled) {
		cav_relay_respond_error(
			req->msg, 409, "public-disabled",
			"Public output is disabled on this relay ([public] enabled).",
			"本平台未启用公开直播。");
		return;
	}
	if (!cav_hls_set_cut(hls, req->key, cut, &at_us, &error)) {
		cav_relay_respond_error(req->msg, 404, "not-found", error->message,
					"没有这个法庭。");
		return;
	}
	b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "reason");
	json_builder_add_string_value(b, reason ? reason : "");
	json_builder_end_object(b);
	{
		g_autoptr(JsonNode) root = json_builder_get_root(b);

		detail = json_to_string(root, FALSE);
	}
	cav_relay_audit_req(req, cut ? "public.cut" : "public.uncut", req->key, detail);
	g_clear_object(&b);
	b = json_builder_new();
	json_builder_begin_object(b);
	add_str(b, "room_key", req->key);
	json_builder_set_member_name(b, "cut");
	json_builder_add_boolean_value(b, cut);
	cav_relay_json_time(b, "at", at_us);
	json_builder_set_member_name(b, "delay_seconds");
	json_builder_add_int_value(b, cav_hls_get_config(hls)->delay_ms / 1000);
	json_builder_end_object(b);
	cav_relay_respond_json(req->msg, 200, b);
}

static void
post_cut(CavRelayRequest *req)
{
	post_cut_common(req, TRUE);
}

static void
post_uncut(CavRelayRequest *req)
{
	post_cut_common(req, FALSE);
}

static void
get_room_public(CavRelayRequest *req)
{
	CavHls *hls = hls_of(req);
	g_autoptr(JsonBuilder) b = json_builder_new();
	CavHlsState state = CAV_HLS_FINISHED;
	gboolean cut = FALSE;
	const char *token = NULL;
	gboolean known = hls != NULL && cav_hls_room_state(hls, req->key, &state, &cut, &token);

	json_builder_begin_object(b);
	add_str(b, "room_key", req->key);
	add_str(b, "state", known && token != NULL ? state_name(state) : "off");
	json_builder_set_member_name(b, "cut");
	json_builder_add_boolean_value(b, cut);
	cav_relay_json_time(b, "cut_media", known ? cav_hls_cut_media_us(hls, req->key) : 0);
	if (token != NULL) {
		g_autofree char *url = g_strdup_printf("/hls/%s/live.m3u8", token);

		add_str(b, "playlist", url);
	} else {
		add_str(b, "playlist", NULL);
	}
	json_builder_set_member_name(b, "delay_seconds");
	json_builder_add_int_value(b, hls != NULL ? cav_hls_get_config(hls)->delay_ms / 1000 : 0);
	json_builder_end_object(b);
	cav_relay_respond_json(req->msg, 200, b);
}

static void
hls_destroy(gpointer data)
{
	cav_hls_free(data);
}

/* The HLS output this area serves, when the relay runs (not for
 * --list-routes, which registers the routes of a router without a relay). */
static void
start_hls(CavRelayHttp *http)
{
	const CavRelayConfig *rc = cav_relay_config(http->relay);
	g_autoptr(GError) error = NULL;
	CavHlsConfig cfg = {0};
	CavHls *hls = NULL;

	gst_init(NULL, NULL);
	if (!cav_hls_config_parse(rc->public_keys, rc->state_dir, &cfg, &error) ||
	    (hls = cav_hls_new(&cfg, cav_relay_directory(http->relay), &error)) == NULL) {
		/* The relay still serves its other areas; the public
		 * endpoints answer as if nothing were public. */
		g_warning("public output disabled: %s", error->message);
	} else {
		cav_relay_http_set_area_data(http, AREA, hls, hls_destroy);
		if (cfg.enabled)
			g_message("public output: HLS in %s, %u ms segments, delay %u s, %ux%u",
				  cfg.hls_dir, cfg.segment_ms, cfg.delay_ms / 1000, cfg.width,
				  cfg.height);
	}
	cav_hls_config_clear(&cfg);
}

void
cav_relay_api_public_register(CavRelayHttp *http)
{
	if (http->relay != NULL)
		start_hls(http);
	cav_relay_route(http, "GET", "/api/v1/public/hearings", CAV_RELAY_ROLES_PUBLIC,
			get_hearings);
	cav_relay_route(http, "GET", "/api/v1/public/hls-auth", CAV_RELAY_ROLES_PUBLIC,
			get_hls_auth);
	cav_relay_route(http, "GET", "/hls/{name}/{file}", CAV_RELAY_ROLES_PUBLIC, get_hls);
	cav_relay_route(http, "POST", "/api/v1/rooms/{key}/cut",
			CAV_RELAY_ROLE_OPERATOR | CAV_RELAY_ROLE_APPLIANCE, post_cut);
	cav_relay_route(http, "POST", "/api/v1/rooms/{key}/uncut",
			CAV_RELAY_ROLE_OPERATOR | CAV_RELAY_ROLE_APPLIANCE, post_uncut);
	cav_relay_route(http, "GET", "/api/v1/rooms/{key}/public", CAV_RELAY_ROLES_STAFF,
			get_room_public);
}
