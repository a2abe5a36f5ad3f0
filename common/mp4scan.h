/* mp4scan.h — walks the top-level boxes of a fragmented MP4 written by
 * mp4mux, to tell a complete file from one torn by a crash or a full disk,
 * and to measure how much media a torn file still holds.
 *
 * Reads only box headers and the small moov/moof boxes (mvhd, mdhd, tfhd,
 * tfdt, trun), never the media. The input is untrusted (a file from a crash,
 * a copied folder, a disc), so every size is bounds-checked; it is a fuzz
 * target. Any thread may call these.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CAV_MP4_ERROR (cav_mp4_error_quark())
GQuark cav_mp4_error_quark(void);

typedef enum {
	CAV_MP4_ERROR_IO,
	CAV_MP4_ERROR_NOT_MP4, /* no ftyp box first, or no moov: nothing playable */
} CavMp4Error;

typedef struct {
	guint64 file_bytes; /* size of the file as found */
	guint64 valid_bytes; /* end of the last complete top-level box that keeps the file playable */
	guint n_fragments;   /* complete moof+mdat pairs */
	gboolean has_moov;
	gboolean finalized; /* mp4mux wrote its closing boxes (mfra, or a moov with duration) */
	gboolean torn;      /* bytes after valid_bytes: an incomplete box */
	double duration_s; /* longest track's media time in complete fragments (or mvhd when finalized) */
	double video_duration_s; /* media time of the first video track, 0 if none */
	double audio_duration_s; /* media time of the first audio track, 0 if none */
	/* Fragmented files only (0 otherwise): where the first complete
	 * fragment of each track starts (decode time) and how many samples the
	 * complete fragments hold; for the A/V offset (pipelines/av-offset.h). */
	double video_start_s;
	double audio_start_s;
	guint64 video_samples;
	guint64 audio_samples;   /* coded frames, e.g. AAC frames of 1024 samples */
	guint32 audio_timescale; /* mp4mux uses the sample rate */
} CavMp4Info;

/* Scans a buffer holding a whole file. Fails only when it is not an MP4
 * at all; a torn file is a success with @info->torn set. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_mp4_scan_buf(const guint8 *data, gsize len, CavMp4Info *info, GError **error);

/* Same for a file on disk, reading only what it needs. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_mp4_scan_file(const char *path, CavMp4Info *info, GError **error);

/* Makes a torn file playable without losing a byte: the torn tail (the
 * bytes from valid_bytes on) is first copied to "<path>.torn" and synced,
 * then the file is truncated to valid_bytes and synced. Does nothing and
 * returns TRUE for a file that is not torn. @info (nullable) gets the scan of
 * the repaired file. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_mp4_repair(const char *path, CavMp4Info *info, GError **error);

G_END_DECLS
