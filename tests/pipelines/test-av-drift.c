/* test-av-drift.c — the audio clock lock (pipelines/audio-in.c) over a long
 * hearing, with a capture card whose clock runs 100 ppm off the video's.
 *
 * Non-live, faster than real time. A probe plays the capture card: it
 * writes into each sample its own index j (mod 65535, plus one), and stamps buffers
 * with the pipeline-clock time of their capture, j / (48000 × (1 + ppm)) —
 * what a live source slaved to the pipeline clock reports while its
 * crystal delivers 48004.8 samples a second. (Index 0 is never written:
 * audiorate's inserted silence is recognisable.) After the chain under test, a
 * second probe reads sample k back: a player plays it at k / 48000 after the
 * start, its sound was captured at j / (48000 × (1 + ppm)), so the A/V
 * offset at that point (BT.1359 sign: positive = sound early) is the
 * difference. The index is unwrapped incrementally, which works for any
 * drift rate below 32768 samples a buffer.
 *
 *  /av-drift/locked-8h:   8 simulated hours (CAV_DRIFT_HOURS overrides)
 *                         at +100 ppm, and 2 at −100 ppm, through the
 *                         recorder's microphone chain: |offset| stays
 *                         under 1 ms.
 *  /av-drift/unlocked:    the same card without the lock drifts by the
 *                         full 100 ppm (−360 ms per simulated hour),
 *                         so the measurement above would have seen it.
 *  /av-drift/files:       5 simulated minutes of audio and video
 *                         through the mixer, AAC and 30 s fMP4 segments;
 *                         av-offset.c measured on each file: within an
 *                         AAC frame with the lock, −3 ms per 30 s file
 *                         without (100 ppm of 30 s), as theory says.
 */
#include "pipelines/audio-in.h"
#include "pipelines/av-offset.h"
#include "pipelines/encode.h"
#include "pipelines/track-sink.h"
#include "media-check.h"

#include <math.h>
#include <string.h>

#define RATE 48000
#define SPB 4800  /* samples per buffer: 100 ms */
#define MOD 65535 /* sample j holds j % MOD + 1: never 0, which marks inserted silence */

typedef struct {
	double ppm;
	guint64 in;      /* samples written by the card */
	guint64 out;     /* samples read after the chain */
	gint64 delta;    /* j - k of the last sample read */
	double worst_ms; /* largest |offset| seen */
	double last_ms;
} Drift;

static GstPadProbeReturn
on_card(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	Drift *d = data;
	GstBuffer *buf = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
	GstMapInfo map;
	gsize n;
	gint16 *s;
	double rate = RATE * (1.0 + d->ppm * 1e-6);

	gst_buffer_map(buf, &map, GST_MAP_WRITE);
	n = map.size / 2;
	s = (gint16 *)map.data;
	for (gsize i = 0; i < n; i++)
		s[i] = (gint16)(guint16)((d->in + i) % MOD + 1);
	gst_buffer_unmap(buf, &map);
	GST_BUFFER_PTS(buf) = (GstClockTime)llround((double)d->in * GST_SECOND / rate);
	GST_BUFFER_DURATION(buf) = (GstClockTime)llround((double)n * GST_SECOND / rate);
	GST_BUFFER_OFFSET(buf) = GST_BUFFER_OFFSET_NONE;
	GST_BUFFER_OFFSET_END(buf) = GST_BUFFER_OFFSET_NONE;
	d->in += n;
	GST_PAD_PROBE_INFO_DATA(info) = buf;
	return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_played(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	Drift *d = data;
	GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
	double rate = RATE * (1.0 + d->ppm * 1e-6);
	GstMapInfo map;
	const gint16 *s;
	gsize n;

	gst_buffer_map(buf, &map, GST_MAP_READ);
	n = map.size / 2;
	s = (const gint16 *)map.data;
	for (gsize i = 0; i < n; i++, d->out++) {
		gint64 v = (guint16)s[i], want, diff;

		if (v == 0) /* silence inserted by the lock: no captured sample */
			continue;
		want = (gint64)((d->out + (guint64)d->delta) % MOD) + 1;
		diff = ((v - want) % MOD + MOD) % MOD;
		d->delta += diff > MOD / 2 ? diff - MOD : diff;
	}
	gst_buffer_unmap(buf, &map);
	/* The last sample of this buffer: captured at j / rate, played at k / RATE. */
	d->last_ms = ((double)(d->out - 1 + d->delta) / rate - (double)(d->out - 1) / RATE) * 1000;
	d->worst_ms = MAX(d->worst_ms, fabs(d->last_ms));
	return GST_PAD_PROBE_OK;
}

static GstBusSyncReply
drop_messages(GstBus *bus, GstMessage *msg, gpointer data)
{
	/* 10 level messages per simulated second: nobody reads them here. */
	return GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ELEMENT ? GST_BUS_DROP : GST_BUS_PASS;
}

static void
run_to_eos(GstElement *pipeline, guint timeout_s)
{
	g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
	g_autoptr(GstMessage) msg = NULL;

	gst_bus_set_sync_handler(bus, drop_messages, NULL, NULL);
	g_assert_cmpint(gst_element_set_state(pipeline, GST_STATE_PLAYING), !=,
			GST_STATE_CHANGE_FAILURE);
	msg = gst_bus_timed_pop_filtered(bus, (GstClockTime)timeout_s * GST_SECOND,
					 GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
	if (msg == NULL)
		g_error("no EOS within %u s", timeout_s);
	if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
		g_autoptr(GError) err = NULL;
		g_autofree char *dbg = NULL;

		gst_message_parse_error(msg, &err, &dbg);
		g_error("%s: %s (%s)", GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), err->message, dbg);
	}
	gst_element_set_state(pipeline, GST_STATE_NULL);
}

/* audiotestsrc (the card) ─ [microphone chain] ─ fakesink, @seconds long. */
static void
simulate(Drift *d, guint64 seconds, gboolean locked)
{
	g_autoptr(GstElement) pipeline = gst_object_ref_sink(gst_pipeline_new(NULL));
	g_autoptr(CavSourceSpec) spec = cav_source_spec_new("m1", CAV_MEDIA_AUDIO, "test");
	g_autoptr(GstCaps) caps = gst_caps_from_string(
		"audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=1");
	g_autoptr(GError) error = NULL;
	g_autoptr(GstPad) card = NULL;
	g_autoptr(GstPad) played = NULL;
	GstElement *src = gst_element_factory_make("audiotestsrc", NULL);
	GstElement *filter = gst_element_factory_make("capsfilter", NULL);
	GstElement *sink = gst_element_factory_make("fakesink", NULL);
	GstElement *chain = NULL;

	g_object_set(src, "is-live", FALSE, "samplesperbuffer", SPB, "num-buffers",
		     (int)(seconds * RATE / SPB), NULL);
	g_object_set(filter, "caps", caps, NULL);
	g_object_set(sink, "sync", FALSE, NULL);
	gst_bin_add_many(GST_BIN(pipeline), src, filter, sink, NULL);
	g_assert_true(gst_element_link(src, filter));
	if (locked) {
		chain = cav_audio_in_new(spec, 1, &error);
		g_assert_no_error(error);
		gst_bin_add(GST_BIN(pipeline), chain);
		g_assert_true(gst_element_link_pads(filter, "src", chain, "sink"));
		g_assert_true(gst_element_link_pads(chain, "src_0", sink, "sink"));
	} else {
		g_assert_true(gst_element_link(filter, sink));
	}
	card = gst_element_get_static_pad(filter, "src");
	gst_pad_add_probe(card, GST_PAD_PROBE_TYPE_BUFFER, on_card, d, NULL);
	played = gst_element_get_static_pad(sink, "sink");
	gst_pad_add_probe(played, GST_PAD_PROBE_TYPE_BUFFER, on_played, d, NULL);
	run_to_eos(pipeline, 900);
}

static guint64
simulated_seconds(void)
{
	const char *hours = g_getenv("CAV_DRIFT_HOURS");
	double h = hours ? g_ascii_strtod(hours, NULL) : 8.0;

	return (guint64)(MAX(h, 0.01) * 3600);
}

static void
test_locked(void)
{
	static const double ppms[] = {100.0, -100.0};

	for (guint i = 0; i < G_N_ELEMENTS(ppms); i++) {
		/* The slow card inserts silence rather than dropping samples; a
		 * quarter of the time shows it as well and keeps the suite short. */
		guint64 seconds = simulated_seconds() / (i == 0 ? 1 : 4);
		Drift d = {.ppm = ppms[i]};
		g_autoptr(GTimer) timer = g_timer_new();

		simulate(&d, seconds, TRUE);
		g_test_message("%+.0f ppm, %.2f h simulated in %.1f s: worst |offset| %.3f ms, "
			       "final %.3f ms, %" G_GUINT64_FORMAT " samples in, %" G_GUINT64_FORMAT
			       " out",
			       ppms[i], seconds / 3600.0, g_timer_elapsed(timer, NULL), d.worst_ms,
			       d.last_ms, d.in, d.out);
		g_assert_cmpuint(d.in, ==, seconds * RATE);
		/* The sample count follows the clock: seconds × 48000 ± the drift. */
		g_assert_cmpfloat(
			fabs((double)d.out - (double)seconds * RATE / (1 + ppms[i] * 1e-6)), <,
			2.0 * RATE / 1000);
		g_assert_cmpfloat(d.worst_ms, <, 1.0);
	}
}

static void
test_unlocked(void)
{
	/* One simulated hour is enough to see it. */
	Drift d = {.ppm = 100.0};

	simulate(&d, 3600, FALSE);
	g_test_message("unlocked, +100 ppm, 1 h: final offset %.1f ms", d.last_ms);
	g_assert_cmpfloat(fabs(d.last_ms - (-360.0)), <, 1.0);
	g_assert_false(cav_av_offset_acceptable(d.last_ms));
}

/* ---- files ------------------------------------------------------------- */

static void
record_files(const char *dir, gboolean locked, guint seconds)
{
	g_autoptr(GstElement) pipeline = gst_object_ref_sink(gst_pipeline_new(NULL));
	g_autoptr(CavSourceSpec) spec = cav_source_spec_new("m1", CAV_MEDIA_AUDIO, "test");
	g_autoptr(GstCaps) acaps = gst_caps_from_string(
		"audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=1");
	g_autoptr(GstCaps) vcaps =
		gst_caps_from_string("video/x-raw,format=I420,width=64,height=48,framerate=25/1");
	g_autoptr(GError) error = NULL;
	g_autoptr(GstPad) card = NULL;
	static CavWallClock clock = {0};
	CavTrackSinkConfig cfg = {dir, "drift", 1, 30, 1000, &clock};
	g_autoptr(CavTrackSink) track = NULL;
	Drift d = {.ppm = 100.0};
	GstElement *asrc = gst_element_factory_make("audiotestsrc", NULL);
	GstElement *afilter = gst_element_factory_make("capsfilter", NULL);
	GstElement *vsrc = gst_element_factory_make("videotestsrc", NULL);
	GstElement *vfilter = gst_element_factory_make("capsfilter", NULL);
	GstElement *venc = cav_encode_h264_new("venc", 25, 100, 1, "ultrafast", &error);
	GstElement *vq = gst_element_factory_make("queue", NULL);
	GstElement *aq = gst_element_factory_make("queue", NULL);
	GstElement *audio, *last;

	g_assert_no_error(error);
	g_object_set(asrc, "is-live", FALSE, "samplesperbuffer", 1024, "num-buffers",
		     (int)((guint64)seconds * RATE / 1024), NULL);
	g_object_set(vsrc, "is-live", FALSE, "num-buffers", (int)(seconds * 25), NULL);
	g_object_set(afilter, "caps", acaps, NULL);
	g_object_set(vfilter, "caps", vcaps, NULL);
	gst_bin_add_many(GST_BIN(pipeline), asrc, afilter, vsrc, vfilter, venc, vq, aq, NULL);
	g_assert_true(gst_element_link_many(asrc, afilter, NULL));
	g_assert_true(gst_element_link_many(vsrc, vfilter, venc, vq, NULL));
	track = cav_track_sink_new(GST_BIN(pipeline), "mix", &cfg, &error);
	g_assert_no_error(error);
	if (locked) {
		/* The recorder's path: microphone chain, mixer, AAC. */
		GstElement *in = cav_audio_in_new(spec, 1, &error);

		g_assert_no_error(error);
		audio = cav_audio_role_mix_new("x", 1, 64, &error);
		g_assert_no_error(error);
		gst_bin_add_many(GST_BIN(pipeline), in, audio, NULL);
		g_assert_true(gst_element_link_pads(afilter, "src", in, "sink"));
		g_assert_true(gst_element_link_pads(in, "src_0", audio, "sink_0"));
		last = audio;
	} else {
		audio = cav_encode_aac_new("aenc", 64, &error);
		g_assert_no_error(error);
		gst_bin_add(GST_BIN(pipeline), audio);
		g_assert_true(gst_element_link(afilter, audio));
		last = audio;
	}
	g_assert_true(gst_element_link(last, aq));
	g_assert_true(cav_track_sink_link_video(track, vq, &error));
	g_assert_true(cav_track_sink_link_audio(track, aq, &error));
	card = gst_element_get_static_pad(afilter, "src");
	gst_pad_add_probe(card, GST_PAD_PROBE_TYPE_BUFFER, on_card, &d, NULL);
	run_to_eos(pipeline, 600);
}

/* Scans every file of @dir/mix; returns the offsets in file order. */
static GArray *
measure(const char *dir)
{
	g_autofree char *tdir = g_build_filename(dir, "mix", NULL);
	g_autoptr(GDir) gdir = g_dir_open(tdir, 0, NULL);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	GArray *offsets = g_array_new(FALSE, FALSE, sizeof(double));
	const char *name;

	g_assert_nonnull(gdir);
	while ((name = g_dir_read_name(gdir)) != NULL)
		g_ptr_array_add(names, g_build_filename(tdir, name, NULL));
	g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
	for (guint i = 0; i < names->len; i++) {
		g_autoptr(GError) error = NULL;
		CavMp4Info info;
		double ms;
		guint64 dropped = 99;

		g_assert_true(cav_mp4_scan_file(names->pdata[i], &info, &error));
		g_assert_true(cav_av_offset_ms(&info, &ms));
		g_assert_true(cav_av_dropped_frames(&info, 25, &dropped));
		g_assert_cmpuint(dropped, ==, 0);
		g_array_append_val(offsets, ms);
	}
	return offsets;
}

static void
test_files(void)
{
	g_autofree char *dir = g_dir_make_tmp("cav-drift-XXXXXX", NULL);
	g_autofree char *locked = g_build_filename(dir, "locked", NULL);
	g_autofree char *unlocked = g_build_filename(dir, "unlocked", NULL);
	g_autoptr(GArray) a = NULL;
	g_autoptr(GArray) b = NULL;

	record_files(locked, TRUE, 300);
	record_files(unlocked, FALSE, 300);
	a = measure(locked);
	b = measure(unlocked);
	g_assert_cmpuint(a->len, >=, 9);
	g_assert_cmpuint(b->len, >=, 9);
	for (guint i = 0; i < a->len; i++) {
		double ms = g_array_index(a, double, i);

		g_test_message("locked file %u: %+.2f ms", i + 1, ms);
		/* Within one AAC frame (21.3 ms). */
		g_assert_cmpfloat(fabs(ms), <, 1000.0 * CAV_AAC_FRAME_SAMPLES / RATE);
		g_assert_true(cav_av_offset_acceptable(ms));
	}
	/* Unlocked: every full 30 s file shows the card's 100 ppm (−3 ms). */
	for (guint i = 0; i + 1 < b->len; i++) {
		double ms = g_array_index(b, double, i);

		g_test_message("unlocked file %u: %+.2f ms", i + 1, ms);
		g_assert_cmpfloat(ms, <, -3.0 + 0.5);
		g_assert_cmpfloat(ms, >, -3.0 - 0.5);
	}
	cav_test_rm_rf(dir);
}

int
main(int argc, char **argv)
{
	gst_init(&argc, &argv);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/av-drift/locked-8h", test_locked);
	g_test_add_func("/av-drift/unlocked", test_unlocked);
	g_test_add_func("/av-drift/files", test_files);
	return g_test_run();
}
