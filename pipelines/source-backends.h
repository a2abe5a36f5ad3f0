/* source-backends.h — the backends source.c's table lists (private to pipelines/).
 *
 * Each backend lives in its own source-<name>.c and exports exactly one
 * table; nothing else of a backend is visible outside its file.
 */
#pragma once

#include "source.h"

G_BEGIN_DECLS

/* videotestsrc / audiotestsrc: works on any machine, no hardware. */
extern const CavSourceBackend cav_source_backend_test;
/* IP cameras over RTSP: the camera's H.264 recorded by passthrough. */
extern const CavSourceBackend cav_source_backend_rtsp;
/* V4L2 cameras and HDMI capture cards. */
extern const CavSourceBackend cav_source_backend_v4l2;
/* ALSA cards, each channel a microphone (capture groups). */
extern const CavSourceBackend cav_source_backend_alsa;
/* An image or video file shown as evidence (evidence inputs only). */
extern const CavSourceBackend cav_source_backend_file;

G_END_DECLS
