/* media-probe.c — see media-probe.h. */
#include "media-probe.h"

#include <gio/gio.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <math.h>
#include <string.h>

const char *
cav_frame_kind_name(CavFrameKind kind)
{
	static const char *names[] = {"other", "slate", "red", "black"};

	return names[kind];
}

static gboolean
near3(const guint8 *yuv, int y, int u, int v, int tol)
{
	return abs(yuv[0] - y) <= tol && abs(yuv[1] - u) <= tol && abs(yuv[2] - v) <= tol;
}

static CavFrameKind
classify(GstVideoFrame *f, double *variance)
{
	int w = GST_VIDEO_FRAME_WIDTH(f), h = GST_VIDEO_FRAME_HEIGHT(f);
	int pts[4][2] = {{w / 20, h / 20},
			 {w - w / 20, h / 20},
			 {w / 20, h - h / 20},
			 {w - w / 20, h - h / 20}};
	int slate = 0, red = 0, black = 0;
	double sum = 0, sum2 = 0;

	for (int i = 0; i < 4; i++) {
		int x = pts[i][0], y = pts[i][1];
		guint8 yuv[3] = {
			((guint8 *)GST_VIDEO_FRAME_PLANE_DATA(
				f, 0))[y * GST_VIDEO_FRAME_PLANE_STRIDE(f, 0) + x],
			((guint8 *)GST_VIDEO_FRAME_PLANE_DATA(
				f, 1))[(y / 2) * GST_VIDEO_FRAME_PLANE_STRIDE(f, 1) + x / 2],
			((guint8 *)GST_VIDEO_FRAME_PLANE_DATA(
				f, 2))[(y / 2) * GST_VIDEO_FRAME_PLANE_STRIDE(f, 2) + x / 2],
		};
		/* Slate 0x1e2d4a ≈ Y 54 U 143 V 119; red ≈ Y 82 U 90 V 240. */
		slate += near3(yuv, 54, 143, 119, 12);
		red += near3(yuv, 82, 90, 240, 20);
		black += yuv[0] < 24;
	}
	for (int gy = 0; gy < 16; gy++) {
		for (int gx = 0; gx < 16; gx++) {
			int x = (2 * gx + 1) * w / 32, y = (2 * gy + 1) * h / 32;
			double l = ((guint8 *)GST_VIDEO_FRAME_PLANE_DATA(
				f, 0))[y * GST_VIDEO_FRAME_PLANE_STRIDE(f, 0) + x];

			sum += l;
			sum2 += l * l;
		}
	}
	*variance = sum2 / 256 - (sum / 256) * (sum / 256);
	if (slate == 4)
		return CAV_FRAME_SLATE;
	if (red == 4)
		return CAV_FRAME_RED;
	if (black == 4 && *variance < 4)
		return CAV_FRAME_BLACK;
	return CAV_FRAME_OTHER;
}

/* Decodes one segment; appends items with times relative to its first
 * video frame, shifted to @start_us. */
static gboolean
probe_segment(const char *path, gint64 start_us, GArray *out, GError **error)
{
	g_autofree char *desc = g_strdup_printf(
		"filesrc location=\"%s\" ! tsdemux name=d "
		"d. ! queue ! h264parse ! avdec_h264 ! videoconvert ! video/x-raw,format=I420 ! "
		"appsink name=v sync=false wait-on-eos=false "
		"d. ! queue ! aacparse ! avdec_aac ! audioconvert ! "
		"audio/x-raw,format=F32LE,channels=1 ! appsink name=a sync=false wait-on-eos=false",
		path);
	g_autoptr(GstElement) pipe = gst_parse_launch(desc, error);
	g_autoptr(GstElement) vsink = NULL;
	g_autoptr(GstElement) asink = NULL;
	g_autoptr(GstBus) bus = NULL;
	g_autoptr(GstMessage) msg = NULL;
	GstClockTime base = GST_CLOCK_TIME_NONE;
	GstSample *sample;
	guint first = out->len;

	if (pipe == NULL)
		return FALSE;
	vsink = gst_bin_get_by_name(GST_BIN(pipe), "v");
	asink = gst_bin_get_by_name(GST_BIN(pipe), "a");
	gst_element_set_state(pipe, GST_STATE_PLAYING);
	bus = gst_element_get_bus(pipe);
	msg = gst_bus_timed_pop_filtered(bus, 20 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
	if (msg == NULL || GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
		if (msg != NULL)
			gst_message_parse_error(msg, error, NULL);
		else
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
				    "decoding %s timed out", path);
		gst_element_set_state(pipe, GST_STATE_NULL);
		return FALSE;
	}
	while ((sample = gst_app_sink_try_pull_sample(GST_APP_SINK(vsink), 0)) != NULL) {
		GstBuffer *buf = gst_sample_get_buffer(sample);
		GstVideoInfo info;
		GstVideoFrame frame;
		CavProbeItem item = {.video = TRUE};

		if (gst_video_info_from_caps(&info, gst_sample_get_caps(sample)) &&
		    gst_video_frame_map(&frame, &info, buf, GST_MAP_READ)) {
			if (!GST_CLOCK_TIME_IS_VALID(base))
				base = GST_BUFFER_PTS(buf);
			item.kind = classify(&frame, &item.variance);
			item.utc_us = start_us + (gint64)(GST_BUFFER_PTS(buf) - base) / 1000;
			gst_video_frame_unmap(&frame);
			g_array_append_val(out, item);
		}
		gst_sample_unref(sample);
	}
	while ((sample = gst_app_sink_try_pull_sample(GST_APP_SINK(asink), 0)) != NULL) {
		GstBuffer *buf = gst_sample_get_buffer(sample);
		GstMapInfo map;
		CavProbeItem item = {.video = FALSE};

		if (GST_CLOCK_TIME_IS_VALID(base) && gst_buffer_map(buf, &map, GST_MAP_READ)) {
			const float *s = (const float *)map.data;
			gsize n = map.size / sizeof(float);
			double acc = 0;

			for (gsize i = 0; i < n; i++)
				acc += (double)s[i] * s[i];
			item.rms = n ? sqrt(acc / n) : 0;
			item.utc_us =
				start_us + ((gint64)GST_BUFFER_PTS(buf) - (gint64)base) / 1000;
			gst_buffer_unmap(buf, &map);
			g_array_append_val(out, item);
		}
		gst_sample_unref(sample);
	}
	gst_element_set_state(pipe, GST_STATE_NULL);
	if (out->len == first) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s holds no frames", path);
		return FALSE;
	}
	return TRUE;
}

static gint64
parse_pdt(const char *value)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601(value, NULL);

	return dt ? g_date_time_to_unix(dt) * G_USEC_PER_SEC + g_date_time_get_microsecond(dt) : 0;
}

GArray *
cav_probe_playlist(const char *m3u8, GError **error)
{
	g_autofree char *text = NULL;
	g_autofree char *dir = g_path_get_dirname(m3u8);
	g_auto(GStrv) lines = NULL;
	g_autoptr(GArray) out = g_array_new(FALSE, TRUE, sizeof(CavProbeItem));
	gint64 at_us = 0;
	double extinf = 0;

	if (!g_file_get_contents(m3u8, &text, NULL, error))
		return NULL;
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		const char *l = g_strstrip(lines[i]);

		if (g_str_has_prefix(l, "#EXT-X-PROGRAM-DATE-TIME:")) {
			at_us = parse_pdt(l + strlen("#EXT-X-PROGRAM-DATE-TIME:"));
		} else if (g_str_has_prefix(l, "#EXTINF:")) {
			extinf = g_ascii_strtod(l + strlen("#EXTINF:"), NULL);
		} else if (*l != '\0' && *l != '#') {
			g_autofree char *path = g_build_filename(dir, l, NULL);

			if (!probe_segment(path, at_us, out, error))
				return NULL;
			at_us += (gint64)(extinf * G_USEC_PER_SEC);
		}
	}
	return g_steal_pointer(&out);
}
