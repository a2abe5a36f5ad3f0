/* preview.h — JPEG snapshots of the live pictures for the touch panel.
 *
 * The recorder publishes each camera and the program on GStreamer inter
 * channels "cav.<source id>" and "cav.program" (intervideosink). A preview
 * is a separate small pipeline per channel,
 *   intervideosrc channel=… ! videoconvert ! videoscale ! videorate
 *     ! video/x-raw,width=480,framerate=2/1 ! jpegenc ! appsink,
 * so the recording pipeline never waits for a viewer. A channel's pipeline
 * starts on the first request and stops after 30 s without one. While no
 * recorder publishes on a channel, intervideosrc produces its black
 * "no signal" frame, which is what the panel then shows.
 *
 * Threads: the API (main thread) calls everything here; the appsink
 * callback runs on the preview's streaming thread and only swaps the last
 * frame under the channel's lock.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A frame older than this is not served as live. */
#define CAV_PREVIEW_MAX_AGE_US (1 * G_USEC_PER_SEC)

typedef struct CavPreview CavPreview;

/* (transfer full) */
CavPreview *cav_preview_new(void);
void cav_preview_free(CavPreview *preview);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavPreview, cav_preview_free)

/* The newest JPEG of @channel, starting its pipeline when needed; NULL
 * while there is none yet (or when the pipeline failed: @error says why).
 * *out_at_us gets the frame's capture time (monotonic). (transfer full) */
GBytes *cav_preview_get(CavPreview *preview, const char *channel, gint64 *out_at_us,
			GError **error);

G_END_DECLS
