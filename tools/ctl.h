/* ctl.h — what every courtavctl command shares: the run context, the error
 * domain with its exit codes, argument parsing, and the command handlers the
 * dispatcher (ctl-dispatch.c) calls.
 *
 * courtavctl is a single-threaded, blocking CLI: every function here runs on
 * its only thread. Handlers print their result to stdout; errors travel as a
 * GError back to the dispatcher, which prints each one once (English, then
 * Chinese when known) and turns it into the exit code.
 */
#pragma once

#include <glib.h>
#include "ctl-client.h"

G_BEGIN_DECLS

#define CAV_CTL_DEFAULT_API "http://127.0.0.1:8780"
#define CAV_CTL_API_ENV "COURTAV_API"
/* A bearer token in the environment wins over the saved login. */
#define CAV_CTL_TOKEN_ENV "COURTAV_TOKEN"
/* Where courtavd keeps its database and exports its public key. */
#define CAV_CTL_DEFAULT_STATE_DIR "/var/lib/courtavd"
#define CAV_CTL_DB_NAME "courtav.db"
#define CAV_CTL_PUBLIC_KEY_NAME "device-key.pub"

typedef enum {
	CAV_CTL_EXIT_OK = 0,
	CAV_CTL_EXIT_FAILED = 1,      /* the daemon refused, or verification found problems */
	CAV_CTL_EXIT_USAGE = 2,       /* bad arguments, or a local file could not be used */
	CAV_CTL_EXIT_UNREACHABLE = 3, /* nothing answering at the API address */
} CavCtlExit;

#define CAV_CTL_ERROR (cav_ctl_error_quark())
GQuark cav_ctl_error_quark(void);

typedef enum {
	CAV_CTL_ERROR_USAGE,       /* bad command line (exit 2) */
	CAV_CTL_ERROR_IO,          /* a local file or folder (exit 2) */
	CAV_CTL_ERROR_UNREACHABLE, /* connection refused, no route, unknown host (exit 3) */
	CAV_CTL_ERROR_TIMEOUT,     /* the daemon accepted but did not answer in time (exit 1) */
	CAV_CTL_ERROR_API,         /* the daemon answered with an error body (exit 1) */
	CAV_CTL_ERROR_PROTOCOL,    /* the daemon's answer made no sense (exit 1) */
} CavCtlError;

/* A CAV_CTL_ERROR carrying an optional Chinese message. The domain is an
 * extended GError (GLib 2.68) so the Chinese text and the API's error code
 * travel with the error through g_propagate_error() instead of living in a
 * side channel. (transfer full) */
GError *cav_ctl_error_new(CavCtlError code, const char *message_zh, const char *format, ...)
	G_GNUC_PRINTF(3, 4);
/* Sets @error to an API error as the daemon reported it. @api_code,
 * @message_zh and @body (the server's error JSON, pretty) are nullable. */
void cav_ctl_error_set_api(GError **error, guint http_status, const char *api_code,
			   const char *message, const char *message_zh, const char *body);
/* Accessors; NULL when @error is of another domain or the field is unset.
 * (transfer none) */
const char *cav_ctl_error_message_zh(const GError *error);
const char *cav_ctl_error_api_code(const GError *error);
const char *cav_ctl_error_body(const GError *error);
/* The CavCtlExit for @error; errors of other domains count as failures (1). */
int cav_ctl_error_exit_code(const GError *error);

typedef struct CavCtl CavCtl;

typedef struct {
	const char *name;        /* "hearing pause" */
	const char *args;        /* positional arguments for the usage line: "ID" */
	const char *summary;     /* one line for the overview and --help */
	const char *description; /* more --help text (nullable) */
	guint min_args;
	guint max_args;
	gboolean offline; /* needs no daemon: --api is not offered */
	/* Returns the exit code, or -1 with @error set. */
	int (*run)(CavCtl *ctl, int argc, char **argv, GError **error);
} CavCtlCommand;

struct CavCtl {
	char *api_arg;                /* --api as given (owned, nullable) */
	gboolean json;                /* --json: machine-readable output */
	const CavCtlCommand *command; /* the command running (unowned, static) */
	CavCtlClient *client;         /* made on first use (owned, nullable) */
	GBytes *last_answer;          /* exact bytes of the last API answer (owned, nullable) */
};

void cav_ctl_clear(CavCtl *ctl);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(CavCtl, cav_ctl_clear)

/* The client for the API address chosen by --api, $COURTAV_API or the
 * default, made on first call. (transfer none) */
CavCtlClient *cav_ctl_get_client(CavCtl *ctl, GError **error);
/* cav_ctl_client_call() on that client with a timeout of @timeout_s
 * seconds; the answer's bytes are kept for cav_ctl_print_answer().
 * (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
JsonNode *cav_ctl_call(CavCtl *ctl, const char *method, const char *path, JsonNode *body,
		       guint timeout_s, GError **error);
/* Prints the last API answer for --json: the daemon's own JSON, only
 * re-indented, so numbers keep the daemon's spelling. */
void cav_ctl_print_answer(const CavCtl *ctl);

/* Parses the running command's options (@entries, nullable, plus --help,
 * --json and --api) and checks its positional-argument count. On return
 * (*argv)[1 .. *argc - 1] are the positional arguments. Returns FALSE when
 * the command must stop: *out_rc is 0 after --help was printed, or -1 with
 * @error set. String options must be G_OPTION_ARG_FILENAME: GOption would
 * otherwise convert them from the locale's charset, which fails for Chinese
 * text under LANG=C; cav_ctl_check_utf8() validates them instead. */
gboolean cav_ctl_parse(CavCtl *ctl, const GOptionEntry *entries, int *argc, char ***argv,
		       int *out_rc, GError **error);

/* Usage error unless @value (nullable) is valid UTF-8. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_ctl_check_utf8(const char *what, const char *value, GError **error);
/* Parses a positive decimal id; usage error naming @what otherwise. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_ctl_parse_id(const char *what, const char *text, gint64 *out, GError **error);

/* The API's pause reason for @word: "recess"/"休庭", "closed_evidence"/
 * "closed-evidence"/"不公开质证", "mediation"/"调解"; English is
 * case-insensitive. NULL when unknown. (transfer none) */
const char *cav_ctl_pause_reason_parse(const char *word);
/* "休庭" for "recess", … ; @reason itself when unknown. (transfer none) */
const char *cav_ctl_pause_reason_zh(const char *reason);
/* "录制中" for "recording", … ; "" when unknown. (transfer none) */
const char *cav_ctl_state_zh(const char *state);

/* A case number as the daemon stores it: trimmed, ASCII parentheses made
 * full-width. (transfer full) */
char *cav_ctl_case_number_normalize(const char *number);
/* A CASE argument is a case id when it is all digits, otherwise a case
 * number. Sets exactly one of *out_id (> 0) and *out_number (normalised,
 * transfer full). */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_ctl_case_ref_parse(const char *arg, gint64 *out_id, char **out_number, GError **error);

/* The command table and entry point (ctl-dispatch.c). */
const CavCtlCommand *cav_ctl_command_find(int argc, char **argv, guint *out_words);
int cav_ctl_main(int argc, char **argv);

/* Handlers (ctl-hearing.c). */
int cav_ctl_cmd_case_create(CavCtl *ctl, int argc, char **argv, GError **error);
int cav_ctl_cmd_case_list(CavCtl *ctl, int argc, char **argv, GError **error);
int cav_ctl_cmd_case_show(CavCtl *ctl, int argc, char **argv, GError **error);
int cav_ctl_cmd_hearing_open(CavCtl *ctl, int argc, char **argv, GError **error);
int cav_ctl_cmd_hearing_transition(CavCtl *ctl, int argc, char **argv, GError **error);
int cav_ctl_cmd_hearing_pause(CavCtl *ctl, int argc, char **argv, GError **error);
int cav_ctl_cmd_hearing_show(CavCtl *ctl, int argc, char **argv, GError **error);
int cav_ctl_cmd_hearing_list(CavCtl *ctl, int argc, char **argv, GError **error);
int cav_ctl_cmd_hearing_report(CavCtl *ctl, int argc, char **argv, GError **error);
int cav_ctl_cmd_mark(CavCtl *ctl, int argc, char **argv, GError **error);

/* Handlers (ctl-evidence.c). */
int cav_ctl_cmd_evidence_list(CavCtl *ctl, int argc, char **argv, GError **error);
int cav_ctl_cmd_evidence_show(CavCtl *ctl, int argc, char **argv, GError **error);
int cav_ctl_cmd_evidence_stop(CavCtl *ctl, int argc, char **argv, GError **error);
int cav_ctl_cmd_hearing_evidence(CavCtl *ctl, int argc, char **argv, GError **error);

/* Handlers (ctl-device.c). */
int cav_ctl_cmd_status(CavCtl *ctl, int argc, char **argv, GError **error);
int cav_ctl_cmd_events(CavCtl *ctl, int argc, char **argv, GError **error);
int cav_ctl_cmd_export_manifest(CavCtl *ctl, int argc, char **argv, GError **error);
int cav_ctl_cmd_export_public_key(CavCtl *ctl, int argc, char **argv, GError **error);

/* Handlers and helpers (ctl-auth.c): login, logout, user accounts. */
int cav_ctl_cmd_login(CavCtl *ctl, int argc, char **argv, GError **error);
int cav_ctl_cmd_logout(CavCtl *ctl, int argc, char **argv, GError **error);
int cav_ctl_cmd_whoami(CavCtl *ctl, int argc, char **argv, GError **error);
int cav_ctl_cmd_user_add(CavCtl *ctl, int argc, char **argv, GError **error);
int cav_ctl_cmd_user_list(CavCtl *ctl, int argc, char **argv, GError **error);
/* The token for @api_url: $COURTAV_TOKEN, else the one `courtavctl login`
 * saved for that address in $XDG_CONFIG_HOME/courtav/token. (transfer full,
 * nullable) */
char *cav_ctl_token_load(const char *api_url);

/* Handlers (ctl-offline.c): no daemon involved. */
int cav_ctl_cmd_verify(CavCtl *ctl, int argc, char **argv, GError **error);
int cav_ctl_cmd_audit_verify(CavCtl *ctl, int argc, char **argv, GError **error);

/* Handlers (ctl-disc.c); disc verify needs no daemon. */
int cav_ctl_cmd_disc_plan(CavCtl *ctl, int argc, char **argv, GError **error);
int cav_ctl_cmd_disc_author(CavCtl *ctl, int argc, char **argv, GError **error);
int cav_ctl_cmd_disc_burn(CavCtl *ctl, int argc, char **argv, GError **error);
int cav_ctl_cmd_disc_job(CavCtl *ctl, int argc, char **argv, GError **error);
int cav_ctl_cmd_disc_drives(CavCtl *ctl, int argc, char **argv, GError **error);
int cav_ctl_cmd_disc_verify(CavCtl *ctl, int argc, char **argv, GError **error);

G_END_DECLS
