/* ctl-client.c — the blocking HTTP+JSON client behind every courtavctl
 * command that talks to courtavd (see ctl-client.h).
 *
 * soup_session_send_and_read() is used rather than the async API because a
 * CLI has nothing else to do while it waits, and a main loop would only add
 * a place for bugs. Transport failures are sorted into "nothing is
 * listening" (exit 3, with a hint that the daemon may be stopped) and
 * everything else, because that is the first question an operator has.
 */
#include "ctl-client.h"

#include <string.h>
#include "ctl.h"
#include "ctl-output.h"

struct CavCtlClient {
	SoupSession *session; /* owned */
	char *base_url;       /* no trailing slash (owned) */
	char *actor;          /* X-Cav-Actor (owned) */
	char *token;          /* bearer token (owned, nullable) */
};

char *
cav_ctl_api_url_normalize(const char *url, GError **error)
{
	g_autofree char *full = NULL;
	g_autoptr(GUri) uri = NULL;
	gsize len;

	if (url == NULL || *url == '\0' || !g_utf8_validate(url, -1, NULL)) {
		g_propagate_error(error, cav_ctl_error_new(CAV_CTL_ERROR_USAGE, NULL,
							   "the API address is empty or not text"));
		return NULL;
	}
	full = strstr(url, "://") != NULL ? g_strdup(url) : g_strconcat("http://", url, NULL);
	g_strstrip(full);
	len = strlen(full);
	while (len > 0 && full[len - 1] == '/')
		full[--len] = '\0';

	uri = g_uri_parse(full, G_URI_FLAGS_NONE, NULL);
	if (uri == NULL ||
	    (g_strcmp0(g_uri_get_scheme(uri), "http") != 0 &&
	     g_strcmp0(g_uri_get_scheme(uri), "https") != 0) ||
	    g_uri_get_host(uri) == NULL || *g_uri_get_host(uri) == '\0' ||
	    g_uri_get_query(uri) != NULL || g_uri_get_fragment(uri) != NULL) {
		g_propagate_error(error, cav_ctl_error_new(CAV_CTL_ERROR_USAGE, NULL,
							   "'%s' is not an API address such as %s",
							   url, CAV_CTL_DEFAULT_API));
		return NULL;
	}
	return g_steal_pointer(&full);
}

char *
cav_ctl_actor(void)
{
	const char *user = g_getenv("USER");

	if (user == NULL || *user == '\0')
		user = g_get_user_name();
	return g_strdup_printf("%s@%s", user, g_get_host_name());
}

CavCtlClient *
cav_ctl_client_new(const char *api_url, const char *actor, GError **error)
{
	g_autofree char *base = cav_ctl_api_url_normalize(api_url, error);
	g_autofree char *agent = g_strdup_printf("courtavctl/%s", CAV_VERSION);
	CavCtlClient *client;

	if (base == NULL)
		return NULL;
	client = g_new0(CavCtlClient, 1);
	client->base_url = g_steal_pointer(&base);
	client->actor = g_strdup(actor);
	client->session = soup_session_new_with_options("user-agent", agent, NULL);
	/* The API listens on loopback; an http_proxy from the environment
	 * must not send a clerk's commands elsewhere. */
	soup_session_set_proxy_resolver(client->session, NULL);
	cav_ctl_client_set_timeout(client, CAV_CTL_TIMEOUT_S);
	return client;
}

void
cav_ctl_client_free(CavCtlClient *client)
{
	if (client == NULL)
		return;
	g_clear_object(&client->session);
	g_free(client->base_url);
	g_free(client->actor);
	g_free(client->token);
	g_free(client);
}

const char *
cav_ctl_client_url(const CavCtlClient *client)
{
	return client->base_url;
}

void
cav_ctl_client_set_token(CavCtlClient *client, const char *token)
{
	g_free(client->token);
	client->token = g_strdup(token);
}

void
cav_ctl_client_set_timeout(CavCtlClient *client, guint seconds)
{
	soup_session_set_timeout(client->session, seconds);
}

static SoupMessage *
new_message(CavCtlClient *client, const char *method, const char *path, GError **error)
{
	g_autofree char *url = g_strconcat(client->base_url, path, NULL);
	SoupMessage *msg = soup_message_new(method, url);
	SoupMessageHeaders *headers;

	if (msg == NULL) {
		g_propagate_error(error, cav_ctl_error_new(CAV_CTL_ERROR_USAGE, NULL,
							   "cannot make a request to %s", url));
		return NULL;
	}
	headers = soup_message_get_request_headers(msg);
	soup_message_headers_replace(headers, "X-Cav-Actor", client->actor);
	if (client->token != NULL) {
		g_autofree char *auth = g_strdup_printf("Bearer %s", client->token);

		soup_message_headers_replace(headers, "Authorization", auth);
	}
	return msg;
}

static gboolean
is_unreachable(const GError *error)
{
	return g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
	       g_error_matches(error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
	       g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
	       g_error_matches(error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND) ||
	       error->domain == G_RESOLVER_ERROR;
}

/* Sends @msg and returns the body whatever the status; sets a transport
 * error when there is no answer at all. */
static GBytes *
send_message(CavCtlClient *client, SoupMessage *msg, GError **error)
{
	g_autoptr(GError) local = NULL;
	GBytes *body = soup_session_send_and_read(client->session, msg, NULL, &local);
	g_autofree char *zh = NULL;

	if (body != NULL)
		return body;
	if (is_unreachable(local)) {
		zh = g_strdup_printf("无法连接 courtavd（%s），请确认它正在运行。",
				     client->base_url);
		g_propagate_error(error, cav_ctl_error_new(CAV_CTL_ERROR_UNREACHABLE, zh,
							   "cannot reach courtavd at %s: is it "
							   "running? (%s)",
							   client->base_url, local->message));
	} else if (g_error_matches(local, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) {
		zh = g_strdup_printf("courtavd（%s）未在时限内应答。", client->base_url);
		g_propagate_error(error, cav_ctl_error_new(CAV_CTL_ERROR_TIMEOUT, zh,
							   "courtavd at %s did not answer in time",
							   client->base_url));
	} else {
		zh = g_strdup_printf("与 courtavd（%s）通信失败：%s", client->base_url,
				     local->message);
		g_propagate_error(error, cav_ctl_error_new(CAV_CTL_ERROR_PROTOCOL, zh,
							   "request to courtavd at %s failed: %s",
							   client->base_url, local->message));
	}
	return NULL;
}

static JsonNode *
parse_json(GBytes *body, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	gsize len;
	const char *data = g_bytes_get_data(body, &len);

	if (!json_parser_load_from_data(parser, data != NULL ? data : "", (gssize)len, error))
		return NULL;
	if (json_parser_get_root(parser) == NULL)
		return json_node_init_object(json_node_alloc(), json_object_new());
	return json_node_copy(json_parser_get_root(parser));
}

/* Turns a non-2xx answer into CAV_CTL_ERROR_API with the daemon's own
 * messages, or a generic one when the body is not the documented shape (a
 * proxy's HTML page, a crashed handler). */
static void
set_status_error(SoupMessage *msg, GBytes *body, GError **error)
{
	guint status = soup_message_get_status(msg);
	const char *phrase = soup_message_get_reason_phrase(msg);
	g_autoptr(JsonNode) root = parse_json(body, NULL);
	JsonObject *err = NULL;
	g_autofree char *pretty = NULL;
	g_autofree char *message = NULL;
	g_autofree char *zh = NULL;

	if (root != NULL && JSON_NODE_HOLDS_OBJECT(root)) {
		err = cav_ctl_json_object(json_node_get_object(root), "error");
		gsize len;
		const char *data = g_bytes_get_data(body, &len);

		pretty = cav_ctl_json_reindent(data, len);
	}
	message = g_strdup(cav_ctl_json_string(err, "message"));
	zh = g_strdup(cav_ctl_json_string(err, "message_zh"));
	if (message == NULL)
		message = g_strdup_printf("courtavd answered %u %s", status,
					  phrase != NULL ? phrase : "");
	if (zh == NULL)
		zh = g_strdup_printf("courtavd 返回错误 %u。", status);
	cav_ctl_error_set_api(error, status, cav_ctl_json_string(err, "code"), g_strstrip(message),
			      zh, pretty);
}

JsonNode *
cav_ctl_client_call(CavCtlClient *client, const char *method, const char *path, JsonNode *body,
		    GBytes **out_raw, GError **error)
{
	g_autoptr(SoupMessage) msg = new_message(client, method, path, error);
	g_autoptr(GBytes) answer = NULL;
	g_autoptr(JsonNode) root = NULL;
	g_autoptr(GError) local = NULL;

	if (msg == NULL)
		return NULL;
	soup_message_headers_replace(soup_message_get_request_headers(msg), "Accept",
				     "application/json");
	if (body != NULL) {
		g_autofree char *text = json_to_string(body, FALSE);
		g_autoptr(GBytes) bytes = g_bytes_new_take(text, strlen(text));

		text = NULL;
		soup_message_set_request_body_from_bytes(msg, "application/json", bytes);
	}
	answer = send_message(client, msg, error);
	if (answer == NULL)
		return NULL;
	if (!SOUP_STATUS_IS_SUCCESSFUL(soup_message_get_status(msg))) {
		set_status_error(msg, answer, error);
		return NULL;
	}
	root = parse_json(answer, &local);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		g_propagate_error(
			error,
			cav_ctl_error_new(CAV_CTL_ERROR_PROTOCOL, "courtavd 的应答不是 JSON 对象。",
					  "courtavd answered %s %s with something that is "
					  "not a JSON object%s%s",
					  method, path, local != NULL ? ": " : "",
					  local != NULL ? local->message : ""));
		return NULL;
	}
	if (out_raw != NULL)
		*out_raw = g_steal_pointer(&answer);
	return g_steal_pointer(&root);
}

GBytes *
cav_ctl_client_get_raw(CavCtlClient *client, const char *path, SoupMessageHeaders **out_headers,
		       GError **error)
{
	g_autoptr(SoupMessage) msg = new_message(client, "GET", path, error);
	g_autoptr(GBytes) answer = NULL;

	if (msg == NULL)
		return NULL;
	answer = send_message(client, msg, error);
	if (answer == NULL)
		return NULL;
	if (!SOUP_STATUS_IS_SUCCESSFUL(soup_message_get_status(msg))) {
		set_status_error(msg, answer, error);
		return NULL;
	}
	if (out_headers != NULL)
		*out_headers = soup_message_headers_ref(soup_message_get_response_headers(msg));
	return g_steal_pointer(&answer);
}
