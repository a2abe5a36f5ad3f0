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
#include "encode.h"
#include "source-backends.h"

#include <gst/app/gstappsrc.h>
#include <string.h>

#define WATCHDOG_MS 100
#define BACKOFF_FIRST_MS 500
#define BACKOFF_MAX_MS 8000
/* A rebuilt source must deliver within this (or lost_after, if longer). */
#define CONNECT_TIMEOUT_MS 6000
#define RESTORE_WAIT (300 * GST_MSECOND)
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
	GstElement *store;   /* video: fakesink taking the camera's raw frames (unowned: in bin) */
	GstElement *slate;   /* video: the slate's videotestsrc (unowned) */
	GstElement *overlay; /* video: the slate's textoverlay (unowned) */
	GstElement *appsrc;  /* passthrough: slate frames to x264 (unowned) */
	GstElement *funnel;  /* passthrough (unowned) */
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
};

G_DEFINE_TYPE(CavSourceGuard, cav_source_guard, GST_TYPE_BIN)

static gboolean build_source(CavSourceGuard *g, GError **error);
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

/* Passthrough: slate frames due on the camera's timeline at this tick. */
static GPtrArray *
collect_slate_locked(CavSourceGuard *g, GstBuffer *tick)
{
	GstClockTime pts = GST_BUFFER_PTS(tick), limit;
	GPtrArray *out;

	if (g->enc_mode == ENC_CAMERA || !GST_CLOCK_TIME_IS_VALID(pts))
		return NULL;
	if (!GST_CLOCK_TIME_IS_VALID(g->slate_next) || g->slate_next + MAX_BACKFILL < pts)
		g->slate_next = pts > (GstClockTime)g->cam_latency ? pts - g->cam_latency : pts;
	if (g->enc_mode == ENC_RESTORING && GST_CLOCK_TIME_IS_VALID(g->fill_target))
		limit = g->fill_target > g->frame_dur / 2 ? g->fill_target - g->frame_dur / 2 : 0;
	else if (g->enc_mode == ENC_RESTORING)
		/* Stay a little behind, so the keyframe finds the slate earlier. */
		limit = (GstClockTimeDiff)pts > g->cam_latency + 100 * GST_MSECOND
				? pts - g->cam_latency - 100 * GST_MSECOND
				: 0;
	else
		limit = (GstClockTimeDiff)pts > g->cam_latency ? pts - g->cam_latency : 0;
	out = g_ptr_array_new();
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

static GstClockTime
buffer_dts(GstBuffer *buf)
{
	return GST_BUFFER_DTS_OR_PTS(buf);
}

/* Funnel input of the camera's own H.264. */
static GstPadProbeReturn
on_camera_encoded(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	CavSourceGuard *g = data;
	GstBuffer *buf;
	GstClockTime dts, now;
	gboolean pass = FALSE;
	gint64 deadline;

	if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM)
		return GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_GAP
			       ? GST_PAD_PROBE_DROP
			       : GST_PAD_PROBE_OK;
	buf = GST_PAD_PROBE_INFO_BUFFER(info);
	dts = buffer_dts(buf);
	now = gst_element_get_current_running_time(GST_ELEMENT(g));
	g_mutex_lock(&g->lock);
	switch (g->enc_mode) {
	case ENC_CAMERA:
		pass = TRUE;
		break;
	case ENC_SLATE:
		break;
	case ENC_RESTORING:
		if (GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT) ||
		    !GST_CLOCK_TIME_IS_VALID(dts) ||
		    (GST_CLOCK_TIME_IS_VALID(g->slate_out_dts) && dts <= g->slate_out_dts))
			break;
		/* Let the slate fill up to one frame before this keyframe. */
		g->fill_target = dts;
		deadline = g_get_monotonic_time() + RESTORE_WAIT / GST_USECOND;
		while (g->playing && GST_CLOCK_TIME_IS_VALID(g->slate_out_dts) &&
		       g->slate_out_dts + g->frame_dur < dts &&
		       g_cond_wait_until(&g->cond, &g->lock, deadline))
			;
		g->fill_target = GST_CLOCK_TIME_NONE;
		g->enc_mode = ENC_CAMERA;
		pass = TRUE;
		break;
	}
	if (pass && GST_CLOCK_TIME_IS_VALID(dts)) {
		g->cam_last_dts = dts;
		if (GST_CLOCK_TIME_IS_VALID(now))
			g->cam_latency = GST_CLOCK_DIFF(dts, now);
	}
	g_mutex_unlock(&g->lock);
	return pass ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

/* Funnel input of the encoded slate. */
static GstPadProbeReturn
on_slate_encoded(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	CavSourceGuard *g = data;
	gboolean pass;

	if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM)
		return GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_GAP
			       ? GST_PAD_PROBE_DROP
			       : GST_PAD_PROBE_OK;
	g_mutex_lock(&g->lock);
	pass = g->enc_mode != ENC_CAMERA;
	if (pass) {
		g->slate_out_dts = buffer_dts(GST_PAD_PROBE_INFO_BUFFER(info));
		g_cond_broadcast(&g->cond);
	}
	g_mutex_unlock(&g->lock);
	return pass ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
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

	if (type == GST_MESSAGE_ERROR || type == GST_MESSAGE_ASYNC_START ||
	    type == GST_MESSAGE_ASYNC_DONE || type == GST_MESSAGE_EOS) {
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
		/* The store is a sink in name only: its EOS is nobody's business. */
		if (!ours && type == GST_MESSAGE_EOS && g->store != NULL &&
		    src == GST_OBJECT(g->store))
			ours = TRUE;
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
		g_autoptr(GstPad) store = gst_element_get_static_pad(g->store, "sink");

		return link_pad(bin, "src", store, error) &&
		       (g->funnel_camera == NULL ||
			link_pad(bin, "encoded", g->funnel_camera, error));
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
	gst_element_set_locked_state(bin, TRUE);
	gst_bin_add(GST_BIN(g), bin);
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

/* The raw camera input: a fakesink whose probe keeps the latest frame. */
static gboolean
add_store(CavSourceGuard *g, GError **error)
{
	g_autoptr(GstPad) pad = NULL;

	g->store = add_el(g, "fakesink", NULL, error);
	if (g->store == NULL)
		return FALSE;
	g_object_set(g->store, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE, "qos",
		     FALSE, NULL);
	/* Not a sink for the pipeline's EOS: a lost camera never sends one,
	 * and the recording must end anyway. */
	GST_OBJECT_FLAG_UNSET(g, GST_ELEMENT_FLAG_SINK);
	pad = gst_element_get_static_pad(g->store, "sink");
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_camera_frame, g, NULL);
	return TRUE;
}

/* appsrc ─ x264 ─┐
 *  camera H.264 ─┴─ funnel ─ "encoded" */
static gboolean
add_encoded(CavSourceGuard *g, const CavSourceGuardConfig *cfg, GError **error)
{
	g_autoptr(GstCaps) caps = raw_caps(&g->format);
	g_autofree char *enc_name = g_strdup_printf("%s-slate-h264", GST_OBJECT_NAME(g));
	g_autoptr(GstPad) slate_pad = NULL;
	GstElement *enc;

	g->appsrc = add_el(g, "appsrc", NULL, error);
	g->funnel = g->appsrc ? add_el(g, "funnel", NULL, error) : NULL;
	if (g->funnel == NULL)
		return FALSE;
	g_object_set(g->appsrc, "caps", caps, "is-live", TRUE, "format", GST_FORMAT_TIME,
		     "max-bytes",
		     (guint64)(g->format.width * g->format.height * 3 / 2 * g->format.fps), "block",
		     FALSE, NULL);
	enc = cav_encode_h264_new(enc_name, g->format.fps,
				  cfg->camera_kbps ? cfg->camera_kbps : 1000,
				  cfg->keyframe_seconds ? cfg->keyframe_seconds : 1,
				  cfg->x264_preset ? cfg->x264_preset : "veryfast", error);
	if (enc == NULL)
		return FALSE;
	gst_bin_add(GST_BIN(g), enc);
	g->funnel_camera = gst_element_request_pad_simple(g->funnel, "sink_%u");
	slate_pad = gst_element_request_pad_simple(g->funnel, "sink_%u");
	if (!cav_graph_link(g->appsrc, "src", enc, "sink", error) ||
	    !cav_graph_link(enc, "src", g->funnel, GST_OBJECT_NAME(slate_pad), error) ||
	    !cav_graph_ghost(GST_BIN(g), g->funnel, "src", "encoded", error))
		return FALSE;
	own_latency(g, "encoded");
	gst_pad_add_probe(g->funnel_camera,
			  GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
			  on_camera_encoded, g, NULL);
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
	if (!add_slate(g, error) || !add_store(g, error))
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
	/* To each source ourselves: GstBin's iteration skips the slate here. */
	{
		g_autoptr(GstElement) current = ref_current(g);
		GstElement *sources[] = {g->slate, g->appsrc, current};

		for (guint i = 0; i < G_N_ELEMENTS(sources); i++)
			if (sources[i] != NULL)
				gst_element_send_event(sources[i], gst_event_ref(event));
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
	g->enc_mode = ENC_CAMERA;
	g->cam_last_dts = GST_CLOCK_TIME_NONE;
	g->slate_next = GST_CLOCK_TIME_NONE;
	g->slate_out_dts = GST_CLOCK_TIME_NONE;
	g->fill_target = GST_CLOCK_TIME_NONE;
	g->cam_latency = 0;
}
