/* media-check.h — checks on recorded files for the pipeline tests.
 *
 * ffprobe (spawned) says what a player sees; a tiny box walker says how the
 * file is laid out. Any thread; no shared state.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
	guint n_video;
	guint n_audio;
	char *video_codec; /* first video stream's codec_name (owned, nullable) */
	char *audio_codec; /* first audio stream's codec_name (owned, nullable) */
	double duration;   /* container duration in seconds, < 0 when unknown */
} CavTestProbe;

/* Runs ffprobe on @path; FALSE when it fails (an unplayable file). */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_test_probe_file(const char *path, CavTestProbe *probe, GError **error);
void cav_test_probe_clear(CavTestProbe *probe);

/* 1 if the first video frame is a keyframe, 0 if not, -1 if ffprobe failed. */
int cav_test_first_video_frame_is_key(const char *path);

/* The top-level MP4 boxes, e.g. "ftyp moov moof mdat mfra", with "!" at the
 * end if the last box is cut short. (transfer full) */
char *cav_test_mp4_boxes(const char *path);

/* A program built in this build tree, e.g. "tests/pipelines/record-forever".
 * (transfer full) */
char *cav_test_build_path(const char *relative);

/* Removes a test's temporary folder and everything in it. */
void cav_test_rm_rf(const char *dir);

G_END_DECLS
