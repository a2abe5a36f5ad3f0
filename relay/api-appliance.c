/* api-appliance.c — the calls appliances make, all device-signed
 * (common/reqsign.h):
 *   POST   /api/v1/appliance/enroll        {token, public_key, sig_alg, name?, court?}  public,
 *          but the request must be signed by the key it enrolls (proof of possession)
 *   GET    /api/v1/appliance/self          → {id, name, ...}                     appliance
 *   POST   /api/v1/appliance/heartbeat     health and hearing → the directory    appliance
 *   POST   /api/v1/appliance/streams       {room} → SRTP key, SSRCs, where to send   appliance
 *   DELETE /api/v1/appliance/streams/{id}                                        appliance
 * Main thread only.
 */
#include "http-private.h"
#include "devauth.h"
#include "ingest.h"
#include "presence.h"
#include "stats.h"
#include "common/reqsign.h"
#include "common/rtp.h"

#include <openssl/crypto.h>
#include <string.h>

static void
answer_enroll_refused(SoupServerMessage *msg, CavEnrollStatus st)
{
	static const struct {
		const char *code, *en, *zh;
	} why[] = {
		[CAV_ENROLL_UNKNOWN] = {"enrollment-unknown",
					"This enrollment token is not known to the relay.",
					"注册令牌无效。"},
		[CAV_ENROLL_EXPIRED] = {"enrollment-expired",
					"This enrollment token has expired: ask the operator "
					"for a new one.",
					"注册令牌已过期，请向运维人员申请新的令牌。"},
		[CAV_ENROLL_USED] = {"enrollment-used", "This enrollment token was already used.",
				     "注册令牌已被使用。"},
	};

	cav_stat_inc(CAV_STAT_ENROLL_REJECTED);
	g_message("enrollment refused: %s", why[st].code);
	cav_relay_respond_error(msg, 401, why[st].code, why[st].en, why[st].zh);
}

static void
json_appliance(JsonBuilder *b, const CavApplianceRow *a, gboolean online)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_string_value(b, a->id);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, a->name);
	json_builder_set_member_name(b, "court");
	json_builder_add_string_value(b, a->court);
	json_builder_set_member_name(b, "key_id");
	json_builder_add_string_value(b, a->key_id);
	json_builder_set_member_name(b, "disabled");
	json_builder_add_boolean_value(b, a->disabled);
	json_builder_set_member_name(b, "online");
	json_builder_add_boolean_value(b, online);
	cav_relay_json_time(b, "enrolled", a->enrolled_us);
	cav_relay_json_time(b, "last_seen", a->last_seen_us);
	json_builder_set_member_name(b, "last_addr");
	json_builder_add_string_value(b, a->last_addr);
	json_builder_set_member_name(b, "health");
	if (a->health != NULL) {
		g_autoptr(JsonParser) parser = json_parser_new();

		if (json_parser_load_from_data(parser, a->health, -1, NULL))
			json_builder_add_value(b, json_node_copy(json_parser_get_root(parser)));
		else
			json_builder_add_null_value(b);
	} else {
		json_builder_add_null_value(b);
	}
	json_builder_end_object(b);
}

void
cav_relay_json_appliance(JsonBuilder *b, CavRelay *relay, const CavApplianceRow *a)
{
	json_appliance(b, a, cav_presence_online(cav_relay_presence(relay), a->id));
}

static gboolean
valid_id(const char *s)
{
	gsize n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > 32)
		return FALSE;
	for (gsize i = 0; i < n; i++)
		if (!g_ascii_isalnum(s[i]) && s[i] != '-' && s[i] != '_')
			return FALSE;
	return TRUE;
}

/* Checks the enrollment request's own signature, made with the key it
 * brings. Answers 401 and returns FALSE otherwise. */
static gboolean
proves_key(CavRelayRequest *req, const char *alg, const char *pem, char **out_key_id)
{
	SoupMessageHeaders *h = soup_server_message_get_request_headers(req->msg);
	SoupMessageBody *body = soup_server_message_get_request_body(req->msg);
	g_autofree char *key_id = cav_signer_key_id_from_pem(pem, NULL);
	const char *claimed = soup_message_headers_get_one(h, CAV_REQSIGN_HEADER_KEY);
	CavDevAuthResult r;

	if (key_id == NULL || g_strcmp0(claimed, key_id) != 0) {
		cav_stat_inc(CAV_STAT_API_BAD_SIGNATURE);
		cav_relay_respond_error(req->msg, 401, "bad-signature",
					"The request must be signed by the key it enrolls.",
					"注册请求须由所注册的设备密钥签名。");
		return FALSE;
	}
	r = cav_devauth_check(cav_relay_devauth(req->relay), "POST", req->path,
			      (const guint8 *)body->data, (gsize)body->length, key_id,
			      soup_message_headers_get_one(h, CAV_REQSIGN_HEADER_TIME),
			      soup_message_headers_get_one(h, CAV_REQSIGN_HEADER_NONCE),
			      soup_message_headers_get_one(h, CAV_REQSIGN_HEADER_SIGNATURE), alg,
			      pem, g_get_real_time(), NULL);
	if (r != CAV_DEVAUTH_OK) {
		cav_relay_respond_error(req->msg, 401, "bad-signature", cav_devauth_result_text(r),
					"设备签名无效。");
		return FALSE;
	}
	*out_key_id = g_steal_pointer(&key_id);
	return TRUE;
}

static void
answer_enrolled(CavRelayRequest *req, guint status, const CavApplianceRow *a)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "appliance_id");
	json_builder_add_string_value(b, a->id);
	json_builder_set_member_name(b, "relay");
	json_builder_add_string_value(b, cav_relay_config(req->relay)->name);
	json_builder_set_member_name(b, "heartbeat_seconds");
	json_builder_add_int_value(b,
				   MAX(1, cav_relay_config(req->relay)->heartbeat_timeout_s / 5));
	json_builder_end_object(b);
	cav_relay_respond_json(req->msg, status, b);
}

static void
post_enroll(CavRelayRequest *req)
{
	static const char *const allowed[] = {"token", "public_key", "sig_alg",
					      "name",  "court",      NULL};
	g_autoptr(JsonObject) o = cav_relay_read_body(req->msg, allowed);
	const char *token = NULL, *pem = NULL, *alg = "ed25519", *name = NULL, *court = NULL;
	CavRegistry *reg = cav_relay_registry(req->relay);
	g_autofree char *key_id = NULL;
	g_autofree char *token_hash = NULL;
	g_autofree char *issued_for = NULL;
	g_autofree char *detail = NULL;
	g_autoptr(CavApplianceRow) existing = NULL;
	g_autoptr(GError) error = NULL;
	CavEnrollStatus st = CAV_ENROLL_UNKNOWN;
	CavApplianceRow row = {0};
	gint64 now = g_get_real_time();

	if (o == NULL || !cav_relay_get_string(req->msg, o, "token", 128, &token) ||
	    !cav_relay_get_string(req->msg, o, "public_key", 4096, &pem) ||
	    !cav_relay_get_string(req->msg, o, "sig_alg", 32, &alg) ||
	    !cav_relay_get_string(req->msg, o, "name", 256, &name) ||
	    !cav_relay_get_string(req->msg, o, "court", 256, &court))
		return;
	if (token == NULL || pem == NULL || cav_signer_backend_lookup(alg) == NULL) {
		cav_relay_count_bad_body();
		cav_relay_respond_bad(req->msg, "缺少注册令牌或公钥，或签名算法不受支持。",
				      "“token” and “public_key” are needed, and “sig_alg” must be "
				      "a supported algorithm (ed25519).");
		return;
	}
	if (!proves_key(req, alg, pem, &key_id))
		return;
	/* The same key again (the appliance lost its note of being
	 * enrolled): it proved the key, so tell it who it is. */
	existing = cav_registry_appliance_by_key(reg, key_id, NULL);
	if (existing != NULL) {
		answer_enrolled(req, 200, existing);
		return;
	}
	token_hash = cav_auth_token_hash(token);
	if (!cav_registry_begin(reg, &error) ||
	    !cav_registry_enrollment_consume(reg, token_hash, now, key_id, &st, &issued_for,
					     &error)) {
		cav_registry_rollback(reg);
		cav_relay_respond_gerror(req->msg, error);
		return;
	}
	if (st != CAV_ENROLL_OK) {
		cav_registry_rollback(reg);
		answer_enroll_refused(req->msg, st);
		return;
	}
	row.id = issued_for != NULL ? issued_for : g_strdup_printf("a-%s", key_id);
	row.name = (char *)name;
	row.court = (char *)court;
	row.sig_alg = (char *)alg;
	row.public_key = (char *)pem;
	row.key_id = key_id;
	row.enrolled_us = now;
	detail = g_strdup_printf("{\"key_id\":\"%s\"}", key_id);
	if (!cav_registry_appliance_insert(reg, &row, &error) ||
	    !cav_registry_audit(reg, CAV_RELAY_ACTOR, "appliance.enroll", row.id, detail, &error) ||
	    !cav_registry_commit(reg, &error)) {
		cav_registry_rollback(reg);
		if (issued_for == NULL)
			g_free(row.id);
		cav_relay_respond_gerror(req->msg, error);
		return;
	}
	g_message("appliance %s enrolled (key %s)", row.id, key_id);
	answer_enrolled(req, 201, &row);
	if (issued_for == NULL)
		g_free(row.id);
}

static void
get_self(CavRelayRequest *req)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	cav_relay_json_appliance(b, req->relay, req->appliance);
	cav_relay_respond_json(req->msg, 200, b);
}

/* Heartbeat: {room: {id, name, court}, state, hearing: {id, case_number,
 * case_title, cause, public, started_us} | null, disk: {...}, sources: [...],
 * alarms: [...], streaming: bool}. The shape of room and hearing is
 * checked; disk, sources and alarms are kept as sent (bounded by the body
 * limit) for the console. */
static gboolean
check_heartbeat(SoupServerMessage *msg, JsonObject *o)
{
	JsonNode *room = json_object_get_member(o, "room");
	JsonNode *hearing = json_object_get_member(o, "hearing");
	const char *id = NULL, *s = NULL, *state = NULL;
	gboolean b = FALSE;
	gint64 n = 0;

	if (room == NULL || !JSON_NODE_HOLDS_OBJECT(room)) {
		cav_relay_count_bad_body();
		cav_relay_respond_bad(msg, "心跳缺少法庭信息。", "“room” must be an object.");
		return FALSE;
	}
	if (!cav_relay_get_string(msg, json_node_get_object(room), "id", 32, &id) ||
	    !cav_relay_get_string(msg, json_node_get_object(room), "name", 256, &s) ||
	    !cav_relay_get_string(msg, json_node_get_object(room), "court", 256, &s) ||
	    !cav_relay_get_string(msg, o, "state", 32, &state) ||
	    !cav_relay_get_bool(msg, o, "streaming", &b))
		return FALSE;
	if (!valid_id(id)) {
		cav_relay_count_bad_body();
		cav_relay_respond_bad(msg, "法庭编号无效。",
				      "“room.id” must be 1–32 letters, digits, '-' or '_'.");
		return FALSE;
	}
	if (hearing != NULL && !JSON_NODE_HOLDS_NULL(hearing)) {
		JsonObject *h;

		if (!JSON_NODE_HOLDS_OBJECT(hearing)) {
			cav_relay_count_bad_body();
			cav_relay_respond_bad(msg, "庭审信息格式错误。",
					      "“hearing” must be an object or null.");
			return FALSE;
		}
		h = json_node_get_object(hearing);
		if (!cav_relay_get_int(msg, h, "id", 0, G_MAXINT64, &n) ||
		    !cav_relay_get_string(msg, h, "case_number", 128, &s) ||
		    !cav_relay_get_string(msg, h, "case_title", 512, &s) ||
		    !cav_relay_get_string(msg, h, "cause", 256, &s) ||
		    !cav_relay_get_bool(msg, h, "public", &b) ||
		    !cav_relay_get_int(msg, h, "started_us", 0, G_MAXINT64, &n))
			return FALSE;
	}
	return TRUE;
}

/* Random per process: an appliance that sees it change knows the relay
 * restarted and forgot its stream. */
static const char *
relay_instance(void)
{
	static char id[17];

	if (id[0] == '\0')
		g_snprintf(id, sizeof id, "%08x%08x", g_random_int(), g_random_int());
	return id;
}

static void
post_heartbeat(CavRelayRequest *req)
{
	static const char *const allowed[] = {"room",   "state",     "hearing", "disk", "sources",
					      "alarms", "streaming", "stream",  NULL};
	g_autoptr(JsonObject) o = cav_relay_read_body(req->msg, allowed);
	SoupMessageBody *body = soup_server_message_get_request_body(req->msg);
	g_autofree char *peer = cav_http_peer(req->msg);
	g_autofree char *health = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (o == NULL || !check_heartbeat(req->msg, o))
		return;
	health = g_strndup(body->data, body->length);
	if (!cav_registry_appliance_seen(cav_relay_registry(req->relay), req->appliance->id,
					 g_get_real_time(), peer, health, &error)) {
		cav_relay_respond_gerror(req->msg, error);
		return;
	}
	cav_presence_heartbeat(cav_relay_presence(req->relay), req->appliance->id, peer, o);
	json_builder_begin_object(b);
	cav_relay_json_time(b, "server_time", g_get_real_time());
	json_builder_set_member_name(b, "relay_instance");
	json_builder_add_string_value(b, relay_instance());
	json_builder_end_object(b);
	cav_relay_respond_json(req->msg, 200, b);
}

/* The address appliances send media to: [media] advertise, else the
 * address they reached the control API on. */
static char *
media_host(CavRelayRequest *req)
{
	const CavRelayConfig *c = cav_relay_config(req->relay);
	GSocketAddress *local = soup_server_message_get_local_address(req->msg);

	if (c->media_advertise != NULL)
		return g_strdup(c->media_advertise);
	if (!g_str_equal(c->media_host, "0.0.0.0") && !g_str_equal(c->media_host, "::"))
		return g_strdup(c->media_host);
	if (local != NULL && G_IS_INET_SOCKET_ADDRESS(local))
		return g_inet_address_to_string(
			g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(local)));
	return g_strdup("127.0.0.1");
}

void
cav_relay_json_media(JsonBuilder *b, CavRelayRequest *req, CavSrtpSuite suite, const char *key)
{
	const CavRelayConfig *c = cav_relay_config(req->relay);
	g_autofree char *host = media_host(req);

	json_builder_set_member_name(b, "suite");
	json_builder_add_string_value(b, cav_srtp_suite_name(suite));
	json_builder_set_member_name(b, "key");
	json_builder_add_string_value(b, key);
	json_builder_set_member_name(b, "media_host");
	json_builder_add_string_value(b, host);
	json_builder_set_member_name(b, "media_port");
	json_builder_add_int_value(b, c->media_advertise_port != 0
					      ? c->media_advertise_port
					      : cav_ingest_port(cav_relay_ingest(req->relay)));
	json_builder_set_member_name(b, "pt_video");
	json_builder_add_int_value(b, CAV_RTP_PT_H264);
	json_builder_set_member_name(b, "pt_audio");
	json_builder_add_int_value(b, CAV_RTP_PT_OPUS);
}

gboolean
cav_relay_parse_suite(CavRelayRequest *req, JsonObject *o, CavSrtpSuite *out)
{
	const char *name = NULL;

	*out = CAV_SRTP_AES_128_GCM;
	if (!cav_relay_get_string(req->msg, o, "suite", 64, &name))
		return FALSE;
	if (name != NULL && !cav_srtp_suite_parse(name, out)) {
		cav_relay_count_bad_body();
		cav_relay_respond_bad(
			req->msg, "不支持的 SRTP 加密套件。",
			"“suite” must be AEAD_AES_128_GCM or AES_CM_128_HMAC_SHA1_80.");
		return FALSE;
	}
	return TRUE;
}

static void
post_stream(CavRelayRequest *req)
{
	static const char *const allowed[] = {"room", "suite", "hearing_id", NULL};
	g_autoptr(JsonObject) o = cav_relay_read_body(req->msg, allowed);
	const char *room = NULL;
	gint64 hearing_id = 0;
	g_autofree char *room_key = NULL;
	g_autofree char *key_b64 = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	CavSrtpSuite suite;
	guint8 key[32];
	guint32 ssrc_v, ssrc_a;
	gint64 id;
	CavPublishSpec spec;

	if (o == NULL || !cav_relay_get_string(req->msg, o, "room", 32, &room) ||
	    !cav_relay_get_int(req->msg, o, "hearing_id", 0, G_MAXINT64, &hearing_id) ||
	    !cav_relay_parse_suite(req, o, &suite))
		return;
	if (!valid_id(room)) {
		cav_relay_count_bad_body();
		cav_relay_respond_bad(req->msg, "法庭编号无效。", "“room” must be the room's id.");
		return;
	}
	room_key = g_strdup_printf("%s/%s", req->appliance->id, room);
	if (!cav_registry_room_upsert(cav_relay_registry(req->relay), req->appliance->id, room,
				      NULL, NULL, &error)) {
		cav_relay_respond_gerror(req->msg, error);
		return;
	}
	ssrc_v = g_random_int();
	do
		ssrc_a = g_random_int();
	while (ssrc_a == ssrc_v);
	key_b64 = cav_srtp_key_new_base64(suite);
	id = cav_registry_live_begin(cav_relay_registry(req->relay), room_key, ssrc_v, ssrc_a,
				     cav_srtp_suite_name(suite), hearing_id, g_get_real_time(),
				     &error);
	if (id == 0 || !cav_srtp_key_decode(suite, key_b64, key)) {
		cav_relay_respond_gerror(req->msg, error);
		return;
	}
	spec = (CavPublishSpec){(guint64)id, room_key, ssrc_v, ssrc_a, suite, key};
	cav_ingest_publish(cav_relay_ingest(req->relay), &spec);
	OPENSSL_cleanse(key, sizeof key);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "publish_id");
	json_builder_add_int_value(b, id);
	json_builder_set_member_name(b, "room_key");
	json_builder_add_string_value(b, room_key);
	json_builder_set_member_name(b, "ssrc_video");
	json_builder_add_int_value(b, ssrc_v);
	json_builder_set_member_name(b, "ssrc_audio");
	json_builder_add_int_value(b, ssrc_a);
	cav_relay_json_media(b, req, suite, key_b64);
	json_builder_end_object(b);
	OPENSSL_cleanse(key_b64, strlen(key_b64));
	cav_relay_respond_json(req->msg, 201, b);
}

static void
delete_stream(CavRelayRequest *req)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *prefix = g_strdup_printf("%s/", req->appliance->id);
	CavRegistry *reg = cav_relay_registry(req->relay);
	g_autofree char *room_key = cav_registry_live_room(reg, req->id, &error);

	/* Only the appliance's own publish sessions. */
	if (room_key == NULL || !g_str_has_prefix(room_key, prefix)) {
		cav_relay_respond_not_found(req->msg);
		return;
	}
	cav_ingest_unpublish(cav_relay_ingest(req->relay), (guint64)req->id);
	if (!cav_registry_live_end(reg, req->id, g_get_real_time(), &error)) {
		cav_relay_respond_gerror(req->msg, error);
		return;
	}
	cav_relay_respond_no_content(req->msg);
}

void
cav_relay_api_appliance_register(CavRelayHttp *http)
{
	cav_relay_route(http, "POST", "/api/v1/appliance/enroll", CAV_RELAY_ROLES_PUBLIC,
			post_enroll);
	cav_relay_route(http, "GET", "/api/v1/appliance/self", CAV_RELAY_ROLE_APPLIANCE, get_self);
	cav_relay_route(http, "POST", "/api/v1/appliance/heartbeat", CAV_RELAY_ROLE_APPLIANCE,
			post_heartbeat);
	cav_relay_route(http, "POST", "/api/v1/appliance/streams", CAV_RELAY_ROLE_APPLIANCE,
			post_stream);
	cav_relay_route(http, "DELETE", "/api/v1/appliance/streams/{id}", CAV_RELAY_ROLE_APPLIANCE,
			delete_stream);
}
