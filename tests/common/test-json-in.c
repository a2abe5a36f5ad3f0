/* test-json-in.c — the readers of untrusted JSON fields: each accepts what it
 * is documented to, says exactly what is wrong with what it refuses (people
 * read these messages off a disc or a manifest), and leaves its out-parameter
 * alone on failure.
 */
#include "common/json-in.h"
#include "common/manifest.h"

#include <string.h>

#define HASH "ab00000000000000000000000000000000000000000000000000000000000000"

static const CavJsonIn in = {"Test", cav_manifest_error_quark, CAV_MANIFEST_ERROR_PARSE};

/* A JSON object from @text; the parser owns it, so both are returned. */
static JsonObject *
object_of(const char *text, JsonParser **parser)
{
	g_autoptr(GError) error = NULL;

	*parser = json_parser_new_immutable();
	json_parser_load_from_data(*parser, text, -1, &error);
	g_assert_no_error(error);
	return json_node_get_object(json_parser_get_root(*parser));
}

static void
assert_message(GError *error, const char *message)
{
	g_assert_error(error, CAV_MANIFEST_ERROR, CAV_MANIFEST_ERROR_PARSE);
	g_assert_cmpstr(error->message, ==, message);
}

static void
test_str(void)
{
	g_autoptr(JsonParser) parser = NULL;
	JsonObject *o =
		object_of("{\"s\":\"abc\",\"n\":null,\"i\":1,\"bad\":\"\\u00ff\"}", &parser);
	char *keep = (char *)"untouched";
	char *out = keep;
	GError *error = NULL;

	g_assert_true(cav_json_in_str(&in, o, "", "s", FALSE, 3, &out, &error));
	g_assert_cmpstr(out, ==, "abc");
	g_clear_pointer(&out, g_free);
	out = keep;
	g_assert_true(cav_json_in_str(&in, o, "", "n", TRUE, 3, &out, &error));
	g_assert_null(out);

	out = keep;
	g_assert_false(cav_json_in_str(&in, o, "", "s", FALSE, 2, &out, &error));
	assert_message(error, "Test field s is too long or not UTF-8");
	g_assert_true(out == keep);
	g_clear_error(&error);
	g_assert_false(cav_json_in_str(&in, o, "a[1]", "n", FALSE, 3, &out, &error));
	assert_message(error, "Test field a[1].n must not be null");
	g_clear_error(&error);
	g_assert_false(cav_json_in_str(&in, o, "", "i", FALSE, 3, &out, &error));
	assert_message(error, "Test field i is not a string");
	g_clear_error(&error);
	g_assert_false(cav_json_in_str(&in, o, "", "gone", TRUE, 3, &out, &error));
	assert_message(error, "Test field gone is missing");
	g_clear_error(&error);
	g_assert_true(out == keep);
}

static void
test_int_bool_hash(void)
{
	g_autoptr(JsonParser) parser = NULL;
	JsonObject *o = object_of("{\"i\":5,\"f\":1.5,\"b\":true,\"h\":\"" HASH "\","
				  "\"x\":\"0g\"}",
				  &parser);
	guint8 digest[CAV_SHA256_LEN] = {0};
	gboolean b = FALSE;
	gint64 v = -7;
	GError *error = NULL;

	g_assert_true(cav_json_in_int(&in, o, "", "i", 5, 5, &v, &error));
	g_assert_cmpint(v, ==, 5);
	v = -7;
	g_assert_false(cav_json_in_int(&in, o, "", "i", 6, 9, &v, &error));
	assert_message(error, "Test field i is out of range");
	g_clear_error(&error);
	g_assert_false(cav_json_in_int(&in, o, "", "f", 0, 9, &v, &error));
	assert_message(error, "Test field f is not an integer");
	g_clear_error(&error);
	g_assert_cmpint(v, ==, -7);

	g_assert_true(cav_json_in_bool(&in, o, "", "b", &b, &error));
	g_assert_true(b);
	g_assert_false(cav_json_in_bool(&in, o, "", "i", &b, &error));
	assert_message(error, "Test field i is not a boolean");
	g_clear_error(&error);

	g_assert_true(cav_json_in_hash(&in, o, "", "h", digest, &error));
	g_assert_cmpint(digest[0], ==, 0xab);
	g_assert_false(cav_json_in_hash(&in, o, "", "x", digest, &error));
	assert_message(error, "Test field x is not 64 hexadecimal digits");
	g_clear_error(&error);
}

static void
test_array_element(void)
{
	g_autoptr(JsonParser) parser = NULL;
	JsonObject *o = object_of("{\"a\":[{},1],\"s\":\"x\"}", &parser);
	GError *error = NULL;
	JsonArray *a;

	a = cav_json_in_array(&in, o, "", "a", 2, &error);
	g_assert_nonnull(a);
	g_assert_nonnull(cav_json_in_element(&in, a, 0, "a[0]", &error));
	g_assert_null(cav_json_in_element(&in, a, 1, "a[1]", &error));
	assert_message(error, "Test field a[1] is not an object");
	g_clear_error(&error);
	g_assert_null(cav_json_in_array(&in, o, "top", "a", 1, &error));
	assert_message(error, "Test field top.a has too many entries");
	g_clear_error(&error);
	g_assert_null(cav_json_in_array(&in, o, "", "s", 9, &error));
	assert_message(error, "Test field s is not an array");
	g_clear_error(&error);
	g_assert_null(cav_json_in_array(&in, o, "", "none", 9, &error));
	assert_message(error, "Test field none is missing");
	g_clear_error(&error);
}

static void
test_depth(void)
{
	const char *three = "[{\"k\":[\"[[[[\\\"{\"]}]";

	g_assert_true(cav_json_in_depth_ok(three, strlen(three), 3));
	g_assert_false(cav_json_in_depth_ok(three, strlen(three), 2));
	g_assert_true(cav_json_in_depth_ok("]]]]", 4, 0));
}

static void
test_path(void)
{
	const char *good[] = {"a", "cam1/x_0001.mp4", "a.b/..c", NULL};
	const char *bad[] = {"",   "/etc/passwd", "a/../b", "..",    "./a", "a//b",
			     "a/", "a\\b",        "a\nb",   "a\x7f", NULL};

	for (guint i = 0; good[i] != NULL; i++)
		g_assert_true(cav_json_in_path_ok(good[i]));
	for (guint i = 0; bad[i] != NULL; i++)
		g_assert_false(cav_json_in_path_ok(bad[i]));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/json-in/str", test_str);
	g_test_add_func("/json-in/int-bool-hash", test_int_bool_hash);
	g_test_add_func("/json-in/array-element", test_array_element);
	g_test_add_func("/json-in/depth", test_depth);
	g_test_add_func("/json-in/path", test_path);
	return g_test_run();
}
