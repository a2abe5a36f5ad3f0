/* ctl-dispatch.c — courtavctl's command table, global options and the
 * single place where errors are printed and turned into exit codes.
 *
 * Commands are one or two words ("status", "hearing pause"). The global
 * options are parsed POSIX-strictly, stopping at the first word, so that a
 * command's own options cannot be mistaken for global ones; each command
 * then parses the rest itself (ctl.c: cav_ctl_parse()).
 */
#include "ctl.h"

#include <stdio.h>
#include <string.h>
#include "ctl-output.h"

#define REASON_HELP                                                                                \
	"Reasons: recess (休庭), closed_evidence (不公开质证), mediation (调解).\n"       \
	"A paused hearing records nothing until it is resumed."

static const CavCtlCommand commands[] = {
	{"login", "", "Log in (--user NAME; the PIN or password is read from standard input)",
	 "The token is saved in $XDG_CONFIG_HOME/courtav/token (~/.config/courtav/token),\n"
	 "readable only by you, for this API address; --print-token prints it instead\n"
	 "(for $" CAV_CTL_TOKEN_ENV "). Five wrong secrets in a row lock the account for a while.",
	 0, 0, FALSE, cav_ctl_cmd_login},
	{"logout", "", "End the saved login's session and forget its token", NULL, 0, 0, FALSE,
	 cav_ctl_cmd_logout},
	{"whoami", "", "Show the logged-in user", NULL, 0, 0, FALSE, cav_ctl_cmd_whoami},
	{"user add", "NAME", "Add a user (admin; --role is required, secret from standard input)",
	 "Roles: clerk, judge, technician, admin. A PIN is 4-12 digits; with --password\n"
	 "the secret is a password of 8-128 characters.",
	 1, 1, FALSE, cav_ctl_cmd_user_add},
	{"user list", "", "List user accounts (admin)", NULL, 0, 0, FALSE, cav_ctl_cmd_user_list},
	{"status", "", "Show the room, its open hearing, disk and alarms", NULL, 0, 0, FALSE,
	 cav_ctl_cmd_status},
	{"case create", "", "Create a case (--number and --title are required)",
	 "The number is a Chinese case number such as （2026）兵0101刑初12号; ASCII\n"
	 "parentheses are accepted. Cases are public unless --private is given.",
	 0, 0, FALSE, cav_ctl_cmd_case_create},
	{"case list", "", "List cases, newest first", NULL, 0, 0, FALSE, cav_ctl_cmd_case_list},
	{"case show", "ID", "Show a case and its hearings", NULL, 1, 1, FALSE,
	 cav_ctl_cmd_case_show},
	{"hearing open", "CASE", "Open a hearing for a case (by id or case number) in this room",
	 "The hearing starts recording at once unless --no-start is given.", 1, 1, FALSE,
	 cav_ctl_cmd_hearing_open},
	{"hearing start", "ID", "Start recording a hearing opened with --no-start", NULL, 1, 1,
	 FALSE, cav_ctl_cmd_hearing_transition},
	{"hearing pause", "ID", "Pause recording (--reason is required)", REASON_HELP, 1, 1, FALSE,
	 cav_ctl_cmd_hearing_pause},
	{"hearing resume", "ID", "Resume a paused hearing", NULL, 1, 1, FALSE,
	 cav_ctl_cmd_hearing_transition},
	{"hearing close", "ID", "Close a hearing: stop recording and hash every file", NULL, 1, 1,
	 FALSE, cav_ctl_cmd_hearing_transition},
	{"hearing seal", "ID", "Seal a closed hearing: sign its manifest with the device key", NULL,
	 1, 1, FALSE, cav_ctl_cmd_hearing_transition},
	{"hearing show", "ID", "Show a hearing: intervals, marks, tracks", NULL, 1, 1, FALSE,
	 cav_ctl_cmd_hearing_show},
	{"hearing list", "", "List hearings", NULL, 0, 0, FALSE, cav_ctl_cmd_hearing_list},
	{"hearing report", "ID",
	 "Show a hearing's quality report: coverage, gaps, silent microphones, A/V offset",
	 "Per track: coverage of the recorded time, gaps over 1 s, alarms, dropped\n"
	 "frames and the worst A/V offset (limits +45/-125 ms, ITU-R BT.1359); per\n"
	 "microphone: silent and clipping time; the program's layout changes and the\n"
	 "speaker timeline. Stored when the hearing closes; built on demand before.",
	 1, 1, FALSE, cav_ctl_cmd_hearing_report},
	{"hearing evidence", "ID", "List the evidence shown in a hearing, with each file's SHA-256",
	 NULL, 1, 1, FALSE, cav_ctl_cmd_hearing_evidence},
	{"evidence list", "", "List the evidence inputs, their files and the one in use", NULL, 0,
	 0, FALSE, cav_ctl_cmd_evidence_list},
	{"evidence show", "INPUT [FILE]",
	 "Show evidence on an input (recorded on its own track while in use)",
	 "Only while a hearing records, one input at a time. A file input needs FILE,\n"
	 "a name inside its folder (see 'evidence list'); an HDMI input takes none.\n"
	 "Pausing or closing the hearing ends the use.",
	 1, 2, FALSE, cav_ctl_cmd_evidence_show},
	{"evidence stop", "", "End the evidence use in progress", NULL, 0, 0, FALSE,
	 cav_ctl_cmd_evidence_stop},
	{"mark", "HEARING LABEL", "Add a mark (e.g. 法庭调查) to a recording or paused hearing",
	 NULL, 2, 2, FALSE, cav_ctl_cmd_mark},
	{"export manifest", "HEARING", "Save a hearing's manifest.json (and manifest.sig)",
	 "-o names the manifest file or a folder (default: manifest.json here). When the\n"
	 "hearing is sealed its signature is saved beside it as manifest.sig (or\n"
	 "NAME.sig for NAME.json), byte for byte as the daemon holds them.",
	 1, 1, FALSE, cav_ctl_cmd_export_manifest},
	{"export public-key", "", "Print or save the device's public signing key (PEM)", NULL, 0, 0,
	 FALSE, cav_ctl_cmd_export_public_key},
	{"events", "", "List alarms and faults, oldest first", NULL, 0, 0, FALSE,
	 cav_ctl_cmd_events},
	{"verify", "PATH", "Check recordings offline against their manifests",
	 "PATH is a hearing folder, a case folder, a media tree or a copy of one.\n"
	 "Every file is hashed; the hash chain and, for sealed hearings, the\n"
	 "signature are checked. No daemon is needed.\n"
	 "Exit status: 0 intact, 1 problems found, 2 could not verify.",
	 1, 1, TRUE, cav_ctl_cmd_verify},
	{"audit verify", "", "Check the audit log's hash chain and signed checkpoint offline",
	 "Opens the database read-only; courtavd may keep running. The public key\n"
	 "defaults to " CAV_CTL_PUBLIC_KEY_NAME " beside the database.\n"
	 "Exit status: 0 intact, 1 problems found, 2 could not verify.",
	 0, 0, TRUE, cav_ctl_cmd_audit_verify},
	{"disc plan", "CASE", "Show which discs a case needs (DVD-5 … BD-50, spanning)", NULL, 1, 1,
	 FALSE, cav_ctl_cmd_disc_plan},
	{"disc author", "CASE", "Write a case's disc as an ISO image file (-o IMAGE)",
	 "All hearings must be sealed. The image is read back and verified before\n"
	 "the command reports success; burn it with any tool, or use 'disc burn'.",
	 1, 1, FALSE, cav_ctl_cmd_disc_author},
	{"disc burn", "CASE",
	 "Burn a case's sealed hearings to drives (--drive, twice for two copies)",
	 "A disc already holding this case's earlier sessions grows by a session with\n"
	 "the new hearings. --close ends the disc when the case has ended. Every copy\n"
	 "is read back through its drive and verified; exit status 0 only if all are.",
	 1, 1, FALSE, cav_ctl_cmd_disc_burn},
	{"disc job", "ID", "Show a disc job: progress, copies, read-back findings", NULL, 1, 1,
	 FALSE, cav_ctl_cmd_disc_job},
	{"disc drives", "", "List the optical drives and their media", NULL, 0, 0, FALSE,
	 cav_ctl_cmd_disc_drives},
	{"disc verify", "IMAGE|DRIVE|DIR", "Check a disc, image or copy offline",
	 "Reads the disc (an image file, /dev/srN, or a folder holding a copy) and\n"
	 "checks every hearing against its signed manifest and every other file\n"
	 "against the signed set manifest; names each missing, extra or altered file.\n"
	 "No daemon or database is needed.\n"
	 "Exit status: 0 intact, 1 problems found, 2 could not verify.",
	 1, 1, TRUE, cav_ctl_cmd_disc_verify},
};

const CavCtlCommand *
cav_ctl_command_find(int argc, char **argv, guint *out_words)
{
	g_autofree char *two = NULL;

	if (argc < 1)
		return NULL;
	if (argc >= 2)
		two = g_strdup_printf("%s %s", argv[0], argv[1]);
	for (guint i = 0; i < G_N_ELEMENTS(commands); i++) {
		if (two != NULL && strcmp(commands[i].name, two) == 0) {
			*out_words = 2;
			return &commands[i];
		}
		if (strcmp(commands[i].name, argv[0]) == 0) {
			*out_words = 1;
			return &commands[i];
		}
	}
	return NULL;
}

/* TRUE when @word starts some two-word command ("hearing", "case"). */
static gboolean
is_group(const char *word)
{
	gsize len = strlen(word);

	for (guint i = 0; i < G_N_ELEMENTS(commands); i++) {
		if (strncmp(commands[i].name, word, len) == 0 && commands[i].name[len] == ' ')
			return TRUE;
	}
	return FALSE;
}

/* The command overview, restricted to @group's commands when not NULL. */
static void
print_overview(FILE *out, const char *group)
{
	g_autoptr(CavCtlTable) table = cav_ctl_table_new_plain(2);
	gsize len = group != NULL ? strlen(group) : 0;

	cav_ctl_table_set_indent(table, 2);
	for (guint i = 0; i < G_N_ELEMENTS(commands); i++) {
		g_autofree char *usage = NULL;

		if (group != NULL &&
		    (strncmp(commands[i].name, group, len) != 0 || commands[i].name[len] != ' '))
			continue;
		usage = g_strstrip(g_strdup_printf("%s %s", commands[i].name, commands[i].args));
		cav_ctl_table_add(table, usage, commands[i].summary);
	}
	fprintf(out, "Usage: courtavctl [--api URL] [--json] %s%s …\n\n",
		group != NULL ? group : "COMMAND", group != NULL ? " SUBCOMMAND" : "");
	if (group == NULL)
		fputs("Controls courtavd, the court recording daemon, and checks recordings.\n\n",
		      out);
	fputs("Commands:\n", out);
	cav_ctl_table_print(table, out);
	fputs("\nOptions:\n"
	      "  --api URL    courtavd address (default $" CAV_CTL_API_ENV
	      " or " CAV_CTL_DEFAULT_API ")\n"
	      "  --json       print the daemon's JSON instead of text\n"
	      "  --version    print the version\n"
	      "\n'courtavctl COMMAND --help' describes a command.\n",
	      out);
}

static void
print_error(const CavCtl *ctl, const GError *error)
{
	const char *zh = cav_ctl_error_message_zh(error);
	const char *body = cav_ctl_error_body(error);

	/* Scripts using --json get the daemon's error object on stdout too. */
	if (ctl->json && body != NULL) {
		fputs(body, stdout);
		fputc('\n', stdout);
	}
	fprintf(stderr, "error: %s\n", error->message);
	if (zh != NULL)
		fprintf(stderr, "错误：%s\n", zh);
	if (g_error_matches(error, CAV_CTL_ERROR, CAV_CTL_ERROR_USAGE) && ctl->command != NULL)
		fprintf(stderr, "Try 'courtavctl %s --help'.\n", ctl->command->name);
}

/* Handles the words after the global options: "help", a group without a
 * subcommand, or a command. */
static int
dispatch(CavCtl *ctl, int argc, char **argv)
{
	g_autoptr(GPtrArray) cargv = NULL;
	g_autoptr(GError) error = NULL;
	guint words = 0;
	int cargc, rc;

	if (strcmp(argv[0], "help") == 0) {
		g_autoptr(GPtrArray) hargv = NULL;

		if (argc == 1) {
			print_overview(stdout, NULL);
			return CAV_CTL_EXIT_OK;
		}
		/* "help hearing pause" is "hearing pause --help". */
		hargv = g_ptr_array_new();
		for (int i = 1; i < argc; i++)
			g_ptr_array_add(hargv, argv[i]);
		g_ptr_array_add(hargv, (gpointer) "--help");
		g_ptr_array_add(hargv, NULL);
		return dispatch(ctl, argc, (char **)hargv->pdata);
	}
	ctl->command = cav_ctl_command_find(argc, argv, &words);
	if (ctl->command == NULL) {
		if (is_group(argv[0])) {
			gboolean help = argc > 1 && (strcmp(argv[1], "--help") == 0 ||
						     strcmp(argv[1], "-h") == 0);

			if (!help)
				fprintf(stderr, "error: %s: %s\n", argv[0],
					argc > 1 ? "unknown subcommand" : "missing subcommand");
			print_overview(help ? stdout : stderr, argv[0]);
			return help ? CAV_CTL_EXIT_OK : CAV_CTL_EXIT_USAGE;
		}
		fprintf(stderr, "error: unknown command '%s'\nTry 'courtavctl --help'.\n", argv[0]);
		return CAV_CTL_EXIT_USAGE;
	}

	/* The command sees "courtavctl" then its own arguments, like a main(). */
	cargv = g_ptr_array_new();
	g_ptr_array_add(cargv, (gpointer) "courtavctl");
	for (int i = (int)words; i < argc; i++)
		g_ptr_array_add(cargv, argv[i]);
	cargc = (int)cargv->len;
	g_ptr_array_add(cargv, NULL);

	rc = ctl->command->run(ctl, cargc, (char **)cargv->pdata, &error);
	if (rc < 0) {
		g_return_val_if_fail(error != NULL, CAV_CTL_EXIT_FAILED);
		print_error(ctl, error);
		return cav_ctl_error_exit_code(error);
	}
	return rc;
}

int
cav_ctl_main(int argc, char **argv)
{
	g_auto(CavCtl) ctl = {0};
	g_autoptr(GOptionContext) oc = g_option_context_new("COMMAND [ARG…]");
	g_autoptr(GError) error = NULL;
	gboolean version = FALSE, help = FALSE;
	g_autofree char *api = NULL;
	const GOptionEntry entries[] = {
		{"api", 0, 0, G_OPTION_ARG_FILENAME, &api, "courtavd address", "URL"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &ctl.json, "Print JSON instead of text", NULL},
		{"version", 'V', 0, G_OPTION_ARG_NONE, &version, "Print the version", NULL},
		{"help", 'h', 0, G_OPTION_ARG_NONE, &help, "Show this help", NULL},
		G_OPTION_ENTRY_NULL,
	};

	g_option_context_set_strict_posix(oc, TRUE);
	g_option_context_set_help_enabled(oc, FALSE);
	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &error)) {
		fprintf(stderr, "error: %s\nTry 'courtavctl --help'.\n", error->message);
		return CAV_CTL_EXIT_USAGE;
	}
	if (version) {
		printf("courtavctl %s\n", CAV_VERSION);
		return CAV_CTL_EXIT_OK;
	}
	if (help || argc < 2) {
		print_overview(help ? stdout : stderr, NULL);
		return help ? CAV_CTL_EXIT_OK : CAV_CTL_EXIT_USAGE;
	}
	ctl.api_arg = g_steal_pointer(&api);
	return dispatch(&ctl, argc - 1, argv + 1);
}
