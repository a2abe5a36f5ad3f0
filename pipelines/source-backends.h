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

/* Helpers the backends share (source.c). */

/* CAV_SOURCE_ERROR_BAD_PARAM naming @key (so the config names its line):
 * "Source "ID": invalid key "KEY": WHY". Returns FALSE. */
gboolean cav_source_bad_param(GError **error, const CavSourceSpec *spec, const char *key,
			      const char *why);
/* @factory made and added to @bin, or NULL with CAV_SOURCE_ERROR_MISSING_ELEMENT
 * naming the plugin that is not installed. (transfer none) */
GstElement *cav_source_add_element(GstBin *bin, const char *factory, const CavSourceSpec *spec,
				   GError **error);
/* Exposes @last's "src" pad on @bin as its "src" ghost pad. */
gboolean cav_source_ghost_src(GstElement *bin, GstElement *last, const CavSourceSpec *spec,
			      GError **error);

G_END_DECLS
