/* api-ws.c — the WebSocket /api/v1/events: every event of the room's hub
 * (state, alarm, source, levels, job; events.h) as one text message
 * {"type": ..., "data": {...}}, to logged-in clients.
 *
 * Authentication happens before the handshake (api.c): the browser offers
 * the subprotocols "cav.v1" and "cav.token.<token>", the router checks the
 * token, and libsoup answers with "cav.v1". A connection is closed (code
 * 4001) at the first event after its session expired. Clients only listen:
 * what they send is ignored, and more than 4 KiB in one message closes the
 * connection. Main thread only.
 */
#include "api-private.h"

typedef struct {
	CavApi *api;                   /* unowned */
	SoupWebsocketConnection *conn; /* owned */
	char *user;                    /* owned */
	gint64 expires_us;
	guint sub;
} WsClient;

static void
client_free(WsClient *c)
{
	if (c->sub != 0)
		cav_event_hub_unsubscribe(cav_room_events(c->api->room), c->sub);
	g_signal_handlers_disconnect_by_data(c->conn, c);
	if (soup_websocket_connection_get_state(c->conn) == SOUP_WEBSOCKET_STATE_OPEN)
		soup_websocket_connection_close(c->conn, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
	g_object_unref(c->conn);
	g_free(c->user);
	g_free(c);
}

static void
send_json(WsClient *c, const char *type, JsonNode *data)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree char *text = NULL;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, type);
	json_builder_set_member_name(b, "data");
	json_builder_add_value(b, json_node_copy(data));
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	text = json_to_string(root, FALSE);
	soup_websocket_connection_send_text(c->conn, text);
}

static void
on_event(const char *type, JsonNode *data, gpointer user_data)
{
	WsClient *c = user_data;

	if (soup_websocket_connection_get_state(c->conn) != SOUP_WEBSOCKET_STATE_OPEN)
		return;
	if (g_get_real_time() >= c->expires_us) {
		soup_websocket_connection_close(c->conn, 4001, "session expired");
		return;
	}
	send_json(c, type, data);
}

static void
on_closed(SoupWebsocketConnection *conn, gpointer user_data)
{
	WsClient *c = user_data;

	g_debug("WebSocket of %s closed", c->user);
	/* Frees @c (the array owns it). */
	g_ptr_array_remove(c->api->sockets, c);
}

void
cav_api_ws_connected(SoupServer *server, SoupServerMessage *msg, const char *path,
		     SoupWebsocketConnection *conn, gpointer user_data)
{
	CavApi *api = user_data;
	const char *user = g_object_get_data(G_OBJECT(msg), "cav-user");
	gint64 *expires = g_object_get_data(G_OBJECT(msg), "cav-expires");
	WsClient *c;
	JsonNode *hello;

	if (user == NULL || expires == NULL) { /* cannot happen: the router checked */
		soup_websocket_connection_close(conn, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, NULL);
		return;
	}
	c = g_new0(WsClient, 1);
	c->api = api;
	c->conn = g_object_ref(conn);
	c->user = g_strdup(user);
	c->expires_us = *expires;
	soup_websocket_connection_set_max_incoming_payload_size(conn, 4096);
	soup_websocket_connection_set_keepalive_interval(conn, 20);
	g_signal_connect(conn, "closed", G_CALLBACK(on_closed), c);
	g_ptr_array_add(api->sockets, c);
	hello = cav_event_object("user", user, NULL);
	send_json(c, "hello", hello);
	json_node_unref(hello);
	c->sub = cav_event_hub_subscribe(cav_room_events(api->room), on_event, c);
}

void
cav_api_ws_start(CavApi *api)
{
	api->sockets = g_ptr_array_new_with_free_func((GDestroyNotify)client_free);
}

void
cav_api_ws_stop(CavApi *api)
{
	g_clear_pointer(&api->sockets, g_ptr_array_unref);
}
