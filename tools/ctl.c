/* ctl.c — courtavctl's shared plumbing: the extended error domain and its
 * exit codes, the per-command option parser, and the small vocabularies
 * (pause reasons, hearing states, case numbers) several commands use.
 *
 * Single-threaded, like the rest of the CLI.
 */
#include "ctl.h"

#include <stdarg.h>
#include <string.h>
#include "ctl-output.h"

typedef struct {
	char *message_zh; /* owned, nullable */
	char *api_code;   /* owned, nullable */
	char *body;       /* the daemon's error JSON, pretty (owned, nullable) */
	guint http_status;
} CavCtlErrorPrivate;

static void
cav_ctl_error_private_init(CavCtlErrorPrivate *priv)
{
	memset(priv, 0, sizeof(*priv));
}

static void
cav_ctl_error_private_copy(const CavCtlErrorPrivate *src, CavCtlErrorPrivate *dest)
{
	dest->message_zh = g_strdup(src->message_zh);
	dest->api_code = g_strdup(src->api_code);
	dest->body = g_strdup(src->body);
	dest->http_status = src->http_status;
}

static void
cav_ctl_error_private_clear(CavCtlErrorPrivate *priv)
{
	g_clear_pointer(&priv->message_zh, g_free);
	g_clear_pointer(&priv->api_code, g_free);
	g_clear_pointer(&priv->body, g_free);
}

G_DEFINE_EXTENDED_ERROR(CavCtlError, cav_ctl_error)

GError *
cav_ctl_error_new(CavCtlError code, const char *message_zh, const char *format, ...)
{
	g_autofree char *message = NULL;
	GError *error;
	va_list ap;

	va_start(ap, format);
	message = g_strdup_vprintf(format, ap);
	va_end(ap);
	error = g_error_new_literal(CAV_CTL_ERROR, code, message);
	cav_ctl_error_get_private(error)->message_zh = g_strdup(message_zh);
	return error;
}

void
cav_ctl_error_set_api(GError **error, guint http_status, const char *api_code, const char *message,
		      const char *message_zh, const char *body)
{
	GError *e = cav_ctl_error_new(CAV_CTL_ERROR_API, message_zh, "%s", message);
	CavCtlErrorPrivate *priv = cav_ctl_error_get_private(e);

	priv->api_code = g_strdup(api_code);
	priv->body = g_strdup(body);
	priv->http_status = http_status;
	g_propagate_error(error, e);
}

const char *
cav_ctl_error_message_zh(const GError *error)
{
	if (error == NULL || error->domain != CAV_CTL_ERROR)
		return NULL;
	return cav_ctl_error_get_private(error)->message_zh;
}

const char *
cav_ctl_error_api_code(const GError *error)
{
	if (error == NULL || error->domain != CAV_CTL_ERROR)
		return NULL;
	return cav_ctl_error_get_private(error)->api_code;
}

const char *
cav_ctl_error_body(const GError *error)
{
	if (error == NULL || error->domain != CAV_CTL_ERROR)
		return NULL;
	return cav_ctl_error_get_private(error)->body;
}

int
cav_ctl_error_exit_code(const GError *error)
{
	if (error->domain != CAV_CTL_ERROR)
		return CAV_CTL_EXIT_FAILED;
	switch ((CavCtlError)error->code) {
	case CAV_CTL_ERROR_USAGE:
	case CAV_CTL_ERROR_IO:
		return CAV_CTL_EXIT_USAGE;
	case CAV_CTL_ERROR_UNREACHABLE:
		return CAV_CTL_EXIT_UNREACHABLE;
	case CAV_CTL_ERROR_TIMEOUT:
	case CAV_CTL_ERROR_API:
	case CAV_CTL_ERROR_PROTOCOL:
		break;
	}
	return CAV_CTL_EXIT_FAILED;
}

void
cav_ctl_clear(CavCtl *ctl)
{
	g_clear_pointer(&ctl->api_arg, g_free);
	g_clear_pointer(&ctl->client, cav_ctl_client_free);
	g_clear_pointer(&ctl->last_answer, g_bytes_unref);
	ctl->command = NULL;
}

CavCtlClient *
cav_ctl_get_client(CavCtl *ctl, GError **error)
{
	g_autofree char *actor = NULL;
	const char *url = ctl->api_arg;

	if (ctl->client != NULL)
		return ctl->client;
	if (url == NULL)
		url = g_getenv(CAV_CTL_API_ENV);
	if (url == NULL || *url == '\0')
		url = CAV_CTL_DEFAULT_API;
	actor = cav_ctl_actor();
	ctl->client = cav_ctl_client_new(url, actor, error);
	if (ctl->client != NULL) {
		g_autofree char *token = cav_ctl_token_load(cav_ctl_client_url(ctl->client));

		cav_ctl_client_set_token(ctl->client, token);
	}
	return ctl->client;
}

JsonNode *
cav_ctl_call(CavCtl *ctl, const char *method, const char *path, JsonNode *body, guint timeout_s,
	     GError **error)
{
	CavCtlClient *client = cav_ctl_get_client(ctl, error);

	if (client == NULL)
		return NULL;
	cav_ctl_client_set_timeout(client, timeout_s);
	g_clear_pointer(&ctl->last_answer, g_bytes_unref);
	return cav_ctl_client_call(client, method, path, body, &ctl->last_answer, error);
}

void
cav_ctl_print_answer(const CavCtl *ctl)
{
	g_autofree char *text = NULL;
	gsize len = 0;
	const char *data;

	g_return_if_fail(ctl->last_answer != NULL);
	data = g_bytes_get_data(ctl->last_answer, &len);
	text = cav_ctl_json_reindent(data, len);
	fputs(text, stdout);
	fputc('\n', stdout);
}

/* Builds the option context of @command. The global options are offered
 * again so `courtavctl case list --json` works as well as the canonical
 * `courtavctl --json case list`; GOption's own --help is off because it
 * would exit() from inside the parser. */
static GOptionContext *
command_context(const CavCtlCommand *command, const GOptionEntry *entries, gboolean *help,
		gboolean *json, char **api)
{
	g_autofree char *params = g_strdup_printf("%s %s", command->name, command->args);
	GOptionContext *oc = g_option_context_new(g_strstrip(params));
	/* GOption copies entry arrays, so these may live on the stack. */
	const GOptionEntry json_entry[] = {
		{"json", 0, 0, G_OPTION_ARG_NONE, json, "Print JSON instead of text", NULL},
		G_OPTION_ENTRY_NULL,
	};
	const GOptionEntry api_entry[] = {
		{"api", 0, 0, G_OPTION_ARG_FILENAME, api,
		 "courtavd address (default $" CAV_CTL_API_ENV " or " CAV_CTL_DEFAULT_API ")",
		 "URL"},
		G_OPTION_ENTRY_NULL,
	};
	const GOptionEntry help_entry[] = {
		{"help", 'h', 0, G_OPTION_ARG_NONE, help, "Show this help", NULL},
		G_OPTION_ENTRY_NULL,
	};

	g_option_context_set_help_enabled(oc, FALSE);
	g_option_context_set_summary(oc, command->summary);
	if (command->description != NULL)
		g_option_context_set_description(oc, command->description);
	if (entries != NULL)
		g_option_context_add_main_entries(oc, entries, NULL);
	g_option_context_add_main_entries(oc, json_entry, NULL);
	/* Offline commands never talk to the daemon. */
	if (!command->offline)
		g_option_context_add_main_entries(oc, api_entry, NULL);
	g_option_context_add_main_entries(oc, help_entry, NULL);
	return oc;
}

gboolean
cav_ctl_parse(CavCtl *ctl, const GOptionEntry *entries, int *argc, char ***argv, int *out_rc,
	      GError **error)
{
	const CavCtlCommand *command = ctl->command;
	gboolean help = FALSE;
	g_autofree char *api = NULL;
	g_autoptr(GOptionContext) oc = command_context(command, entries, &help, &ctl->json, &api);
	g_autoptr(GError) local = NULL;
	guint n_args;

	*out_rc = -1;
	if (!g_option_context_parse(oc, argc, argv, &local)) {
		g_propagate_error(error, cav_ctl_error_new(CAV_CTL_ERROR_USAGE, NULL, "%s: %s",
							   command->name, local->message));
		return FALSE;
	}
	if (help) {
		g_autofree char *text = g_option_context_get_help(oc, TRUE, NULL);

		fputs(text, stdout);
		*out_rc = CAV_CTL_EXIT_OK;
		return FALSE;
	}
	if (api != NULL) {
		g_free(ctl->api_arg);
		ctl->api_arg = g_steal_pointer(&api);
	}
	n_args = *argc > 0 ? (guint)*argc - 1 : 0;
	if (n_args < command->min_args) {
		g_propagate_error(error, cav_ctl_error_new(CAV_CTL_ERROR_USAGE, NULL,
							   "%s: missing argument (expected %s)",
							   command->name, command->args));
		return FALSE;
	}
	if (n_args > command->max_args) {
		g_propagate_error(error,
				  cav_ctl_error_new(CAV_CTL_ERROR_USAGE, NULL,
						    "%s: unexpected argument '%s'", command->name,
						    (*argv)[command->max_args + 1]));
		return FALSE;
	}
	for (guint i = 1; i <= n_args; i++) {
		if (!cav_ctl_check_utf8(command->name, (*argv)[i], error))
			return FALSE;
	}
	return TRUE;
}

gboolean
cav_ctl_check_utf8(const char *what, const char *value, GError **error)
{
	if (value == NULL || g_utf8_validate(value, -1, NULL))
		return TRUE;
	g_propagate_error(error,
			  cav_ctl_error_new(CAV_CTL_ERROR_USAGE, "参数不是有效的 UTF-8 文本。",
					    "%s: the argument is not valid UTF-8 text", what));
	return FALSE;
}

gboolean
cav_ctl_parse_id(const char *what, const char *text, gint64 *out, GError **error)
{
	guint64 v = 0;

	if (text == NULL || !g_ascii_string_to_unsigned(text, 10, 1, G_MAXINT64, &v, NULL)) {
		g_propagate_error(error, cav_ctl_error_new(CAV_CTL_ERROR_USAGE, NULL,
							   "%s must be a positive number, not '%s'",
							   what, text != NULL ? text : ""));
		return FALSE;
	}
	*out = (gint64)v;
	return TRUE;
}

static const struct {
	const char *reason; /* the API's word */
	const char *zh;
	const char *alias; /* another English spelling, nullable */
} pause_reasons[] = {
	{"recess", "休庭", NULL},
	{"closed_evidence", "不公开质证", "closed-evidence"},
	{"mediation", "调解", NULL},
	/* The daemon's own reason; shown, never sent. */
	{"fault", "故障", NULL},
};

const char *
cav_ctl_pause_reason_parse(const char *word)
{
	g_autofree char *trimmed = NULL;

	if (word == NULL)
		return NULL;
	trimmed = g_strstrip(g_strdup(word));
	/* Only the reasons a person may choose; "fault" is the last entry. */
	for (guint i = 0; i + 1 < G_N_ELEMENTS(pause_reasons); i++) {
		if (g_ascii_strcasecmp(trimmed, pause_reasons[i].reason) == 0 ||
		    strcmp(trimmed, pause_reasons[i].zh) == 0 ||
		    (pause_reasons[i].alias != NULL &&
		     g_ascii_strcasecmp(trimmed, pause_reasons[i].alias) == 0))
			return pause_reasons[i].reason;
	}
	return NULL;
}

const char *
cav_ctl_pause_reason_zh(const char *reason)
{
	for (guint i = 0; reason != NULL && i < G_N_ELEMENTS(pause_reasons); i++) {
		if (strcmp(reason, pause_reasons[i].reason) == 0)
			return pause_reasons[i].zh;
	}
	return reason;
}

const char *
cav_ctl_state_zh(const char *state)
{
	static const char *const states[][2] = {
		{"idle", "待开始"},   {"recording", "录制中"}, {"paused", "已暂停"},
		{"closed", "已结束"}, {"sealed", "已封存"},
	};

	for (guint i = 0; state != NULL && i < G_N_ELEMENTS(states); i++) {
		if (strcmp(state, states[i][0]) == 0)
			return states[i][1];
	}
	return "";
}

char *
cav_ctl_case_number_normalize(const char *number)
{
	GString *out = g_string_new(NULL);
	g_autofree char *trimmed = g_strstrip(g_strdup(number != NULL ? number : ""));

	for (const char *p = trimmed; *p; p++) {
		if (*p == '(')
			g_string_append(out, "（");
		else if (*p == ')')
			g_string_append(out, "）");
		else
			g_string_append_c(out, *p);
	}
	return g_string_free(out, FALSE);
}

gboolean
cav_ctl_case_ref_parse(const char *arg, gint64 *out_id, char **out_number, GError **error)
{
	g_autofree char *number = NULL;

	if (arg != NULL && *arg != '\0' && strspn(arg, "0123456789") == strlen(arg)) {
		/* All digits: a case id. Case numbers always carry 号. */
		if (!cav_ctl_parse_id("case id", arg, out_id, error))
			return FALSE;
		*out_number = NULL;
		return TRUE;
	}
	number = cav_ctl_case_number_normalize(arg);
	if (*number == '\0' || !g_utf8_validate(number, -1, NULL)) {
		g_propagate_error(error,
				  cav_ctl_error_new(CAV_CTL_ERROR_USAGE, NULL,
						    "CASE must be a case id or a case number such "
						    "as （2026）兵0101刑初12号"));
		return FALSE;
	}
	*out_id = 0;
	*out_number = g_steal_pointer(&number);
	return TRUE;
}
