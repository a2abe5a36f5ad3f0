/* source-guard.c — the health watchdog around one capture source (see source-guard.h).
 *
 * Why a frame clock and not input-selector or a compositor: the camera track
 * must never show a timestamp gap, also during the lost_after_ms it takes to
 * decide that a camera is gone. A selector forwards what arrives, so that
 * window would be a gap; a compositor per camera would fill it, but costs a
 * frame copy and an aggregator thread per camera. Here the slate source is
 * the clock: each slate frame is replaced, in a pad probe, by a shallow copy
 * of the camera's latest frame (same memory, the slate's timestamps). Nothing
 * is copied and the output rate is exact whatever rate the camera runs at.
 *
 * Passthrough ("encoded"): the camera's H.264 and an x264 encoding of the
 * slate meet in a funnel; probes on its two inputs let exactly one through.
 *   CAMERA    camera passes, slate encoder idle.
 *   SLATE     (lost) slate frames are pushed into an appsrc by the frame
 *             clock, timed on from the camera's last frame (backfilling the
 *             lost_after_ms window), so the track continues without a gap.
 *   RESTORING (camera back) the slate continues until a camera keyframe
 *             later than the last slate frame; that camera thread waits
 *             (at most RESTORE_WAIT) until the slate has filled up to one
 *             frame before the keyframe, then the camera passes again.
 * The camera's timeline runs behind the frame clock by its latency (the RTSP
 * jitter buffer), measured on each camera buffer, so the slate is generated
 * that far behind the clock.
 *
 * Threads: main thread for building, the watchdog (WATCHDOG_MS timer), tear
 * down and rebuild; streaming threads run the probes and handle_message.
 * Everything both touch is under CavSourceGuard.lock. Old source bins are
 * set to NULL on a short-lived thread, since an RTSP session may take a
 * while to close and the main loop must not wait for it.
 */
#include "source-guard.h"
#include "source-backends.h"

#include <gst/app/gstappsrc.h>
#include <string.h>

#define WATCHDOG_MS 100
#define BACKOFF_FIRST_MS 500
#define BACKOFF_MAX_MS 8000
/* A rebuilt source must deliver within this (or lost_after, if longer). */
#define CONNECT_TIMEOUT_MS 6000
#define RESTORE_WAIT (800 * GST_MSECOND)
/* At most this much slate is generated in one frame tick (backfill). */
#define MAX_BACKFILL (4 * GST_SECOND)
/* How long the camera's encoded input may take to end after EOS. */
#define EOS_GRACE_MS 1500

typedef enum {
	HEALTH_OK,       /* delivering */
	HEALTH_LOST,     /* torn down, waiting for retry_at */
	HEALTH_RETRYING, /* rebuilt, waiting for its first data */
} Health;

typedef enum {
	ENC_CAMERA,
	ENC_SLATE,
	ENC_RESTORING,
} EncMode;

struct _CavSourceGuard {
	GstBin parent;

	/* Immutable after cav_source_guard_new(). */
	GPtrArray *specs; /* of CavSourceSpec (owned copies) */
	const CavSourceBackend *backend;
	gboolean video;
	gboolean grouped; /* the backend's create_group() builds the bin */
	CavVideoFormat format;
	GstClockTime frame_dur;
	gint64 lost_after_us;
	GMainContext *context; /* owned ref */
	CavSourceGuardHealthFunc health_func;
	gpointer user_data;
	GstElement *slate;     /* video: the slate's videotestsrc (unowned) */
	GstElement *overlay;   /* video: the slate's textoverlay (unowned) */
	GstElement *appsrc;    /* passthrough: slate frames to x264 (unowned) */
	GstElement *funnel;    /* passthrough (unowned) */
	GstPad *funnel_camera; /* passthrough: funnel's camera input (owned ref) */
	GPtrArray *outputs;    /* microphones: ghost pads, one per spec (owned refs) */

	/* Main thread only. */
	Health health;
	gboolean stopped;
	gboolean eos;
	guint backoff_ms;
	gint64 retry_at_us; /* monotonic */
	gint64 built_at_us; /* monotonic */
	GSource *timer;     /* owned */
	GSource *eos_timer; /* owned, nullable */
	char *lost_reason;  /* owned */

	/* lock protects everything below: streaming threads and main thread. */
	GMutex lock;
	GCond cond;             /* slate_out_dts moved, or stopping */
	GstElement *current;    /* the backend's bin now in the guard (owned ref, nullable) */
	gboolean playing;       /* the watchdog counts from PLAYING on */
	gint64 last_arrival_us; /* monotonic, last buffer from current */
	guint arrivals;         /* buffers from current since it was built */
	char *error;            /* first error posted by current (owned) */
	GstBuffer *latest;      /* video: camera's latest frame (owned) */
	gboolean show_camera;
	EncMode enc_mode;
	GstClockTime cam_last_dts;    /* camera timeline: last camera buffer passed */
	GstClockTimeDiff cam_latency; /* frame clock minus camera timeline */
	GstClockTime slate_next;      /* next slate pts to generate */
	GstClockTime slate_out_dts;   /* last slate buffer passed to the funnel */
	GstClockTime fill_target;     /* RESTORING: fill the slate up to this */
	gboolean cam_seen;            /* a camera buffer reached the funnel */
	GstClockTime first_tick;      /* pts of the frame clock's first frame */
	gboolean slate_caps_set;      /* the appsrc has its caps */
	GstClockTime out_dts;         /* last DTS out of "encoded" */
	guint encoded_sent;           /* "encoded" has sent: 1 stream-start, 2 caps, 4 segment */
	GstSegment cam_segment;       /* camera input's segment */
	GstSegment slate_segment;     /* slate encoder's segment */
};

G_DEFINE_TYPE(CavSourceGuard, cav_source_guard, GST_TYPE_BIN)

static gboolean build_source(CavSourceGuard *g, GError **error);
static GstElement *wrap_camera(CavSourceGuard *g, GstElement *bin, GError **error);
static void teardown_source(CavSourceGuard *g);

/* ---- streaming threads ---------------------------------------------------- */

static void
note_arrival_locked(CavSourceGuard *g)
{
	g->last_arrival_us = g_get_monotonic_time();
	g->arrivals++;
}

/* The store's sink pad: the camera's raw frames. Keeps the latest. */
static GstPadProbeReturn
on_camera_frame(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	CavSourceGuard *g = data;
	GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);

	g_mutex_lock(&g->lock);
	gst_buffer_replace(&g->latest, buf);
	note_arrival_locked(g);
	g_mutex_unlock(&g->lock);
	return GST_PAD_PROBE_OK;
}

/* Microphones: buffers through an output pad count as arrivals. */
static GstPadProbeReturn
on_audio_buffer(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	CavSourceGuard *g = data;

	g_mutex_lock(&g->lock);
	note_arrival_locked(g);
	g_mutex_unlock(&g->lock);
	return GST_PAD_PROBE_OK;
}

/* A shallow copy of @src (memory shared) with @pts and @dur. */
static GstBuffer *
retimed(GstBuffer *src, GstClockTime pts, GstClockTime dur)
{
	GstBuffer *out = gst_buffer_copy(src);

	GST_BUFFER_PTS(out) = pts;
	GST_BUFFER_DTS(out) = GST_CLOCK_TIME_NONE;
	GST_BUFFER_DURATION(out) = dur;
	GST_BUFFER_FLAG_UNSET(out, GST_BUFFER_FLAG_DISCONT);
	return out;
}

static GstCaps *raw_caps(const CavVideoFormat *f);

/* Passthrough: slate frames due on the camera's timeline at this tick. */
static GPtrArray *
collect_slate_locked(CavSourceGuard *g, GstBuffer *tick)
{
	GstClockTime pts = GST_BUFFER_PTS(tick), limit;
	GPtrArray *out;

	if (g->enc_mode == ENC_CAMERA || !GST_CLOCK_TIME_IS_VALID(pts))
		return NULL;
	/* At start the track waits for the camera's first keyframe, but not
	 * longer than lost_after: then the slate fills in from the start, on
	 * this thread (the main loop may be blocked in the pipeline's start,
	 * which waits for every track's first data). */
	if (!GST_CLOCK_TIME_IS_VALID(g->first_tick))
		g->first_tick = pts;
	if (!g->cam_seen && g->enc_mode == ENC_RESTORING &&
	    pts < g->first_tick + (GstClockTime)g->lost_after_us * GST_USECOND)
		return NULL;
	if (!g->cam_seen && !GST_CLOCK_TIME_IS_VALID(g->slate_next))
		g->slate_next = g->first_tick;
	if (!GST_CLOCK_TIME_IS_VALID(g->slate_next) || g->slate_next + MAX_BACKFILL < pts)
		g->slate_next = pts > (GstClockTime)g->cam_latency ? pts - g->cam_latency : pts;
	if (g->enc_mode == ENC_RESTORING && GST_CLOCK_TIME_IS_VALID(g->fill_target))
		/* Up to just before the keyframe: the last slate frame ends up
		 * less than one frame interval before it. */
		limit = g->fill_target > GST_MSECOND ? g->fill_target - GST_MSECOND : 0;
	else
		limit = (GstClockTimeDiff)pts > g->cam_latency ? pts - g->cam_latency : 0;
	out = g_ptr_array_new();
	if (!g->slate_caps_set && g->slate_next <= limit) {
		g_autoptr(GstCaps) caps = raw_caps(&g->format);

		g_object_set(g->appsrc, "caps", caps, NULL);
		g->slate_caps_set = TRUE;
	}
	while (g->slate_next <= limit) {
		g_ptr_array_add(out, retimed(tick, g->slate_next, g->frame_dur));
		g->slate_next += g->frame_dur;
	}
	return out;
}

/* The frame clock: every slate frame becomes the camera's latest frame while
 * the camera is healthy. */
static GstPadProbeReturn
on_frame_tick(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	CavSourceGuard *g = data;
	GstBuffer *tick = GST_PAD_PROBE_INFO_BUFFER(info);
	g_autoptr(GPtrArray) slate = NULL;
	GstBuffer *out = NULL;

	g_mutex_lock(&g->lock);
	if (g->show_camera && g->latest != NULL)
		out = retimed(g->latest, GST_BUFFER_PTS(tick), GST_BUFFER_DURATION(tick));
	if (g->appsrc != NULL)
		slate = collect_slate_locked(g, tick);
	g_mutex_unlock(&g->lock);

	for (guint i = 0; slate != NULL && i < slate->len; i++)
		gst_app_src_push_buffer(GST_APP_SRC(g->appsrc), slate->pdata[i]);
	if (out != NULL) {
		gst_buffer_unref(tick);
		GST_PAD_PROBE_INFO_DATA(info) = out;
	}
	return GST_PAD_PROBE_OK;
}

/* Both funnel inputs go out in running time, in one segment: they have
 * their own segments (x264 shifts its output by 1000 hours, a rebuilt
 * camera starts again), and the funnel would forward whichever segment came
 * last for the other's buffers. Each input probe keeps its input's segment
 * (@segment, under lock), drops the event, and rewrites each buffer's
 * timestamps to running time; the output sends one [0, ∞) segment.
 * Returns the buffer's decoding running time. Streaming thread, lock held. */
static GstClockTime
to_running_locked(GstPadProbeInfo *info, const GstSegment *segment)
{
	GstBuffer *buf = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
	GstClockTime pts = GST_BUFFER_PTS(buf), dts = GST_BUFFER_DTS(buf);

	GST_PAD_PROBE_INFO_DATA(info) = buf;
	if (segment->format != GST_FORMAT_TIME)
		return GST_CLOCK_TIME_NONE;
	if (GST_CLOCK_TIME_IS_VALID(pts))
		GST_BUFFER_PTS(buf) = gst_segment_to_running_time(segment, GST_FORMAT_TIME, pts);
	/* The camera's depayloaded H.264 has no DTS, the slate's has; mp4mux
	 * and splitmuxsink must see one kind. IP cameras send no B-frames
	 * (RTSP live profiles), so decoding order is presentation order. */
	GST_BUFFER_DTS(buf) = GST_CLOCK_TIME_IS_VALID(dts)
				      ? gst_segment_to_running_time(segment, GST_FORMAT_TIME, dts)
				      : GST_BUFFER_PTS(buf);
	return GST_BUFFER_DTS_OR_PTS(buf);
}

/* Input events: segments are kept (see above), gaps dropped. */
static GstPadProbeReturn
input_event_locked(GstPadProbeInfo *info, GstSegment *segment)
{
	GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);

	switch (GST_EVENT_TYPE(event)) {
	case GST_EVENT_SEGMENT: {
		GstSegment running;

		gst_event_copy_segment(event, segment);
		gst_segment_init(&running, GST_FORMAT_TIME);
		gst_event_unref(event);
		GST_PAD_PROBE_INFO_DATA(info) = gst_event_new_segment(&running);
		return GST_PAD_PROBE_OK;
	}
	case GST_EVENT_GAP:
		return GST_PAD_PROBE_DROP;
	default:
		return GST_PAD_PROBE_OK;
	}
}

/* Funnel input of the camera's own H.264. */
static GstPadProbeReturn
on_camera_encoded(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	CavSourceGuard *g = data;
	GstClockTime dts, now = gst_element_get_current_running_time(GST_ELEMENT(g));
	GstPadProbeReturn ret = GST_PAD_PROBE_DROP;
	gboolean key;
	gint64 deadline;

	g_mutex_lock(&g->lock);
	if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
		ret = input_event_locked(info, &g->cam_segment);
		g_mutex_unlock(&g->lock);
		return ret;
	}
	key = !GST_BUFFER_FLAG_IS_SET(GST_PAD_PROBE_INFO_BUFFER(info), GST_BUFFER_FLAG_DELTA_UNIT);
	dts = to_running_locked(info, &g->cam_segment);
	if (!GST_BUFFER_PTS_IS_VALID(GST_PAD_PROBE_INFO_BUFFER(info))) {
		/* mp4mux refuses (fails) a sample without a time. */
		g_mutex_unlock(&g->lock);
		return GST_PAD_PROBE_DROP;
	}
	g->cam_seen = TRUE;
	/* Follow this camera's timeline also while the slate stands in, so the
	 * slate stays level with it (collect_slate_locked). */
	if (GST_CLOCK_TIME_IS_VALID(now) && GST_CLOCK_TIME_IS_VALID(dts))
		g->cam_latency = GST_CLOCK_DIFF(dts, now);
	switch (g->enc_mode) {
	case ENC_CAMERA:
		ret = GST_PAD_PROBE_OK;
		break;
	case ENC_SLATE:
		break;
	case ENC_RESTORING:
		if (!key || !GST_CLOCK_TIME_IS_VALID(dts) ||
		    (GST_CLOCK_TIME_IS_VALID(g->slate_out_dts) && dts <= g->slate_out_dts))
			break;
		/* Let the slate fill up to one frame before this keyframe. */
		g->fill_target = dts;
		deadline = g_get_monotonic_time() + RESTORE_WAIT / GST_USECOND;
		while (g->playing && GST_CLOCK_TIME_IS_VALID(g->slate_out_dts) &&
		       g->slate_out_dts + g->frame_dur + GST_MSECOND < dts &&
		       g_cond_wait_until(&g->cond, &g->lock, deadline))
			;
		g->fill_target = GST_CLOCK_TIME_NONE;
		if (GST_CLOCK_TIME_IS_VALID(g->slate_out_dts) && dts <= g->slate_out_dts)
			break; /* the slate got there first: the next keyframe */
		g->enc_mode = ENC_CAMERA;
		ret = GST_PAD_PROBE_OK;
		break;
	}
	if (ret == GST_PAD_PROBE_OK && GST_CLOCK_TIME_IS_VALID(dts))
		g->cam_last_dts = dts;
	g_mutex_unlock(&g->lock);
	return ret;
}

/* Funnel input of the encoded slate. */
static GstPadProbeReturn
on_slate_encoded(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	CavSourceGuard *g = data;
	GstPadProbeReturn ret = GST_PAD_PROBE_DROP;

	g_mutex_lock(&g->lock);
	if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
		ret = input_event_locked(info, &g->slate_segment);
	} else if (g->enc_mode != ENC_CAMERA) {
		GstClockTime dts = to_running_locked(info, &g->slate_segment);

		/* Never past the camera keyframe that is waiting to take over. */
		if (!GST_CLOCK_TIME_IS_VALID(g->fill_target) || dts < g->fill_target) {
			g->slate_out_dts = dts;
			ret = GST_PAD_PROBE_OK;
		}
		g_cond_broadcast(&g->cond);
	}
	g_mutex_unlock(&g->lock);
	return ret;
}

/* Errors of the wrapped source are ours to handle: they never reach the
 * pipeline's bus (the recorder would stop). Its ASYNC messages are dropped
 * too: a source rebuilt while PLAYING must not take the pipeline back to
 * PAUSED. Called from the posting thread. */
static void
guard_handle_message(GstBin *bin, GstMessage *msg)
{
	CavSourceGuard *g = CAV_SOURCE_GUARD(bin);
	GstObject *src = GST_MESSAGE_SRC(msg);
	gboolean ours = FALSE;
	GstMessageType type = GST_MESSAGE_TYPE(msg);

	if (type == GST_MESSAGE_ERROR || type == GST_MESSAGE_WARNING ||
	    type == GST_MESSAGE_ASYNC_START || type == GST_MESSAGE_ASYNC_DONE ||
	    type == GST_MESSAGE_EOS) {
		g_mutex_lock(&g->lock);
		ours = g->current != NULL && src != NULL &&
		       (src == GST_OBJECT(g->current) ||
			gst_object_has_as_ancestor(src, GST_OBJECT(g->current)));
		if (ours && type == GST_MESSAGE_ERROR && g->error == NULL) {
			g_autoptr(GError) err = NULL;
			g_autofree char *debug = NULL;

			gst_message_parse_error(msg, &err, &debug);
			g->error = g_strdup(err->message);
			g_debug("source %s: %s (%s)", GST_OBJECT_NAME(g), err->message,
				debug ? debug : "");
		}
		g_mutex_unlock(&g->lock);
	}
	if (ours) {
		gst_message_unref(msg);
		return;
	}
	GST_BIN_CLASS(cav_source_guard_parent_class)->handle_message(bin, msg);
}

/* Takes the backend's bin (kept in locked state) to @state with the guard's
 * clock and base time. A failure is an error of the source, not of the
 * guard: the device may be missing, and the watchdog deals with it. */
static void
run_current(CavSourceGuard *g, GstElement *current, GstState state)
{
	GstClock *clock;

	if (state == GST_STATE_PLAYING) {
		clock = gst_element_get_clock(GST_ELEMENT(g));
		if (clock != NULL) {
			gst_element_set_clock(current, clock);
			gst_object_unref(clock);
		}
		gst_element_set_start_time(current, GST_CLOCK_TIME_NONE);
		gst_element_set_base_time(current, gst_element_get_base_time(GST_ELEMENT(g)));
	}
	if (gst_element_set_state(current, state) == GST_STATE_CHANGE_FAILURE) {
		g_mutex_lock(&g->lock);
		if (g->error == NULL && current == g->current)
			g->error = g_strdup_printf("the source could not start (%s)",
						   gst_element_state_get_name(state));
		g_mutex_unlock(&g->lock);
	}
}

static GstElement *
ref_current(CavSourceGuard *g)
{
	GstElement *current;

	g_mutex_lock(&g->lock);
	current = g->current ? gst_object_ref(g->current) : NULL;
	g_mutex_unlock(&g->lock);
	return current;
}

static GstStateChangeReturn
guard_change_state(GstElement *element, GstStateChange transition)
{
	CavSourceGuard *g = CAV_SOURCE_GUARD(element);
	GstState next = GST_STATE_TRANSITION_NEXT(transition);
	g_autoptr(GstElement) current = ref_current(g);
	GstStateChangeReturn ret;

	/* Going down for good: no more rebuilds and no more callbacks (the
	 * recorder may be gone once its pipeline is in NULL). */
	if (transition == GST_STATE_CHANGE_READY_TO_NULL)
		cav_source_guard_stop(g);
	if (transition == GST_STATE_CHANGE_PLAYING_TO_PAUSED) {
		g_mutex_lock(&g->lock);
		g->playing = FALSE;
		g_cond_broadcast(&g->cond);
		g_mutex_unlock(&g->lock);
	}
	if (current != NULL && next < GST_STATE_TRANSITION_CURRENT(transition))
		run_current(g, current, next);
	ret = GST_ELEMENT_CLASS(cav_source_guard_parent_class)->change_state(element, transition);
	if (ret == GST_STATE_CHANGE_FAILURE)
		return ret;
	if (current != NULL && next > GST_STATE_TRANSITION_CURRENT(transition))
		run_current(g, current, next);
	if (transition == GST_STATE_CHANGE_PAUSED_TO_PLAYING) {
		g_mutex_lock(&g->lock);
		g->playing = TRUE;
		g->last_arrival_us = g_get_monotonic_time();
		g_mutex_unlock(&g->lock);
	}
	/* Live, like any capture source: NO_PREROLL into PAUSED, but a plain
	 * SUCCESS into PLAYING, or the pipeline would stop waiting for its
	 * asynchronous sinks (splitmuxsink) and leave them in PAUSED. */
	if (transition == GST_STATE_CHANGE_READY_TO_PAUSED ||
	    transition == GST_STATE_CHANGE_PLAYING_TO_PAUSED)
		ret = GST_STATE_CHANGE_NO_PREROLL;
	else if (ret == GST_STATE_CHANGE_NO_PREROLL)
		ret = GST_STATE_CHANGE_SUCCESS;
	return ret;
}

/* Latency of the guard's outputs. The frame clock is a live source one frame
 * deep whatever the camera does, and a lost microphone has no latency to
 * report: answering here keeps the pipeline's latency defined (aggregators
 * and muxers stall when a latency query fails, e.g. before the slate has
 * negotiated or while a microphone is being reopened). Any thread. */
static gboolean
on_output_query(GstPad *pad, GstObject *parent, GstQuery *query)
{
	CavSourceGuard *g = CAV_SOURCE_GUARD(parent);

	if (GST_QUERY_TYPE(query) != GST_QUERY_LATENCY)
		return gst_pad_query_default(pad, parent, query);
	if (g->video || !gst_pad_query_default(pad, parent, query))
		gst_query_set_latency(query, TRUE, g->video ? g->frame_dur : 0,
				      GST_CLOCK_TIME_NONE);
	return TRUE;
}

static void
own_latency(CavSourceGuard *g, const char *pad_name)
{
	g_autoptr(GstPad) pad = gst_element_get_static_pad(GST_ELEMENT(g), pad_name);

	gst_pad_set_query_function(pad, on_output_query);
}

/* ---- main thread: health ---------------------------------------------------- */

static gint64
wall_of_monotonic(gint64 mono_us)
{
	return g_get_real_time() - (g_get_monotonic_time() - mono_us);
}

static void
report(CavSourceGuard *g, gboolean ok, gint64 since_us, const char *reason)
{
	if (g->health_func == NULL || g->stopped)
		return;
	for (guint i = 0; i < g->specs->len; i++) {
		const CavSourceSpec *spec = g_ptr_array_index(g->specs, i);
		CavSourceHealth h = {
			.id = spec->id, .ok = ok, .since_us = since_us, .reason = reason};

		g->health_func(&h, g->user_data);
		if (g->stopped)
			return;
	}
}

static char *
slate_text(CavSourceGuard *g)
{
	const CavSourceSpec *spec = g_ptr_array_index(g->specs, 0);

	return g_strdup_printf("%s\n%s", CAV_SLATE_TEXT, spec->label ? spec->label : spec->id);
}

static void
go_lost(CavSourceGuard *g, gint64 last_us, const char *reason)
{
	g_message("source %s lost: %s", GST_OBJECT_NAME(g), reason);
	g_mutex_lock(&g->lock);
	g->show_camera = FALSE;
	if (g->appsrc != NULL && g->enc_mode == ENC_CAMERA) {
		g->enc_mode = ENC_SLATE;
		g->slate_next = GST_CLOCK_TIME_IS_VALID(g->cam_last_dts)
					? g->cam_last_dts + g->frame_dur
					: GST_CLOCK_TIME_NONE;
	} else if (g->appsrc != NULL) {
		g->enc_mode = ENC_SLATE; /* lost again while restoring */
	}
	g_mutex_unlock(&g->lock);
	if (g->overlay != NULL) {
		g_autofree char *text = slate_text(g);

		g_object_set(g->overlay, "text", text, NULL);
	}
	g_free(g->lost_reason);
	g->lost_reason = g_strdup(reason);
	g->health = HEALTH_LOST;
	teardown_source(g);
	g->backoff_ms = BACKOFF_FIRST_MS;
	g->retry_at_us = g_get_monotonic_time() + g->backoff_ms * 1000;
	report(g, FALSE, wall_of_monotonic(last_us), reason);
}

static void
go_ok(CavSourceGuard *g, gint64 first_us)
{
	g_message("source %s restored", GST_OBJECT_NAME(g));
	g_mutex_lock(&g->lock);
	g->show_camera = TRUE;
	if (g->enc_mode == ENC_SLATE)
		g->enc_mode = ENC_RESTORING;
	g_mutex_unlock(&g->lock);
	g->health = HEALTH_OK;
	g->backoff_ms = BACKOFF_FIRST_MS;
	report(g, TRUE, wall_of_monotonic(first_us), NULL);
}

/* A failed rebuild: wait longer before the next one. */
static void
retry_later(CavSourceGuard *g, const char *why)
{
	g_debug("source %s: retry failed: %s", GST_OBJECT_NAME(g), why);
	teardown_source(g);
	g->health = HEALTH_LOST;
	g->backoff_ms = MIN(g->backoff_ms * 2, BACKOFF_MAX_MS);
	g->retry_at_us = g_get_monotonic_time() + g->backoff_ms * 1000;
}

static void
retry_now(CavSourceGuard *g)
{
	g_autoptr(GError) error = NULL;

	g->built_at_us = g_get_monotonic_time();
	if (!build_source(g, &error)) {
		retry_later(g, error->message);
		return;
	}
	g->health = HEALTH_RETRYING;
}

static gboolean
on_watchdog(gpointer data)
{
	CavSourceGuard *g = data;
	gint64 now = g_get_monotonic_time(), last;
	g_autofree char *error = NULL;
	guint arrivals;
	gboolean playing;

	if (g->stopped)
		return G_SOURCE_REMOVE;
	g_mutex_lock(&g->lock);
	playing = g->playing;
	last = g->last_arrival_us;
	arrivals = g->arrivals;
	error = g_steal_pointer(&g->error);
	g_mutex_unlock(&g->lock);
	if (!playing || g->eos)
		return G_SOURCE_CONTINUE;

	switch (g->health) {
	case HEALTH_OK:
		if (error != NULL) {
			go_lost(g, last, error);
		} else if (now - last > g->lost_after_us) {
			g_autofree char *why = g_strdup_printf(
				"no data for %.1f s", (double)g->lost_after_us / G_USEC_PER_SEC);

			go_lost(g, last, why);
		}
		break;
	case HEALTH_RETRYING:
		if (error != NULL)
			retry_later(g, error);
		else if (arrivals > 0)
			go_ok(g, last);
		else if (now - g->built_at_us > MAX(CONNECT_TIMEOUT_MS * 1000, g->lost_after_us))
			retry_later(g, "no data after reconnecting");
		break;
	case HEALTH_LOST:
		if (now >= g->retry_at_us)
			retry_now(g);
		break;
	}
	/* Restored passthrough: the slate's text goes once the camera passes. */
	if (g->health == HEALTH_OK && g->overlay != NULL) {
		gboolean camera;

		g_mutex_lock(&g->lock);
		camera = g->enc_mode == ENC_CAMERA;
		g_mutex_unlock(&g->lock);
		if (camera)
			g_object_set(g->overlay, "text", "", NULL);
	}
	return G_SOURCE_CONTINUE;
}

/* ---- main thread: building and tearing down the backend's bin -------------- */

static gpointer
set_null_thread(gpointer data)
{
	GstElement *bin = data;

	gst_element_set_state(bin, GST_STATE_NULL);
	gst_object_unref(bin);
	return NULL;
}

static void
teardown_source(CavSourceGuard *g)
{
	GstElement *old;

	g_mutex_lock(&g->lock);
	old = g_steal_pointer(&g->current);
	g_clear_pointer(&g->latest, gst_buffer_unref);
	g_clear_pointer(&g->error, g_free);
	g_mutex_unlock(&g->lock);
	if (old == NULL)
		return;
	for (guint i = 0; g->outputs != NULL && i < g->outputs->len; i++)
		gst_ghost_pad_set_target(g->outputs->pdata[i], NULL);
	/* Removing unlinks its pads; the bin keeps running until the thread
	 * below takes it to NULL. */
	gst_bin_remove(GST_BIN(g), old);
	if (g->funnel_camera != NULL) {
		gst_element_release_request_pad(g->funnel, g->funnel_camera);
		gst_clear_object(&g->funnel_camera);
	}
	g_thread_unref(g_thread_new("cav-src-down", set_null_thread, old));
}

static GstElement *
create_backend_bin(CavSourceGuard *g, GError **error)
{
	const CavSourceSpec *spec = g_ptr_array_index(g->specs, 0);
	GstElement *(*group)(const CavSourceSpec *const *, guint, GError **) =
		CAV_SOURCE_BACKEND_HOOK(g->backend, create_group);

	if (g->grouped)
		return group((const CavSourceSpec *const *)g->specs->pdata, g->specs->len, error);
	return g->backend->create(spec, g->video ? &g->format : NULL, error);
}

static gboolean
link_pad(GstElement *from, const char *from_pad, GstPad *to, GError **error)
{
	g_autoptr(GstPad) pad = gst_element_get_static_pad(from, from_pad);

	if (pad != NULL && gst_pad_link(pad, to) == GST_PAD_LINK_OK)
		return TRUE;
	g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD,
		    "Could not connect pad %s of source %s", from_pad, GST_OBJECT_NAME(from));
	return FALSE;
}

static gboolean
connect_outputs(CavSourceGuard *g, GstElement *bin, GError **error)
{
	if (g->video) {
		if (g->funnel == NULL)
			return TRUE;
		/* A fresh funnel input per source bin: the last one may have
		 * seen EOS from a camera that went away. */
		g->funnel_camera = gst_element_request_pad_simple(g->funnel, "sink_%u");
		gst_pad_add_probe(g->funnel_camera,
				  GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
				  on_camera_encoded, g, NULL);
		return link_pad(bin, "encoded", g->funnel_camera, error);
	}
	for (guint i = 0; i < g->outputs->len; i++) {
		g_autofree char *name = g->grouped ? g_strdup_printf("src_%u", i) : g_strdup("src");
		g_autoptr(GstPad) target = gst_element_get_static_pad(bin, name);

		if (target == NULL || !gst_ghost_pad_set_target(g->outputs->pdata[i], target)) {
			g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD,
				    "Could not connect pad %s of source %s", name,
				    GST_OBJECT_NAME(g));
			return FALSE;
		}
	}
	return TRUE;
}

/* Creates the backend's bin and puts it in the guard, running if the guard
 * runs. On failure nothing is left behind. */
static gboolean
build_source(CavSourceGuard *g, GError **error)
{
	g_autoptr(GError) local = NULL;
	GstElement *bin = create_backend_bin(g, &local);

	if (bin == NULL) {
		g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD, "%s",
			    local ? local->message : "the source could not be created");
		return FALSE;
	}
	if (g->video) {
		bin = wrap_camera(g, bin, error);
		if (bin == NULL)
			return FALSE;
	}
	gst_element_set_locked_state(bin, TRUE);
	gst_bin_add(GST_BIN(g), bin);
	/* Not a sink for the pipeline's EOS: a lost camera never sends one,
	 * and the recording must end anyway. */
	GST_OBJECT_FLAG_UNSET(g, GST_ELEMENT_FLAG_SINK);
	g_mutex_lock(&g->lock);
	g->current = gst_object_ref(bin);
	g->arrivals = 0;
	g_clear_pointer(&g->error, g_free);
	g_mutex_unlock(&g->lock);
	if (!connect_outputs(g, bin, error)) {
		teardown_source(g);
		return FALSE;
	}
	/* A failure to start shows as an error the watchdog picks up. */
	if (GST_STATE(g) != GST_STATE_NULL)
		run_current(g, bin, GST_STATE(g));
	return TRUE;
}

/* ---- construction ------------------------------------------------------------ */

static GstElement *
add_el(CavSourceGuard *g, const char *factory, const char *name, GError **error)
{
	return cav_graph_add(GST_BIN(g), factory, name, error);
}

static GstCaps *
raw_caps(const CavVideoFormat *f)
{
	return gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", "width",
				   G_TYPE_INT, (int)f->width, "height", G_TYPE_INT, (int)f->height,
				   "framerate", GST_TYPE_FRACTION, (int)f->fps, 1,
				   "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
}

/* slate: videotestsrc ─ caps ─ textoverlay ─ caps ─ "src" (frame clock probe) */
static gboolean
add_slate(CavSourceGuard *g, GError **error)
{
	g_autoptr(GstCaps) caps = raw_caps(&g->format);
	g_autoptr(GstPad) out_pad = NULL;
	GstElement *src, *f1, *f2;

	src = g->slate = add_el(g, "videotestsrc", NULL, error);
	f1 = src ? add_el(g, "capsfilter", NULL, error) : NULL;
	g->overlay = f1 ? add_el(g, "textoverlay", NULL, error) : NULL;
	f2 = g->overlay ? add_el(g, "capsfilter", NULL, error) : NULL;
	if (f2 == NULL)
		return FALSE;
	g_object_set(src, "is-live", TRUE, "foreground-color", (guint)(0xff000000u | CAV_SLATE_RGB),
		     NULL);
	g_object_set(f1, "caps", caps, NULL);
	g_object_set(f2, "caps", caps, NULL);
	g_object_set(g->overlay, "text", "", "font-desc", "Sans Bold 28", "shaded-background",
		     FALSE, NULL);
	if (!cav_graph_set_nick(src, "pattern", "solid-color", error) ||
	    !cav_graph_set_nick(g->overlay, "halignment", "center", error) ||
	    !cav_graph_set_nick(g->overlay, "valignment", "center", error) ||
	    !cav_graph_set_nick(g->overlay, "line-alignment", "center", error) ||
	    !cav_graph_link_many(error, src, f1, g->overlay, f2, NULL) ||
	    !cav_graph_ghost(GST_BIN(g), f2, "src", "src", error))
		return FALSE;
	own_latency(g, "src");
	out_pad = gst_element_get_static_pad(f2, "src");
	gst_pad_add_probe(out_pad, GST_PAD_PROBE_TYPE_BUFFER, on_frame_tick, g, NULL);
	return TRUE;
}

/* Cameras: the backend's bin and a fakesink whose probe keeps its latest
 * frame, in one bin that is built and torn down as a whole (a fresh sink
 * each time: the last one may have seen EOS from a camera that went away).
 * The encoded pad, if any, is exposed as is. */
static GstElement *
wrap_camera(CavSourceGuard *g, GstElement *bin, GError **error)
{
	g_autoptr(GstElement) holder = gst_object_ref_sink(gst_bin_new(NULL));
	GstElement *store = cav_graph_add(GST_BIN(holder), "fakesink", NULL, error);
	g_autoptr(GstPad) pad = NULL;

	gst_bin_add(GST_BIN(holder), bin);
	if (store == NULL)
		return NULL;
	g_object_set(store, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE, "qos",
		     FALSE, NULL);
	if (!cav_graph_link(bin, "src", store, "sink", error) ||
	    (g->funnel != NULL &&
	     !cav_graph_ghost(GST_BIN(holder), bin, "encoded", "encoded", error)))
		return NULL;
	pad = gst_element_get_static_pad(store, "sink");
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_camera_frame, g, NULL);
	return g_steal_pointer(&holder);
}

/* x264 (zerolatency, the track's GOP) ─ h264parse ─ avc3, like the camera's. */
static GstElement *
add_slate_encoder(CavSourceGuard *g, const CavSourceGuardConfig *cfg, GError **error)
{
	g_autoptr(GstCaps) avc3 =
		gst_caps_from_string("video/x-h264, stream-format=avc3, alignment=au");
	GstElement *enc, *parse, *filter;

	enc = add_el(g, "x264enc", NULL, error);
	parse = enc ? add_el(g, "h264parse", NULL, error) : NULL;
	filter = parse ? add_el(g, "capsfilter", NULL, error) : NULL;
	if (filter == NULL)
		return NULL;
	g_object_set(enc, "bitrate", cfg->camera_kbps ? cfg->camera_kbps : 1000u, "key-int-max",
		     g->format.fps * (cfg->keyframe_seconds ? cfg->keyframe_seconds : 1), NULL);
	g_object_set(filter, "caps", avc3, NULL);
	/* Parameter sets before every keyframe: a file split there decodes alone. */
	g_object_set(parse, "config-interval", -1, NULL);
	if (!cav_graph_set_nick(enc, "tune", "zerolatency", error) ||
	    !cav_graph_set_nick(enc, "speed-preset",
				cfg->x264_preset ? cfg->x264_preset : "veryfast", error) ||
	    !cav_graph_link_many(error, g->appsrc, enc, parse, filter, NULL))
		return NULL;
	return filter;
}

/* The track keeps the caps it started with: avc3 carries parameter sets in
 * band, so the slate's and the camera's streams follow each other in one
 * file, and mp4mux never sees a caps change (it would rewrite the file's
 * sample description, or refuse). Streaming thread of the funnel. */
static GstPadProbeReturn
on_encoded_out(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	CavSourceGuard *g = data;
	GstEventType type;
	guint bit;
	gboolean first;

	if (info->type & GST_PAD_PROBE_TYPE_BUFFER) {
		/* Last line of defence for the recording: mp4mux fails the whole
		 * pipeline on a decreasing DTS, so such a frame is dropped. */
		GstClockTime dts = GST_BUFFER_DTS_OR_PTS(GST_PAD_PROBE_INFO_BUFFER(info));
		gboolean ok;

		g_mutex_lock(&g->lock);
		ok = GST_BUFFER_PTS_IS_VALID(GST_PAD_PROBE_INFO_BUFFER(info)) &&
		     (!GST_CLOCK_TIME_IS_VALID(g->out_dts) || dts > g->out_dts);
		if (ok && GST_CLOCK_TIME_IS_VALID(dts))
			g->out_dts = dts;
		g_mutex_unlock(&g->lock);
		if (!ok)
			g_debug("source %s: dropped an encoded frame out of order",
				GST_OBJECT_NAME(g));
		return ok ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
	}
	type = GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info));
	bit = type == GST_EVENT_STREAM_START ? 1
	      : type == GST_EVENT_CAPS       ? 2
	      : type == GST_EVENT_SEGMENT    ? 4
					     : 0;
	if (bit == 0)
		return GST_PAD_PROBE_OK;
	g_mutex_lock(&g->lock);
	first = (g->encoded_sent & bit) == 0;
	g->encoded_sent |= bit;
	g_mutex_unlock(&g->lock);
	return first ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

/* appsrc ─ x264 ─┐
 *  camera H.264 ─┴─ funnel ─ "encoded" */
static gboolean
add_encoded(CavSourceGuard *g, const CavSourceGuardConfig *cfg, GError **error)
{
	g_autoptr(GstPad) slate_pad = NULL;
	g_autoptr(GstPad) out = NULL;
	GstElement *enc;

	g->appsrc = add_el(g, "appsrc", NULL, error);
	g->funnel = g->appsrc ? add_el(g, "funnel", NULL, error) : NULL;
	if (g->funnel == NULL)
		return FALSE;
	/* We pick the sticky events ourselves (on_encoded_out); re-sending them
	 * at every change of input would flood the track. */
	g_object_set(g->funnel, "forward-sticky-events", FALSE, NULL);
	/* No caps until the slate is needed (collect_slate_locked): the camera's
	 * caps must reach the track first. */
	g_object_set(g->appsrc, "is-live", TRUE, "format", GST_FORMAT_TIME, "max-bytes",
		     (guint64)g->format.width * g->format.height * 3 / 2 * g->format.fps, "block",
		     FALSE, NULL);
	enc = add_slate_encoder(g, cfg, error);
	if (enc == NULL)
		return FALSE;
	slate_pad = gst_element_request_pad_simple(g->funnel, "sink_%u");
	if (!cav_graph_link(enc, "src", g->funnel, GST_OBJECT_NAME(slate_pad), error) ||
	    !cav_graph_ghost(GST_BIN(g), g->funnel, "src", "encoded", error))
		return FALSE;
	out = gst_element_get_static_pad(g->funnel, "src");
	gst_pad_add_probe(out, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM | GST_PAD_PROBE_TYPE_BUFFER,
			  on_encoded_out, g, NULL);
	own_latency(g, "encoded");
	gst_pad_add_probe(slate_pad,
			  GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
			  on_slate_encoded, g, NULL);
	return TRUE;
}

/* Microphones: one ghost pad per spec, targets set by connect_outputs(). */
static gboolean
add_audio_outputs(CavSourceGuard *g, GError **error)
{
	g->outputs = g_ptr_array_new_with_free_func(gst_object_unref);
	for (guint i = 0; i < g->specs->len; i++) {
		g_autofree char *name =
			g->specs->len == 1 ? g_strdup("src") : g_strdup_printf("src_%u", i);
		GstPad *ghost = gst_ghost_pad_new_no_target(name, GST_PAD_SRC);

		if (!gst_element_add_pad(GST_ELEMENT(g), ghost)) {
			g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD,
				    "Could not add pad %s to %s", name, GST_OBJECT_NAME(g));
			return FALSE;
		}
		g_ptr_array_add(g->outputs, gst_object_ref(ghost));
		gst_pad_set_query_function(ghost, on_output_query);
		gst_pad_add_probe(ghost, GST_PAD_PROBE_TYPE_BUFFER, on_audio_buffer, g, NULL);
	}
	return TRUE;
}

static gint64
lost_after_us(const CavSourceSpec *spec)
{
	const char *v = g_hash_table_lookup(spec->params, CAV_SOURCE_KEY_LOST_AFTER);
	guint64 ms = CAV_SOURCE_LOST_AFTER_MS_DEFAULT;

	if (v != NULL && !g_ascii_string_to_unsigned(v, 10, 200, 60000, &ms, NULL))
		ms = CAV_SOURCE_LOST_AFTER_MS_DEFAULT;
	return (gint64)ms * 1000;
}

static gboolean
guard_setup(CavSourceGuard *g, const CavSourceGuardConfig *cfg, GError **error)
{
	if (!g->video)
		return add_audio_outputs(g, error) && build_source(g, error);
	if (!add_slate(g, error))
		return FALSE;
	if (cav_source_has_encoded(g_ptr_array_index(g->specs, 0)) && !add_encoded(g, cfg, error))
		return FALSE;
	return build_source(g, error);
}

CavSourceGuard *
cav_source_guard_new(const CavSourceSpec *const *specs, guint n_specs,
		     const CavSourceGuardConfig *cfg, GError **error)
{
	g_autofree char *name = g_strdup_printf("%s-src", specs[0]->id);
	g_autoptr(CavSourceGuard) g = NULL;

	g_return_val_if_fail(n_specs > 0 && cfg != NULL && cfg->context != NULL, NULL);
	g = g_object_new(CAV_TYPE_SOURCE_GUARD, "name", name, NULL);
	gst_object_ref_sink(g);
	g->specs = g_ptr_array_new_with_free_func((GDestroyNotify)cav_source_spec_free);
	for (guint i = 0; i < n_specs; i++)
		g_ptr_array_add(g->specs, cav_source_spec_copy(specs[i]));
	g->backend = cav_source_backend_lookup(specs[0]->backend);
	g->video = specs[0]->kind == CAV_MEDIA_VIDEO;
	g_return_val_if_fail(g->backend != NULL && (!g->video || cfg->video != NULL), NULL);
	if (g->video) {
		g->format = *cfg->video;
		g->frame_dur = gst_util_uint64_scale_int(GST_SECOND, 1, (int)g->format.fps);
	}
	if (CAV_SOURCE_BACKEND_HOOK(g->backend, create_group) != NULL) {
		g_autofree char *key = cav_source_group_key(specs[0]);

		g->grouped = key != NULL;
	}
	g->lost_after_us = lost_after_us(specs[0]);
	g->context = g_main_context_ref(cfg->context);
	g->health_func = cfg->health;
	g->user_data = cfg->user_data;
	if (!guard_setup(g, cfg, error))
		return NULL;
	g->timer = g_timeout_source_new(WATCHDOG_MS);
	/* No reference: dispose destroys the timer (main thread, like the timer). */
	g_source_set_callback(g->timer, on_watchdog, g, NULL);
	g_source_attach(g->timer, g->context);
	g_object_force_floating(G_OBJECT(g));
	return g_steal_pointer(&g);
}

gboolean
cav_source_guard_has_encoded(CavSourceGuard *guard)
{
	return guard->funnel != NULL;
}

static void
clear_source(GSource **source)
{
	if (*source == NULL)
		return;
	g_source_destroy(*source);
	g_clear_pointer(source, g_source_unref);
}

void
cav_source_guard_stop(CavSourceGuard *guard)
{
	if (guard == NULL)
		return;
	guard->stopped = TRUE;
	clear_source(&guard->timer);
	clear_source(&guard->eos_timer);
	g_mutex_lock(&guard->lock);
	guard->playing = FALSE;
	g_cond_broadcast(&guard->cond);
	g_mutex_unlock(&guard->lock);
}

/* ---- EOS: the recording ends ---------------------------------------------- */

/* The camera's encoded input did not end by itself (lost, or a camera that
 * ignores EOS): let the funnel end without it. */
static gboolean
on_eos_grace(gpointer data)
{
	CavSourceGuard *g = data;

	if (g->funnel_camera != NULL && !GST_PAD_IS_EOS(g->funnel_camera)) {
		g_autoptr(GstPad) peer = gst_pad_get_peer(g->funnel_camera);

		if (peer != NULL)
			gst_pad_unlink(peer, g->funnel_camera);
		gst_element_release_request_pad(g->funnel, g->funnel_camera);
		gst_clear_object(&g->funnel_camera);
	}
	g_clear_pointer(&g->eos_timer, g_source_unref);
	return G_SOURCE_REMOVE;
}

static gpointer
send_eos_thread(gpointer data)
{
	GstElement *current = data;
	GstEvent *event = g_object_steal_data(G_OBJECT(current), "cav-eos");

	if (event != NULL)
		gst_element_send_event(current, event);
	gst_object_unref(current);
	return NULL;
}

static gboolean
guard_send_event(GstElement *element, GstEvent *event)
{
	CavSourceGuard *g = CAV_SOURCE_GUARD(element);
	gboolean lost;

	if (GST_EVENT_TYPE(event) != GST_EVENT_EOS || g->eos)
		return GST_ELEMENT_CLASS(cav_source_guard_parent_class)->send_event(element, event);
	g->eos = TRUE;
	g_mutex_lock(&g->lock);
	lost = g->current == NULL || g->health != HEALTH_OK;
	g_mutex_unlock(&g->lock);
	/* A lost microphone sends nothing: end its outputs here. */
	for (guint i = 0; lost && g->outputs != NULL && i < g->outputs->len; i++)
		gst_pad_push_event(g->outputs->pdata[i], gst_event_new_eos());
	if (g->funnel_camera != NULL && !g->stopped) {
		g->eos_timer = g_timeout_source_new(lost ? 0 : EOS_GRACE_MS);
		g_source_set_callback(g->eos_timer, on_eos_grace, g, NULL);
		g_source_attach(g->eos_timer, g->context);
	}
	/* To each source ourselves: GstBin's iteration skips the slate here.
	 * The camera's own bin gets it from a thread of its own: a source
	 * whose streaming thread is stuck (a dead RTSP session) can hold its
	 * lock for long, and the main loop must stay free to force the stop. */
	{
		GstElement *current = ref_current(g);
		GstElement *sources[] = {g->slate, g->appsrc};

		for (guint i = 0; i < G_N_ELEMENTS(sources); i++)
			if (sources[i] != NULL)
				gst_element_send_event(sources[i], gst_event_ref(event));
		if (current != NULL) {
			g_object_set_data_full(G_OBJECT(current), "cav-eos", gst_event_ref(event),
					       (GDestroyNotify)gst_event_unref);
			g_thread_unref(g_thread_new("cav-src-eos", send_eos_thread, current));
		}
	}
	gst_event_unref(event);
	return TRUE;
}

static void
guard_dispose(GObject *object)
{
	CavSourceGuard *g = CAV_SOURCE_GUARD(object);

	cav_source_guard_stop(g);
	gst_clear_object(&g->funnel_camera);
	g_clear_pointer(&g->outputs, g_ptr_array_unref);
	g_mutex_lock(&g->lock);
	gst_clear_object(&g->current);
	g_clear_pointer(&g->latest, gst_buffer_unref);
	g_mutex_unlock(&g->lock);
	G_OBJECT_CLASS(cav_source_guard_parent_class)->dispose(object);
}

static void
guard_finalize(GObject *object)
{
	CavSourceGuard *g = CAV_SOURCE_GUARD(object);

	g_clear_pointer(&g->specs, g_ptr_array_unref);
	g_clear_pointer(&g->context, g_main_context_unref);
	g_free(g->lost_reason);
	g_free(g->error);
	g_mutex_clear(&g->lock);
	g_cond_clear(&g->cond);
	G_OBJECT_CLASS(cav_source_guard_parent_class)->finalize(object);
}

static void
cav_source_guard_class_init(CavSourceGuardClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = guard_dispose;
	G_OBJECT_CLASS(klass)->finalize = guard_finalize;
	GST_ELEMENT_CLASS(klass)->change_state = guard_change_state;
	GST_ELEMENT_CLASS(klass)->send_event = guard_send_event;
	GST_BIN_CLASS(klass)->handle_message = guard_handle_message;
}

static void
cav_source_guard_init(CavSourceGuard *g)
{
	g_mutex_init(&g->lock);
	g_cond_init(&g->cond);
	g->show_camera = TRUE;
	/* Passthrough starts like a restore: the camera's first keyframe. */
	g->enc_mode = ENC_RESTORING;
	g->first_tick = GST_CLOCK_TIME_NONE;
	g->cam_last_dts = GST_CLOCK_TIME_NONE;
	g->slate_next = GST_CLOCK_TIME_NONE;
	g->slate_out_dts = GST_CLOCK_TIME_NONE;
	g->fill_target = GST_CLOCK_TIME_NONE;
	g->out_dts = GST_CLOCK_TIME_NONE;
	g->cam_latency = 0;
	gst_segment_init(&g->cam_segment, GST_FORMAT_UNDEFINED);
	gst_segment_init(&g->slate_segment, GST_FORMAT_UNDEFINED);
}
