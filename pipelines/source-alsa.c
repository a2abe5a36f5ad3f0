/* source-alsa.c — the "alsa" backend: microphones on ALSA cards, one
 * microphone per channel of a multi-channel card.
 *
 * A courtroom's mixer or audio interface delivers its microphones as the
 * channels of one ALSA device. Each [microphone ID] section names the
 * device, its channel count and its channel:
 *
 *   [microphone judge]              [microphone defence]
 *   backend = alsa                  backend = alsa
 *   device = hw:CARD=Loopback,DEV=1 device = hw:CARD=Loopback,DEV=1
 *   channels = 4                    channels = 4
 *   channel = 1                     channel = 3
 *   role = judge                    role = defence
 *
 * so every channel is an ordinary microphone source with its own id and
 * role (per-role tracks, levels, voice switching see nothing special). The
 * sections sharing a device form a capture group (group_key): the device is
 * opened once and each channel is picked out of the interleaved stream:
 *
 *   alsasrc ─ S16LE ×channels @ 48 kHz ─ tee ─┬─ queue ─ audioconvert(mix-matrix: channel 1) ─ "src_0"
 *                                             └─ queue ─ audioconvert(mix-matrix: channel 3) ─ "src_1"
 *
 * (audioconvert's mix-matrix rather than deinterleave: static pads, so the
 * guard can rebuild the bin and relink it without pad-added races.)
 *
 * Params: device (required), channels (of the device, default 1), channel
 * (1-based, default 1).
 *
 * Main thread only (building); the bin runs on streaming threads.
 */
#include "source-backends.h"

#include <string.h>

static const char *const alsa_param_keys[] = {"device", "channels", "channel", NULL};

#define ALSA_MAX_CHANNELS 64

static gboolean
bad(GError **error, const CavSourceSpec *spec, const char *key, const char *why)
{
	g_set_error(error, CAV_SOURCE_ERROR, CAV_SOURCE_ERROR_BAD_PARAM,
		    "Source \"%s\": invalid key \"%s\": %s", spec->id, key, why);
	return FALSE;
}

static guint
uint_param(const CavSourceSpec *spec, const char *key, guint fallback)
{
	const char *v = g_hash_table_lookup(spec->params, key);
	guint64 n;

	if (v == NULL || !g_ascii_string_to_unsigned(v, 10, 1, ALSA_MAX_CHANNELS, &n, NULL))
		return fallback;
	return (guint)n;
}

static gboolean
alsa_validate(const CavSourceSpec *spec, GError **error)
{
	const char *device = g_hash_table_lookup(spec->params, "device");
	const char *keys[] = {"channels", "channel"};

	if (device == NULL || *device == '\0')
		return bad(error, spec, "device", "required, e.g. hw:CARD=PCH,DEV=0");
	for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
		const char *v = g_hash_table_lookup(spec->params, keys[i]);

		if (v != NULL &&
		    !g_ascii_string_to_unsigned(v, 10, 1, ALSA_MAX_CHANNELS, NULL, NULL))
			return bad(error, spec, keys[i], "a number from 1 to 64");
	}
	if (uint_param(spec, "channel", 1) > uint_param(spec, "channels", 1)) {
		g_autofree char *why = g_strdup_printf("channel %u of a %u-channel device",
						       uint_param(spec, "channel", 1),
						       uint_param(spec, "channels", 1));

		return bad(error, spec, "channel", why);
	}
	return TRUE;
}

static char *
alsa_group_key(const CavSourceSpec *spec)
{
	return g_strdup(g_hash_table_lookup(spec->params, "device"));
}

static gboolean
alsa_validate_group(const CavSourceSpec *const *specs, guint n, GError **error)
{
	guint channels = uint_param(specs[0], "channels", 1);

	for (guint i = 0; i < n; i++) {
		if (uint_param(specs[i], "channels", 1) != channels) {
			g_autofree char *why = g_strdup_printf(
				"%u, but microphone \"%s\" on the same device says %u",
				uint_param(specs[i], "channels", 1), specs[0]->id, channels);

			return bad(error, specs[i], "channels", why);
		}
		for (guint j = 0; j < i; j++) {
			if (uint_param(specs[i], "channel", 1) ==
			    uint_param(specs[j], "channel", 1)) {
				g_autofree char *why = g_strdup_printf(
					"channel %u is microphone \"%s\" already",
					uint_param(specs[i], "channel", 1), specs[j]->id);

				return bad(error, specs[i], "channel", why);
			}
		}
	}
	return TRUE;
}

/* --check-config: the device opens and can deliver its channel count. */
static gboolean
alsa_probe(const CavSourceSpec *spec, const CavVideoFormat *video, GError **error)
{
	const char *device = g_hash_table_lookup(spec->params, "device");
	g_autoptr(GstElement) src = gst_element_factory_make("alsasrc", NULL);
	g_autoptr(GstCaps) want = NULL;
	g_autoptr(GstCaps) offered = NULL;
	g_autoptr(GstPad) pad = NULL;
	gboolean opened;

	if (src == NULL) {
		g_set_error(error, CAV_SOURCE_ERROR, CAV_SOURCE_ERROR_MISSING_ELEMENT,
			    "Source \"%s\": GStreamer element \"alsasrc\" is not installed "
			    "(gstreamer1.0-alsa)",
			    spec->id);
		return FALSE;
	}
	gst_object_ref_sink(src);
	g_object_set(src, "device", device, NULL);
	opened = gst_element_set_state(src, GST_STATE_READY) == GST_STATE_CHANGE_SUCCESS;
	if (opened) {
		pad = gst_element_get_static_pad(src, "src");
		offered = gst_pad_query_caps(pad, NULL);
	}
	gst_element_set_state(src, GST_STATE_NULL);
	if (!opened) {
		g_autofree char *why = g_strdup_printf(
			"%s cannot be opened for capture (`arecord -L` lists the devices)", device);

		return bad(error, spec, "device", why);
	}
	want = gst_caps_new_simple("audio/x-raw", "channels", G_TYPE_INT,
				   (int)uint_param(spec, "channels", 1), NULL);
	if (offered != NULL && !gst_caps_can_intersect(want, offered)) {
		g_autofree char *why = g_strdup_printf("%s cannot capture %u channels", device,
						       uint_param(spec, "channels", 1));

		return bad(error, spec, "channels", why);
	}
	return TRUE;
}

static GstElement *
add(GstBin *bin, const char *factory, const CavSourceSpec *spec, GError **error)
{
	GstElement *el = gst_element_factory_make(factory, NULL);

	if (el == NULL) {
		g_set_error(error, CAV_SOURCE_ERROR, CAV_SOURCE_ERROR_MISSING_ELEMENT,
			    "Source \"%s\": GStreamer element \"%s\" is not installed", spec->id,
			    factory);
		return NULL;
	}
	gst_bin_add(bin, el);
	return el;
}

/* A 1 x @channels matrix taking channel @pick (0-based). */
static void
set_pick_matrix(GstElement *convert, guint channels, guint pick)
{
	GValue matrix = G_VALUE_INIT, row = G_VALUE_INIT;

	g_value_init(&matrix, GST_TYPE_ARRAY);
	g_value_init(&row, GST_TYPE_ARRAY);
	for (guint c = 0; c < channels; c++) {
		GValue v = G_VALUE_INIT;

		g_value_init(&v, G_TYPE_FLOAT);
		g_value_set_float(&v, c == pick ? 1.0f : 0.0f);
		gst_value_array_append_and_take_value(&row, &v);
	}
	gst_value_array_append_and_take_value(&matrix, &row);
	g_object_set_property(G_OBJECT(convert), "mix-matrix", &matrix);
	g_value_unset(&matrix);
}

/* queue ─ audioconvert(pick) ─ S16LE mono 48 kHz ─ ghost @name */
static gboolean
add_channel(GstBin *bin, GstElement *tee, const CavSourceSpec *spec, guint channels,
	    const char *name, GError **error)
{
	g_autoptr(GstCaps) mono = gst_caps_new_simple(
		"audio/x-raw", "format", G_TYPE_STRING, "S16LE", "layout", G_TYPE_STRING,
		"interleaved", "rate", G_TYPE_INT, CAV_AUDIO_RATE, "channels", G_TYPE_INT, 1, NULL);
	g_autoptr(GstPad) pad = NULL;
	GstElement *queue, *convert, *filter;

	queue = add(bin, "queue", spec, error);
	convert = queue ? add(bin, "audioconvert", spec, error) : NULL;
	filter = convert ? add(bin, "capsfilter", spec, error) : NULL;
	if (filter == NULL)
		return FALSE;
	set_pick_matrix(convert, channels, uint_param(spec, "channel", 1) - 1);
	g_object_set(filter, "caps", mono, NULL);
	if (!gst_element_link_many(tee, queue, convert, filter, NULL)) {
		g_set_error(error, CAV_SOURCE_ERROR, CAV_SOURCE_ERROR_MISSING_ELEMENT,
			    "Source \"%s\": could not pick its channel", spec->id);
		return FALSE;
	}
	pad = gst_element_get_static_pad(filter, "src");
	return gst_element_add_pad(GST_ELEMENT(bin), gst_ghost_pad_new(name, pad));
}

static GstElement *
build(const CavSourceSpec *const *specs, guint n, gboolean single, GError **error)
{
	g_autoptr(GstElement) bin = gst_object_ref_sink(gst_bin_new(NULL));
	guint channels = uint_param(specs[0], "channels", 1);
	g_autoptr(GstCaps) caps =
		gst_caps_new_simple("audio/x-raw", "format", G_TYPE_STRING, "S16LE", "layout",
				    G_TYPE_STRING, "interleaved", "rate", G_TYPE_INT,
				    CAV_AUDIO_RATE, "channels", G_TYPE_INT, (int)channels, NULL);
	GstElement *src, *filter, *tee;

	for (guint i = 0; i < n; i++)
		if (!alsa_validate(specs[i], error))
			return NULL;
	if (!alsa_validate_group(specs, n, error))
		return NULL;
	src = add(GST_BIN(bin), "alsasrc", specs[0], error);
	filter = src ? add(GST_BIN(bin), "capsfilter", specs[0], error) : NULL;
	tee = filter ? add(GST_BIN(bin), "tee", specs[0], error) : NULL;
	if (tee == NULL)
		return NULL;
	/* 10 ms periods: level metering and the mix want a steady flow. */
	g_object_set(src, "device", (const char *)g_hash_table_lookup(specs[0]->params, "device"),
		     "buffer-time", (gint64)100000, "latency-time", (gint64)10000, NULL);
	g_object_set(filter, "caps", caps, NULL);
	if (!gst_element_link_many(src, filter, tee, NULL))
		return NULL;
	for (guint i = 0; i < n; i++) {
		g_autofree char *name = single ? g_strdup("src") : g_strdup_printf("src_%u", i);

		if (!add_channel(GST_BIN(bin), tee, specs[i], channels, name, error))
			return NULL;
	}
	g_object_force_floating(G_OBJECT(bin));
	return g_steal_pointer(&bin);
}

static GstElement *
alsa_create_group(const CavSourceSpec *const *specs, guint n, GError **error)
{
	return build(specs, n, FALSE, error);
}

/* One microphone alone: a group of one, with its pad named "src". */
static GstElement *
alsa_create(const CavSourceSpec *spec, const CavVideoFormat *video, GError **error)
{
	const CavSourceSpec *one[] = {spec};

	return build(one, 1, TRUE, error);
}

const CavSourceBackend cav_source_backend_alsa = {
	.version = CAV_SOURCE_BACKEND_VERSION,
	.name = "alsa",
	.kinds = CAV_MEDIA_AUDIO,
	.param_keys = alsa_param_keys,
	.validate = alsa_validate,
	.create = alsa_create,
	.probe = alsa_probe,
	.group_key = alsa_group_key,
	.validate_group = alsa_validate_group,
	.create_group = alsa_create_group,
};
