/* audio-mix.h — all microphones mixed into one AAC stream (private to pipelines/).
 *
 * Main thread only (building); the bin runs on streaming threads.
 */
#pragma once

#include "recorder-private.h"

G_BEGIN_DECLS

/* A bin with sink pads "sink_0" .. "sink_<n-1>" (S16LE mono 48 kHz, one per
 * microphone) and one "src" pad: the mix as parsed AAC at @kbps.
 * (transfer floating) */
GstElement *cav_audio_mix_new(guint n_inputs, guint kbps, GError **error);

G_END_DECLS
