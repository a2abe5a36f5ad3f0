/* http-util.c — reading requests and writing answers for every relay API
 * area: bounded JSON bodies with no unknown members, typed members,
 * bilingual errors {"error": {code, message, message_zh}}. Main thread.
 *
 * The JSON answers themselves are common/http-json.h's, shared with
 * courtavd; the relay's are compact (pretty = FALSE), as they always were.
 */
#include "http-private.h"
#include "stats.h"
#include "appliance/errors.h"

#include <string.h>

void
cav_relay_count_bad_body(void)
{
	cav_stat_inc(CAV_STAT_API_BAD_BODY);
}

void
cav_relay_respond_json(SoupServerMessage *msg, guint status, JsonBuilder *b)
{
	cav_http_respond_json(msg, status, b, FALSE);
}

void
cav_relay_respond_no_content(SoupServerMessage *msg)
{
	/* 200 with a tiny body rather than 204: libsoup 3.2 closes the
	 * connection after a 204 for some clients (it takes a response with
	 * no length as delimited by the end of the connection), and every
	 * connection it closes costs ~340 bytes it never gives back (see
	 * docs/RELAY.md, "Known limits"). */
	soup_server_message_set_status(msg, 200, NULL);
	soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Cache-Control",
				     "no-store");
	soup_server_message_set_response(msg, "application/json; charset=utf-8", SOUP_MEMORY_STATIC,
					 "{\"ok\":true}", 11);
}

void
cav_relay_respond_error(SoupServerMessage *msg, guint status, const char *code, const char *en,
			const char *zh)
{
	cav_http_respond_error(msg, status, code, en, zh, FALSE);
}

void
cav_relay_respond_bad(SoupServerMessage *msg, const char *zh, const char *fmt, ...)
{
	g_autofree char *en = NULL;
	va_list ap;

	va_start(ap, fmt);
	en = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	cav_relay_respond_error(msg, 400, "bad-request", en, zh);
}

void
cav_relay_respond_not_found(SoupServerMessage *msg)
{
	g_autofree char *en = g_strdup_printf("No such call: %s %s (see docs/API.md, “Relay”).",
					      soup_server_message_get_method(msg),
					      g_uri_get_path(soup_server_message_get_uri(msg)));

	cav_relay_respond_error(msg, 404, "not-found", en, "没有这个接口或资源。");
}

static const CavHttpErrorCode users_map[] = {
	{CAV_RELAY_USERS_ERROR_BAD_CREDENTIALS, 401, "bad-credentials"},
	{CAV_RELAY_USERS_ERROR_LOCKED, 429, "locked"},
	{CAV_RELAY_USERS_ERROR_INVALID, 400, "bad-request"},
	{CAV_RELAY_USERS_ERROR_NOT_FOUND, 404, "not-found"},
	{CAV_RELAY_USERS_ERROR_EXISTS, 409, "user-exists"},
	{CAV_RELAY_USERS_ERROR_INTERNAL, 500, "internal"},
};

void
cav_relay_respond_gerror(SoupServerMessage *msg, const GError *error)
{
	g_autofree char *en = cav_error_en(error);
	g_autofree char *zh = cav_error_zh(error);
	const CavHttpErrorCode *e = cav_http_error_code_find(error, CAV_RELAY_USERS_ERROR,
							     users_map, G_N_ELEMENTS(users_map));
	guint status = 500;
	const char *code = "internal";

	if (e != NULL) {
		status = e->status;
		code = e->name;
	} else if (error->domain == CAV_REGISTRY_ERROR &&
		   error->code == CAV_REGISTRY_ERROR_NOT_FOUND) {
		status = 404;
		code = "not-found";
	} else if (error->domain == CAV_REGISTRY_ERROR &&
		   error->code == CAV_REGISTRY_ERROR_CONSTRAINT) {
		status = 409;
		code = "conflict";
	}
	if (status >= 500) {
		g_warning("HTTP %s %s: %s", soup_server_message_get_method(msg),
			  g_uri_get_path(soup_server_message_get_uri(msg)), en);
		if (g_strcmp0(en, zh) == 0) {
			g_free(zh);
			zh = g_strdup("服务器内部错误，请查看日志。");
		}
	}
	cav_relay_respond_error(msg, status, code, en, zh);
}

static void
bad_body(SoupServerMessage *msg, const char *zh, const char *en)
{
	cav_relay_count_bad_body();
	cav_relay_respond_error(msg, 400, "bad-request", en, zh);
}

JsonObject *
cav_relay_read_body(SoupServerMessage *msg, const char *const *allowed)
{
	SoupMessageBody *body = soup_server_message_get_request_body(msg);
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GList) members = NULL;
	JsonNode *root;

	if (body->length > CAV_RELAY_MAX_BODY) {
		bad_body(msg, "请求内容过大。", "Request body too large.");
		return NULL;
	}
	if (body->length == 0)
		return json_object_new();
	if (!g_utf8_validate(body->data, body->length, NULL) ||
	    !json_parser_load_from_data(parser, body->data, body->length, &error)) {
		g_autofree char *en =
			g_strdup_printf("Malformed JSON: %s", error ? error->message : "not UTF-8");

		bad_body(msg, "请求不是有效的 JSON。", en);
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		bad_body(msg, "请求内容必须是 JSON 对象。", "The body must be a JSON object.");
		return NULL;
	}
	members = json_object_get_members(json_node_get_object(root));
	for (GList *l = members; l != NULL; l = l->next) {
		if (!g_strv_contains(allowed, l->data)) {
			g_autofree char *en =
				g_strdup_printf("Unknown field “%.64s”.", (const char *)l->data);

			bad_body(msg, "请求包含未知字段。", en);
			return NULL;
		}
	}
	return json_object_ref(json_node_get_object(root));
}

gboolean
cav_relay_get_string(SoupServerMessage *msg, JsonObject *o, const char *name, gsize max_len,
		     const char **out)
{
	JsonNode *n = json_object_get_member(o, name);
	const char *s;

	if (n == NULL || JSON_NODE_HOLDS_NULL(n))
		return TRUE;
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
		g_autofree char *en = g_strdup_printf("Field “%s” must be a string.", name);

		bad_body(msg, "字段类型错误。", en);
		return FALSE;
	}
	s = json_node_get_string(n);
	if (strlen(s) > max_len) {
		g_autofree char *en = g_strdup_printf(
			"Field “%s” is longer than %" G_GSIZE_FORMAT " bytes.", name, max_len);

		bad_body(msg, "字段过长。", en);
		return FALSE;
	}
	*out = s;
	return TRUE;
}

gboolean
cav_relay_get_bool(SoupServerMessage *msg, JsonObject *o, const char *name, gboolean *out)
{
	JsonNode *n = json_object_get_member(o, name);

	if (n == NULL || JSON_NODE_HOLDS_NULL(n))
		return TRUE;
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN) {
		g_autofree char *en = g_strdup_printf("Field “%s” must be true or false.", name);

		bad_body(msg, "字段类型错误。", en);
		return FALSE;
	}
	*out = json_node_get_boolean(n);
	return TRUE;
}

gboolean
cav_relay_get_int(SoupServerMessage *msg, JsonObject *o, const char *name, gint64 min, gint64 max,
		  gint64 *out)
{
	JsonNode *n = json_object_get_member(o, name);
	gint64 v;

	if (n == NULL || JSON_NODE_HOLDS_NULL(n))
		return TRUE;
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64 ||
	    (v = json_node_get_int(n)) < min || v > max) {
		g_autofree char *en =
			g_strdup_printf("Field “%s” must be a whole number from %" G_GINT64_FORMAT
					" to %" G_GINT64_FORMAT ".",
					name, min, max);

		bad_body(msg, "字段取值无效。", en);
		return FALSE;
	}
	*out = v;
	return TRUE;
}

gboolean
cav_relay_query_int(CavRelayRequest *req, const char *name, gint64 min, gint64 max, gint64 *out)
{
	return cav_http_query_int(req->msg, req->query, name, min, max, out, FALSE);
}

void
cav_relay_audit_req(CavRelayRequest *req, const char *action, const char *object,
		    const char *detail_json)
{
	g_autoptr(GError) error = NULL;

	if (!cav_registry_audit(cav_relay_registry(req->relay), req->actor ? req->actor : "?",
				action, object, detail_json, &error))
		g_warning("audit %s %s: %s", action, object ? object : "", error->message);
}

void
cav_relay_json_time(JsonBuilder *b, const char *name, gint64 us)
{
	g_autofree char *key = g_strdup_printf("%s_us", name);

	json_builder_set_member_name(b, key);
	if (us != 0)
		json_builder_add_int_value(b, us);
	else
		json_builder_add_null_value(b);
}
