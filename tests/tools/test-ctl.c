/* test-ctl.c — unit tests of courtavctl's own logic, linked from libcavctl:
 * pause-reason and case-argument vocabularies, API address and id parsing,
 * the error domain and its exit codes, per-command option parsing, command
 * lookup, and the width-aware tables. Plus the binary's own usage paths
 * (--version, --help, bad arguments), which need no daemon.
 */
#include <string.h>
#include "tools/ctl.h"
#include "tools/ctl-client.h"
#include "tools/ctl-output.h"
#include "ctl-run.h"

static void
test_pause_reasons(void)
{
	g_assert_cmpstr(cav_ctl_pause_reason_parse("recess"), ==, "recess");
	g_assert_cmpstr(cav_ctl_pause_reason_parse("RECESS"), ==, "recess");
	g_assert_cmpstr(cav_ctl_pause_reason_parse("休庭"), ==, "recess");
	g_assert_cmpstr(cav_ctl_pause_reason_parse(" 休庭 "), ==, "recess");
	g_assert_cmpstr(cav_ctl_pause_reason_parse("closed_evidence"), ==, "closed_evidence");
	g_assert_cmpstr(cav_ctl_pause_reason_parse("closed-evidence"), ==, "closed_evidence");
	g_assert_cmpstr(cav_ctl_pause_reason_parse("不公开质证"), ==, "closed_evidence");
	g_assert_cmpstr(cav_ctl_pause_reason_parse("mediation"), ==, "mediation");
	g_assert_cmpstr(cav_ctl_pause_reason_parse("调解"), ==, "mediation");
	/* "fault" is the daemon's own reason: a person cannot choose it. */
	g_assert_null(cav_ctl_pause_reason_parse("fault"));
	g_assert_null(cav_ctl_pause_reason_parse("故障"));
	g_assert_null(cav_ctl_pause_reason_parse("nap"));
	g_assert_null(cav_ctl_pause_reason_parse(""));
	g_assert_null(cav_ctl_pause_reason_parse(NULL));

	g_assert_cmpstr(cav_ctl_pause_reason_zh("recess"), ==, "休庭");
	g_assert_cmpstr(cav_ctl_pause_reason_zh("fault"), ==, "故障");
	g_assert_cmpstr(cav_ctl_pause_reason_zh("other"), ==, "other");
	g_assert_cmpstr(cav_ctl_state_zh("sealed"), ==, "已封存");
	g_assert_cmpstr(cav_ctl_state_zh("bogus"), ==, "");
}

static void
test_case_ref(void)
{
	g_autofree char *number = NULL;
	g_autofree char *norm = NULL;
	g_autoptr(GError) error = NULL;
	gint64 id = -1;

	g_assert_true(cav_ctl_case_ref_parse("12", &id, &number, &error));
	g_assert_no_error(error);
	g_assert_cmpint(id, ==, 12);
	g_assert_null(number);

	g_assert_true(cav_ctl_case_ref_parse(" (2026)兵0101刑初12号 ", &id, &number, &error));
	g_assert_cmpint(id, ==, 0);
	g_assert_cmpstr(number, ==, "（2026）兵0101刑初12号");

	g_assert_false(cav_ctl_case_ref_parse("0", &id, &number, &error));
	g_assert_error(error, CAV_CTL_ERROR, CAV_CTL_ERROR_USAGE);
	g_clear_error(&error);
	g_assert_false(cav_ctl_case_ref_parse("  ", &id, &number, &error));
	g_assert_error(error, CAV_CTL_ERROR, CAV_CTL_ERROR_USAGE);

	norm = cav_ctl_case_number_normalize("（2026）兵0101刑初12号");
	g_assert_cmpstr(norm, ==, "（2026）兵0101刑初12号");
}

static void
test_api_url(void)
{
	static const struct {
		const char *in;
		const char *out; /* NULL: rejected */
	} cases[] = {
		{"127.0.0.1:8780", "http://127.0.0.1:8780"},
		{"http://127.0.0.1:8780/", "http://127.0.0.1:8780"},
		{"https://panel.local", "https://panel.local"},
		{"http://[::1]:8780", "http://[::1]:8780"},
		{"ftp://127.0.0.1", NULL},
		{"http://127.0.0.1:8780/?x=1", NULL},
		{"http://", NULL},
		{"", NULL},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree char *url = cav_ctl_api_url_normalize(cases[i].in, &error);

		g_assert_cmpstr(url, ==, cases[i].out);
		if (cases[i].out == NULL)
			g_assert_error(error, CAV_CTL_ERROR, CAV_CTL_ERROR_USAGE);
	}
}

static void
test_parse_id(void)
{
	const char *bad[] = {"0", "-1", "3x", "", " 3", "99999999999999999999", NULL};
	gint64 id = 0;

	g_assert_true(cav_ctl_parse_id("hearing id", "3", &id, NULL));
	g_assert_cmpint(id, ==, 3);
	for (guint i = 0; bad[i] != NULL; i++) {
		g_autoptr(GError) error = NULL;

		id = 42;
		g_assert_false(cav_ctl_parse_id("hearing id", bad[i], &id, &error));
		g_assert_error(error, CAV_CTL_ERROR, CAV_CTL_ERROR_USAGE);
		g_assert_nonnull(strstr(error->message, "hearing id"));
		/* Out-parameters stay untouched on failure. */
		g_assert_cmpint(id, ==, 42);
	}
}

static void
test_errors(void)
{
	g_autoptr(GError) api = NULL;
	g_autoptr(GError) copy = NULL;
	g_autoptr(GError) other = g_error_new_literal(G_IO_ERROR, G_IO_ERROR_FAILED, "x");
	struct {
		CavCtlError code;
		int exit;
	} codes[] = {
		{CAV_CTL_ERROR_USAGE, 2},   {CAV_CTL_ERROR_IO, 2},  {CAV_CTL_ERROR_UNREACHABLE, 3},
		{CAV_CTL_ERROR_TIMEOUT, 1}, {CAV_CTL_ERROR_API, 1}, {CAV_CTL_ERROR_PROTOCOL, 1},
	};

	for (guint i = 0; i < G_N_ELEMENTS(codes); i++) {
		g_autoptr(GError) e = cav_ctl_error_new(codes[i].code, NULL, "m %d", 1);

		g_assert_cmpstr(e->message, ==, "m 1");
		g_assert_null(cav_ctl_error_message_zh(e));
		g_assert_cmpint(cav_ctl_error_exit_code(e), ==, codes[i].exit);
	}
	g_assert_cmpint(cav_ctl_error_exit_code(other), ==, 1);
	g_assert_null(cav_ctl_error_message_zh(other));

	cav_ctl_error_set_api(&api, 409, "hearing-open", "Room 101 is busy.", "101 法庭忙。", "{}");
	g_assert_error(api, CAV_CTL_ERROR, CAV_CTL_ERROR_API);
	/* The Chinese text and the code survive a copy (extended GError). */
	copy = g_error_copy(api);
	g_assert_cmpstr(copy->message, ==, "Room 101 is busy.");
	g_assert_cmpstr(cav_ctl_error_message_zh(copy), ==, "101 法庭忙。");
	g_assert_cmpstr(cav_ctl_error_api_code(copy), ==, "hearing-open");
	g_assert_cmpstr(cav_ctl_error_body(copy), ==, "{}");
}

static int
never_run(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_assert_not_reached();
	return -1;
}

static const CavCtlCommand test_command = {
	"hearing pause", "ID", "Pause", NULL, 1, 1, FALSE, never_run,
};

/* cav_ctl_parse() on a copy of @args; returns its result. */
static gboolean
parse(CavCtl *ctl, const GOptionEntry *entries, const char *const *args, int *out_argc,
      char ***out_argv, int *rc, GError **error)
{
	char **argv = g_strdupv((char **)args);
	int argc = (int)g_strv_length(argv);
	char **orig = g_memdup2(argv, sizeof(char *) * (argc + 1));
	gboolean ok;

	/* GOption reorders the array; keep the strings alive via @orig. */
	ok = cav_ctl_parse(ctl, entries, &argc, &argv, rc, error);
	*out_argc = argc;
	*out_argv = g_memdup2(argv, sizeof(char *) * (argc + 1));
	g_free(argv);
	g_test_queue_free(*out_argv);
	for (guint i = 0; orig[i] != NULL; i++)
		g_test_queue_free(orig[i]);
	g_free(orig);
	return ok;
}

static void
test_command_parse(void)
{
	g_auto(CavCtl) ctl = {.command = &test_command};
	char *reason = NULL;
	const GOptionEntry entries[] = {
		{"reason", 'r', 0, G_OPTION_ARG_FILENAME, &reason, "", "R"},
		G_OPTION_ENTRY_NULL,
	};
	const char *ok_args[] = {"courtavctl", "3",     "--reason", "休庭",
				 "--json",     "--api", "h:1",      NULL};
	const char *missing[] = {"courtavctl", "--reason", "recess", NULL};
	const char *extra[] = {"courtavctl", "3", "4", NULL};
	const char *unknown[] = {"courtavctl", "3", "--bogus", NULL};
	const char *bad_utf8[] = {"courtavctl", "\xff\xfe", NULL};
	g_autoptr(GError) error = NULL;
	char **argv;
	int argc, rc;

	g_assert_true(parse(&ctl, entries, ok_args, &argc, &argv, &rc, &error));
	g_assert_no_error(error);
	g_assert_cmpint(argc, ==, 2);
	g_assert_cmpstr(argv[1], ==, "3");
	g_assert_cmpstr(reason, ==, "休庭");
	g_assert_true(ctl.json);
	g_assert_cmpstr(ctl.api_arg, ==, "h:1");
	g_clear_pointer(&reason, g_free);

	g_assert_false(parse(&ctl, entries, missing, &argc, &argv, &rc, &error));
	g_assert_cmpint(rc, ==, -1);
	g_assert_error(error, CAV_CTL_ERROR, CAV_CTL_ERROR_USAGE);
	g_assert_nonnull(strstr(error->message, "missing argument"));
	g_clear_error(&error);
	g_clear_pointer(&reason, g_free);

	g_assert_false(parse(&ctl, entries, extra, &argc, &argv, &rc, &error));
	g_assert_error(error, CAV_CTL_ERROR, CAV_CTL_ERROR_USAGE);
	g_assert_nonnull(strstr(error->message, "'4'"));
	g_clear_error(&error);

	g_assert_false(parse(&ctl, entries, unknown, &argc, &argv, &rc, &error));
	g_assert_error(error, CAV_CTL_ERROR, CAV_CTL_ERROR_USAGE);
	g_clear_error(&error);

	g_assert_false(parse(&ctl, entries, bad_utf8, &argc, &argv, &rc, &error));
	g_assert_error(error, CAV_CTL_ERROR, CAV_CTL_ERROR_USAGE);
	g_clear_error(&error);
	g_free(reason);
}

static void
test_command_find(void)
{
	char *pause[] = {"hearing", "pause", "3", NULL};
	char *status[] = {"status", NULL};
	char *group[] = {"hearing", NULL};
	char *bogus[] = {"hearing", "dance", NULL};
	char *audit[] = {"audit", "verify", "--db", "x", NULL};
	const CavCtlCommand *cmd;
	guint words = 0;

	cmd = cav_ctl_command_find(3, pause, &words);
	g_assert_nonnull(cmd);
	g_assert_cmpstr(cmd->name, ==, "hearing pause");
	g_assert_cmpuint(words, ==, 2);
	cmd = cav_ctl_command_find(1, status, &words);
	g_assert_cmpstr(cmd->name, ==, "status");
	g_assert_cmpuint(words, ==, 1);
	cmd = cav_ctl_command_find(4, audit, &words);
	g_assert_true(cmd->offline);
	g_assert_null(cav_ctl_command_find(1, group, &words));
	g_assert_null(cav_ctl_command_find(2, bogus, &words));
	g_assert_null(cav_ctl_command_find(0, NULL, &words));
}

static void
test_text(void)
{
	g_autofree char *clean = cav_ctl_text_sanitize("a\x1b[31mb\n");
	g_autofree char *bad = cav_ctl_text_sanitize("x\xffy");
	g_autofree char *d1 = cav_ctl_format_duration(754);
	g_autofree char *d2 = cav_ctl_format_duration(3723);

	g_assert_cmpuint(cav_ctl_text_width("abc"), ==, 3);
	g_assert_cmpuint(cav_ctl_text_width("张某"), ==, 4);
	g_assert_cmpuint(cav_ctl_text_width("（2026）"), ==, 8);
	g_assert_cmpuint(cav_ctl_text_width("e\xcc\x81"), ==, 1); /* e + combining acute */
	g_assert_cmpuint(cav_ctl_text_width(NULL), ==, 0);
	g_assert_null(strchr(clean, '\x1b'));
	g_assert_null(strchr(clean, '\n'));
	g_assert_true(g_utf8_validate(bad, -1, NULL));
	g_assert_cmpstr(d1, ==, "12:34");
	g_assert_cmpstr(d2, ==, "1:02:03");
}

/* Every row's second column starts at the same display column, whatever
 * mix of Chinese and ASCII is before it. */
static void
test_table(void)
{
	g_autoptr(CavCtlTable) t = cav_ctl_table_new("ID", "NUMBER", "TITLE", NULL);
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	guint col = 0;

	cav_ctl_table_add(t, "1", "（2026）兵0101刑初12号", "张某盗窃案");
	cav_ctl_table_add(t, "10", "(2025)x", NULL);
	g_assert_cmpuint(cav_ctl_table_rows(t), ==, 2);
	text = cav_ctl_table_render(t);
	lines = g_strsplit(text, "\n", -1);
	g_assert_cmpuint(g_strv_length(lines), ==, 4); /* 3 rows and the final "" */
	for (guint i = 0; i < 3; i++) {
		const char *title = i == 0 ? "TITLE" : i == 1 ? "张某盗窃案" : "-";
		const char *at = strstr(lines[i], title);
		g_autofree char *before = g_strndup(lines[i], at - lines[i]);

		g_assert_nonnull(at);
		if (i == 0)
			col = cav_ctl_text_width(before);
		g_assert_cmpuint(cav_ctl_text_width(before), ==, col);
		/* The last column is not padded. */
		g_assert_false(g_str_has_suffix(lines[i], " "));
	}
	g_assert_cmpuint(col, ==,
			 strlen("10  ") + cav_ctl_text_width("（2026）兵0101刑初12号") + 2);
}

static void
test_json_reads(void)
{
	g_autoptr(JsonParser) p = json_parser_new();
	JsonObject *o;
	gint64 i = 0;
	double d = 0;
	gboolean b = FALSE;

	g_assert_true(json_parser_load_from_data(
		p, "{\"s\":\"x\",\"i\":5,\"d\":1.5,\"n\":null,\"b\":true,\"a\":[1,{}]}", -1, NULL));
	o = json_node_get_object(json_parser_get_root(p));
	g_assert_cmpstr(cav_ctl_json_string(o, "s"), ==, "x");
	g_assert_null(cav_ctl_json_string(o, "i"));
	g_assert_null(cav_ctl_json_string(o, "n"));
	g_assert_null(cav_ctl_json_string(o, "missing"));
	g_assert_null(cav_ctl_json_string(NULL, "s"));
	g_assert_true(cav_ctl_json_int(o, "i", &i) && i == 5);
	g_assert_false(cav_ctl_json_int(o, "s", &i));
	g_assert_false(cav_ctl_json_int(o, "n", &i));
	g_assert_true(cav_ctl_json_double(o, "d", &d) && d == 1.5);
	g_assert_true(cav_ctl_json_double(o, "i", &d) && d == 5.0);
	g_assert_true(cav_ctl_json_bool(o, "b", &b) && b);
	g_assert_null(cav_ctl_json_object(o, "a"));
	g_assert_null(cav_ctl_json_array_object(cav_ctl_json_array(o, "a"), 0));
	g_assert_nonnull(cav_ctl_json_array_object(cav_ctl_json_array(o, "a"), 1));
	g_assert_null(cav_ctl_json_array_object(cav_ctl_json_array(o, "a"), 2));
	g_assert_null(cav_ctl_json_time(o, "n"));
}

/* --json output keeps the daemon's bytes: only whitespace changes. */
static void
test_json_reindent(void)
{
	const char *in = "{\"a\": 41.2, \"b\":[ ], \"c\":{\"d\":\"x, \\\"y\\\": {\"},"
			 "\"e\":[1,2e3]}";
	g_autofree char *out = cav_ctl_json_reindent(in, strlen(in));

	g_assert_cmpstr(out, ==,
			"{\n"
			"  \"a\" : 41.2,\n"
			"  \"b\" : [],\n"
			"  \"c\" : {\n"
			"    \"d\" : \"x, \\\"y\\\": {\"\n"
			"  },\n"
			"  \"e\" : [\n"
			"    1,\n"
			"    2e3\n"
			"  ]\n"
			"}");
}

/* The binary's usage paths; none of them may touch the network. */
static void
test_binary_usage(void)
{
	const char *const unreachable[] = {"COURTAV_API=http://127.0.0.1:1", NULL};
	g_auto(CtlResult) r = {0};

	ctl_run(&r, "--version", NULL);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_true(g_str_has_prefix(r.out, "courtavctl "));
	ctl_result_clear(&r);

	ctl_run(&r, NULL);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_nonnull(strstr(r.err, "hearing pause"));
	ctl_result_clear(&r);

	ctl_run(&r, "--help", NULL);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_nonnull(strstr(r.out, "audit verify"));
	ctl_result_clear(&r);

	ctl_run(&r, "dance", NULL);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_nonnull(strstr(r.err, "unknown command 'dance'"));
	ctl_result_clear(&r);

	ctl_run(&r, "hearing", NULL);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_nonnull(strstr(r.err, "hearing seal"));
	g_assert_null(strstr(r.err, "case create"));
	ctl_result_clear(&r);

	ctl_run(&r, "hearing", "--help", NULL);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_nonnull(strstr(r.out, "hearing seal"));
	ctl_result_clear(&r);

	for (guint i = 0; i < 2; i++) {
		if (i == 0)
			ctl_run(&r, "hearing", "pause", "--help", NULL);
		else
			ctl_run(&r, "help", "hearing", "pause", NULL);
		g_assert_cmpint(r.status, ==, 0);
		g_assert_nonnull(strstr(r.out, "--reason"));
		g_assert_nonnull(strstr(r.out, "不公开质证"));
		ctl_result_clear(&r);
	}

	/* Checked before any request: the unreachable API is never tried. */
	ctl_run_env(&r, unreachable, "hearing", "pause", "3", "--reason", "nap", NULL);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_nonnull(strstr(r.err, "error: hearing pause: unknown reason 'nap'"));
	g_assert_nonnull(strstr(r.err, "错误："));
	g_assert_nonnull(strstr(r.err, "courtavctl hearing pause --help"));
	ctl_result_clear(&r);

	ctl_run_env(&r, unreachable, "hearing", "pause", "3", NULL);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_nonnull(strstr(r.err, "--reason is required"));
	ctl_result_clear(&r);

	ctl_run_env(&r, unreachable, "hearing", "show", "three", NULL);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_nonnull(strstr(r.err, "hearing id must be a positive number"));
	ctl_result_clear(&r);

	ctl_run_env(&r, unreachable, "case", "create", "--title", "x", NULL);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_nonnull(strstr(r.err, "--number and --title are required"));
	ctl_result_clear(&r);

	ctl_run(&r, "--api", "ftp://x", "status", NULL);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_nonnull(strstr(r.err, "not an API address"));
	ctl_result_clear(&r);

	/* verify is offline: it does not offer --api. */
	ctl_run(&r, "verify", "--api", "x", "/", NULL);
	g_assert_cmpint(r.status, ==, 2);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ctl/pause-reasons", test_pause_reasons);
	g_test_add_func("/ctl/case-ref", test_case_ref);
	g_test_add_func("/ctl/api-url", test_api_url);
	g_test_add_func("/ctl/parse-id", test_parse_id);
	g_test_add_func("/ctl/errors", test_errors);
	g_test_add_func("/ctl/command-parse", test_command_parse);
	g_test_add_func("/ctl/command-find", test_command_find);
	g_test_add_func("/ctl/text", test_text);
	g_test_add_func("/ctl/table", test_table);
	g_test_add_func("/ctl/json-reads", test_json_reads);
	g_test_add_func("/ctl/json-reindent", test_json_reindent);
	g_test_add_func("/ctl/binary-usage", test_binary_usage);
	return g_test_run();
}
