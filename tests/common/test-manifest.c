/* test-manifest.c — manifest.json round trips byte for byte, keeps its key
 * order, and the parser rejects every kind of hostile or broken input it is
 * documented to reject.
 */
#include "common/manifest.h"
#include "test-util.h"

#include <string.h>

#define UID "6f1c2a3e-0000-4000-8000-000000000001"

static CavManifest *
sample_manifest(void)
{
	CavManifest *m = cav_manifest_new();
	CavManifestSegment s = {0};
	CavManifestInterval iv = {0};
	CavManifestMark mk = {0};

	m->hearing_uid = g_strdup(UID);
	m->hearing_id = 7;
	m->state = g_strdup("closed");
	m->court = g_strdup("某某市中级人民法院");
	m->room = g_strdup("第一法庭");
	m->case_number = g_strdup("(2026)京01民初123号");
	m->case_title = NULL;
	m->is_public = TRUE;
	m->opened_us = G_GINT64_CONSTANT(1795859101123456);
	m->closed_us = m->opened_us + G_GINT64_CONSTANT(3600) * G_USEC_PER_SEC;
	m->sig_alg = g_strdup("ed25519");
	m->device_key_id = g_strdup("0123456789abcdef");
	m->public_key_pem =
		g_strdup("-----BEGIN PUBLIC KEY-----\nMCow\n-----END PUBLIC KEY-----\n");
	for (guint i = 1; i <= 3; i++) {
		g_autofree char *file = g_strdup_printf("cam1/room101_%04u.mp4", i);

		s.file = file;
		s.track = "cam1";
		s.seq = i;
		s.bytes = G_GUINT64_CONSTANT(5000000000) + i; /* beyond 32 bits */
		memset(s.sha256, 0xa0 + i, CAV_SHA256_LEN);
		memset(s.chain, 0x0f + i, CAV_SHA256_LEN);
		s.start_us = m->opened_us + i * 300 * G_USEC_PER_SEC;
		s.end_us = i == 3 ? 0 : s.start_us + 300 * G_USEC_PER_SEC;
		s.partial = i == 3;
		cav_manifest_add_segment(m, &s);
	}
	memset(m->chain_head, 0x12, CAV_SHA256_LEN);
	iv.kind = "recording";
	iv.start_us = m->opened_us;
	iv.end_us = m->opened_us + 100;
	cav_manifest_add_interval(m, &iv);
	iv.kind = "paused";
	iv.reason = "recess";
	iv.detail = "lunch \"break\"";
	iv.start_us = iv.end_us;
	iv.end_us = 0;
	cav_manifest_add_interval(m, &iv);
	mk.at_us = m->opened_us + 5;
	mk.label = "证人出庭";
	mk.actor = "clerk1";
	cav_manifest_add_mark(m, &mk);
	{
		CavManifestExhibit ex = {.input = "doc",
					 .file = "物证 1.png",
					 .has_sha256 = TRUE,
					 .bytes = 68598,
					 .actor = "clerk1"};

		memset(ex.sha256, 0x5e, CAV_SHA256_LEN);
		ex.start_us = m->opened_us + 10;
		ex.end_us = m->opened_us + 20;
		cav_manifest_add_exhibit(m, &ex);
		ex.input = "hdmi"; /* an HDMI input: no file, no digest, still shown */
		ex.file = NULL;
		ex.has_sha256 = FALSE;
		ex.bytes = 0;
		ex.end_us = 0;
		cav_manifest_add_exhibit(m, &ex);
	}
	return m;
}

static void
test_round_trip(void)
{
	g_autoptr(CavManifest) m = sample_manifest();
	g_autoptr(CavManifest) back = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *json = NULL, *json2 = NULL;
	gsize len = 0, len2 = 0;
	const CavManifestSegment *s;
	const CavManifestInterval *iv;

	json = cav_manifest_to_json(m, &len);
	g_assert_cmpuint(len, ==, strlen(json));
	back = cav_manifest_parse(json, len, &error);
	g_assert_no_error(error);
	g_assert_nonnull(back);
	g_assert_cmpstr(back->hearing_uid, ==, UID);
	g_assert_cmpint(back->hearing_id, ==, 7);
	g_assert_cmpstr(back->state, ==, "closed");
	g_assert_cmpstr(back->court, ==, m->court);
	g_assert_cmpstr(back->case_number, ==, m->case_number);
	g_assert_null(back->case_title);
	g_assert_true(back->is_public);
	g_assert_cmpint(back->opened_us, ==, m->opened_us);
	g_assert_cmpint(back->closed_us, ==, m->closed_us);
	g_assert_cmpmem(back->chain_head, CAV_SHA256_LEN, m->chain_head, CAV_SHA256_LEN);
	g_assert_cmpstr(back->public_key_pem, ==, m->public_key_pem);
	g_assert_cmpuint(back->segments->len, ==, 3);
	s = g_ptr_array_index(back->segments, 2);
	g_assert_cmpstr(s->file, ==, "cam1/room101_0003.mp4");
	g_assert_cmpuint(s->seq, ==, 3);
	g_assert_cmpuint(s->bytes, ==, G_GUINT64_CONSTANT(5000000003));
	g_assert_true(s->partial);
	g_assert_cmpint(s->end_us, ==, 0);
	g_assert_cmpmem(s->sha256, CAV_SHA256_LEN,
			((CavManifestSegment *)g_ptr_array_index(m->segments, 2))->sha256,
			CAV_SHA256_LEN);
	iv = g_ptr_array_index(back->intervals, 1);
	g_assert_cmpstr(iv->reason, ==, "recess");
	g_assert_cmpstr(iv->detail, ==, "lunch \"break\"");
	g_assert_cmpuint(back->marks->len, ==, 1);
	g_assert_cmpuint(back->exhibits->len, ==, 2);
	{
		const CavManifestExhibit *a = g_ptr_array_index(back->exhibits, 0);
		const CavManifestExhibit *b = g_ptr_array_index(back->exhibits, 1);

		g_assert_cmpstr(a->input, ==, "doc");
		g_assert_cmpstr(a->file, ==, "物证 1.png");
		g_assert_true(a->has_sha256);
		g_assert_cmpuint(a->sha256[31], ==, 0x5e);
		g_assert_cmpuint(a->bytes, ==, 68598);
		g_assert_cmpint(a->end_us, ==, m->opened_us + 20);
		g_assert_cmpstr(a->actor, ==, "clerk1");
		g_assert_null(b->file);
		g_assert_false(b->has_sha256);
		g_assert_cmpint(b->end_us, ==, 0);
	}

	/* Truncated anywhere: rejected. */
	for (gsize cut = 0; cut < len; cut += 97) {
		g_autoptr(CavManifest) torn = cav_manifest_parse(json, cut, NULL);

		g_assert_null(torn);
	}

	/* Canonical: the same struct gives the same bytes. */
	json2 = cav_manifest_to_json(back, &len2);
	g_assert_cmpmem(json, len, json2, len2);
}

static void
test_canonical_form(void)
{
	g_autoptr(CavManifest) m = sample_manifest();
	g_autofree char *json = cav_manifest_to_json(m, NULL);
	static const char *const order[] = {
		"\"format\"",    "\"version\"",    "\"hearing_uid\"",    "\"state\"",
		"\"opened_us\"", "\"chain_head\"", "\"public_key_pem\"", "\"segments\"",
		"\"intervals\"", "\"marks\"",      "\"exhibits\""};
	const char *prev = json;

	for (guint i = 0; i < G_N_ELEMENTS(order); i++) {
		const char *at = strstr(json, order[i]);

		g_assert_nonnull(at);
		g_assert_true(at >= prev);
		prev = at;
	}
	/* Lower-case hex, integers for times, an ISO string for people. */
	g_assert_nonnull(
		strstr(json, "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"));
	g_assert_nonnull(strstr(json, "1795859101123456"));
	g_assert_nonnull(strstr(json, "2026-11-28T09:45:01.123Z"));
	g_assert_true(g_str_has_suffix(json, "}\n"));
}

static void
test_write_load(void)
{
	g_autofree char *dir = cav_test_tmpdir();
	g_autofree char *path = g_build_filename(dir, CAV_MANIFEST_NAME, NULL);
	g_autofree char *missing = g_build_filename(dir, "none.json", NULL);
	g_autoptr(CavManifest) m = sample_manifest();
	g_autoptr(CavManifest) back = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_true(cav_manifest_write(m, path, &error));
	g_assert_no_error(error);
	back = cav_manifest_load(path, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(back->segments->len, ==, 3);
	g_assert_null(cav_manifest_load(missing, &error));
	g_assert_error(error, CAV_MANIFEST_ERROR, CAV_MANIFEST_ERROR_IO);
	cav_test_rmtree(dir);
}

/* Replaces the first @from in the canonical sample with @to and expects
 * @code from the parser. */
static void
expect_reject(const char *from, const char *to, int code)
{
	g_autoptr(CavManifest) m = sample_manifest();
	g_autofree char *json = cav_manifest_to_json(m, NULL);
	g_autoptr(GString) s = g_string_new(json);
	g_autoptr(GError) error = NULL;
	CavManifest *bad;

	g_assert_cmpuint(g_string_replace(s, from, to, 1), ==, 1);
	bad = cav_manifest_parse(s->str, s->len, &error);
	if (bad != NULL)
		g_error("accepted a manifest with %s replaced by %s", from, to);
	g_assert_error(error, CAV_MANIFEST_ERROR, code);
	g_test_message("%s -> %s: %s", from, to, error->message);
}

static void
test_rejects(void)
{
	const int P = CAV_MANIFEST_ERROR_PARSE;

	expect_reject("\"cam1/room101_0001.mp4\"", "\"../room101_0001.mp4\"", P);
	expect_reject("\"cam1/room101_0001.mp4\"", "\"cam1/../../etc/passwd\"", P);
	expect_reject("\"cam1/room101_0001.mp4\"", "\"/etc/passwd\"", P);
	expect_reject("\"cam1/room101_0001.mp4\"", "\"cam1//x.mp4\"", P);
	expect_reject("\"cam1/room101_0001.mp4\"", "\"./x.mp4\"", P);
	expect_reject("\"cam1/room101_0001.mp4\"", "\"\"", P);
	expect_reject("\"cam1/room101_0001.mp4\"", "\"a\\nb\"", P);
	expect_reject("\"cam1/room101_0001.mp4\"", "42", P);
	expect_reject("\"version\" : 1", "\"version\" : 2", CAV_MANIFEST_ERROR_VERSION);
	expect_reject("\"version\" : 1", "\"version\" : \"1\"", P);
	expect_reject("\"format\" : \"courtav-manifest\"", "\"format\" : \"other\"", P);
	expect_reject("\"state\" : \"closed\"", "\"state\" : \"done\"", P);
	expect_reject("\"seq\" : 1", "\"seq\" : 0", P);
	expect_reject("\"seq\" : 1", "\"seq\" : 4294967296", P);
	expect_reject("\"seq\" : 1", "\"seq\" : 1.5", P);
	expect_reject("\"bytes\" : 5000000001", "\"bytes\" : -1", P);
	expect_reject("\"partial\" : false", "\"partial\" : 0", P);
	expect_reject("\"is_public\" : true", "\"is_public\" : null", P);
	expect_reject("\"hearing_uid\" : \"" UID "\"", "\"hearing_uid\" : \"\"", P);
	expect_reject("\"hearing_uid\"", "\"hearing_uuid\"", P);
	expect_reject("a1a1a1a1", "a1a1a1a", P); /* 63 hex digits */
	expect_reject("a1a1a1a1", "a1a1a1ag", P);
	expect_reject("\"reason\" : \"recess\"", "\"reason\" : \"bored\"", P);
	expect_reject("\"reason\" : null", "\"reason\" : \"recess\"", P);
	expect_reject("\"segments\" : [", "\"segments\" : 3, \"x\" : [", P);
	expect_reject("\"marks\" : [", "\"marks\" : [ 1, ", P);
	expect_reject("\"input\" : \"doc\"", "\"input\" : \"\"", P);
	expect_reject("\"input\" : \"doc\"", "\"input\" : null", P);
	expect_reject("5e5e5e5e", "5e5e5e5", P);
	expect_reject("\"bytes\" : 68598", "\"bytes\" : -5", P);
	expect_reject("\"exhibits\" : [", "\"exhibits\" : 7, \"y\" : [", P);
	expect_reject("\"label\" : \"证人出庭\"",
		      "\"label\" : [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]", P);
}

/* Manifests written before evidence inputs have no "exhibits": still valid. */
static void
test_without_exhibits(void)
{
	g_autoptr(CavManifest) m = sample_manifest();
	g_autofree char *json = NULL;
	g_autoptr(CavManifest) back = NULL;
	g_autoptr(GError) error = NULL;
	char *at;

	g_ptr_array_set_size(m->exhibits, 0);
	json = cav_manifest_to_json(m, NULL);
	at = strstr(json, ",\n  \"exhibits\"");
	g_assert_nonnull(at);
	strcpy(at, "\n}\n");
	back = cav_manifest_parse(json, strlen(json), &error);
	g_assert_no_error(error);
	g_assert_cmpuint(back->exhibits->len, ==, 0);
	g_assert_cmpuint(back->marks->len, ==, 1);
}

static void
test_rejects_raw(void)
{
	static const char *const inputs[] = {"", "null", "[]", "\"x\"", "{", "{}", "{\"a\":1}\0"};
	g_autoptr(GString) deep = g_string_new(NULL);
	g_autoptr(GString) long_str = g_string_new("{\"format\":\"");
	g_autoptr(GError) error = NULL;
	const char bad_utf8[] = "{\"format\":\"\xff\xfe\"}";

	for (guint i = 0; i < G_N_ELEMENTS(inputs); i++) {
		g_assert_null(cav_manifest_parse(inputs[i], strlen(inputs[i]), &error));
		g_assert_error(error, CAV_MANIFEST_ERROR, CAV_MANIFEST_ERROR_PARSE);
		g_clear_error(&error);
	}
	g_assert_null(cav_manifest_parse("{}\0{}", 5, &error)); /* embedded NUL */
	g_assert_error(error, CAV_MANIFEST_ERROR, CAV_MANIFEST_ERROR_PARSE);
	g_clear_error(&error);
	g_assert_null(cav_manifest_parse(bad_utf8, sizeof(bad_utf8) - 1, &error));
	g_assert_error(error, CAV_MANIFEST_ERROR, CAV_MANIFEST_ERROR_PARSE);
	g_clear_error(&error);
	/* 100,000 levels of nesting must fail cleanly, not overflow the stack. */
	for (guint i = 0; i < 100000; i++)
		g_string_append_c(deep, '[');
	g_assert_null(cav_manifest_parse(deep->str, deep->len, &error));
	g_assert_error(error, CAV_MANIFEST_ERROR, CAV_MANIFEST_ERROR_PARSE);
	g_clear_error(&error);
	for (guint i = 0; i < 1000; i++)
		g_string_append(long_str, "courtav-");
	g_string_append(long_str, "\"}");
	g_assert_null(cav_manifest_parse(long_str->str, long_str->len, &error));
	g_assert_error(error, CAV_MANIFEST_ERROR, CAV_MANIFEST_ERROR_PARSE);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/manifest/round-trip", test_round_trip);
	g_test_add_func("/manifest/canonical-form", test_canonical_form);
	g_test_add_func("/manifest/write-load", test_write_load);
	g_test_add_func("/manifest/rejects", test_rejects);
	g_test_add_func("/manifest/without-exhibits", test_without_exhibits);
	g_test_add_func("/manifest/rejects-raw", test_rejects_raw);
	return g_test_run();
}
