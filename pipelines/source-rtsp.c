/* source-rtsp.c — the "rtsp" backend: IP cameras over RTSP (H.264).
 *
 * The camera's H.264 is the evidence, so it is recorded as the camera sent
 * it: depayloaded and parsed into MP4 samples, never decoded and encoded
 * again ("encoded" pad, version-2 has_encoded). A decoder beside it feeds
 * the program and the inter channel ("src", the fixed raw format):
 *
 *   rtspsrc ─ rtph264depay ─ h264parse ─ tee ─┬─ queue ─ "encoded" (avc3, au)
 *                                             └─ queue ─ h264parse ─ avdec_h264 ─ convert ─ scale ─ "src"
 *
 * rtspsrc's pad appears once the session is set up (pad-added, streaming
 * thread); everything after it is built up front so the ghost pads exist
 * when the guard links them. The guard (source-guard.c) rebuilds this whole
 * bin when the camera is lost: a fresh RTSP session, as a camera that
 * rebooted needs.
 *
 * Params: url (rtsp://…, required), transport = tcp (default) | udp,
 * latency_ms = jitter buffer (default 200, 0–5000).
 *
 * Main thread only (building); the bin runs on streaming threads.
 */
#include "source-backends.h"

#include <gio/gio.h>
#include <string.h>

static const char *const rtsp_param_keys[] = {"url", "transport", "latency_ms", NULL};

#define RTSP_DEFAULT_LATENCY_MS 200
#define RTSP_PROBE_TIMEOUT_S 3
/* rtspsrc's own timeouts, short: the guard retries anyway. */
#define RTSP_TCP_TIMEOUT_US (5 * G_USEC_PER_SEC)

static gboolean
rtsp_validate(const CavSourceSpec *spec, GError **error)
{
	const char *url = g_hash_table_lookup(spec->params, "url");
	const char *transport = g_hash_table_lookup(spec->params, "transport");
	const char *latency = g_hash_table_lookup(spec->params, "latency_ms");
	g_autoptr(GUri) uri = NULL;
	guint64 ms;

	if (url == NULL)
		return cav_source_bad_param(error, spec, "url",
					    "required, e.g. rtsp://192.0.2.10:554/stream1");
	uri = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);
	if (uri == NULL || g_strcmp0(g_uri_get_scheme(uri), "rtsp") != 0 ||
	    g_uri_get_host(uri) == NULL || *g_uri_get_host(uri) == '\0')
		return cav_source_bad_param(error, spec, "url",
					    "not an rtsp://host[:port]/path URL");
	if (transport != NULL && strcmp(transport, "tcp") != 0 && strcmp(transport, "udp") != 0)
		return cav_source_bad_param(error, spec, "transport", "use tcp or udp");
	if (latency != NULL && !g_ascii_string_to_unsigned(latency, 10, 0, 5000, &ms, NULL))
		return cav_source_bad_param(error, spec, "latency_ms",
					    "a number of milliseconds from 0 to 5000");
	return TRUE;
}

static gboolean
rtsp_has_encoded(const CavSourceSpec *spec)
{
	return TRUE;
}

/* --check-config: can we reach the camera at all? (A TCP connection to its
 * RTSP port within a few seconds; the session itself is the recorder's.) */
static gboolean
rtsp_probe(const CavSourceSpec *spec, const CavVideoFormat *video, GError **error)
{
	const char *url = g_hash_table_lookup(spec->params, "url");
	g_autoptr(GUri) uri = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autoptr(GSocketConnection) conn = NULL;
	g_autoptr(GError) local = NULL;
	int port;

	if (uri == NULL)
		return cav_source_bad_param(error, spec, "url",
					    "not an rtsp://host[:port]/path URL");
	port = g_uri_get_port(uri) > 0 ? g_uri_get_port(uri) : 554;
	g_socket_client_set_timeout(client, RTSP_PROBE_TIMEOUT_S);
	conn = g_socket_client_connect_to_host(client, g_uri_get_host(uri), (guint16)port, NULL,
					       &local);
	if (conn == NULL) {
		g_set_error(error, CAV_SOURCE_ERROR, CAV_SOURCE_ERROR_BAD_PARAM,
			    "Source \"%s\": invalid key \"url\": the camera at %s:%d does not "
			    "answer (%s); check its address and network",
			    spec->id, g_uri_get_host(uri), port, local->message);
		return FALSE;
	}
	return TRUE;
}

/* rtspsrc's pad for the video stream (streaming thread). */
static void
on_pad_added(GstElement *rtspsrc, GstPad *pad, gpointer depay)
{
	g_autoptr(GstPad) sink = gst_element_get_static_pad(depay, "sink");
	g_autoptr(GstCaps) caps = gst_pad_get_current_caps(pad);
	const GstStructure *s = caps ? gst_caps_get_structure(caps, 0) : NULL;

	if (s != NULL && (g_strcmp0(gst_structure_get_string(s, "media"), "video") != 0 ||
			  g_ascii_strcasecmp(gst_structure_get_string(s, "encoding-name")
						     ? gst_structure_get_string(s, "encoding-name")
						     : "",
					     "H264") != 0))
		return; /* audio or another codec: not ours */
	if (!gst_pad_is_linked(sink) && gst_pad_link(pad, sink) != GST_PAD_LINK_OK)
		GST_ELEMENT_ERROR(rtspsrc, STREAM, FORMAT, ("The camera's video is not H.264"),
				  (NULL));
}

static gboolean
link_ghost(GstBin *bin, const CavSourceSpec *spec, GError **error, const char *ghost,
	   GstElement *first, ...)
{
	GstElement *prev = first, *next;
	g_autoptr(GstPad) target = NULL;
	gboolean ok = TRUE;
	va_list ap;

	va_start(ap, first);
	while (ok && (next = va_arg(ap, GstElement *)) != NULL) {
		ok = gst_element_link(prev, next);
		prev = next;
	}
	va_end(ap);
	target = ok ? gst_element_get_static_pad(prev, "src") : NULL;
	if (target == NULL ||
	    !gst_element_add_pad(GST_ELEMENT(bin), gst_ghost_pad_new(ghost, target))) {
		g_set_error(error, CAV_SOURCE_ERROR, CAV_SOURCE_ERROR_MISSING_ELEMENT,
			    "Source \"%s\": could not build its %s branch", spec->id, ghost);
		return FALSE;
	}
	return TRUE;
}

static void
configure_rtspsrc(GstElement *src, const CavSourceSpec *spec)
{
	const char *transport = g_hash_table_lookup(spec->params, "transport");
	const char *latency = g_hash_table_lookup(spec->params, "latency_ms");
	gboolean udp = transport != NULL && strcmp(transport, "udp") == 0;

	/* The jitter buffer's latency is what a late packet may be late by
	 * before it counts as lost (and is dropped when it comes): a busy host
	 * or a congested link needs more than the default. */
	g_object_set(src, "location", (const char *)g_hash_table_lookup(spec->params, "url"),
		     "latency",
		     latency ? (guint)g_ascii_strtoull(latency, NULL, 10)
			     : (guint)RTSP_DEFAULT_LATENCY_MS,
		     "tcp-timeout", (guint64)RTSP_TCP_TIMEOUT_US, "timeout",
		     (guint64)RTSP_TCP_TIMEOUT_US, "retry", (guint)2, NULL);
	gst_util_set_object_arg(G_OBJECT(src), "protocols", udp ? "udp" : "tcp");
}

static GstElement *
rtsp_create(const CavSourceSpec *spec, const CavVideoFormat *video, GError **error)
{
	g_autoptr(GstElement) bin = gst_object_ref_sink(gst_bin_new(NULL));
	g_autoptr(GstCaps) avc = NULL;
	g_autoptr(GstCaps) raw = NULL;
	GstElement *src, *depay, *parse, *avcf, *tee, *q1, *q2, *parse2, *dec, *conv, *scale, *rawf;

	if (!rtsp_validate(spec, error))
		return NULL;
	g_return_val_if_fail(video != NULL, NULL);
	src = cav_source_add_element(GST_BIN(bin), "rtspsrc", spec, error);
	depay = src ? cav_source_add_element(GST_BIN(bin), "rtph264depay", spec, error) : NULL;
	parse = depay ? cav_source_add_element(GST_BIN(bin), "h264parse", spec, error) : NULL;
	avcf = parse ? cav_source_add_element(GST_BIN(bin), "capsfilter", spec, error) : NULL;
	tee = avcf ? cav_source_add_element(GST_BIN(bin), "tee", spec, error) : NULL;
	q1 = tee ? cav_source_add_element(GST_BIN(bin), "queue", spec, error) : NULL;
	q2 = q1 ? cav_source_add_element(GST_BIN(bin), "queue", spec, error) : NULL;
	/* avdec_h264 takes avc or byte-stream, not avc3. */
	parse2 = q2 ? cav_source_add_element(GST_BIN(bin), "h264parse", spec, error) : NULL;
	dec = parse2 ? cav_source_add_element(GST_BIN(bin), "avdec_h264", spec, error) : NULL;
	conv = dec ? cav_source_add_element(GST_BIN(bin), "videoconvert", spec, error) : NULL;
	scale = conv ? cav_source_add_element(GST_BIN(bin), "videoscale", spec, error) : NULL;
	rawf = scale ? cav_source_add_element(GST_BIN(bin), "capsfilter", spec, error) : NULL;
	if (rawf == NULL)
		return NULL;
	configure_rtspsrc(src, spec);
	g_signal_connect_object(src, "pad-added", G_CALLBACK(on_pad_added), depay, 0);
	/* avc3: parameter sets stay in band, so the guard can switch this
	 * stream and the encoded slate in one track (source-guard.c). */
	avc = gst_caps_from_string("video/x-h264, stream-format=avc3, alignment=au");
	g_object_set(avcf, "caps", avc, NULL);
	/* A camera sends its parameter sets once per session or per keyframe;
	 * repeating them before every keyframe (the slices untouched) lets each
	 * file and each fragment decode alone. */
	g_object_set(parse, "config-interval", -1, NULL);
	raw = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", "width",
				  G_TYPE_INT, (int)video->width, "height", G_TYPE_INT,
				  (int)video->height, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
				  NULL);
	g_object_set(rawf, "caps", raw, NULL);
	/* Short queues: the guard samples the decoded frames; the encoded ones
	 * are queued by the recorder. */
	g_object_set(q1, "max-size-time", (guint64)GST_SECOND, "max-size-buffers", 0u,
		     "max-size-bytes", 0u, NULL);
	g_object_set(q2, "max-size-time", (guint64)GST_SECOND, "max-size-buffers", 0u,
		     "max-size-bytes", 0u, NULL);
	if (!gst_element_link_many(depay, parse, avcf, tee, NULL) ||
	    !link_ghost(GST_BIN(bin), spec, error, "encoded", tee, q1, NULL) ||
	    !link_ghost(GST_BIN(bin), spec, error, "src", tee, q2, parse2, dec, conv, scale, rawf,
			NULL)) {
		if (error != NULL && *error == NULL)
			g_set_error(error, CAV_SOURCE_ERROR, CAV_SOURCE_ERROR_MISSING_ELEMENT,
				    "Source \"%s\": could not build the RTSP branch", spec->id);
		return NULL;
	}
	g_object_force_floating(G_OBJECT(bin));
	return g_steal_pointer(&bin);
}

const CavSourceBackend cav_source_backend_rtsp = {
	.version = CAV_SOURCE_BACKEND_VERSION,
	.name = "rtsp",
	.kinds = CAV_MEDIA_VIDEO,
	.param_keys = rtsp_param_keys,
	.validate = rtsp_validate,
	.create = rtsp_create,
	.has_encoded = rtsp_has_encoded,
	.probe = rtsp_probe,
};
