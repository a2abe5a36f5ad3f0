/* test-hls-playlist.c — tokens, served file names, live and on-demand
 * playlists (window, discontinuities, ENDLIST, target duration) and the
 * broadcast's files (meta.json, segments.log), including corrupt ones.
 */
#include <string.h>

#include "relay/hls-playlist.h"

#define TOKEN "00112233445566778899aabbccddeeff"

static void
test_tokens(void)
{
	g_autofree char *a = cav_hls_token_new();
	g_autofree char *b = cav_hls_token_new();

	g_assert_true(cav_hls_token_valid(a));
	g_assert_cmpstr(a, !=, b);
	g_assert_false(cav_hls_token_valid("00112233445566778899AABBCCDDEEFF"));
	g_assert_false(cav_hls_token_valid("0011223344556677"));
	g_assert_false(cav_hls_token_valid("a1/r1"));
	g_assert_false(cav_hls_token_valid(NULL));

	g_assert_true(cav_hls_file_name_valid("live.m3u8"));
	g_assert_true(cav_hls_file_name_valid("vod.m3u8"));
	g_assert_true(cav_hls_file_name_valid("s000123.ts"));
	for (const char *bad[] = {"meta.json", "segments.log", "s12.ts", "s0001234.ts", "../x.ts",
				  "s00012a.ts", ".m3u8", "index.m3u8", "s000001.ts.tmp", NULL},
			**p = bad;
	     *p != NULL; p++)
		g_assert_false(cav_hls_file_name_valid(*p));
}

static CavHlsBroadcast *
sample(guint n)
{
	CavHlsBroadcast *b = cav_hls_broadcast_new(TOKEN, "a1/r1", 7);

	for (guint i = 1; i <= n; i++) {
		if (i == 4)
			b->next_discontinuity = TRUE;
		g_assert_nonnull(cav_hls_broadcast_add(b, i, i == 2 ? 1400000 : 1000000,
						       1767225600000000 + (gint64)i * 1000000));
	}
	return b;
}

static void
test_playlists(void)
{
	g_autoptr(CavHlsBroadcast) b = sample(6);
	g_autofree char *live = cav_hls_broadcast_live_playlist(b, 3);
	g_autofree char *all = cav_hls_broadcast_live_playlist(b, 10);
	g_autofree char *vod = cav_hls_broadcast_vod_playlist(b);

	/* Last 3 segments: 4 (after a gap), 5, 6. */
	g_assert_nonnull(strstr(live, "#EXT-X-MEDIA-SEQUENCE:4\n"));
	g_assert_null(strstr(live, "s000003.ts"));
	g_assert_nonnull(strstr(live, "s000006.ts"));
	g_assert_null(strstr(live, "#EXT-X-ENDLIST"));
	g_assert_nonnull(strstr(live, "#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:04.000Z"));
	/* The gap is before the window's first segment: counted, not tagged. */
	g_assert_nonnull(strstr(live, "#EXT-X-DISCONTINUITY-SEQUENCE:1\n"));
	g_assert_null(strstr(live, "#EXT-X-DISCONTINUITY\n"));
	g_assert_nonnull(strstr(all, "#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME"));
	g_assert_nonnull(strstr(all, "#EXT-X-MEDIA-SEQUENCE:1\n"));
	/* 1.4 s rounds to 1: target duration 1. */
	g_assert_nonnull(strstr(all, "#EXT-X-TARGETDURATION:1\n"));
	g_assert_nonnull(strstr(all, "#EXTINF:1.400,\ns000002.ts\n"));
	g_assert_nonnull(strstr(vod, "#EXT-X-PLAYLIST-TYPE:VOD\n"));
	g_assert_true(g_str_has_suffix(vod, "s000006.ts\n#EXT-X-ENDLIST\n"));
	g_assert_cmpint(cav_hls_broadcast_duration_us(b), ==, 6400000);
	g_assert_cmpuint(cav_hls_broadcast_next_index(b), ==, 7);

	/* An ended broadcast's live playlist ends too (players stop polling). */
	b->ended_us = 1;
	g_free(live);
	live = cav_hls_broadcast_live_playlist(b, 3);
	g_assert_true(g_str_has_suffix(live, "#EXT-X-ENDLIST\n"));
}

static void
test_empty(void)
{
	g_autoptr(CavHlsBroadcast) b = cav_hls_broadcast_new(TOKEN, "a1/r1", 1);
	g_autofree char *live = cav_hls_broadcast_live_playlist(b, 6);

	b->next_discontinuity = TRUE; /* a first segment never carries one */
	g_assert_nonnull(strstr(live, "#EXT-X-MEDIA-SEQUENCE:1\n"));
	g_assert_nonnull(cav_hls_broadcast_add(b, 1, 1000000, 1));
	g_assert_false(g_array_index(b->segments, CavHlsSegment, 0).discontinuity);
}

static void
test_files(void)
{
	g_autoptr(CavHlsBroadcast) b = sample(5);
	g_autoptr(CavHlsBroadcast) c = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *json = NULL;
	GString *log = g_string_new(NULL);
	g_autofree char *a = NULL;
	g_autofree char *z = NULL;

	b->court = g_strdup("测试人民法院");
	b->case_number = g_strdup("（2026）兵0101刑初88号");
	b->started_us = 5;
	json = cav_hls_broadcast_to_json(b);
	c = cav_hls_broadcast_from_json(json, strlen(json), &error);
	g_assert_no_error(error);
	g_assert_cmpstr(c->court, ==, b->court);
	g_assert_cmpstr(c->case_number, ==, b->case_number);
	g_assert_null(c->cause);
	g_assert_cmpint(c->hearing_id, ==, 7);
	for (guint i = 0; i < b->segments->len; i++) {
		g_autofree char *line =
			cav_hls_segment_log_line(&g_array_index(b->segments, CavHlsSegment, i));

		g_string_append(log, line);
	}
	/* A torn last line (crash while appending) is dropped. */
	g_string_append(log, "6 10000");
	g_assert_true(cav_hls_broadcast_load_log(c, log->str, &error));
	g_assert_no_error(error);
	a = cav_hls_broadcast_vod_playlist(b);
	z = cav_hls_broadcast_vod_playlist(c);
	g_assert_cmpstr(a, ==, z);
	g_string_free(log, TRUE);

	/* Bad lines in the middle, out of order, bad token: refused. */
	g_clear_pointer(&c, cav_hls_broadcast_free);
	c = cav_hls_broadcast_new(TOKEN, "a1/r1", 7);
	g_assert_false(cav_hls_broadcast_load_log(c, "1 1000 5 0\nxx\n3 1000 7 0\n", &error));
	g_assert_error(error, CAV_HLS_ERROR, CAV_HLS_ERROR_INVALID);
	g_clear_error(&error);
	g_clear_pointer(&c, cav_hls_broadcast_free);
	c = cav_hls_broadcast_new(TOKEN, "a1/r1", 7);
	g_assert_false(
		cav_hls_broadcast_load_log(c, "2 1000 5 0\n1 1000 7 0\n3 1000 7 0\n", &error));
	g_clear_error(&error);
	g_assert_false(cav_hls_broadcast_load_log(c, "5 -1 5 0\n6 1000 7 0\n", &error));
	g_clear_error(&error);
	g_assert_null(
		cav_hls_broadcast_from_json("{\"token\":\"../../etc\",\"room_key\":\"a\","
					    "\"hearing_id\":1,\"started_us\":0,\"ended_us\":0}",
					    -1, &error));
	g_clear_error(&error);
	g_assert_null(cav_hls_broadcast_from_json("[1,2]", 5, &error));
	g_clear_error(&error);
	g_assert_null(cav_hls_broadcast_from_json("{\"token\":", 10, &error));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/hls-playlist/tokens", test_tokens);
	g_test_add_func("/hls-playlist/playlists", test_playlists);
	g_test_add_func("/hls-playlist/empty", test_empty);
	g_test_add_func("/hls-playlist/files", test_files);
	return g_test_run();
}
