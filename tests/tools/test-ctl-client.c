/* test-ctl-client.c — courtavctl against a real HTTP server on loopback.
 *
 * A small SoupServer in this process (127.0.0.1, port 0) plays courtavd
 * with canned answers from docs/API.md: a status, a case, a hearing, a
 * 409 error, a broken 500, a sealed manifest with its signature. The built
 * binary is spawned against it, and the test checks what reached the
 * server (body, X-Cav-Actor) and what the user sees (text, both languages
 * of an error, exit codes). The server runs on this thread's main context,
 * which ctl-run.h iterates while the child runs.
 */
#include <string.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include "common/manifest.h"
#include "tests/common/test-util.h"
#include "ctl-run.h"

typedef struct {
	SoupServer *server; /* owned */
	char *url;          /* http://127.0.0.1:PORT (owned) */
	char *env[2];       /* COURTAV_API=url, NULL (owned) */
	char *last_method;  /* of the last request (owned) */
	char *last_path;    /* owned */
	char *last_body;    /* owned */
	char *last_actor;   /* owned */
	char *manifest;     /* what GET …/manifest serves (owned) */
	char *tmp;          /* scratch folder (owned) */
} Fixture;

#define STATUS_JSON                                                                                \
	"{\"version\":\"0.1.0\",\"room\":{\"id\":\"101\",\"name\":\"第一法庭\","               \
	"\"court\":\"某人民法院\"},\"hearing\":{\"id\":3,\"case_number\":"                    \
	"\"（2026）兵0101刑初12号\",\"state\":\"recording\",\"elapsed_s\":754},"             \
	"\"disk\":{\"free_bytes\":51234567890,\"hours_left\":41.2,\"low\":false},"                 \
	"\"tracks\":[\"cam1\",\"cam2\",\"audio\"],\"alarms\":[{\"code\":\"disk-low\","             \
	"\"message\":\"Disk is "                                                                   \
	"low\",\"message_zh\":\"磁盘空间不足\",\"at_us\":1795859101000000}]}"

#define HEARING_JSON                                                                               \
	"{\"hearing\":{\"id\":7,\"uid\":\"5b0c\",\"case_id\":1,\"case_number\":"                   \
	"\"（2026）兵0101刑初12号\",\"room\":\"101\",\"state\":\"paused\",\"pause_reason\":" \
	"\"recess\",\"opened_us\":1795859101000000,\"closed_us\":null,\"sealed_us\":null,"         \
	"\"media_dir\":\"/m/h7\",\"chain_head\":\"ab12\",\"signature\":null,"                      \
	"\"intervals\":[{\"kind\":\"recording\",\"reason\":null,\"detail\":null,"                  \
	"\"start_us\":1795859101000000,\"end_us\":1795859161000000,\"actor\":\"clerk@panel\"},"    \
	"{\"kind\":\"paused\",\"reason\":\"recess\",\"detail\":\"午休\",\"start_us\":"           \
	"1795859161000000,\"end_us\":null,\"actor\":\"tester@x\"}],"                               \
	"\"marks\":[{\"id\":1,\"at_us\":1795859102000000,\"label\":\"开庭\",\"actor\":\"c\"}],"  \
	"\"tracks\":[{\"name\":\"cam1\",\"kind\":\"camera\",\"segments\":4,\"bytes\":1234}]}}"

#define CASES_JSON                                                                                         \
	"{\"cases\":[{\"id\":4,\"number\":\"（2026）兵0101刑初12号\",\"title\":\"张某盗窃案\"," \
	"\"public\":true,\"created_us\":1795859101000000}]}"

#define ERROR_409                                                                                  \
	"{\"error\":{\"code\":\"bad-transition\",\"message\":\"Hearing 3 is closed; it cannot be " \
	"closed again.\",\"message_zh\":\"庭审 3 已结束，不能再次结束。\"}}"

static void
reply(SoupServerMessage *msg, guint status, const char *type, const char *body)
{
	soup_server_message_set_status(msg, status, NULL);
	soup_server_message_set_response(msg, type, SOUP_MEMORY_COPY, body, strlen(body));
}

static void
handler(SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
	gpointer user_data)
{
	Fixture *f = user_data;
	const char *method = soup_server_message_get_method(msg);
	SoupMessageBody *body = soup_server_message_get_request_body(msg);
	SoupMessageHeaders *headers = soup_server_message_get_request_headers(msg);

	g_free(f->last_method);
	g_free(f->last_path);
	g_free(f->last_body);
	g_free(f->last_actor);
	f->last_method = g_strdup(method);
	f->last_path = g_strdup(path);
	f->last_body = g_strndup(body->data, body->length);
	f->last_actor = g_strdup(soup_message_headers_get_one(headers, "X-Cav-Actor"));

	if (strcmp(path, "/api/v1/status") == 0)
		reply(msg, 200, "application/json", STATUS_JSON);
	else if (strcmp(path, "/api/v1/hearings/3/close") == 0)
		reply(msg, 409, "application/json", ERROR_409);
	else if (strcmp(path, "/api/v1/hearings/5/close") == 0)
		reply(msg, 500, "text/html", "<html>oops</html>");
	else if (strcmp(path, "/api/v1/hearings/7/pause") == 0 ||
		 strcmp(path, "/api/v1/hearings/7") == 0)
		reply(msg, 200, "application/json", HEARING_JSON);
	else if (strcmp(path, "/api/v1/cases") == 0 && strcmp(method, "GET") == 0)
		reply(msg, 200, "application/json", CASES_JSON);
	else if (strcmp(path, "/api/v1/cases") == 0)
		reply(msg, 201, "application/json",
		      "{\"case\":{\"id\":4,\"number\":\"（2026）兵0101刑初12号\",\"title\":"
		      "\"张某盗窃案\",\"public\":false,\"created_us\":1795859101000000}}");
	else if (strcmp(path, "/api/v1/hearings") == 0)
		reply(msg, 201, "application/json", HEARING_JSON);
	else if (strcmp(path, "/api/v1/hearings/7/manifest") == 0)
		reply(msg, 200, "application/json", f->manifest);
	else if (strcmp(path, "/api/v1/hearings/7/manifest.sig") == 0)
		reply(msg, 200, "text/plain", "c2lnbmF0dXJl\n");
	else
		reply(msg, 404, "application/json",
		      "{\"error\":{\"code\":\"not-found\",\"message\":\"No such thing.\","
		      "\"message_zh\":\"不存在。\"}}");
}

/* A sealed manifest as the daemon would serve it; the signature bytes are
 * never checked here, only carried. */
static char *
sealed_manifest(void)
{
	g_autoptr(CavManifest) m = cav_manifest_new();

	m->version = CAV_MANIFEST_VERSION;
	m->hearing_uid = g_strdup("5b0c2f1e-8a8d-4c33-9a55-0f7c2a9d1e01");
	m->hearing_id = 7;
	m->state = g_strdup("sealed");
	m->room = g_strdup("101");
	m->case_number = g_strdup("（2026）兵0101刑初12号");
	m->sig_alg = g_strdup("ed25519");
	return cav_manifest_to_json(m, NULL);
}

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	GSList *uris;

	f->server = soup_server_new(NULL, NULL);
	soup_server_add_handler(f->server, NULL, handler, f, NULL);
	g_assert_true(soup_server_listen_local(f->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
	g_assert_no_error(error);
	uris = soup_server_get_uris(f->server);
	g_assert_nonnull(uris);
	f->url = g_strdup_printf("http://127.0.0.1:%d", g_uri_get_port(uris->data));
	g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
	f->env[0] = g_strconcat("COURTAV_API=", f->url, NULL);
	f->manifest = sealed_manifest();
	f->tmp = cav_test_tmpdir();
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
	soup_server_disconnect(f->server);
	g_object_unref(f->server);
	cav_test_rmtree(f->tmp);
	g_free(f->tmp);
	g_free(f->url);
	g_free(f->env[0]);
	g_free(f->last_method);
	g_free(f->last_path);
	g_free(f->last_body);
	g_free(f->last_actor);
	g_free(f->manifest);
}

#define ENV(f) ((const char *const *)(f)->env)

static void
test_status(Fixture *f, gconstpointer data)
{
	g_auto(CtlResult) r = {0};
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *actor = g_strdup_printf("tester@%s", g_get_host_name());

	ctl_run_env(&r, ENV(f), "status", NULL);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_cmpstr(f->last_path, ==, "/api/v1/status");
	g_assert_cmpstr(f->last_actor, ==, actor);
	g_assert_nonnull(strstr(r.out, "101 第一法庭 (某人民法院)"));
	g_assert_nonnull(strstr(r.out, "recording 录制中  12:34"));
	g_assert_nonnull(strstr(r.out, "41.2 h"));
	g_assert_nonnull(strstr(r.out, "磁盘空间不足"));
	/* Beijing time of the alarm. */
	g_assert_nonnull(strstr(r.out, "2026-11-28 17:45:01"));
	ctl_result_clear(&r);

	/* --api wins over $COURTAV_API; --json prints the server's JSON. */
	ctl_run(&r, "--api", f->url, "--json", "status", NULL);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_true(json_parser_load_from_data(parser, r.out, -1, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(json_object_get_string_member(
				json_node_get_object(json_parser_get_root(parser)), "version"),
			==, "0.1.0");
	g_assert_nonnull(strstr(r.out, "\n  \"room\" : {"));
	/* The daemon's number, not a re-serialised double. */
	g_assert_nonnull(strstr(r.out, "\"hours_left\" : 41.2,"));
}

static void
test_api_error(Fixture *f, gconstpointer data)
{
	g_auto(CtlResult) r = {0};

	ctl_run_env(&r, ENV(f), "hearing", "close", "3", NULL);
	g_assert_cmpint(r.status, ==, 1);
	g_assert_cmpstr(f->last_method, ==, "POST");
	g_assert_cmpstr(f->last_path, ==, "/api/v1/hearings/3/close");
	g_assert_cmpstr(r.err, ==,
			"error: Hearing 3 is closed; it cannot be closed again.\n"
			"错误：庭审 3 已结束，不能再次结束。\n");
	g_assert_cmpstr(r.out, ==, "");
	ctl_result_clear(&r);

	/* With --json the error object is on stdout for scripts too. */
	ctl_run_env(&r, ENV(f), "--json", "hearing", "close", "3", NULL);
	g_assert_cmpint(r.status, ==, 1);
	g_assert_nonnull(strstr(r.out, "\"bad-transition\""));
	g_assert_nonnull(strstr(r.err, "错误：庭审 3"));
	ctl_result_clear(&r);

	/* Not the documented shape: a generic message, still both languages. */
	ctl_run_env(&r, ENV(f), "hearing", "close", "5", NULL);
	g_assert_cmpint(r.status, ==, 1);
	g_assert_nonnull(strstr(r.err, "error: courtavd answered 500"));
	g_assert_nonnull(strstr(r.err, "错误：courtavd 返回错误 500"));
	ctl_result_clear(&r);

	ctl_run_env(&r, ENV(f), "case", "show", "99", NULL);
	g_assert_cmpint(r.status, ==, 1);
	g_assert_nonnull(strstr(r.err, "error: No such thing.\n错误：不存在。\n"));
}

static void
test_unreachable(Fixture *f, gconstpointer data)
{
	g_autoptr(GSocket) sock = NULL;
	g_autoptr(GSocketAddress) any = NULL, bound = NULL;
	g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GError) error = NULL;
	g_autofree char *url = NULL;
	g_auto(CtlResult) r = {0};

	/* A port that was free a moment ago and has no listener. */
	sock = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
			    &error);
	g_assert_no_error(error);
	any = g_inet_socket_address_new(lo, 0);
	g_assert_true(g_socket_bind(sock, any, TRUE, &error));
	bound = g_socket_get_local_address(sock, &error);
	url = g_strdup_printf("127.0.0.1:%u",
			      g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound)));
	g_socket_close(sock, NULL);

	ctl_run(&r, "--api", url, "status", NULL);
	g_assert_cmpint(r.status, ==, 3);
	g_assert_nonnull(strstr(r.err, "error: cannot reach courtavd at http://127.0.0.1:"));
	g_assert_nonnull(strstr(r.err, "is it running?"));
	g_assert_nonnull(strstr(r.err, "错误：无法连接 courtavd"));
}

static void
test_requests(Fixture *f, gconstpointer data)
{
	g_auto(CtlResult) r = {0};

	ctl_run_env(&r, ENV(f), "hearing", "pause", "7", "--reason", "休庭", "--detail", "午休",
		    NULL);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_cmpstr(f->last_path, ==, "/api/v1/hearings/7/pause");
	g_assert_cmpstr(f->last_body, ==, "{\"reason\":\"recess\",\"detail\":\"午休\"}");
	g_assert_nonnull(strstr(r.out, "Paused hearing 7"));
	g_assert_nonnull(strstr(r.out, "recess 休庭"));
	ctl_result_clear(&r);

	ctl_run_env(&r, ENV(f), "case", "create", "--number", "(2026)兵0101刑初12号", "--title",
		    "张某盗窃案", "--private", NULL);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_cmpstr(f->last_method, ==, "POST");
	g_assert_cmpstr(f->last_body, ==,
			"{\"number\":\"(2026)兵0101刑初12号\",\"title\":\"张某盗窃案\","
			"\"public\":false}");
	g_assert_nonnull(strstr(r.out, "no 不公开"));
	ctl_result_clear(&r);

	/* By case number: looked up in the case list, ASCII parentheses too. */
	ctl_run_env(&r, ENV(f), "hearing", "open", "(2026)兵0101刑初12号", "--no-start", NULL);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_cmpstr(f->last_path, ==, "/api/v1/hearings");
	g_assert_cmpstr(f->last_body, ==, "{\"case_id\":4,\"start\":false}");
	ctl_result_clear(&r);

	ctl_run_env(&r, ENV(f), "hearing", "open", "（2099）兵0101刑初1号", NULL);
	g_assert_cmpint(r.status, ==, 1);
	g_assert_cmpstr(f->last_path, ==, "/api/v1/cases");
	g_assert_nonnull(strstr(r.err, "没有案号为"));
	ctl_result_clear(&r);

	ctl_run_env(&r, ENV(f), "hearing", "show", "7", NULL);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_nonnull(strstr(r.out, "paused 已暂停 (recess 休庭)"));
	g_assert_nonnull(strstr(r.out, "午休"));
	g_assert_nonnull(strstr(r.out, "(open)"));
	g_assert_nonnull(strstr(r.out, "开庭"));
	g_assert_nonnull(
		strstr(r.out, "1.2\xc2\xa0kB")); /* g_format_size() uses a no-break space */
	ctl_result_clear(&r);

	ctl_run_env(&r, ENV(f), "case", "list", NULL);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_nonnull(strstr(r.out, "张某盗窃案"));
}

static void
test_export_manifest(Fixture *f, gconstpointer data)
{
	g_autofree char *manifest = g_build_filename(f->tmp, "manifest.json", NULL);
	g_autofree char *sig = g_build_filename(f->tmp, "manifest.sig", NULL);
	g_autofree char *named = g_build_filename(f->tmp, "h7.json", NULL);
	g_autofree char *named_sig = g_build_filename(f->tmp, "h7.sig", NULL);
	g_autofree char *got = NULL, *got_sig = NULL;
	g_auto(CtlResult) r = {0};

	/* A folder gets manifest.json and manifest.sig, byte for byte. */
	ctl_run_env(&r, ENV(f), "export", "manifest", "7", "-o", f->tmp, NULL);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_true(g_file_get_contents(manifest, &got, NULL, NULL));
	g_assert_cmpstr(got, ==, f->manifest);
	g_assert_true(g_file_get_contents(sig, &got_sig, NULL, NULL));
	g_assert_cmpstr(got_sig, ==, "c2lnbmF0dXJl\n");
	ctl_result_clear(&r);

	ctl_run_env(&r, ENV(f), "export", "manifest", "7", "-o", named, NULL);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_true(g_file_test(named_sig, G_FILE_TEST_IS_REGULAR));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
	ADD("/ctl-client/status", test_status);
	ADD("/ctl-client/api-error", test_api_error);
	ADD("/ctl-client/unreachable", test_unreachable);
	ADD("/ctl-client/requests", test_requests);
	ADD("/ctl-client/export-manifest", test_export_manifest);
#undef ADD
	return g_test_run();
}
