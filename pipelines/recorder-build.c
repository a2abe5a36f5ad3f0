/* recorder-build.c — checks a recording plan and assembles its pipeline.
 *
 *   camera ─ tee ─┬─ queue ─ h264 ─ splitmuxsink <camera id>
 *                 ├─ leaky queue ─ intervideosink cav.<camera id>   (inter.h)
 *                 └─ program bin (queue, scale, compositor, clock) ─ tee
 *                        ├─ queue ─ h264 ─ splitmuxsink "program"
 *                        └─ leaky queue ─ intervideosink cav.program
 *   mic ─ audio-in bin (audiorate, level, tee) ─┐  (one per microphone, audio-in.h)
 *   mic ─ audio-in bin ─────────────────────────┴─ audio-mix bin (audiomixer ─ [leaky tap cav.mix], AAC) ─ tee
 *                        ├─ queue ─ splitmuxsink "audio"
 *                        └─ queue ─ audio_0 of every video splitmuxsink
 *   audio-in bins of one role ─ role mix bin (audiomixer, AAC) ─ queue ─ splitmuxsink "audio-<role>"
 *
 * Every tee branch starts with a bounded, non-leaky queue (CAV_QUEUE_*), so
 * each encoder and each file writer runs on its own thread and a slow branch
 * holds up the others only once its queue is full.
 *
 * Main thread only. Everything built belongs to rec->pipeline / rec->tracks.
 */
#include "audio-in.h"
#include "audio-mix.h"
#include "encode.h"
#include "inter.h"
#include "levels.h"
#include "program.h"
#include "recorder-sources.h"
#include "track-sink.h"

#include <string.h>

#define DEFAULT_SEGMENT_SECONDS 300
#define DEFAULT_FRAGMENT_MS 1000
#define DEFAULT_KEYFRAME_SECONDS 1
#define DEFAULT_X264_PRESET "veryfast"
#define MAX_DIMENSION 4096
#define MAX_FPS 60

typedef struct {
	const CavRecorderPlan *plan;
	CavRecordFormat format; /* the plan's, with defaults filled in */
	GPtrArray *cameras;     /* of CavSourceSpec (unowned specs) */
	GPtrArray *mics;        /* of CavSourceSpec (unowned specs) */
	CavTrackSink *program;  /* unowned: rec->tracks owns it */
	CavTrackSink *audio;    /* unowned: rec->tracks owns it */
} Build;

static void
build_clear(Build *b)
{
	g_clear_pointer(&b->cameras, g_ptr_array_unref);
	g_clear_pointer(&b->mics, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Build, build_clear)

static gboolean
bad_plan(GError **error, const char *what)
{
	g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD,
		    "Invalid recording plan: %s", what);
	return FALSE;
}

static gboolean
video_size_ok(guint width, guint height)
{
	return width >= 16 && height >= 16 && width <= MAX_DIMENSION && height <= MAX_DIMENSION &&
	       width % 2 == 0 && height % 2 == 0;
}

/* Zero means "default" for the timing fields and NULL for the preset. */
static gboolean
resolve_format(const CavRecordFormat *in, gboolean video, gboolean audio, CavRecordFormat *out,
	       GError **error)
{
	*out = *in;
	if (out->segment_seconds == 0)
		out->segment_seconds = DEFAULT_SEGMENT_SECONDS;
	if (out->fragment_ms == 0)
		out->fragment_ms = DEFAULT_FRAGMENT_MS;
	if (out->keyframe_seconds == 0)
		out->keyframe_seconds = DEFAULT_KEYFRAME_SECONDS;
	if (out->x264_preset == NULL)
		out->x264_preset = DEFAULT_X264_PRESET;

	if (out->fragment_ms > 1000)
		return bad_plan(error, "fragment_ms must be at most 1000");
	if (out->keyframe_seconds > out->segment_seconds)
		return bad_plan(error, "keyframe_seconds must not exceed segment_seconds");
	if (video && !video_size_ok(out->camera.width, out->camera.height))
		return bad_plan(error, "camera size must be even, 16 to 4096 pixels");
	if (video && !video_size_ok(out->program_width, out->program_height))
		return bad_plan(error, "program size must be even, 16 to 4096 pixels");
	if (video && (out->camera.fps == 0 || out->camera.fps > MAX_FPS))
		return bad_plan(error, "camera fps must be 1 to 60");
	if (video && (out->camera_kbps == 0 || out->program_kbps == 0))
		return bad_plan(error, "camera_kbps and program_kbps must be set");
	if (audio && out->audio_kbps == 0)
		return bad_plan(error, "audio_kbps must be set");
	return TRUE;
}

static gboolean
check_names(const CavRecorderPlan *plan, GError **error)
{
	if (plan->media_dir == NULL || !g_path_is_absolute(plan->media_dir))
		return bad_plan(error, "media_dir must be an absolute path");
	if (plan->name_prefix == NULL || plan->name_prefix[0] == '\0' ||
	    strchr(plan->name_prefix, '/') != NULL || strcmp(plan->name_prefix, ".") == 0 ||
	    strcmp(plan->name_prefix, "..") == 0)
		return bad_plan(error, "name_prefix must be a non-empty file name without '/'");
	return TRUE;
}

/* Validates every source, rejects duplicate ids and sorts them by kind. */
static gboolean
check_sources(Build *b, GError **error)
{
	const GPtrArray *sources = b->plan->sources;
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

	if (sources == NULL || sources->len == 0)
		return bad_plan(error, "no cameras and no microphones");
	b->cameras = g_ptr_array_new();
	b->mics = g_ptr_array_new();
	for (guint i = 0; i < sources->len; i++) {
		const CavSourceSpec *spec = g_ptr_array_index(sources, i);
		g_autoptr(GError) local = NULL;

		if (!cav_source_validate(spec, &local)) {
			g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD, "%s",
				    local->message);
			return FALSE;
		}
		if (!g_hash_table_add(seen, spec->id)) {
			g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD,
				    "Source \"%s\" appears twice in the plan", spec->id);
			return FALSE;
		}
		g_ptr_array_add(spec->kind == CAV_MEDIA_VIDEO ? b->cameras : b->mics,
				(gpointer)spec);
	}
	return TRUE;
}

static CavTrackSink *
add_track(CavRecorder *rec, const Build *b, const char *name, GError **error)
{
	gpointer first = b->plan->first_seq ? g_hash_table_lookup(b->plan->first_seq, name) : NULL;
	CavTrackSinkConfig cfg = {
		.media_dir = b->plan->media_dir,
		.name_prefix = b->plan->name_prefix,
		.first_seq = first ? GPOINTER_TO_UINT(first) : 1,
		.segment_seconds = b->format.segment_seconds,
		.fragment_ms = b->format.fragment_ms,
		.clock = &rec->clock,
	};
	CavTrackSink *sink = cav_track_sink_new(GST_BIN(rec->pipeline), name, &cfg, error);

	if (sink == NULL)
		return NULL;
	g_ptr_array_add(rec->tracks, sink);
	/* Keep the names array NULL-terminated for cav_recorder_tracks(). */
	g_ptr_array_remove_index(rec->track_names, rec->track_names->len - 1);
	g_ptr_array_add(rec->track_names, g_strdup(name));
	g_ptr_array_add(rec->track_names, NULL);
	return sink;
}

static GstElement *
add_source(CavRecorder *rec, const Build *b, const CavSourceSpec *spec, GError **error)
{
	/* Behind its health guard (recorder-sources.h). */
	return cav_recorder_source_new(rec, b->plan->sources, spec, &b->format, error);
}

/* queue ─ @encoder ─ @track's video input, fed from @upstream (a tee or a bin). */
static gboolean
add_encoded_branch(CavRecorder *rec, GstElement *upstream, const char *upstream_pad,
		   const char *name, GstElement *encoder, CavTrackSink *track, GError **error)
{
	g_autofree char *qname = g_strdup_printf("%s-queue", name);
	GstElement *queue =
		cav_graph_add_queue(GST_BIN(rec->pipeline), qname, CAV_QUEUE_RAW_TIME, error);

	if (queue == NULL) {
		gst_object_unref(gst_object_ref_sink(encoder));
		return FALSE;
	}
	gst_bin_add(GST_BIN(rec->pipeline), encoder);
	return cav_graph_link(upstream, upstream_pad, queue, "sink", error) &&
	       cav_graph_link(queue, "src", encoder, "sink", error) &&
	       cav_track_sink_link_video(track, encoder, error);
}

static gboolean
add_camera(CavRecorder *rec, const Build *b, guint i, GstElement *program, GError **error)
{
	const CavSourceSpec *spec = g_ptr_array_index(b->cameras, i);
	const CavRecordFormat *f = &b->format;
	g_autofree char *tee_name = g_strdup_printf("%s-tee", spec->id);
	g_autofree char *enc_name = g_strdup_printf("%s-h264", spec->id);
	g_autofree char *program_pad = g_strdup_printf("sink_%u", i);
	g_autofree char *inter_name = g_strconcat(CAV_INTER_PREFIX, spec->id, NULL);
	CavTrackSink *track = g_ptr_array_index(rec->tracks, i);
	GstElement *src, *tee, *enc;

	src = add_source(rec, b, spec, error);
	tee = src ? cav_graph_add(GST_BIN(rec->pipeline), "tee", tee_name, error) : NULL;
	if (tee == NULL || !cav_graph_link(src, "src", tee, "sink", error))
		return FALSE;
	if (cav_recorder_source_is_passthrough(src)) {
		/* The camera's own H.264 is the track; "src" only feeds the program. */
		if (!cav_recorder_link_passthrough(rec, src, track, error))
			return FALSE;
	} else {
		enc = cav_encode_h264_new(enc_name, f->camera.fps, f->camera_kbps,
					  f->keyframe_seconds, f->x264_preset, error);
		if (enc == NULL ||
		    !add_encoded_branch(rec, tee, "src_%u", spec->id, enc, track, error))
			return FALSE;
	}
	if (!cav_inter_tap_video(GST_BIN(rec->pipeline), tee, inter_name, error))
		return FALSE;
	/* The program bin's inputs start with their own queue. */
	return cav_graph_link(tee, "src_%u", program, program_pad, error);
}

static gboolean
add_video(CavRecorder *rec, Build *b, GError **error)
{
	const CavRecordFormat *f = &b->format;
	/* Without overlays in the plan: overlay_text and the clock, as before. */
	CavProgramOverlays plain = {.caption = b->plan->overlay_text, .clock = TRUE};
	CavProgramConfig cfg = {
		.layout = b->plan->layout,
		.main = -1,
		.width = f->program_width,
		.height = f->program_height,
		.fps = f->camera.fps,
		.camera = &f->camera,
		.overlays = b->plan->overlays ? b->plan->overlays : &plain,
		.clock = &rec->clock,
	};
	GstElement *program, *tee, *enc;

	for (guint i = 0; i < b->cameras->len; i++) {
		const CavSourceSpec *spec = g_ptr_array_index(b->cameras, i);

		g_ptr_array_add(rec->camera_ids, g_strdup(spec->id));
		if (g_strcmp0(spec->id, b->plan->main_camera) == 0)
			cfg.main = (gint)i;
	}
	if (b->plan->main_camera != NULL && cfg.main < 0)
		return bad_plan(error, "main_camera is not one of the cameras");
	program = cav_program_new(&cfg, b->cameras->len, &rec->program, error);
	if (program == NULL)
		return FALSE;
	gst_bin_add(GST_BIN(rec->pipeline), program);
	for (guint i = 0; i < b->cameras->len; i++) {
		if (!add_camera(rec, b, i, program, error))
			return FALSE;
	}
	/* program ─ tee ─┬─ encoder ─ "program" track
	 *                └─ leaky tap ─ cav.program (previews, live) */
	tee = cav_graph_add(GST_BIN(rec->pipeline), "tee", "program-tee", error);
	if (tee == NULL || !cav_graph_link(program, "src", tee, "sink", error) ||
	    !cav_inter_tap_video(GST_BIN(rec->pipeline), tee, CAV_INTER_PROGRAM, error))
		return FALSE;
	enc = cav_encode_h264_new("program-h264", f->camera.fps, f->program_kbps,
				  f->keyframe_seconds, f->x264_preset, error);
	return enc != NULL &&
	       add_encoded_branch(rec, tee, "src_%u", CAV_TRACK_PROGRAM, enc, b->program, error);
}

/* Each role's mixer ─ queue ─ its own track "audio-<role>" (audio-in.h). */
static gboolean
add_role_tracks(CavRecorder *rec, Build *b, GPtrArray *role_mixes, GError **error)
{
	g_auto(GStrv) tracks = cav_recorder_role_tracks(b->mics, b->plan->role_tracks);

	for (guint r = 0; tracks[r] != NULL; r++) {
		g_autofree char *qname = g_strdup_printf("%s-queue", tracks[r]);
		CavTrackSink *track = add_track(rec, b, tracks[r], error);
		GstElement *queue = track ? cav_graph_add_queue(GST_BIN(rec->pipeline), qname,
								CAV_QUEUE_CODED_TIME, error)
					  : NULL;

		if (queue == NULL ||
		    !cav_graph_link(g_ptr_array_index(role_mixes, r), "src", queue, "sink",
				    error) ||
		    !cav_track_sink_link_audio(track, queue, error))
			return FALSE;
	}
	return TRUE;
}

/* mic ─ audio-in (lock, level) ─┬─ mix ─ tee ─ queue ─ audio input of every track
 *                               └─ its role's mix (when the role has a track) */
static gboolean
add_audio(CavRecorder *rec, Build *b, GError **error)
{
	g_auto(GStrv) tracks = cav_recorder_role_tracks(b->mics, b->plan->role_tracks);
	g_autoptr(GPtrArray) role_mixes = g_ptr_array_new();
	g_autofree guint *role_inputs = g_new0(guint, g_strv_length(tracks) + 1);
	GstElement *mix, *tee;

	mix = cav_audio_mix_new(b->mics->len, b->format.audio_kbps, error);
	if (mix == NULL)
		return FALSE;
	gst_bin_add(GST_BIN(rec->pipeline), mix);
	for (guint r = 0; tracks[r] != NULL; r++) {
		const char *role = tracks[r] + strlen(CAV_TRACK_ROLE_PREFIX);
		guint n = 0;
		GstElement *role_mix;

		for (guint i = 0; i < b->mics->len; i++)
			n += g_strcmp0(((CavSourceSpec *)g_ptr_array_index(b->mics, i))->role,
				       role) == 0;
		role_mix = cav_audio_role_mix_new(role, n, b->format.audio_kbps, error);
		if (role_mix == NULL)
			return FALSE;
		gst_bin_add(GST_BIN(rec->pipeline), role_mix);
		g_ptr_array_add(role_mixes, role_mix);
	}
	for (guint i = 0; i < b->mics->len; i++) {
		const CavSourceSpec *spec = g_ptr_array_index(b->mics, i);
		g_autofree char *pad = g_strdup_printf("sink_%u", i);
		g_autofree char *track = g_strconcat(CAV_TRACK_ROLE_PREFIX, spec->role, NULL);
		gint r = spec->role != NULL ? (gint)g_strv_length(tracks) - 1 : -1;
		GstElement *src = add_source(rec, b, spec, error);
		GstElement *in;

		while (r >= 0 && g_strcmp0(tracks[r], track) != 0)
			r--;
		in = src ? cav_audio_in_new(spec, r >= 0 ? 2 : 1, error) : NULL;
		if (in == NULL)
			return FALSE;
		gst_bin_add(GST_BIN(rec->pipeline), in);
		if (!cav_graph_link(src, "src", in, "sink", error) ||
		    !cav_graph_link(in, "src_0", mix, pad, error))
			return FALSE;
		if (r >= 0) {
			g_autofree char *role_pad = g_strdup_printf("sink_%u", role_inputs[r]++);

			if (!cav_graph_link(in, "src_1", g_ptr_array_index(role_mixes, (guint)r),
					    role_pad, error))
				return FALSE;
		}
	}
	rec->levels = cav_levels_new(b->mics);
	tee = cav_graph_add(GST_BIN(rec->pipeline), "tee", "audio-tee", error);
	if (tee == NULL || !cav_graph_link(mix, "src", tee, "sink", error))
		return FALSE;
	for (guint i = 0; i < rec->tracks->len; i++) {
		CavTrackSink *track = g_ptr_array_index(rec->tracks, i);
		g_autofree char *qname =
			g_strdup_printf("%s-audio-queue", cav_track_sink_name(track));
		GstElement *queue = cav_graph_add_queue(GST_BIN(rec->pipeline), qname,
							CAV_QUEUE_CODED_TIME, error);

		if (queue == NULL || !cav_graph_link(tee, "src_%u", queue, "sink", error) ||
		    !cav_track_sink_link_audio(track, queue, error))
			return FALSE;
	}
	/* After the loop above: role tracks carry their role, not the mix. */
	return add_role_tracks(rec, b, role_mixes, error);
}

/* Evidence run: each camera ─ tee ─┬─ h264 ─ its track
 *                                  └─ leaky tap cav.<id> (previews)
 * interaudiosrc cav.mix ─ convert ─ AAC ─ tee ─ queue ─ audio of every track */
static gboolean
add_evidence(CavRecorder *rec, Build *b, GError **error)
{
	const CavRecordFormat *f = &b->format;
	GstBin *bin = GST_BIN(rec->pipeline);
	GstElement *mix, *convert, *resample, *caps, *aac, *tee;
	g_autoptr(GstCaps) raw = NULL;

	if (b->mics->len > 0)
		return bad_plan(error, "an evidence run records cameras only");
	for (guint i = 0; i < b->cameras->len; i++) {
		const CavSourceSpec *spec = g_ptr_array_index(b->cameras, i);
		g_autofree char *tee_name = g_strdup_printf("%s-tee", spec->id);
		g_autofree char *enc_name = g_strdup_printf("%s-h264", spec->id);
		g_autofree char *inter_name = g_strconcat(CAV_INTER_PREFIX, spec->id, NULL);
		GstElement *src = add_source(rec, b, spec, error);
		GstElement *enc;

		tee = src ? cav_graph_add(bin, "tee", tee_name, error) : NULL;
		if (tee == NULL || !cav_graph_link(src, "src", tee, "sink", error))
			return FALSE;
		enc = cav_encode_h264_new(enc_name, f->camera.fps, f->camera_kbps,
					  f->keyframe_seconds, f->x264_preset, error);
		if (enc == NULL ||
		    !add_encoded_branch(rec, tee, "src_%u", spec->id, enc,
					g_ptr_array_index(rec->tracks, i), error) ||
		    !cav_inter_tap_video(bin, tee, inter_name, error))
			return FALSE;
	}
	mix = cav_graph_add(bin, "interaudiosrc", "evidence-mix", error);
	convert = mix ? cav_graph_add(bin, "audioconvert", NULL, error) : NULL;
	resample = convert ? cav_graph_add(bin, "audioresample", NULL, error) : NULL;
	caps = resample ? cav_graph_add(bin, "capsfilter", NULL, error) : NULL;
	aac = caps ? cav_encode_aac_new("evidence-aac", f->audio_kbps, error) : NULL;
	if (aac == NULL)
		return FALSE;
	g_object_set(mix, "channel", CAV_INTER_MIX, NULL);
	raw = gst_caps_new_simple("audio/x-raw", "format", G_TYPE_STRING, "S16LE", "rate",
				  G_TYPE_INT, CAV_AUDIO_RATE, "channels", G_TYPE_INT, 1, NULL);
	g_object_set(caps, "caps", raw, NULL);
	gst_bin_add(bin, aac);
	tee = cav_graph_add(bin, "tee", "audio-tee", error);
	if (tee == NULL ||
	    !cav_graph_link_many(error, mix, convert, resample, caps, aac, tee, NULL))
		return FALSE;
	for (guint i = 0; i < rec->tracks->len; i++) {
		CavTrackSink *track = g_ptr_array_index(rec->tracks, i);
		g_autofree char *qname =
			g_strdup_printf("%s-audio-queue", cav_track_sink_name(track));
		GstElement *queue = cav_graph_add_queue(bin, qname, CAV_QUEUE_CODED_TIME, error);

		if (queue == NULL || !cav_graph_link(tee, "src_%u", queue, "sink", error) ||
		    !cav_track_sink_link_audio(track, queue, error))
			return FALSE;
	}
	return TRUE;
}

gboolean
cav_recorder_build(CavRecorder *rec, const CavRecorderPlan *plan, GError **error)
{
	g_auto(Build) b = {.plan = plan};

	g_return_val_if_fail(plan != NULL && plan->format != NULL, FALSE);
	if (!check_names(plan, error) || !check_sources(&b, error) ||
	    !resolve_format(plan->format, b.cameras->len > 0, b.mics->len > 0 || plan->evidence,
			    &b.format, error))
		return FALSE;

	rec->pipeline = gst_object_ref_sink(gst_pipeline_new("recorder"));
	if (plan->evidence) {
		for (guint i = 0; i < b.cameras->len; i++) {
			const CavSourceSpec *spec = g_ptr_array_index(b.cameras, i);

			if (add_track(rec, &b, spec->id, error) == NULL)
				return FALSE;
		}
		return add_evidence(rec, &b, error);
	}
	/* Tracks in the documented order: cameras, program, audio. */
	for (guint i = 0; i < b.cameras->len; i++) {
		const CavSourceSpec *spec = g_ptr_array_index(b.cameras, i);

		if (add_track(rec, &b, spec->id, error) == NULL)
			return FALSE;
	}
	if (b.cameras->len > 0) {
		b.program = add_track(rec, &b, CAV_TRACK_PROGRAM, error);
		if (b.program == NULL || !add_video(rec, &b, error))
			return FALSE;
	}
	if (b.mics->len > 0) {
		b.audio = add_track(rec, &b, CAV_TRACK_AUDIO, error);
		if (b.audio == NULL || !add_audio(rec, &b, error))
			return FALSE;
	}
	return TRUE;
}
