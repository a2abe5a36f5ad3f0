/* api-device.c — /status, /events, /device/public-key (docs/API.md).
 * Main thread only. */
#include "api-private.h"

#include <string.h>

static void
get_status(CavApiRequest *req)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	cav_json_status(b, req->api->room, req->api->reaper);
	cav_api_respond_json(req->msg, 200, b);
}

static void
get_events(CavApiRequest *req)
{
	const char *after_s = req->query ? g_hash_table_lookup(req->query, "after") : NULL;
	gint64 after = after_s ? g_ascii_strtoll(after_s, NULL, 10) : 0;
	g_autoptr(GPtrArray) rows =
		cav_store_event_list(cav_room_store(req->api->room), after, 200, NULL);
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "events");
	json_builder_begin_array(b);
	for (guint i = 0; rows != NULL && i < rows->len; i++)
		cav_json_event(b, rows->pdata[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
	cav_api_respond_json(req->msg, 200, b);
}

static void
get_public_key(CavApiRequest *req)
{
	SoupMessageHeaders *h = soup_server_message_get_response_headers(req->msg);
	const CavSigner *signer = req->api->signer;
	const char *pem = cav_signer_public_pem(signer);

	soup_message_headers_replace(h, "X-Cav-Sig-Alg", cav_signer_alg(signer));
	soup_message_headers_replace(h, "X-Cav-Key-Id", cav_signer_key_id(signer));
	soup_server_message_set_status(req->msg, 200, NULL);
	soup_server_message_set_response(req->msg, "application/x-pem-file", SOUP_MEMORY_COPY, pem,
					 strlen(pem));
}

void
cav_api_device_register(CavApi *api)
{
	cav_api_route(api, "GET", "/status", CAV_ROLES_ANY, get_status);
	cav_api_route(api, "GET", "/events", CAV_ROLES_ANY, get_events);
	cav_api_route(api, "GET", "/device/public-key", CAV_ROLES_PUBLIC, get_public_key);
}
