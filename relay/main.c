/* main.c — courtav-relay's command line: run, check a config file, add an
 * account, list the routes. */
#include "config.h"
#include "http-private.h"
#include "relay.h"

#include <locale.h>
#include <stdio.h>

int
main(int argc, char **argv)
{
	g_autofree char *config_path = NULL;
	g_autofree char *check_path = NULL;
	g_autofree char *add_user = NULL;
	g_autofree char *role = NULL;
	gboolean version = FALSE, list_routes = FALSE;
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
		 "Configuration file (default /etc/courtav/courtav-relay.ini)", "FILE"},
		{"check-config", 0, 0, G_OPTION_ARG_FILENAME, &check_path,
		 "Validate FILE and exit (0 when valid)", "FILE"},
		{"add-user", 0, 0, G_OPTION_ARG_STRING, &add_user,
		 "Add an account (password on standard input) and exit", "NAME"},
		{"role", 0, 0, G_OPTION_ARG_STRING, &role,
		 "Role of --add-user: operator or inspector", "ROLE"},
		{"list-routes", 0, 0, G_OPTION_ARG_NONE, &list_routes,
		 "Print every route with the roles it allows and exit", NULL},
		{"version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL},
		{NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- courtav live relay");
	g_autoptr(GError) error = NULL;
	g_autoptr(CavRelayConfig) config = NULL;

	setlocale(LC_ALL, "");
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		g_printerr("courtav-relay: %s\n", error->message);
		return 2;
	}
	if (version) {
		printf("courtav-relay %s\n", CAV_VERSION);
		return 0;
	}
	if (list_routes) {
		cav_relay_http_print_routes(stdout);
		return 0;
	}
	if (check_path != NULL) {
		config = cav_relay_config_load(check_path, &error);
		if (config == NULL) {
			g_printerr("%s\n", error->message);
			return 1;
		}
		printf("%s: OK (relay %s, API %s:%u, media udp %s:%u)\n", check_path, config->name,
		       config->listen_host, config->listen_port, config->media_host,
		       config->media_port);
		return 0;
	}
	config = cav_relay_config_load(config_path ? config_path : "/etc/courtav/courtav-relay.ini",
				       &error);
	if (config == NULL) {
		g_printerr("courtav-relay: %s\n", error->message);
		return 1;
	}
	if (add_user != NULL) {
		if (role == NULL) {
			g_printerr("courtav-relay: --add-user needs --role\n");
			return 2;
		}
		return cav_relay_add_user(config, add_user, role);
	}
	return cav_relay_run(config);
}
