/* api-live.c — internal subscribers of a room's live stream (inspectors'
 * players, video-wall decoders, other relays), SDES-style: the relay
 * hands out a fresh SRTP key per subscriber over this API.
 *   POST   /api/v1/live/{key}/subscribers   {address?, suite?}          staff
 *          → {id, suite, key, rtcp_ssrc, ssrc_video, ssrc_audio, media_host, media_port, ...}
 *   GET    /api/v1/live/{key}/subscribers                               staff
 *   DELETE /api/v1/live/{key}/subscribers/{id}                          staff
 * Media goes to "address" when given, else to where the subscriber's
 * first authenticated SRTCP packet (sent with rtcp_ssrc) comes from; a
 * subscriber silent for 30 s, or reporting heavy loss, is dropped.
 * Every subscription and its end is an audit row (who watched which room).
 * Main thread only.
 */
#include "http-private.h"
#include "ingest.h"
#include "stream.h"
#include "common/rtp.h"

#include <gio/gio.h>
#include <openssl/crypto.h>
#include <string.h>

typedef struct {
	guint64 id;
	char *room_key; /* owned */
	char *actor;    /* owned */
	gint64 created_us;
} Sub;

typedef struct {
	GHashTable *subs; /* id -> Sub * (owned) */
	guint64 next_id;
} LiveArea;

static void
sub_free(Sub *s)
{
	g_free(s->room_key);
	g_free(s->actor);
	g_free(s);
}

static void
area_free(LiveArea *a)
{
	g_hash_table_unref(a->subs);
	g_free(a);
}

static LiveArea *
area(CavRelayHttp *http)
{
	LiveArea *a = cav_relay_http_get_area_data(http, "live");

	if (a == NULL) {
		a = g_new0(LiveArea, 1);
		a->subs = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL,
						(GDestroyNotify)sub_free);
		/* Ids are unique across restarts of the relay without a table. */
		a->next_id = (guint64)g_get_real_time();
		cav_relay_http_set_area_data(http, "live", a, (GDestroyNotify)area_free);
	}
	return a;
}

static void
audit_sub(CavRelay *relay, const char *actor, const char *action, const Sub *s, const char *reason)
{
	g_autofree char *object = g_strdup_printf("live/%s", s->room_key);
	g_autofree char *detail =
		g_strdup_printf("{\"subscriber\":%" G_GUINT64_FORMAT ",\"reason\":%s%s%s}", s->id,
				reason ? "\"" : "", reason ? reason : "null", reason ? "\"" : "");
	g_autoptr(GError) error = NULL;

	if (!cav_registry_audit(cav_relay_registry(relay), actor, action, object, detail, &error))
		g_warning("audit %s: %s", action, error->message);
}

static void
emit_sub(CavRelay *relay, const Sub *s, gboolean gone, const char *reason)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, (gint64)s->id);
	json_builder_set_member_name(b, "room_key");
	json_builder_add_string_value(b, s->room_key);
	json_builder_set_member_name(b, "user");
	json_builder_add_string_value(b, s->actor);
	json_builder_set_member_name(b, "gone");
	json_builder_add_boolean_value(b, gone);
	json_builder_set_member_name(b, "reason");
	json_builder_add_string_value(b, reason);
	json_builder_end_object(b);
	cav_event_hub_emit(cav_relay_events(relay), "subscriber", json_builder_get_root(b));
}

void
cav_relay_live_subscriber_gone(CavRelay *relay, guint64 id, const char *reason)
{
	LiveArea *a = area(cav_relay_http(relay));
	Sub *s = g_hash_table_lookup(a->subs, &id);

	if (s == NULL)
		return;
	audit_sub(relay, CAV_RELAY_ACTOR, "live.drop", s, reason);
	emit_sub(relay, s, TRUE, reason);
	g_hash_table_remove(a->subs, &id);
}

static gboolean
known_room(CavRelay *relay, const char *key)
{
	g_autoptr(GPtrArray) rooms = cav_registry_room_list(cav_relay_registry(relay), NULL);

	for (guint i = 0; rooms != NULL && i < rooms->len; i++)
		if (g_str_equal(((CavRoomRow *)rooms->pdata[i])->key, key))
			return TRUE;
	return FALSE;
}

/* "IP:PORT" → a socket address, or NULL. (transfer full) */
static GSocketAddress *
parse_address(const char *text)
{
	const char *colon = text != NULL ? strrchr(text, ':') : NULL;
	g_autofree char *host = NULL;
	guint64 port = 0;

	if (colon == NULL || colon == text ||
	    !g_ascii_string_to_unsigned(colon + 1, 10, 1, 65535, &port, NULL))
		return NULL;
	host = text[0] == '[' && colon[-1] == ']' ? g_strndup(text + 1, colon - text - 2)
						  : g_strndup(text, colon - text);
	if (!g_hostname_is_ip_address(host))
		return NULL;
	return g_inet_socket_address_new_from_string(host, (guint)port);
}

static void
post_subscriber(CavRelayRequest *req)
{
	static const char *const allowed[] = {"address", "suite", NULL};
	g_autoptr(JsonObject) o = cav_relay_read_body(req->msg, allowed);
	const char *address = NULL;
	g_autoptr(GSocketAddress) addr = NULL;
	struct sockaddr_storage native;
	g_autofree char *key_b64 = NULL;
	g_autoptr(CavStream) stream = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	LiveArea *a = area(req->http);
	CavSrtpSuite suite;
	CavSubscribeSpec spec = {0};
	guint8 key[32];
	Sub *s;

	if (o == NULL || !cav_relay_get_string(req->msg, o, "address", 64, &address) ||
	    !cav_relay_parse_suite(req, o, &suite))
		return;
	if (address != NULL && ((addr = parse_address(address)) == NULL ||
				!g_socket_address_to_native(addr, &native, sizeof native, NULL))) {
		cav_relay_count_bad_body();
		cav_relay_respond_bad(req->msg, "地址格式应为 IP:端口。",
				      "“address” must be IP:PORT.");
		return;
	}
	if (!known_room(req->relay, req->key)) {
		cav_relay_respond_not_found(req->msg);
		return;
	}
	if (g_hash_table_size(a->subs) >= cav_relay_config(req->relay)->max_subscribers) {
		cav_relay_respond_error(req->msg, 503, "too-many-subscribers",
					"The relay serves as many subscribers as it is configured "
					"for ([media] max_subscribers).",
					"订阅数已达上限。");
		return;
	}
	s = g_new0(Sub, 1);
	s->id = ++a->next_id;
	s->room_key = g_strdup(req->key);
	s->actor = g_strdup(req->actor);
	s->created_us = g_get_real_time();
	key_b64 = cav_srtp_key_new_base64(suite);
	cav_srtp_key_decode(suite, key_b64, key);
	spec.id = s->id;
	spec.room_key = req->key;
	spec.rtcp_ssrc = g_random_int();
	spec.suite = suite;
	spec.key = key;
	if (addr != NULL) {
		spec.addr = (struct sockaddr *)&native;
		spec.addr_len = (socklen_t)g_socket_address_get_native_size(addr);
	}
	if (!cav_ingest_subscribe(cav_relay_ingest(req->relay), &spec, &error)) {
		OPENSSL_cleanse(key, sizeof key);
		sub_free(s);
		cav_relay_respond_gerror(req->msg, error);
		return;
	}
	OPENSSL_cleanse(key, sizeof key);
	g_hash_table_insert(a->subs, &s->id, s);
	audit_sub(req->relay, req->actor, "live.subscribe", s, NULL);
	emit_sub(req->relay, s, FALSE, NULL);
	stream = cav_stream_obtain(req->key);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, (gint64)s->id);
	json_builder_set_member_name(b, "room_key");
	json_builder_add_string_value(b, s->room_key);
	json_builder_set_member_name(b, "rtcp_ssrc");
	json_builder_add_int_value(b, spec.rtcp_ssrc);
	json_builder_set_member_name(b, "ssrc_video");
	json_builder_add_int_value(b, cav_stream_out_ssrc(stream, CAV_MEDIA_RTP_VIDEO));
	json_builder_set_member_name(b, "ssrc_audio");
	json_builder_add_int_value(b, cav_stream_out_ssrc(stream, CAV_MEDIA_RTP_AUDIO));
	cav_relay_json_media(b, req, suite, key_b64);
	json_builder_end_object(b);
	OPENSSL_cleanse(key_b64, strlen(key_b64));
	cav_relay_respond_json(req->msg, 201, b);
}

static void
get_subscribers(CavRelayRequest *req)
{
	LiveArea *a = area(req->http);
	g_autoptr(JsonBuilder) b = json_builder_new();
	GHashTableIter it;
	gpointer v;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "subscribers");
	json_builder_begin_array(b);
	g_hash_table_iter_init(&it, a->subs);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		Sub *s = v;

		if (!g_str_equal(s->room_key, req->key))
			continue;
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "id");
		json_builder_add_int_value(b, (gint64)s->id);
		json_builder_set_member_name(b, "user");
		json_builder_add_string_value(b, s->actor);
		cav_relay_json_time(b, "created", s->created_us);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	cav_relay_respond_json(req->msg, 200, b);
}

static void
delete_subscriber(CavRelayRequest *req)
{
	LiveArea *a = area(req->http);
	guint64 id = (guint64)req->id;
	Sub *s = g_hash_table_lookup(a->subs, &id);

	if (s == NULL || !g_str_equal(s->room_key, req->key)) {
		cav_relay_respond_not_found(req->msg);
		return;
	}
	/* Inspectors end their own subscriptions; operators any. */
	if (req->role != CAV_RELAY_ROLE_OPERATOR && g_strcmp0(s->actor, req->actor) != 0) {
		cav_relay_respond_error(req->msg, 403, "forbidden",
					"This subscription belongs to another user.",
					"该订阅属于其他用户。");
		return;
	}
	cav_ingest_unsubscribe(cav_relay_ingest(req->relay), id);
	audit_sub(req->relay, req->actor, "live.unsubscribe", s, NULL);
	emit_sub(req->relay, s, TRUE, "unsubscribed");
	g_hash_table_remove(a->subs, &id);
	cav_relay_respond_no_content(req->msg);
}

void
cav_relay_api_live_register(CavRelayHttp *http)
{
	cav_relay_route(http, "POST", "/api/v1/live/{key}/subscribers", CAV_RELAY_ROLES_STAFF,
			post_subscriber);
	cav_relay_route(http, "GET", "/api/v1/live/{key}/subscribers", CAV_RELAY_ROLES_STAFF,
			get_subscribers);
	cav_relay_route(http, "DELETE", "/api/v1/live/{key}/subscribers/{id}",
			CAV_RELAY_ROLES_STAFF, delete_subscriber);
}
