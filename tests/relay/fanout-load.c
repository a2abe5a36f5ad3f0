/* fanout-load.c — load for bench/relay-fanout.sh: one synthetic publisher
 * at a fixed bitrate (1200-byte RTP packets whose payload carries the send
 * time) and N subscribers on loopback, each decrypting with its own key.
 * Prints the added latency (publisher send → subscriber decrypted,
 * p50/p99) and the loss, as JSON.
 *
 *   fanout-load --api URL --token T --subscribers N --seconds S [--kbps 2000]
 *
 * The publisher enrolls a fresh device key with a token the operator
 * creates, exactly as an appliance does.
 */
#include "common/reqsign.h"
#include "common/rtp.h"
#include "common/srtp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define PAYLOAD 1200

static char *opt_api, *opt_token, *opt_mirror;
static int opt_subs = 10, opt_seconds = 10, opt_kbps = 2000, opt_pid, opt_probe = 10;

typedef struct {
	int fd;
	CavSrtp *rx;
	guint64 received;
} Sub;

static SoupSession *session;

static JsonObject *
call(const char *method, const char *path, const char *body, const CavSigner *signer, guint want)
{
	g_autofree char *url = g_strconcat(opt_api, path, NULL);
	g_autoptr(SoupMessage) msg = soup_message_new(method, url);
	SoupMessageHeaders *h = soup_message_get_request_headers(msg);
	g_autoptr(GBytes) reply = NULL;
	g_autoptr(JsonParser) p = json_parser_new();

	soup_message_add_flags(msg, SOUP_MESSAGE_IDEMPOTENT);
	if (signer != NULL) {
		g_autoptr(CavReqSig) sig =
			cav_reqsign_make(signer, method, path, (const guint8 *)body,
					 body ? strlen(body) : 0, g_get_real_time(), NULL);

		soup_message_headers_replace(h, CAV_REQSIGN_HEADER_KEY, sig->key_id);
		soup_message_headers_replace(h, CAV_REQSIGN_HEADER_TIME, sig->time);
		soup_message_headers_replace(h, CAV_REQSIGN_HEADER_NONCE, sig->nonce);
		soup_message_headers_replace(h, CAV_REQSIGN_HEADER_SIGNATURE, sig->signature);
	} else {
		g_autofree char *auth = g_strdup_printf("Bearer %s", opt_token);

		soup_message_headers_replace(h, "Authorization", auth);
	}
	if (body != NULL) {
		g_autoptr(GBytes) b = g_bytes_new(body, strlen(body));

		soup_message_set_request_body_from_bytes(msg, "application/json", b);
	}
	reply = soup_session_send_and_read(session, msg, NULL, NULL);
	if (reply == NULL || soup_message_get_status(msg) != want ||
	    !json_parser_load_from_data(p, g_bytes_get_data(reply, NULL),
					(gssize)g_bytes_get_size(reply), NULL)) {
		g_printerr("fanout-load: %s %s: HTTP %u\n", method, path,
			   soup_message_get_status(msg));
		exit(1);
	}
	return json_object_ref(json_node_get_object(json_parser_get_root(p)));
}

static void
sessions_of(JsonObject *o, CavSrtp **tx, CavSrtp **rx)
{
	CavSrtpSuite suite;
	guint8 key[32];

	if (!cav_srtp_suite_parse(json_object_get_string_member(o, "suite"), &suite) ||
	    !cav_srtp_key_decode(suite, json_object_get_string_member(o, "key"), key))
		exit(1);
	*tx = cav_srtp_new(suite, key, TRUE, NULL);
	*rx = cav_srtp_new(suite, key, FALSE, NULL);
}

static void
addr_of(JsonObject *o, struct sockaddr_in *a)
{
	memset(a, 0, sizeof *a);
	a->sin_family = AF_INET;
	a->sin_port = htons((guint16)json_object_get_int_member(o, "media_port"));
	inet_pton(AF_INET, json_object_get_string_member(o, "media_host"), &a->sin_addr);
}

/* utime + stime of @pid in clock ticks, or -1. */
static gint64
cpu_ticks(int pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/stat", pid);
	g_autofree char *text = NULL;
	g_auto(GStrv) f = NULL;
	const char *p;

	if (pid <= 0 || !g_file_get_contents(path, &text, NULL, NULL) ||
	    (p = strrchr(text, ')')) == NULL)
		return -1;
	f = g_strsplit(p + 2, " ", 0);
	if (g_strv_length(f) < 15)
		return -1;
	return g_ascii_strtoll(f[11], NULL, 10) + g_ascii_strtoll(f[12], NULL, 10);
}

static int
cmp_i64(const void *a, const void *b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	GOptionEntry entries[] = {
		{"api", 0, 0, G_OPTION_ARG_STRING, &opt_api, "relay API base URL", "URL"},
		{"token", 0, 0, G_OPTION_ARG_STRING, &opt_token, "operator bearer token", "T"},
		{"subscribers", 0, 0, G_OPTION_ARG_INT, &opt_subs, "subscribers", "N"},
		{"seconds", 0, 0, G_OPTION_ARG_INT, &opt_seconds, "measurement time", "S"},
		{"kbps", 0, 0, G_OPTION_ARG_INT, &opt_kbps, "stream bitrate", "K"},
		{"probe", 0, 0, G_OPTION_ARG_INT, &opt_probe,
		 "subscribers that read and time packets (the rest only subscribe)", "K"},
		{"pid", 0, 0, G_OPTION_ARG_INT, &opt_pid, "relay process: its CPU time is measured",
		 "P"},
		{"mirror", 0, 0, G_OPTION_ARG_STRING, &opt_mirror,
		 "also send the plain RTP to IP:PORT (a Janus mountpoint)", "A"},
		{NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- relay fan-out load");
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp("fanout-load-XXXXXX", NULL);
	g_autofree char *keypath = g_build_filename(dir, "key.pem", NULL);
	g_autoptr(CavSigner) signer = NULL;
	g_autoptr(JsonObject) tok = NULL, pub = NULL;
	g_autofree char *enroll = NULL, *room = NULL;
	g_autoptr(GArray) lat = g_array_new(FALSE, FALSE, sizeof(gint64));
	CavSrtp *ptx, *prx;
	struct sockaddr_in relay;
	Sub *subs;
	int pfd, ep, mfd = -1;
	struct sockaddr_in mirror = {0};
	gint64 cpu0 = -1, cpu1 = -1, cpu_t0 = 0, cpu_t1 = 0;
	guint32 ssrc;
	guint16 seq = 1;
	guint32 ts = 0;
	gint64 start, end, next, interval_ns, warm;
	guint64 sent = 0, received = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error) || !opt_api || !opt_token)
		return 2;
	session = soup_session_new_with_options("timeout", 30, NULL);
	signer = cav_signer_load_or_create(keypath, "ed25519", &error);
	room = g_strdup_printf("bench%u", g_random_int() % 100000);
	tok = call("POST", "/api/v1/enrollments", "{}", NULL, 201);
	enroll = g_strdup_printf("{\"token\":\"%s\",\"public_key\":\"%s\"}",
				 json_object_get_string_member(tok, "token"),
				 g_strescape(cav_signer_public_pem(signer), NULL));
	json_object_unref(call("POST", "/api/v1/appliance/enroll", enroll, signer, 201));
	{
		g_autofree char *b = g_strdup_printf("{\"room\":\"%s\"}", room);

		pub = call("POST", "/api/v1/appliance/streams", b, signer, 201);
	}
	sessions_of(pub, &ptx, &prx);
	ssrc = (guint32)json_object_get_int_member(pub, "ssrc_video");
	addr_of(pub, &relay);
	pfd = socket(AF_INET, SOCK_DGRAM, 0);
	connect(pfd, (struct sockaddr *)&relay, sizeof relay);
	subs = g_new0(Sub, opt_subs);
	ep = epoll_create1(0);
	for (int i = 0; i < opt_subs; i++) {
		g_autofree char *p2 =
			g_strdup_printf("/api/v1/live/%s/subscribers",
					json_object_get_string_member(pub, "room_key"));
		g_autoptr(JsonObject) o = call("POST", p2, "{}", NULL, 201);
		CavSrtp *stx;
		struct sockaddr_in a;
		guint8 rr[64];
		gsize n;
		int rcv = i < opt_probe ? 1 << 20 : 4096;
		struct epoll_event ev = {EPOLLIN, {.u32 = (guint32)i}};

		sessions_of(o, &stx, &subs[i].rx);
		addr_of(o, &a);
		subs[i].fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		setsockopt(subs[i].fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
		n = cav_rtcp_build_rr(rr, 40, (guint32)json_object_get_int_member(o, "rtcp_ssrc"),
				      NULL, 0);
		cav_srtp_protect_rtcp(stx, rr, &n);
		sendto(subs[i].fd, rr, n, 0, (struct sockaddr *)&a, sizeof a);
		cav_srtp_free(stx);
		/* Only the probes read: the others cost the relay the same and
		 * this process nothing, so it does not compete for the CPU. */
		if (i < opt_probe)
			epoll_ctl(ep, EPOLL_CTL_ADD, subs[i].fd, &ev);
	}
	if (opt_mirror != NULL && strrchr(opt_mirror, ':') != NULL) {
		char *c = strrchr(opt_mirror, ':');

		*c = '\0';
		mirror.sin_family = AF_INET;
		mirror.sin_port = htons((guint16)atoi(c + 1));
		inet_pton(AF_INET, opt_mirror, &mirror.sin_addr);
		mfd = socket(AF_INET, SOCK_DGRAM, 0);
	}
	g_usleep(300 * 1000);
	interval_ns = (gint64)PAYLOAD * 8 * 1000000000LL / ((gint64)opt_kbps * 1000);
	start = g_get_monotonic_time();
	warm = start + G_USEC_PER_SEC; /* the first second (keyframe wait) is not measured */
	end = start + (gint64)(opt_seconds + 1) * G_USEC_PER_SEC;
	next = start * 1000;
	while (g_get_monotonic_time() < end) {
		struct epoll_event evs[64];
		gint64 now_ns = g_get_monotonic_time() * 1000;
		int n;

		while (now_ns >= next) {
			guint8 b[PAYLOAD + 64];
			gsize len = 12 + PAYLOAD;
			gint64 t = g_get_monotonic_time();

			b[0] = 0x80;
			b[1] = CAV_RTP_PT_H264;
			b[2] = seq >> 8;
			b[3] = seq & 0xff;
			b[4] = ts >> 24;
			b[5] = ts >> 16;
			b[6] = ts >> 8;
			b[7] = ts;
			b[8] = ssrc >> 24;
			b[9] = ssrc >> 16;
			b[10] = ssrc >> 8;
			b[11] = ssrc;
			memset(b + 12, 0x5a, PAYLOAD);
			b[12] = seq % 50 == 1 ? 0x65 : 0x41; /* an "IDR" every 50 packets */
			memcpy(b + 13, &t, sizeof t);
			seq++;
			ts += 3600 / 4;
			if (mfd >= 0)
				sendto(mfd, b, len, 0, (struct sockaddr *)&mirror, sizeof mirror);
			cav_srtp_protect(ptx, b, &len);
			send(pfd, b, len, 0);
			if (t >= warm)
				sent++;
			if (t >= warm && cpu0 < 0) {
				cpu0 = cpu_ticks(opt_pid);
				cpu_t0 = t;
			}
			next += interval_ns;
		}
		n = epoll_wait(ep, evs, 64, 1);
		for (int i = 0; i < n; i++) {
			Sub *s = &subs[evs[i].data.u32];
			guint8 b[2048];
			ssize_t r;

			while ((r = recv(s->fd, b, sizeof b, 0)) > 0) {
				gsize len = (gsize)r;
				CavRtpHeader h;
				gint64 t, now = g_get_monotonic_time();

				if (cav_srtp_unprotect(s->rx, b, &len) != CAV_SRTP_OK ||
				    !cav_rtp_parse(b, len, &h) || h.payload_len < 9)
					continue;
				memcpy(&t, b + h.header_len + 1, sizeof t);
				if (t < warm)
					continue;
				s->received++;
				received++;
				g_array_append_val(lat, (gint64){now - t});
			}
		}
	}
	cpu1 = cpu_ticks(opt_pid);
	cpu_t1 = g_get_monotonic_time();
	g_array_sort(lat, cmp_i64);
	printf("{\"subscribers\": %d, \"kbps\": %d, \"sent\": %" G_GUINT64_FORMAT
	       ", \"received\": %" G_GUINT64_FORMAT
	       ", \"loss_pct\": %.3f, \"latency_p50_us\": %" G_GINT64_FORMAT
	       ", \"latency_p99_us\": %" G_GINT64_FORMAT ", \"latency_p90_us\": %" G_GINT64_FORMAT
	       ", \"latency_max_us\": %" G_GINT64_FORMAT ", \"relay_cpu_pct\": %.2f}\n",
	       opt_subs, opt_kbps, sent, received,
	       sent ? 100.0 * (1.0 - (double)received / ((double)sent * MIN(opt_subs, opt_probe)))
		    : 0.0,
	       lat->len ? g_array_index(lat, gint64, lat->len / 2) : -1,
	       lat->len ? g_array_index(lat, gint64, lat->len * 99 / 100) : -1,
	       lat->len ? g_array_index(lat, gint64, lat->len * 90 / 100) : -1,
	       lat->len ? g_array_index(lat, gint64, lat->len - 1) : -1,
	       cpu0 >= 0 && cpu1 >= 0 && cpu_t1 > cpu_t0
		       ? 100.0 * (double)(cpu1 - cpu0) / sysconf(_SC_CLK_TCK) /
				 ((double)(cpu_t1 - cpu_t0) / G_USEC_PER_SEC)
		       : -1.0);
	return 0;
}
