/* relay-fixture.c — see relay-fixture.h. */
#include "relay-fixture.h"
#include "relay/users.h"

#include <arpa/inet.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void
rm_rf(const char *path)
{
	g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
	const char *name;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree char *p = g_build_filename(path, name, NULL);

		if (g_file_test(p, G_FILE_TEST_IS_DIR))
			rm_rf(p);
		else
			g_unlink(p);
	}
	g_rmdir(path);
}

static gboolean
accept_any(SoupMessage *msg, GTlsCertificate *cert, GTlsCertificateFlags errors, gpointer data)
{
	return TRUE; /* the tests' self-signed certificate */
}

static void
on_request_queued(SoupSession *session, SoupMessage *msg, gpointer data)
{
	g_signal_connect(msg, "accept-certificate", G_CALLBACK(accept_any), NULL);
}

RelayFixture *
relay_fixture_new(void)
{
	return relay_fixture_new_with("");
}

RelayFixture *
relay_fixture_new_with(const char *relay_lines)
{
	RelayFixture *f = g_new0(RelayFixture, 1);
	g_autoptr(GError) error = NULL;
	g_autofree char *ini = NULL;
	CavAuthCost cheap = {10, 8, 1};

	f->dir = g_dir_make_tmp("cav-relay-test-XXXXXX", &error);
	g_assert_no_error(error);
	ini = g_strdup_printf("[relay]\nstate_dir = %s/state\nlisten = 127.0.0.1:0\n%s\n"
			      "[media]\nlisten = 127.0.0.1:0\nworkers = 2\n",
			      f->dir, relay_lines);
	f->config = cav_relay_config_load_data("test.ini", ini, strlen(ini), &error);
	g_assert_no_error(error);
	f->relay = cav_relay_new(f->config, &error);
	g_assert_no_error(error);
	f->url = g_strdup(cav_relay_url(f->relay));
	cav_relay_users_set_cost(cav_relay_users(f->relay), &cheap);
	g_assert_cmpint(cav_relay_users_add_sync(cav_relay_users(f->relay), "op", "operator",
						 "operator-pass-1", "test", &error),
			>, 0);
	f->session = soup_session_new();
	g_signal_connect(f->session, "request-queued", G_CALLBACK(on_request_queued), NULL);
	f->op_token = relay_login(f, "op", "operator-pass-1");
	g_assert_nonnull(f->op_token);
	relay_fixture_new_key(f);
	return f;
}

void
relay_fixture_free(RelayFixture *f)
{
	if (f == NULL)
		return;
	g_clear_object(&f->session);
	cav_relay_free(f->relay);
	/* Let posted events of the media plane run (they see it gone). */
	while (g_main_context_iteration(NULL, FALSE))
		;
	cav_relay_config_free(f->config);
	cav_signer_free(f->signer);
	rm_rf(f->dir);
	g_free(f->dir);
	g_free(f->url);
	g_free(f->op_token);
	g_free(f);
}

void
relay_fixture_new_key(RelayFixture *f)
{
	g_autofree char *path = g_strdup_printf("%s/key%u.pem", f->dir, f->key_n++);
	g_autoptr(GError) error = NULL;

	cav_signer_free(f->signer);
	f->signer = cav_signer_load_or_create(path, "ed25519", &error);
	g_assert_no_error(error);
}

void
relay_wait(RelayFixture *f, guint ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	while (g_get_monotonic_time() < end) {
		g_main_context_iteration(NULL, FALSE);
		g_usleep(1000);
	}
}

typedef struct {
	gboolean done;
	GBytes *bytes;
} Wait;

static void
on_done(GObject *source, GAsyncResult *result, gpointer data)
{
	Wait *w = data;

	w->bytes = soup_session_send_and_read_finish(SOUP_SESSION(source), result, NULL);
	w->done = TRUE;
}

static guint
http_send(RelayFixture *f, SoupMessage *msg, const char *body, char **out_body)
{
	Wait w = {0};
	guint status;

	if (body != NULL) {
		g_autoptr(GBytes) b = g_bytes_new(body, strlen(body));

		soup_message_set_request_body_from_bytes(msg, "application/json", b);
	}
	soup_session_send_and_read_async(f->session, msg, G_PRIORITY_DEFAULT, NULL, on_done, &w);
	while (!w.done)
		g_main_context_iteration(NULL, TRUE);
	status = soup_message_get_status(msg);
	if (out_body != NULL) {
		gsize n = 0;
		const char *d = w.bytes ? g_bytes_get_data(w.bytes, &n) : "";

		*out_body = g_strndup(d, n);
	}
	if (w.bytes != NULL)
		g_bytes_unref(w.bytes);
	return status;
}

guint
relay_http(RelayFixture *f, const char *method, const char *path, const char *bearer,
	   const char *body, char **out_body)
{
	g_autofree char *url = g_strconcat(f->url, path, NULL);
	g_autoptr(SoupMessage) msg = soup_message_new(method, url);

	if (bearer != NULL) {
		g_autofree char *h = g_strdup_printf("Bearer %s", bearer);

		soup_message_headers_replace(soup_message_get_request_headers(msg), "Authorization",
					     h);
	}
	return http_send(f, msg, body, out_body);
}

static char *
member(const char *json, const char *name)
{
	g_autoptr(JsonParser) p = json_parser_new();
	JsonObject *o;

	if (!json_parser_load_from_data(p, json, -1, NULL) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
		return NULL;
	o = json_node_get_object(json_parser_get_root(p));
	return json_object_has_member(o, name) ? g_strdup(json_object_get_string_member(o, name))
					       : NULL;
}

static JsonObject *
parse(const char *json)
{
	g_autoptr(JsonParser) p = json_parser_new();

	g_assert_true(json_parser_load_from_data(p, json, -1, NULL));
	return json_object_ref(json_node_get_object(json_parser_get_root(p)));
}

char *
relay_login(RelayFixture *f, const char *name, const char *password)
{
	g_autofree char *req =
		g_strdup_printf("{\"name\":\"%s\",\"password\":\"%s\"}", name, password);
	g_autofree char *body = NULL;

	if (relay_http(f, "POST", "/api/v1/login", NULL, req, &body) != 200)
		return NULL;
	return member(body, "token");
}

char *
relay_enrollment_token(RelayFixture *f, const char *appliance)
{
	g_autofree char *req =
		appliance ? g_strdup_printf("{\"appliance\":\"%s\"}", appliance) : g_strdup("{}");
	g_autofree char *body = NULL;

	g_assert_cmpuint(relay_http(f, "POST", "/api/v1/enrollments", f->op_token, req, &body), ==,
			 201);
	return member(body, "token");
}

guint
relay_signed_with(RelayFixture *f, const char *method, const char *path, const char *body,
		  const CavReqSig *sig, char **out_body)
{
	g_autofree char *url = g_strconcat(f->url, path, NULL);
	g_autoptr(SoupMessage) msg = soup_message_new(method, url);
	SoupMessageHeaders *h = soup_message_get_request_headers(msg);

	soup_message_headers_replace(h, CAV_REQSIGN_HEADER_KEY, sig->key_id);
	soup_message_headers_replace(h, CAV_REQSIGN_HEADER_TIME, sig->time);
	soup_message_headers_replace(h, CAV_REQSIGN_HEADER_NONCE, sig->nonce);
	soup_message_headers_replace(h, CAV_REQSIGN_HEADER_SIGNATURE, sig->signature);
	return http_send(f, msg, body, out_body);
}

guint
relay_signed(RelayFixture *f, const char *method, const char *path, const char *body,
	     char **out_body)
{
	g_autoptr(CavReqSig) sig =
		cav_reqsign_make(f->signer, method, path, (const guint8 *)body,
				 body ? strlen(body) : 0, g_get_real_time(), NULL);

	return relay_signed_with(f, method, path, body, sig, out_body);
}

guint
relay_enroll(RelayFixture *f, const char *token, char **out_body)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree char *body = NULL;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "token");
	json_builder_add_string_value(b, token);
	json_builder_set_member_name(b, "public_key");
	json_builder_add_string_value(b, cav_signer_public_pem(f->signer));
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	body = json_generator_to_data(gen, NULL);
	return relay_signed(f, "POST", "/api/v1/appliance/enroll", body, out_body);
}

/* ---- publisher ------------------------------------------------------------------ */

static int
udp_socket(void)
{
	struct sockaddr_in any = {0};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	any.sin_family = AF_INET;
	any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g_assert_cmpint(bind(fd, (struct sockaddr *)&any, sizeof any), ==, 0);
	return fd;
}

static void
connect_to(int fd, JsonObject *o)
{
	struct sockaddr_in a = {0};

	a.sin_family = AF_INET;
	a.sin_port = htons((guint16)json_object_get_int_member(o, "media_port"));
	inet_pton(AF_INET, json_object_get_string_member(o, "media_host"), &a.sin_addr);
	g_assert_cmpint(connect(fd, (struct sockaddr *)&a, sizeof a), ==, 0);
}

static void
make_sessions(JsonObject *o, CavSrtp **tx, CavSrtp **rx)
{
	CavSrtpSuite suite;
	guint8 key[32];

	g_assert_true(cav_srtp_suite_parse(json_object_get_string_member(o, "suite"), &suite));
	g_assert_true(cav_srtp_key_decode(suite, json_object_get_string_member(o, "key"), key));
	*tx = cav_srtp_new(suite, key, TRUE, NULL);
	*rx = cav_srtp_new(suite, key, FALSE, NULL);
}

TestPublisher *
test_publisher_new(RelayFixture *f, const char *room)
{
	TestPublisher *p = g_new0(TestPublisher, 1);
	g_autofree char *req = g_strdup_printf("{\"room\":\"%s\"}", room);
	g_autofree char *body = NULL;
	g_autoptr(JsonObject) o = NULL;

	g_assert_cmpuint(relay_signed(f, "POST", "/api/v1/appliance/streams", req, &body), ==, 201);
	o = parse(body);
	make_sessions(o, &p->tx, &p->rx);
	p->ssrc_v = (guint32)json_object_get_int_member(o, "ssrc_video");
	p->ssrc_a = (guint32)json_object_get_int_member(o, "ssrc_audio");
	p->seq = (guint16)g_random_int();
	p->ts = g_random_int();
	p->fd = udp_socket();
	connect_to(p->fd, o);
	return p;
}

void
test_publisher_free(TestPublisher *p)
{
	close(p->fd);
	cav_srtp_free(p->tx);
	cav_srtp_free(p->rx);
	g_free(p);
}

static gsize
rtp(guint8 *b, guint8 pt, guint32 ssrc, guint16 seq, guint32 ts, guint8 nal, gsize payload)
{
	b[0] = 0x80;
	b[1] = pt | 0x80;
	b[2] = seq >> 8;
	b[3] = seq;
	b[4] = ts >> 24;
	b[5] = ts >> 16;
	b[6] = ts >> 8;
	b[7] = ts;
	b[8] = ssrc >> 24;
	b[9] = ssrc >> 16;
	b[10] = ssrc >> 8;
	b[11] = ssrc;
	b[12] = nal;
	memset(b + 13, 0xab, payload - 1);
	return 12 + payload;
}

void
test_publisher_send(TestPublisher *p, guint n, gboolean key)
{
	for (guint i = 0; i < n; i++) {
		guint8 b[2048];
		gsize len = rtp(b, CAV_RTP_PT_H264, p->ssrc_v, p->seq++, p->ts,
				key && i == 0 ? 0x65 : 0x41, 400);

		p->ts += 3600;
		g_assert_cmpint(cav_srtp_protect(p->tx, b, &len), ==, CAV_SRTP_OK);
		memcpy(p->last, b, len);
		p->last_len = len;
		g_assert_cmpint(send(p->fd, b, len, 0), ==, (ssize_t)len);
		g_usleep(1000);
	}
}

void
test_publisher_send_bad(TestPublisher *p)
{
	guint8 b[2048];
	gsize len;

	/* Replayed: the last packet again. */
	send(p->fd, p->last, p->last_len, 0);
	/* Tampered: a flipped payload bit (its sequence number is used again
	 * by the next real packet: a failed check must not burn it). */
	len = rtp(b, CAV_RTP_PT_H264, p->ssrc_v, p->seq, p->ts, 0x41, 300);
	cav_srtp_protect(p->tx, b, &len);
	b[40] ^= 0x10;
	send(p->fd, b, len, 0);
	/* Forged with another key: an auth failure too. */
	len = rtp(b, CAV_RTP_PT_H264, p->ssrc_v, (guint16)(p->seq + 500), p->ts, 0x41, 300);
	memset(b + len, 0, 16);
	send(p->fd, b, len + 16, 0);
	/* Unknown SSRC. */
	len = rtp(b, CAV_RTP_PT_H264, 0x12345678, 1, 1, 0x41, 100);
	send(p->fd, b, len, 0);
	/* Oversize. */
	memset(b, 0x80, 1600);
	send(p->fd, b, 1600, 0);
	/* Short. */
	send(p->fd, b, 5, 0);
	/* Not version 2. */
	b[0] = 0x40;
	send(p->fd, b, 100, 0);
	/* Authentic, but a payload type the stream does not carry (numbered
	 * ahead, inside the replay window, so the stream's own go on). */
	len = rtp(b, 100, p->ssrc_v, (guint16)(p->seq + 600), p->ts, 0x41, 100);
	cav_srtp_protect(p->tx, b, &len);
	send(p->fd, b, len, 0);
	/* Malformed RTCP from the publisher's SSRC (unauthenticated). */
	b[0] = 0x80;
	b[1] = 200;
	b[2] = 0xff;
	b[3] = 0xff;
	b[4] = p->ssrc_v >> 24;
	b[5] = p->ssrc_v >> 16;
	b[6] = p->ssrc_v >> 8;
	b[7] = p->ssrc_v;
	send(p->fd, b, 30, 0);
}

guint
test_publisher_plis(TestPublisher *p)
{
	guint8 b[2048];
	ssize_t n;

	while ((n = recv(p->fd, b, sizeof b, MSG_DONTWAIT)) > 0) {
		gsize len = (gsize)n, off = 0;
		CavRtcpPacket pk;

		if (cav_srtp_unprotect_rtcp(p->rx, b, &len) != CAV_SRTP_OK)
			continue;
		while (cav_rtcp_next(b, len, &off, &pk))
			if (pk.type == CAV_RTCP_PSFB && pk.count == 1)
				p->plis++;
	}
	return p->plis;
}

/* ---- subscriber ------------------------------------------------------------------ */

static void
sub_rtcp(TestSubscriber *s, const guint16 *nack, guint n)
{
	guint8 b[512];
	gsize len = cav_rtcp_build_rr(b, 400, s->rtcp_ssrc, NULL, 0);

	if (n > 0)
		len += cav_rtcp_build_nack(b + len, 400 - len, s->rtcp_ssrc, s->ssrc, nack, n);
	g_assert_cmpint(cav_srtp_protect_rtcp(s->tx, b, &len), ==, CAV_SRTP_OK);
	sendto(s->fd, b, len, 0, (struct sockaddr *)&s->relay, sizeof s->relay);
}

TestSubscriber *
test_subscriber_new(RelayFixture *f, const char *room_key)
{
	TestSubscriber *s = g_new0(TestSubscriber, 1);
	g_autofree char *path = g_strdup_printf("/api/v1/live/%s/subscribers", room_key);
	g_autofree char *body = NULL;
	g_autoptr(JsonObject) o = NULL;

	g_assert_cmpuint(relay_http(f, "POST", path, f->op_token, "{}", &body), ==, 201);
	o = parse(body);
	make_sessions(o, &s->tx, &s->rx);
	s->rtcp_ssrc = (guint32)json_object_get_int_member(o, "rtcp_ssrc");
	s->ssrc = (guint32)json_object_get_int_member(o, "ssrc_video");
	s->relay.sin_family = AF_INET;
	s->relay.sin_port = htons((guint16)json_object_get_int_member(o, "media_port"));
	inet_pton(AF_INET, json_object_get_string_member(o, "media_host"), &s->relay.sin_addr);
	s->fd = udp_socket();
	sub_rtcp(s, NULL, 0); /* latch */
	relay_wait(f, 50);
	return s;
}

void
test_subscriber_free(TestSubscriber *s)
{
	close(s->fd);
	cav_srtp_free(s->tx);
	cav_srtp_free(s->rx);
	g_free(s);
}

void
test_subscriber_nack(TestSubscriber *s, guint16 seq)
{
	sub_rtcp(s, &seq, 1);
}

void
test_subscriber_receive(RelayFixture *f, TestSubscriber *s, guint ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	while (g_get_monotonic_time() < end) {
		guint8 b[2048];
		ssize_t n = recv(s->fd, b, sizeof b, MSG_DONTWAIT);
		gsize len = n > 0 ? (gsize)n : 0;
		CavRtpHeader h;
		gint16 d;

		g_main_context_iteration(NULL, FALSE);
		if (n <= 0) {
			g_usleep(1000);
			continue;
		}
		if (++s->received == s->drop_index && len >= 12) {
			s->dropped_seq = (guint16)((b[2] << 8) | b[3]);
			continue;
		}
		if (cav_srtp_unprotect(s->rx, b, &len) != CAV_SRTP_OK) {
			s->auth_fail++;
			continue;
		}
		if (!cav_rtp_parse(b, len, &h) || h.payload_type != CAV_RTP_PT_H264)
			continue;
		if (h.ssrc != s->ssrc)
			s->ssrc_changes++;
		s->video++;
		if (!s->init) {
			s->init = TRUE;
			s->max_seq = h.seq;
			s->last_ts = h.timestamp;
			continue;
		}
		d = (gint16)(h.seq - s->max_seq);
		if (d <= 0) {
			s->late++;
			continue;
		}
		if (d > 100)
			s->big_jumps++;
		s->gaps += (guint)(d - 1);
		if ((gint32)(h.timestamp - s->last_ts) < 0)
			s->ts_backwards++;
		s->max_seq = h.seq;
		s->last_ts = h.timestamp;
	}
}
