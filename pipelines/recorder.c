/* recorder.c — life cycle of one recording run: start, stop, failure, events.
 *
 * The graph is built by recorder-build.c; this file drives it. All state here
 * is main-thread state: the bus watch (attached to the thread-default main
 * context of cav_recorder_new()) turns splitmuxsink's fragment messages, EOS
 * and errors into the callbacks, so no callback ever runs on a streaming
 * thread.
 *
 * Wall clock: cav_recorder_start() chooses the pipeline's base time itself
 * (start-time NONE, base time = system clock now) and samples
 * g_get_real_time() at the same instant. Running time 0 is then wall0, and
 * any running time t maps to wall0 + t: one subtraction, no race with the
 * first buffers, and the same mapping for file names (streaming thread), the
 * burnt-in clock and the segment events. Drift between the monotonic pipeline
 * clock and UTC (NTP slewing) over one recording interval is well under the
 * one-second resolution of the names.
 *
 * Ending: exactly one of stopped/failed ends a started recorder. Before it,
 * every file that was opened gets segment_closed: from splitmuxsink when it
 * finalised the file, or forced when the pipeline had to be set to NULL (stop
 * timeout, streaming error); a forced close carries the running time of the
 * moment the pipeline went down, the best estimate of its last fragment.
 *
 * Reentrancy: a callback may free the recorder. The bus handler holds a
 * reference for the duration of the dispatch, cav_recorder_free() only
 * disposes (pipeline to NULL, sources removed, no more callbacks) and the
 * memory goes with the last reference.
 */
#include "recorder-private.h"
#include "levels.h"
#include "program.h"
#include "track-sink.h"

#include "common/timefmt.h"

#include <string.h>

#define START_TIMEOUT (10 * GST_SECOND)

/* The first argument is stringified: the error domain's name. */
/* clang-format off */
G_DEFINE_QUARK(cav-recorder-error-quark, cav_recorder_error)
/* clang-format on */

static gboolean on_bus_message(GstBus *bus, GstMessage *msg, gpointer data);

char *
cav_recorder_segment_path(const char *media_dir, const char *name_prefix, const char *track,
			  guint seq, gint64 wall_start_us)
{
	g_autofree char *stamp = cav_time_beijing_compact(wall_start_us);
	g_autofree char *file =
		g_strdup_printf("%s_%s_%04u_%s.mp4", name_prefix, track, seq, stamp);

	return g_build_filename(media_dir, track, file, NULL);
}

static CavRecorder *
recorder_ref(CavRecorder *rec)
{
	rec->refs++;
	return rec;
}

static void
recorder_unref(CavRecorder *rec)
{
	if (--rec->refs > 0)
		return;
	/* Disposed already: the pipeline is in NULL, no streaming thread runs,
	 * so the track sinks and the clock can go. */
	g_clear_pointer(&rec->pipeline, gst_object_unref);
	g_clear_pointer(&rec->bus, gst_object_unref);
	g_clear_pointer(&rec->gst_clock, gst_object_unref);
	g_clear_pointer(&rec->tracks, g_ptr_array_unref);
	g_clear_pointer(&rec->track_names, g_ptr_array_unref);
	g_clear_pointer(&rec->program, cav_program_free);
	g_clear_pointer(&rec->camera_ids, g_ptr_array_unref);
	g_clear_pointer(&rec->levels, cav_levels_free);
	g_clear_pointer(&rec->context, g_main_context_unref);
	g_free(rec);
}

static void
clear_source(GSource **source)
{
	if (*source == NULL)
		return;
	g_source_destroy(*source);
	g_clear_pointer(source, g_source_unref);
}

/* Unblocks the track sinks first; see cav_track_sink_unblock(). */
static void
pipeline_down(CavRecorder *rec)
{
	if (rec->pipeline == NULL || GST_STATE(rec->pipeline) == GST_STATE_NULL)
		return;
	for (guint i = 0; i < rec->tracks->len; i++)
		cav_track_sink_unblock(g_ptr_array_index(rec->tracks, i));
	gst_element_set_state(rec->pipeline, GST_STATE_NULL);
}

static void
recorder_dispose(CavRecorder *rec)
{
	rec->disposed = TRUE;
	clear_source(&rec->bus_source);
	clear_source(&rec->stop_source);
	pipeline_down(rec);
	if (rec->bus != NULL)
		gst_bus_set_flushing(rec->bus, TRUE);
}

CavRecorder *
cav_recorder_new(const CavRecorderPlan *plan, const CavRecorderCallbacks *callbacks,
		 gpointer user_data, GError **error)
{
	CavRecorder *rec;

	g_return_val_if_fail(plan != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	rec = g_new0(CavRecorder, 1);
	rec->refs = 1;
	if (callbacks != NULL)
		rec->callbacks = *callbacks;
	rec->user_data = user_data;
	rec->context = g_main_context_ref_thread_default();
	rec->base_time = GST_CLOCK_TIME_NONE;
	rec->tracks = g_ptr_array_new_with_free_func((GDestroyNotify)cav_track_sink_free);
	rec->track_names = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(rec->track_names, NULL);
	rec->camera_ids = g_ptr_array_new_with_free_func(g_free);

	if (!cav_recorder_build(rec, plan, error)) {
		cav_recorder_free(rec);
		return NULL;
	}
	rec->bus = gst_pipeline_get_bus(GST_PIPELINE(rec->pipeline));
	rec->bus_source = gst_bus_create_watch(rec->bus);
	g_source_set_callback(rec->bus_source, G_SOURCE_FUNC(on_bus_message), rec, NULL);
	g_source_attach(rec->bus_source, rec->context);
	return rec;
}

void
cav_recorder_free(CavRecorder *rec)
{
	if (rec == NULL)
		return;
	recorder_dispose(rec);
	recorder_unref(rec);
}

const char *const *
cav_recorder_tracks(CavRecorder *rec)
{
	g_return_val_if_fail(rec != NULL, NULL);
	return (const char *const *)rec->track_names->pdata;
}

/* --- Emitting; each returns FALSE once the recorder was freed from a callback. --- */

static gboolean
emit_segment(CavRecorder *rec, CavTrackSinkEvent kind, const CavSegmentEvent *ev)
{
	if (rec->disposed)
		return FALSE;
	if (kind == CAV_TRACK_SINK_EVENT_OPENED && rec->callbacks.segment_opened != NULL)
		rec->callbacks.segment_opened(rec, ev, rec->user_data);
	else if (kind == CAV_TRACK_SINK_EVENT_CLOSED && rec->callbacks.segment_closed != NULL)
		rec->callbacks.segment_closed(rec, ev, rec->user_data);
	return !rec->disposed;
}

/* A level element's message: a round of levels may be ready (levels.h). */
static gboolean
dispatch_levels(CavRecorder *rec, GstMessage *msg, gboolean *alive)
{
	gboolean round = FALSE;
	const CavMicLevel *levels;
	guint n;

	*alive = TRUE;
	if (rec->levels == NULL || !cav_levels_handle_message(rec->levels, msg, &round))
		return FALSE;
	if (round && rec->callbacks.levels != NULL && !rec->disposed) {
		levels = cav_levels_round(rec->levels, &n);
		rec->callbacks.levels(rec, levels, n, rec->user_data);
		*alive = !rec->disposed;
	}
	return TRUE;
}

/* Passes a splitmuxsink message to the track that posted it. */
static gboolean
dispatch_element(CavRecorder *rec, GstMessage *msg)
{
	gboolean alive;

	if (dispatch_levels(rec, msg, &alive))
		return alive;
	for (guint i = 0; i < rec->tracks->len; i++) {
		CavSegmentEvent ev;
		CavTrackSinkEvent kind =
			cav_track_sink_handle_message(g_ptr_array_index(rec->tracks, i), msg, &ev);

		if (kind != CAV_TRACK_SINK_EVENT_NONE)
			return emit_segment(rec, kind, &ev);
	}
	return TRUE;
}

static GstClockTime
running_now(CavRecorder *rec)
{
	GstClockTime now;

	if (rec->gst_clock == NULL || !GST_CLOCK_TIME_IS_VALID(rec->base_time))
		return GST_CLOCK_TIME_NONE;
	now = gst_clock_get_time(rec->gst_clock);
	return now > rec->base_time ? now - rec->base_time : 0;
}

/* Brings the pipeline down and reports every file still open as closed:
 * first those splitmuxsink finished before going down (their messages are
 * still queued on the bus), then the ones it never finished. */
static gboolean
close_all(CavRecorder *rec)
{
	GstClockTime end = running_now(rec);
	GstMessage *msg;

	pipeline_down(rec);
	while ((msg = gst_bus_pop_filtered(rec->bus, GST_MESSAGE_ELEMENT)) != NULL) {
		gboolean alive = dispatch_element(rec, msg);

		gst_message_unref(msg);
		if (!alive)
			return FALSE;
	}
	gst_bus_set_flushing(rec->bus, TRUE);
	for (guint i = 0; i < rec->tracks->len; i++) {
		CavSegmentEvent ev;

		if (cav_track_sink_force_close(g_ptr_array_index(rec->tracks, i), end, &ev) &&
		    !emit_segment(rec, CAV_TRACK_SINK_EVENT_CLOSED, &ev))
			return FALSE;
	}
	return TRUE;
}

/* The end of a started recorder: @error NULL means stopped. */
static void
finish(CavRecorder *rec, const GError *error)
{
	rec->state = CAV_RECORDER_STATE_DONE;
	clear_source(&rec->stop_source);
	if (!close_all(rec))
		return;
	if (error == NULL && rec->callbacks.stopped != NULL)
		rec->callbacks.stopped(rec, rec->user_data);
	else if (error != NULL && rec->callbacks.failed != NULL)
		rec->callbacks.failed(rec, error, rec->user_data);
}

/* A GStreamer error as a recorder error; ENOSPC gets its own code so the
 * appliance can say "disk full" rather than "recording failed". */
static GError *
error_from_message(GstMessage *msg)
{
	g_autoptr(GError) gerr = NULL;
	g_autofree char *debug = NULL;
	g_autofree char *where = gst_object_get_path_string(GST_MESSAGE_SRC(msg));
	gboolean no_space;

	gst_message_parse_error(msg, &gerr, &debug);
	no_space = g_error_matches(gerr, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NO_SPACE_LEFT) ||
		   (debug != NULL && strstr(debug, "No space left") != NULL);
	g_debug("recorder error from %s: %s (%s)", where, gerr->message, debug ? debug : "");
	return g_error_new(CAV_RECORDER_ERROR,
			   no_space ? CAV_RECORDER_ERROR_NO_SPACE : CAV_RECORDER_ERROR_RUNTIME,
			   "Recording failed in %s: %s%s", where, gerr->message,
			   no_space ? " (the disk holding the recordings is full)" : "");
}

static gboolean
on_bus_message(GstBus *bus, GstMessage *msg, gpointer data)
{
	CavRecorder *rec = recorder_ref(data);

	if (rec->disposed ||
	    (rec->state != CAV_RECORDER_STATE_RUNNING && rec->state != CAV_RECORDER_STATE_STOPPING))
		goto out;

	switch (GST_MESSAGE_TYPE(msg)) {
	case GST_MESSAGE_ELEMENT:
		dispatch_element(rec, msg);
		break;
	case GST_MESSAGE_EOS:
		finish(rec, NULL);
		break;
	case GST_MESSAGE_ERROR: {
		g_autoptr(GError) error = error_from_message(msg);

		finish(rec, error);
		break;
	}
	case GST_MESSAGE_WARNING: {
		g_autoptr(GError) warning = NULL;

		gst_message_parse_warning(msg, &warning, NULL);
		g_warning("Recorder: %s: %s", GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)),
			  warning->message);
		break;
	}
	default:
		break;
	}
out:
	recorder_unref(rec);
	return G_SOURCE_CONTINUE;
}

/* Picks the clock and base time ourselves; see the top of this file. */
static void
set_time_origin(CavRecorder *rec)
{
	rec->gst_clock = gst_system_clock_obtain();
	gst_pipeline_use_clock(GST_PIPELINE(rec->pipeline), rec->gst_clock);
	gst_element_set_start_time(rec->pipeline, GST_CLOCK_TIME_NONE);
	rec->base_time = gst_clock_get_time(rec->gst_clock);
	rec->clock.wall0_us = g_get_real_time();
	gst_element_set_base_time(rec->pipeline, rec->base_time);
}

gboolean
cav_recorder_start(CavRecorder *rec, GError **error)
{
	GstStateChangeReturn ret;
	g_autoptr(GstMessage) msg = NULL;
	g_autoptr(GError) cause = NULL;

	g_return_val_if_fail(rec != NULL && !rec->disposed, FALSE);
	g_return_val_if_fail(rec->state == CAV_RECORDER_STATE_NEW, FALSE);

	set_time_origin(rec);
	ret = gst_element_set_state(rec->pipeline, GST_STATE_PLAYING);
	if (ret != GST_STATE_CHANGE_FAILURE)
		ret = gst_element_get_state(rec->pipeline, NULL, NULL, START_TIMEOUT);
	if (ret != GST_STATE_CHANGE_FAILURE && ret != GST_STATE_CHANGE_ASYNC) {
		rec->state = CAV_RECORDER_STATE_RUNNING;
		return TRUE;
	}

	/* No callback after a failed start: stop dispatching before anything else. */
	rec->state = CAV_RECORDER_STATE_DONE;
	msg = gst_bus_pop_filtered(rec->bus, GST_MESSAGE_ERROR);
	if (msg != NULL)
		cause = error_from_message(msg);
	pipeline_down(rec);
	gst_bus_set_flushing(rec->bus, TRUE);
	g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_START,
		    "The recording pipeline did not start%s%s",
		    cause ? ": " : (ret == GST_STATE_CHANGE_ASYNC ? " within 10 s" : ""),
		    cause ? cause->message : "");
	return FALSE;
}

static gboolean
on_stop_timeout(gpointer data)
{
	CavRecorder *rec = recorder_ref(data);

	/* finish() destroys this source; GLib keeps it alive while it dispatches. */
	g_warning("Recorder: the pipeline did not drain in time; forcing it down");
	finish(rec, NULL);
	recorder_unref(rec);
	return G_SOURCE_REMOVE;
}

static gboolean
on_deferred_stopped(gpointer data)
{
	CavRecorder *rec = recorder_ref(data);

	clear_source(&rec->stop_source);
	if (!rec->disposed && rec->callbacks.stopped != NULL)
		rec->callbacks.stopped(rec, rec->user_data);
	recorder_unref(rec);
	return G_SOURCE_REMOVE;
}

static void
attach_stop_source(CavRecorder *rec, GSource *source, GSourceFunc func)
{
	g_source_set_callback(source, func, rec, NULL);
	g_source_attach(source, rec->context);
	rec->stop_source = source;
}

void
cav_recorder_stop(CavRecorder *rec, guint timeout_ms)
{
	if (rec == NULL || rec->disposed)
		return;
	switch (rec->state) {
	case CAV_RECORDER_STATE_NEW:
		/* Never started: nothing to drain, but still answer on the main context. */
		rec->state = CAV_RECORDER_STATE_DONE;
		attach_stop_source(rec, g_idle_source_new(), on_deferred_stopped);
		break;
	case CAV_RECORDER_STATE_RUNNING:
		rec->state = CAV_RECORDER_STATE_STOPPING;
		/* To the pipeline: the bin sends it to every source, which ends its stream. */
		gst_element_send_event(rec->pipeline, gst_event_new_eos());
		attach_stop_source(rec, g_timeout_source_new(timeout_ms), on_stop_timeout);
		break;
	case CAV_RECORDER_STATE_STOPPING:
	case CAV_RECORDER_STATE_DONE:
		break;
	}
}

gboolean
cav_recorder_set_program(CavRecorder *rec, const char *layout, const char *main_camera,
			 GError **error)
{
	g_autoptr(GError) local = NULL;
	gint main = -1;

	g_return_val_if_fail(rec != NULL, FALSE);
	if (rec->program == NULL) {
		g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD,
			    "This recording has no program picture (no cameras)");
		return FALSE;
	}
	for (guint i = 0; main_camera != NULL && i < rec->camera_ids->len; i++)
		if (g_str_equal(g_ptr_array_index(rec->camera_ids, i), main_camera))
			main = (gint)i;
	if (main_camera != NULL && main < 0) {
		g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD,
			    "Camera \"%s\" is not in this recording", main_camera);
		return FALSE;
	}
	if (!cav_program_switch(rec->program,
				layout != NULL ? layout : cav_program_layout(rec->program), main,
				&local)) {
		g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD, "%s",
			    local->message);
		return FALSE;
	}
	return TRUE;
}

const char *
cav_recorder_program_layout(CavRecorder *rec)
{
	g_return_val_if_fail(rec != NULL, NULL);
	return rec->program != NULL ? cav_program_layout(rec->program) : NULL;
}

const char *
cav_recorder_program_main(CavRecorder *rec)
{
	g_return_val_if_fail(rec != NULL, NULL);
	if (rec->program == NULL)
		return NULL;
	return g_ptr_array_index(rec->camera_ids, (guint)cav_program_main(rec->program));
}
