/* encode.c — the H.264 and AAC encoder bins the recorder puts on each track.
 *
 * x264 runs with tune=zerolatency: no B-frames and no lookahead, so a frame
 * leaves the encoder when it enters and a crash loses only what the muxer has
 * not written yet. The GOP is fixed (key-int-max) and splitmuxsink may also
 * request a keyframe at each split (send-keyframe-requests), so every file
 * starts on an IDR frame that h264parse precedes with SPS/PPS.
 *
 * Main thread only (building); the bins run on streaming threads.
 */
#include "encode.h"

GstElement *
cav_encode_h264_new(const char *name, guint fps, guint kbps, guint keyframe_seconds,
		    const char *preset, GError **error)
{
	g_autoptr(GstElement) bin = gst_object_ref_sink(gst_bin_new(name));
	g_autoptr(GstCaps) caps = NULL;
	GstElement *enc, *parse, *filter;

	enc = cav_graph_add(GST_BIN(bin), "x264enc", NULL, error);
	parse = enc ? cav_graph_add(GST_BIN(bin), "h264parse", NULL, error) : NULL;
	filter = parse ? cav_graph_add(GST_BIN(bin), "capsfilter", NULL, error) : NULL;
	if (filter == NULL)
		return NULL;

	g_object_set(enc, "bitrate", kbps, "key-int-max", fps * keyframe_seconds, NULL);
	if (!cav_graph_set_nick(enc, "tune", "zerolatency", error) ||
	    !cav_graph_set_nick(enc, "speed-preset", preset, error))
		return NULL;
	/* -1: SPS/PPS in front of every IDR, so any file or fragment decodes alone. */
	g_object_set(parse, "config-interval", -1, NULL);
	caps = gst_caps_new_simple("video/x-h264", "stream-format", G_TYPE_STRING, "avc",
				   "alignment", G_TYPE_STRING, "au", NULL);
	g_object_set(filter, "caps", caps, NULL);

	if (!cav_graph_link_many(error, enc, parse, filter, NULL) ||
	    !cav_graph_ghost(GST_BIN(bin), enc, "sink", "sink", error) ||
	    !cav_graph_ghost(GST_BIN(bin), filter, "src", "src", error))
		return NULL;
	g_object_force_floating(G_OBJECT(bin));
	return g_steal_pointer(&bin);
}

GstElement *
cav_encode_aac_new(const char *name, guint kbps, GError **error)
{
	g_autoptr(GstElement) bin = gst_object_ref_sink(gst_bin_new(name));
	GstElement *convert, *enc, *parse;

	/* avenc_aac wants planar float; audioconvert supplies it. */
	convert = cav_graph_add(GST_BIN(bin), "audioconvert", NULL, error);
	enc = convert ? cav_graph_add(GST_BIN(bin), "avenc_aac", NULL, error) : NULL;
	parse = enc ? cav_graph_add(GST_BIN(bin), "aacparse", NULL, error) : NULL;
	if (parse == NULL)
		return NULL;
	g_object_set(enc, "bitrate", (gint)(kbps * 1000), NULL);

	if (!cav_graph_link_many(error, convert, enc, parse, NULL) ||
	    !cav_graph_ghost(GST_BIN(bin), convert, "sink", "sink", error) ||
	    !cav_graph_ghost(GST_BIN(bin), parse, "src", "src", error))
		return NULL;
	g_object_force_floating(G_OBJECT(bin));
	return g_steal_pointer(&bin);
}
