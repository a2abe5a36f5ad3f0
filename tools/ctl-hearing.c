/* ctl-hearing.c — the case, hearing and mark commands of courtavctl.
 *
 * Each command is one API call (two for `hearing open` by case number),
 * then either the daemon's JSON (--json) or a human rendering of it. The
 * daemon is the only judge of what is valid — case-number syntax, allowed
 * transitions, label length — so nothing here second-guesses it beyond
 * what is needed to build the request; its bilingual error is what the
 * clerk sees. Single-threaded and blocking.
 */
#include "ctl.h"

#include <stdio.h>
#include <string.h>
#include "ctl-output.h"

/* The object under @member of an answer, e.g. "hearing" of
 * { "hearing": {…} }. */
static JsonObject *
answer_object(JsonNode *root, const char *member, GError **error)
{
	JsonObject *obj = cav_ctl_json_object(json_node_get_object(root), member);

	if (obj == NULL)
		g_propagate_error(error, cav_ctl_error_new(CAV_CTL_ERROR_PROTOCOL, NULL,
							   "courtavd's answer has no '%s' object",
							   member));
	return obj;
}

/* "paused 已暂停 (recess 休庭)". (transfer full) */
static char *
state_text(JsonObject *hearing)
{
	const char *state = cav_ctl_json_string(hearing, "state");
	const char *reason = cav_ctl_json_string(hearing, "pause_reason");
	GString *out = g_string_new(state != NULL ? state : "?");
	const char *zh = cav_ctl_state_zh(state);

	if (*zh != '\0')
		g_string_append_printf(out, " %s", zh);
	if (reason != NULL && g_strcmp0(state, "paused") == 0)
		g_string_append_printf(out, " (%s %s)", reason, cav_ctl_pause_reason_zh(reason));
	return g_string_free(out, FALSE);
}

static void
print_case(JsonObject *c)
{
	g_autoptr(CavCtlTable) t = cav_ctl_table_new_plain(2);
	g_autofree char *id = cav_ctl_json_int_text(c, "id");
	g_autofree char *created = cav_ctl_json_time(c, "created_us");
	gboolean is_public = TRUE;
	gboolean known = cav_ctl_json_bool(c, "public", &is_public);

	cav_ctl_table_add(t, "Case", id);
	cav_ctl_table_add(t, "Number", cav_ctl_json_string(c, "number"));
	cav_ctl_table_add(t, "Title", cav_ctl_json_string(c, "title"));
	cav_ctl_table_add(t, "Cause", cav_ctl_json_string(c, "cause"));
	cav_ctl_table_add(t, "Parties", cav_ctl_json_string(c, "parties"));
	cav_ctl_table_add(t, "Public", !known ? NULL : is_public ? "yes 公开" : "no 不公开");
	cav_ctl_table_add(t, "Created", created);
	cav_ctl_table_print(t, stdout);
}

/* A table of hearing summaries; fields the daemon leaves out show as "-". */
static void
print_hearing_table(JsonArray *hearings, guint indent)
{
	g_autoptr(CavCtlTable) t =
		cav_ctl_table_new("ID", "CASE", "ROOM", "STATE", "OPENED", "CLOSED", NULL);

	cav_ctl_table_set_indent(t, indent);
	for (guint i = 0; hearings != NULL && i < json_array_get_length(hearings); i++) {
		JsonObject *h = cav_ctl_json_array_object(hearings, i);
		g_autofree char *id = cav_ctl_json_int_text(h, "id");
		g_autofree char *state = state_text(h);
		g_autofree char *opened = cav_ctl_json_time(h, "opened_us");
		g_autofree char *closed = cav_ctl_json_time(h, "closed_us");

		if (h == NULL)
			continue;
		cav_ctl_table_add(t, id, cav_ctl_json_string(h, "case_number"),
				  cav_ctl_json_string(h, "room"), state, opened, closed);
	}
	cav_ctl_table_print(t, stdout);
}

/* "hearing 3  （2026）兵0101刑初12号  paused 已暂停 (recess 休庭)" */
static void
print_hearing_line(const char *verb, JsonObject *h)
{
	g_autofree char *id = cav_ctl_json_int_text(h, "id");
	g_autofree char *state = state_text(h);
	const char *number = cav_ctl_json_string(h, "case_number");
	g_autofree char *line =
		g_strdup_printf("%s hearing %s  %s  %s", verb, id != NULL ? id : "?",
				number != NULL ? number : "-", state);
	g_autofree char *shown = cav_ctl_text_sanitize(line);

	puts(shown);
}

int
cav_ctl_cmd_case_create(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autofree char *number = NULL, *title = NULL, *cause = NULL, *parties = NULL;
	gboolean is_private = FALSE;
	const GOptionEntry entries[] = {
		{"number", 'n', 0, G_OPTION_ARG_FILENAME, &number,
		 "Case number, e.g. （2026）兵0101刑初12号", "N"},
		{"title", 't', 0, G_OPTION_ARG_FILENAME, &title, "Title, e.g. 张某盗窃案", "T"},
		{"cause", 'c', 0, G_OPTION_ARG_FILENAME, &cause, "Cause of action (案由)", "C"},
		{"parties", 'p', 0, G_OPTION_ARG_FILENAME, &parties, "Parties (当事人)", "P"},
		{"private", 0, 0, G_OPTION_ARG_NONE, &is_private, "Heard in private (不公开审理)",
		 NULL},
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) body = NULL, answer = NULL;
	JsonObject *c;
	int rc;

	if (!cav_ctl_parse(ctl, entries, &argc, &argv, &rc, error))
		return rc;
	if (number == NULL || title == NULL) {
		g_propagate_error(error, cav_ctl_error_new(CAV_CTL_ERROR_USAGE, NULL,
							   "case create: --number and --title are "
							   "required"));
		return -1;
	}
	if (!cav_ctl_check_utf8("--number", number, error) ||
	    !cav_ctl_check_utf8("--title", title, error) ||
	    !cav_ctl_check_utf8("--cause", cause, error) ||
	    !cav_ctl_check_utf8("--parties", parties, error))
		return -1;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "number");
	json_builder_add_string_value(b, g_strstrip(number));
	json_builder_set_member_name(b, "title");
	json_builder_add_string_value(b, title);
	if (cause != NULL) {
		json_builder_set_member_name(b, "cause");
		json_builder_add_string_value(b, cause);
	}
	if (parties != NULL) {
		json_builder_set_member_name(b, "parties");
		json_builder_add_string_value(b, parties);
	}
	json_builder_set_member_name(b, "public");
	json_builder_add_boolean_value(b, !is_private);
	json_builder_end_object(b);
	body = json_builder_get_root(b);

	answer = cav_ctl_call(ctl, "POST", "/api/v1/cases", body, CAV_CTL_TIMEOUT_S, error);
	if (answer == NULL)
		return -1;
	if (ctl->json) {
		cav_ctl_print_answer(ctl);
		return CAV_CTL_EXIT_OK;
	}
	if ((c = answer_object(answer, "case", error)) == NULL)
		return -1;
	print_case(c);
	return CAV_CTL_EXIT_OK;
}

int
cav_ctl_cmd_case_list(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autoptr(JsonNode) answer = NULL;
	g_autoptr(CavCtlTable) t = NULL;
	JsonArray *cases;
	int rc;

	if (!cav_ctl_parse(ctl, NULL, &argc, &argv, &rc, error))
		return rc;
	answer = cav_ctl_call(ctl, "GET", "/api/v1/cases", NULL, CAV_CTL_TIMEOUT_S, error);
	if (answer == NULL)
		return -1;
	if (ctl->json) {
		cav_ctl_print_answer(ctl);
		return CAV_CTL_EXIT_OK;
	}
	cases = cav_ctl_json_array(json_node_get_object(answer), "cases");
	t = cav_ctl_table_new("ID", "NUMBER", "TITLE", "PUBLIC", "CREATED", NULL);
	for (guint i = 0; cases != NULL && i < json_array_get_length(cases); i++) {
		JsonObject *c = cav_ctl_json_array_object(cases, i);
		g_autofree char *id = cav_ctl_json_int_text(c, "id");
		g_autofree char *created = cav_ctl_json_time(c, "created_us");
		gboolean is_public = TRUE;
		gboolean known = cav_ctl_json_bool(c, "public", &is_public);

		cav_ctl_table_add(t, id, cav_ctl_json_string(c, "number"),
				  cav_ctl_json_string(c, "title"),
				  !known      ? NULL
				  : is_public ? "yes"
					      : "no",
				  created);
	}
	if (cav_ctl_table_rows(t) == 0)
		puts("No cases. 暂无案件。");
	else
		cav_ctl_table_print(t, stdout);
	return CAV_CTL_EXIT_OK;
}

int
cav_ctl_cmd_case_show(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autoptr(JsonNode) answer = NULL;
	g_autofree char *path = NULL;
	JsonObject *c;
	JsonArray *hearings;
	gint64 id;
	int rc;

	if (!cav_ctl_parse(ctl, NULL, &argc, &argv, &rc, error))
		return rc;
	if (!cav_ctl_parse_id("case id", argv[1], &id, error))
		return -1;
	path = g_strdup_printf("/api/v1/cases/%" G_GINT64_FORMAT, id);
	answer = cav_ctl_call(ctl, "GET", path, NULL, CAV_CTL_TIMEOUT_S, error);
	if (answer == NULL)
		return -1;
	if (ctl->json) {
		cav_ctl_print_answer(ctl);
		return CAV_CTL_EXIT_OK;
	}
	if ((c = answer_object(answer, "case", error)) == NULL)
		return -1;
	print_case(c);
	hearings = cav_ctl_json_array(json_node_get_object(answer), "hearings");
	if (hearings == NULL || json_array_get_length(hearings) == 0) {
		puts("\nHearings: none");
		return CAV_CTL_EXIT_OK;
	}
	puts("\nHearings:");
	print_hearing_table(hearings, 2);
	return CAV_CTL_EXIT_OK;
}

/* The id of the case numbered @number, looked up in the case list (the
 * API has no search by number). */
static gboolean
find_case_by_number(CavCtl *ctl, const char *number, gint64 *out_id, GError **error)
{
	g_autoptr(JsonNode) answer = NULL;
	g_autofree char *zh = NULL;
	JsonArray *cases;

	answer = cav_ctl_call(ctl, "GET", "/api/v1/cases", NULL, CAV_CTL_TIMEOUT_S, error);
	if (answer == NULL)
		return FALSE;
	cases = cav_ctl_json_array(json_node_get_object(answer), "cases");
	for (guint i = 0; cases != NULL && i < json_array_get_length(cases); i++) {
		JsonObject *c = cav_ctl_json_array_object(cases, i);
		g_autofree char *norm =
			cav_ctl_case_number_normalize(cav_ctl_json_string(c, "number"));

		if (strcmp(norm, number) == 0 && cav_ctl_json_int(c, "id", out_id))
			return TRUE;
	}
	zh = g_strdup_printf("没有案号为 %s 的案件；请先用 case create 创建。", number);
	cav_ctl_error_set_api(error, 404, "not-found",
			      "no case has the number given; create it first with 'case create'",
			      zh, NULL);
	return FALSE;
}

int
cav_ctl_cmd_hearing_open(CavCtl *ctl, int argc, char **argv, GError **error)
{
	gboolean no_start = FALSE;
	const GOptionEntry entries[] = {
		{"no-start", 0, 0, G_OPTION_ARG_NONE, &no_start,
		 "Open the hearing without recording yet ('hearing start' later)", NULL},
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) body = NULL, answer = NULL;
	g_autofree char *number = NULL;
	JsonObject *h;
	gint64 case_id = 0;
	int rc;

	if (!cav_ctl_parse(ctl, entries, &argc, &argv, &rc, error))
		return rc;
	if (!cav_ctl_case_ref_parse(argv[1], &case_id, &number, error))
		return -1;
	if (number != NULL && !find_case_by_number(ctl, number, &case_id, error))
		return -1;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "case_id");
	json_builder_add_int_value(b, case_id);
	json_builder_set_member_name(b, "start");
	json_builder_add_boolean_value(b, !no_start);
	json_builder_end_object(b);
	body = json_builder_get_root(b);

	answer = cav_ctl_call(ctl, "POST", "/api/v1/hearings", body, CAV_CTL_SLOW_TIMEOUT_S, error);
	if (answer == NULL)
		return -1;
	if (ctl->json) {
		cav_ctl_print_answer(ctl);
		return CAV_CTL_EXIT_OK;
	}
	if ((h = answer_object(answer, "hearing", error)) == NULL)
		return -1;
	print_hearing_line("Opened", h);
	return CAV_CTL_EXIT_OK;
}

/* POSTs /api/v1/hearings/ID/VERB with @body and prints the new state. */
static int
transition(CavCtl *ctl, const char *id_arg, const char *verb, JsonNode *body, GError **error)
{
	static const struct {
		const char *verb;
		const char *done;
		guint timeout_s;
	} verbs[] = {
		{"start", "Started", CAV_CTL_TIMEOUT_S},
		{"pause", "Paused", CAV_CTL_SLOW_TIMEOUT_S},
		{"resume", "Resumed", CAV_CTL_TIMEOUT_S},
		{"close", "Closed", CAV_CTL_SLOW_TIMEOUT_S},
		{"seal", "Sealed", CAV_CTL_SLOW_TIMEOUT_S},
	};
	g_autoptr(JsonNode) empty = NULL, answer = NULL;
	g_autofree char *path = NULL;
	JsonObject *h;
	gint64 id;
	guint v = 0;

	while (v + 1 < G_N_ELEMENTS(verbs) && strcmp(verbs[v].verb, verb) != 0)
		v++;
	g_return_val_if_fail(strcmp(verbs[v].verb, verb) == 0, -1);
	if (!cav_ctl_parse_id("hearing id", id_arg, &id, error))
		return -1;
	/* The body is optional; an empty object is valid for every daemon. */
	if (body == NULL)
		body = empty = json_node_init_object(json_node_alloc(), json_object_new());
	path = g_strdup_printf("/api/v1/hearings/%" G_GINT64_FORMAT "/%s", id, verb);
	answer = cav_ctl_call(ctl, "POST", path, body, verbs[v].timeout_s, error);
	if (answer == NULL)
		return -1;
	if (ctl->json) {
		cav_ctl_print_answer(ctl);
		return CAV_CTL_EXIT_OK;
	}
	if ((h = answer_object(answer, "hearing", error)) == NULL)
		return -1;
	print_hearing_line(verbs[v].done, h);
	return CAV_CTL_EXIT_OK;
}

int
cav_ctl_cmd_hearing_transition(CavCtl *ctl, int argc, char **argv, GError **error)
{
	const char *verb = strchr(ctl->command->name, ' ') + 1;
	int rc;

	if (!cav_ctl_parse(ctl, NULL, &argc, &argv, &rc, error))
		return rc;
	return transition(ctl, argv[1], verb, NULL, error);
}

int
cav_ctl_cmd_hearing_pause(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autofree char *reason_arg = NULL, *detail = NULL;
	const GOptionEntry entries[] = {
		{"reason", 'r', 0, G_OPTION_ARG_FILENAME, &reason_arg,
		 "recess|closed_evidence|mediation, or 休庭|不公开质证|调解", "REASON"},
		{"detail", 'd', 0, G_OPTION_ARG_FILENAME, &detail, "Free text kept with the pause",
		 "TEXT"},
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) body = NULL;
	const char *reason;
	int rc;

	if (!cav_ctl_parse(ctl, entries, &argc, &argv, &rc, error))
		return rc;
	if (!cav_ctl_check_utf8("--reason", reason_arg, error) ||
	    !cav_ctl_check_utf8("--detail", detail, error))
		return -1;
	if (reason_arg == NULL) {
		g_propagate_error(error, cav_ctl_error_new(CAV_CTL_ERROR_USAGE,
							   "暂停须说明原因（--reason）。",
							   "hearing pause: --reason is required"));
		return -1;
	}
	reason = cav_ctl_pause_reason_parse(reason_arg);
	if (reason == NULL) {
		g_propagate_error(error,
				  cav_ctl_error_new(CAV_CTL_ERROR_USAGE,
						    "暂停原因应为：休庭、不公开质证或调解。",
						    "hearing pause: unknown reason '%s' (use "
						    "recess, closed_evidence or mediation)",
						    reason_arg));
		return -1;
	}

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "reason");
	json_builder_add_string_value(b, reason);
	if (detail != NULL) {
		json_builder_set_member_name(b, "detail");
		json_builder_add_string_value(b, detail);
	}
	json_builder_end_object(b);
	body = json_builder_get_root(b);
	return transition(ctl, argv[1], "pause", body, error);
}

static void
print_intervals(JsonArray *intervals)
{
	g_autoptr(CavCtlTable) t =
		cav_ctl_table_new("KIND", "REASON", "START", "END", "ACTOR", "DETAIL", NULL);

	cav_ctl_table_set_indent(t, 2);
	for (guint i = 0; i < json_array_get_length(intervals); i++) {
		JsonObject *iv = cav_ctl_json_array_object(intervals, i);
		const char *reason = cav_ctl_json_string(iv, "reason");
		g_autofree char *why =
			reason != NULL
				? g_strdup_printf("%s %s", reason, cav_ctl_pause_reason_zh(reason))
				: NULL;
		g_autofree char *start = cav_ctl_json_time(iv, "start_us");
		g_autofree char *end = cav_ctl_json_time(iv, "end_us");

		cav_ctl_table_add(t, cav_ctl_json_string(iv, "kind"), why, start,
				  end != NULL ? end : "(open)", cav_ctl_json_string(iv, "actor"),
				  cav_ctl_json_string(iv, "detail"));
	}
	cav_ctl_table_print(t, stdout);
}

static void
print_marks(JsonArray *marks)
{
	g_autoptr(CavCtlTable) t = cav_ctl_table_new("ID", "TIME", "LABEL", "ACTOR", NULL);

	cav_ctl_table_set_indent(t, 2);
	for (guint i = 0; i < json_array_get_length(marks); i++) {
		JsonObject *m = cav_ctl_json_array_object(marks, i);
		g_autofree char *id = cav_ctl_json_int_text(m, "id");
		g_autofree char *at = cav_ctl_json_time(m, "at_us");

		cav_ctl_table_add(t, id, at, cav_ctl_json_string(m, "label"),
				  cav_ctl_json_string(m, "actor"));
	}
	cav_ctl_table_print(t, stdout);
}

static void
print_tracks(JsonArray *tracks)
{
	g_autoptr(CavCtlTable) t = cav_ctl_table_new("NAME", "KIND", "SEGMENTS", "SIZE", NULL);

	cav_ctl_table_set_indent(t, 2);
	for (guint i = 0; i < json_array_get_length(tracks); i++) {
		JsonObject *tr = cav_ctl_json_array_object(tracks, i);
		g_autofree char *segments = cav_ctl_json_int_text(tr, "segments");
		g_autofree char *size = NULL;
		gint64 bytes;

		if (cav_ctl_json_int(tr, "bytes", &bytes) && bytes >= 0)
			size = g_format_size((guint64)bytes);
		cav_ctl_table_add(t, cav_ctl_json_string(tr, "name"),
				  cav_ctl_json_string(tr, "kind"), segments, size);
	}
	cav_ctl_table_print(t, stdout);
}

/* Prints "Title:" and the table, or "Title: none". */
static void
print_section(const char *title, JsonArray *items, void (*print)(JsonArray *items))
{
	if (items == NULL || json_array_get_length(items) == 0) {
		printf("\n%s: none\n", title);
		return;
	}
	printf("\n%s:\n", title);
	print(items);
}

static void
print_hearing(JsonObject *h)
{
	g_autoptr(CavCtlTable) t = cav_ctl_table_new_plain(2);
	g_autofree char *id = cav_ctl_json_int_text(h, "id");
	g_autofree char *case_id = cav_ctl_json_int_text(h, "case_id");
	g_autofree char *case_text = NULL;
	g_autofree char *state = state_text(h);
	g_autofree char *opened = cav_ctl_json_time(h, "opened_us");
	g_autofree char *closed = cav_ctl_json_time(h, "closed_us");
	g_autofree char *sealed = cav_ctl_json_time(h, "sealed_us");
	const char *number = cav_ctl_json_string(h, "case_number");

	case_text = g_strdup_printf("%s (case %s)", number != NULL ? number : "-",
				    case_id != NULL ? case_id : "?");
	cav_ctl_table_add(t, "Hearing", id);
	cav_ctl_table_add(t, "UID", cav_ctl_json_string(h, "uid"));
	cav_ctl_table_add(t, "Case", case_text);
	cav_ctl_table_add(t, "Room", cav_ctl_json_string(h, "room"));
	cav_ctl_table_add(t, "State", state);
	cav_ctl_table_add(t, "Opened", opened);
	cav_ctl_table_add(t, "Closed", closed);
	cav_ctl_table_add(t, "Sealed", sealed);
	cav_ctl_table_add(t, "Media", cav_ctl_json_string(h, "media_dir"));
	cav_ctl_table_add(t, "Chain head", cav_ctl_json_string(h, "chain_head"));
	cav_ctl_table_add(t, "Signature",
			  cav_ctl_json_string(h, "signature") != NULL ? "present (manifest.sig)"
								      : NULL);
	cav_ctl_table_print(t, stdout);
	print_section("Intervals", cav_ctl_json_array(h, "intervals"), print_intervals);
	print_section("Marks", cav_ctl_json_array(h, "marks"), print_marks);
	print_section("Tracks", cav_ctl_json_array(h, "tracks"), print_tracks);
}

int
cav_ctl_cmd_hearing_show(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autoptr(JsonNode) answer = NULL;
	g_autofree char *path = NULL;
	JsonObject *h;
	gint64 id;
	int rc;

	if (!cav_ctl_parse(ctl, NULL, &argc, &argv, &rc, error))
		return rc;
	if (!cav_ctl_parse_id("hearing id", argv[1], &id, error))
		return -1;
	path = g_strdup_printf("/api/v1/hearings/%" G_GINT64_FORMAT, id);
	answer = cav_ctl_call(ctl, "GET", path, NULL, CAV_CTL_TIMEOUT_S, error);
	if (answer == NULL)
		return -1;
	if (ctl->json) {
		cav_ctl_print_answer(ctl);
		return CAV_CTL_EXIT_OK;
	}
	if ((h = answer_object(answer, "hearing", error)) == NULL)
		return -1;
	print_hearing(h);
	return CAV_CTL_EXIT_OK;
}

int
cav_ctl_cmd_hearing_list(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autoptr(JsonNode) answer = NULL;
	JsonArray *hearings;
	int rc;

	if (!cav_ctl_parse(ctl, NULL, &argc, &argv, &rc, error))
		return rc;
	answer = cav_ctl_call(ctl, "GET", "/api/v1/hearings", NULL, CAV_CTL_TIMEOUT_S, error);
	if (answer == NULL)
		return -1;
	if (ctl->json) {
		cav_ctl_print_answer(ctl);
		return CAV_CTL_EXIT_OK;
	}
	hearings = cav_ctl_json_array(json_node_get_object(answer), "hearings");
	if (hearings == NULL || json_array_get_length(hearings) == 0)
		puts("No hearings. 暂无庭审。");
	else
		print_hearing_table(hearings, 0);
	return CAV_CTL_EXIT_OK;
}

int
cav_ctl_cmd_mark(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) body = NULL, answer = NULL;
	g_autofree char *path = NULL, *at = NULL, *label = NULL, *mark_id = NULL;
	JsonObject *m;
	gint64 id;
	int rc;

	if (!cav_ctl_parse(ctl, NULL, &argc, &argv, &rc, error))
		return rc;
	if (!cav_ctl_parse_id("hearing id", argv[1], &id, error))
		return -1;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "label");
	json_builder_add_string_value(b, argv[2]);
	json_builder_end_object(b);
	body = json_builder_get_root(b);
	path = g_strdup_printf("/api/v1/hearings/%" G_GINT64_FORMAT "/marks", id);
	answer = cav_ctl_call(ctl, "POST", path, body, CAV_CTL_TIMEOUT_S, error);
	if (answer == NULL)
		return -1;
	if (ctl->json) {
		cav_ctl_print_answer(ctl);
		return CAV_CTL_EXIT_OK;
	}
	if ((m = answer_object(answer, "mark", error)) == NULL)
		return -1;
	mark_id = cav_ctl_json_int_text(m, "id");
	at = cav_ctl_json_time(m, "at_us");
	label = cav_ctl_text_sanitize(cav_ctl_json_string(m, "label"));
	printf("Mark %s on hearing %" G_GINT64_FORMAT "%s%s: %s\n", mark_id ? mark_id : "?", id,
	       at != NULL ? " at " : "", at != NULL ? at : "", label != NULL ? label : argv[2]);
	return CAV_CTL_EXIT_OK;
}

/* ---- hearing report ------------------------------------------------------- */

static char *
json_number_text(JsonObject *o, const char *member, const char *fmt)
{
	double v;

	if (o == NULL || !cav_ctl_json_double(o, member, &v))
		return g_strdup("-");
	return g_strdup_printf(fmt, v);
}

static void
print_report_tracks(JsonArray *tracks)
{
	g_autoptr(CavCtlTable) t =
		cav_ctl_table_new("TRACK", "KIND", "COVERAGE", "GAPS", "LOST", "ALARMS", "DROPPED",
				  "WORST A/V", "FILES", NULL);

	cav_ctl_table_set_indent(t, 2);
	for (guint i = 0; i < json_array_get_length(tracks); i++) {
		JsonObject *tr = cav_ctl_json_array_object(tracks, i);
		g_autofree char *cov = json_number_text(tr, "coverage_pct", "%.2f%%");
		g_autofree char *av = json_number_text(tr, "worst_av_offset_ms", "%+.1f ms");
		g_autofree char *dropped = cav_ctl_json_int_text(tr, "dropped_frames");
		g_autofree char *files = cav_ctl_json_int_text(tr, "segments");
		JsonArray *gaps = cav_ctl_json_array(tr, "gaps");
		JsonArray *alarms = cav_ctl_json_array(tr, "alarms");
		JsonArray *lost = cav_ctl_json_array(tr, "lost");
		g_autofree char *n_gaps =
			g_strdup_printf("%u", gaps ? json_array_get_length(gaps) : 0);
		g_autofree char *n_lost =
			g_strdup_printf("%u", lost ? json_array_get_length(lost) : 0);
		g_autofree char *n_alarms =
			g_strdup_printf("%u", alarms ? json_array_get_length(alarms) : 0);

		cav_ctl_table_add(t, cav_ctl_json_string(tr, "name"),
				  cav_ctl_json_string(tr, "kind"), cov, n_gaps, n_lost, n_alarms,
				  dropped ? dropped : "-", av, files);
	}
	cav_ctl_table_print(t, stdout);
}

static void
print_report_spans(const char *what, JsonArray *spans)
{
	for (guint i = 0; spans != NULL && i < json_array_get_length(spans); i++) {
		JsonObject *s = cav_ctl_json_array_object(spans, i);
		g_autofree char *start = cav_ctl_json_time(s, "start_us");
		g_autofree char *end = cav_ctl_json_time(s, "end_us");
		g_autofree char *secs = json_number_text(s, "seconds", "%.1f s");

		printf("    %s %s – %s (%s)\n", what, start ? start : "?", end ? end : "?", secs);
	}
}

static void
print_report_mics(JsonArray *mics)
{
	g_autoptr(CavCtlTable) t = cav_ctl_table_new("MIC", "ROLE", "SILENT", "CLIPPING", NULL);

	cav_ctl_table_set_indent(t, 2);
	for (guint i = 0; i < json_array_get_length(mics); i++) {
		JsonObject *m = cav_ctl_json_array_object(mics, i);
		g_autofree char *silent = json_number_text(m, "silent_s", "%.1f s");
		g_autofree char *clip = json_number_text(m, "clipping_s", "%.1f s");

		cav_ctl_table_add(t, cav_ctl_json_string(m, "id"), cav_ctl_json_string(m, "role"),
				  silent, clip);
	}
	cav_ctl_table_print(t, stdout);
	for (guint i = 0; i < json_array_get_length(mics); i++) {
		JsonObject *m = cav_ctl_json_array_object(mics, i);
		g_autofree char *what = g_strdup_printf("%s silent", cav_ctl_json_string(m, "id"));
		g_autofree char *clip =
			g_strdup_printf("%s clipping", cav_ctl_json_string(m, "id"));

		print_report_spans(what, cav_ctl_json_array(m, "silent"));
		print_report_spans(clip, cav_ctl_json_array(m, "clipping"));
	}
}

static void
print_report_seconds(const char *title, JsonObject *o)
{
	g_autoptr(GList) members = o ? json_object_get_members(o) : NULL;

	printf("  %s:", title);
	for (GList *l = members; l != NULL; l = l->next) {
		double v = 0;

		cav_ctl_json_double(o, l->data, &v);
		printf(" %s %.1f s%s", (const char *)l->data, v, l->next ? "," : "");
	}
	printf("%s\n", members == NULL ? " -" : "");
}

static void
print_report_timeline(JsonArray *timeline)
{
	g_autoptr(CavCtlTable) t =
		cav_ctl_table_new("TIME", "KIND", "LAYOUT", "MAIN CAMERA", "MIC", "BY", NULL);

	cav_ctl_table_set_indent(t, 2);
	for (guint i = 0; i < json_array_get_length(timeline); i++) {
		JsonObject *s = cav_ctl_json_array_object(timeline, i);
		g_autofree char *at = cav_ctl_json_time(s, "at_us");

		cav_ctl_table_add(t, at, cav_ctl_json_string(s, "kind"),
				  cav_ctl_json_string(s, "layout"),
				  cav_ctl_json_string(s, "camera"), cav_ctl_json_string(s, "mic"),
				  cav_ctl_json_string(s, "actor"));
	}
	cav_ctl_table_print(t, stdout);
}

static void
print_report(JsonObject *r, gboolean stored)
{
	JsonObject *av = cav_ctl_json_object(r, "av");
	JsonObject *layout = cav_ctl_json_object(r, "layout");
	JsonObject *speakers = cav_ctl_json_object(r, "speakers");
	JsonArray *problems = cav_ctl_json_array(r, "problems");
	g_autofree char *id = cav_ctl_json_int_text(r, "hearing_id");
	g_autofree char *recorded = json_number_text(r, "recorded_s", "%.1f s");
	g_autofree char *worst = json_number_text(av, "worst_offset_ms", "%+.1f ms");
	g_autofree char *complete = json_number_text(layout, "completeness_pct", "%.1f%%");
	g_autofree char *changes = cav_ctl_json_int_text(layout, "changes");
	g_autofree char *switches = cav_ctl_json_int_text(speakers, "switches");
	g_autofree char *dropped = cav_ctl_json_int_text(r, "dropped_frames");
	g_autofree char *silent = json_number_text(r, "silent_s", "%.1f s");
	gboolean within = FALSE;

	cav_ctl_json_bool(av, "within_limits", &within);
	printf("Quality report of hearing %s 庭审录制质量报告 (%s)\n", id,
	       stored ? "stored at close" : "as of now, not closed");
	printf("Verdict:          %s\n", g_strcmp0(cav_ctl_json_string(r, "verdict"), "ok") == 0
						 ? "ok 合格"
						 : "problems 有问题");
	printf("Recorded:         %s\n", recorded);
	printf("Worst A/V offset: %s (limits +45/-125 ms, ITU-R BT.1359): %s\n", worst,
	       within ? "within 合格" : "OUTSIDE 超限");
	printf("Dropped frames:   %s\n", dropped ? dropped : "-");
	printf("Silent mic time:  %s\n", silent);
	printf("Layout:           %s change(s), completeness %s\n", changes ? changes : "0",
	       complete);
	printf("Speaker switches: %s\n", switches ? switches : "0");
	print_section("Tracks", cav_ctl_json_array(r, "tracks"), print_report_tracks);
	for (guint i = 0; cav_ctl_json_array(r, "tracks") != NULL &&
			  i < json_array_get_length(cav_ctl_json_array(r, "tracks"));
	     i++) {
		JsonObject *tr = cav_ctl_json_array_object(cav_ctl_json_array(r, "tracks"), i);
		g_autofree char *what = g_strdup_printf("%s gap", cav_ctl_json_string(tr, "name"));
		g_autofree char *lost = g_strdup_printf("%s lost", cav_ctl_json_string(tr, "name"));

		print_report_spans(what, cav_ctl_json_array(tr, "gaps"));
		print_report_spans(lost, cav_ctl_json_array(tr, "lost"));
	}
	print_section("Microphones", cav_ctl_json_array(r, "microphones"), print_report_mics);
	printf("\nProgram:\n");
	print_report_seconds("time per layout", cav_ctl_json_object(layout, "seconds"));
	print_report_seconds("time per main camera",
			     cav_ctl_json_object(speakers, "seconds_by_camera"));
	print_section("Timeline (layout and speaker switches)",
		      cav_ctl_json_array(speakers, "timeline"), print_report_timeline);
	printf("\nProblems:%s\n",
	       problems == NULL || json_array_get_length(problems) == 0 ? " none" : "");
	for (guint i = 0; problems != NULL && i < json_array_get_length(problems); i++)
		printf("  - %s\n", json_array_get_string_element(problems, i));
}

int
cav_ctl_cmd_hearing_report(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autoptr(JsonNode) answer = NULL;
	g_autofree char *path = NULL;
	JsonObject *r;
	gboolean stored = FALSE;
	gint64 id;
	int rc;

	if (!cav_ctl_parse(ctl, NULL, &argc, &argv, &rc, error))
		return rc;
	if (!cav_ctl_parse_id("hearing id", argv[1], &id, error))
		return -1;
	path = g_strdup_printf("/api/v1/hearings/%" G_GINT64_FORMAT "/report", id);
	answer = cav_ctl_call(ctl, "GET", path, NULL, CAV_CTL_TIMEOUT_S, error);
	if (answer == NULL)
		return -1;
	if (ctl->json) {
		cav_ctl_print_answer(ctl);
		return CAV_CTL_EXIT_OK;
	}
	if ((r = answer_object(answer, "report", error)) == NULL)
		return -1;
	cav_ctl_json_bool(json_node_get_object(answer), "stored", &stored);
	print_report(r, stored);
	return CAV_CTL_EXIT_OK;
}
