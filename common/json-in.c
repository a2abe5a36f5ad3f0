/* json-in.c — type-checked, bounded reading of untrusted JSON objects (see
 * json-in.h). Shared by the parsers of manifest.json and disc-set.json, which
 * read files of any origin and are fuzz targets. Any thread; no state.
 */
#include "json-in.h"

#include <string.h>

gboolean
cav_json_in_fail(const CavJsonIn *in, const char *where, const char *key, const char *what,
		 GError **error)
{
	g_set_error(error, in->domain(), in->code, "%s field %s%s%s %s", in->name, where,
		    where[0] && key[0] ? "." : "", key, what);
	return FALSE;
}

gboolean
cav_json_in_depth_ok(const char *data, gsize len, guint max_depth)
{
	gboolean in_string = FALSE;
	guint depth = 0;

	for (gsize i = 0; i < len; i++) {
		char c = data[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = FALSE;
		} else if (c == '"') {
			in_string = TRUE;
		} else if (c == '[' || c == '{') {
			if (++depth > max_depth)
				return FALSE;
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return TRUE;
}

gboolean
cav_json_in_path_ok(const char *path)
{
	g_auto(GStrv) parts = NULL;

	if (path[0] == '\0' || path[0] == '/')
		return FALSE;
	for (const char *c = path; *c; c++) {
		if ((guchar)*c < 0x20 || *c == 0x7f || *c == '\\')
			return FALSE;
	}
	parts = g_strsplit(path, "/", -1);
	for (guint i = 0; parts[i] != NULL; i++) {
		if (parts[i][0] == '\0' || g_str_equal(parts[i], ".") ||
		    g_str_equal(parts[i], ".."))
			return FALSE;
	}
	return TRUE;
}

gboolean
cav_json_in_str(const CavJsonIn *in, JsonObject *o, const char *where, const char *key,
		gboolean nullable, gsize max, char **out, GError **error)
{
	JsonNode *n = json_object_get_member(o, key);
	const char *s;

	if (n == NULL)
		return cav_json_in_fail(in, where, key, "is missing", error);
	if (JSON_NODE_HOLDS_NULL(n)) {
		if (!nullable)
			return cav_json_in_fail(in, where, key, "must not be null", error);
		*out = NULL;
		return TRUE;
	}
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
		return cav_json_in_fail(in, where, key, "is not a string", error);
	s = json_node_get_string(n);
	if (s == NULL || strlen(s) > max || !g_utf8_validate(s, -1, NULL))
		return cav_json_in_fail(in, where, key, "is too long or not UTF-8", error);
	*out = g_strdup(s);
	return TRUE;
}

gboolean
cav_json_in_int(const CavJsonIn *in, JsonObject *o, const char *where, const char *key, gint64 min,
		gint64 max, gint64 *out, GError **error)
{
	JsonNode *n = json_object_get_member(o, key);
	gint64 v;

	if (n == NULL)
		return cav_json_in_fail(in, where, key, "is missing", error);
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
		return cav_json_in_fail(in, where, key, "is not an integer", error);
	v = json_node_get_int(n);
	if (v < min || v > max)
		return cav_json_in_fail(in, where, key, "is out of range", error);
	*out = v;
	return TRUE;
}

gboolean
cav_json_in_bool(const CavJsonIn *in, JsonObject *o, const char *where, const char *key,
		 gboolean *out, GError **error)
{
	JsonNode *n = json_object_get_member(o, key);

	if (n == NULL)
		return cav_json_in_fail(in, where, key, "is missing", error);
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN)
		return cav_json_in_fail(in, where, key, "is not a boolean", error);
	*out = json_node_get_boolean(n);
	return TRUE;
}

gboolean
cav_json_in_hash(const CavJsonIn *in, JsonObject *o, const char *where, const char *key,
		 guint8 out[CAV_SHA256_LEN], GError **error)
{
	g_autofree char *hex = NULL;

	if (!cav_json_in_str(in, o, where, key, FALSE, CAV_SHA256_HEX_LEN, &hex, error))
		return FALSE;
	if (!cav_sha256_from_hex(hex, out))
		return cav_json_in_fail(in, where, key, "is not 64 hexadecimal digits", error);
	return TRUE;
}

JsonArray *
cav_json_in_array(const CavJsonIn *in, JsonObject *o, const char *where, const char *key, guint max,
		  GError **error)
{
	JsonNode *n = json_object_get_member(o, key);
	JsonArray *a;

	if (n == NULL) {
		cav_json_in_fail(in, where, key, "is missing", error);
		return NULL;
	}
	if (!JSON_NODE_HOLDS_ARRAY(n)) {
		cav_json_in_fail(in, where, key, "is not an array", error);
		return NULL;
	}
	a = json_node_get_array(n);
	if (json_array_get_length(a) > max) {
		cav_json_in_fail(in, where, key, "has too many entries", error);
		return NULL;
	}
	return a;
}

JsonObject *
cav_json_in_element(const CavJsonIn *in, JsonArray *a, guint i, const char *where, GError **error)
{
	JsonNode *n = json_array_get_element(a, i);

	if (!JSON_NODE_HOLDS_OBJECT(n)) {
		cav_json_in_fail(in, where, "", "is not an object", error);
		return NULL;
	}
	return json_node_get_object(n);
}
