/* hls-playlist.h — the segment list of one public broadcast and the HLS
 * playlists written from it.
 *
 * A broadcast is one public hearing's output: its segments (numbered files
 * s000001.ts, ...), each with its duration and wall-clock start, and the
 * discontinuities where the live stream was interrupted (a recess, a
 * publisher or relay restart). Two playlists are rendered from it: the live
 * one (a sliding window of the last segments, short cache life) and, once
 * the hearing ended, the on-demand one (every segment, EXT-X-ENDLIST).
 *
 * The broadcast persists as meta.json and segments.log beside the segments so that a restarted
 * relay continues the same broadcast (same URL, same numbering) and keeps
 * finished hearings available for replay.
 *
 * Plain data, no threads: the caller (hls.c) uses it on the main thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The error domain of the public outputs (hls*.c, whep.c). */
#define CAV_HLS_ERROR (cav_hls_error_quark())
GQuark cav_hls_error_quark(void);

typedef enum {
	CAV_HLS_ERROR_FAILED,    /* a pipeline or a file could not be made */
	CAV_HLS_ERROR_INVALID,   /* malformed stored or received data */
	CAV_HLS_ERROR_NOT_FOUND, /* no such stream or broadcast */
} CavHlsError;

typedef struct {
	guint index;            /* file s<index>.ts, 6 digits, increasing */
	gint64 duration_us;     /* > 0 */
	gint64 start_us;        /* UTC µs of the first frame (EXT-X-PROGRAM-DATE-TIME) */
	gboolean discontinuity; /* the stream was interrupted before this segment */
} CavHlsSegment;

typedef struct {
	char *token;    /* unguessable path token, 32 hex digits (owned) */
	char *room_key; /* (owned) */
	gint64 hearing_id;
	char *court;                 /* (owned, nullable) */
	char *room_name;             /* (owned, nullable) */
	char *case_number;           /* (owned, nullable) */
	char *case_title;            /* (owned, nullable) */
	char *cause;                 /* (owned, nullable) */
	gint64 started_us;           /* when the hearing opened */
	gint64 ended_us;             /* 0 while live; else when it ended */
	GArray *segments;            /* of CavHlsSegment (owned) */
	gboolean next_discontinuity; /* mark the next added segment */
} CavHlsBroadcast;

CavHlsBroadcast *cav_hls_broadcast_new(const char *token, const char *room_key, gint64 hearing_id);
void cav_hls_broadcast_free(CavHlsBroadcast *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavHlsBroadcast, cav_hls_broadcast_free)

/* A new random token: 128 bits from the OS's CSPRNG as 32 lower-case hex
 * digits. (transfer full) */
char *cav_hls_token_new(void);
/* TRUE if @s has the form of a token (does not say one exists). */
gboolean cav_hls_token_valid(const char *s);
/* TRUE if @name is a file name a broadcast serves: "live.m3u8", "vod.m3u8"
 * or "s" + 6 digits + ".ts". Anything else (dots, slashes, meta.json) is
 * never served. */
gboolean cav_hls_file_name_valid(const char *name);

/* The index the next segment file takes (1 for a new broadcast). */
guint cav_hls_broadcast_next_index(const CavHlsBroadcast *b);
/* Appends a segment; returns it (valid until the next add), or NULL when
 * the broadcast is full (MAX_SEGMENTS). (transfer none) */
const CavHlsSegment *cav_hls_broadcast_add(CavHlsBroadcast *b, guint index, gint64 duration_us,
					   gint64 start_us);

/* The live playlist: the last @window segments (all if fewer), no ENDLIST
 * unless the broadcast ended. (transfer full) */
char *cav_hls_broadcast_live_playlist(const CavHlsBroadcast *b, guint window);
/* The on-demand playlist: every segment, EXT-X-PLAYLIST-TYPE:VOD and
 * EXT-X-ENDLIST. (transfer full) */
char *cav_hls_broadcast_vod_playlist(const CavHlsBroadcast *b);
/* Total duration of all segments in µs. */
gint64 cav_hls_broadcast_duration_us(const CavHlsBroadcast *b);

/* meta.json, the broadcast without its segments: serialize, parse.
 * Parsing rejects anything malformed (a bad token, missing members). */
char *cav_hls_broadcast_to_json(const CavHlsBroadcast *b);
CavHlsBroadcast *cav_hls_broadcast_from_json(const char *json, gsize len,
					     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* segments.log, one line per segment appended as it is closed ("index
 * duration_us start_us discontinuity"): a long hearing never rewrites a big
 * file. Loading appends to @b's segments; a torn last line is dropped,
 * any other bad line (out-of-order index, bad duration) fails. */
char *cav_hls_segment_log_line(const CavHlsSegment *s);
gboolean cav_hls_broadcast_load_log(CavHlsBroadcast *b, const char *text,
				    GError **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
