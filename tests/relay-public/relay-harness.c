/* relay-harness — the real courtav-relay (CavRelay: registry, HTTP router,
 * directory, public outputs, web UI) with the appliance leg simulated in
 * process: local test publishers (rtp-sender.c) deliver RTP to the relay's
 * streams exactly where the SRTP ingest would (cav_stream_deliver), and the
 * directory is set from commands on standard input, as heartbeats would.
 * Used by the public-output tests to exercise states an appliance takes
 * minutes to reach (public/non-public, recess, end, revocation) in seconds.
 * The end-to-end path with a real courtavd lives in the relay core tests.
 *
 * Usage: relay-harness --config relay.ini
 * Prints "API at http://…/api/v1" like the daemon, then "ready".
 * Commands (one per line), ROOM is a room key such as t1/pub:
 *   set ROOM public=0|1 live=0|1 hearing=N [case=...]   directory entry
 *   remove ROOM                                          appliance gone
 *   quit
 * Each room gets a publisher (SMPTE bars and a tone) on first use; its
 * packets keep flowing whatever the directory says, as they would from an
 * appliance: only the directory decides what becomes public.
 */
#include <gst/gst.h>
#include <stdio.h>
#include <string.h>

#include "relay/directory-private.h"
#include "relay/relay.h"
#include "relay/stream.h"
#include "rtp-sender.h"

typedef struct {
	char *key;
	CavStream *stream;
	CavTestSender *sender;
} Pub;

static CavRelay *relay;
static GHashTable *pubs; /* key -> Pub */

/* Sender streaming thread: what the ingest worker does per packet. */
static void
deliver(CavRtpMedia media, const guint8 *packet, gsize len, gpointer user_data)
{
	Pub *p = user_data;

	cav_stream_deliver(p->stream, media, packet, len);
}

/* Keyframe requests (the PLI the ingest would send) every 200 ms. */
static gboolean
poll_keyframes(gpointer data)
{
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, pubs);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		Pub *p = v;

		if (cav_stream_take_keyframe_request(p->stream))
			cav_test_sender_keyframe(p->sender);
	}
	return G_SOURCE_CONTINUE;
}

static Pub *
pub_get(const char *key)
{
	Pub *p = g_hash_table_lookup(pubs, key);

	if (p == NULL) {
		p = g_new0(Pub, 1);
		p->key = g_strdup(key);
		p->stream = cav_stream_obtain(key);
		p->sender = cav_test_sender_new(640, 360, "smpte", deliver, p);
		g_hash_table_insert(pubs, p->key, p);
	}
	return p;
}

static void
command(char *line)
{
	g_auto(GStrv) w = g_strsplit(g_strstrip(line), " ", -1);
	CavDirectory *dir = cav_relay_directory(relay);

	if (w[0] == NULL || w[0][0] == '\0')
		return;
	if (g_str_equal(w[0], "quit")) {
		exit(0);
	} else if (g_str_equal(w[0], "remove") && w[1] != NULL) {
		cav_directory_remove(dir, w[1]);
	} else if (g_str_equal(w[0], "set") && w[1] != NULL) {
		CavLiveEntry *e = g_new0(CavLiveEntry, 1);

		pub_get(w[1]);
		e->room_key = g_strdup(w[1]);
		e->court = g_strdup("测试人民法院");
		e->room_name = g_strdup_printf("第%s法庭",
					       strchr(w[1], '/') ? strchr(w[1], '/') + 1 : w[1]);
		e->cause = g_strdup("盗窃罪");
		e->started_us = 1767225600000000;
		for (guint i = 2; w[i] != NULL; i++) {
			if (g_str_has_prefix(w[i], "public="))
				e->is_public = atoi(w[i] + 7) != 0;
			else if (g_str_has_prefix(w[i], "live="))
				e->live = atoi(w[i] + 5) != 0;
			else if (g_str_has_prefix(w[i], "hearing="))
				e->hearing_id = g_ascii_strtoll(w[i] + 8, NULL, 10);
			else if (g_str_has_prefix(w[i], "case="))
				e->case_number = g_strdup(w[i] + 5);
		}
		e->case_title = g_strdup_printf("%s 张某盗窃案", e->is_public ? "公开" : "不公开");
		if (e->case_number == NULL)
			e->case_number = g_strdup_printf("（2026）兵0101刑初%" G_GINT64_FORMAT "号",
							 e->hearing_id);
		cav_directory_update(dir, e);
	} else {
		g_printerr("relay-harness: unknown command: %s\n", line);
		return;
	}
	printf("ok\n");
	fflush(stdout);
}

static gboolean
on_stdin(GIOChannel *ch, GIOCondition cond, gpointer data)
{
	g_autofree char *line = NULL;
	GIOStatus s = g_io_channel_read_line(ch, &line, NULL, NULL, NULL);

	if (s == G_IO_STATUS_EOF || s == G_IO_STATUS_ERROR)
		exit(0);
	if (line != NULL)
		command(line);
	return G_SOURCE_CONTINUE;
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(CavRelayConfig) config = NULL;
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	GIOChannel *in;

	gst_init(&argc, &argv);
	if (argc != 3 || !g_str_equal(argv[1], "--config")) {
		g_printerr("usage: relay-harness --config FILE\n");
		return 2;
	}
	config = cav_relay_config_load(argv[2], &error);
	if (config == NULL || (relay = cav_relay_new(config, &error)) == NULL) {
		g_printerr("relay-harness: %s\n", error->message);
		return 1;
	}
	pubs = g_hash_table_new(g_str_hash, g_str_equal);
	g_printerr("relay-harness: API at %s/api/v1\n", cav_relay_url(relay));
	printf("ready %s\n", cav_relay_url(relay));
	fflush(stdout);
	in = g_io_channel_unix_new(0);
	g_io_add_watch(in, G_IO_IN | G_IO_HUP, on_stdin, NULL);
	g_timeout_add(200, poll_keyframes, NULL);
	g_main_loop_run(loop);
	return 0;
}
