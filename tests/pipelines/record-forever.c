/* record-forever.c — runs one CavRecorder on test sources until told to stop.
 *
 * A child process for the tests that must kill or starve a recorder
 * (kill -9, disk full) and the driver of bench/record-cpu.sh. It prints one
 * line per recorder event on stdout, flushed at once so a SIGKILL loses none:
 *   opened <track> <seq> <running_start_ns> <wall_start_us> <path>
 *   closed <track> <seq> <running_start_ns> <running_end_ns> <wall_start_us> <wall_end_us> <path>
 *   health <source> <lost|ok> <since_us> <reason>
 *   stopped
 *   failed <NO_SPACE|RUNTIME> <message>
 * and exits 0 after stopped, 2 after a NO_SPACE failure, 3 after any other
 * failure, 1 when the recorder could not be built or started.
 *
 * It stops (draining, like the appliance) after --seconds, or on SIGINT or
 * SIGTERM. Main thread only: the recorder's callbacks come from its main loop.
 */
#include "pipelines/recorder.h"

#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	GMainLoop *loop;  /* unowned */
	CavRecorder *rec; /* unowned */
	guint drain_ms;
	int exit_code;
} Run;

static void
on_opened(CavRecorder *rec, const CavSegmentEvent *ev, gpointer data)
{
	printf("opened %s %u %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT " %s\n", ev->track, ev->seq,
	       (guint64)ev->running_start, ev->wall_start_us, ev->path);
	fflush(stdout);
}

static void
on_closed(CavRecorder *rec, const CavSegmentEvent *ev, gpointer data)
{
	printf("closed %s %u %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT
	       " %" G_GINT64_FORMAT " %s\n",
	       ev->track, ev->seq, (guint64)ev->running_start, (guint64)ev->running_end,
	       ev->wall_start_us, ev->wall_end_us, ev->path);
	fflush(stdout);
}

static void
on_stopped(CavRecorder *rec, gpointer data)
{
	Run *run = data;

	printf("stopped\n");
	fflush(stdout);
	run->exit_code = 0;
	g_main_loop_quit(run->loop);
}

static void
on_failed(CavRecorder *rec, const GError *error, gpointer data)
{
	Run *run = data;
	gboolean no_space = g_error_matches(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_NO_SPACE);

	printf("failed %s %s\n", no_space ? "NO_SPACE" : "RUNTIME", error->message);
	fflush(stdout);
	run->exit_code = no_space ? 2 : 3;
	g_main_loop_quit(run->loop);
}

static void
on_health(CavRecorder *rec, const CavSourceHealth *h, gpointer data)
{
	printf("health %s %s %" G_GINT64_FORMAT " %s\n", h->id, h->ok ? "ok" : "lost", h->since_us,
	       h->reason ? h->reason : "");
	fflush(stdout);
}

static gboolean
on_stop_request(gpointer data)
{
	Run *run = data;

	cav_recorder_stop(run->rec, run->drain_ms);
	return G_SOURCE_CONTINUE;
}

/* Options, with the test suite's small defaults. */
static char *opt_dir;
static char *opt_prefix = "test";
static char *opt_layout = "auto";
static char *opt_preset = "veryfast";
static char *opt_overlay = "courtav test";
static double opt_seconds;
static int opt_cameras = 2, opt_mics = 2;
static int opt_width = 320, opt_height = 240, opt_fps = 25;
static int opt_program_width, opt_program_height;
static int opt_camera_kbps = 500, opt_program_kbps = 600, opt_audio_kbps = 64;
static int opt_segment = 2, opt_fragment_ms = 500, opt_keyframe = 1;
static int opt_first_seq = 1, opt_drain_ms = 5000;

static char **opt_extra; /* "KIND:ID:BACKEND[:key=value,...]" */

static CavSourceSpec *parse_extra(const char *text);

static const GOptionEntry entries[] = {
	{"dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_dir, "Media folder (required)", "DIR"},
	{"seconds", 0, 0, G_OPTION_ARG_DOUBLE, &opt_seconds, "Stop after this long (0: never)",
	 "S"},
	{"cameras", 0, 0, G_OPTION_ARG_INT, &opt_cameras, "Test cameras", "N"},
	{"mics", 0, 0, G_OPTION_ARG_INT, &opt_mics, "Test microphones", "N"},
	{"width", 0, 0, G_OPTION_ARG_INT, &opt_width, "Camera width", "PX"},
	{"height", 0, 0, G_OPTION_ARG_INT, &opt_height, "Camera height", "PX"},
	{"fps", 0, 0, G_OPTION_ARG_INT, &opt_fps, "Frame rate", "N"},
	{"program-width", 0, 0, G_OPTION_ARG_INT, &opt_program_width, "Program width", "PX"},
	{"program-height", 0, 0, G_OPTION_ARG_INT, &opt_program_height, "Program height", "PX"},
	{"camera-kbps", 0, 0, G_OPTION_ARG_INT, &opt_camera_kbps, "Camera bitrate", "K"},
	{"program-kbps", 0, 0, G_OPTION_ARG_INT, &opt_program_kbps, "Program bitrate", "K"},
	{"audio-kbps", 0, 0, G_OPTION_ARG_INT, &opt_audio_kbps, "Audio bitrate", "K"},
	{"segment", 0, 0, G_OPTION_ARG_INT, &opt_segment, "Segment length", "S"},
	{"fragment-ms", 0, 0, G_OPTION_ARG_INT, &opt_fragment_ms, "Fragment length", "MS"},
	{"keyframe", 0, 0, G_OPTION_ARG_INT, &opt_keyframe, "GOP length", "S"},
	{"preset", 0, 0, G_OPTION_ARG_STRING, &opt_preset, "x264 speed preset", "NAME"},
	{"layout", 0, 0, G_OPTION_ARG_STRING, &opt_layout, "Program layout", "NAME"},
	{"prefix", 0, 0, G_OPTION_ARG_STRING, &opt_prefix, "File name prefix", "TEXT"},
	{"overlay", 0, 0, G_OPTION_ARG_STRING, &opt_overlay, "Program caption", "TEXT"},
	{"first-seq", 0, 0, G_OPTION_ARG_INT, &opt_first_seq, "First seq of every track", "N"},
	{"drain-ms", 0, 0, G_OPTION_ARG_INT, &opt_drain_ms, "Stop timeout", "MS"},
	{"source", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_extra,
	 "Another source (repeatable): camera|microphone:ID:BACKEND[:key=value,...]", "SPEC"},
	G_OPTION_ENTRY_NULL};

static GPtrArray *
make_sources(void)
{
	GPtrArray *sources = g_ptr_array_new_with_free_func((GDestroyNotify)cav_source_spec_free);

	for (int i = 1; i <= opt_cameras; i++) {
		g_autofree char *id = g_strdup_printf("cam%d", i);
		CavSourceSpec *spec = cav_source_spec_new(id, CAV_MEDIA_VIDEO, "test");

		spec->label = g_strdup_printf("Camera %d", i);
		g_ptr_array_add(sources, spec);
	}
	for (int i = 1; i <= opt_mics; i++) {
		g_autofree char *id = g_strdup_printf("mic%d", i);
		CavSourceSpec *spec = cav_source_spec_new(id, CAV_MEDIA_AUDIO, "test");

		g_hash_table_insert(spec->params, g_strdup("freq"), g_strdup_printf("%d", 220 * i));
		g_ptr_array_add(sources, spec);
	}
	for (guint i = 0; opt_extra != NULL && opt_extra[i] != NULL; i++) {
		CavSourceSpec *spec = parse_extra(opt_extra[i]);

		if (spec == NULL) {
			g_ptr_array_unref(sources);
			return NULL;
		}
		/* Cameras before microphones, as a config orders them. */
		if (spec->kind == CAV_MEDIA_VIDEO)
			g_ptr_array_insert(sources, opt_cameras, spec);
		else
			g_ptr_array_add(sources, spec);
	}
	return sources;
}

/* "camera:cam5:rtsp:url=rtsp://…,transport=tcp" → a spec, or NULL. A value
 * may contain commas as long as no piece after them has an '='. */
static CavSourceSpec *
parse_extra(const char *text)
{
	g_auto(GStrv) parts = g_strsplit(text, ":", 4);
	g_auto(GStrv) pairs = NULL;
	g_autoptr(GError) error = NULL;
	CavSourceSpec *spec;

	if (g_strv_length(parts) < 3 ||
	    (g_strcmp0(parts[0], "camera") != 0 && g_strcmp0(parts[0], "microphone") != 0)) {
		fprintf(stderr, "record-forever: bad --source %s\n", text);
		return NULL;
	}
	spec = cav_source_spec_new(
		parts[1], g_str_equal(parts[0], "camera") ? CAV_MEDIA_VIDEO : CAV_MEDIA_AUDIO,
		parts[2]);
	pairs = parts[3] ? g_strsplit(parts[3], ",", -1) : g_new0(char *, 1);
	for (guint i = 0; pairs[i] != NULL; i++) {
		char *eq = strchr(pairs[i], '=');
		GString *value;
		char *key;

		if (eq == NULL) {
			fprintf(stderr, "record-forever: --source %s: \"%s\" is not key=value\n",
				text, pairs[i]);
			cav_source_spec_free(spec);
			return NULL;
		}
		*eq = '\0';
		key = pairs[i];
		/* A value may hold commas (hw:Loopback,1,0): pieces without '='
		 * belong to the value before them. */
		value = g_string_new(eq + 1);
		while (pairs[i + 1] != NULL && strchr(pairs[i + 1], '=') == NULL)
			g_string_append_printf(value, ",%s", pairs[++i]);
		if (g_str_equal(key, "role"))
			spec->role = g_string_free(value, FALSE);
		else if (g_str_equal(key, "label"))
			spec->label = g_string_free(value, FALSE);
		else
			g_hash_table_insert(spec->params, g_strdup(key),
					    g_string_free(value, FALSE));
	}
	if (!cav_source_validate(spec, &error)) {
		fprintf(stderr, "record-forever: %s\n", error->message);
		cav_source_spec_free(spec);
		return NULL;
	}
	return spec;
}

static GHashTable *
make_first_seq(void)
{
	GHashTable *first = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	gpointer seq = GUINT_TO_POINTER((guint)opt_first_seq);

	for (int i = 1; i <= opt_cameras; i++)
		g_hash_table_insert(first, g_strdup_printf("cam%d", i), seq);
	g_hash_table_insert(first, g_strdup(CAV_TRACK_PROGRAM), seq);
	g_hash_table_insert(first, g_strdup(CAV_TRACK_AUDIO), seq);
	return first;
}

static int
record(Run *run, const CavRecorderPlan *plan)
{
	static const CavRecorderCallbacks callbacks = {
		.segment_opened = on_opened,
		.segment_closed = on_closed,
		.stopped = on_stopped,
		.failed = on_failed,
		.source_health = on_health,
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(CavRecorder) rec = cav_recorder_new(plan, &callbacks, run, &error);

	if (rec == NULL || !cav_recorder_start(rec, &error)) {
		fprintf(stderr, "record-forever: %s\n", error->message);
		return 1;
	}
	run->rec = rec;
	g_unix_signal_add(SIGINT, on_stop_request, run);
	g_unix_signal_add(SIGTERM, on_stop_request, run);
	if (opt_seconds > 0)
		g_timeout_add((guint)(opt_seconds * 1000), on_stop_request, run);
	g_main_loop_run(run->loop);
	return run->exit_code;
}

int
main(int argc, char **argv)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new("- record test sources");
	g_autoptr(GError) error = NULL;
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	g_autoptr(GPtrArray) sources = NULL;
	g_autoptr(GHashTable) first_seq = NULL;
	g_autofree char *dir = NULL;
	Run run = {.loop = loop, .exit_code = 1};

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_add_group(ctx, gst_init_get_option_group());
	if (!g_option_context_parse(ctx, &argc, &argv, &error) || opt_dir == NULL) {
		fprintf(stderr, "record-forever: %s\n",
			error ? error->message : "--dir is required");
		return 1;
	}
	dir = g_canonicalize_filename(opt_dir, NULL);
	run.drain_ms = (guint)opt_drain_ms;
	sources = make_sources();
	if (sources == NULL)
		return 1;
	first_seq = make_first_seq();

	CavRecordFormat format = {
		.camera = {(guint)opt_width, (guint)opt_height, (guint)opt_fps},
		.program_width = (guint)(opt_program_width ? opt_program_width : opt_width),
		.program_height = (guint)(opt_program_height ? opt_program_height : opt_height),
		.camera_kbps = (guint)opt_camera_kbps,
		.program_kbps = (guint)opt_program_kbps,
		.audio_kbps = (guint)opt_audio_kbps,
		.segment_seconds = (guint)opt_segment,
		.fragment_ms = (guint)opt_fragment_ms,
		.keyframe_seconds = (guint)opt_keyframe,
		.x264_preset = opt_preset,
	};
	CavRecorderPlan plan = {
		.format = &format,
		.sources = sources,
		.media_dir = dir,
		.name_prefix = opt_prefix,
		.first_seq = first_seq,
		.layout = opt_layout,
		.overlay_text = opt_overlay,
	};
	return record(&run, &plan);
}
