/* test-relay.c — the relay core in one process, on loopback: the real
 * router, registry, device signatures, enrollment, heartbeats into the
 * live directory, and the media plane fed SRTP by the test acting as an
 * appliance (no GStreamer): rewrite continuity across a publisher
 * reconnect, and every kind of bad input rejected, counted, and never
 * stopping the stream.
 */
#include "relay-fixture.h"

#include <arpa/inet.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void
test_config_errors(void)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		{"[relay]\nstate_dir = /tmp/x\nlisten = nowhere\n", "t.ini:3: [relay] listen"},
		{"[relay]\nstate_dir = relative\n", "t.ini:2: [relay] state_dir"},
		{"[relay]\nstate_dir = /tmp/x\n[media]\nworkers = 0\n", "t.ini:4: [media] workers"},
		{"[relay]\nstate_dir = /tmp/x\nstate_dir = /tmp/y\n", "t.ini:3: key set twice"},
		{"[relay]\nstate_dir = /tmp/x\n[bogus]\n", "t.ini:3: [bogus]"},
		{"[relay]\nstate_dir = /tmp/x\nspeling = 1\n", "t.ini:3: [relay] speling"},
		{"[relay]\nstate_dir = /tmp/x\ntls_key = /k\n", "tls_certificate and tls_key"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(CavRelayConfig) c = cav_relay_config_load_data(
			"t.ini", cases[i].text, strlen(cases[i].text), &error);

		g_assert_null(c);
		g_assert_nonnull(strstr(error->message, cases[i].want));
	}
}

static void
test_login_and_roles(void)
{
	g_autoptr(RelayFixture) f = relay_fixture_new();
	g_autofree char *insp = NULL;
	g_autofree char *body = NULL;
	guint status;

	status = relay_http(f, "GET", "/api/v1/stats", NULL, NULL, &body);
	g_assert_cmpuint(status, ==, 401);
	g_assert_nonnull(strstr(body, "\"message_zh\""));
	g_clear_pointer(&body, g_free);
	status = relay_http(
		f, "POST", "/api/v1/users", f->op_token,
		"{\"name\":\"insp\",\"role\":\"inspector\",\"password\":\"inspect-me-1\"}", NULL);
	g_assert_cmpuint(status, ==, 201);
	insp = relay_login(f, "insp", "inspect-me-1");
	g_assert_nonnull(insp);
	/* An inspector may not create enrollment tokens. */
	status = relay_http(f, "POST", "/api/v1/enrollments", insp, "{}", NULL);
	g_assert_cmpuint(status, ==, 403);
	status = relay_http(f, "GET", "/api/v1/stats", insp, NULL, NULL);
	g_assert_cmpuint(status, ==, 200);
	/* Wrong password: 401, and a bilingual body. */
	status = relay_http(f, "POST", "/api/v1/login", NULL,
			    "{\"name\":\"insp\",\"password\":\"wrong-pass-1\"}", &body);
	g_assert_cmpuint(status, ==, 401);
	g_assert_nonnull(strstr(body, "bad-credentials"));
}

static void
test_bad_bodies(void)
{
	g_autoptr(RelayFixture) f = relay_fixture_new();
	const char *bodies[] = {"{",
				"[]",
				"\"x\"",
				"{\"appliance\": 5}",
				"{\"nope\": 1}",
				"{\"minutes\": -3}",
				"{\"minutes\": 1e999}",
				"\xff\xfe"};
	g_autofree char *big = g_strnfill(70 * 1024, 'a');
	gint64 before = cav_stat_get(CAV_STAT_API_BAD_BODY);

	for (guint i = 0; i < G_N_ELEMENTS(bodies); i++)
		g_assert_cmpuint(
			relay_http(f, "POST", "/api/v1/enrollments", f->op_token, bodies[i], NULL),
			==, 400);
	g_assert_cmpuint(relay_http(f, "POST", "/api/v1/enrollments", f->op_token, big, NULL), ==,
			 413);
	g_assert_cmpint(cav_stat_get(CAV_STAT_API_BAD_BODY) - before, >=, G_N_ELEMENTS(bodies));
	/* Still serving. */
	g_assert_cmpuint(relay_http(f, "GET", "/api/v1/stats", f->op_token, NULL, NULL), ==, 200);
}

static void
test_enrollment(void)
{
	g_autoptr(RelayFixture) f = relay_fixture_new();
	g_autofree char *token = relay_enrollment_token(f, "court7");
	g_autofree char *expired = relay_enrollment_token(f, NULL);
	g_autofree char *hash = cav_auth_token_hash(expired);
	g_autofree char *sql = g_strdup_printf("UPDATE enrollment_tokens SET created_us = 1, "
					       "expires_us = 2 WHERE token_sha256 = '%s'",
					       hash);
	g_autofree char *body = NULL;
	gint64 rejected = cav_stat_get(CAV_STAT_ENROLL_REJECTED);

	g_assert_cmpint(
		sqlite3_exec(cav_registry_db(cav_relay_registry(f->relay)), sql, NULL, NULL, NULL),
		==, SQLITE_OK);
	g_assert_cmpuint(relay_enroll(f, expired, &body), ==, 401);
	g_assert_nonnull(strstr(body, "enrollment-expired"));
	g_clear_pointer(&body, g_free);
	g_assert_cmpuint(relay_enroll(f, "0000", &body), ==, 401);
	g_assert_nonnull(strstr(body, "enrollment-unknown"));
	g_clear_pointer(&body, g_free);
	g_assert_cmpuint(relay_enroll(f, token, &body), ==, 201);
	g_assert_nonnull(strstr(body, "\"court7\""));
	g_clear_pointer(&body, g_free);
	/* The same key again: known, the token is not needed any more. */
	g_assert_cmpuint(relay_enroll(f, token, &body), ==, 200);
	g_assert_cmpint(cav_stat_get(CAV_STAT_ENROLL_REJECTED) - rejected, ==, 2);
	/* A second appliance cannot reuse the token. */
	g_clear_pointer(&body, g_free);
	relay_fixture_new_key(f);
	g_assert_cmpuint(relay_enroll(f, token, &body), ==, 401);
	g_assert_nonnull(strstr(body, "enrollment-used"));
}

static void
test_signed_requests(void)
{
	g_autoptr(RelayFixture) f = relay_fixture_new();
	g_autofree char *token = relay_enrollment_token(f, "court8");
	g_autoptr(CavReqSig) sig = NULL;
	const char *hb = "{\"room\":{\"id\":\"r1\",\"name\":\"第一法庭\"},\"state\":\"idle\"}";
	gint64 replays = cav_stat_get(CAV_STAT_API_REPLAY);
	gint64 bad = cav_stat_get(CAV_STAT_API_BAD_SIGNATURE);

	g_assert_cmpuint(relay_enroll(f, token, NULL), ==, 201);
	g_assert_cmpuint(relay_signed(f, "GET", "/api/v1/appliance/self", NULL, NULL), ==, 200);
	/* The same signature twice: a replay. */
	sig = cav_reqsign_make(f->signer, "POST", "/api/v1/appliance/heartbeat", (const guint8 *)hb,
			       strlen(hb), g_get_real_time(), NULL);
	g_assert_cmpuint(relay_signed_with(f, "POST", "/api/v1/appliance/heartbeat", hb, sig, NULL),
			 ==, 200);
	g_assert_cmpuint(relay_signed_with(f, "POST", "/api/v1/appliance/heartbeat", hb, sig, NULL),
			 ==, 401);
	g_assert_cmpint(cav_stat_get(CAV_STAT_API_REPLAY) - replays, ==, 1);
	/* Out of the time window. */
	g_clear_pointer(&sig, cav_reqsig_free);
	sig = cav_reqsign_make(f->signer, "GET", "/api/v1/appliance/self", NULL, 0,
			       g_get_real_time() - 600 * G_USEC_PER_SEC, NULL);
	g_assert_cmpuint(relay_signed_with(f, "GET", "/api/v1/appliance/self", NULL, sig, NULL), ==,
			 401);
	/* A body changed after signing. */
	g_clear_pointer(&sig, cav_reqsig_free);
	sig = cav_reqsign_make(f->signer, "POST", "/api/v1/appliance/heartbeat", (const guint8 *)hb,
			       strlen(hb), g_get_real_time(), NULL);
	g_assert_cmpuint(relay_signed_with(f, "POST", "/api/v1/appliance/heartbeat",
					   "{\"room\":{\"id\":\"r2\"}}", sig, NULL),
			 ==, 401);
	g_assert_cmpint(cav_stat_get(CAV_STAT_API_BAD_SIGNATURE) - bad, >=, 1);
	/* A key nobody enrolled. */
	relay_fixture_new_key(f);
	g_assert_cmpuint(relay_signed(f, "GET", "/api/v1/appliance/self", NULL, NULL), ==, 401);
}

static void
on_dir(const CavLiveEntry *e, gboolean removed, gpointer data)
{
	(*(guint *)data)++;
}

static void
test_heartbeat_directory(void)
{
	g_autoptr(RelayFixture) f = relay_fixture_new();
	g_autofree char *token = relay_enrollment_token(f, "court9");
	const char *hb =
		"{\"room\":{\"id\":\"r1\",\"name\":\"第一法庭\",\"court\":\"某法院\"},"
		"\"state\":\"recording\",\"hearing\":{\"id\":3,\"case_number\":\"(2026)1号\","
		"\"case_title\":\"张某案\",\"cause\":\"盗窃\",\"public\":true,"
		"\"started_us\":5},\"disk\":{\"free_bytes\":1},\"alarms\":[],"
		"\"streaming\":false}";
	CavDirectory *dir = cav_relay_directory(f->relay);
	CavLiveEntry *e;
	guint calls = 0;
	guint w = cav_directory_watch(dir, on_dir, &calls);

	g_assert_cmpuint(relay_enroll(f, token, NULL), ==, 201);
	g_assert_cmpuint(relay_signed(f, "POST", "/api/v1/appliance/heartbeat", hb, NULL), ==, 200);
	e = cav_directory_get(dir, "court9/r1");
	g_assert_nonnull(e);
	g_assert_cmpstr(e->case_number, ==, "(2026)1号");
	g_assert_true(e->is_public);
	g_assert_false(e->live); /* recording, but no stream arrives */
	cav_live_entry_free(e);
	/* The same heartbeat again changes nothing. */
	g_assert_cmpuint(relay_signed(f, "POST", "/api/v1/appliance/heartbeat", hb, NULL), ==, 200);
	g_assert_cmpuint(calls, ==, 1);
	/* Malformed heartbeats. */
	g_assert_cmpuint(relay_signed(f, "POST", "/api/v1/appliance/heartbeat",
				      "{\"room\":{\"id\":\"../x\"}}", NULL),
			 ==, 400);
	g_assert_cmpuint(relay_signed(f, "POST", "/api/v1/appliance/heartbeat",
				      "{\"room\":{\"id\":\"r1\"},\"hearing\":{\"id\":\"x\"}}",
				      NULL),
			 ==, 400);
	cav_directory_unwatch(dir, w);
}

/* ---- the media plane ------------------------------------------------------------ */

static void
test_media_continuity_and_bad_input(void)
{
	g_autoptr(RelayFixture) f = relay_fixture_new();
	g_autofree char *token = relay_enrollment_token(f, "court1");
	g_autoptr(TestPublisher) pub = NULL;
	g_autoptr(TestSubscriber) sub = NULL;
	guint32 first_ssrc;
	guint16 last_seq;

	g_assert_cmpuint(relay_enroll(f, token, NULL), ==, 201);
	pub = test_publisher_new(f, "r1");
	sub = test_subscriber_new(f, "court1/r1");
	/* A keyframe first: subscribers wait for one. */
	test_publisher_send(pub, 50, TRUE);
	relay_wait(f, 300);
	test_subscriber_receive(f, sub, 300);
	g_assert_cmpuint(sub->video, >=, 45);
	g_assert_cmpuint(sub->gaps, ==, 0);
	first_ssrc = sub->ssrc;
	last_seq = sub->max_seq;

	/* Bad input of every kind, while the stream goes on. */
	test_publisher_send_bad(pub);
	test_publisher_send(pub, 20, FALSE);
	relay_wait(f, 300);
	test_subscriber_receive(f, sub, 300);
	g_assert_cmpint(cav_stat_get(CAV_STAT_SRTP_AUTH_FAIL), >=, 1);
	g_assert_cmpint(cav_stat_get(CAV_STAT_SRTP_REPLAY), >=, 1);
	g_assert_cmpint(cav_stat_get(CAV_STAT_UNKNOWN_SSRC), >=, 1);
	g_assert_cmpint(cav_stat_get(CAV_STAT_BAD_OVERSIZE), >=, 1);
	g_assert_cmpint(cav_stat_get(CAV_STAT_BAD_SHORT), >=, 1);
	g_assert_cmpint(cav_stat_get(CAV_STAT_BAD_VERSION), >=, 1);
	g_assert_cmpint(cav_stat_get(CAV_STAT_BAD_PAYLOAD_TYPE), >=, 1);
	g_assert_cmpuint(sub->gaps, ==, 0);
	g_assert_cmpuint(sub->auth_fail, ==, 0);

	/* The appliance restarts: a new publish, other SSRCs, other numbers. */
	g_clear_pointer(&pub, test_publisher_free);
	pub = test_publisher_new(f, "r1");
	test_publisher_send(pub, 30, TRUE);
	relay_wait(f, 300);
	test_subscriber_receive(f, sub, 300);
	g_assert_cmpuint(sub->ssrc, ==, first_ssrc);
	g_assert_cmpuint(sub->ssrc_changes, ==, 0);
	g_assert_cmpuint(sub->gaps, ==, 0);
	g_assert_cmpuint(sub->big_jumps, ==, 0);
	g_assert_cmpuint(sub->ts_backwards, ==, 0);
	g_assert_cmpuint((guint16)(sub->max_seq - last_seq), ==, 50);
	g_assert_cmpint(cav_stat_get(CAV_STAT_PUBLISHER_SWITCH), >=, 1);
}

static void
test_subscriber_nack_retransmit(void)
{
	g_autoptr(RelayFixture) f = relay_fixture_new();
	g_autofree char *token = relay_enrollment_token(f, "court2");
	g_autoptr(TestPublisher) pub = NULL;
	g_autoptr(TestSubscriber) sub = NULL;
	gint64 retx = cav_stat_get(CAV_STAT_RETRANSMIT);

	g_assert_cmpuint(relay_enroll(f, token, NULL), ==, 201);
	pub = test_publisher_new(f, "r1");
	sub = test_subscriber_new(f, "court2/r1");
	sub->drop_index = 10; /* a packet lost on the way to the subscriber */
	test_publisher_send(pub, 20, TRUE);
	relay_wait(f, 200);
	test_subscriber_receive(f, sub, 200);
	g_assert_cmpuint(sub->gaps, ==, 1);
	test_subscriber_nack(sub, sub->dropped_seq);
	relay_wait(f, 200);
	test_subscriber_receive(f, sub, 200);
	g_assert_cmpint(cav_stat_get(CAV_STAT_RETRANSMIT) - retx, ==, 1);
	g_assert_cmpuint(sub->late, ==, 1); /* the retransmission, decrypted */
	g_assert_cmpuint(sub->auth_fail, ==, 0);
}

static void
on_tap(CavRtpMedia media, const guint8 *packet, gsize len, gpointer data)
{
	(*(guint *)data)++;
}

static void
test_taps(void)
{
	g_autoptr(RelayFixture) f = relay_fixture_new();
	g_autofree char *token = relay_enrollment_token(f, "court3");
	g_autoptr(TestPublisher) pub = NULL;
	g_autoptr(CavStream) stream = NULL;
	guint n = 0, id;

	g_assert_cmpuint(relay_enroll(f, token, NULL), ==, 201);
	pub = test_publisher_new(f, "r1");
	relay_wait(f, 50);
	stream = cav_stream_lookup("court3/r1");
	g_assert_nonnull(stream);
	id = cav_stream_add_tap(stream, on_tap, &n, NULL);
	test_publisher_send(pub, 10, TRUE);
	relay_wait(f, 200);
	g_assert_cmpuint(n, ==, 10);
	cav_stream_request_keyframe(stream);
	relay_wait(f, 100);
	g_assert_cmpuint(test_publisher_plis(pub), >=, 1);
	cav_stream_remove_tap(stream, id);
	test_publisher_send(pub, 10, FALSE);
	relay_wait(f, 200);
	g_assert_cmpuint(n, ==, 10);
}

static void
on_ws(GObject *source, GAsyncResult *result, gpointer data)
{
	*(SoupWebsocketConnection **)data =
		soup_session_websocket_connect_finish(SOUP_SESSION(source), result, NULL);
}

static void
on_ws_message(SoupWebsocketConnection *c, gint type, GBytes *message, gpointer data)
{
	g_string_append_len(data, g_bytes_get_data(message, NULL),
			    (gssize)g_bytes_get_size(message));
	g_string_append_c(data, '\n');
}

static void
test_websocket_events(void)
{
	g_autoptr(RelayFixture) f = relay_fixture_new();
	g_autofree char *token = relay_enrollment_token(f, "court4");
	g_autofree char *url = g_strdup_printf("%s/api/v1/events", f->url);
	g_autofree char *proto = g_strdup_printf("cav.token.%s", f->op_token);
	const char *protocols[] = {"cav.v1", proto, NULL};
	g_autoptr(SoupMessage) msg = soup_message_new("GET", url);
	g_autoptr(SoupMessage) bad = soup_message_new("GET", url);
	const char *bad_protocols[] = {"cav.v1", NULL};
	SoupWebsocketConnection *ws = NULL, *refused = NULL;
	g_autoptr(GString) got = g_string_new(NULL);
	gint64 end;

	/* Without a token: refused. */
	soup_session_websocket_connect_async(f->session, bad, NULL, (char **)bad_protocols,
					     G_PRIORITY_DEFAULT, NULL, on_ws, &refused);
	relay_wait(f, 300);
	g_assert_null(refused);
	soup_session_websocket_connect_async(f->session, msg, NULL, (char **)protocols,
					     G_PRIORITY_DEFAULT, NULL, on_ws, &ws);
	end = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;
	while (ws == NULL && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	g_assert_nonnull(ws);
	g_signal_connect(ws, "message", G_CALLBACK(on_ws_message), got);
	g_assert_cmpuint(relay_enroll(f, token, NULL), ==, 201);
	g_assert_cmpuint(relay_signed(f, "POST", "/api/v1/appliance/heartbeat",
				      "{\"room\":{\"id\":\"r1\"},\"state\":\"idle\"}", NULL),
			 ==, 200);
	relay_wait(f, 300);
	g_assert_nonnull(strstr(got->str, "\"type\":\"appliance\""));
	g_assert_nonnull(strstr(got->str, "\"type\":\"live\""));
	soup_websocket_connection_close(ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
	relay_wait(f, 100);
	g_object_unref(ws);
}

static void
test_tls(void)
{
	g_autofree char *dir = g_dir_make_tmp("cav-relay-tls-XXXXXX", NULL);
	g_autofree char *cert = g_build_filename(dir, "c.pem", NULL);
	g_autofree char *key = g_build_filename(dir, "k.pem", NULL);
	g_autofree char *cmd = g_strdup_printf(
		"openssl req -x509 -newkey ed25519 -nodes -days 1 -subj /CN=127.0.0.1 "
		"-keyout %s -out %s",
		key, cert);
	g_autofree char *lines = g_strdup_printf("tls_certificate = %s\ntls_key = %s", cert, key);
	g_autoptr(RelayFixture) f = NULL;
	int status = -1;

	if (!g_spawn_command_line_sync(cmd, NULL, NULL, &status, NULL) || status != 0) {
		g_test_skip("openssl cannot make a test certificate");
		return;
	}
	f = relay_fixture_new_with(lines);
	g_assert_true(g_str_has_prefix(f->url, "https://"));
	g_assert_cmpuint(relay_http(f, "GET", "/api/v1/me", f->op_token, NULL, NULL), ==, 200);
	g_unlink(cert);
	g_unlink(key);
	g_rmdir(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/relay/config/errors", test_config_errors);
	g_test_add_func("/relay/api/login-roles", test_login_and_roles);
	g_test_add_func("/relay/api/bad-bodies", test_bad_bodies);
	g_test_add_func("/relay/api/enrollment", test_enrollment);
	g_test_add_func("/relay/api/signed-requests", test_signed_requests);
	g_test_add_func("/relay/api/heartbeat-directory", test_heartbeat_directory);
	g_test_add_func("/relay/media/continuity-bad-input", test_media_continuity_and_bad_input);
	g_test_add_func("/relay/media/subscriber-nack", test_subscriber_nack_retransmit);
	g_test_add_func("/relay/media/taps", test_taps);
	g_test_add_func("/relay/api/websocket-events", test_websocket_events);
	g_test_add_func("/relay/api/tls", test_tls);
	return g_test_run();
}
