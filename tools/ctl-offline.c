/* ctl-offline.c — the courtavctl commands that need no daemon: `verify`
 * (recordings against their manifests, common/verify.h) and `audit verify`
 * (the hash-chained audit log, appliance/audit.h).
 *
 * Both are meant for people who do not trust the machine that made the
 * recordings — a judge's clerk checking a disc, an auditor with a copy of
 * the database — so both read only, take the device's public key from
 * outside the data being checked when they can, and exit 0 only when
 * nothing at all was found. Single-threaded and blocking; progress is
 * reported from the same thread between files.
 */
#include "ctl.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>
#include "appliance/audit.h"
#include "common/verify.h"
#include "ctl-output.h"

/* Reads a PEM public key to pin the signature check to. */
static char *
read_public_key(const char *path, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autofree char *pem = NULL;
	g_autofree char *zh = NULL;

	if (!g_file_get_contents(path, &pem, NULL, &local)) {
		zh = g_strdup_printf("无法读取公钥文件 %s。", path);
		g_propagate_error(error,
				  cav_ctl_error_new(CAV_CTL_ERROR_IO, zh,
						    "cannot read public key: %s", local->message));
		return NULL;
	}
	if (strstr(pem, "-----BEGIN PUBLIC KEY-----") == NULL) {
		zh = g_strdup_printf("%s 不是 PEM 格式的公钥。", path);
		g_propagate_error(error, cav_ctl_error_new(CAV_CTL_ERROR_IO, zh,
							   "%s is not a PEM public key (export it "
							   "with 'courtavctl export public-key')",
							   path));
		return NULL;
	}
	return g_steal_pointer(&pem);
}

typedef struct {
	gboolean live;  /* stderr is a terminal: redraw one progress line */
	gboolean drawn; /* a progress line is on screen */
	guint done;
	guint total;
	gint64 started_us;
} Progress;

/* Called by cav_verify_path_full() after each file, on this thread. */
static void
on_progress(const char *file, guint done, guint total, gpointer user_data)
{
	Progress *p = user_data;
	g_autofree char *base = NULL;
	g_autofree char *shown = NULL;

	p->done = done;
	p->total = total;
	if (!p->live)
		return;
	base = g_path_get_basename(file);
	shown = cav_ctl_text_sanitize(base);
	fprintf(stderr, "\r\033[K[%u/%u] %s", done, total, shown);
	fflush(stderr);
	p->drawn = TRUE;
}

/* "…/h3/cam1/x.mp4": the manifest's folder joined with the file. (transfer full) */
static char *
finding_path(const CavFinding *f)
{
	g_autofree char *dir = NULL;

	if (f->file == NULL)
		return g_strdup(f->manifest);
	dir = g_path_get_dirname(f->manifest);
	return g_build_filename(dir, f->file, NULL);
}

static void
print_report_json(const CavVerifyReport *report)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) node = NULL;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "intact");
	json_builder_add_boolean_value(b, report->findings->len == 0);
	json_builder_set_member_name(b, "hearings");
	json_builder_add_int_value(b, report->n_manifests);
	json_builder_set_member_name(b, "sealed");
	json_builder_add_int_value(b, report->n_sealed);
	json_builder_set_member_name(b, "files_ok");
	json_builder_add_int_value(b, report->n_files_ok);
	json_builder_set_member_name(b, "bytes_hashed");
	json_builder_add_int_value(b, (gint64)report->bytes_hashed);
	json_builder_set_member_name(b, "findings");
	json_builder_begin_array(b);
	for (guint i = 0; i < report->findings->len; i++) {
		const CavFinding *f = g_ptr_array_index(report->findings, i);

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "kind");
		json_builder_add_string_value(b, cav_finding_kind_name(f->kind));
		json_builder_set_member_name(b, "manifest");
		json_builder_add_string_value(b, f->manifest);
		json_builder_set_member_name(b, "file");
		if (f->file != NULL)
			json_builder_add_string_value(b, f->file);
		else
			json_builder_add_null_value(b);
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
print_report(const CavVerifyReport *report)
{
	for (guint i = 0; i < report->findings->len; i++) {
		const CavFinding *f = g_ptr_array_index(report->findings, i);
		g_autofree char *kind = g_ascii_strup(cav_finding_kind_name(f->kind), -1);
		g_autofree char *path = finding_path(f);
		g_autofree char *shown = cav_ctl_text_sanitize(path);
		g_autofree char *detail = cav_ctl_text_sanitize(f->detail);

		printf("%-9s  %s: %s\n", kind, shown, detail != NULL ? detail : "");
	}
}

/* The timing line (stderr) and the counts in both languages (stdout). */
static void
print_summary(const CavVerifyReport *report, const Progress *progress, gboolean pinned)
{
	g_autofree char *size = g_format_size(report->bytes_hashed);
	double secs = (double)(g_get_monotonic_time() - progress->started_us) / G_USEC_PER_SEC;
	guint n_problems = report->findings->len;

	fprintf(stderr, "hashed %u file(s), %s in %.1f s\n", progress->done, size, secs);
	if (!pinned && report->n_sealed > 0)
		fprintf(stderr, "note: signatures were checked against the key inside each "
				"manifest; pass --public-key to pin the device's own key\n");
	printf("%u hearing(s), %u file(s) intact, %u problem(s)\n", report->n_manifests,
	       report->n_files_ok, n_problems);
	printf("%u 个庭审，%u 个文件完好，%s\n", report->n_manifests, report->n_files_ok,
	       n_problems == 0 ? "未发现问题。" : "发现问题，见上。");
}

int
cav_ctl_cmd_verify(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autofree char *key_path = NULL, *pem = NULL, *zh = NULL;
	gboolean quiet = FALSE;
	const GOptionEntry entries[] = {
		{"public-key", 'k', 0, G_OPTION_ARG_FILENAME, &key_path,
		 "Check signatures against this device key (PEM) instead of the key each "
		 "manifest carries",
		 "FILE"},
		{"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
		 "Print only problems; the exit status tells the rest", NULL},
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(CavVerifyReport) report = NULL;
	g_autoptr(GError) local = NULL;
	Progress progress = {0};
	const char *path;
	guint n_problems;
	int rc;

	if (!cav_ctl_parse(ctl, entries, &argc, &argv, &rc, error))
		return rc;
	path = argv[1];
	if (key_path != NULL && (pem = read_public_key(key_path, error)) == NULL)
		return -1;
	if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
		zh = g_strdup_printf("%s 不存在。", path);
		g_propagate_error(
			error, cav_ctl_error_new(CAV_CTL_ERROR_IO, zh, "%s does not exist", path));
		return -1;
	}

	progress.live = !quiet && !ctl->json && isatty(STDERR_FILENO);
	progress.started_us = g_get_monotonic_time();
	if (!cav_verify_path_full(path, pem, on_progress, &progress, &report, NULL, &local)) {
		if (progress.drawn)
			fputs("\r\033[K", stderr);
		if (g_error_matches(local, CAV_VERIFY_ERROR, CAV_VERIFY_ERROR_NO_MANIFEST))
			zh = g_strdup_printf("%s 中没有找到 manifest.json，无从校验。", path);
		else
			zh = g_strdup_printf("无法校验 %s。", path);
		/* verify.c's message already names the path. */
		g_propagate_error(error,
				  cav_ctl_error_new(CAV_CTL_ERROR_IO, zh, "%s", local->message));
		return -1;
	}
	if (progress.drawn)
		fputs("\r\033[K", stderr);
	n_problems = report->findings->len;

	if (ctl->json) {
		print_report_json(report);
		return n_problems == 0 ? CAV_CTL_EXIT_OK : CAV_CTL_EXIT_FAILED;
	}
	print_report(report);
	if (quiet)
		return n_problems == 0 ? CAV_CTL_EXIT_OK : CAV_CTL_EXIT_FAILED;

	print_summary(report, &progress, pem != NULL);
	return n_problems == 0 ? CAV_CTL_EXIT_OK : CAV_CTL_EXIT_FAILED;
}

/* A read-only SQLite URI for @path: mode=ro besides SQLITE_OPEN_READONLY,
 * so the intent is in the name SQLite opens. Without a -wal file beside it
 * no connection has the database open (courtavd keeps one while it runs),
 * so it is also opened immutable=1: SQLite then takes no locks and creates
 * no -wal/-shm files, which is what lets a copy on a disc or in an
 * auditor's read-only folder be checked at all. The path is made absolute
 * and percent-escaped, because '?' and '#' would end it and a leading "//"
 * would read as a host. (transfer full) */
static char *
readonly_uri(const char *path)
{
	g_autofree char *abs = g_canonicalize_filename(path, NULL);
	g_autofree char *escaped = g_uri_escape_string(abs, "/", FALSE);
	g_autofree char *wal = g_strconcat(abs, "-wal", NULL);
	gboolean in_use = g_file_test(wal, G_FILE_TEST_EXISTS);

	return g_strdup_printf("file:%s?mode=ro%s", escaped, in_use ? "" : "&immutable=1");
}

static sqlite3 *
open_readonly(const char *path, GError **error)
{
	g_autofree char *uri = readonly_uri(path);
	g_autofree char *zh = NULL;
	sqlite3 *db = NULL;
	int rc;

	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
		zh = g_strdup_printf("找不到数据库 %s。", path);
		g_propagate_error(error, cav_ctl_error_new(CAV_CTL_ERROR_IO, zh,
							   "no database at %s (use --db FILE or "
							   "--state-dir DIR)",
							   path));
		return NULL;
	}
	rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	if (rc != SQLITE_OK) {
		zh = g_strdup_printf("无法打开数据库 %s。", path);
		g_propagate_error(error, cav_ctl_error_new(CAV_CTL_ERROR_IO, zh,
							   "cannot open %s read-only: %s", path,
							   db != NULL ? sqlite3_errmsg(db)
								      : sqlite3_errstr(rc)));
		sqlite3_close(db);
		return NULL;
	}
	/* courtavd may be writing; wait for it rather than fail. */
	sqlite3_busy_timeout(db, 5000);
	return db;
}

static gboolean
verify_audit_db(const char *db_path, const char *pem, CavAuditReport **out_report, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autofree char *zh = NULL;
	sqlite3 *db = open_readonly(db_path, error);
	gboolean ok;

	if (db == NULL)
		return FALSE;
	ok = cav_audit_verify(db, pem, out_report, &local);
	sqlite3_close(db);
	if (!ok) {
		zh = g_strdup_printf("无法读取 %s 中的审计日志。", db_path);
		g_propagate_error(error, cav_ctl_error_new(CAV_CTL_ERROR_IO, zh,
							   "cannot read the audit log in %s: %s",
							   db_path, local->message));
	}
	return ok;
}

static void
print_audit_json(const CavAuditReport *report, const char *db_path, const char *key_path,
		 gboolean intact)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) node = NULL;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "intact");
	json_builder_add_boolean_value(b, intact);
	json_builder_set_member_name(b, "database");
	json_builder_add_string_value(b, db_path);
	json_builder_set_member_name(b, "public_key");
	if (key_path != NULL)
		json_builder_add_string_value(b, key_path);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "rows");
	json_builder_add_int_value(b, (gint64)report->rows);
	json_builder_set_member_name(b, "first_bad_id");
	json_builder_add_int_value(b, report->first_bad_id);
	json_builder_set_member_name(b, "checkpoint_ok");
	json_builder_add_boolean_value(b, report->checkpoint_ok);
	json_builder_set_member_name(b, "problems");
	json_builder_begin_array(b);
	for (guint i = 0; i < report->problems->len; i++)
		json_builder_add_string_value(b, g_ptr_array_index(report->problems, i));
	json_builder_end_array(b);
	json_builder_end_object(b);
	node = json_builder_get_root(b);
	cav_ctl_print_json(node);
}

int
cav_ctl_cmd_audit_verify(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autofree char *db_arg = NULL, *state_dir = NULL, *key_arg = NULL;
	const GOptionEntry entries[] = {
		{"db", 0, 0, G_OPTION_ARG_FILENAME, &db_arg, "The database file", "FILE"},
		{"state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir,
		 "courtavd's state folder (default " CAV_CTL_DEFAULT_STATE_DIR ")", "DIR"},
		{"public-key", 'k', 0, G_OPTION_ARG_FILENAME, &key_arg,
		 "Device public key (default " CAV_CTL_PUBLIC_KEY_NAME " beside the database)",
		 "FILE"},
		G_OPTION_ENTRY_NULL,
	};
	g_autofree char *db_path = NULL, *key_dir = NULL, *key_path = NULL, *pem = NULL;
	g_autoptr(CavAuditReport) report = NULL;
	gboolean intact;
	int rc;

	if (!cav_ctl_parse(ctl, entries, &argc, &argv, &rc, error))
		return rc;
	if (db_arg != NULL && state_dir != NULL) {
		g_propagate_error(error,
				  cav_ctl_error_new(CAV_CTL_ERROR_USAGE, NULL,
						    "audit verify: give --db or --state-dir, "
						    "not both"));
		return -1;
	}
	if (db_arg != NULL) {
		db_path = g_strdup(db_arg);
		key_dir = g_path_get_dirname(db_arg);
	} else {
		key_dir = g_strdup(state_dir != NULL ? state_dir : CAV_CTL_DEFAULT_STATE_DIR);
		db_path = g_build_filename(key_dir, CAV_CTL_DB_NAME, NULL);
	}
	/* The key the daemon exported, not one stored in the database: whoever
	 * can edit the database could replace that one too. */
	if (key_arg != NULL) {
		key_path = g_strdup(key_arg);
	} else {
		key_path = g_build_filename(key_dir, CAV_CTL_PUBLIC_KEY_NAME, NULL);
		if (!g_file_test(key_path, G_FILE_TEST_EXISTS))
			g_clear_pointer(&key_path, g_free);
	}
	if (key_path != NULL && (pem = read_public_key(key_path, error)) == NULL)
		return -1;

	if (!verify_audit_db(db_path, pem, &report, error))
		return -1;
	intact = report->problems->len == 0 && report->first_bad_id == 0;

	if (ctl->json) {
		print_audit_json(report, db_path, key_path, intact);
		return intact ? CAV_CTL_EXIT_OK : CAV_CTL_EXIT_FAILED;
	}
	for (guint i = 0; i < report->problems->len; i++) {
		g_autofree char *shown =
			cav_ctl_text_sanitize(g_ptr_array_index(report->problems, i));

		printf("PROBLEM  %s\n", shown);
	}
	if (report->first_bad_id != 0)
		printf("first bad row: %" G_GINT64_FORMAT "\n", report->first_bad_id);
	printf("%" G_GUINT64_FORMAT " row(s), checkpoint %s, %u problem(s)\n", report->rows,
	       pem == NULL             ? "signature not checked (no public key)"
	       : report->checkpoint_ok ? "signature valid"
				       : "signature NOT valid",
	       report->problems->len);
	printf("审计日志%s\n", intact ? "完好。" : "已被改动或损坏，见上。");
	if (pem == NULL)
		fprintf(stderr,
			"note: no %s found beside %s; pass --public-key to check the "
			"signed checkpoint\n",
			CAV_CTL_PUBLIC_KEY_NAME, db_path);
	return intact ? CAV_CTL_EXIT_OK : CAV_CTL_EXIT_FAILED;
}
