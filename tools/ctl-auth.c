/* ctl-auth.c — courtavctl login, logout, whoami and user accounts.
 *
 * The secret is read from standard input (first line), never from the
 * command line where `ps` and shell history would show it; on a terminal
 * echo is turned off while it is typed. The token is saved per API
 * address in $XDG_CONFIG_HOME/courtav/token (mode 0600) as JSON, so a
 * token for one appliance is never sent to another. $COURTAV_TOKEN wins
 * over the file (scripts, tests). Single-threaded and blocking.
 */
#include "ctl.h"

#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#include <termios.h>
#include <unistd.h>
#include "common/fsutil.h"
#include "ctl-output.h"

static char *
token_path(void)
{
	return g_build_filename(g_get_user_config_dir(), "courtav", "token", NULL);
}

char *
cav_ctl_token_load(const char *api_url)
{
	const char *env = g_getenv(CAV_CTL_TOKEN_ENV);
	g_autofree char *path = NULL;
	g_autofree char *data = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonNode *root;
	JsonObject *o;

	if (env != NULL && *env != '\0')
		return g_strdup(env);
	path = token_path();
	if (!g_file_get_contents(path, &data, NULL, NULL) ||
	    !json_parser_load_from_data(parser, data, -1, NULL))
		return NULL;
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
		return NULL;
	o = json_node_get_object(root);
	if (g_strcmp0(cav_ctl_json_string(o, "api"), api_url) != 0)
		return NULL;
	return g_strdup(cav_ctl_json_string(o, "token"));
}

/* The first line of standard input, without echo on a terminal. */
static char *
read_secret(const char *prompt, GError **error)
{
	char line[300];
	struct termios old, quiet;
	gboolean tty = isatty(STDIN_FILENO);
	gsize n;
	char *ok;

	if (tty) {
		fprintf(stderr, "%s", prompt);
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	}
	ok = fgets(line, sizeof line, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
		fputc('\n', stderr);
	}
	if (ok == NULL) {
		g_propagate_error(error,
				  cav_ctl_error_new(CAV_CTL_ERROR_USAGE,
						    "请从标准输入提供 PIN 或密码。",
						    "the PIN or password is read from standard "
						    "input, which was empty"));
		return NULL;
	}
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	ok = g_strdup(line);
	memset(line, 0, sizeof line);
	return ok;
}

int
cav_ctl_cmd_login(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autofree char *user = NULL;
	gboolean print = FALSE;
	const GOptionEntry entries[] = {
		{"user", 'u', 0, G_OPTION_ARG_FILENAME, &user, "User name", "NAME"},
		{"print-token", 0, 0, G_OPTION_ARG_NONE, &print,
		 "Print the token instead of saving it", NULL},
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) body = NULL;
	g_autoptr(JsonNode) answer = NULL;
	g_autofree char *secret = NULL;
	g_autofree char *path = NULL;
	g_autofree char *saved = NULL;
	g_autofree char *dir = NULL;
	CavCtlClient *client;
	const char *token;
	JsonObject *root;
	int rc;

	if (!cav_ctl_parse(ctl, entries, &argc, &argv, &rc, error))
		return rc;
	if (user == NULL || !cav_ctl_check_utf8("--user", user, error)) {
		if (user == NULL)
			g_propagate_error(error,
					  cav_ctl_error_new(CAV_CTL_ERROR_USAGE, NULL,
							    "login: --user NAME is required"));
		return -1;
	}
	secret = read_secret("PIN or password: ", error);
	if (secret == NULL)
		return -1;
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "user");
	json_builder_add_string_value(b, user);
	json_builder_set_member_name(b, "secret");
	json_builder_add_string_value(b, secret);
	json_builder_end_object(b);
	body = json_builder_get_root(b);
	answer = cav_ctl_call(ctl, "POST", "/api/v1/auth/login", body, CAV_CTL_TIMEOUT_S, error);
	memset(secret, 0, strlen(secret));
	if (answer == NULL)
		return -1;
	root = json_node_get_object(answer);
	token = cav_ctl_json_string(root, "token");
	if (token == NULL) {
		g_propagate_error(error,
				  cav_ctl_error_new(CAV_CTL_ERROR_PROTOCOL, NULL,
						    "courtavd answered the login without a token"));
		return -1;
	}
	if (print) {
		printf("%s\n", token);
		return CAV_CTL_EXIT_OK;
	}
	client = cav_ctl_get_client(ctl, error);
	path = token_path();
	dir = g_path_get_dirname(path);
	if (g_mkdir_with_parents(dir, 0700) != 0) {
		g_propagate_error(
			error, cav_ctl_error_new(CAV_CTL_ERROR_IO, NULL, "cannot create %s", dir));
		return -1;
	}
	saved = g_strdup_printf("{\"api\": \"%s\", \"user\": \"%s\", \"token\": \"%s\"}\n",
				cav_ctl_client_url(client), user, token);
	if (!cav_fs_write_atomic(path, saved, strlen(saved), 0600, error))
		return -1;
	printf("logged in as %s; token saved in %s\n", user, path);
	return CAV_CTL_EXIT_OK;
}

int
cav_ctl_cmd_logout(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autoptr(JsonNode) answer = NULL;
	g_autofree char *path = token_path();
	int rc;

	if (!cav_ctl_parse(ctl, NULL, &argc, &argv, &rc, error))
		return rc;
	answer = cav_ctl_call(ctl, "POST", "/api/v1/auth/logout", NULL, CAV_CTL_TIMEOUT_S, error);
	if (g_getenv(CAV_CTL_TOKEN_ENV) == NULL)
		g_unlink(path);
	if (answer == NULL)
		return -1;
	printf("logged out\n");
	return CAV_CTL_EXIT_OK;
}

int
cav_ctl_cmd_whoami(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autoptr(JsonNode) answer = NULL;
	JsonObject *user;
	g_autofree char *expires = NULL;
	int rc;

	if (!cav_ctl_parse(ctl, NULL, &argc, &argv, &rc, error))
		return rc;
	answer = cav_ctl_call(ctl, "GET", "/api/v1/auth/me", NULL, CAV_CTL_TIMEOUT_S, error);
	if (answer == NULL)
		return -1;
	if (ctl->json) {
		cav_ctl_print_answer(ctl);
		return CAV_CTL_EXIT_OK;
	}
	user = cav_ctl_json_object(json_node_get_object(answer), "user");
	expires = cav_ctl_json_time(json_node_get_object(answer), "expires");
	printf("%s (%s), session until %s\n", cav_ctl_json_string(user, "name") ?: "?",
	       cav_ctl_json_string(user, "role") ?: "?", expires ? expires : "?");
	return CAV_CTL_EXIT_OK;
}

int
cav_ctl_cmd_user_add(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autofree char *role = NULL;
	g_autofree char *display = NULL;
	gboolean password = FALSE;
	const GOptionEntry entries[] = {
		{"role", 'r', 0, G_OPTION_ARG_FILENAME, &role, "clerk, judge, technician or admin",
		 "ROLE"},
		{"display-name", 0, 0, G_OPTION_ARG_FILENAME, &display, "Name shown to people",
		 "TEXT"},
		{"password", 0, 0, G_OPTION_ARG_NONE, &password,
		 "The secret is a password, not a PIN", NULL},
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) body = NULL;
	g_autoptr(JsonNode) answer = NULL;
	g_autofree char *secret = NULL;
	int rc;

	if (!cav_ctl_parse(ctl, entries, &argc, &argv, &rc, error))
		return rc;
	if (role == NULL) {
		g_propagate_error(error, cav_ctl_error_new(CAV_CTL_ERROR_USAGE, NULL,
							   "user add: --role is required"));
		return -1;
	}
	if (!cav_ctl_check_utf8("--display-name", display, error) ||
	    !cav_ctl_check_utf8("--role", role, error))
		return -1;
	secret = read_secret(password ? "New password: " : "New PIN: ", error);
	if (secret == NULL)
		return -1;
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, argv[1]);
	json_builder_set_member_name(b, "role");
	json_builder_add_string_value(b, role);
	if (display != NULL) {
		json_builder_set_member_name(b, "display_name");
		json_builder_add_string_value(b, display);
	}
	json_builder_set_member_name(b, "secret_kind");
	json_builder_add_string_value(b, password ? "password" : "pin");
	json_builder_set_member_name(b, "secret");
	json_builder_add_string_value(b, secret);
	json_builder_end_object(b);
	body = json_builder_get_root(b);
	answer = cav_ctl_call(ctl, "POST", "/api/v1/users", body, CAV_CTL_TIMEOUT_S, error);
	memset(secret, 0, strlen(secret));
	if (answer == NULL)
		return -1;
	if (ctl->json)
		cav_ctl_print_answer(ctl);
	else
		printf("user %s (%s) added\n", argv[1], role);
	return CAV_CTL_EXIT_OK;
}

int
cav_ctl_cmd_user_list(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autoptr(JsonNode) answer = NULL;
	g_autoptr(CavCtlTable) t = cav_ctl_table_new_plain(4);
	JsonArray *users;
	int rc;

	if (!cav_ctl_parse(ctl, NULL, &argc, &argv, &rc, error))
		return rc;
	answer = cav_ctl_call(ctl, "GET", "/api/v1/users", NULL, CAV_CTL_TIMEOUT_S, error);
	if (answer == NULL)
		return -1;
	if (ctl->json) {
		cav_ctl_print_answer(ctl);
		return CAV_CTL_EXIT_OK;
	}
	users = cav_ctl_json_array(json_node_get_object(answer), "users");
	cav_ctl_table_add(t, "NAME", "ROLE", "SECRET", "STATE");
	for (guint i = 0; users != NULL && i < json_array_get_length(users); i++) {
		JsonObject *u = json_array_get_object_element(users, i);
		gboolean disabled = FALSE, locked = FALSE;

		cav_ctl_json_bool(u, "disabled", &disabled);
		cav_ctl_json_bool(u, "locked", &locked);
		cav_ctl_table_add(t, cav_ctl_json_string(u, "name") ?: "",
				  cav_ctl_json_string(u, "role") ?: "",
				  cav_ctl_json_string(u, "secret_kind") ?: "",
				  disabled ? "disabled"
				  : locked ? "locked"
					   : "active");
	}
	cav_ctl_table_print(t, stdout);
	return CAV_CTL_EXIT_OK;
}
