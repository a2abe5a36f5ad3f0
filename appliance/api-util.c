/* api-util.c — reading requests and writing answers for every API area:
 * bounded JSON bodies with no unknown fields, typed members, bilingual
 * errors mapped to HTTP statuses (docs/API.md). Main thread only.
 *
 * The JSON answers themselves are common/http-json.h's, shared with the
 * relay; this API's are indented (pretty = TRUE), as they always were.
 */
#include "api-private.h"

#include <string.h>

/* ---- responses ----------------------------------------------------------- */

void
cav_api_respond_json(SoupServerMessage *msg, guint status, JsonBuilder *b)
{
	cav_http_respond_json(msg, status, b, TRUE);
}

static const CavHttpErrorCode error_map[] = {
	{CAV_ROOM_ERROR_BAD_REQUEST, 400, "bad-request"},
	{CAV_ROOM_ERROR_INVALID_CASE_NUMBER, 400, "invalid-case-number"},
	{CAV_ROOM_ERROR_BAD_REASON, 400, "bad-reason"},
	{CAV_ROOM_ERROR_NOT_FOUND, 404, "not-found"},
	{CAV_ROOM_ERROR_CASE_EXISTS, 409, "case-exists"},
	{CAV_ROOM_ERROR_HEARING_OPEN, 409, "hearing-open"},
	{CAV_ROOM_ERROR_BAD_TRANSITION, 409, "bad-transition"},
	{CAV_ROOM_ERROR_DISK_LOW, 507, "disk-low"},
	{CAV_ROOM_ERROR_RECORDER, 500, "recorder"},
	{CAV_ROOM_ERROR_INTERNAL, 500, "internal"},
};

static const CavHttpErrorCode users_map[] = {
	{CAV_USERS_ERROR_BAD_CREDENTIALS, 401, "bad-credentials"},
	{CAV_USERS_ERROR_LOCKED, 429, "locked"},
	{CAV_USERS_ERROR_INVALID, 400, "bad-request"},
	{CAV_USERS_ERROR_NOT_FOUND, 404, "not-found"},
	{CAV_USERS_ERROR_EXISTS, 409, "user-exists"},
	{CAV_USERS_ERROR_LAST_ADMIN, 409, "last-admin"},
	{CAV_USERS_ERROR_INTERNAL, 500, "internal"},
};

void
cav_api_respond_status(SoupServerMessage *msg, guint status, const char *code, const char *en,
		       const char *zh)
{
	cav_http_respond_error(msg, status, code, en, zh, TRUE);
}

void
cav_api_respond_error(SoupServerMessage *msg, const GError *error)
{
	g_autofree char *en = cav_error_en(error);
	g_autofree char *zh = cav_error_zh(error);
	const CavHttpErrorCode *e =
		cav_http_error_code_find(error, CAV_ROOM_ERROR, error_map, G_N_ELEMENTS(error_map));
	guint status;

	if (e == NULL)
		e = cav_http_error_code_find(error, CAV_USERS_ERROR, users_map,
					     G_N_ELEMENTS(users_map));
	status = e != NULL ? e->status : 500;
	if (status >= 500)
		g_warning("API %s %s: %s", soup_server_message_get_method(msg),
			  g_uri_get_path(soup_server_message_get_uri(msg)), en);
	cav_http_respond_error(msg, status, e != NULL ? e->name : "internal", en, zh, TRUE);
}

void
cav_api_respond_bad(SoupServerMessage *msg, const char *zh, const char *fmt, ...)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *en = NULL;
	va_list ap;

	va_start(ap, fmt);
	en = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	cav_set_error_bi(&error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_BAD_REQUEST, "%s", "%s", en, zh);
	cav_api_respond_error(msg, error);
}

void
cav_api_respond_not_found(SoupServerMessage *msg)
{
	g_autoptr(GError) error = NULL;

	cav_set_error_bi(&error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_NOT_FOUND,
			 "No such API call: %s %s (see docs/API.md).", "没有这个接口：%s %s。",
			 soup_server_message_get_method(msg),
			 g_uri_get_path(soup_server_message_get_uri(msg)));
	cav_api_respond_error(msg, error);
}

/* ---- requests ------------------------------------------------------------ */

/* The request body as a JSON object whose members are all in @allowed
 * (NULL-terminated). An empty body is an empty object. Responds 400 and
 * returns NULL otherwise. (transfer full) */
JsonObject *
cav_api_read_body(SoupServerMessage *msg, const char *const *allowed)
{
	SoupMessageBody *body = soup_server_message_get_request_body(msg);
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GList) members = NULL;
	JsonNode *root;

	if (body->length > CAV_API_MAX_BODY) {
		cav_api_respond_bad(msg, "请求内容过大。",
				    "Request body too large (%" G_GOFFSET_FORMAT
				    " bytes, at most %d).",
				    body->length, CAV_API_MAX_BODY);
		return NULL;
	}
	if (body->length == 0)
		return json_object_new();
	if (!json_parser_load_from_data(parser, body->data, body->length, &error)) {
		cav_api_respond_bad(msg, "请求不是有效的 JSON。", "Malformed JSON: %s",
				    error->message);
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		cav_api_respond_bad(msg, "请求内容必须是 JSON 对象。",
				    "The body must be a JSON object.");
		return NULL;
	}
	members = json_object_get_members(json_node_get_object(root));
	for (GList *l = members; l != NULL; l = l->next) {
		if (!g_strv_contains(allowed, l->data)) {
			cav_api_respond_bad(msg, "请求包含未知字段。", "Unknown field “%s”.",
					    (const char *)l->data);
			return NULL;
		}
	}
	return json_object_ref(json_node_get_object(root));
}

/* A string member: absent → @def; not a string → 400 and FALSE. */
gboolean
cav_api_get_string(SoupServerMessage *msg, JsonObject *o, const char *name, const char **out)
{
	JsonNode *n = json_object_get_member(o, name);

	if (n == NULL || JSON_NODE_HOLDS_NULL(n))
		return TRUE;
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
		cav_api_respond_bad(msg, "字段类型错误。", "Field “%s” must be a string.", name);
		return FALSE;
	}
	*out = json_node_get_string(n);
	return TRUE;
}

gboolean
cav_api_get_bool(SoupServerMessage *msg, JsonObject *o, const char *name, gboolean *out)
{
	JsonNode *n = json_object_get_member(o, name);

	if (n == NULL)
		return TRUE;
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN) {
		cav_api_respond_bad(msg, "字段类型错误。", "Field “%s” must be true or false.",
				    name);
		return FALSE;
	}
	*out = json_node_get_boolean(n);
	return TRUE;
}

gboolean
cav_api_get_id(SoupServerMessage *msg, JsonObject *o, const char *name, gint64 *out)
{
	JsonNode *n = json_object_get_member(o, name);

	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64 ||
	    json_node_get_int(n) <= 0) {
		cav_api_respond_bad(msg, "缺少或无效的编号字段。",
				    "Field “%s” must be a positive integer.", name);
		return FALSE;
	}
	*out = json_node_get_int(n);
	return TRUE;
}

gboolean
cav_api_query_int(CavApiRequest *req, const char *name, gint64 min, gint64 max, gint64 *out)
{
	return cav_http_query_int(req->msg, req->query, name, min, max, out, TRUE);
}
