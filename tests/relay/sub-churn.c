/* sub-churn.c — subscribes to and unsubscribes from a room of
 * courtav-relay over and over (each subscription latched by one SRTCP
 * packet, so the media plane really creates and drops its state), and
 * reads the relay's resident memory from /proc at the end of the warm-up
 * and at the end. Prints one JSON object.
 *
 *   sub-churn --api URL --token T --room KEY --pid PID [--cycles N] [--warmup N]
 */
#include "common/rtp.h"
#include "common/srtp.h"

#include <arpa/inet.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char *opt_api, *opt_token, *opt_room;
static int opt_pid, opt_cycles = 10000, opt_warmup = 2000;

static long
rss_kb(int pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/status", pid);
	g_autofree char *text = NULL;
	const char *p;

	if (!g_file_get_contents(path, &text, NULL, NULL) || (p = strstr(text, "VmRSS:")) == NULL)
		return -1;
	return strtol(p + 6, NULL, 10);
}

static guint
call(SoupSession *s, const char *method, const char *url, const char *body, char **out)
{
	g_autoptr(SoupMessage) msg = soup_message_new(method, url);
	g_autofree char *auth = g_strdup_printf("Bearer %s", opt_token);
	g_autoptr(GBytes) reply = NULL;

	soup_message_headers_replace(soup_message_get_request_headers(msg), "Authorization", auth);
	/* Reuse the one connection: libsoup opens a new one for each POST
	 * otherwise, and what is measured here is the relay, not libsoup's
	 * per-connection cost (docs/RELAY.md, "Known limits"). */
	soup_message_add_flags(msg, SOUP_MESSAGE_IDEMPOTENT);
	if (body != NULL) {
		g_autoptr(GBytes) b = g_bytes_new_static(body, strlen(body));

		soup_message_set_request_body_from_bytes(msg, "application/json", b);
	}
	reply = soup_session_send_and_read(s, msg, NULL, NULL);
	if (out != NULL && reply != NULL)
		*out = g_strndup(g_bytes_get_data(reply, NULL), g_bytes_get_size(reply));
	return soup_message_get_status(msg);
}

static gboolean
latch(int fd, JsonObject *o)
{
	struct sockaddr_in relay = {0};
	CavSrtpSuite suite;
	guint8 key[32], buf[256];
	g_autoptr(CavSrtp) tx = NULL;
	gsize len;

	if (!cav_srtp_suite_parse(json_object_get_string_member(o, "suite"), &suite) ||
	    !cav_srtp_key_decode(suite, json_object_get_string_member(o, "key"), key))
		return FALSE;
	tx = cav_srtp_new(suite, key, TRUE, NULL);
	len = cav_rtcp_build_rr(buf, 200, (guint32)json_object_get_int_member(o, "rtcp_ssrc"), NULL,
				0);
	cav_srtp_protect_rtcp(tx, buf, &len);
	relay.sin_family = AF_INET;
	relay.sin_port = htons((guint16)json_object_get_int_member(o, "media_port"));
	inet_pton(AF_INET, json_object_get_string_member(o, "media_host"), &relay.sin_addr);
	return sendto(fd, buf, len, 0, (struct sockaddr *)&relay, sizeof relay) > 0;
}

int
main(int argc, char **argv)
{
	GOptionEntry entries[] = {
		{"api", 0, 0, G_OPTION_ARG_STRING, &opt_api, "relay API base URL", "URL"},
		{"token", 0, 0, G_OPTION_ARG_STRING, &opt_token, "bearer token", "T"},
		{"room", 0, 0, G_OPTION_ARG_STRING, &opt_room, "room key", "A/R"},
		{"pid", 0, 0, G_OPTION_ARG_INT, &opt_pid, "the relay's process id", "PID"},
		{"cycles", 0, 0, G_OPTION_ARG_INT, &opt_cycles, "cycles", "N"},
		{"warmup", 0, 0, G_OPTION_ARG_INT, &opt_warmup, "cycles before the first RSS", "N"},
		{NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- subscriber churn");
	g_autoptr(GError) error = NULL;
	g_autoptr(SoupSession) session = soup_session_new();
	g_autofree char *url = NULL;
	long rss_start = 0, rss_warm = 0, rss_end;
	guint failures = 0;
	gint64 t0;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error) || !opt_api || !opt_token ||
	    !opt_room || opt_pid <= 0) {
		g_printerr("sub-churn: --api, --token, --room and --pid are needed\n");
		return 2;
	}
	url = g_strdup_printf("%s/api/v1/live/%s/subscribers", opt_api, opt_room);
	if (g_getenv("CHURN_LOG")) {
		g_autoptr(SoupLogger) logger = soup_logger_new(SOUP_LOGGER_LOG_HEADERS);

		soup_session_add_feature(session, SOUP_SESSION_FEATURE(logger));
	}
	rss_start = rss_kb(opt_pid);
	t0 = g_get_monotonic_time();
	for (int i = 0; i < opt_cycles; i++) {
		g_autofree char *body = NULL;
		g_autofree char *del = NULL;
		g_autoptr(JsonParser) p = json_parser_new();
		JsonObject *o;

		if (i % 1000 == 0)
			g_printerr("cycle %d: RSS %ld KiB, %.1f s\n", i, rss_kb(opt_pid),
				   (g_get_monotonic_time() - t0) / 1e6);
		if (i == opt_warmup) {
			g_usleep(300 * 1000); /* let the workers release the last ones */
			rss_warm = rss_kb(opt_pid);
		}
		if (call(session, "POST", url, "{}", &body) != 201 ||
		    !json_parser_load_from_data(p, body, -1, NULL)) {
			failures++;
			continue;
		}
		o = json_node_get_object(json_parser_get_root(p));
		if (!latch(fd, o))
			failures++;
		del = g_strdup_printf("%s/%" G_GINT64_FORMAT, url,
				      json_object_get_int_member(o, "id"));
		if (call(session, "DELETE", del, NULL, NULL) != 200)
			failures++;
	}
	g_usleep(500 * 1000);
	rss_end = rss_kb(opt_pid);
	printf("{\"cycles\": %d, \"failures\": %u, \"seconds\": %.1f, \"rss_start_kb\": %ld, "
	       "\"rss_warm_kb\": %ld, \"rss_end_kb\": %ld}\n",
	       opt_cycles, failures, (g_get_monotonic_time() - t0) / 1e6, rss_start, rss_warm,
	       rss_end);
	close(fd);
	return failures == 0 ? 0 : 1;
}
