/* media-probe.h — what the public output shows, frame by frame: decodes
 * HLS segments (MPEG-TS, H.264 + AAC) listed by a playlist and classifies
 * each picture (slate, red test picture, black, anything else) and each
 * stretch of sound (RMS level), on the playlist's wall-clock time line
 * (EXT-X-PROGRAM-DATE-TIME + the frame's offset in its segment).
 */
#pragma once

#include <glib.h>

typedef enum {
	CAV_FRAME_OTHER,
	CAV_FRAME_SLATE, /* the "Broadcast paused" slate's navy corners */
	CAV_FRAME_RED,   /* videotestsrc pattern=red */
	CAV_FRAME_BLACK,
} CavFrameKind;

typedef struct {
	gint64 utc_us;
	gboolean video;    /* else audio */
	CavFrameKind kind; /* video */
	double rms;        /* audio, 0..1 */
	double variance;   /* video: luma variance of a 16x16 grid of samples */
} CavProbeItem;

/* Decodes every segment of the playlist file @m3u8 (segments beside it).
 * (transfer full) of CavProbeItem, in playlist order. */
GArray *cav_probe_playlist(const char *m3u8, GError **error);
const char *cav_frame_kind_name(CavFrameKind kind);
