/* source-file.c — the "file" backend: an image or a video file shown to the
 * court as evidence (issue 3, an evidence input; see room-evidence.c).
 *
 * Params:
 *   folder = the only folder files are shown from (absolute; config)
 *   file   = the file to show, relative to folder (given when the input is
 *            put to use; a name that leaves the folder, by "..", an absolute
 *            path or a symbolic link, is refused)
 *
 * Images (.jpg .jpeg .png) are decoded once and repeated live (imagefreeze);
 * videos (.mp4 .mov .mkv .webm .ts .avi) play once in real time (clocksync
 * paces the decoder to the pipeline clock) and then hold their last frame:
 * the health guard keeps showing the latest frame, so the recording shows
 * the end of the clip until the clerk ends the use. The file's own sound is
 * not recorded on this track: it is played into the room and reaches the
 * recording through the microphones, as anything said in court does.
 *
 * Either is scaled to the fixed raw format of source.h with borders that
 * keep its aspect ratio.
 *
 * Main thread only (building); the bins run on streaming threads.
 */
#include "source-backends.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const file_param_keys[] = {"folder", "file", NULL};
static const char *const image_ext[] = {".jpg", ".jpeg", ".png", NULL};
static const char *const video_ext[] = {".mp4", ".mov", ".mkv", ".webm", ".ts", ".avi", NULL};

static gboolean
has_ext(const char *name, const char *const *exts)
{
	g_autofree char *lower = g_ascii_strdown(name, -1);

	for (guint i = 0; exts[i] != NULL; i++)
		if (g_str_has_suffix(lower, exts[i]))
			return TRUE;
	return FALSE;
}

/* A relative name that stays inside the folder by its spelling alone. */
static gboolean
file_name_ok(const char *file)
{
	g_auto(GStrv) parts = NULL;

	if (file[0] == '\0' || file[0] == '/' || strlen(file) > 1024 ||
	    !g_utf8_validate(file, -1, NULL))
		return FALSE;
	parts = g_strsplit(file, "/", -1);
	for (guint i = 0; parts[i] != NULL; i++)
		if (parts[i][0] == '\0' || strcmp(parts[i], ".") == 0 ||
		    strcmp(parts[i], "..") == 0)
			return FALSE;
	return TRUE;
}

static gboolean
file_validate(const CavSourceSpec *spec, GError **error)
{
	const char *folder = g_hash_table_lookup(spec->params, "folder");
	const char *file = g_hash_table_lookup(spec->params, "file");

	if (folder == NULL)
		return cav_source_bad_param(
			error, spec, "folder",
			"required: the folder the evidence files are shown from");
	if (!g_path_is_absolute(folder))
		return cav_source_bad_param(error, spec, "folder", "must be an absolute path");
	if (file != NULL && !file_name_ok(file))
		return cav_source_bad_param(
			error, spec, "file",
			"must be a name inside the evidence folder (no \"..\", no leading "
			"\"/\")");
	if (file != NULL && !has_ext(file, image_ext) && !has_ext(file, video_ext))
		return cav_source_bad_param(
			error, spec, "file",
			"is neither an image (.jpg, .png) nor a video (.mp4, .mov, .mkv, "
			".webm, .ts, .avi)");
	return TRUE;
}

/* The real path of folder/file, refused when it lies outside the real
 * folder (a symbolic link out of it) or is not a regular file. (transfer full) */
static char *
resolve_file(const CavSourceSpec *spec, GError **error)
{
	const char *folder = g_hash_table_lookup(spec->params, "folder");
	const char *file = g_hash_table_lookup(spec->params, "file");
	g_autofree char *joined = NULL;
	g_autofree char *real_folder = NULL;
	g_autofree char *real = NULL;
	g_autofree char *prefix = NULL;
	struct stat st;

	if (!file_validate(spec, error))
		return NULL;
	if (file == NULL) {
		cav_source_bad_param(error, spec, "file", "no file was chosen");
		return NULL;
	}
	real_folder = realpath(folder, NULL);
	if (real_folder == NULL) {
		g_autofree char *why = g_strdup_printf("%s: %s", folder, g_strerror(errno));

		cav_source_bad_param(error, spec, "folder", why);
		return NULL;
	}
	joined = g_build_filename(folder, file, NULL);
	real = realpath(joined, NULL);
	if (real == NULL || stat(real, &st) != 0 || !S_ISREG(st.st_mode)) {
		g_autofree char *why = g_strdup_printf(
			"%s: %s", file, real == NULL ? g_strerror(errno) : "not a regular file");

		cav_source_bad_param(error, spec, "file", why);
		return NULL;
	}
	prefix = g_strconcat(real_folder, "/", NULL);
	if (!g_str_has_prefix(real, prefix)) {
		cav_source_bad_param(error, spec, "file", "leads outside the evidence folder");
		return NULL;
	}
	return g_steal_pointer(&real);
}

static gboolean
file_probe(const CavSourceSpec *spec, const CavVideoFormat *video, GError **error)
{
	const char *folder = g_hash_table_lookup(spec->params, "folder");
	g_autofree char *path = NULL;

	if (!file_validate(spec, error))
		return FALSE;
	if (!g_file_test(folder, G_FILE_TEST_IS_DIR))
		return cav_source_bad_param(error, spec, "folder",
					    "does not exist or is not a folder");
	if (g_hash_table_lookup(spec->params, "file") == NULL)
		return TRUE;
	path = resolve_file(spec, error);
	return path != NULL;
}

/* decodebin's pads: the first video stream goes to the chain, anything
 * else (the clip's sound, subtitles) into a fakesink of its own so the
 * demuxer never sees not-linked. Streaming thread. */
static void
on_pad_added(GstElement *decodebin, GstPad *pad, gpointer data)
{
	GstElement *head = data;
	g_autoptr(GstPad) sink = gst_element_get_static_pad(head, "sink");
	g_autoptr(GstCaps) caps = gst_pad_get_current_caps(pad);
	const char *media = caps ? gst_structure_get_name(gst_caps_get_structure(caps, 0)) : "";
	GstElement *bin = GST_ELEMENT(gst_element_get_parent(decodebin));
	GstElement *drop;
	g_autoptr(GstPad) drop_pad = NULL;

	if (g_str_has_prefix(media, "video/") && !gst_pad_is_linked(sink) &&
	    gst_pad_link(pad, sink) == GST_PAD_LINK_OK) {
		gst_object_unref(bin);
		return;
	}
	drop = gst_element_factory_make("fakesink", NULL);
	g_object_set(drop, "sync", FALSE, "async", FALSE, NULL);
	gst_bin_add(GST_BIN(bin), drop);
	drop_pad = gst_element_get_static_pad(drop, "sink");
	gst_pad_link(pad, drop_pad);
	gst_element_sync_state_with_parent(drop);
	gst_object_unref(bin);
}

/* filesrc ─ decodebin ─ (imagefreeze | clocksync) ─ videoconvert ─ videoscale ─ I420 */
static GstElement *
file_create(const CavSourceSpec *spec, const CavVideoFormat *video, GError **error)
{
	g_autoptr(GstElement) bin = gst_object_ref_sink(gst_bin_new(NULL));
	g_autofree char *path = resolve_file(spec, error);
	g_autoptr(GstCaps) raw = NULL;
	gboolean image;
	GstElement *src, *dec, *head, *convert, *scale, *out;

	if (path == NULL)
		return NULL;
	g_return_val_if_fail(video != NULL, NULL);
	image = has_ext(path, image_ext);
	src = cav_source_add_element(GST_BIN(bin), "filesrc", spec, error);
	dec = src ? cav_source_add_element(GST_BIN(bin), "decodebin", spec, error) : NULL;
	head = dec ? cav_source_add_element(GST_BIN(bin), image ? "imagefreeze" : "clocksync", spec,
					    error)
		   : NULL;
	convert = head ? cav_source_add_element(GST_BIN(bin), "videoconvert", spec, error) : NULL;
	scale = convert ? cav_source_add_element(GST_BIN(bin), "videoscale", spec, error) : NULL;
	out = scale ? cav_source_add_element(GST_BIN(bin), "capsfilter", spec, error) : NULL;
	if (out == NULL)
		return NULL;
	g_object_set(src, "location", path, NULL);
	if (image)
		g_object_set(head, "is-live", TRUE, NULL);
	raw = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", "width",
				  G_TYPE_INT, (int)video->width, "height", G_TYPE_INT,
				  (int)video->height, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
				  "framerate", GST_TYPE_FRACTION, (int)video->fps, 1, NULL);
	if (!image) /* a clip keeps its own rate; the guard samples it */
		gst_structure_remove_field(gst_caps_get_structure(raw, 0), "framerate");
	g_object_set(out, "caps", raw, NULL);
	g_signal_connect(dec, "pad-added", G_CALLBACK(on_pad_added), head);
	if (!gst_element_link(src, dec) ||
	    !gst_element_link_many(head, convert, scale, out, NULL)) {
		g_set_error(error, CAV_SOURCE_ERROR, CAV_SOURCE_ERROR_MISSING_ELEMENT,
			    "Source \"%s\": could not link the file decoder", spec->id);
		return NULL;
	}
	if (!cav_source_ghost_src(bin, out, spec, error))
		return NULL;
	g_object_force_floating(G_OBJECT(bin));
	return g_steal_pointer(&bin);
}

const CavSourceBackend cav_source_backend_file = {
	.version = CAV_SOURCE_BACKEND_VERSION,
	.name = "file",
	.kinds = CAV_MEDIA_VIDEO,
	.param_keys = file_param_keys,
	.validate = file_validate,
	.create = file_create,
	.probe = file_probe,
};
