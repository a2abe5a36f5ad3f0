/* api-room.c — the room's equipment and records for the panel and the
 * technician: the program layout, sources and their health, microphone
 * levels, storage, alarms, the audit log, and the public in-room status
 * (docs/API.md). Main thread only.
 *
 * Source health and levels come from the room's event hub ("source" and
 * "levels" events, events.h); the last of each is kept here so a client that
 * has just connected gets a snapshot. Until the capture pipeline emits them,
 * sources report "unknown" and levels null.
 *
 * The layout (room-program.c): a choice of layout, main camera or voice
 * switching is stored (settings table) and, while a hearing records,
 * applied to the running program at once ("applies": "now"); otherwise at
 * the next recording start ("next-start").
 */
#include "api-private.h"
#include "api-json.h"
#include "audit.h"
#include "room-program.h"
#include "pipelines/source.h"

#include <string.h>

/* ---- hub snapshot ---------------------------------------------------------- */

static void
on_hub_event(const char *type, JsonNode *data, gpointer user_data)
{
	CavApi *api = user_data;
	JsonObject *o = JSON_NODE_HOLDS_OBJECT(data) ? json_node_get_object(data) : NULL;

	if (o == NULL)
		return;
	if (g_str_equal(type, "source") && json_object_has_member(o, "id") &&
	    json_node_get_value_type(json_object_get_member(o, "id")) == G_TYPE_STRING) {
		g_hash_table_replace(api->sources, g_strdup(json_object_get_string_member(o, "id")),
				     json_node_copy(data));
	} else if (g_str_equal(type, "levels")) {
		g_clear_pointer(&api->levels, json_node_unref);
		api->levels = json_node_copy(data);
	}
}

void
cav_api_room_start(CavApi *api)
{
	api->sources = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					     (GDestroyNotify)json_node_unref);
	api->hub_sub = cav_event_hub_subscribe(cav_room_events(api->room), on_hub_event, api);
}

void
cav_api_room_stop(CavApi *api)
{
	if (api->hub_sub != 0)
		cav_event_hub_unsubscribe(cav_room_events(api->room), api->hub_sub);
	api->hub_sub = 0;
	g_clear_pointer(&api->sources, g_hash_table_unref);
	g_clear_pointer(&api->levels, json_node_unref);
}

/* ---- layout ------------------------------------------------------------------- */

static void
respond_layout(CavApi *api, SoupServerMessage *msg)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_auto(CavProgramState) st = {0};
	g_auto(GStrv) available = cav_room_program_layouts(api->room);
	const CavConfig *c = cav_room_config(api->room);

	cav_room_program_state(api->room, &st);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "layout");
	json_builder_add_string_value(b, st.layout);
	json_builder_set_member_name(b, "applies");
	/* A running recording switches live; otherwise at the next start. */
	json_builder_add_string_value(b, st.live ? "now" : "next-start");
	json_builder_set_member_name(b, "available");
	json_builder_begin_array(b);
	for (guint i = 0; available[i] != NULL; i++)
		json_builder_add_string_value(b, available[i]);
	json_builder_end_array(b);
	cav_json_add_string(b, "main_camera", st.main_camera);
	json_builder_set_member_name(b, "cameras");
	json_builder_begin_array(b);
	for (guint i = 0; i < c->sources->len; i++)
		if (((CavSourceSpec *)c->sources->pdata[i])->kind == CAV_MEDIA_VIDEO)
			json_builder_add_string_value(b,
						      ((CavSourceSpec *)c->sources->pdata[i])->id);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "voice");
	json_builder_add_boolean_value(b, st.voice);
	json_builder_set_member_name(b, "voice_available");
	json_builder_add_boolean_value(b, st.voice_available);
	json_builder_end_object(b);
	cav_api_respond_json(msg, 200, b);
}

static void
get_layout(CavApiRequest *req)
{
	respond_layout(req->api, req->msg);
}

/* {layout?, main_camera?, voice?}: saved, and applied at once when recording. */
static void
post_layout(CavApiRequest *req)
{
	static const char *const fields[] = {"layout", "main_camera", "voice", NULL};
	g_autoptr(JsonObject) o = cav_api_read_body(req->msg, fields);
	g_autoptr(GError) error = NULL;
	const char *layout = NULL, *main_camera = NULL;
	gboolean voice = FALSE;

	if (o == NULL || !cav_api_get_string(req->msg, o, "layout", &layout) ||
	    !cav_api_get_string(req->msg, o, "main_camera", &main_camera) ||
	    !cav_api_get_bool(req->msg, o, "voice", &voice))
		return;
	if (layout == NULL && main_camera == NULL && !json_object_has_member(o, "voice")) {
		cav_api_respond_bad(req->msg, "请指定画面布局、主画面或语音激励开关。",
				    "Give at least one of “layout”, “main_camera”, “voice”.");
		return;
	}
	if (!cav_room_program_set(req->api->room, layout, main_camera,
				  json_object_has_member(o, "voice") ? (voice ? 1 : 0) : -1,
				  req->actor, &error)) {
		cav_api_respond_error(req->msg, error);
		return;
	}
	respond_layout(req->api, req->msg);
}

/* ---- sources and levels ------------------------------------------------------ */

static void
get_sources(CavApiRequest *req)
{
	const CavConfig *c = cav_room_config(req->api->room);
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "sources");
	json_builder_begin_array(b);
	for (guint i = 0; i < c->sources->len; i++) {
		const CavSourceSpec *s = c->sources->pdata[i];
		JsonNode *health = g_hash_table_lookup(req->api->sources, s->id);
		JsonObject *h = health != NULL ? json_node_get_object(health) : NULL;

		json_builder_begin_object(b);
		cav_json_add_string(b, "id", s->id);
		cav_json_add_string(b, "kind",
				    s->kind == CAV_MEDIA_VIDEO ? "camera" : "microphone");
		cav_json_add_string(b, "backend", s->backend);
		cav_json_add_string(b, "label", s->label);
		cav_json_add_string(b, "role", s->role);
		cav_json_add_string(b, "state",
				    h != NULL && json_object_has_member(h, "state")
					    ? json_object_get_string_member(h, "state")
					    : "unknown");
		json_builder_set_member_name(b, "health");
		if (health != NULL)
			json_builder_add_value(b, json_node_copy(health));
		else
			json_builder_add_null_value(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	cav_api_respond_json(req->msg, 200, b);
}

/* The level entry of mic @id in the last "levels" event, or NULL. */
static JsonObject *
level_of(CavApi *api, const char *id)
{
	JsonObject *o = api->levels != NULL ? json_node_get_object(api->levels) : NULL;
	JsonArray *mics;

	if (o == NULL || !json_object_has_member(o, "mics") ||
	    !JSON_NODE_HOLDS_ARRAY(json_object_get_member(o, "mics")))
		return NULL;
	mics = json_object_get_array_member(o, "mics");
	for (guint i = 0; i < json_array_get_length(mics); i++) {
		JsonNode *n = json_array_get_element(mics, i);
		JsonObject *m = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;

		if (m != NULL &&
		    g_strcmp0(json_object_get_string_member_with_default(m, "id", NULL), id) == 0)
			return m;
	}
	return NULL;
}

static void
add_level(JsonBuilder *b, JsonObject *m, const char *name)
{
	json_builder_set_member_name(b, name);
	if (m != NULL && json_object_has_member(m, name) &&
	    JSON_NODE_HOLDS_VALUE(json_object_get_member(m, name)))
		json_builder_add_double_value(b, json_object_get_double_member(m, name));
	else
		json_builder_add_null_value(b);
}

static void
get_levels(CavApiRequest *req)
{
	const CavConfig *c = cav_room_config(req->api->room);
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "live");
	json_builder_add_boolean_value(b, req->api->levels != NULL);
	json_builder_set_member_name(b, "mics");
	json_builder_begin_array(b);
	for (guint i = 0; i < c->sources->len; i++) {
		const CavSourceSpec *s = c->sources->pdata[i];
		JsonObject *m;

		if (s->kind != CAV_MEDIA_AUDIO)
			continue;
		m = level_of(req->api, s->id);
		json_builder_begin_object(b);
		cav_json_add_string(b, "id", s->id);
		cav_json_add_string(b, "role", s->role);
		cav_json_add_string(b, "label", s->label);
		add_level(b, m, "rms_db");
		add_level(b, m, "peak_db");
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	cav_api_respond_json(req->msg, 200, b);
}

/* ---- storage, alarms, audit ------------------------------------------------- */

static void
get_storage(CavApiRequest *req)
{
	const CavConfig *c = cav_room_config(req->api->room);
	CavDiskGuard *disk = cav_room_disk(req->api->room);
	static const char *const levels[] = {"ok", "alarm", "low", "stop"};
	CavDiskLevel level = cav_disk_guard_poll(disk);
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	cav_json_add_string(b, "media_dir", c->media_dir);
	json_builder_set_member_name(b, "free_bytes");
	json_builder_add_int_value(b, cav_disk_guard_free_bytes(disk));
	json_builder_set_member_name(b, "hours_left");
	json_builder_add_double_value(b, cav_disk_guard_hours_left(disk));
	json_builder_set_member_name(b, "bytes_per_hour");
	json_builder_add_int_value(b, (gint64)cav_config_bytes_per_hour(c));
	cav_json_add_string(b, "level", levels[MIN((guint)level, G_N_ELEMENTS(levels) - 1)]);
	json_builder_set_member_name(b, "min_free_hours");
	json_builder_add_double_value(b, c->min_free_hours);
	json_builder_set_member_name(b, "alarm_free_hours");
	json_builder_add_double_value(b, c->alarm_free_hours);
	json_builder_set_member_name(b, "stop_free_bytes");
	json_builder_add_int_value(b, (gint64)c->stop_free_bytes);
	json_builder_end_object(b);
	cav_api_respond_json(req->msg, 200, b);
}

static void
get_alarms(CavApiRequest *req)
{
	GPtrArray *alarms = cav_room_alarms(req->api->room);
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "alarms");
	json_builder_begin_array(b);
	for (guint i = 0; i < alarms->len; i++) {
		CavAlarm *a = alarms->pdata[i];

		json_builder_begin_object(b);
		cav_json_add_string(b, "code", a->code);
		cav_json_add_string(b, "message", a->message);
		cav_json_add_string(b, "message_zh", a->message_zh);
		cav_json_add_time(b, "at", a->at_us);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	cav_api_respond_json(req->msg, 200, b);
}

static void
get_audit(CavApiRequest *req)
{
	gint64 before = 0, limit = 50;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (!cav_api_query_int(req, "before", 0, G_MAXINT64, &before) ||
	    !cav_api_query_int(req, "limit", 1, 500, &limit))
		return;
	rows = cav_store_audit_list(cav_room_store(req->api->room), before, (guint)limit, &error);
	if (rows == NULL) {
		cav_room_wrap_store_error(&error);
		cav_api_respond_error(req->msg, error);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "audit");
	json_builder_begin_array(b);
	for (guint i = 0; i < rows->len; i++) {
		CavAuditRow *r = rows->pdata[i];
		g_autoptr(JsonNode) detail = r->detail ? json_from_string(r->detail, NULL) : NULL;

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "id");
		json_builder_add_int_value(b, r->id);
		cav_json_add_time(b, "at", r->at_us);
		cav_json_add_string(b, "actor", r->actor);
		cav_json_add_string(b, "action", r->action);
		cav_json_add_string(b, "object", r->object);
		json_builder_set_member_name(b, "detail");
		if (detail != NULL)
			json_builder_add_value(b, g_steal_pointer(&detail));
		else
			json_builder_add_null_value(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "next_before");
	if (rows->len == (guint)limit)
		json_builder_add_int_value(b, ((CavAuditRow *)rows->pdata[rows->len - 1])->id);
	else
		json_builder_add_null_value(b);
	json_builder_end_object(b);
	cav_api_respond_json(req->msg, 200, b);
}

/* ---- public status ------------------------------------------------------------ */

/* What the in-room display shows, and nothing more: no login, so no
 * parties, no titles of closed cases, no alarms. */
static void
get_public_status(CavApiRequest *req)
{
	const CavConfig *c = cav_room_config(req->api->room);
	CavStore *store = cav_room_store(req->api->room);
	g_autoptr(CavHearingRow) h = cav_store_hearing_open_in_room(store, c->room_id, NULL);
	g_autoptr(CavCaseRow) kase = h ? cav_store_case_get(store, h->case_id, NULL) : NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	cav_json_add_string(b, "room", c->room_name);
	cav_json_add_string(b, "court", c->court);
	json_builder_set_member_name(b, "recording");
	json_builder_add_boolean_value(b, cav_room_is_recording(req->api->room) && h != NULL &&
						  h->state == CAV_HEARING_RECORDING);
	cav_json_add_string(b, "state", h ? cav_hearing_state_name(h->state) : NULL);
	cav_json_add_string(b, "pause_reason", h ? h->pause_reason : NULL);
	cav_json_add_string(b, "case_number", kase ? kase->number : NULL);
	cav_json_add_string(b, "case_title", kase && kase->is_public ? kase->title : NULL);
	cav_json_add_time(b, "now", g_get_real_time());
	json_builder_end_object(b);
	cav_api_respond_json(req->msg, 200, b);
}

void
cav_api_room_register(CavApi *api)
{
	cav_api_route(api, "GET", "/layout", CAV_ROLES_ANY, get_layout);
	cav_api_route(api, "POST", "/layout", CAV_ROLES_COURT | CAV_ROLE_TECHNICIAN, post_layout);
	cav_api_route(api, "GET", "/sources", CAV_ROLES_ANY, get_sources);
	cav_api_route(api, "GET", "/levels", CAV_ROLES_ANY, get_levels);
	cav_api_route(api, "GET", "/storage", CAV_ROLES_ANY, get_storage);
	cav_api_route(api, "GET", "/alarms", CAV_ROLES_ANY, get_alarms);
	cav_api_route(api, "GET", "/audit", CAV_ROLE_ADMIN | CAV_ROLE_TECHNICIAN, get_audit);
	cav_api_route(api, "GET", "/public/status", CAV_ROLES_PUBLIC, get_public_status);
}
