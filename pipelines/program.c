/* program.c — the program picture: cameras laid out in panes (layout.c),
 * switched live, plus the overlays: caption (court, room), case number,
 * free text and Beijing time.
 *
 * Scaling: each camera input is scaled to its pane in its own queue thread
 * before the compositor, so the scaling of N cameras runs in parallel and
 * the compositor mostly copies pixels; scaling inside the compositor would
 * put all of it on the aggregator's single output thread, which is where
 * the program's CPU goes (DESIGN §2). Hidden cameras are scaled to a small
 * size and drawn with alpha 0, which the compositor skips without
 * converting, so a 6-camera room in layout "1" costs little more than one.
 *
 * Live switching: every camera stays linked; a switch changes the
 * compositor pads' xpos, ypos, width, height, alpha and zorder and each
 * pre-scaler's capsfilter. The pad properties are applied by a buffer probe
 * on the compositor's source pad, i.e. on the aggregator's own thread right
 * after it pushed a frame and before it composes the next: every pane moves
 * in the same frame and no frame is ever composed from half of a layout.
 * Setting them from the main thread instead would race the composition of
 * the frame in progress. The capsfilter change makes the pre-scaler
 * renegotiate on its next buffer (a frame or two later); until then the pad
 * size set on the compositor makes it scale the old-size frames itself, so
 * the geometry is right from the first frame and only the CPU moves. The
 * compositor keeps producing one frame per interval throughout: a switch
 * leaves no gap in the program's timestamps (tests/pipelines/test-program.c).
 *
 * The compositor is a live aggregator: it outputs on its own deadline and
 * takes each pane's latest frame, so a camera that stalls freezes its pane
 * instead of the program. start-time-selection=first and a one-frame latency
 * avoid the "Buffer has no PTS" starts seen with many live inputs.
 *
 * The time is a textoverlay rewritten once per second from a pad probe, not
 * clockoverlay: clockoverlay formats the process's localtime (so it depends on
 * TZ being Asia/Shanghai) and the moment of rendering. The probe maps each
 * frame's running time to UTC through the recorder's wall clock and formats
 * it with cav_time_beijing() (a fixed UTC+8), so the burnt-in time is the
 * capture time of that frame on any TZ, and agrees with the segment rows.
 *
 * Threads: built and switched on the main thread; the switch probe runs on
 * the compositor's output thread, the clock probe on the clock overlay's
 * input thread. CavProgram.lock protects the pending geometry, the only
 * state both sides touch; the rest is immutable after building or belongs to
 * one side (commented per field).
 */
#include "program.h"

#include "common/timefmt.h"

#include <string.h>

typedef struct {
	gboolean visible;
	CavPane rect; /* where the camera is drawn (fitted in its pane) */
	guint zorder;
} CameraPlace;

typedef struct {
	CameraPlace cams[CAV_PROGRAM_MAX_PANES];
} Geometry;

struct CavProgram {
	gatomicrefcount refs; /* the recorder's and the switch probe's */
	/* Immutable after cav_program_new(). */
	guint n_cameras;
	guint width;
	guint height;
	CavVideoFormat camera;
	GstPad *pads[CAV_PROGRAM_MAX_PANES];        /* compositor sink pads (owned refs) */
	GstElement *filters[CAV_PROGRAM_MAX_PANES]; /* pre-scale capsfilters (owned refs) */

	/* Main thread only. */
	const char *layout; /* canonical, static string */
	gint main;

	/* Output thread only (and building, before streaming). */
	CavPane scaled[CAV_PROGRAM_MAX_PANES]; /* current size of each capsfilter */

	GMutex lock; /* protects pending and has_pending */
	Geometry pending;
	gboolean has_pending;

	guint applied; /* atomic: switches applied by the output thread */
};

/* --- Geometry (main thread) --- */

static gboolean
compute(const CavProgram *p, const char *layout, gint main, Geometry *out, GError **error)
{
	CavPane panes[CAV_LAYOUT_MAX_PANES];
	guint cam_of_pane[CAV_LAYOUT_MAX_PANES];
	guint n_panes = 0;
	CavPane thumb = {0, 0, MAX((p->width / 8) & ~1u, 2u), MAX((p->height / 8) & ~1u, 2u)};

	if (!cav_layout_panes(layout, p->n_cameras, p->width, p->height, panes, &n_panes, error))
		return FALSE;
	cav_layout_assign(n_panes, p->n_cameras, main, cam_of_pane);
	memset(out, 0, sizeof(*out));
	for (guint c = 0; c < p->n_cameras; c++)
		cav_layout_fit(&thumb, p->camera.width, p->camera.height, &out->cams[c].rect);
	for (guint i = 0; i < n_panes; i++) {
		CameraPlace *place;

		if (cam_of_pane[i] >= p->n_cameras)
			continue; /* an empty pane of "auto" */
		place = &out->cams[cam_of_pane[i]];

		place->visible = TRUE;
		place->zorder = i + 1;
		cav_layout_fit(&panes[i], p->camera.width, p->camera.height, &place->rect);
	}
	return TRUE;
}

static GstCaps *
i420_caps(guint width, guint height, guint fps)
{
	GstCaps *caps =
		gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", "width",
				    G_TYPE_INT, (int)width, "height", G_TYPE_INT, (int)height,
				    "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);

	if (fps > 0)
		gst_caps_set_simple(caps, "framerate", GST_TYPE_FRACTION, (int)fps, 1, NULL);
	return caps;
}

/* Output thread (or main thread before streaming). */
static void
apply(CavProgram *p, const Geometry *g)
{
	for (guint c = 0; c < p->n_cameras; c++) {
		const CameraPlace *place = &g->cams[c];

		g_object_set(p->pads[c], "xpos", (int)place->rect.x, "ypos", (int)place->rect.y,
			     "width", (int)place->rect.width, "height", (int)place->rect.height,
			     "alpha", place->visible ? 1.0 : 0.0, "zorder", place->zorder, NULL);
		if (p->scaled[c].width != place->rect.width ||
		    p->scaled[c].height != place->rect.height) {
			g_autoptr(GstCaps) caps =
				i420_caps(place->rect.width, place->rect.height, 0);

			g_object_set(p->filters[c], "caps", caps, NULL);
			p->scaled[c] = place->rect;
		}
	}
}

static GstPadProbeReturn
on_composed(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	CavProgram *p = data;
	Geometry g;
	gboolean have;

	g_mutex_lock(&p->lock);
	have = p->has_pending;
	if (have)
		g = p->pending;
	p->has_pending = FALSE;
	g_mutex_unlock(&p->lock);
	if (have) {
		apply(p, &g);
		g_atomic_int_inc(&p->applied);
	}
	return GST_PAD_PROBE_OK;
}

static CavProgram *
program_ref(CavProgram *p)
{
	g_atomic_ref_count_inc(&p->refs);
	return p;
}

static void
program_unref(gpointer data)
{
	CavProgram *p = data;

	if (!g_atomic_ref_count_dec(&p->refs))
		return;
	for (guint c = 0; c < p->n_cameras; c++) {
		g_clear_object(&p->pads[c]);
		g_clear_object(&p->filters[c]);
	}
	g_mutex_clear(&p->lock);
	g_free(p);
}

void
cav_program_free(CavProgram *program)
{
	if (program != NULL)
		program_unref(program);
}

gboolean
cav_program_switch(CavProgram *p, const char *layout, gint main, GError **error)
{
	Geometry g;

	g_return_val_if_fail(p != NULL, FALSE);
	if (main < 0 || (guint)main >= p->n_cameras)
		main = p->main;
	/* Keep "auto" as such: it is what was chosen, and it stays valid. */
	if (cav_layout_resolve(layout, p->n_cameras, error) == NULL ||
	    !compute(p, layout, main, &g, error))
		return FALSE;
	p->layout = cav_layout_canonical(layout);
	p->main = main;
	g_mutex_lock(&p->lock);
	p->pending = g;
	p->has_pending = TRUE;
	g_mutex_unlock(&p->lock);
	return TRUE;
}

const char *
cav_program_layout(const CavProgram *p)
{
	return p->layout;
}

gint
cav_program_main(const CavProgram *p)
{
	return p->main;
}

guint
cav_program_applied(CavProgram *p)
{
	return (guint)g_atomic_int_get(&p->applied);
}

/* --- Overlays --- */

typedef struct {
	GstElement *overlay;       /* unowned: it owns the pad that owns this probe */
	const CavWallClock *clock; /* unowned */
	GstSegment segment;
	gint64 shown_second;
} ClockProbe;

static GstPadProbeReturn
on_overlay_input(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	ClockProbe *probe = data;
	GstBuffer *buf;
	GstClockTime running;
	gint64 wall, second;

	if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
		GstEvent *event = GST_PAD_PROBE_INFO_EVENT(info);

		if (GST_EVENT_TYPE(event) == GST_EVENT_SEGMENT)
			gst_event_copy_segment(event, &probe->segment);
		return GST_PAD_PROBE_OK;
	}
	buf = GST_PAD_PROBE_INFO_BUFFER(info);
	if (buf == NULL || !GST_BUFFER_PTS_IS_VALID(buf) ||
	    probe->segment.format != GST_FORMAT_TIME)
		return GST_PAD_PROBE_OK;
	running =
		gst_segment_to_running_time(&probe->segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buf));
	wall = cav_wall_clock_at(probe->clock, running);
	second = wall / G_USEC_PER_SEC;
	if (second != probe->shown_second) {
		g_autofree char *text = cav_time_beijing(wall);

		probe->shown_second = second;
		g_object_set(probe->overlay, "text", text, NULL);
	}
	return GST_PAD_PROBE_OK;
}

/* "top-left" → valignment top, halignment left; NULL gives @def. */
static gboolean
place_overlay(GstElement *overlay, const char *position, const char *def, GError **error)
{
	g_auto(GStrv) parts = g_strsplit(position ? position : def, "-", 2);

	if (g_strv_length(parts) != 2 || !cav_layout_position_valid(position ? position : def)) {
		g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD,
			    "Invalid overlay position \"%s\" (top-left, top-right, bottom-left or "
			    "bottom-right)",
			    position);
		return FALSE;
	}
	return cav_graph_set_nick(overlay, "valignment", parts[0], error) &&
	       cav_graph_set_nick(overlay, "halignment", parts[1], error) &&
	       cav_graph_set_nick(overlay, "line-alignment", parts[1], error);
}

static GstElement *
add_text(GstBin *bin, const char *name, const char *text, const char *position, const char *def,
	 const CavProgramOverlays *o, GError **error)
{
	GstElement *overlay = cav_graph_add(bin, "textoverlay", name, error);

	if (overlay == NULL || !place_overlay(overlay, position, def, error))
		return NULL;
	g_object_set(overlay, "shaded-background", TRUE, "text", text ? text : "", NULL);
	if (o->font != NULL && *o->font != '\0')
		g_object_set(overlay, "font-desc", o->font, NULL);
	return overlay;
}

static GstElement *
add_clock(GstBin *bin, const CavProgramConfig *cfg, GError **error)
{
	GstElement *overlay = add_text(bin, "program-clock", "", cfg->overlays->clock_position,
				       "bottom-left", cfg->overlays, error);
	g_autoptr(GstPad) pad = NULL;
	ClockProbe *probe;

	if (overlay == NULL)
		return NULL;
	probe = g_new0(ClockProbe, 1);
	probe->overlay = overlay;
	probe->clock = cfg->clock;
	probe->shown_second = G_MININT64;
	gst_segment_init(&probe->segment, GST_FORMAT_UNDEFINED);
	pad = gst_element_get_static_pad(overlay, "video_sink");
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
			  on_overlay_input, probe, g_free);
	return overlay;
}

/* The caption: court and room on one line, the case number on the next. */
static char *
caption_text(const CavProgramOverlays *o)
{
	GString *s = g_string_new(NULL);

	if (o->caption != NULL && *o->caption != '\0')
		g_string_append(s, o->caption);
	if (o->case_number != NULL && *o->case_number != '\0')
		g_string_append_printf(s, "%s%s", s->len ? "\n" : "", o->case_number);
	return g_string_free(s, FALSE);
}

/* Links the overlays after @from; returns the last element. */
static GstElement *
add_overlays(GstBin *bin, const CavProgramConfig *cfg, GstElement *from, GError **error)
{
	const CavProgramOverlays *o = cfg->overlays;
	g_autofree char *caption = caption_text(o);
	GstElement *last = from, *next;

	if (*caption != '\0') {
		next = add_text(bin, "program-caption", caption, o->caption_position, "top-left", o,
				error);
		if (next == NULL || !cav_graph_link(last, "src", next, "video_sink", error))
			return NULL;
		last = next;
	}
	if (o->text != NULL && *o->text != '\0') {
		next = add_text(bin, "program-text", o->text, o->text_position, "bottom-right", o,
				error);
		if (next == NULL || !cav_graph_link(last, "src", next, "video_sink", error))
			return NULL;
		last = next;
	}
	if (o->clock) {
		next = add_clock(bin, cfg, error);
		if (next == NULL || !cav_graph_link(last, "src", next, "video_sink", error))
			return NULL;
		last = next;
	}
	return last;
}

/* --- The bin --- */

/* sink_<i> → queue → videoscale → capsfilter (pre-scale) → compositor pad. */
static gboolean
add_input(GstBin *bin, CavProgram *p, GstElement *compositor, guint i, GError **error)
{
	g_autofree char *qname = g_strdup_printf("program-in%u", i);
	g_autofree char *fname = g_strdup_printf("program-scale%u", i);
	g_autofree char *ghost = g_strdup_printf("sink_%u", i);
	g_autoptr(GstPad) src = NULL;
	GstElement *queue, *scale, *filter;

	queue = cav_graph_add_queue(bin, qname, CAV_QUEUE_RAW_TIME, error);
	scale = queue ? cav_graph_add(bin, "videoscale", NULL, error) : NULL;
	filter = scale ? cav_graph_add(bin, "capsfilter", fname, error) : NULL;
	if (filter == NULL)
		return FALSE;
	/* A switch changes these caps from the compositor's thread while a
	 * frame of the old size may be between videoscale and the filter:
	 * "delayed" keeps accepting the old caps until the new ones are
	 * negotiated, where "immediate" would refuse that frame (not-negotiated,
	 * which stops the branch). */
	if (!cav_graph_set_nick(filter, "caps-change-mode", "delayed", error) ||
	    !cav_graph_link_many(error, queue, scale, filter, NULL) ||
	    !cav_graph_ghost(bin, queue, "sink", ghost, error))
		return FALSE;
	src = gst_element_get_static_pad(filter, "src");
	p->pads[i] = gst_element_request_pad_simple(compositor, "sink_%u");
	if (p->pads[i] == NULL || gst_pad_link(src, p->pads[i]) != GST_PAD_LINK_OK) {
		g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD,
			    "Could not link camera %u into the program compositor", i);
		return FALSE;
	}
	p->filters[i] = gst_object_ref(filter);
	return TRUE;
}

static CavProgram *
program_new(const CavProgramConfig *cfg, guint n_cameras)
{
	CavProgram *p = g_new0(CavProgram, 1);

	g_atomic_ref_count_init(&p->refs);
	g_mutex_init(&p->lock);
	p->n_cameras = n_cameras;
	p->width = cfg->width;
	p->height = cfg->height;
	p->camera = *cfg->camera;
	p->main = cfg->main >= 0 && (guint)cfg->main < n_cameras ? cfg->main : 0;
	return p;
}

GstElement *
cav_program_new(const CavProgramConfig *cfg, guint n_cameras, CavProgram **control, GError **error)
{
	g_autoptr(GstElement) bin = gst_object_ref_sink(gst_bin_new("program"));
	CavProgram *p;
	g_autoptr(GstCaps) caps = NULL;
	g_autoptr(GstPad) out = NULL;
	GstElement *compositor, *filter, *last;
	Geometry g;
	g_autoptr(GError) local = NULL;
	gboolean ok = FALSE;

	if (n_cameras == 0 || n_cameras > CAV_PROGRAM_MAX_PANES) {
		g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD,
			    "The program takes 1 to %u cameras, not %u", CAV_PROGRAM_MAX_PANES,
			    n_cameras);
		return NULL;
	}
	p = program_new(cfg, n_cameras);
	p->layout = cav_layout_canonical(cfg->layout);
	if (cav_layout_resolve(cfg->layout, n_cameras, &local) == NULL ||
	    !compute(p, p->layout, p->main, &g, &local)) {
		g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD, "%s",
			    local->message);
		goto out;
	}
	compositor = cav_graph_add(GST_BIN(bin), "compositor", "program-compositor", error);
	filter = compositor ? cav_graph_add(GST_BIN(bin), "capsfilter", NULL, error) : NULL;
	if (filter == NULL)
		goto out;
	g_object_set(compositor, "latency", (guint64)(GST_SECOND / cfg->fps), NULL);
	if (!cav_graph_set_nick(compositor, "background", "black", error) ||
	    !cav_graph_set_nick(compositor, "start-time-selection", "first", error))
		goto out;
	caps = i420_caps(cfg->width, cfg->height, cfg->fps);
	g_object_set(filter, "caps", caps, NULL);
	for (guint i = 0; i < n_cameras; i++)
		if (!add_input(GST_BIN(bin), p, compositor, i, error))
			goto out;
	apply(p, &g);
	if (!cav_graph_link(compositor, "src", filter, "sink", error))
		goto out;
	last = add_overlays(GST_BIN(bin), cfg, filter, error);
	if (last == NULL || !cav_graph_ghost(GST_BIN(bin), last, "src", "src", error))
		goto out;
	out = gst_element_get_static_pad(compositor, "src");
	gst_pad_add_probe(out, GST_PAD_PROBE_TYPE_BUFFER, on_composed, program_ref(p),
			  program_unref);
	ok = TRUE;
out:
	if (!ok) {
		program_unref(p);
		return NULL;
	}
	*control = p;
	g_object_force_floating(G_OBJECT(bin));
	return g_steal_pointer(&bin);
}
