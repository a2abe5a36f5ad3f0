/* hls-pipeline.h — the GStreamer pipeline that turns one live stream's RTP
 * into public HLS segments, with a broadcast delay and a cut.
 *
 *   RTP H.264 ─ appsrc ─ jitterbuffer ─ depay ─ parse ─ [delay] ─ decode ─ scale ─ (cut) ─ x264 ─┐
 *   RTP Opus  ─ appsrc ─ jitterbuffer ─ depay ─────── [delay] ─ decode ─ resample ─ (cut) ─ AAC ─┴─ splitmuxsink(mpegtsmux) → s000123.ts
 *
 * The delay holds compressed media (a 30 s delay at 2 Mbit/s is ~8 MB,
 * not the gigabytes of raw frames). The cut acts after the delay, on the
 * decoded frames: while cut, every picture that leaves the delay is
 * replaced by a pre-rendered slate and every sound sample by silence, so
 * a cut covers what was said up to the delay before it, and takes effect
 * on the very next frame. Re-encoding is the price of that: the public
 * output is an independent, modest bitrate encode with keyframes exactly
 * at segment boundaries.
 *
 * The pipeline runs on the realtime clock, so a buffer's running time plus
 * the base time is its UTC wall-clock time (EXT-X-PROGRAM-DATE-TIME).
 *
 * Threads: cav_hls_pipeline_push_rtp() and cav_hls_pipeline_set_cut() may
 * be called from any thread (push from the relay's ingest worker: it never
 * blocks; a full input queue drops). Everything else, and every callback
 * except @keyframe, runs on the main context that created the pipeline.
 */
#pragma once

#include <glib.h>
#include <gst/gst.h>

#include "relay/stream-tap.h"

G_BEGIN_DECLS

typedef struct {
	guint segment_ms;    /* target segment length (1000–2000) */
	guint delay_ms;      /* broadcast delay, 0 for none */
	guint width, height; /* public picture size */
	guint fps;           /* nominal frame rate, for the keyframe interval */
	guint video_kbps;
	guint audio_kbps;
	const char *x264_preset; /* e.g. "veryfast" (nullable: veryfast) */
	guint jitter_ms;         /* jitter buffer latency (0: 200 ms) */
} CavHlsOutputConfig;

typedef struct CavHlsPipeline CavHlsPipeline;

/* Main context: a segment file was closed and is complete on disk. */
typedef void (*CavHlsSegmentFunc)(CavHlsPipeline *p, guint index, gint64 duration_us,
				  gint64 start_us, gpointer user_data);
/* Main context: the pipeline failed (@error) or finished after
 * cav_hls_pipeline_stop() (@error NULL). Called once; the pipeline is
 * stopped then, and the caller frees it. */
typedef void (*CavHlsDoneFunc)(CavHlsPipeline *p, const GError *error, gpointer user_data);
/* Streaming thread: the decoder needs a keyframe (joining, packet loss). */
typedef void (*CavHlsKeyframeFunc)(gpointer user_data);

/* Renders the slate as one I420 frame of @width x @height: @text (nullable:
 * "庭审直播暂停\nBroadcast paused") centred on navy blue. (transfer full) */
GstBuffer *cav_hls_slate_render(guint width, guint height, const char *text,
				GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Builds and starts a pipeline (one reference) writing @dir/s<index>.ts from @first_index
 * on. @slate: (transfer none) from cav_hls_slate_render() at the same size.
 * Callbacks are never called if this returns NULL. (transfer full) */
CavHlsPipeline *cav_hls_pipeline_new(const CavHlsOutputConfig *cfg, GstBuffer *slate,
				     const char *dir, guint first_index,
				     CavHlsSegmentFunc on_segment, CavHlsDoneFunc on_done,
				     CavHlsKeyframeFunc on_keyframe, gpointer user_data,
				     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Any thread. Copies @packet into the pipeline; drops it if the input
 * queue is full or the pipeline is stopping. */
void cav_hls_pipeline_push_rtp(CavHlsPipeline *p, CavRtpMedia media, const guint8 *packet,
			       gsize len);

/* Any thread. From the next frame on, the output shows the slate (TRUE)
 * or the live picture again (FALSE). */
void cav_hls_pipeline_set_cut(CavHlsPipeline *p, gboolean cut);
gboolean cav_hls_pipeline_get_cut(CavHlsPipeline *p);
/* Media time (UTC µs) of the first slate frame since the last cut, or 0 if
 * none has been produced yet. Any thread. */
gint64 cav_hls_pipeline_cut_media_us(CavHlsPipeline *p);

/* Ends the stream: the last segment is closed and reported, then @on_done
 * is called (at most ~3 s later). */
void cav_hls_pipeline_stop(CavHlsPipeline *p);

/* Main context. Stops at once if still running; no callback is called
 * after this returns. */
void cav_hls_pipeline_cancel(CavHlsPipeline *p);

/* Reference counting, any thread: a stream tap holds a reference so that a
 * packet arriving while the pipeline is being torn down finds valid
 * objects (and is dropped). The last unref cancels and frees. NULL-safe. */
CavHlsPipeline *cav_hls_pipeline_ref(CavHlsPipeline *p);
void cav_hls_pipeline_unref(CavHlsPipeline *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavHlsPipeline, cav_hls_pipeline_unref)

G_END_DECLS
