/* main.c — courtavd's command line: run, or only check a config file. */
#include "api.h"
#include "config.h"
#include "daemon.h"

#include <gst/gst.h>
#include <locale.h>
#include <stdio.h>

int
main(int argc, char **argv)
{
	g_autofree char *config_path = NULL;
	g_autofree char *check_path = NULL;
	gboolean version = FALSE, list_routes = FALSE;
	g_autofree char *add_user = NULL;
	g_autofree char *role = NULL;
	g_autofree char *secret_kind = NULL;
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
		 "Configuration file (default /etc/courtav/courtavd.ini)", "FILE"},
		{"check-config", 0, 0, G_OPTION_ARG_FILENAME, &check_path,
		 "Validate FILE and exit (0 when valid)", "FILE"},
		{"version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL},
		{"add-user", 0, 0, G_OPTION_ARG_FILENAME, &add_user,
		 "Add a user (secret on standard input) and exit", "NAME"},
		{"role", 0, 0, G_OPTION_ARG_STRING, &role,
		 "Role of --add-user: clerk, judge, technician or admin", "ROLE"},
		{"secret-kind", 0, 0, G_OPTION_ARG_STRING, &secret_kind,
		 "pin (default) or password", "KIND"},
		{"list-routes", 0, 0, G_OPTION_ARG_NONE, &list_routes,
		 "Print every API route with the roles it allows and exit", NULL},
		{NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- tech-courtroom recorder");
	g_autoptr(GError) error = NULL;
	g_autoptr(CavConfig) config = NULL;

	setlocale(LC_ALL, "");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_add_group(ctx, gst_init_get_option_group());
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		g_printerr("courtavd: %s\n", error->message);
		return 2;
	}
	if (version) {
		printf("courtavd %s\n", CAV_VERSION);
		return 0;
	}
	if (list_routes) {
		cav_api_print_routes(stdout);
		return 0;
	}
	if (check_path != NULL) {
		config = cav_config_load(check_path, &error);
		if (config == NULL || !cav_config_check_devices(config, &error)) {
			g_printerr("%s\n", error->message);
			return 1;
		}
		printf("%s: OK (room %s, %u camera(s), %u source(s), %u evidence input(s), "
		       "%.2f GB per hour)\n",
		       check_path, config->room_id, cav_config_n_cameras(config),
		       config->sources->len, config->evidence->len,
		       cav_config_bytes_per_hour(config) / 1e9);
		return 0;
	}
	config = cav_config_load(config_path ? config_path : "/etc/courtav/courtavd.ini", &error);
	if (config == NULL) {
		g_printerr("courtavd: %s\n", error->message);
		return 1;
	}
	if (add_user != NULL) {
		if (role == NULL) {
			g_printerr("courtavd: --add-user needs --role\n");
			return 2;
		}
		return cav_daemon_add_user(config, add_user, role,
					   secret_kind != NULL ? secret_kind : "pin");
	}
	gst_init(NULL, NULL);
	return cav_daemon_run(config);
}
