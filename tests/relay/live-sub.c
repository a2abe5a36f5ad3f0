/* live-sub.c — an internal subscriber of courtav-relay for the tests and
 * the benchmark: subscribes over the control API, latches with SRTCP
 * receiver reports from its own UDP socket, receives and decrypts the
 * stream, checks that the SSRCs never change and the sequence numbers run
 * on without jumps, answers gaps with NACKs, and decodes the video
 * (rtph264depay ! avdec_h264) to count real pictures. Prints one JSON
 * object at the end.
 *
 *   live-sub --api URL --token T --room KEY [--seconds N] [--no-decode]
 *            [--progress FILE]   (a line per second: packets, frames)
 * SIGTERM ends the run early, still printing the report.
 */
#include "common/rtp.h"
#include "common/srtp.h"

#include <arpa/inet.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
	guint32 ssrc;
	gboolean init;
	guint16 max_seq;
	guint64 packets;
	guint64 gaps;      /* sequence numbers skipped (before any retransmission) */
	guint64 late;      /* arrivals below the highest (reorder or retransmission) */
	guint64 big_jumps; /* a jump of more than 100: the rewrite failed */
	guint32 last_ts;
	guint64 ts_backwards;
} Track;

static char *opt_api, *opt_token, *opt_room, *opt_progress;
static int opt_seconds = 10;
static gboolean opt_no_decode;

static JsonObject *
subscribe(SoupSession *session, GError **error)
{
	g_autofree char *url = g_strdup_printf("%s/api/v1/live/%s/subscribers", opt_api, opt_room);
	g_autoptr(SoupMessage) msg = soup_message_new("POST", url);
	g_autofree char *auth = g_strdup_printf("Bearer %s", opt_token);
	g_autoptr(GBytes) body = g_bytes_new_static("{}", 2);
	g_autoptr(GBytes) reply = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	gsize n = 0;
	const char *data;

	soup_message_headers_replace(soup_message_get_request_headers(msg), "Authorization", auth);
	soup_message_set_request_body_from_bytes(msg, "application/json", body);
	reply = soup_session_send_and_read(session, msg, NULL, error);
	if (reply == NULL)
		return NULL;
	data = g_bytes_get_data(reply, &n);
	if (soup_message_get_status(msg) != 201 ||
	    !json_parser_load_from_data(parser, data, (gssize)n, error)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "subscribe: HTTP %u: %.*s",
			    soup_message_get_status(msg), (int)n, data);
		return NULL;
	}
	return json_object_ref(json_node_get_object(json_parser_get_root(parser)));
}

static void
send_rtcp(int fd, const struct sockaddr_in *relay, CavSrtp *tx, guint32 own, Track *t,
	  const guint16 *nack, guint n_nack)
{
	guint8 buf[512 + CAV_SRTP_MAX_TRAILER];
	CavRtcpReportBlock b = {t[0].ssrc, 0, 0, t[0].max_seq, 0, 0, 0};
	gsize len = cav_rtcp_build_rr(buf, 512, own, &b, 1);

	if (n_nack > 0)
		len += cav_rtcp_build_nack(buf + len, 512 - len, own, t[0].ssrc, nack, n_nack);
	if (cav_srtp_protect_rtcp(tx, buf, &len) == CAV_SRTP_OK)
		sendto(fd, buf, len, 0, (const struct sockaddr *)relay, sizeof *relay);
}

static guint64 frames;
static volatile sig_atomic_t stop_now;

static void
on_term(int sig)
{
	stop_now = 1;
}

static GstPadProbeReturn
on_frame(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	frames++;
	return GST_PAD_PROBE_OK;
}

static GstElement *
make_decoder(GstAppSrc **src)
{
	g_autoptr(GError) error = NULL;
	GstElement *p = gst_parse_launch(
		"appsrc name=src is-live=true format=time do-timestamp=true "
		"caps=application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=96 "
		"! "
		"rtpjitterbuffer latency=100 ! rtph264depay ! h264parse ! avdec_h264 ! "
		"fakesink name=sink sync=false",
		&error);
	g_autoptr(GstElement) sink = NULL;
	g_autoptr(GstPad) pad = NULL;

	if (p == NULL) {
		g_printerr("live-sub: %s\n", error->message);
		return NULL;
	}
	*src = GST_APP_SRC(gst_bin_get_by_name(GST_BIN(p), "src"));
	sink = gst_bin_get_by_name(GST_BIN(p), "sink");
	pad = gst_element_get_static_pad(sink, "sink");
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_frame, NULL, NULL);
	gst_element_set_state(p, GST_STATE_PLAYING);
	return p;
}

static void
track_packet(Track *t, const CavRtpHeader *h, GArray *missing)
{
	gint16 d;

	t->packets++;
	if (!t->init) {
		t->init = TRUE;
		t->max_seq = h->seq;
		t->last_ts = h->timestamp;
		return;
	}
	d = (gint16)(h->seq - t->max_seq);
	if (d > 0) {
		if (d > 100)
			t->big_jumps++;
		for (guint16 k = 1; k < (guint16)d && k < 64; k++) {
			guint16 s = (guint16)(t->max_seq + k);

			g_array_append_val(missing, s);
		}
		t->gaps += (guint)(d - 1);
		t->max_seq = h->seq;
		if ((gint32)(h->timestamp - t->last_ts) < 0)
			t->ts_backwards++;
		t->last_ts = h->timestamp;
	} else {
		t->late++;
	}
}

int
main(int argc, char **argv)
{
	GOptionEntry entries[] = {
		{"api", 0, 0, G_OPTION_ARG_STRING, &opt_api, "relay API base URL", "URL"},
		{"token", 0, 0, G_OPTION_ARG_STRING, &opt_token, "bearer token", "T"},
		{"room", 0, 0, G_OPTION_ARG_STRING, &opt_room, "room key", "A/R"},
		{"seconds", 0, 0, G_OPTION_ARG_INT, &opt_seconds, "how long", "N"},
		{"no-decode", 0, 0, G_OPTION_ARG_NONE, &opt_no_decode, "do not decode", NULL},
		{"progress", 0, 0, G_OPTION_ARG_FILENAME, &opt_progress, "per-second lines", "F"},
		{NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- courtav-relay test subscriber");
	g_autoptr(GError) error = NULL;
	g_autoptr(SoupSession) session = NULL;
	g_autoptr(JsonObject) sub = NULL;
	g_autoptr(GArray) missing = g_array_new(FALSE, FALSE, sizeof(guint16));
	g_autoptr(CavSrtp) rx = NULL, tx = NULL;
	FILE *progress = NULL;
	GstElement *dec = NULL;
	GstAppSrc *src = NULL;
	struct sockaddr_in relay = {0}, any = {0};
	Track t[2] = {{0}};
	CavSrtpSuite suite;
	guint8 key[32];
	guint32 own;
	guint64 auth_fail = 0, other_ssrc = 0, nacks = 0;
	gint64 first_video_us = 0;
	gint64 start, end, last_rr = 0, last_video = 0, max_video_gap = 0, first_frame_us = 0,
			   next_progress;
	int fd;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error) || !opt_api || !opt_token ||
	    !opt_room) {
		g_printerr("live-sub: --api, --token and --room are needed\n");
		return 2;
	}
	gst_init(NULL, NULL);
	session = soup_session_new();
	sub = subscribe(session, &error);
	if (sub == NULL) {
		g_printerr("live-sub: %s\n", error->message);
		return 1;
	}
	if (!cav_srtp_suite_parse(json_object_get_string_member(sub, "suite"), &suite) ||
	    !cav_srtp_key_decode(suite, json_object_get_string_member(sub, "key"), key))
		return 1;
	rx = cav_srtp_new(suite, key, FALSE, NULL);
	tx = cav_srtp_new(suite, key, TRUE, NULL);
	own = (guint32)json_object_get_int_member(sub, "rtcp_ssrc");
	t[0].ssrc = (guint32)json_object_get_int_member(sub, "ssrc_video");
	t[1].ssrc = (guint32)json_object_get_int_member(sub, "ssrc_audio");
	relay.sin_family = AF_INET;
	relay.sin_port = htons((guint16)json_object_get_int_member(sub, "media_port"));
	inet_pton(AF_INET, json_object_get_string_member(sub, "media_host"), &relay.sin_addr);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	any.sin_family = AF_INET;
	bind(fd, (struct sockaddr *)&any, sizeof any);
	if (!opt_no_decode)
		dec = make_decoder(&src);
	if (opt_progress != NULL)
		progress = fopen(opt_progress, "w");
	start = g_get_monotonic_time();
	end = start + (gint64)opt_seconds * G_USEC_PER_SEC;
	next_progress = start + G_USEC_PER_SEC;
	/* SIGTERM ends the run early, with the report. */
	signal(SIGTERM, on_term);
	while (g_get_monotonic_time() < end && !stop_now) {
		struct pollfd pfd = {fd, POLLIN, 0};
		guint8 buf[2048];
		gint64 now = g_get_monotonic_time();

		if (now - last_rr >= 500 * 1000) {
			send_rtcp(fd, &relay, tx, own, t, NULL, 0);
			last_rr = now;
		}
		if (now >= next_progress) {
			if (progress != NULL) {
				fprintf(progress,
					"%.1f %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\n",
					(now - start) / 1e6, t[0].packets + t[1].packets, frames);
				fflush(progress);
			}
			next_progress += G_USEC_PER_SEC;
		}
		if (poll(&pfd, 1, 50) > 0) {
			ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
			gsize len = n > 0 ? (gsize)n : 0;
			CavRtpHeader h;
			Track *tr;

			if (len == 0 || cav_rtp_is_rtcp(buf, len))
				continue;
			if (cav_srtp_unprotect(rx, buf, &len) != CAV_SRTP_OK) {
				auth_fail++;
				continue;
			}
			if (!cav_rtp_parse(buf, len, &h))
				continue;
			tr = h.ssrc == t[0].ssrc ? &t[0] : h.ssrc == t[1].ssrc ? &t[1] : NULL;
			if (tr == NULL) {
				other_ssrc++;
				continue;
			}
			g_array_set_size(missing, 0);
			track_packet(tr, &h, missing);
			if (tr == &t[0]) {
				now = g_get_monotonic_time();
				if (first_video_us == 0)
					first_video_us = now - start;
				if (last_video != 0 && now - last_video > max_video_gap)
					max_video_gap = now - last_video;
				last_video = now;
				if (missing->len > 0) {
					send_rtcp(fd, &relay, tx, own, t, (guint16 *)missing->data,
						  missing->len);
					nacks += missing->len;
				}
				if (src != NULL) {
					GstBuffer *b = gst_buffer_new_memdup(buf, len);

					gst_app_src_push_buffer(src, b);
				}
			}
			if (frames > 0 && first_frame_us == 0)
				first_frame_us = g_get_monotonic_time() - start;
		}
	}
	if (dec != NULL) {
		gst_element_set_state(dec, GST_STATE_NULL);
		gst_object_unref(src);
		gst_object_unref(dec);
	}
	if (progress != NULL)
		fclose(progress);
	printf("{\"video_packets\": %" G_GUINT64_FORMAT ", \"audio_packets\": %" G_GUINT64_FORMAT
	       ", \"video_gaps\": %" G_GUINT64_FORMAT ", \"audio_gaps\": %" G_GUINT64_FORMAT
	       ", \"late\": %" G_GUINT64_FORMAT ", \"big_jumps\": %" G_GUINT64_FORMAT
	       ", \"ts_backwards\": %" G_GUINT64_FORMAT ", \"other_ssrc\": %" G_GUINT64_FORMAT
	       ", \"auth_fail\": %" G_GUINT64_FORMAT ", \"nacks\": %" G_GUINT64_FORMAT
	       ", \"frames\": %" G_GUINT64_FORMAT ", \"first_frame_ms\": %" G_GINT64_FORMAT
	       ", \"first_video_ms\": %" G_GINT64_FORMAT ", \"max_video_gap_ms\": %" G_GINT64_FORMAT
	       ", \"id\": %" G_GINT64_FORMAT "}\n",
	       t[0].packets, t[1].packets, t[0].gaps, t[1].gaps, t[0].late + t[1].late,
	       t[0].big_jumps + t[1].big_jumps, t[0].ts_backwards + t[1].ts_backwards, other_ssrc,
	       auth_fail, nacks, frames, first_frame_us / 1000, first_video_us / 1000,
	       max_video_gap / 1000, json_object_get_int_member(sub, "id"));
	close(fd);
	return 0;
}
