/* api-admin.c — what operators see and manage: counters, the live
 * directory, enrolled appliances and their rooms, enrollment tokens.
 *   GET  /api/v1/stats                        counters (stats.h)                staff
 *   GET  /api/v1/live                         the live directory                staff
 *   POST /api/v1/enrollments                  {appliance?, minutes?} → {token}  operator
 *   GET  /api/v1/appliances                   with health and online state      staff
 *   POST /api/v1/appliances/{name}/disable    (and /enable)                     operator
 *   GET  /api/v1/rooms                                                          staff
 * Main thread only.
 */
#include "http-private.h"
#include "ingest.h"
#include "fanout.h"
#include "stats.h"
#include "stream.h"

#include <openssl/crypto.h>
#include <string.h>

static void
get_stats(CavRelayRequest *req)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "counters");
	json_builder_begin_object(b);
	cav_stats_to_json(b);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "streams");
	json_builder_add_int_value(b, cav_stream_table_size());
	json_builder_set_member_name(b, "publishers");
	json_builder_add_int_value(b, cav_ingest_n_publishers(cav_relay_ingest(req->relay)));
	json_builder_set_member_name(b, "subscribers");
	json_builder_add_int_value(b, cav_ingest_n_subscribers(cav_relay_ingest(req->relay)));
	json_builder_set_member_name(b, "subscriber_objects");
	json_builder_add_int_value(b, cav_subscriber_alive());
	json_builder_set_member_name(b, "http_connections");
	json_builder_add_int_value(b, cav_http_reaper_n_connections(req->http->reaper));
	json_builder_set_member_name(b, "http_connections_reaped");
	json_builder_add_int_value(b, (gint64)cav_http_reaper_n_reaped(req->http->reaper));
	json_builder_end_object(b);
	cav_relay_respond_json(req->msg, 200, b);
}

void
cav_relay_json_live_entry(JsonBuilder *b, const CavLiveEntry *e)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "room_key");
	json_builder_add_string_value(b, e->room_key);
	json_builder_set_member_name(b, "court");
	json_builder_add_string_value(b, e->court);
	json_builder_set_member_name(b, "room_name");
	json_builder_add_string_value(b, e->room_name);
	json_builder_set_member_name(b, "hearing_id");
	json_builder_add_int_value(b, e->hearing_id);
	json_builder_set_member_name(b, "case_number");
	json_builder_add_string_value(b, e->case_number);
	json_builder_set_member_name(b, "case_title");
	json_builder_add_string_value(b, e->case_title);
	json_builder_set_member_name(b, "cause");
	json_builder_add_string_value(b, e->cause);
	json_builder_set_member_name(b, "public");
	json_builder_add_boolean_value(b, e->is_public);
	json_builder_set_member_name(b, "live");
	json_builder_add_boolean_value(b, e->live);
	cav_relay_json_time(b, "started", e->started_us);
	json_builder_end_object(b);
}

static void
get_live(CavRelayRequest *req)
{
	g_autoptr(GPtrArray) all = cav_directory_snapshot(cav_relay_directory(req->relay));
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "rooms");
	json_builder_begin_array(b);
	for (guint i = 0; i < all->len; i++)
		cav_relay_json_live_entry(b, all->pdata[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
	cav_relay_respond_json(req->msg, 200, b);
}

static void
post_enrollment(CavRelayRequest *req)
{
	static const char *const allowed[] = {"appliance", "minutes", NULL};
	g_autoptr(JsonObject) o = cav_relay_read_body(req->msg, allowed);
	const char *appliance = NULL;
	gint64 minutes = cav_relay_config(req->relay)->enrollment_minutes;
	g_autofree char *token = NULL;
	g_autofree char *hash = NULL;
	g_autofree char *detail = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	CavRegistry *reg = cav_relay_registry(req->relay);
	gint64 now = g_get_real_time(), expires;

	if (o == NULL || !cav_relay_get_string(req->msg, o, "appliance", 32, &appliance) ||
	    !cav_relay_get_int(req->msg, o, "minutes", 1, 43200, &minutes))
		return;
	if (appliance != NULL && (strlen(appliance) == 0 ||
				  strspn(appliance, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQR"
						    "STUVWXYZ0123456789-_") != strlen(appliance))) {
		cav_relay_count_bad_body();
		cav_relay_respond_bad(req->msg, "设备编号无效。",
				      "“appliance” must be 1–32 letters, digits, '-' or '_'.");
		return;
	}
	token = cav_auth_token_new();
	hash = cav_auth_token_hash(token);
	expires = now + minutes * 60 * G_USEC_PER_SEC;
	detail = g_strdup_printf("{\"appliance\":%s%s%s,\"minutes\":%" G_GINT64_FORMAT "}",
				 appliance ? "\"" : "", appliance ? appliance : "null",
				 appliance ? "\"" : "", minutes);
	if (!cav_registry_begin(reg, &error) ||
	    !cav_registry_enrollment_insert(reg, hash, appliance, now, expires, req->actor,
					    &error) ||
	    !cav_registry_audit(reg, req->actor, "enrollment.create", NULL, detail, &error) ||
	    !cav_registry_commit(reg, &error)) {
		cav_registry_rollback(reg);
		cav_relay_respond_gerror(req->msg, error);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "token");
	json_builder_add_string_value(b, token);
	json_builder_set_member_name(b, "appliance");
	json_builder_add_string_value(b, appliance);
	cav_relay_json_time(b, "expires", expires);
	json_builder_end_object(b);
	OPENSSL_cleanse(token, strlen(token));
	cav_relay_respond_json(req->msg, 201, b);
}

static void
get_appliances(CavRelayRequest *req)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) all =
		cav_registry_appliance_list(cav_relay_registry(req->relay), &error);
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (all == NULL) {
		cav_relay_respond_gerror(req->msg, error);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "appliances");
	json_builder_begin_array(b);
	for (guint i = 0; i < all->len; i++)
		cav_relay_json_appliance(b, req->relay, all->pdata[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
	cav_relay_respond_json(req->msg, 200, b);
}

static void
set_appliance_disabled(CavRelayRequest *req, gboolean disabled)
{
	g_autoptr(GError) error = NULL;
	CavRegistry *reg = cav_relay_registry(req->relay);

	if (!cav_registry_begin(reg, &error) ||
	    !cav_registry_appliance_set_disabled(reg, req->name, disabled, &error) ||
	    !cav_registry_audit(reg, req->actor,
				disabled ? "appliance.disable" : "appliance.enable", req->name,
				NULL, &error) ||
	    !cav_registry_commit(reg, &error)) {
		cav_registry_rollback(reg);
		cav_relay_respond_gerror(req->msg, error);
		return;
	}
	cav_relay_respond_no_content(req->msg);
}

static void
post_appliance_disable(CavRelayRequest *req)
{
	set_appliance_disabled(req, TRUE);
}

static void
post_appliance_enable(CavRelayRequest *req)
{
	set_appliance_disabled(req, FALSE);
}

static void
get_rooms(CavRelayRequest *req)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rooms = cav_registry_room_list(cav_relay_registry(req->relay), &error);
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (rooms == NULL) {
		cav_relay_respond_gerror(req->msg, error);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "rooms");
	json_builder_begin_array(b);
	for (guint i = 0; i < rooms->len; i++) {
		CavRoomRow *r = rooms->pdata[i];
		CavLiveEntry *e = cav_directory_get(cav_relay_directory(req->relay), r->key);

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "room_key");
		json_builder_add_string_value(b, r->key);
		json_builder_set_member_name(b, "appliance");
		json_builder_add_string_value(b, r->appliance_id);
		json_builder_set_member_name(b, "room");
		json_builder_add_string_value(b, r->room_id);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, r->name);
		json_builder_set_member_name(b, "court");
		json_builder_add_string_value(b, r->court);
		json_builder_set_member_name(b, "live");
		json_builder_add_boolean_value(b, e != NULL && e->live);
		json_builder_end_object(b);
		cav_live_entry_free(e);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	cav_relay_respond_json(req->msg, 200, b);
}

void
cav_relay_api_admin_register(CavRelayHttp *http)
{
	cav_relay_route(http, "POST", "/api/v1/enrollments", CAV_RELAY_ROLE_OPERATOR,
			post_enrollment);
	cav_relay_route(http, "GET", "/api/v1/appliances", CAV_RELAY_ROLES_STAFF, get_appliances);
	cav_relay_route(http, "POST", "/api/v1/appliances/{name}/disable", CAV_RELAY_ROLE_OPERATOR,
			post_appliance_disable);
	cav_relay_route(http, "POST", "/api/v1/appliances/{name}/enable", CAV_RELAY_ROLE_OPERATOR,
			post_appliance_enable);
	cav_relay_route(http, "GET", "/api/v1/rooms", CAV_RELAY_ROLES_STAFF, get_rooms);
	cav_relay_route(http, "GET", "/api/v1/stats", CAV_RELAY_ROLES_STAFF, get_stats);
	cav_relay_route(http, "GET", "/api/v1/live", CAV_RELAY_ROLES_STAFF, get_live);
}
