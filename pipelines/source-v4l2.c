/* source-v4l2.c — the "v4l2" backend: USB cameras and HDMI capture cards.
 *
 *   v4l2src ─ caps (MJPEG | YUYV | NV12 [, size, rate]) ─ [jpegdec] ─ videoconvert
 *           ─ videoscale ─ I420 at the track's size ─ "src"
 *
 * The device is a path (/dev/video2) or a card name ("vivid", "USB Capture
 * HDMI"): a name is looked up in /sys/class/video4linux/<node>/name, and the
 * first node of that card that opens as a capture device is used, so a
 * camera keeps its config when the kernel numbers it differently after a
 * reboot. The format is the config's, or with "auto" the best the device
 * offers (MJPEG, then YUYV, then NV12: MJPEG is what USB 2 cameras deliver
 * at 720p and more); the size and rate are the config's (width, height,
 * fps) or what the device prefers, then scaled to the track. The frame rate
 * needs no conversion: the health guard samples the frames (source-guard.c).
 * "input" selects the device's input first (VIDIOC_S_INPUT, numbered from 0
 * as `v4l2-ctl --list-inputs` shows), e.g. vivid's HDMI input 3.
 *
 * probe() opens the device (v4l2src to READY) and reads its capabilities,
 * so `--check-config` names a missing device or a format it cannot do.
 *
 * Main thread only (building); the bin runs on streaming threads.
 */
#include "source-backends.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const char *const v4l2_param_keys[] = {"device", "format", "width", "height",
					      "fps",    "input",  NULL};

#define V4L2_MAX_NODES 64

static gboolean
get_uint(const CavSourceSpec *spec, const char *key, guint64 max, guint *out, GError **error)
{
	const char *v = g_hash_table_lookup(spec->params, key);
	guint64 n = 0;

	*out = 0;
	if (v == NULL)
		return TRUE;
	if (!g_ascii_string_to_unsigned(v, 10, 1, max, &n, NULL)) {
		g_autofree char *why = g_strdup_printf(
			"\"%s\" is not a number from 1 to %" G_GUINT64_FORMAT, v, max);

		return cav_source_bad_param(error, spec, key, why);
	}
	*out = (guint)n;
	return TRUE;
}

static gboolean
v4l2_validate(const CavSourceSpec *spec, GError **error)
{
	const char *device = g_hash_table_lookup(spec->params, "device");
	const char *format = g_hash_table_lookup(spec->params, "format");
	guint n;

	if (device == NULL || *device == '\0')
		return cav_source_bad_param(error, spec, "device",
					    "required: a path (/dev/video0) or a card name");
	if (format != NULL && strcmp(format, "auto") != 0 && strcmp(format, "mjpeg") != 0 &&
	    strcmp(format, "yuyv") != 0 && strcmp(format, "nv12") != 0)
		return cav_source_bad_param(error, spec, "format", "use auto, mjpeg, yuyv or nv12");
	if (g_hash_table_contains(spec->params, "input") &&
	    !g_ascii_string_to_unsigned(g_hash_table_lookup(spec->params, "input"), 10, 0, 63, NULL,
					NULL))
		return cav_source_bad_param(
			error, spec, "input",
			"an input number from 0 to 63 (v4l2-ctl --list-inputs)");
	return get_uint(spec, "width", 8192, &n, error) &&
	       get_uint(spec, "height", 8192, &n, error) && get_uint(spec, "fps", 240, &n, error);
}

/* A capture-capable node, by opening it (any thread; no GStreamer); its
 * card name (VIDIOC_QUERYCAP, what `v4l2-ctl --list-devices` shows) in
 * @card when not NULL. */
static gboolean
node_can_capture(const char *path, char card[32])
{
	struct v4l2_capability cap;
	int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	gboolean ok = FALSE;
	guint32 caps;

	if (fd < 0)
		return FALSE;
	memset(&cap, 0, sizeof(cap));
	if (ioctl(fd, VIDIOC_QUERYCAP, &cap) == 0) {
		caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps
								 : cap.capabilities;
		ok = (caps & V4L2_CAP_VIDEO_CAPTURE) != 0 && (caps & V4L2_CAP_STREAMING) != 0;
		if (card != NULL)
			g_strlcpy(card, (const char *)cap.card, 32);
	}
	close(fd);
	return ok;
}

/* The device node of @spec: its path, or the first capture node whose card
 * name is @device. (transfer full) NULL with @error. */
static char *
resolve_device(const CavSourceSpec *spec, GError **error)
{
	const char *device = g_hash_table_lookup(spec->params, "device");

	if (device[0] == '/') {
		if (!g_file_test(device, G_FILE_TEST_EXISTS)) {
			g_autofree char *why = g_strdup_printf(
				"%s does not exist (is the camera plugged in? `v4l2-ctl "
				"--list-devices` lists what is there)",
				device);

			cav_source_bad_param(error, spec, "device", why);
			return NULL;
		}
		return g_strdup(device);
	}
	for (guint i = 0; i < V4L2_MAX_NODES; i++) {
		g_autofree char *name_path =
			g_strdup_printf("/sys/class/video4linux/video%u/name", i);
		g_autofree char *name = NULL;
		g_autofree char *node = g_strdup_printf("/dev/video%u", i);

		char card[32] = "";

		if (!g_file_get_contents(name_path, &name, NULL, NULL))
			continue;
		g_strstrip(name);
		/* The node's name (sysfs) or its card's (QUERYCAP): vivid's
		 * capture node is "vivid-000-vid-cap" on card "vivid". */
		if (node_can_capture(node, card) &&
		    (strcmp(name, device) == 0 || strcmp(card, device) == 0))
			return g_steal_pointer(&node);
	}
	{
		g_autofree char *why = g_strdup_printf(
			"no capture device named \"%s\" (`v4l2-ctl --list-devices` lists the "
			"names)",
			device);

		cav_source_bad_param(error, spec, "device", why);
	}
	return NULL;
}

/* VIDIOC_S_INPUT before v4l2src opens the device (the choice sticks). */
static gboolean
select_input(const CavSourceSpec *spec, const char *node, GError **error)
{
	const char *value = g_hash_table_lookup(spec->params, "input");
	guint64 input = 0;
	int fd, index, err = 0;

	if (value == NULL)
		return TRUE;
	if (!g_ascii_string_to_unsigned(value, 10, 0, 63, &input, NULL))
		return cav_source_bad_param(error, spec, "input", "an input number from 0 to 63");
	index = (int)input;
	fd = open(node, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, VIDIOC_S_INPUT, &index) != 0)
		err = errno;
	if (fd >= 0)
		close(fd);
	if (err != 0) {
		g_autofree char *why = g_strdup_printf("%s cannot select input %d: %s", node, index,
						       g_strerror(err));

		return cav_source_bad_param(error, spec, "input", why);
	}
	return TRUE;
}

/* The caps v4l2src must deliver: the config's format, size and rate. */
static GstCaps *
capture_caps(const CavSourceSpec *spec, const char *format)
{
	GstCaps *caps;
	guint width, height, fps;

	if (strcmp(format, "mjpeg") == 0)
		caps = gst_caps_new_empty_simple("image/jpeg");
	else
		caps = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING,
					   strcmp(format, "nv12") == 0 ? "NV12" : "YUY2", NULL);
	get_uint(spec, "width", 8192, &width, NULL);
	get_uint(spec, "height", 8192, &height, NULL);
	get_uint(spec, "fps", 240, &fps, NULL);
	if (width > 0)
		gst_caps_set_simple(caps, "width", G_TYPE_INT, (int)width, NULL);
	if (height > 0)
		gst_caps_set_simple(caps, "height", G_TYPE_INT, (int)height, NULL);
	if (fps > 0)
		gst_caps_set_simple(caps, "framerate", GST_TYPE_FRACTION, (int)fps, 1, NULL);
	return caps;
}

/* What the opened device offers (v4l2src in READY). (transfer full) */
static GstCaps *
device_caps(const char *node)
{
	g_autoptr(GstElement) src = gst_element_factory_make("v4l2src", NULL);
	g_autoptr(GstPad) pad = NULL;
	GstCaps *caps = NULL;

	if (src == NULL)
		return NULL;
	gst_object_ref_sink(src);
	g_object_set(src, "device", node, NULL);
	if (gst_element_set_state(src, GST_STATE_READY) == GST_STATE_CHANGE_SUCCESS) {
		pad = gst_element_get_static_pad(src, "src");
		caps = gst_pad_query_caps(pad, NULL);
	}
	gst_element_set_state(src, GST_STATE_NULL);
	return caps;
}

/* "auto": the best format @offered has; NULL when none of ours. */
static const char *
pick_format(const CavSourceSpec *spec, GstCaps *offered)
{
	static const char *const order[] = {"mjpeg", "yuyv", "nv12"};
	const char *format = g_hash_table_lookup(spec->params, "format");

	if (format != NULL && strcmp(format, "auto") != 0)
		return format;
	for (guint i = 0; offered != NULL && i < G_N_ELEMENTS(order); i++) {
		g_autoptr(GstCaps) want = capture_caps(spec, order[i]);

		if (gst_caps_can_intersect(want, offered))
			return order[i];
	}
	return offered == NULL ? "mjpeg" : NULL;
}

static gboolean
v4l2_probe(const CavSourceSpec *spec, const CavVideoFormat *video, GError **error)
{
	g_autofree char *node = resolve_device(spec, error);
	g_autoptr(GstCaps) offered = NULL;
	g_autoptr(GstCaps) want = NULL;
	const char *format;

	if (node == NULL || !select_input(spec, node, error))
		return FALSE;
	offered = device_caps(node);
	if (offered == NULL || gst_caps_is_empty(offered)) {
		g_autofree char *why =
			g_strdup_printf("%s cannot be opened as a capture device", node);

		return cav_source_bad_param(error, spec, "device", why);
	}
	format = pick_format(spec, offered);
	want = format ? capture_caps(spec, format) : NULL;
	if (want == NULL || !gst_caps_can_intersect(want, offered)) {
		g_autofree char *have = gst_caps_to_string(offered);
		g_autofree char *why =
			g_strdup_printf("%s cannot deliver %s%s; it offers %.400s", node,
					format ? format : "MJPEG, YUYV or NV12",
					g_hash_table_contains(spec->params, "width")
						? " at the configured size/rate"
						: "",
					have);

		return cav_source_bad_param(error, spec, format ? "format" : "device", why);
	}
	return TRUE;
}

static GstElement *
add(GstBin *bin, GstElement *prev, const char *factory, const CavSourceSpec *spec, GError **error)
{
	GstElement *el = cav_source_add_element(bin, factory, spec, error);

	if (el != NULL && prev != NULL && !gst_element_link(prev, el)) {
		g_set_error(error, CAV_SOURCE_ERROR, CAV_SOURCE_ERROR_MISSING_ELEMENT,
			    "Source \"%s\": could not link %s", spec->id, factory);
		return NULL;
	}
	return el;
}

/* A missing device is not an error here: the guard reports it lost and
 * retries, so a camera plugged in later starts recording by itself. */
static GstElement *
v4l2_create(const CavSourceSpec *spec, const CavVideoFormat *video, GError **error)
{
	g_autoptr(GstElement) bin = gst_object_ref_sink(gst_bin_new(NULL));
	g_autofree char *node = NULL;
	g_autoptr(GstCaps) want = NULL;
	g_autoptr(GstCaps) raw = NULL;
	const char *format = g_hash_table_lookup(spec->params, "format");
	GstElement *src, *filter, *last, *out;

	if (!v4l2_validate(spec, error))
		return NULL;
	g_return_val_if_fail(video != NULL, NULL);
	node = resolve_device(spec, NULL);
	if (node != NULL)
		select_input(spec, node, NULL);
	if (format == NULL || strcmp(format, "auto") == 0) {
		g_autoptr(GstCaps) offered = node ? device_caps(node) : NULL;

		format = pick_format(spec, offered);
		if (format == NULL)
			format = "mjpeg";
	}
	src = add(GST_BIN(bin), NULL, "v4l2src", spec, error);
	filter = src ? add(GST_BIN(bin), src, "capsfilter", spec, error) : NULL;
	if (filter == NULL)
		return NULL;
	/* A node that does not exist (yet): v4l2src fails to start, the guard
	 * retries. */
	g_object_set(src, "device",
		     node ? node : (const char *)g_hash_table_lookup(spec->params, "device"), NULL);
	want = capture_caps(spec, format);
	g_object_set(filter, "caps", want, NULL);
	last = filter;
	if (strcmp(format, "mjpeg") == 0)
		last = add(GST_BIN(bin), last, "jpegdec", spec, error);
	last = last ? add(GST_BIN(bin), last, "videoconvert", spec, error) : NULL;
	last = last ? add(GST_BIN(bin), last, "videoscale", spec, error) : NULL;
	out = last ? add(GST_BIN(bin), last, "capsfilter", spec, error) : NULL;
	if (out == NULL)
		return NULL;
	raw = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", "width",
				  G_TYPE_INT, (int)video->width, "height", G_TYPE_INT,
				  (int)video->height, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
				  NULL);
	g_object_set(out, "caps", raw, NULL);
	if (!cav_source_ghost_src(bin, out, spec, error))
		return NULL;
	g_object_force_floating(G_OBJECT(bin));
	return g_steal_pointer(&bin);
}

const CavSourceBackend cav_source_backend_v4l2 = {
	.version = CAV_SOURCE_BACKEND_VERSION,
	.name = "v4l2",
	.kinds = CAV_MEDIA_VIDEO,
	.param_keys = v4l2_param_keys,
	.validate = v4l2_validate,
	.create = v4l2_create,
	.probe = v4l2_probe,
};
