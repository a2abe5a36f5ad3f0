/* encode.h — encoder bins for the recorder (private to pipelines/).
 *
 * Each returns a floating GstBin with one "sink" and one "src" ghost pad,
 * ready to link between a raw branch and a track sink. Main thread only.
 */
#pragma once

#include "recorder-private.h"

G_BEGIN_DECLS

/* I420 in, H.264 out (avc, au-aligned, SPS/PPS on every keyframe), a
 * keyframe every @keyframe_seconds so each file can start on one; @preset is
 * an x264 speed-preset nick. (transfer floating) */
GstElement *cav_encode_h264_new(const char *name, guint fps, guint kbps, guint keyframe_seconds,
				const char *preset, GError **error);

/* Raw audio in, parsed AAC-LC out at @kbps. (transfer floating) */
GstElement *cav_encode_aac_new(const char *name, guint kbps, GError **error);

G_END_DECLS
