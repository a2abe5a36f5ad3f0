/* program.c — the program picture: cameras laid out in panes, plus the
 * caption (court, case) and Beijing time.
 *
 * Each camera input is scaled to its pane in its own queue thread before the
 * compositor, so the scaling of N cameras runs in parallel and the compositor
 * only copies pixels; scaling inside the compositor would put all of it on
 * the aggregator's single output thread, which is where the program's CPU
 * goes (DESIGN §2).
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
 * Threads: built on the main thread; the probe runs on the compositor's
 * output thread and touches only its own ClockProbe and the overlay's "text".
 */
#include "program.h"

#include "common/timefmt.h"

#include <string.h>

/* --- Layout (pure) --- */

static void
grid(guint cols, guint rows, guint n, guint width, guint height, CavPane *panes)
{
	/* Even sizes keep I420 chroma planes aligned; any remainder stays black. */
	guint pw = (width / cols) & ~1u;
	guint ph = (height / rows) & ~1u;

	for (guint i = 0; i < n; i++) {
		panes[i].x = (i % cols) * pw;
		panes[i].y = (i / cols) * ph;
		panes[i].width = pw;
		panes[i].height = ph;
	}
}

gboolean
cav_program_layout(const char *layout, guint n_cameras, guint width, guint height, CavPane *panes,
		   GError **error)
{
	guint cols, rows, max;

	if (layout == NULL || strcmp(layout, "auto") == 0) {
		cols = n_cameras <= 1 ? 1 : n_cameras == 2 ? 2 : n_cameras <= 4 ? 2 : 3;
		rows = n_cameras <= 2 ? 1 : n_cameras <= 4 ? 2 : 3;
		max = CAV_PROGRAM_MAX_PANES;
	} else if (strcmp(layout, "2x2") == 0) {
		cols = rows = 2;
		max = 4;
	} else if (strcmp(layout, "side-by-side") == 0) {
		cols = 2;
		rows = 1;
		max = 2;
	} else {
		g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD,
			    "Unknown program layout \"%s\" (use auto, 2x2 or side-by-side)",
			    layout);
		return FALSE;
	}
	if (n_cameras == 0 || n_cameras > max) {
		g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD,
			    "Program layout \"%s\" takes 1 to %u cameras, not %u",
			    layout ? layout : "auto", max, n_cameras);
		return FALSE;
	}
	if (width < 2 * cols || height < 2 * rows) {
		g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD,
			    "Program size %ux%u is too small for layout \"%s\"", width, height,
			    layout ? layout : "auto");
		return FALSE;
	}
	grid(cols, rows, n_cameras, width, height, panes);
	return TRUE;
}

void
cav_program_fit(const CavPane *pane, guint src_width, guint src_height, CavPane *out)
{
	guint64 w = pane->width, h = pane->height;

	/* Compare aspects without division: pw/ph versus sw/sh. */
	if ((guint64)pane->width * src_height > (guint64)pane->height * src_width)
		w = (guint64)pane->height * src_width / src_height;
	else
		h = (guint64)pane->width * src_height / src_width;
	out->width = MAX((guint)w & ~1u, 2u);
	out->height = MAX((guint)h & ~1u, 2u);
	out->x = pane->x + (((pane->width - out->width) / 2) & ~1u);
	out->y = pane->y + (((pane->height - out->height) / 2) & ~1u);
}

/* --- Clock overlay --- */

typedef struct {
	GstElement *overlay;       /* unowned: it owns the pad that owns this probe */
	char *caption;             /* owned: "<overlay_text>\n" or "" */
	const CavWallClock *clock; /* unowned */
	GstSegment segment;
	gint64 shown_second;
} ClockProbe;

static void
clock_probe_free(gpointer data)
{
	ClockProbe *probe = data;

	g_free(probe->caption);
	g_free(probe);
}

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
		g_autofree char *time = cav_time_beijing(wall);
		g_autofree char *text = g_strconcat(probe->caption, time, NULL);

		probe->shown_second = second;
		g_object_set(probe->overlay, "text", text, NULL);
	}
	return GST_PAD_PROBE_OK;
}

static GstElement *
add_overlay(GstBin *bin, const CavProgramConfig *cfg, GError **error)
{
	GstElement *overlay = cav_graph_add(bin, "textoverlay", "program-clock", error);
	g_autoptr(GstPad) pad = NULL;
	ClockProbe *probe;

	if (overlay == NULL)
		return NULL;
	g_object_set(overlay, "shaded-background", TRUE, "text", "", NULL);
	if (!cav_graph_set_nick(overlay, "halignment", "left", error) ||
	    !cav_graph_set_nick(overlay, "valignment", "bottom", error) ||
	    !cav_graph_set_nick(overlay, "line-alignment", "left", error))
		return NULL;

	probe = g_new0(ClockProbe, 1);
	probe->overlay = overlay;
	probe->caption = cfg->overlay_text && *cfg->overlay_text
				 ? g_strconcat(cfg->overlay_text, "\n", NULL)
				 : g_strdup("");
	probe->clock = cfg->clock;
	probe->shown_second = G_MININT64;
	gst_segment_init(&probe->segment, GST_FORMAT_UNDEFINED);
	pad = gst_element_get_static_pad(overlay, "video_sink");
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
			  on_overlay_input, probe, clock_probe_free);
	return overlay;
}

/* --- The bin --- */

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

/* sink_<i> → queue → videoscale → capsfilter(pane size) → compositor pad at the pane. */
static gboolean
add_input(GstBin *bin, GstElement *compositor, guint i, const CavPane *pane,
	  const CavVideoFormat *camera, GError **error)
{
	g_autofree char *qname = g_strdup_printf("program-in%u", i);
	g_autofree char *ghost = g_strdup_printf("sink_%u", i);
	g_autoptr(GstCaps) caps = NULL;
	g_autoptr(GstPad) src = NULL;
	g_autoptr(GstPad) sink = NULL;
	GstElement *queue, *scale, *filter;
	CavPane fit;

	cav_program_fit(pane, camera->width, camera->height, &fit);
	queue = cav_graph_add_queue(bin, qname, CAV_QUEUE_RAW_TIME, error);
	scale = queue ? cav_graph_add(bin, "videoscale", NULL, error) : NULL;
	filter = scale ? cav_graph_add(bin, "capsfilter", NULL, error) : NULL;
	if (filter == NULL)
		return FALSE;
	caps = i420_caps(fit.width, fit.height, 0);
	g_object_set(filter, "caps", caps, NULL);
	if (!cav_graph_link_many(error, queue, scale, filter, NULL) ||
	    !cav_graph_ghost(bin, queue, "sink", ghost, error))
		return FALSE;

	src = gst_element_get_static_pad(filter, "src");
	sink = gst_element_request_pad_simple(compositor, "sink_%u");
	if (sink == NULL || gst_pad_link(src, sink) != GST_PAD_LINK_OK) {
		g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD,
			    "Could not link camera %u into the program compositor", i);
		return FALSE;
	}
	g_object_set(sink, "xpos", (int)fit.x, "ypos", (int)fit.y, "width", (int)fit.width,
		     "height", (int)fit.height, NULL);
	return TRUE;
}

GstElement *
cav_program_new(const CavProgramConfig *cfg, guint n_cameras, GError **error)
{
	g_autoptr(GstElement) bin = gst_object_ref_sink(gst_bin_new("program"));
	CavPane panes[CAV_PROGRAM_MAX_PANES];
	g_autoptr(GstCaps) caps = NULL;
	GstElement *compositor, *filter, *overlay;

	if (!cav_program_layout(cfg->layout, n_cameras, cfg->width, cfg->height, panes, error))
		return NULL;
	compositor = cav_graph_add(GST_BIN(bin), "compositor", "program-compositor", error);
	filter = compositor ? cav_graph_add(GST_BIN(bin), "capsfilter", NULL, error) : NULL;
	if (filter == NULL)
		return NULL;
	g_object_set(compositor, "latency", (guint64)(GST_SECOND / cfg->fps), NULL);
	if (!cav_graph_set_nick(compositor, "background", "black", error) ||
	    !cav_graph_set_nick(compositor, "start-time-selection", "first", error))
		return NULL;
	caps = i420_caps(cfg->width, cfg->height, cfg->fps);
	g_object_set(filter, "caps", caps, NULL);

	for (guint i = 0; i < n_cameras; i++) {
		if (!add_input(GST_BIN(bin), compositor, i, &panes[i], cfg->camera, error))
			return NULL;
	}
	overlay = add_overlay(GST_BIN(bin), cfg, error);
	if (overlay == NULL || !cav_graph_link(compositor, "src", filter, "sink", error) ||
	    !cav_graph_link(filter, "src", overlay, "video_sink", error) ||
	    !cav_graph_ghost(GST_BIN(bin), overlay, "src", "src", error))
		return NULL;
	g_object_force_floating(G_OBJECT(bin));
	return g_steal_pointer(&bin);
}
