/* api-admin.c — what operators see and manage: counters, the live
 * directory, enrolled appliances and their rooms, enrollment tokens.
 *   GET  /api/v1/stats                 counters (stats.h)               staff
 *   GET  /api/v1/live                  the live directory               staff
 * Main thread only.
 */
#include "http-private.h"
#include "stats.h"
#include "stream.h"

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

void
cav_relay_api_admin_register(CavRelayHttp *http)
{
	cav_relay_route(http, "GET", "/api/v1/stats", CAV_RELAY_ROLES_STAFF, get_stats);
	cav_relay_route(http, "GET", "/api/v1/live", CAV_RELAY_ROLES_STAFF, get_live);
}
