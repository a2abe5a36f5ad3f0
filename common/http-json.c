/* http-json.c — JSON answers of both HTTP servers (http-json.h). Main
 * context only.
 */
#include "http-json.h"

void
cav_http_respond_json(SoupServerMessage *msg, guint status, JsonBuilder *b, gboolean pretty)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	gsize len = 0;
	char *data;

	json_generator_set_root(gen, root);
	json_generator_set_pretty(gen, pretty);
	data = json_generator_to_data(gen, &len);
	soup_server_message_set_status(msg, status, NULL);
	soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Cache-Control",
				     "no-store");
	soup_server_message_set_response(msg, "application/json; charset=utf-8", SOUP_MEMORY_TAKE,
					 data, len);
}

void
cav_http_respond_error(SoupServerMessage *msg, guint status, const char *code, const char *en,
		       const char *zh, gboolean pretty)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "error");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "code");
	json_builder_add_string_value(b, code);
	json_builder_set_member_name(b, "message");
	json_builder_add_string_value(b, en);
	json_builder_set_member_name(b, "message_zh");
	json_builder_add_string_value(b, zh);
	json_builder_end_object(b);
	json_builder_end_object(b);
	cav_http_respond_json(msg, status, b, pretty);
}

void
cav_http_respond_unauthorized(SoupServerMessage *msg, const char *realm, const char *en,
			      const char *zh, gboolean pretty)
{
	g_autofree char *challenge = g_strdup_printf("Bearer realm=\"%s\"", realm);

	soup_message_headers_replace(soup_server_message_get_response_headers(msg),
				     "WWW-Authenticate", challenge);
	cav_http_respond_error(msg, 401, "unauthorized", en, zh, pretty);
}

void
cav_http_respond_login_needed(SoupServerMessage *msg, const char *realm, gboolean had_token,
			      gboolean pretty)
{
	cav_http_respond_unauthorized(msg, realm,
				      had_token ? "Your login has expired: log in again."
						: "Log in first: this call needs a user.",
				      had_token ? "登录已过期，请重新登录。" : "请先登录。",
				      pretty);
}

const CavHttpErrorCode *
cav_http_error_code_find(const GError *error, GQuark domain, const CavHttpErrorCode *map,
			 gsize n_map)
{
	if (error->domain != domain)
		return NULL;
	for (gsize i = 0; i < n_map; i++)
		if (map[i].code == error->code)
			return &map[i];
	return NULL;
}

gboolean
cav_http_query_int(SoupServerMessage *msg, GHashTable *query, const char *name, gint64 min,
		   gint64 max, gint64 *out, gboolean pretty)
{
	const char *text = query != NULL ? g_hash_table_lookup(query, name) : NULL;
	gint64 v = 0;

	if (text == NULL)
		return TRUE;
	if (!g_ascii_string_to_signed(text, 10, min, max, &v, NULL)) {
		g_autofree char *en = g_strdup_printf(
			"Query parameter “%s” must be a whole number from %" G_GINT64_FORMAT
			" to %" G_GINT64_FORMAT ".",
			name, min, max);

		cav_http_respond_error(msg, 400, "bad-request", en, "查询参数超出范围。", pretty);
		return FALSE;
	}
	*out = v;
	return TRUE;
}
