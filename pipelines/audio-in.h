/* audio-in.h — each microphone's input chain and the per-role mixes
 * (private to pipelines/).
 *
 *   mic ─ audiorate ─ level "level-<id>" ─ tee ─┬─ queue ─ src_0 (the mix)
 *                                               └─ queue ─ src_1 (its role's track), ...
 *   role mics ─ audiomixer ─ AAC ─ src            (track "audio-<role>")
 *
 * Main thread only (building); the bins run on streaming threads.
 */
#pragma once

#include "recorder-private.h"

G_BEGIN_DECLS

/* The chain of one microphone: a bin named "mic-<id>" with a "sink" pad
 * (S16LE mono 48 kHz from the source) and @n_outputs source pads "src_<k>".
 * (transfer floating) */
GstElement *cav_audio_in_new(const CavSourceSpec *spec, guint n_outputs, GError **error);

/* A bin "mix-<role>" mixing @n_inputs microphones ("sink_<i>") into one AAC
 * stream at @kbps ("src"). (transfer floating) */
GstElement *cav_audio_role_mix_new(const char *role, guint n_inputs, guint kbps, GError **error);

G_END_DECLS
