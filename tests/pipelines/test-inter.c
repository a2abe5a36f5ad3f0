/* test-inter.c — the recorder publishes raw media on inter channels.
 *
 * While a recorder runs on test sources, a separate pipeline reads
 * intervideosrc channel=cav.program (and cav.cam1, and interaudiosrc
 * channel=cav.mix) and must see real pictures and sound, not the black
 * frames and silence the inter sources make up when nothing is published.
 * Then one consumer pauses and the recording must carry on, complete.
 *
 * Main thread only: probes count on streaming threads into atomics.
 */
#include "pipelines/recorder.h"
#include "media-check.h"

#include <string.h>

typedef struct {
	gint frames;     /* atomic: buffers seen */
	gint lit_frames; /* atomic: video buffers with a bright pixel, audio with signal */
	gboolean audio;
} Counter;

/* Streaming thread of the consumer pipeline. GRAY8 video: any byte past 100
 * is not black (intervideosrc's filler is Y=16). S16 audio: any sample past
 * 1000 is signal (its filler is silence). */
static GstPadProbeReturn
on_consumer_buffer(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	Counter *c = data;
	GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
	GstMapInfo map;
	gboolean lit = FALSE;

	if (!gst_buffer_map(buf, &map, GST_MAP_READ))
		return GST_PAD_PROBE_OK;
	if (c->audio) {
		const gint16 *s = (const gint16 *)map.data;

		for (gsize i = 0; i < map.size / 2 && !lit; i++)
			lit = ABS(s[i]) > 1000;
	} else {
		for (gsize i = 0; i < map.size && !lit; i++)
			lit = map.data[i] > 100;
	}
	gst_buffer_unmap(buf, &map);
	g_atomic_int_inc(&c->frames);
	if (lit)
		g_atomic_int_inc(&c->lit_frames);
	return GST_PAD_PROBE_OK;
}

static GstElement *
consumer_new(const char *description, Counter *counter)
{
	g_autoptr(GError) error = NULL;
	GstElement *pipeline = gst_parse_launch(description, &error);
	g_autoptr(GstElement) sink = NULL;
	g_autoptr(GstPad) pad = NULL;

	g_assert_no_error(error);
	sink = gst_bin_get_by_name(GST_BIN(pipeline), "out");
	pad = gst_element_get_static_pad(sink, "sink");
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_consumer_buffer, counter, NULL);
	return pipeline;
}

static gboolean
quit_loop(gpointer loop)
{
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

static void
run_for(guint ms)
{
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);

	g_timeout_add(ms, quit_loop, loop);
	g_main_loop_run(loop);
}

typedef struct {
	GMainLoop *loop;
	guint stopped;
	guint failed;
	GPtrArray *closed; /* of char * path, track "program" */
} Run;

static void
on_closed(CavRecorder *rec, const CavSegmentEvent *e, gpointer data)
{
	Run *run = data;

	if (strcmp(e->track, "program") == 0)
		g_ptr_array_add(run->closed, g_strdup(e->path));
}

static void
on_stopped(CavRecorder *rec, gpointer data)
{
	((Run *)data)->stopped++;
	g_main_loop_quit(((Run *)data)->loop);
}

static void
on_failed(CavRecorder *rec, const GError *error, gpointer data)
{
	g_printerr("recorder failed: %s\n", error->message);
	((Run *)data)->failed++;
	g_main_loop_quit(((Run *)data)->loop);
}

static const CavRecorderCallbacks callbacks = {
	.segment_closed = on_closed,
	.stopped = on_stopped,
	.failed = on_failed,
};

static const CavRecordFormat small_format = {
	.camera = {320, 240, 25},
	.program_width = 320,
	.program_height = 240,
	.camera_kbps = 300,
	.program_kbps = 300,
	.audio_kbps = 64,
	.segment_seconds = 10,
	.fragment_ms = 500,
	.keyframe_seconds = 1,
	.x264_preset = "ultrafast",
};

#define VIDEO_CONSUMER                                                                             \
	"intervideosrc channel=%s ! videoconvert ! video/x-raw,format=GRAY8 ! "                    \
	"fakesink name=out sync=false"

static void
test_inter_channels(void)
{
	g_autofree char *dir = g_dir_make_tmp("cav-inter-XXXXXX", NULL);
	g_autoptr(GPtrArray) sources =
		g_ptr_array_new_with_free_func((GDestroyNotify)cav_source_spec_free);
	g_autoptr(GError) error = NULL;
	g_autofree char *program_desc = g_strdup_printf(VIDEO_CONSUMER, "cav.program");
	g_autofree char *camera_desc = g_strdup_printf(VIDEO_CONSUMER, "cav.cam1");
	Counter program = {0}, camera = {0}, mix = {.audio = TRUE};
	GstElement *consumers[3];
	Run run = {0};
	CavRecorder *rec;
	CavTestProbe probe;
	double total = 0;

	g_ptr_array_add(sources, cav_source_spec_new("cam1", CAV_MEDIA_VIDEO, "test"));
	g_ptr_array_add(sources, cav_source_spec_new("cam2", CAV_MEDIA_VIDEO, "test"));
	g_ptr_array_add(sources, cav_source_spec_new("mic1", CAV_MEDIA_AUDIO, "test"));
	CavRecorderPlan plan = {
		.format = &small_format,
		.sources = sources,
		.media_dir = dir,
		.name_prefix = "inter",
		.layout = "auto",
	};
	run.loop = g_main_loop_new(NULL, FALSE);
	run.closed = g_ptr_array_new_with_free_func(g_free);
	rec = cav_recorder_new(&plan, &callbacks, &run, &error);
	g_assert_no_error(error);
	g_assert_true(cav_recorder_start(rec, &error));
	g_assert_no_error(error);

	consumers[0] = consumer_new(program_desc, &program);
	consumers[1] = consumer_new(camera_desc, &camera);
	consumers[2] = consumer_new("interaudiosrc channel=cav.mix ! audioconvert ! "
				    "audio/x-raw,format=S16LE ! fakesink name=out sync=false",
				    &mix);
	for (guint i = 0; i < G_N_ELEMENTS(consumers); i++)
		g_assert_cmpint(gst_element_set_state(consumers[i], GST_STATE_PLAYING), !=,
				GST_STATE_CHANGE_FAILURE);
	run_for(2500);
	g_test_message("program %d/%d lit, cam1 %d/%d, mix %d/%d",
		       g_atomic_int_get(&program.lit_frames), g_atomic_int_get(&program.frames),
		       g_atomic_int_get(&camera.lit_frames), g_atomic_int_get(&camera.frames),
		       g_atomic_int_get(&mix.lit_frames), g_atomic_int_get(&mix.frames));
	g_assert_cmpint(g_atomic_int_get(&program.lit_frames), >=, 10);
	g_assert_cmpint(g_atomic_int_get(&camera.lit_frames), >=, 10);
	g_assert_cmpint(g_atomic_int_get(&mix.lit_frames), >=, 5);

	/* A consumer that stops reading must not hold up the recording. */
	gst_element_set_state(consumers[0], GST_STATE_PAUSED);
	run_for(2000);
	cav_recorder_stop(rec, 5000);
	g_main_loop_run(run.loop);
	g_assert_cmpuint(run.stopped, ==, 1);
	g_assert_cmpuint(run.failed, ==, 0);
	for (guint i = 0; i < G_N_ELEMENTS(consumers); i++) {
		gst_element_set_state(consumers[i], GST_STATE_NULL);
		gst_object_unref(consumers[i]);
	}

	/* The program track covers the whole run (about 4.5 s). */
	for (guint i = 0; i < run.closed->len; i++) {
		g_assert_true(cav_test_probe_file(run.closed->pdata[i], &probe, &error));
		total += probe.duration;
		cav_test_probe_clear(&probe);
	}
	g_assert_cmpfloat(total, >, 3.5);
	cav_recorder_free(rec);
	g_main_loop_unref(run.loop);
	g_ptr_array_unref(run.closed);
	cav_test_rm_rf(dir);
}

int
main(int argc, char **argv)
{
	gst_init(&argc, &argv);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/inter/channels", test_inter_channels);
	return g_test_run();
}
