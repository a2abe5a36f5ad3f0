/* api-ws.c — GET /api/v1/events as a WebSocket (staff only): every event
 * of the relay's hub ("appliance", "live", "subscriber", ...) is sent to
 * every connected client as {"type": T, "data": {...}}. The router has
 * already checked the token (subprotocol "cav.token.<T>") before the
 * handshake. Main thread only.
 */
#include "http-private.h"

static void
on_event(const char *type, JsonNode *data, gpointer user_data)
{
	CavRelayHttp *http = user_data;
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree char *text = NULL;

	if (http->sockets->len == 0)
		return;
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, type);
	json_builder_set_member_name(b, "data");
	json_builder_add_value(b, json_node_copy(data));
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, NULL);
	for (guint i = 0; i < http->sockets->len; i++) {
		SoupWebsocketConnection *c = http->sockets->pdata[i];

		if (soup_websocket_connection_get_state(c) == SOUP_WEBSOCKET_STATE_OPEN)
			soup_websocket_connection_send_text(c, text);
	}
}

static void
on_closed(SoupWebsocketConnection *conn, gpointer user_data)
{
	CavRelayHttp *http = user_data;

	g_ptr_array_remove(http->sockets, conn);
}

void
cav_relay_ws_connected(SoupServer *server, SoupServerMessage *msg, const char *path,
		       SoupWebsocketConnection *conn, gpointer user_data)
{
	CavRelayHttp *http = user_data;

	if (http->hub_sub == 0)
		http->hub_sub =
			cav_event_hub_subscribe(cav_relay_events(http->relay), on_event, http);
	/* Clients only listen; anything they send is ignored, and big frames
	 * are refused by libsoup's limit. */
	soup_websocket_connection_set_max_incoming_payload_size(conn, 4096);
	g_ptr_array_add(http->sockets, g_object_ref(conn));
	g_signal_connect(conn, "closed", G_CALLBACK(on_closed), http);
}

void
cav_relay_ws_stop(CavRelayHttp *http)
{
	if (http->hub_sub != 0 && http->relay != NULL)
		cav_event_hub_unsubscribe(cav_relay_events(http->relay), http->hub_sub);
	http->hub_sub = 0;
	for (guint i = 0; http->sockets != NULL && i < http->sockets->len; i++)
		g_signal_handlers_disconnect_by_data(http->sockets->pdata[i], http);
}

static void
get_events(CavRelayRequest *req)
{
	cav_relay_respond_bad(req->msg, "请以 WebSocket 方式连接。",
			      "GET /api/v1/events is a WebSocket (subprotocol cav.v1).");
}

void
cav_relay_api_ws_register(CavRelayHttp *http)
{
	cav_relay_route(http, "GET", "/api/v1/events", CAV_RELAY_ROLES_STAFF, get_events);
}
