/* media-check.c — ffprobe and box-walking helpers for the pipeline tests.
 *
 * ffprobe rather than GStreamer's own discoverer: the recordings must play in
 * players that do not share our demuxer, so the checks use a different one.
 */
#include "media-check.h"

#include <stdio.h>
#include <string.h>

static char *
run_ffprobe(const char *const *args, GError **error)
{
	g_autofree char *out = NULL;
	g_autofree char *err = NULL;
	int status = 0;

	if (!g_spawn_sync(NULL, (char **)args, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
			  &status, error))
		return NULL;
	if (!g_spawn_check_wait_status(status, error)) {
		g_prefix_error(error, "%s: ", err ? err : "");
		return NULL;
	}
	return g_steal_pointer(&out);
}

gboolean
cav_test_probe_file(const char *path, CavTestProbe *probe, GError **error)
{
	const char *args[] = {"ffprobe",
			      "-v",
			      "error",
			      "-show_entries",
			      "stream=codec_name,codec_type:format=duration",
			      "-of",
			      "default=nw=1",
			      path,
			      NULL};
	g_autofree char *out = run_ffprobe(args, error);
	g_auto(GStrv) lines = NULL;
	const char *codec = NULL;

	memset(probe, 0, sizeof(*probe));
	probe->duration = -1;
	if (out == NULL)
		return FALSE;
	lines = g_strsplit(out, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		const char *line = lines[i];

		if (g_str_has_prefix(line, "codec_name=")) {
			codec = line + strlen("codec_name=");
		} else if (strcmp(line, "codec_type=video") == 0) {
			if (probe->n_video++ == 0)
				probe->video_codec = g_strdup(codec);
		} else if (strcmp(line, "codec_type=audio") == 0) {
			if (probe->n_audio++ == 0)
				probe->audio_codec = g_strdup(codec);
		} else if (g_str_has_prefix(line, "duration=")) {
			probe->duration = g_ascii_strtod(line + strlen("duration="), NULL);
		}
	}
	return TRUE;
}

void
cav_test_probe_clear(CavTestProbe *probe)
{
	g_clear_pointer(&probe->video_codec, g_free);
	g_clear_pointer(&probe->audio_codec, g_free);
}

int
cav_test_first_video_frame_is_key(const char *path)
{
	const char *args[] = {"ffprobe",
			      "-v",
			      "error",
			      "-select_streams",
			      "v:0",
			      "-read_intervals",
			      "%+#1",
			      "-show_entries",
			      "frame=key_frame",
			      "-of",
			      "default=nw=1",
			      path,
			      NULL};
	g_autofree char *out = run_ffprobe(args, NULL);

	if (out == NULL || strstr(out, "key_frame=") == NULL)
		return -1;
	return g_str_has_prefix(out, "key_frame=1") ? 1 : 0;
}

char *
cav_test_mp4_boxes(const char *path)
{
	g_autofree char *data = NULL;
	gsize len = 0, off = 0;
	GString *s = g_string_new(NULL);

	if (!g_file_get_contents(path, &data, &len, NULL))
		return g_string_free(s, FALSE);
	while (off + 8 <= len) {
		const guint8 *p = (const guint8 *)data + off;
		guint64 size =
			(guint64)p[0] << 24 | (guint64)p[1] << 16 | (guint64)p[2] << 8 | p[3];

		if (size == 1 && off + 16 <= len) {
			size = 0;
			for (int i = 0; i < 8; i++)
				size = size << 8 | p[8 + i];
		} else if (size == 0) {
			size = len - off;
		}
		g_string_append_printf(s, "%s%.4s", s->len ? " " : "", (const char *)p + 4);
		if (size < 8 || size > len - off) {
			g_string_append(s, "!");
			break;
		}
		off += size;
	}
	return g_string_free(s, FALSE);
}

char *
cav_test_build_path(const char *relative)
{
	const char *root = g_getenv("CAV_BUILD_ROOT");

	return g_build_filename(root ? root : ".", relative, NULL);
}

void
cav_test_rm_rf(const char *dir)
{
	const char *args[] = {"rm", "-rf", "--", dir, NULL};

	if (dir != NULL && g_path_is_absolute(dir))
		g_spawn_sync(NULL, (char **)args, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
			     NULL, NULL);
}
