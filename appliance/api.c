/* api.c — the HTTP side of the control API: routing, request bodies,
 * errors. What each call does is CavRoom's business (room.h); how rows look
 * in JSON is api-json.c's. Main thread only.
 *
 * Request bodies are bounded (64 KiB), must be JSON objects, and may carry
 * only the fields a call knows: a typo in a field name is an error, not a
 * silently ignored option.
 */
#include "api.h"
#include "api-json.h"
#include "errors.h"
#include "common/manifest.h"

#include <libsoup/soup.h>
#include <string.h>

#define MAX_BODY (64 * 1024)

struct CavApi {
	CavRoom *room;           /* unowned */
	const CavSigner *signer; /* unowned */
	SoupServer *server;      /* owned */
	char *url;               /* owned */
};

/* ---- responses ----------------------------------------------------------- */

static void
respond_json(SoupServerMessage *msg, guint status, JsonBuilder *b)
{
	gsize len = 0;
	char *data = cav_json_to_string(b, &len);

	soup_server_message_set_status(msg, status, NULL);
	soup_server_message_set_response(msg, "application/json; charset=utf-8", SOUP_MEMORY_TAKE,
					 data, len);
}

static const struct {
	CavRoomError code;
	guint status;
	const char *name;
} error_map[] = {
	{ CAV_ROOM_ERROR_BAD_REQUEST, 400, "bad-request" },
	{ CAV_ROOM_ERROR_INVALID_CASE_NUMBER, 400, "invalid-case-number" },
	{ CAV_ROOM_ERROR_BAD_REASON, 400, "bad-reason" },
	{ CAV_ROOM_ERROR_NOT_FOUND, 404, "not-found" },
	{ CAV_ROOM_ERROR_CASE_EXISTS, 409, "case-exists" },
	{ CAV_ROOM_ERROR_HEARING_OPEN, 409, "hearing-open" },
	{ CAV_ROOM_ERROR_BAD_TRANSITION, 409, "bad-transition" },
	{ CAV_ROOM_ERROR_DISK_LOW, 507, "disk-low" },
	{ CAV_ROOM_ERROR_RECORDER, 500, "recorder" },
	{ CAV_ROOM_ERROR_INTERNAL, 500, "internal" },
};

static void
respond_error(SoupServerMessage *msg, const GError *error)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree char *en = cav_error_en(error);
	g_autofree char *zh = cav_error_zh(error);
	guint status = 500;
	const char *name = "internal";

	for (guint i = 0; error->domain == CAV_ROOM_ERROR && i < G_N_ELEMENTS(error_map); i++) {
		if (error_map[i].code == (CavRoomError)error->code) {
			status = error_map[i].status;
			name = error_map[i].name;
		}
	}
	if (status >= 500)
		g_warning("API %s %s: %s", soup_server_message_get_method(msg),
			  g_uri_get_path(soup_server_message_get_uri(msg)), en);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "error");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "code");
	json_builder_add_string_value(b, name);
	json_builder_set_member_name(b, "message");
	json_builder_add_string_value(b, en);
	json_builder_set_member_name(b, "message_zh");
	json_builder_add_string_value(b, zh);
	json_builder_end_object(b);
	json_builder_end_object(b);
	respond_json(msg, status, b);
}

static void G_GNUC_PRINTF(3, 4)
	respond_bad(SoupServerMessage *msg, const char *zh, const char *fmt, ...)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *en = NULL;
	va_list ap;

	va_start(ap, fmt);
	en = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	cav_set_error_bi(&error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_BAD_REQUEST, "%s", "%s", en, zh);
	respond_error(msg, error);
}

static void
respond_not_found(SoupServerMessage *msg)
{
	g_autoptr(GError) error = NULL;

	cav_set_error_bi(&error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_NOT_FOUND,
			 "No such API call: %s %s (see docs/API.md).", "没有这个接口：%s %s。",
			 soup_server_message_get_method(msg),
			 g_uri_get_path(soup_server_message_get_uri(msg)));
	respond_error(msg, error);
}

/* ---- requests ------------------------------------------------------------ */

static const char *
actor_of(SoupServerMessage *msg)
{
	const char *a = soup_message_headers_get_one(soup_server_message_get_request_headers(msg),
						     "X-Cav-Actor");

	if (a == NULL || a[0] == '\0' || strlen(a) > 100 || !g_utf8_validate(a, -1, NULL))
		return "local";
	return a;
}

/* The request body as a JSON object whose members are all in @allowed
 * (NULL-terminated). An empty body is an empty object. Responds 400 and
 * returns NULL otherwise. (transfer full) */
static JsonObject *
read_body(SoupServerMessage *msg, const char *const *allowed)
{
	SoupMessageBody *body = soup_server_message_get_request_body(msg);
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GList) members = NULL;
	JsonNode *root;

	if (body->length > MAX_BODY) {
		respond_bad(msg, "请求内容过大。", "Request body too large (%" G_GOFFSET_FORMAT
			    " bytes, at most %d).", body->length, MAX_BODY);
		return NULL;
	}
	if (body->length == 0)
		return json_object_new();
	if (!json_parser_load_from_data(parser, body->data, body->length, &error)) {
		respond_bad(msg, "请求不是有效的 JSON。", "Malformed JSON: %s", error->message);
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		respond_bad(msg, "请求内容必须是 JSON 对象。", "The body must be a JSON object.");
		return NULL;
	}
	members = json_object_get_members(json_node_get_object(root));
	for (GList *l = members; l != NULL; l = l->next) {
		if (!g_strv_contains(allowed, l->data)) {
			respond_bad(msg, "请求包含未知字段。", "Unknown field “%s”.",
				    (const char *)l->data);
			return NULL;
		}
	}
	return json_object_ref(json_node_get_object(root));
}

/* A string member: absent → @def; not a string → 400 and FALSE. */
static gboolean
get_string(SoupServerMessage *msg, JsonObject *o, const char *name, const char **out)
{
	JsonNode *n = json_object_get_member(o, name);

	if (n == NULL || JSON_NODE_HOLDS_NULL(n))
		return TRUE;
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
		respond_bad(msg, "字段类型错误。", "Field “%s” must be a string.", name);
		return FALSE;
	}
	*out = json_node_get_string(n);
	return TRUE;
}

static gboolean
get_bool(SoupServerMessage *msg, JsonObject *o, const char *name, gboolean *out)
{
	JsonNode *n = json_object_get_member(o, name);

	if (n == NULL)
		return TRUE;
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN) {
		respond_bad(msg, "字段类型错误。", "Field “%s” must be true or false.", name);
		return FALSE;
	}
	*out = json_node_get_boolean(n);
	return TRUE;
}

static gboolean
get_id(SoupServerMessage *msg, JsonObject *o, const char *name, gint64 *out)
{
	JsonNode *n = json_object_get_member(o, name);

	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) ||
	    json_node_get_value_type(n) != G_TYPE_INT64 || json_node_get_int(n) <= 0) {
		respond_bad(msg, "缺少或无效的编号字段。", "Field “%s” must be a positive integer.",
			    name);
		return FALSE;
	}
	*out = json_node_get_int(n);
	return TRUE;
}

/* Parses "/123" style ids from a path segment. */
static gint64
parse_id(const char *s)
{
	char *end = NULL;
	guint64 v;

	if (s == NULL || !g_ascii_isdigit(s[0]))
		return 0;
	v = g_ascii_strtoull(s, &end, 10);
	return (*end == '\0' && v > 0 && v < G_MAXINT64) ? (gint64)v : 0;
}

/* ---- handlers ------------------------------------------------------------ */

static void
get_status(CavApi *api, SoupServerMessage *msg)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	cav_json_status(b, api->room);
	respond_json(msg, 200, b);
}

static void
post_case(CavApi *api, SoupServerMessage *msg)
{
	static const char *const fields[] = { "number", "title", "cause", "parties", "public", NULL };
	g_autoptr(JsonObject) o = read_body(msg, fields);
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(CavCaseRow) row = NULL;
	const char *number = NULL, *title = NULL, *cause = NULL, *parties = NULL;
	gboolean is_public = TRUE;
	gint64 id;

	if (o == NULL || !get_string(msg, o, "number", &number) ||
	    !get_string(msg, o, "title", &title) || !get_string(msg, o, "cause", &cause) ||
	    !get_string(msg, o, "parties", &parties) || !get_bool(msg, o, "public", &is_public))
		return;
	id = cav_room_case_create(api->room, number, title, cause, parties, is_public,
				  actor_of(msg), &error);
	if (id == 0 ||
	    (row = cav_store_case_get(cav_room_store(api->room), id, &error)) == NULL) {
		respond_error(msg, error);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "case");
	cav_json_case(b, row);
	json_builder_end_object(b);
	respond_json(msg, 201, b);
}

static void
get_cases(CavApi *api, SoupServerMessage *msg)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rows = cav_store_case_list(cav_room_store(api->room), &error);
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (rows == NULL) {
		cav_room_wrap_store_error(&error);
		respond_error(msg, error);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "cases");
	json_builder_begin_array(b);
	for (guint i = 0; i < rows->len; i++)
		cav_json_case(b, rows->pdata[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
	respond_json(msg, 200, b);
}

static void
hearing_list_member(JsonBuilder *b, CavStore *store, gint64 case_id)
{
	g_autoptr(GPtrArray) rows = cav_store_hearing_list(store, case_id, NULL);

	json_builder_set_member_name(b, "hearings");
	json_builder_begin_array(b);
	for (guint i = 0; rows != NULL && i < rows->len; i++)
		cav_json_hearing_summary(b, store, rows->pdata[i]);
	json_builder_end_array(b);
}

static void
get_hearings(CavApi *api, SoupServerMessage *msg)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	hearing_list_member(b, cav_room_store(api->room), 0);
	json_builder_end_object(b);
	respond_json(msg, 200, b);
}

static void
get_case(CavApi *api, SoupServerMessage *msg, gint64 id)
{
	CavStore *store = cav_room_store(api->room);
	g_autoptr(GError) error = NULL;
	g_autoptr(CavCaseRow) row = cav_store_case_get(store, id, &error);
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (row == NULL) {
		respond_not_found(msg);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "case");
	cav_json_case(b, row);
	hearing_list_member(b, store, id);
	json_builder_end_object(b);
	respond_json(msg, 200, b);
}

static void
respond_hearing(CavApi *api, SoupServerMessage *msg, guint status, gint64 id)
{
	CavStore *store = cav_room_store(api->room);
	g_autoptr(GError) error = NULL;
	g_autoptr(CavHearingRow) h = cav_store_hearing_get(store, id, &error);
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (h == NULL) {
		respond_not_found(msg);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "hearing");
	if (!cav_json_hearing_full(b, store, h, &error)) {
		cav_room_wrap_store_error(&error);
		respond_error(msg, error);
		return;
	}
	json_builder_end_object(b);
	respond_json(msg, status, b);
}

static void
post_hearing(CavApi *api, SoupServerMessage *msg)
{
	static const char *const fields[] = { "case_id", "start", NULL };
	g_autoptr(JsonObject) o = read_body(msg, fields);
	g_autoptr(GError) error = NULL;
	gboolean start = TRUE;
	gint64 case_id = 0, id;

	if (o == NULL || !get_id(msg, o, "case_id", &case_id) || !get_bool(msg, o, "start", &start))
		return;
	id = cav_room_hearing_open(api->room, case_id, start, actor_of(msg), &error);
	if (id == 0) {
		respond_error(msg, error);
		return;
	}
	respond_hearing(api, msg, 201, id);
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
	g_autoptr(GError) error = NULL;

	if (!cav_room_op_finish(op->api->room, result, &error))
		respond_error(op->msg, error);
	else
		respond_hearing(op->api, op->msg, 200, op->id);
	soup_server_message_unpause(op->msg);
	g_object_unref(op->msg);
	g_free(op);
}

static void
post_transition(CavApi *api, SoupServerMessage *msg, gint64 id, const char *verb)
{
	static const char *const pause_fields[] = { "reason", "detail", NULL };
	static const char *const no_fields[] = { NULL };
	gboolean is_pause = g_str_equal(verb, "pause");
	g_autoptr(JsonObject) o = read_body(msg, is_pause ? pause_fields : no_fields);
	g_autoptr(GError) error = NULL;
	const char *reason = NULL, *detail = NULL;
	gboolean ok = FALSE;

	if (o == NULL)
		return;
	if (is_pause || g_str_equal(verb, "close")) {
		PendingOp *op;

		if (is_pause && (!get_string(msg, o, "reason", &reason) ||
				 !get_string(msg, o, "detail", &detail)))
			return;
		op = g_new0(PendingOp, 1);
		op->api = api;
		op->msg = g_object_ref(msg);
		op->id = id;
		soup_server_message_pause(msg);
		if (is_pause)
			cav_room_hearing_pause(api->room, id, reason, detail, actor_of(msg),
					       on_op_done, op);
		else
			cav_room_hearing_close(api->room, id, actor_of(msg), on_op_done, op);
		return;
	}
	if (g_str_equal(verb, "start") || g_str_equal(verb, "resume"))
		ok = cav_room_hearing_record(api->room, id, g_str_equal(verb, "resume"),
					     actor_of(msg), &error);
	else if (g_str_equal(verb, "seal"))
		ok = cav_room_hearing_seal(api->room, id, actor_of(msg), &error);
	else {
		respond_not_found(msg);
		return;
	}
	if (!ok)
		respond_error(msg, error);
	else
		respond_hearing(api, msg, 200, id);
}

static void
post_mark(CavApi *api, SoupServerMessage *msg, gint64 id)
{
	static const char *const fields[] = { "label", NULL };
	g_autoptr(JsonObject) o = read_body(msg, fields);
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	const char *label = NULL;
	gint64 mark_id;

	if (o == NULL || !get_string(msg, o, "label", &label))
		return;
	mark_id = cav_room_mark_add(api->room, id, label, actor_of(msg), &error);
	if (mark_id == 0) {
		respond_error(msg, error);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "mark");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, mark_id);
	json_builder_set_member_name(b, "hearing_id");
	json_builder_add_int_value(b, id);
	json_builder_set_member_name(b, "label");
	json_builder_add_string_value(b, label);
	json_builder_end_object(b);
	json_builder_end_object(b);
	respond_json(msg, 201, b);
}

/* The manifest exactly as written beside the files (what a verifier sees). */
static void
get_manifest_file(CavApi *api, SoupServerMessage *msg, gint64 id, gboolean sig)
{
	g_autoptr(CavHearingRow) h = cav_store_hearing_get(cav_room_store(api->room), id, NULL);
	g_autofree char *path = NULL;
	g_autofree char *data = NULL;
	gsize len = 0;

	if (h == NULL) {
		respond_not_found(msg);
		return;
	}
	path = g_build_filename(h->media_dir, sig ? CAV_MANIFEST_SIG_NAME : CAV_MANIFEST_NAME,
				NULL);
	if (!g_file_get_contents(path, &data, &len, NULL)) {
		respond_not_found(msg);
		return;
	}
	soup_server_message_set_status(msg, 200, NULL);
	soup_server_message_set_response(msg,
					 sig ? "text/plain; charset=us-ascii"
					     : "application/json; charset=utf-8",
					 SOUP_MEMORY_TAKE, g_steal_pointer(&data), len);
}

static void
get_events(CavApi *api, SoupServerMessage *msg, GHashTable *query)
{
	const char *after_s = query ? g_hash_table_lookup(query, "after") : NULL;
	gint64 after = after_s ? g_ascii_strtoll(after_s, NULL, 10) : 0;
	g_autoptr(GPtrArray) rows = cav_store_event_list(cav_room_store(api->room), after, 200, NULL);
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "events");
	json_builder_begin_array(b);
	for (guint i = 0; rows != NULL && i < rows->len; i++)
		cav_json_event(b, rows->pdata[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
	respond_json(msg, 200, b);
}

static void
get_public_key(CavApi *api, SoupServerMessage *msg)
{
	SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);
	const char *pem = cav_signer_public_pem(api->signer);

	soup_message_headers_replace(h, "X-Cav-Sig-Alg", cav_signer_alg(api->signer));
	soup_message_headers_replace(h, "X-Cav-Key-Id", cav_signer_key_id(api->signer));
	soup_server_message_set_status(msg, 200, NULL);
	soup_server_message_set_response(msg, "application/x-pem-file", SOUP_MEMORY_COPY, pem,
					 strlen(pem));
}

/* Routes "/api/v1/..." by method and path segments. */
static void
route(CavApi *api, SoupServerMessage *msg, const char *method, char **seg, guint n,
      GHashTable *query)
{
	gboolean get = g_str_equal(method, "GET"), post = g_str_equal(method, "POST");
	gint64 id = n >= 2 ? parse_id(seg[1]) : 0;
	const char *what = seg[0];
	const char *sub = n == 3 ? seg[2] : "";

	if (n == 1 && get && g_str_equal(what, "status"))
		get_status(api, msg);
	else if (n == 1 && get && g_str_equal(what, "cases"))
		get_cases(api, msg);
	else if (n == 1 && post && g_str_equal(what, "cases"))
		post_case(api, msg);
	else if (n == 2 && get && id && g_str_equal(what, "cases"))
		get_case(api, msg, id);
	else if (n == 1 && get && g_str_equal(what, "hearings"))
		get_hearings(api, msg);
	else if (n == 1 && post && g_str_equal(what, "hearings"))
		post_hearing(api, msg);
	else if (n == 2 && get && id && g_str_equal(what, "hearings"))
		respond_hearing(api, msg, 200, id);
	else if (n == 3 && post && id && g_str_equal(what, "hearings") && g_str_equal(sub, "marks"))
		post_mark(api, msg, id);
	else if (n == 3 && post && id && g_str_equal(what, "hearings"))
		post_transition(api, msg, id, sub);
	else if (n == 3 && get && id && g_str_equal(what, "hearings") &&
		 g_str_equal(sub, "manifest"))
		get_manifest_file(api, msg, id, FALSE);
	else if (n == 3 && get && id && g_str_equal(what, "hearings") &&
		 g_str_equal(sub, "manifest.sig"))
		get_manifest_file(api, msg, id, TRUE);
	else if (n == 1 && get && g_str_equal(what, "events"))
		get_events(api, msg, query);
	else if (n == 2 && get && g_str_equal(what, "device") && g_str_equal(seg[1], "public-key"))
		get_public_key(api, msg);
	else
		respond_not_found(msg);
}

static void
handler(SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
	gpointer user_data)
{
	g_auto(GStrv) parts = NULL;
	const char *rest;
	guint n;

	if (!g_str_has_prefix(path, "/api/v1/")) {
		respond_not_found(msg);
		return;
	}
	rest = path + strlen("/api/v1/");
	parts = g_strsplit(rest, "/", 8);
	n = g_strv_length(parts);
	if (n > 0 && parts[n - 1][0] == '\0') /* tolerate a trailing slash */
		n--;
	if (n == 0) {
		respond_not_found(msg);
		return;
	}
	route(user_data, msg, soup_server_message_get_method(msg), parts, n, query);
}

CavApi *
cav_api_new(CavRoom *room, const CavSigner *signer, GError **error)
{
	const CavConfig *c = cav_room_config(room);
	g_autoptr(CavApi) api = g_new0(CavApi, 1);
	g_autoptr(GSocketAddress) addr = g_inet_socket_address_new_from_string(c->listen_host,
										c->listen_port);
	g_autoptr(GSList) uris = NULL;

	api->room = room;
	api->signer = signer;
	api->server = soup_server_new("server-header", "courtavd/" CAV_VERSION, NULL);
	soup_server_add_handler(api->server, "/api/v1", handler, api, NULL);
	if (addr == NULL) {
		cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_INTERNAL,
				 "Invalid listen address %s", "监听地址无效：%s", c->listen_host);
		return NULL;
	}
	if (!soup_server_listen(api->server, addr, 0, error)) {
		g_prefix_error(error, "Cannot listen on %s:%u: ", c->listen_host, c->listen_port);
		return NULL;
	}
	uris = soup_server_get_uris(api->server);
	if (uris != NULL) {
		g_autofree char *s = g_uri_to_string(uris->data);

		api->url = g_strndup(s, strlen(s) - (g_str_has_suffix(s, "/") ? 1 : 0));
		g_slist_free_full(g_steal_pointer(&uris), (GDestroyNotify)g_uri_unref);
	}
	return g_steal_pointer(&api);
}

void
cav_api_free(CavApi *api)
{
	if (api == NULL)
		return;
	if (api->server != NULL) {
		soup_server_disconnect(api->server);
		g_object_unref(api->server);
	}
	g_free(api->url);
	g_free(api);
}

const char *
cav_api_url(CavApi *api)
{
	return api->url;
}
