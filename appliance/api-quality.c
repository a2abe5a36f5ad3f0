/* api-quality.c — GET /hearings/{id}/report: the quality report of a
 * hearing (quality.h): stored when it closed, or built now while it is open
 * ("stored": false). Main thread only.
 */
#include "api-private.h"
#include "quality.h"

static void
get_report(CavApiRequest *req)
{
	CavRoom *room = req->api->room;
	g_autoptr(GError) error = NULL;
	g_autoptr(CavHearingRow) h = cav_store_hearing_get(cav_room_store(room), req->id, NULL);
	g_autoptr(JsonNode) report = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree char *text = NULL;
	gboolean stored = FALSE;

	if (h == NULL) {
		cav_api_respond_not_found(req->msg);
		return;
	}
	text = cav_quality_report_get(cav_room_store(room), cav_room_config(room), req->id, &stored,
				      &error);
	report = text != NULL ? json_from_string(text, &error) : NULL;
	if (report == NULL) {
		cav_room_wrap_store_error(&error);
		cav_api_respond_error(req->msg, error);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "stored");
	json_builder_add_boolean_value(b, stored);
	json_builder_set_member_name(b, "report");
	json_builder_add_value(b, g_steal_pointer(&report));
	json_builder_end_object(b);
	cav_api_respond_json(req->msg, 200, b);
}

void
cav_api_quality_register(CavApi *api)
{
	cav_api_route(api, "GET", "/hearings/{id}/report", CAV_ROLES_ANY, get_report);
}
