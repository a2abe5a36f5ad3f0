/* ctl-disc.c — `courtavctl disc …`: a case's disc plan, authoring an image,
 * burning, job status and drives through courtavd; and `disc verify`, which
 * needs no daemon and no database: it reads an image file, a disc in its
 * drive or a copied folder and checks it with common/disc-verify.h — every
 * hearing against its signed manifest, every other file against the signed
 * set manifest — naming each missing, extra or altered file.
 *
 * Author and burn start a job and then poll it (GET /disc/jobs/{id}),
 * drawing one progress line on a terminal. Single-threaded and blocking.
 */
#include "ctl.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "common/disc-verify.h"
#include "drivers/burner.h"
#include "ctl-output.h"

#define POLL_US (500 * 1000)

/* "English\x1e中文" (courtavd's and the burner's convention) as a ctl error. */
static GError *
split_error(CavCtlError code, const char *text)
{
	const char *sep = strchr(text, '\x1e');
	g_autofree char *en = sep ? g_strndup(text, sep - text) : g_strdup(text);

	return cav_ctl_error_new(code, sep ? sep + 1 : NULL, "%s", en);
}

/* A CASE argument as an id: digits, or a case number looked up. */
static gboolean
case_id_of(CavCtl *ctl, const char *arg, gint64 *out, GError **error)
{
	g_autofree char *number = NULL;
	g_autoptr(JsonNode) answer = NULL;
	g_autofree char *zh = NULL;
	JsonArray *cases;

	if (!cav_ctl_case_ref_parse(arg, out, &number, error))
		return FALSE;
	if (number == NULL)
		return TRUE;
	answer = cav_ctl_call(ctl, "GET", "/api/v1/cases", NULL, CAV_CTL_TIMEOUT_S, error);
	if (answer == NULL)
		return FALSE;
	cases = cav_ctl_json_array(json_node_get_object(answer), "cases");
	for (guint i = 0; cases != NULL && i < json_array_get_length(cases); i++) {
		JsonObject *c = cav_ctl_json_array_object(cases, i);
		g_autofree char *norm =
			cav_ctl_case_number_normalize(cav_ctl_json_string(c, "number"));

		if (strcmp(norm, number) == 0 && cav_ctl_json_int(c, "id", out))
			return TRUE;
	}
	zh = g_strdup_printf("没有案号为 %s 的案件。", number);
	cav_ctl_error_set_api(error, 404, "not-found", "no case has the number given", zh, NULL);
	return FALSE;
}

static char *
size_text(JsonObject *o, const char *member)
{
	gint64 v = 0;

	cav_ctl_json_int(o, member, &v);
	return g_format_size((guint64)MAX(v, 0));
}

/* ---- plan ---------------------------------------------------------------- */

static void
print_plan(JsonObject *plan)
{
	JsonArray *discs = cav_ctl_json_array(plan, "discs");
	JsonArray *media = cav_ctl_json_array(plan, "media");
	JsonArray *warnings = cav_ctl_json_array(plan, "warnings");
	JsonArray *unsealed = cav_ctl_json_array(plan, "unsealed");
	g_autofree char *payload = size_text(plan, "payload");
	g_autofree char *usable = size_text(plan, "usable");
	g_autoptr(CavCtlTable) t =
		cav_ctl_table_new("DISC 光盘", "HEARINGS 庭审", "SIZE 大小", "FULL 占用", NULL);
	guint n = discs ? json_array_get_length(discs) : 0;

	printf("%s: %s on %u × %s (%s usable each)\n", cav_ctl_json_string(plan, "case_number"),
	       payload, n, cav_ctl_json_string(plan, "medium_label"), usable);
	printf("需要 %u 张 %s（每张可用 %s）\n\n", n, cav_ctl_json_string(plan, "medium_label"),
	       usable);
	for (guint i = 0; i < n; i++) {
		JsonObject *d = cav_ctl_json_array_object(discs, i);
		JsonArray *hs = cav_ctl_json_array(d, "hearings");
		g_autoptr(GString) names = g_string_new(NULL);
		g_autofree char *num = cav_ctl_json_int_text(d, "number");
		g_autofree char *need = size_text(d, "need_bytes");
		g_autofree char *fill = NULL;
		double f = 0;

		for (guint j = 0; hs != NULL && j < json_array_get_length(hs); j++) {
			JsonObject *h = cav_ctl_json_array_object(hs, j);
			gboolean whole = TRUE;

			cav_ctl_json_bool(h, "whole", &whole);
			g_string_append_printf(names, "%s%s%s", j ? " " : "",
					       cav_ctl_json_string(h, "dir"),
					       whole ? "" : "(part)");
		}
		cav_ctl_json_double(d, "fill", &f);
		fill = g_strdup_printf("%.0f%%", f * 100);
		cav_ctl_table_add(t, num, names->str, need, fill);
	}
	cav_ctl_table_print(t, stdout);
	for (guint i = 0; media != NULL && i < json_array_get_length(media); i++) {
		JsonObject *m = cav_ctl_json_array_object(media, i);
		gint64 nd = 0;

		cav_ctl_json_int(m, "discs", &nd);
		printf("%s%s: %" G_GINT64_FORMAT,
		       i ? ", " : "\nOn other media 其他光盘: ", cav_ctl_json_string(m, "name"),
		       nd);
	}
	printf("\n");
	for (guint i = 0; warnings != NULL && i < json_array_get_length(warnings); i++) {
		JsonObject *w = cav_ctl_json_array_object(warnings, i);

		printf("warning: %s\n注意：%s\n", cav_ctl_json_string(w, "message"),
		       cav_ctl_json_string(w, "message_zh"));
	}
	for (guint i = 0; unsealed != NULL && i < json_array_get_length(unsealed); i++) {
		JsonObject *h = cav_ctl_json_array_object(unsealed, i);
		g_autofree char *id = cav_ctl_json_int_text(h, "id");

		printf("not in the plan: hearing %s is %s (seal it to burn it) / 庭审 %s 未封存，"
		       "暂不计入\n",
		       id, cav_ctl_json_string(h, "state"), id);
	}
}

int
cav_ctl_cmd_disc_plan(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autofree char *medium = NULL, *path = NULL;
	const GOptionEntry entries[] = {
		{"medium", 'm', 0, G_OPTION_ARG_FILENAME, &medium,
		 "dvd5, dvd9, bd25, bd50 (default: the smallest that fits)", "MEDIUM"},
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(JsonNode) answer = NULL;
	JsonObject *plan;
	gint64 case_id = 0;
	int rc;

	if (!cav_ctl_parse(ctl, entries, &argc, &argv, &rc, error))
		return rc;
	if (!case_id_of(ctl, argv[1], &case_id, error))
		return -1;
	path = g_strdup_printf("/api/v1/cases/%" G_GINT64_FORMAT "/disc/plan%s%s", case_id,
			       medium ? "?medium=" : "", medium ? medium : "");
	answer = cav_ctl_call(ctl, "GET", path, NULL, CAV_CTL_TIMEOUT_S, error);
	if (answer == NULL)
		return -1;
	if (ctl->json) {
		cav_ctl_print_answer(ctl);
		return CAV_CTL_EXIT_OK;
	}
	plan = cav_ctl_json_object(json_node_get_object(answer), "plan");
	if (plan != NULL)
		print_plan(plan);
	return CAV_CTL_EXIT_OK;
}

/* ---- jobs ---------------------------------------------------------------- */

static void
print_job(JsonObject *job)
{
	JsonArray *copies = cav_ctl_json_array(job, "copies");
	JsonObject *err = cav_ctl_json_object(job, "error");
	JsonArray *hearings = cav_ctl_json_array(job, "hearings");
	g_autofree char *id = cav_ctl_json_int_text(job, "id");
	g_autoptr(GString) hs = g_string_new(NULL);
	const char *state = cav_ctl_json_string(job, "state");

	for (guint i = 0; hearings != NULL && i < json_array_get_length(hearings); i++)
		g_string_append_printf(hs, "%s%s", i ? " " : "",
				       json_array_get_string_element(hearings, i));
	printf("job %s: %s %s, disc %s, hearings written: %s\n", id,
	       cav_ctl_json_string(job, "kind"), state, cav_ctl_json_int_text(job, "disc"),
	       hs->len ? hs->str : "-");
	for (guint i = 0; copies != NULL && i < json_array_get_length(copies); i++) {
		JsonObject *c = cav_ctl_json_array_object(copies, i);
		JsonArray *f = cav_ctl_json_array(c, "findings");
		JsonObject *ce = cav_ctl_json_object(c, "error");
		const char *verify = cav_ctl_json_string(c, "verify");
		g_autofree char *sessions = cav_ctl_json_int_text(c, "sessions");

		printf("  %s: %s, read-back %s, %s session(s)\n", cav_ctl_json_string(c, "drive"),
		       cav_ctl_json_string(c, "state"), verify ? verify : "not done",
		       sessions ? sessions : "?");
		for (guint j = 0; f != NULL && j < json_array_get_length(f); j++) {
			JsonObject *x = cav_ctl_json_array_object(f, j);
			g_autofree char *kind =
				g_ascii_strup(cav_ctl_json_string(x, "kind") ?: "?", -1);
			g_autofree char *detail =
				cav_ctl_text_sanitize(cav_ctl_json_string(x, "detail"));

			printf("    %-9s %s\n", kind, detail);
		}
		if (ce != NULL)
			printf("    error: %s\n    错误：%s\n", cav_ctl_json_string(ce, "message"),
			       cav_ctl_json_string(ce, "message_zh"));
	}
	if (err != NULL)
		printf("error: %s\n错误：%s\n", cav_ctl_json_string(err, "message"),
		       cav_ctl_json_string(err, "message_zh"));
	if (g_strcmp0(state, "done") == 0)
		printf("完成：每一份都已回读校验无误。Done: every copy was read back and "
		       "verified.\n");
	else if (g_strcmp0(state, "failed") == 0)
		printf("失败：光盘不可作为证据使用。Failed: do not use these discs as evidence.\n");
}

static void
draw_progress(JsonObject *p, gboolean live)
{
	double pct = 0, rate = 0, eta = -1;
	const char *phase = cav_ctl_json_string(p, "phase");
	g_autofree char *left = NULL;

	cav_ctl_json_double(p, "percent", &pct);
	cav_ctl_json_double(p, "mb_per_s", &rate);
	cav_ctl_json_double(p, "eta_s", &eta);
	left = eta >= 0 ? cav_ctl_format_duration((gint64)eta) : g_strdup("?");
	if (live)
		fprintf(stderr, "\r\033[K%-10s %5.1f%%  %6.1f MB/s  %s left  %s", phase ?: "", pct,
			rate, left, cav_ctl_json_string(p, "drive") ?: "");
	else
		fprintf(stderr, "%s %.0f%% %s\n", phase ?: "", pct,
			cav_ctl_json_string(p, "drive") ?: "");
	fflush(stderr);
}

/* Polls job @id until it ends; prints it. 0 when done, 1 when failed. */
static int
follow(CavCtl *ctl, gint64 id, GError **error)
{
	g_autofree char *path = g_strdup_printf("/api/v1/disc/jobs/%" G_GINT64_FORMAT, id);
	gboolean live = !ctl->json && isatty(STDERR_FILENO);
	g_autofree char *last_phase = NULL;

	for (;;) {
		g_autoptr(JsonNode) answer =
			cav_ctl_call(ctl, "GET", path, NULL, CAV_CTL_TIMEOUT_S, error);
		JsonObject *job, *p;
		const char *state;

		if (answer == NULL)
			return -1;
		job = cav_ctl_json_object(json_node_get_object(answer), "job");
		state = job ? cav_ctl_json_string(job, "state") : NULL;
		if (state == NULL) {
			g_propagate_error(error, cav_ctl_error_new(CAV_CTL_ERROR_PROTOCOL, NULL,
								   "the daemon's job answer has "
								   "no state"));
			return -1;
		}
		if (!g_str_equal(state, "running")) {
			if (live)
				fputs("\r\033[K", stderr);
			if (ctl->json)
				cav_ctl_print_answer(ctl);
			else
				print_job(job);
			return g_str_equal(state, "done") ? CAV_CTL_EXIT_OK : CAV_CTL_EXIT_FAILED;
		}
		p = cav_ctl_json_object(job, "progress");
		if (p != NULL && !ctl->json &&
		    (live || g_strcmp0(last_phase, cav_ctl_json_string(p, "phase")) != 0)) {
			g_free(last_phase);
			last_phase = g_strdup(cav_ctl_json_string(p, "phase"));
			draw_progress(p, live);
		}
		g_usleep(POLL_US);
	}
}

static int
start_job(CavCtl *ctl, gint64 case_id, const char *verb, JsonNode *body, gboolean wait,
	  GError **error)
{
	g_autofree char *path =
		g_strdup_printf("/api/v1/cases/%" G_GINT64_FORMAT "/disc/%s", case_id, verb);
	g_autoptr(JsonNode) answer =
		cav_ctl_call(ctl, "POST", path, body, CAV_CTL_TIMEOUT_S, error);
	JsonObject *job;
	gint64 id = 0;

	if (answer == NULL)
		return -1;
	job = cav_ctl_json_object(json_node_get_object(answer), "job");
	if (job == NULL || !cav_ctl_json_int(job, "id", &id)) {
		g_propagate_error(error, cav_ctl_error_new(CAV_CTL_ERROR_PROTOCOL, NULL,
							   "the daemon answered without a job"));
		return -1;
	}
	if (!wait) {
		if (ctl->json)
			cav_ctl_print_answer(ctl);
		else
			printf("job %" G_GINT64_FORMAT
			       " started (courtavctl disc job %" G_GINT64_FORMAT " shows it)\n",
			       id, id);
		return CAV_CTL_EXIT_OK;
	}
	return follow(ctl, id, error);
}

static void
add_common(JsonBuilder *b, const char *medium, gint disc, gboolean sealed_only)
{
	if (medium != NULL) {
		json_builder_set_member_name(b, "medium");
		json_builder_add_string_value(b, medium);
	}
	if (disc > 0) {
		json_builder_set_member_name(b, "disc");
		json_builder_add_int_value(b, disc);
	}
	json_builder_set_member_name(b, "sealed_only");
	json_builder_add_boolean_value(b, sealed_only);
}

int
cav_ctl_cmd_disc_author(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autofree char *output = NULL, *medium = NULL, *abs = NULL;
	gboolean force = FALSE, no_wait = FALSE, sealed_only = FALSE;
	gint disc = 0;
	const GOptionEntry entries[] = {
		{"output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		 "The image file to write (required)", "IMAGE"},
		{"medium", 'm', 0, G_OPTION_ARG_FILENAME, &medium, "Plan for this medium",
		 "MEDIUM"},
		{"disc", 0, 0, G_OPTION_ARG_INT, &disc, "Which disc of the set (default 1)", "N"},
		{"force", 'f', 0, G_OPTION_ARG_NONE, &force, "Replace IMAGE if it exists", NULL},
		{"no-wait", 0, 0, G_OPTION_ARG_NONE, &no_wait, "Start the job and return", NULL},
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) body = NULL;
	gint64 case_id = 0;
	int rc;

	if (!cav_ctl_parse(ctl, entries, &argc, &argv, &rc, error))
		return rc;
	if (output == NULL) {
		g_propagate_error(error,
				  cav_ctl_error_new(CAV_CTL_ERROR_USAGE, "请用 -o 指定镜像文件。",
						    "disc author: -o IMAGE is required"));
		return -1;
	}
	if (!case_id_of(ctl, argv[1], &case_id, error))
		return -1;
	/* courtavd writes the file: give it a path that means the same to it. */
	abs = g_canonicalize_filename(output, NULL);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "output");
	json_builder_add_string_value(b, abs);
	json_builder_set_member_name(b, "overwrite");
	json_builder_add_boolean_value(b, force);
	add_common(b, medium, disc, sealed_only);
	json_builder_end_object(b);
	body = json_builder_get_root(b);
	return start_job(ctl, case_id, "author", body, !no_wait, error);
}

int
cav_ctl_cmd_disc_burn(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_auto(GStrv) drives = NULL;
	g_autofree char *medium = NULL;
	gboolean close = FALSE, no_wait = FALSE, sealed_only = FALSE;
	gint disc = 0;
	const GOptionEntry entries[] = {
		{"drive", 'd', 0, G_OPTION_ARG_FILENAME_ARRAY, &drives,
		 "A burner (/dev/sr0) or stdio:FILE; twice for two copies", "ADDR"},
		{"medium", 'm', 0, G_OPTION_ARG_FILENAME, &medium, "Plan for this medium",
		 "MEDIUM"},
		{"disc", 0, 0, G_OPTION_ARG_INT, &disc, "Which disc of the set (default 1)", "N"},
		{"close", 0, 0, G_OPTION_ARG_NONE, &close,
		 "The case has ended: close the disc, no session can follow", NULL},
		{"sealed-only", 0, 0, G_OPTION_ARG_NONE, &sealed_only,
		 "Burn the sealed hearings though others are not sealed yet", NULL},
		{"no-wait", 0, 0, G_OPTION_ARG_NONE, &no_wait, "Start the job and return", NULL},
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) body = NULL;
	gint64 case_id = 0;
	int rc;

	if (!cav_ctl_parse(ctl, entries, &argc, &argv, &rc, error))
		return rc;
	if (!case_id_of(ctl, argv[1], &case_id, error))
		return -1;
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "drives");
	json_builder_begin_array(b);
	for (guint i = 0; drives != NULL && drives[i] != NULL; i++) {
		/* "stdio:relative" means the same file to the daemon only when made absolute. */
		g_autofree char *addr = g_str_has_prefix(drives[i], "/dev/")
						? g_strdup(drives[i])
						: cav_burner_address(drives[i]);

		json_builder_add_string_value(b, addr);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "close");
	json_builder_add_boolean_value(b, close);
	add_common(b, medium, disc, sealed_only);
	json_builder_end_object(b);
	body = json_builder_get_root(b);
	return start_job(ctl, case_id, "burn", body, !no_wait, error);
}

int
cav_ctl_cmd_disc_job(CavCtl *ctl, int argc, char **argv, GError **error)
{
	gboolean wait = FALSE;
	const GOptionEntry entries[] = {
		{"wait", 'w', 0, G_OPTION_ARG_NONE, &wait, "Follow the job until it ends", NULL},
		G_OPTION_ENTRY_NULL,
	};
	g_autofree char *path = NULL;
	g_autoptr(JsonNode) answer = NULL;
	JsonObject *job;
	gint64 id = 0;
	int rc;

	if (!cav_ctl_parse(ctl, entries, &argc, &argv, &rc, error))
		return rc;
	if (!cav_ctl_parse_id("job", argv[1], &id, error))
		return -1;
	if (wait)
		return follow(ctl, id, error);
	path = g_strdup_printf("/api/v1/disc/jobs/%" G_GINT64_FORMAT, id);
	answer = cav_ctl_call(ctl, "GET", path, NULL, CAV_CTL_TIMEOUT_S, error);
	if (answer == NULL)
		return -1;
	if (ctl->json) {
		cav_ctl_print_answer(ctl);
		return CAV_CTL_EXIT_OK;
	}
	job = cav_ctl_json_object(json_node_get_object(answer), "job");
	if (job != NULL)
		print_job(job);
	return CAV_CTL_EXIT_OK;
}

int
cav_ctl_cmd_disc_drives(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autoptr(JsonNode) answer = NULL;
	g_autoptr(CavCtlTable) t = NULL;
	JsonArray *drives;
	gboolean busy = FALSE;
	int rc;

	if (!cav_ctl_parse(ctl, NULL, &argc, &argv, &rc, error))
		return rc;
	answer = cav_ctl_call(ctl, "GET", "/api/v1/disc/drives", NULL, CAV_CTL_SLOW_TIMEOUT_S,
			      error);
	if (answer == NULL)
		return -1;
	if (ctl->json) {
		cav_ctl_print_answer(ctl);
		return CAV_CTL_EXIT_OK;
	}
	drives = cav_ctl_json_array(json_node_get_object(answer), "drives");
	cav_ctl_json_bool(json_node_get_object(answer), "busy", &busy);
	if (drives == NULL || json_array_get_length(drives) == 0) {
		printf("No optical drive found. 未找到光驱。\n"
		       "Connect a burner, or write an image: courtavctl disc author CASE -o "
		       "FILE\n");
		return CAV_CTL_EXIT_OK;
	}
	t = cav_ctl_table_new("DRIVE 光驱", "MODEL 型号", "MEDIUM 光盘", "SESSIONS", "FREE 可用",
			      NULL);
	for (guint i = 0; i < json_array_get_length(drives); i++) {
		JsonObject *d = cav_ctl_json_array_object(drives, i);
		g_autofree char *model = g_strdup_printf("%s %s", cav_ctl_json_string(d, "vendor"),
							 cav_ctl_json_string(d, "product"));
		g_autofree char *medium = g_strdup_printf("%s %s", cav_ctl_json_string(d, "medium"),
							  cav_ctl_json_string(d, "profile"));
		g_autofree char *sessions = cav_ctl_json_int_text(d, "sessions");
		g_autofree char *free_text = size_text(d, "free_bytes");

		cav_ctl_table_add(t, cav_ctl_json_string(d, "address"), model, medium, sessions,
				  free_text);
	}
	cav_ctl_table_print(t, stdout);
	if (busy)
		printf("(a disc job is running: this is the list from before it started)\n");
	return CAV_CTL_EXIT_OK;
}

/* ---- verify (offline) ---------------------------------------------------- */

typedef struct {
	gboolean live;
	gboolean drawn;
} Progress;

static void
on_progress(const char *file, guint done, guint total, gpointer user_data)
{
	Progress *p = user_data;
	g_autofree char *base = NULL, *shown = NULL;

	if (!p->live)
		return;
	base = g_path_get_basename(file);
	shown = cav_ctl_text_sanitize(base);
	fprintf(stderr, "\r\033[K[%u/%u] %s", done, total, shown);
	fflush(stderr);
	p->drawn = TRUE;
}

/* The finding's file as a path on the disc: "h1/cam1/x.mp4". */
static char *
disc_path(const char *root, const CavFinding *f)
{
	g_autofree char *dir = g_path_get_dirname(f->manifest);
	g_autofree char *full =
		f->file ? g_build_filename(dir, f->file, NULL) : g_strdup(f->manifest);
	gsize n = strlen(root);

	if (g_str_has_prefix(full, root) && (full[n] == '/' || root[n - 1] == '/'))
		return g_strdup(full + n + (full[n] == '/' ? 1 : 0));
	return g_steal_pointer(&full);
}

static void
print_verify_json(const char *root, const CavVerifyReport *r, const CavDiscSet *set)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) node = NULL;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "intact");
	json_builder_add_boolean_value(b, r->findings->len == 0);
	json_builder_set_member_name(b, "case_number");
	json_builder_add_string_value(b, set ? set->case_number : NULL);
	json_builder_set_member_name(b, "disc");
	json_builder_add_int_value(b, set ? set->disc : 0);
	json_builder_set_member_name(b, "hearings");
	json_builder_add_int_value(b, r->n_manifests);
	json_builder_set_member_name(b, "files_ok");
	json_builder_add_int_value(b, r->n_files_ok);
	json_builder_set_member_name(b, "findings");
	json_builder_begin_array(b);
	for (guint i = 0; i < r->findings->len; i++) {
		const CavFinding *f = r->findings->pdata[i];
		g_autofree char *path = disc_path(root, f);

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "kind");
		json_builder_add_string_value(b, cav_finding_kind_name(f->kind));
		json_builder_set_member_name(b, "path");
		json_builder_add_string_value(b, path);
		json_builder_set_member_name(b, "detail");
		json_builder_add_string_value(b, f->detail);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	node = json_builder_get_root(b);
	cav_ctl_print_json(node);
}

static void
print_verify(const char *root, const CavVerifyReport *r, const CavDiscSet *set)
{
	guint n = r->findings->len;

	if (set != NULL) {
		g_autofree char *number = cav_ctl_text_sanitize(set->case_number);

		printf("%s, disc %u of %u (%s), set %s%s\n", number, set->disc, set->layout->len,
		       set->medium, set->set_uid, set->closed ? ", closed" : "");
	}
	for (guint i = 0; i < n; i++) {
		const CavFinding *f = r->findings->pdata[i];
		g_autofree char *kind = g_ascii_strup(cav_finding_kind_name(f->kind), -1);
		g_autofree char *path = disc_path(root, f);
		g_autofree char *shown = cav_ctl_text_sanitize(path);
		g_autofree char *detail = cav_ctl_text_sanitize(f->detail);

		printf("%-9s  %s: %s\n", kind, shown, detail);
	}
	printf("%u hearing(s), %u file(s) intact, %u problem(s)\n", r->n_manifests, r->n_files_ok,
	       n);
	printf("%u 个庭审，%u 个文件完好，%s\n", r->n_manifests, r->n_files_ok,
	       n == 0 ? "未发现问题，光盘完好。" : "发现问题，见上：该光盘不可作为完好证据。");
}

static char *
read_key(const char *path, GError **error)
{
	g_autofree char *pem = NULL;
	g_autofree char *zh = NULL;

	if (!g_file_get_contents(path, &pem, NULL, NULL) ||
	    strstr(pem, "-----BEGIN PUBLIC KEY-----") == NULL) {
		zh = g_strdup_printf("无法读取公钥文件 %s。", path);
		g_propagate_error(error,
				  cav_ctl_error_new(CAV_CTL_ERROR_IO, zh,
						    "%s is not a readable PEM public key", path));
		return NULL;
	}
	return g_steal_pointer(&pem);
}

int
cav_ctl_cmd_disc_verify(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autofree char *key_path = NULL, *pem = NULL, *address = NULL;
	gboolean quiet = FALSE;
	const GOptionEntry entries[] = {
		{"public-key", 'k', 0, G_OPTION_ARG_FILENAME, &key_path,
		 "Check signatures against this device key (PEM) too", "FILE"},
		{"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print only problems", NULL},
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(CavBurnReader) rd = NULL;
	g_autoptr(CavVerifyReport) report = NULL;
	g_autoptr(CavDiscSet) set = NULL;
	g_autoptr(GError) local = NULL;
	Progress progress = {0};
	const char *target, *root;
	CavVerifyFs fs;
	int rc;

	if (!cav_ctl_parse(ctl, entries, &argc, &argv, &rc, error))
		return rc;
	target = argv[1];
	if (key_path != NULL && (pem = read_key(key_path, error)) == NULL)
		return -1;
	if (g_file_test(target, G_FILE_TEST_IS_DIR)) {
		/* A mounted disc or a copied or extracted one. */
		fs = cav_verify_fs_local();
		root = target;
	} else {
		const char *path = g_str_has_prefix(target, "stdio:") ? target + 6 : target;

		if (!g_str_has_prefix(target, "/dev/") && !g_file_test(path, G_FILE_TEST_EXISTS)) {
			g_autofree char *zh = g_strdup_printf("%s 不存在。", path);

			g_propagate_error(error, cav_ctl_error_new(CAV_CTL_ERROR_IO, zh,
								   "%s does not exist", path));
			return -1;
		}
		address = g_str_has_prefix(target, "/dev/") ? g_strdup(target)
							    : cav_burner_address(target);
		rd = cav_burner_open(address, &local);
		if (rd == NULL) {
			g_propagate_error(error, split_error(CAV_CTL_ERROR_IO, local->message));
			return -1;
		}
		fs = cav_burner_reader_fs(rd);
		root = "/";
	}
	progress.live = !quiet && !ctl->json && isatty(STDERR_FILENO);
	if (!cav_disc_verify(&fs, root, pem, on_progress, &progress, &report, &set, NULL, &local)) {
		if (progress.drawn)
			fputs("\r\033[K", stderr);
		g_propagate_error(error,
				  cav_ctl_error_new(CAV_CTL_ERROR_IO,
						    "无法校验：这不是本系统刻录的光盘或镜像。",
						    "%s", local->message));
		return -1;
	}
	if (progress.drawn)
		fputs("\r\033[K", stderr);
	if (ctl->json)
		print_verify_json(root, report, set);
	else if (quiet)
		for (guint i = 0; i < report->findings->len; i++) {
			const CavFinding *f = report->findings->pdata[i];
			g_autofree char *path = disc_path(root, f);

			printf("%s  %s\n", cav_finding_kind_name(f->kind), path);
		}
	else
		print_verify(root, report, set);
	if (!quiet && !ctl->json && pem == NULL)
		fprintf(stderr, "note: signatures were checked against the key the disc carries; "
				"pass --public-key to pin the device's own key\n");
	return report->findings->len == 0 ? CAV_CTL_EXIT_OK : CAV_CTL_EXIT_FAILED;
}
