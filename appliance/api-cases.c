/* api-cases.c — /cases: create, list, show (docs/API.md). Main thread only. */
#include "api-private.h"

static void
post_case(CavApiRequest *req)
{
	static const char *const fields[] = {"number", "title", "cause", "parties", "public", NULL};
	SoupServerMessage *msg = req->msg;
	g_autoptr(JsonObject) o = cav_api_read_body(msg, fields);
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(CavCaseRow) row = NULL;
	const char *number = NULL, *title = NULL, *cause = NULL, *parties = NULL;
	gboolean is_public = TRUE;
	gint64 id;

	if (o == NULL || !cav_api_get_string(msg, o, "number", &number) ||
	    !cav_api_get_string(msg, o, "title", &title) ||
	    !cav_api_get_string(msg, o, "cause", &cause) ||
	    !cav_api_get_string(msg, o, "parties", &parties) ||
	    !cav_api_get_bool(msg, o, "public", &is_public))
		return;
	id = cav_room_case_create(req->api->room, number, title, cause, parties, is_public,
				  req->actor, &error);
	if (id == 0 ||
	    (row = cav_store_case_get(cav_room_store(req->api->room), id, &error)) == NULL) {
		cav_api_respond_error(msg, error);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "case");
	cav_json_case(b, row);
	json_builder_end_object(b);
	cav_api_respond_json(msg, 201, b);
}

static void
get_cases(CavApiRequest *req)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rows = cav_store_case_list(cav_room_store(req->api->room), &error);
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (rows == NULL) {
		cav_room_wrap_store_error(&error);
		cav_api_respond_error(req->msg, error);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "cases");
	json_builder_begin_array(b);
	for (guint i = 0; i < rows->len; i++)
		cav_json_case(b, rows->pdata[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
	cav_api_respond_json(req->msg, 200, b);
}

static void
get_case(CavApiRequest *req)
{
	CavStore *store = cav_room_store(req->api->room);
	g_autoptr(CavCaseRow) row = cav_store_case_get(store, req->id, NULL);
	g_autoptr(GPtrArray) hearings = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (row == NULL) {
		cav_api_respond_not_found(req->msg);
		return;
	}
	hearings = cav_store_hearing_list(store, req->id, NULL);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "case");
	cav_json_case(b, row);
	json_builder_set_member_name(b, "hearings");
	json_builder_begin_array(b);
	for (guint i = 0; hearings != NULL && i < hearings->len; i++)
		cav_json_hearing_summary(b, store, hearings->pdata[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
	cav_api_respond_json(req->msg, 200, b);
}

void
cav_api_cases_register(CavApi *api)
{
	cav_api_route(api, "GET", "/cases", CAV_ROLES_ANY, get_cases);
	cav_api_route(api, "POST", "/cases", CAV_ROLES_COURT | CAV_ROLE_ADMIN, post_case);
	cav_api_route(api, "GET", "/cases/{id}", CAV_ROLES_ANY, get_case);
}
