/* inter.h — raw media published on GStreamer inter channels (private to pipelines/).
 *
 * The recording pipeline publishes what other pipelines of the same process
 * may want to watch, without ever letting them slow it down:
 *   intervideosink channel=cav.<camera id>   each camera's raw video
 *   intervideosink channel=cav.program       the program, after its overlays
 *   interaudiosink channel=cav.mix           the raw audio mix
 * Consumers (appliance/preview.c, the live streamer) read them with
 * intervideosrc / interaudiosrc of the same channel name.
 *
 * Each tap is a tee branch: queue (leaky=downstream, a few buffers) ─ inter
 * sink (sync=false). The inter sinks only store the latest buffers for the
 * consumer, so they never block; the leaky queue is a second guarantee: a
 * consumer or a scheduling hiccup on the tap's thread drops tap frames, never
 * recording frames.
 *
 * Main thread only (building); the branches run on streaming threads.
 */
#pragma once

#include "recorder-private.h"

G_BEGIN_DECLS

#define CAV_INTER_PREFIX "cav."
#define CAV_INTER_PROGRAM "cav." CAV_TRACK_PROGRAM
#define CAV_INTER_MIX "cav.mix"

/* Buffers the tap's queue holds before it drops the oldest. */
#define CAV_INTER_QUEUE_BUFFERS 3

/* Adds queue ─ intervideosink channel=@channel to @bin, fed from a new
 * request pad of @tee (a "tee" in @bin). */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_inter_tap_video(GstBin *bin, GstElement *tee, const char *channel, GError **error);

/* The same with interaudiosink, for raw audio. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_inter_tap_audio(GstBin *bin, GstElement *tee, const char *channel, GError **error);

G_END_DECLS
