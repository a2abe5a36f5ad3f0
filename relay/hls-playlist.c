/* hls-playlist.c — segment lists, playlists and meta.json (hls-playlist.h).
 *
 * Main thread only (no state shared with anything else).
 */
#include "hls-playlist.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A live playlist longer than this many segments is never rendered; the
 * on-demand one lists all (a 4-hour hearing at 1 s is ~14,400 lines, ~1 MB,
 * fetched once by a player). */
#define MAX_SEGMENTS 200000

/* The first argument is stringified: the error domain's name. */
/* clang-format off */
G_DEFINE_QUARK(cav-hls-error-quark, cav_hls_error)
/* clang-format on */

CavHlsBroadcast *
cav_hls_broadcast_new(const char *token, const char *room_key, gint64 hearing_id)
{
	CavHlsBroadcast *b = g_new0(CavHlsBroadcast, 1);

	b->token = g_strdup(token);
	b->room_key = g_strdup(room_key);
	b->hearing_id = hearing_id;
	b->segments = g_array_new(FALSE, TRUE, sizeof(CavHlsSegment));
	return b;
}

void
cav_hls_broadcast_free(CavHlsBroadcast *b)
{
	if (b == NULL)
		return;
	g_free(b->token);
	g_free(b->room_key);
	g_free(b->court);
	g_free(b->room_name);
	g_free(b->case_number);
	g_free(b->case_title);
	g_free(b->cause);
	g_array_unref(b->segments);
	g_free(b);
}

char *
cav_hls_token_new(void)
{
	guint8 raw[16];
	GString *s = g_string_sized_new(33);

	/* The kernel's CSPRNG; getentropy() never returns short for <= 256
	 * bytes and fails only without a random source at all. */
	if (getentropy(raw, sizeof(raw)) != 0)
		g_error("no source of random numbers (getentropy failed)");
	for (gsize i = 0; i < sizeof(raw); i++)
		g_string_append_printf(s, "%02x", raw[i]);
	return g_string_free(s, FALSE);
}

gboolean
cav_hls_token_valid(const char *s)
{
	if (s == NULL || strlen(s) != 32)
		return FALSE;
	for (const char *p = s; *p; p++) {
		if (!g_ascii_isdigit(*p) && !(*p >= 'a' && *p <= 'f'))
			return FALSE;
	}
	return TRUE;
}

gboolean
cav_hls_file_name_valid(const char *name)
{
	if (name == NULL)
		return FALSE;
	if (strcmp(name, "live.m3u8") == 0 || strcmp(name, "vod.m3u8") == 0)
		return TRUE;
	if (strlen(name) != 10 || name[0] != 's' || strcmp(name + 7, ".ts") != 0)
		return FALSE;
	for (int i = 1; i < 7; i++) {
		if (!g_ascii_isdigit(name[i]))
			return FALSE;
	}
	return TRUE;
}

guint
cav_hls_broadcast_next_index(const CavHlsBroadcast *b)
{
	if (b->segments->len == 0)
		return 1;
	return g_array_index(b->segments, CavHlsSegment, b->segments->len - 1).index + 1;
}

const CavHlsSegment *
cav_hls_broadcast_add(CavHlsBroadcast *b, guint index, gint64 duration_us, gint64 start_us)
{
	CavHlsSegment seg = {
		.index = index,
		.duration_us = MAX(duration_us, 1),
		.start_us = start_us,
		.discontinuity = b->next_discontinuity && b->segments->len > 0,
	};

	if (b->segments->len >= MAX_SEGMENTS)
		return NULL;
	g_array_append_val(b->segments, seg);
	b->next_discontinuity = FALSE;
	return &g_array_index(b->segments, CavHlsSegment, b->segments->len - 1);
}

gint64
cav_hls_broadcast_duration_us(const CavHlsBroadcast *b)
{
	gint64 total = 0;

	for (guint i = 0; i < b->segments->len; i++)
		total += g_array_index(b->segments, CavHlsSegment, i).duration_us;
	return total;
}

static void
append_pdt(GString *out, gint64 us)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(us / G_USEC_PER_SEC);

	if (dt == NULL)
		return;
	g_autofree char *base = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%S");
	g_string_append_printf(out, "#EXT-X-PROGRAM-DATE-TIME:%s.%03dZ\n", base,
			       (int)((us % G_USEC_PER_SEC) / 1000));
}

/* Renders segments [first, len) of @b. */
static char *
render(const CavHlsBroadcast *b, guint first, gboolean vod)
{
	GString *out = g_string_new("#EXTM3U\n#EXT-X-VERSION:3\n");
	gint64 max_us = 1;
	guint discontinuities = 0;

	for (guint i = 0; i < b->segments->len; i++) {
		const CavHlsSegment *s = &g_array_index(b->segments, CavHlsSegment, i);

		if (i >= first)
			max_us = MAX(max_us, s->duration_us);
		/* The first listed segment's own gap is counted rather than
		 * tagged, so every segment keeps its discontinuity number
		 * as the window slides (RFC 8216 §6.2.2). */
		if (i <= first && s->discontinuity)
			discontinuities++;
	}
	/* EXT-X-TARGETDURATION is an integer that no segment may exceed
	 * once rounded (RFC 8216 §4.3.3.1). */
	g_string_append_printf(out, "#EXT-X-TARGETDURATION:%" G_GINT64_FORMAT "\n",
			       MAX((max_us + G_USEC_PER_SEC / 2) / G_USEC_PER_SEC, 1));
	if (vod)
		g_string_append(out, "#EXT-X-PLAYLIST-TYPE:VOD\n");
	g_string_append_printf(out, "#EXT-X-MEDIA-SEQUENCE:%u\n",
			       first < b->segments->len
				       ? g_array_index(b->segments, CavHlsSegment, first).index
				       : cav_hls_broadcast_next_index(b));
	if (discontinuities > 0)
		g_string_append_printf(out, "#EXT-X-DISCONTINUITY-SEQUENCE:%u\n", discontinuities);
	for (guint i = first; i < b->segments->len; i++) {
		const CavHlsSegment *s = &g_array_index(b->segments, CavHlsSegment, i);

		if (s->discontinuity && i > first)
			g_string_append(out, "#EXT-X-DISCONTINUITY\n");
		if (i == first || s->discontinuity)
			append_pdt(out, s->start_us);
		g_string_append_printf(out, "#EXTINF:%.3f,\ns%06u.ts\n",
				       (double)s->duration_us / G_USEC_PER_SEC, s->index);
	}
	if (vod || b->ended_us != 0)
		g_string_append(out, "#EXT-X-ENDLIST\n");
	return g_string_free(out, FALSE);
}

char *
cav_hls_broadcast_live_playlist(const CavHlsBroadcast *b, guint window)
{
	guint len = b->segments->len;

	return render(b, len > window ? len - window : 0, FALSE);
}

char *
cav_hls_broadcast_vod_playlist(const CavHlsBroadcast *b)
{
	return render(b, 0, TRUE);
}

static void
set_opt(JsonBuilder *jb, const char *name, const char *value)
{
	if (value == NULL)
		return;
	json_builder_set_member_name(jb, name);
	json_builder_add_string_value(jb, value);
}

char *
cav_hls_broadcast_to_json(const CavHlsBroadcast *b)
{
	g_autoptr(JsonBuilder) jb = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object(jb);
	set_opt(jb, "token", b->token);
	set_opt(jb, "room_key", b->room_key);
	json_builder_set_member_name(jb, "hearing_id");
	json_builder_add_int_value(jb, b->hearing_id);
	set_opt(jb, "court", b->court);
	set_opt(jb, "room_name", b->room_name);
	set_opt(jb, "case_number", b->case_number);
	set_opt(jb, "case_title", b->case_title);
	set_opt(jb, "cause", b->cause);
	json_builder_set_member_name(jb, "started_us");
	json_builder_add_int_value(jb, b->started_us);
	json_builder_set_member_name(jb, "ended_us");
	json_builder_add_int_value(jb, b->ended_us);
	json_builder_end_object(jb);
	root = json_builder_get_root(jb);
	json_generator_set_root(gen, root);
	return json_generator_to_data(gen, NULL);
}

static char *
get_opt(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);

	if (n == NULL || json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return g_strdup(json_node_get_string(n));
}

static gboolean
get_int(JsonObject *o, const char *name, gint64 *out)
{
	JsonNode *n = json_object_get_member(o, name);

	if (n == NULL || json_node_get_value_type(n) != G_TYPE_INT64)
		return FALSE;
	*out = json_node_get_int(n);
	return TRUE;
}

char *
cav_hls_segment_log_line(const CavHlsSegment *s)
{
	return g_strdup_printf("%u %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %d\n", s->index,
			       s->duration_us, s->start_us, s->discontinuity ? 1 : 0);
}

gboolean
cav_hls_broadcast_load_log(CavHlsBroadcast *b, const char *text, GError **error)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	guint last = b->segments->len
			     ? g_array_index(b->segments, CavHlsSegment, b->segments->len - 1).index
			     : 0;

	for (guint i = 0; lines[i] != NULL; i++) {
		CavHlsSegment s = {0};
		guint64 index;
		int disc = 0;
		char tail;

		if (lines[i][0] == '\0' && lines[i + 1] == NULL)
			break; /* the final newline */
		if (sscanf(lines[i],
			   "%" G_GUINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %d%c",
			   &index, &s.duration_us, &s.start_us, &disc, &tail) != 4 ||
		    index <= last || index > 999999 || s.duration_us <= 0 ||
		    (disc != 0 && disc != 1) || b->segments->len >= MAX_SEGMENTS) {
			/* A torn last line (a crash while appending) is
			 * dropped; anything else is corruption. */
			if (lines[i + 1] == NULL ||
			    (lines[i + 1][0] == '\0' && lines[i + 2] == NULL))
				break;
			g_set_error(error, CAV_HLS_ERROR, CAV_HLS_ERROR_INVALID,
				    "Segment log of broadcast %s is malformed at line %u", b->token,
				    i + 1);
			return FALSE;
		}
		s.index = (guint)index;
		s.discontinuity = disc == 1;
		last = s.index;
		g_array_append_val(b->segments, s);
	}
	return TRUE;
}

CavHlsBroadcast *
cav_hls_broadcast_from_json(const char *json, gsize len, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(CavHlsBroadcast) b = NULL;
	g_autofree char *token = NULL;
	g_autofree char *room_key = NULL;
	JsonObject *o;
	gint64 hearing_id = 0;

	if (!json_parser_load_from_data(parser, json, (gssize)len, error))
		return NULL;
	if (!JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
		goto bad;
	o = json_node_get_object(json_parser_get_root(parser));
	token = get_opt(o, "token");
	room_key = get_opt(o, "room_key");
	if (!cav_hls_token_valid(token) || room_key == NULL ||
	    !get_int(o, "hearing_id", &hearing_id))
		goto bad;
	b = cav_hls_broadcast_new(token, room_key, hearing_id);
	b->court = get_opt(o, "court");
	b->room_name = get_opt(o, "room_name");
	b->case_number = get_opt(o, "case_number");
	b->case_title = get_opt(o, "case_title");
	b->cause = get_opt(o, "cause");
	if (!get_int(o, "started_us", &b->started_us) || !get_int(o, "ended_us", &b->ended_us))
		goto bad;
	return g_steal_pointer(&b);
bad:
	g_set_error(error, CAV_HLS_ERROR, CAV_HLS_ERROR_INVALID,
		    "Broadcast metadata is malformed; the broadcast is not served");
	return NULL;
}
