/* source-test.c — the "test" backend: synthetic cameras and microphones.
 *
 * Cameras are videotestsrc (live) with the source's label burnt in, so each
 * pane of the program is recognisable; microphones are audiotestsrc (live).
 * Both deliver the fixed raw formats of source.h straight from the source
 * element: videotestsrc and audiotestsrc can produce I420 / S16LE at any size
 * and rate, so a capsfilter is enough and no converter is needed (a converter
 * in passthrough would cost nothing, but would also test nothing).
 *
 * Params:
 *   camera:     pattern = a videotestsrc pattern nick (smpte, ball, snow, ...);
 *               default chosen from the id's trailing number so cam1, cam2 and
 *               cam3 look different.
 *   microphone: freq = Hz (default 440), volume = 0..1 (default 0.3),
 *               wave = an audiotestsrc wave nick (default sine),
 *               silence_after = S, silence_for = S: digital silence (the
 *               samples keep coming, all zero) for silence_for seconds from
 *               silence_after seconds of running time — a dead microphone,
 *               unlike an outage (tests of the silent-microphone alarm).
 *   both:       outage = A-B: the source delivers nothing from A to B seconds
 *               of the pipeline's running time, as a camera that stops
 *               streaming and comes back (tests of the health guard). A bin
 *               rebuilt within the window stays silent too.
 *
 * Main thread only (building); the bins run on streaming threads.
 */
#include "source-backends.h"

#include <string.h>

static const char *const test_param_keys[] = {"pattern", "freq",          "volume",      "wave",
					      "outage",  "silence_after", "silence_for", NULL};
static const char *const video_only_keys[] = {"pattern", NULL};
static const char *const audio_only_keys[] = {"freq",          "volume",      "wave",
					      "silence_after", "silence_for", NULL};

/* Patterns that move or differ clearly, and that x264 encodes at a sane
 * bitrate ("snow" is random noise and would dominate a CPU benchmark). */
static const char *const default_patterns[] = {"smpte",    "ball",  "pinwheel", "spokes",
					       "circular", "gamut", "bar",      "zone-plate"};

#define TEST_DEFAULT_FREQ 440.0
#define TEST_DEFAULT_VOLUME 0.3
#define TEST_MAX_FREQ 20000.0
#define TEST_MAX_SILENCE_S 86400.0

static gboolean
set_missing_element(GError **error, const CavSourceSpec *spec, const char *factory)
{
	g_set_error(error, CAV_SOURCE_ERROR, CAV_SOURCE_ERROR_MISSING_ELEMENT,
		    "Source \"%s\": GStreamer element \"%s\" is not installed", spec->id, factory);
	return FALSE;
}

/* The enum class behind @factory's property @prop, loading the plugin if
 * needed; NULL when the element is not installed. (transfer full) */
static GEnumClass *
element_enum_class(const char *factory_name, const char *prop)
{
	g_autoptr(GstElementFactory) factory = gst_element_factory_find(factory_name);
	g_autoptr(GstPluginFeature) loaded = NULL;
	GObjectClass *klass;
	GParamSpec *pspec;
	GEnumClass *result = NULL;
	GType type;

	if (factory == NULL)
		return NULL;
	loaded = gst_plugin_feature_load(GST_PLUGIN_FEATURE(factory));
	if (loaded == NULL)
		return NULL;
	type = gst_element_factory_get_element_type(GST_ELEMENT_FACTORY(loaded));
	klass = g_type_class_ref(type);
	pspec = g_object_class_find_property(klass, prop);
	if (pspec != NULL && G_IS_PARAM_SPEC_ENUM(pspec))
		result = g_type_class_ref(pspec->value_type);
	g_type_class_unref(klass);
	return result;
}

static char *
enum_nicks(GEnumClass *klass)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < klass->n_values; i++)
		g_string_append_printf(s, "%s%s", i ? ", " : "", klass->values[i].value_nick);
	return g_string_free(s, FALSE);
}

static gboolean
check_enum_param(const CavSourceSpec *spec, const char *key, const char *factory, const char *prop,
		 GError **error)
{
	const char *value = g_hash_table_lookup(spec->params, key);
	GEnumClass *klass;
	gboolean ok;

	if (value == NULL)
		return TRUE;
	klass = element_enum_class(factory, prop);
	if (klass == NULL)
		return set_missing_element(error, spec, factory);
	ok = g_enum_get_value_by_nick(klass, value) != NULL;
	if (!ok) {
		g_autofree char *nicks = enum_nicks(klass);
		g_autofree char *why = g_strdup_printf("\"%s\" is not one of %s", value, nicks);

		cav_source_bad_param(error, spec, key, why);
	}
	g_type_class_unref(klass);
	return ok;
}

/* Parses @key as a number in [min, max]; absent keys give @fallback. */
static gboolean
get_double_param(const CavSourceSpec *spec, const char *key, double min, double max,
		 double fallback, double *out, GError **error)
{
	const char *value = g_hash_table_lookup(spec->params, key);
	char *end = NULL;
	double d;

	if (value == NULL) {
		*out = fallback;
		return TRUE;
	}
	d = g_ascii_strtod(value, &end);
	if (end == value || *end != '\0' || !(d >= min && d <= max)) {
		g_autofree char *why =
			g_strdup_printf("\"%s\" is not a number from %g to %g", value, min, max);

		return cav_source_bad_param(error, spec, key, why);
	}
	*out = d;
	return TRUE;
}

static gboolean
reject_keys(const CavSourceSpec *spec, const char *const *keys, const char *only_for,
	    GError **error)
{
	for (guint i = 0; keys[i] != NULL; i++) {
		if (g_hash_table_contains(spec->params, keys[i])) {
			g_autofree char *why = g_strdup_printf("applies to %s only", only_for);

			return cav_source_bad_param(error, spec, keys[i], why);
		}
	}
	return TRUE;
}

/* "A-B" seconds, 0 <= A < B; absent: no outage (*from = *to = 0). */
static gboolean
get_outage(const CavSourceSpec *spec, double *from, double *to, GError **error)
{
	const char *value = g_hash_table_lookup(spec->params, "outage");
	char *end = NULL;

	*from = *to = 0;
	if (value == NULL)
		return TRUE;
	*from = g_ascii_strtod(value, &end);
	if (end != value && *end == '-') {
		const char *second = end + 1;

		*to = g_ascii_strtod(second, &end);
		if (end != second && *end == '\0' && *from >= 0 && *to > *from)
			return TRUE;
	}
	return cav_source_bad_param(error, spec, "outage", "use FROM-TO in seconds, e.g. 3-8");
}

typedef struct {
	GstClockTime from;
	GstClockTime to;
} Outage;

/* Drops what the source makes inside the outage window (streaming thread). */
static GstPadProbeReturn
on_outage_buffer(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	const Outage *o = data;
	GstElement *el = GST_ELEMENT(gst_pad_get_parent(pad));
	GstClockTime now = el ? gst_element_get_current_running_time(el) : GST_CLOCK_TIME_NONE;

	gst_clear_object(&el);
	return GST_CLOCK_TIME_IS_VALID(now) && now >= o->from && now < o->to ? GST_PAD_PROBE_DROP
									     : GST_PAD_PROBE_OK;
}

static void
add_outage(GstElement *last, double from, double to)
{
	g_autoptr(GstPad) pad = gst_element_get_static_pad(last, "src");
	Outage *o = g_new0(Outage, 1);

	o->from = (GstClockTime)(from * GST_SECOND);
	o->to = (GstClockTime)(to * GST_SECOND);
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_outage_buffer, o, g_free);
}

static gboolean
test_validate(const CavSourceSpec *spec, GError **error)
{
	double d, to;

	if (!get_outage(spec, &d, &to, error))
		return FALSE;

	if (spec->kind == CAV_MEDIA_VIDEO) {
		return reject_keys(spec, audio_only_keys, "microphones", error) &&
		       check_enum_param(spec, "pattern", "videotestsrc", "pattern", error);
	}
	return reject_keys(spec, video_only_keys, "cameras", error) &&
	       get_double_param(spec, "freq", 1.0, TEST_MAX_FREQ, TEST_DEFAULT_FREQ, &d, error) &&
	       get_double_param(spec, "volume", 0.0, 1.0, TEST_DEFAULT_VOLUME, &d, error) &&
	       get_double_param(spec, "silence_after", 0.0, TEST_MAX_SILENCE_S, 0, &d, error) &&
	       get_double_param(spec, "silence_for", 0.0, TEST_MAX_SILENCE_S, 0, &d, error) &&
	       check_enum_param(spec, "wave", "audiotestsrc", "wave", error);
}

/* "cam1" → smpte, "cam2" → ball, ...; ids without a number hash. */
static const char *
default_pattern(const char *id)
{
	gsize len = strlen(id), i = len;
	guint index;

	while (i > 0 && g_ascii_isdigit(id[i - 1]))
		i--;
	if (i < len)
		index = (guint)g_ascii_strtoull(id + i, NULL, 10) + G_N_ELEMENTS(default_patterns) -
			1;
	else
		index = g_str_hash(id);
	return default_patterns[index % G_N_ELEMENTS(default_patterns)];
}

/* Makes @factory, adds it to @bin and links it after @prev (if any). */
static GstElement *
add_element(GstBin *bin, GstElement *prev, const char *factory, const CavSourceSpec *spec,
	    GError **error)
{
	GstElement *el = gst_element_factory_make(factory, NULL);

	if (el == NULL) {
		set_missing_element(error, spec, factory);
		return NULL;
	}
	gst_bin_add(bin, el);
	if (prev != NULL && !gst_element_link(prev, el)) {
		g_set_error(error, CAV_SOURCE_ERROR, CAV_SOURCE_ERROR_MISSING_ELEMENT,
			    "Source \"%s\": could not link %s to %s", spec->id,
			    GST_OBJECT_NAME(prev), GST_OBJECT_NAME(el));
		return NULL;
	}
	return el;
}

static void
maybe_outage(const CavSourceSpec *spec, GstElement *last)
{
	double from, to;

	if (get_outage(spec, &from, &to, NULL) && to > 0)
		add_outage(last, from, to);
}

static GstElement *
create_video(const CavSourceSpec *spec, const CavVideoFormat *video, GError **error)
{
	g_autoptr(GstElement) bin = gst_object_ref_sink(gst_bin_new(NULL));
	const char *pattern = g_hash_table_lookup(spec->params, "pattern");
	g_autoptr(GstCaps) caps = NULL;
	GstElement *src, *filter, *label, *out;

	src = add_element(GST_BIN(bin), NULL, "videotestsrc", spec, error);
	if (src == NULL)
		return NULL;
	g_object_set(src, "is-live", TRUE, NULL);
	gst_util_set_object_arg(G_OBJECT(src), "pattern",
				pattern ? pattern : default_pattern(spec->id));

	caps = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", "width",
				   G_TYPE_INT, (int)video->width, "height", G_TYPE_INT,
				   (int)video->height, "framerate", GST_TYPE_FRACTION,
				   (int)video->fps, 1, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1,
				   1, NULL);
	filter = add_element(GST_BIN(bin), src, "capsfilter", spec, error);
	if (filter == NULL)
		return NULL;
	g_object_set(filter, "caps", caps, NULL);

	/* Burn the label in: without it a clerk cannot tell test cameras apart. */
	label = add_element(GST_BIN(bin), filter, "textoverlay", spec, error);
	if (label == NULL)
		return NULL;
	g_object_set(label, "text", spec->label ? spec->label : spec->id, "shaded-background", TRUE,
		     NULL);
	gst_util_set_object_arg(G_OBJECT(label), "halignment", "left");
	gst_util_set_object_arg(G_OBJECT(label), "valignment", "top");

	/* Pins the output even if textoverlay ever offered overlay meta instead
	 * of blending. */
	out = add_element(GST_BIN(bin), label, "capsfilter", spec, error);
	if (out == NULL)
		return NULL;
	g_object_set(out, "caps", caps, NULL);

	if (!cav_source_ghost_src(bin, out, spec, error))
		return NULL;
	maybe_outage(spec, out);
	return g_steal_pointer(&bin);
}

/* Digital silence over [from, until) of running time (buffer timestamps of a
 * live source are running time). Streaming thread; the window is immutable. */
typedef struct {
	GstClockTime from;
	GstClockTime until;
} Silence;

static GstPadProbeReturn
on_test_audio(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	const Silence *s = data;
	GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
	GstMapInfo map;

	if (!GST_BUFFER_PTS_IS_VALID(buf) || GST_BUFFER_PTS(buf) < s->from ||
	    GST_BUFFER_PTS(buf) >= s->until)
		return GST_PAD_PROBE_OK;
	buf = gst_buffer_make_writable(buf);
	if (gst_buffer_map(buf, &map, GST_MAP_WRITE)) {
		memset(map.data, 0, map.size);
		gst_buffer_unmap(buf, &map);
	}
	GST_PAD_PROBE_INFO_DATA(info) = buf;
	return GST_PAD_PROBE_OK;
}

static void
add_silence(GstElement *src, double after, double length)
{
	Silence *s = g_new0(Silence, 1);
	g_autoptr(GstPad) pad = gst_element_get_static_pad(src, "src");

	s->from = (GstClockTime)(after * GST_SECOND);
	s->until = s->from + (GstClockTime)(length * GST_SECOND);
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_test_audio, s, g_free);
}

static GstElement *
create_audio(const CavSourceSpec *spec, GError **error)
{
	g_autoptr(GstElement) bin = gst_object_ref_sink(gst_bin_new(NULL));
	const char *wave = g_hash_table_lookup(spec->params, "wave");
	g_autoptr(GstCaps) caps = NULL;
	GstElement *src, *filter;
	double freq, volume, silence_after, silence_for;

	if (!get_double_param(spec, "freq", 1.0, TEST_MAX_FREQ, TEST_DEFAULT_FREQ, &freq, error) ||
	    !get_double_param(spec, "volume", 0.0, 1.0, TEST_DEFAULT_VOLUME, &volume, error) ||
	    !get_double_param(spec, "silence_after", 0.0, TEST_MAX_SILENCE_S, 0, &silence_after,
			      error) ||
	    !get_double_param(spec, "silence_for", 0.0, TEST_MAX_SILENCE_S, 0, &silence_for, error))
		return NULL;

	src = add_element(GST_BIN(bin), NULL, "audiotestsrc", spec, error);
	if (src == NULL)
		return NULL;
	g_object_set(src, "is-live", TRUE, "freq", freq, "volume", volume, NULL);
	gst_util_set_object_arg(G_OBJECT(src), "wave", wave ? wave : "sine");
	if (silence_for > 0)
		add_silence(src, silence_after, silence_for);

	caps = gst_caps_new_simple("audio/x-raw", "format", G_TYPE_STRING, "S16LE", "layout",
				   G_TYPE_STRING, "interleaved", "rate", G_TYPE_INT, CAV_AUDIO_RATE,
				   "channels", G_TYPE_INT, 1, NULL);
	filter = add_element(GST_BIN(bin), src, "capsfilter", spec, error);
	if (filter == NULL)
		return NULL;
	g_object_set(filter, "caps", caps, NULL);

	if (!cav_source_ghost_src(bin, filter, spec, error))
		return NULL;
	maybe_outage(spec, filter);
	return g_steal_pointer(&bin);
}

static GstElement *
test_create(const CavSourceSpec *spec, const CavVideoFormat *video, GError **error)
{
	GstElement *bin;

	if (!test_validate(spec, error))
		return NULL;
	if (spec->kind == CAV_MEDIA_VIDEO) {
		g_return_val_if_fail(video != NULL, NULL);
		bin = create_video(spec, video, error);
	} else {
		bin = create_audio(spec, error);
	}
	if (bin == NULL)
		return NULL;
	/* Hand back a floating reference, as the table promises. */
	g_object_force_floating(G_OBJECT(bin));
	return bin;
}

const CavSourceBackend cav_source_backend_test = {
	.version = CAV_SOURCE_BACKEND_VERSION,
	.name = "test",
	.kinds = CAV_MEDIA_VIDEO | CAV_MEDIA_AUDIO,
	.param_keys = test_param_keys,
	.validate = test_validate,
	.create = test_create,
};
