/* test-source.c — the source backend table, validation errors, and the
 * "test" backend's output formats (through gst-check's GstHarness).
 */
#include "pipelines/source.h"

#include <gst/check/gstharness.h>
#include <string.h>

static CavSourceSpec *
spec_with(const char *id, CavMediaKind kind, const char *backend, const char *key,
	  const char *value)
{
	CavSourceSpec *spec = cav_source_spec_new(id, kind, backend);

	if (key != NULL)
		g_hash_table_insert(spec->params, g_strdup(key), g_strdup(value));
	return spec;
}

/* Validation must fail with @code and a message naming the id and @word. */
static void
assert_invalid(CavSourceSpec *spec, int code, const char *word)
{
	g_autoptr(GError) error = NULL;

	g_assert_false(cav_source_validate(spec, &error));
	g_assert_error(error, CAV_SOURCE_ERROR, code);
	if (spec->id != NULL && *spec->id != '\0')
		g_assert_nonnull(strstr(error->message, spec->id));
	g_assert_nonnull(strstr(error->message, word));
	cav_source_spec_free(spec);
}

static void
assert_valid(CavSourceSpec *spec)
{
	g_autoptr(GError) error = NULL;

	g_assert_true(cav_source_validate(spec, &error));
	g_assert_no_error(error);
	cav_source_spec_free(spec);
}

static void
test_table(void)
{
	const CavSourceBackend *const *all = cav_source_backends();
	const CavSourceBackend *test = cav_source_backend_lookup("test");
	gboolean listed = FALSE;

	g_assert_nonnull(test);
	g_assert_cmpuint(test->version, ==, CAV_SOURCE_BACKEND_VERSION);
	g_assert_cmpuint(test->kinds, ==, CAV_MEDIA_VIDEO | CAV_MEDIA_AUDIO);
	g_assert_null(cav_source_backend_lookup("v4l9"));
	g_assert_null(cav_source_backend_lookup(NULL));
	for (guint i = 0; all[i] != NULL; i++)
		listed |= all[i] == test;
	g_assert_true(listed);
	cav_source_spec_free(NULL);
}

static void
test_validate_ok(void)
{
	CavSourceSpec *cam = spec_with("cam1", CAV_MEDIA_VIDEO, "test", "pattern", "ball");

	cam->label = g_strdup("审判席");
	assert_valid(cam);
	assert_valid(spec_with("cam-2_b", CAV_MEDIA_VIDEO, "test", NULL, NULL));
	assert_valid(spec_with("mic1", CAV_MEDIA_AUDIO, "test", "freq", "1000"));
	assert_valid(spec_with("mic2", CAV_MEDIA_AUDIO, "test", "volume", "0"));
	assert_valid(spec_with("mic3", CAV_MEDIA_AUDIO, "test", "wave", "ticks"));
}

static void
test_validate_errors(void)
{
	assert_invalid(spec_with("cam1", CAV_MEDIA_VIDEO, "v4l9", NULL, NULL),
		       CAV_SOURCE_ERROR_UNKNOWN_BACKEND, "v4l9");
	assert_invalid(spec_with("cam1", CAV_MEDIA_VIDEO | CAV_MEDIA_AUDIO, "test", NULL, NULL),
		       CAV_SOURCE_ERROR_WRONG_KIND, "camera or a microphone");
	assert_invalid(spec_with("cam1", CAV_MEDIA_VIDEO, "test", "patern", "ball"),
		       CAV_SOURCE_ERROR_BAD_PARAM, "\"patern\"");
	assert_invalid(spec_with("cam1", CAV_MEDIA_VIDEO, "test", "pattern", "plaid"),
		       CAV_SOURCE_ERROR_BAD_PARAM, "\"pattern\"");
	assert_invalid(spec_with("cam1", CAV_MEDIA_VIDEO, "test", "freq", "440"),
		       CAV_SOURCE_ERROR_BAD_PARAM, "\"freq\"");
	assert_invalid(spec_with("mic1", CAV_MEDIA_AUDIO, "test", "pattern", "ball"),
		       CAV_SOURCE_ERROR_BAD_PARAM, "\"pattern\"");
	assert_invalid(spec_with("mic1", CAV_MEDIA_AUDIO, "test", "volume", "1.5"),
		       CAV_SOURCE_ERROR_BAD_PARAM, "\"volume\"");
	assert_invalid(spec_with("mic1", CAV_MEDIA_AUDIO, "test", "freq", "440Hz"),
		       CAV_SOURCE_ERROR_BAD_PARAM, "\"freq\"");
	assert_invalid(spec_with("mic1", CAV_MEDIA_AUDIO, "test", "wave", "sinus"),
		       CAV_SOURCE_ERROR_BAD_PARAM, "\"wave\"");
	assert_invalid(spec_with("../cam", CAV_MEDIA_VIDEO, "test", NULL, NULL),
		       CAV_SOURCE_ERROR_BAD_PARAM, "\"id\"");
	assert_invalid(spec_with("program", CAV_MEDIA_VIDEO, "test", NULL, NULL),
		       CAV_SOURCE_ERROR_BAD_PARAM, "\"id\"");
	assert_invalid(spec_with("", CAV_MEDIA_AUDIO, "test", NULL, NULL),
		       CAV_SOURCE_ERROR_BAD_PARAM, "\"id\"");
}

/* Pulls a few buffers from a source bin and returns its output caps. The
 * harness does not sink a floating element, so the test owns @bin. */
static GstCaps *
pull_caps(GstElement *floating_bin, guint n_buffers)
{
	g_autoptr(GstElement) bin = gst_object_ref_sink(floating_bin);
	GstHarness *h = gst_harness_new_with_element(bin, NULL, "src");
	GstCaps *caps;

	/* Live sources wait on the clock: a test clock would never advance. */
	gst_harness_use_systemclock(h);
	gst_harness_play(h);
	for (guint i = 0; i < n_buffers; i++) {
		GstBuffer *buf = gst_harness_pull(h);

		g_assert_nonnull(buf);
		g_assert_true(GST_BUFFER_PTS_IS_VALID(buf));
		gst_buffer_unref(buf);
	}
	caps = gst_pad_get_current_caps(h->sinkpad);
	gst_harness_teardown(h);
	return caps;
}

static void
test_video_format(void)
{
	g_autoptr(CavSourceSpec) spec = spec_with("cam7", CAV_MEDIA_VIDEO, "test", NULL, NULL);
	const CavSourceBackend *test = cav_source_backend_lookup("test");
	CavVideoFormat fmt = {320, 240, 25};
	g_autoptr(GError) error = NULL;
	GstElement *bin = test->create(spec, &fmt, &error);
	g_autoptr(GstCaps) caps = NULL;
	g_autoptr(GstCaps) want =
		gst_caps_from_string("video/x-raw,format=I420,width=320,height=240,framerate=25/1");

	g_assert_no_error(error);
	g_assert_true(g_object_is_floating(bin));
	caps = pull_caps(bin, 3);
	g_assert_true(gst_caps_is_subset(caps, want));
}

static void
test_audio_format(void)
{
	g_autoptr(CavSourceSpec) spec = spec_with("mic1", CAV_MEDIA_AUDIO, "test", "freq", "1000");
	const CavSourceBackend *test = cav_source_backend_lookup("test");
	g_autoptr(GError) error = NULL;
	GstElement *bin = test->create(spec, NULL, &error);
	g_autoptr(GstCaps) caps = NULL;
	g_autoptr(GstCaps) want =
		gst_caps_from_string("audio/x-raw,format=S16LE,rate=48000,channels=1");

	g_assert_no_error(error);
	caps = pull_caps(bin, 3);
	g_assert_true(gst_caps_is_subset(caps, want));
}

static void
test_create_rejects_bad_param(void)
{
	g_autoptr(CavSourceSpec) spec = spec_with("mic1", CAV_MEDIA_AUDIO, "test", "volume", "-1");
	const CavSourceBackend *test = cav_source_backend_lookup("test");
	g_autoptr(GError) error = NULL;

	g_assert_null(test->create(spec, NULL, &error));
	g_assert_error(error, CAV_SOURCE_ERROR, CAV_SOURCE_ERROR_BAD_PARAM);
}

int
main(int argc, char **argv)
{
	gst_init(&argc, &argv);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/source/table", test_table);
	g_test_add_func("/source/validate-ok", test_validate_ok);
	g_test_add_func("/source/validate-errors", test_validate_errors);
	g_test_add_func("/source/test-video-format", test_video_format);
	g_test_add_func("/source/test-audio-format", test_audio_format);
	g_test_add_func("/source/create-rejects-bad-param", test_create_rejects_bad_param);
	return g_test_run();
}
