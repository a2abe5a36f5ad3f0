/* api-evidence.c — evidence inputs (room-evidence.h) for the panel and
 * courtavctl (docs/API.md):
 *   GET  /evidence                  the inputs, a file input's files, the use in progress
 *   POST /evidence/{name}/start     {file?}: show it (recorded while in use)
 *   POST /evidence/stop             end the use in progress
 *   GET  /hearings/{id}/evidence    every use of a hearing, with the shown file's SHA-256
 * Main thread only.
 */
#include "api-private.h"
#include "api-json.h"
#include "room-evidence.h"
#include "store-evidence.h"

static void
respond_node(SoupServerMessage *msg, guint status, JsonNode *node)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	/* cav_api_respond_json() takes a builder: wrap the finished node. */
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "evidence");
	json_builder_add_value(b, node);
	json_builder_end_object(b);
	cav_api_respond_json(msg, status, b);
}

static void
get_evidence(CavApiRequest *req)
{
	respond_node(req->msg, SOUP_STATUS_OK, cav_room_evidence_status(req->api->room));
}

static void
post_start(CavApiRequest *req)
{
	static const char *const fields[] = {"file", NULL};
	g_autoptr(JsonObject) o = cav_api_read_body(req->msg, fields);
	g_autoptr(GError) error = NULL;
	const char *file = NULL;

	if (o == NULL || !cav_api_get_string(req->msg, o, "file", &file))
		return;
	if (cav_room_evidence_start(req->api->room, req->name, file, req->actor, &error) == 0) {
		cav_api_respond_error(req->msg, error);
		return;
	}
	respond_node(req->msg, SOUP_STATUS_OK, cav_room_evidence_status(req->api->room));
}

static void
post_stop(CavApiRequest *req)
{
	g_autoptr(GError) error = NULL;

	if (!cav_room_evidence_stop(req->api->room, req->actor, &error)) {
		cav_api_respond_error(req->msg, error);
		return;
	}
	respond_node(req->msg, SOUP_STATUS_OK, cav_room_evidence_status(req->api->room));
}

static void
get_hearing_evidence(CavApiRequest *req)
{
	CavStore *store = cav_room_store(req->api->room);
	g_autoptr(CavHearingRow) h = cav_store_hearing_get(store, req->id, NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) uses = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (h == NULL) {
		cav_api_respond_not_found(req->msg);
		return;
	}
	uses = cav_store_evidence_list(store, req->id, &error);
	if (uses == NULL) {
		cav_room_wrap_store_error(&error);
		cav_api_respond_error(req->msg, error);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "uses");
	json_builder_begin_array(b);
	for (guint i = 0; i < uses->len; i++) {
		const CavEvidenceUseRow *u = uses->pdata[i];

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "id");
		json_builder_add_int_value(b, u->id);
		cav_json_add_string(b, "input", u->source);
		cav_json_add_string(b, "file", u->file);
		cav_json_add_string(b, "file_sha256", u->file_sha256);
		json_builder_set_member_name(b, "file_bytes"); /* null until hashed */
		if (u->file_sha256 != NULL)
			json_builder_add_int_value(b, u->file_bytes);
		else
			json_builder_add_null_value(b);
		cav_json_add_time(b, "start", u->start_us);
		cav_json_add_time(b, "end", u->end_us);
		cav_json_add_string(b, "started_by", u->started_by);
		cav_json_add_string(b, "ended_by", u->ended_by);
		cav_json_add_string(b, "end_reason", u->end_reason);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	cav_api_respond_json(req->msg, SOUP_STATUS_OK, b);
}

void
cav_api_evidence_register(CavApi *api)
{
	cav_api_route(api, "GET", "/evidence", CAV_ROLES_ANY, get_evidence);
	cav_api_route(api, "POST", "/evidence/{name}/start", CAV_ROLES_COURT, post_start);
	cav_api_route(api, "POST", "/evidence/stop", CAV_ROLES_COURT, post_stop);
	cav_api_route(api, "GET", "/hearings/{id}/evidence", CAV_ROLES_ANY, get_hearing_evidence);
}
