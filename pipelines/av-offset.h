/* av-offset.h — audio/video synchronisation and dropped frames measured on
 * a recorded file (from its mp4 scan, common/mp4scan.h).
 *
 * The A/V offset of a file is where a player puts the sound against the
 * picture at the end of the file: players play audio frames back to back
 * from the first audio timestamp (sample count), pictures at their
 * timestamps, and the recorder's timestamps are the pipeline clock. So
 *
 *   offset = (audio end by timestamps − audio start) − audio frames × 1024 / rate
 *
 * positive when the sound comes before the picture, as in ITU-R BT.1359,
 * whose limits of detectability are +45 ms (sound early) and −125 ms (sound
 * late). A file whose audio sample count ran ahead of the clock (a capture
 * card 100 ppm fast, uncorrected) shows a negative offset that grows with
 * the file's length: −30 ms over a 5-minute file; with the clock lock of
 * audio-in.c it stays within a frame. Within a file the drift of a rate
 * error is monotonic, so the end of the file is its worst point.
 *
 * Dropped frames: the video frames a file should hold at its frame rate
 * over its video time span, minus the frames it holds.
 *
 * Pure; any thread.
 */
#pragma once

#include "common/mp4scan.h"

G_BEGIN_DECLS

#define CAV_AV_MAX_LEAD_MS 45.0 /* sound before picture */
#define CAV_AV_MAX_LAG_MS 125.0 /* sound after picture */
#define CAV_AAC_FRAME_SAMPLES 1024

/* FALSE when the file has no audio frames or no fragment timing. */
gboolean cav_av_offset_ms(const CavMp4Info *info, double *offset_ms);

/* FALSE when the file has no video frames or no fragment timing. */
gboolean cav_av_dropped_frames(const CavMp4Info *info, guint fps, guint64 *dropped);

/* TRUE when @offset_ms is within BT.1359's limits. */
gboolean cav_av_offset_acceptable(double offset_ms);

G_END_DECLS
