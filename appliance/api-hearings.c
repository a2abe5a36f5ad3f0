/* api-hearings.c — /hearings: open, show, list, transitions, marks, and the
 * manifest as written beside the files (docs/API.md). Pause and close wait
 * for the recorder to drain: the HTTP message is paused and answered when
 * the room completes. Main thread only.
 */
#include "api-private.h"
#include "common/manifest.h"

static void
respond_hearing(CavApiRequest *req, guint status, gint64 id)
{
	CavStore *store = cav_room_store(req->api->room);
	g_autoptr(GError) error = NULL;
	g_autoptr(CavHearingRow) h = cav_store_hearing_get(store, id, NULL);
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (h == NULL) {
		cav_api_respond_not_found(req->msg);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "hearing");
	if (!cav_json_hearing_full(b, store, h, &error)) {
		cav_room_wrap_store_error(&error);
		cav_api_respond_error(req->msg, error);
		return;
	}
	json_builder_end_object(b);
	cav_api_respond_json(req->msg, status, b);
}

static void
get_hearing(CavApiRequest *req)
{
	respond_hearing(req, 200, req->id);
}

static void
get_hearings(CavApiRequest *req)
{
	CavStore *store = cav_room_store(req->api->room);
	g_autoptr(GPtrArray) rows = cav_store_hearing_list(store, 0, NULL);
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "hearings");
	json_builder_begin_array(b);
	for (guint i = 0; rows != NULL && i < rows->len; i++)
		cav_json_hearing_summary(b, store, rows->pdata[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
	cav_api_respond_json(req->msg, 200, b);
}

static void
post_hearing(CavApiRequest *req)
{
	static const char *const fields[] = {"case_id", "start", NULL};
	g_autoptr(JsonObject) o = cav_api_read_body(req->msg, fields);
	g_autoptr(GError) error = NULL;
	gboolean start = TRUE;
	gint64 case_id = 0, id;

	if (o == NULL || !cav_api_get_id(req->msg, o, "case_id", &case_id) ||
	    !cav_api_get_bool(req->msg, o, "start", &start))
		return;
	id = cav_room_hearing_open(req->api->room, case_id, start, req->actor, &error);
	if (id == 0) {
		cav_api_respond_error(req->msg, error);
		return;
	}
	respond_hearing(req, 201, id);
}

typedef struct {
	CavApi *api;
	SoupServerMessage *msg; /* owned ref */
	gint64 id;
} PendingOp;

static void
on_op_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	PendingOp *op = user_data;
	CavApiRequest req = {op->api, op->msg, NULL, op->id, NULL};
	g_autoptr(GError) error = NULL;

	if (!cav_room_op_finish(op->api->room, result, &error))
		cav_api_respond_error(op->msg, error);
	else
		respond_hearing(&req, 200, op->id);
	soup_server_message_unpause(op->msg);
	g_object_unref(op->msg);
	g_free(op);
}

static PendingOp *
pending_op(CavApiRequest *req)
{
	PendingOp *op = g_new0(PendingOp, 1);

	op->api = req->api;
	op->msg = g_object_ref(req->msg);
	op->id = req->id;
	soup_server_message_pause(req->msg);
	return op;
}

static void
post_pause(CavApiRequest *req)
{
	static const char *const fields[] = {"reason", "detail", NULL};
	g_autoptr(JsonObject) o = cav_api_read_body(req->msg, fields);
	const char *reason = NULL, *detail = NULL;

	if (o == NULL || !cav_api_get_string(req->msg, o, "reason", &reason) ||
	    !cav_api_get_string(req->msg, o, "detail", &detail))
		return;
	cav_room_hearing_pause(req->api->room, req->id, reason, detail, req->actor, on_op_done,
			       pending_op(req));
}

static void
post_close(CavApiRequest *req)
{
	static const char *const no_fields[] = {NULL};
	g_autoptr(JsonObject) o = cav_api_read_body(req->msg, no_fields);

	if (o != NULL)
		cav_room_hearing_close(req->api->room, req->id, req->actor, on_op_done,
				       pending_op(req));
}

/* start, resume and seal answer at once. */
static void
post_sync_transition(CavApiRequest *req, const char *verb)
{
	static const char *const no_fields[] = {NULL};
	g_autoptr(JsonObject) o = cav_api_read_body(req->msg, no_fields);
	g_autoptr(GError) error = NULL;
	gboolean ok;

	if (o == NULL)
		return;
	if (g_str_equal(verb, "seal"))
		ok = cav_room_hearing_seal(req->api->room, req->id, req->actor, &error);
	else
		ok = cav_room_hearing_record(req->api->room, req->id, g_str_equal(verb, "resume"),
					     req->actor, &error);
	if (!ok)
		cav_api_respond_error(req->msg, error);
	else
		respond_hearing(req, 200, req->id);
}

static void
post_start(CavApiRequest *req)
{
	post_sync_transition(req, "start");
}

static void
post_resume(CavApiRequest *req)
{
	post_sync_transition(req, "resume");
}

static void
post_seal(CavApiRequest *req)
{
	post_sync_transition(req, "seal");
}

static void
post_mark(CavApiRequest *req)
{
	static const char *const fields[] = {"label", NULL};
	g_autoptr(JsonObject) o = cav_api_read_body(req->msg, fields);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	const char *label = NULL;
	gint64 mark_id;

	if (o == NULL || !cav_api_get_string(req->msg, o, "label", &label))
		return;
	mark_id = cav_room_mark_add(req->api->room, req->id, label, req->actor, &error);
	if (mark_id == 0) {
		cav_api_respond_error(req->msg, error);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "mark");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, mark_id);
	json_builder_set_member_name(b, "hearing_id");
	json_builder_add_int_value(b, req->id);
	json_builder_set_member_name(b, "label");
	json_builder_add_string_value(b, label);
	cav_json_add_time(b, "at", g_get_real_time());
	json_builder_end_object(b);
	json_builder_end_object(b);
	cav_api_respond_json(req->msg, 201, b);
}

/* The manifest exactly as written beside the files (what a verifier sees). */
static void
respond_manifest_file(CavApiRequest *req, gboolean sig)
{
	g_autoptr(CavHearingRow) h =
		cav_store_hearing_get(cav_room_store(req->api->room), req->id, NULL);
	g_autofree char *path = NULL;
	g_autofree char *data = NULL;
	gsize len = 0;

	if (h == NULL) {
		cav_api_respond_not_found(req->msg);
		return;
	}
	path = g_build_filename(h->media_dir, sig ? CAV_MANIFEST_SIG_NAME : CAV_MANIFEST_NAME,
				NULL);
	if (!g_file_get_contents(path, &data, &len, NULL)) {
		cav_api_respond_not_found(req->msg);
		return;
	}
	soup_server_message_set_status(req->msg, 200, NULL);
	soup_server_message_set_response(
		req->msg, sig ? "text/plain; charset=us-ascii" : "application/json; charset=utf-8",
		SOUP_MEMORY_TAKE, g_steal_pointer(&data), len);
}

static void
get_manifest(CavApiRequest *req)
{
	respond_manifest_file(req, FALSE);
}

static void
get_manifest_sig(CavApiRequest *req)
{
	respond_manifest_file(req, TRUE);
}

void
cav_api_hearings_register(CavApi *api)
{
	cav_api_route(api, "GET", "/hearings", CAV_ROLES_ANY, get_hearings);
	cav_api_route(api, "POST", "/hearings", CAV_ROLES_COURT, post_hearing);
	cav_api_route(api, "GET", "/hearings/{id}", CAV_ROLES_ANY, get_hearing);
	cav_api_route(api, "POST", "/hearings/{id}/start", CAV_ROLES_COURT, post_start);
	cav_api_route(api, "POST", "/hearings/{id}/pause", CAV_ROLES_COURT, post_pause);
	cav_api_route(api, "POST", "/hearings/{id}/resume", CAV_ROLES_COURT, post_resume);
	cav_api_route(api, "POST", "/hearings/{id}/close", CAV_ROLES_COURT, post_close);
	cav_api_route(api, "POST", "/hearings/{id}/seal", CAV_ROLES_COURT | CAV_ROLE_ADMIN,
		      post_seal);
	cav_api_route(api, "POST", "/hearings/{id}/marks", CAV_ROLES_COURT, post_mark);
	cav_api_route(api, "GET", "/hearings/{id}/manifest", CAV_ROLES_ANY, get_manifest);
	cav_api_route(api, "GET", "/hearings/{id}/manifest.sig", CAV_ROLES_ANY, get_manifest_sig);
}
