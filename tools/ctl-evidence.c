/* ctl-evidence.c — the courtavctl commands for evidence inputs
 * (appliance/room-evidence.h): list them, show one (recorded while in use),
 * end the use, and list a hearing's uses with each shown file's SHA-256.
 * Single-threaded and blocking.
 */
#include "ctl.h"

#include <stdio.h>
#include "ctl-output.h"

/* Prints the "evidence" object of an answer: the inputs, then the use in progress. */
static int
print_status(CavCtl *ctl, JsonNode *answer)
{
	JsonObject *root = JSON_NODE_HOLDS_OBJECT(answer) ? json_node_get_object(answer) : NULL;
	JsonObject *ev = root ? cav_ctl_json_object(root, "evidence") : NULL;
	JsonArray *inputs = ev ? cav_ctl_json_array(ev, "inputs") : NULL;
	JsonObject *active = ev ? cav_ctl_json_object(ev, "active") : NULL;
	g_autoptr(CavCtlTable) t = cav_ctl_table_new("INPUT", "LABEL", "KIND", "FILES", NULL);

	if (ctl->json) {
		cav_ctl_print_answer(ctl);
		return CAV_CTL_EXIT_OK;
	}
	for (guint i = 0; inputs != NULL && i < json_array_get_length(inputs); i++) {
		JsonObject *in = cav_ctl_json_array_object(inputs, i);
		JsonArray *files = in ? cav_ctl_json_array(in, "files") : NULL;
		g_autoptr(GString) names = g_string_new(NULL);
		g_autofree char *label = NULL;

		for (guint f = 0; files != NULL && f < json_array_get_length(files); f++) {
			g_autofree char *name =
				cav_ctl_text_sanitize(json_array_get_string_element(files, f));

			g_string_append_printf(names, "%s%s", f ? ", " : "", name ? name : "?");
		}
		label = cav_ctl_text_sanitize(in ? cav_ctl_json_string(in, "label") : NULL);
		cav_ctl_table_add(t, in ? cav_ctl_json_string(in, "id") : NULL, label,
				  in ? cav_ctl_json_string(in, "backend") : NULL,
				  files != NULL ? names->str : NULL);
	}
	cav_ctl_table_print(t, stdout);
	if (active != NULL) {
		g_autofree char *since = cav_ctl_json_time(active, "since_us");
		g_autofree char *file = cav_ctl_text_sanitize(cav_ctl_json_string(active, "file"));

		printf("In use 使用中: %s%s%s since %s\n", cav_ctl_json_string(active, "id") ?: "?",
		       file ? "  " : "", file ? file : "", since ? since : "?");
	} else {
		printf("No evidence is being shown. 当前没有正在展示的证据。\n");
	}
	return CAV_CTL_EXIT_OK;
}

int
cav_ctl_cmd_evidence_list(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autoptr(JsonNode) answer = NULL;
	int rc;

	if (!cav_ctl_parse(ctl, NULL, &argc, &argv, &rc, error))
		return rc;
	answer = cav_ctl_call(ctl, "GET", "/api/v1/evidence", NULL, CAV_CTL_TIMEOUT_S, error);
	return answer == NULL ? -1 : print_status(ctl, answer);
}

int
cav_ctl_cmd_evidence_show(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) body = NULL, answer = NULL;
	g_autofree char *path = NULL;
	int rc;

	if (!cav_ctl_parse(ctl, NULL, &argc, &argv, &rc, error))
		return rc;
	json_builder_begin_object(b);
	if (argc > 2) {
		json_builder_set_member_name(b, "file");
		json_builder_add_string_value(b, argv[2]);
	}
	json_builder_end_object(b);
	body = json_builder_get_root(b);
	path = g_strdup_printf("/api/v1/evidence/%s/start", argv[1]);
	answer = cav_ctl_call(ctl, "POST", path, body, CAV_CTL_TIMEOUT_S, error);
	return answer == NULL ? -1 : print_status(ctl, answer);
}

int
cav_ctl_cmd_evidence_stop(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autoptr(JsonNode) answer = NULL;
	int rc;

	if (!cav_ctl_parse(ctl, NULL, &argc, &argv, &rc, error))
		return rc;
	answer = cav_ctl_call(ctl, "POST", "/api/v1/evidence/stop", NULL, CAV_CTL_TIMEOUT_S, error);
	return answer == NULL ? -1 : print_status(ctl, answer);
}

int
cav_ctl_cmd_hearing_evidence(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autoptr(JsonNode) answer = NULL;
	g_autoptr(CavCtlTable) t = NULL;
	g_autofree char *path = NULL;
	JsonArray *uses;
	gint64 id;
	int rc;

	if (!cav_ctl_parse(ctl, NULL, &argc, &argv, &rc, error))
		return rc;
	if (!cav_ctl_parse_id("hearing id", argv[1], &id, error))
		return -1;
	path = g_strdup_printf("/api/v1/hearings/%" G_GINT64_FORMAT "/evidence", id);
	answer = cav_ctl_call(ctl, "GET", path, NULL, CAV_CTL_TIMEOUT_S, error);
	if (answer == NULL)
		return -1;
	if (ctl->json) {
		cav_ctl_print_answer(ctl);
		return CAV_CTL_EXIT_OK;
	}
	uses = JSON_NODE_HOLDS_OBJECT(answer)
		       ? cav_ctl_json_array(json_node_get_object(answer), "uses")
		       : NULL;
	t = cav_ctl_table_new("INPUT", "FILE", "START", "END", "BY", "SHA-256", NULL);
	for (guint i = 0; uses != NULL && i < json_array_get_length(uses); i++) {
		JsonObject *u = cav_ctl_json_array_object(uses, i);
		g_autofree char *start = u ? cav_ctl_json_time(u, "start_us") : NULL;
		g_autofree char *end = u ? cav_ctl_json_time(u, "end_us") : NULL;
		g_autofree char *file =
			cav_ctl_text_sanitize(u ? cav_ctl_json_string(u, "file") : NULL);

		cav_ctl_table_add(t, u ? cav_ctl_json_string(u, "input") : NULL, file, start, end,
				  u ? cav_ctl_json_string(u, "started_by") : NULL,
				  u ? cav_ctl_json_string(u, "file_sha256") : NULL);
	}
	cav_ctl_table_print(t, stdout);
	return CAV_CTL_EXIT_OK;
}
