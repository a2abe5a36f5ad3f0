/* config.c — reading and validating courtavd's INI file.
 *
 * GKeyFile parses values, but it reports neither line numbers nor
 * duplicate keys, and it accepts keys nobody reads. A first pass over the
 * raw lines (scan_lines) therefore checks the syntax and remembers where each
 * key sits; the second pass reads values through GKeyFile and checks them
 * against the tables below, so every message can say FILE:LINE.
 * Main thread only.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

/* The first argument is stringified: the error domain's name. */
/* clang-format off */
G_DEFINE_QUARK(cav-config-error-quark, cav_config_error)
/* clang-format on */

typedef enum { KEY_STRING, KEY_UINT, KEY_DOUBLE } KeyType;

typedef struct {
	const char *name;
	KeyType type;
	double min;
	double max;
} KeySpec;

static const KeySpec daemon_keys[] = {
	{"room", KEY_STRING, 0, 0},
	{"room_name", KEY_STRING, 0, 0},
	{"court", KEY_STRING, 0, 0},
	{"state_dir", KEY_STRING, 0, 0},
	{"media_dir", KEY_STRING, 0, 0},
	{"listen", KEY_STRING, 0, 0},
	{"sig_alg", KEY_STRING, 0, 0},
	{"panel_listen", KEY_STRING, 0, 0},
	{"tls_certificate", KEY_STRING, 0, 0},
	{"tls_key", KEY_STRING, 0, 0},
	{"ui_dir", KEY_STRING, 0, 0},
	{"session_minutes", KEY_UINT, 1, 10080},
	{"lockout_seconds", KEY_UINT, 1, 86400},
	{NULL, 0, 0, 0},
};

static const KeySpec recording_keys[] = {
	{"width", KEY_UINT, 64, 3840},
	{"height", KEY_UINT, 48, 2160},
	{"fps", KEY_UINT, 1, 60},
	{"program_width", KEY_UINT, 64, 3840},
	{"program_height", KEY_UINT, 48, 2160},
	{"camera_kbps", KEY_UINT, 64, 50000},
	{"program_kbps", KEY_UINT, 64, 50000},
	{"audio_kbps", KEY_UINT, 16, 512},
	{"segment_seconds", KEY_UINT, 2, 3600},
	{"fragment_ms", KEY_UINT, 100, 1000},
	{"keyframe_seconds", KEY_UINT, 1, 10},
	{"x264_preset", KEY_STRING, 0, 0},
	{"layout", KEY_STRING, 0, 0},
	{"overlay_text", KEY_STRING, 0, 0},
	{NULL, 0, 0, 0},
};

static const KeySpec storage_keys[] = {
	{"min_free_hours", KEY_DOUBLE, 0, 10000},
	{"alarm_free_hours", KEY_DOUBLE, 0, 10000},
	{"stop_free_mb", KEY_UINT, 0, 1000000},
	{"check_interval_ms", KEY_UINT, 100, 60000},
	{NULL, 0, 0, 0},
};

static const KeySpec relay_keys[] = {
	{"url", KEY_STRING, 0, 0},
	{"enrollment_token", KEY_STRING, 0, 0},
	{"ca_file", KEY_STRING, 0, 0},
	{"suite", KEY_STRING, 0, 0},
	{"heartbeat_seconds", KEY_UINT, 1, 60},
	{"width", KEY_UINT, 160, 1920},
	{"height", KEY_UINT, 120, 1080},
	{"fps", KEY_UINT, 5, 30},
	{"video_kbps", KEY_UINT, 100, 8000},
	{"audio_kbps", KEY_UINT, 16, 256},
	{NULL, 0, 0, 0},
};

/* [program], [voice], [audio] (issue 3). Booleans are KEY_STRING here and
 * read by get_bool(). */
static const KeySpec program_keys[] = {
	{"caption", KEY_STRING, 0, 0},
	{"show_case", KEY_STRING, 0, 0},
	{"clock", KEY_STRING, 0, 0},
	{"text", KEY_STRING, 0, 0},
	{"caption_position", KEY_STRING, 0, 0},
	{"text_position", KEY_STRING, 0, 0},
	{"clock_position", KEY_STRING, 0, 0},
	{"font", KEY_STRING, 0, 0},
	{"main_camera", KEY_STRING, 0, 0},
	{NULL, 0, 0, 0},
};

static const KeySpec voice_keys[] = {
	{"enabled", KEY_STRING, 0, 0},       {"speech_db", KEY_DOUBLE, -100, 0},
	{"dominance_db", KEY_DOUBLE, 0, 60}, {"hold_in_ms", KEY_UINT, 0, 10000},
	{"min_hold_ms", KEY_UINT, 0, 60000}, {"silence_ms", KEY_UINT, 500, 600000},
	{"fallback", KEY_STRING, 0, 0},      {NULL, 0, 0, 0},
};

static const KeySpec audio_keys[] = {
	{"role_tracks", KEY_STRING, 0, 0},
	{"silent_db", KEY_DOUBLE, -120, 0},
	{"silent_seconds", KEY_UINT, 1, 3600},
	{"speech_db", KEY_DOUBLE, -100, 0},
	{"clip_db", KEY_DOUBLE, -20, 0},
	{"clip_clear_seconds", KEY_UINT, 1, 600},
	{NULL, 0, 0, 0},
};

/* Keys every [camera ID] / [microphone ID] section has; the rest belong to
 * the source's backend and are checked by it. "camera" (microphones only)
 * names the camera that shows whoever speaks into it. */
static const char *const source_common_keys[] = {"backend", "label", "role", "camera", NULL};

static const char *const x264_presets[] = {"ultrafast", "superfast", "veryfast", "faster",
					   "fast",      "medium",    NULL};

/* Where each key was found: "group\x1fkey" -> line number. */
typedef struct {
	const char *path;
	GHashTable *lines; /* owned */
	GPtrArray *groups; /* group names in file order (owned) */
} LineMap;

static guint
line_of(const LineMap *map, const char *group, const char *key)
{
	g_autofree char *k = g_strdup_printf("%s\x1f%s", group, key ? key : "");

	return GPOINTER_TO_UINT(g_hash_table_lookup(map->lines, k));
}

static gboolean G_GNUC_PRINTF(6, 7) fail(GError **error, CavConfigError code, const LineMap *map,
					 const char *group, const char *key, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;
	guint line = line_of(map, group, key);

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (key != NULL && line > 0)
		g_set_error(error, CAV_CONFIG_ERROR, code, "%s:%u: [%s] %s: %s", map->path, line,
			    group, key, msg);
	else if (line > 0)
		g_set_error(error, CAV_CONFIG_ERROR, code, "%s:%u: [%s]: %s", map->path, line,
			    group, msg);
	else if (key != NULL)
		g_set_error(error, CAV_CONFIG_ERROR, code, "%s: [%s] %s: %s", map->path, group, key,
			    msg);
	else
		g_set_error(error, CAV_CONFIG_ERROR, code, "%s: [%s]: %s", map->path, group, msg);
	return FALSE;
}

/* First pass: syntax, duplicates, and where everything is. */
static gboolean
scan_lines(LineMap *map, const char *data, GError **error)
{
	g_auto(GStrv) lines = g_strsplit(data, "\n", -1);
	g_autofree char *group = NULL;

	for (guint i = 0; lines[i] != NULL; i++) {
		guint lineno = i + 1;
		g_autofree char *line = g_strstrip(g_strdup(lines[i]));
		g_autofree char *k = NULL;
		char *eq;

		if (line[0] == '\0' || line[0] == '#' || line[0] == ';')
			continue;
		if (line[0] == '[') {
			size_t n = strlen(line);

			if (n < 3 || line[n - 1] != ']') {
				g_set_error(error, CAV_CONFIG_ERROR, CAV_CONFIG_ERROR_SYNTAX,
					    "%s:%u: malformed section header “%s”: write [name]",
					    map->path, lineno, line);
				return FALSE;
			}
			g_free(group);
			group = g_strstrip(g_strndup(line + 1, n - 2));
			k = g_strdup_printf("%s\x1f", group);
			if (g_hash_table_contains(map->lines, k)) {
				g_set_error(error, CAV_CONFIG_ERROR, CAV_CONFIG_ERROR_SYNTAX,
					    "%s:%u: section [%s] appears twice (first on line %u)",
					    map->path, lineno, group,
					    GPOINTER_TO_UINT(g_hash_table_lookup(map->lines, k)));
				return FALSE;
			}
			g_hash_table_insert(map->lines, g_steal_pointer(&k),
					    GUINT_TO_POINTER(lineno));
			g_ptr_array_add(map->groups, g_strdup(group));
			continue;
		}
		eq = strchr(line, '=');
		if (eq == NULL || eq == line) {
			g_set_error(error, CAV_CONFIG_ERROR, CAV_CONFIG_ERROR_SYNTAX,
				    "%s:%u: “%s” is not “key = value”, a [section] or a # comment",
				    map->path, lineno, line);
			return FALSE;
		}
		if (group == NULL) {
			g_set_error(error, CAV_CONFIG_ERROR, CAV_CONFIG_ERROR_SYNTAX,
				    "%s:%u: a key before any [section]", map->path, lineno);
			return FALSE;
		}
		*eq = '\0';
		k = g_strdup_printf("%s\x1f%s", group, g_strstrip(line));
		if (g_hash_table_contains(map->lines, k)) {
			g_set_error(error, CAV_CONFIG_ERROR, CAV_CONFIG_ERROR_SYNTAX,
				    "%s:%u: [%s] %s is set twice (first on line %u)", map->path,
				    lineno, group, line,
				    GPOINTER_TO_UINT(g_hash_table_lookup(map->lines, k)));
			return FALSE;
		}
		g_hash_table_insert(map->lines, g_steal_pointer(&k), GUINT_TO_POINTER(lineno));
	}
	return TRUE;
}

static const KeySpec *
find_spec(const KeySpec *specs, const char *key)
{
	for (const KeySpec *s = specs; s->name != NULL; s++)
		if (strcmp(s->name, key) == 0)
			return s;
	return NULL;
}

/* Unknown keys in a fixed section are errors, not silently ignored: a typo
 * like "segment_second" would otherwise record 5-minute files unnoticed. */
static gboolean
check_known_keys(GKeyFile *kf, const LineMap *map, const char *group, const KeySpec *specs,
		 GError **error)
{
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);

	for (guint i = 0; keys && keys[i]; i++)
		if (find_spec(specs, keys[i]) == NULL)
			return fail(error, CAV_CONFIG_ERROR_UNKNOWN, map, group, keys[i],
				    "unknown key (check the spelling; see courtavd.example.ini)");
	return TRUE;
}

static gboolean
get_uint(GKeyFile *kf, const LineMap *map, const char *group, const KeySpec *specs, const char *key,
	 guint *out, GError **error)
{
	const KeySpec *spec = find_spec(specs, key);
	g_autofree char *text = g_key_file_get_value(kf, group, key, NULL);
	char *end = NULL;
	guint64 v;

	if (text == NULL)
		return TRUE; /* keep the default */
	g_strstrip(text);
	errno = 0;
	v = g_ascii_strtoull(text, &end, 10);
	if (text[0] == '\0' || text[0] == '-' || *end != '\0' || errno != 0)
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, group, key,
			    "“%s” is not a whole number", text);
	if ((double)v < spec->min || (double)v > spec->max)
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, group, key,
			    "%" G_GUINT64_FORMAT " is out of range (%.0f–%.0f)", v, spec->min,
			    spec->max);
	*out = (guint)v;
	return TRUE;
}

static gboolean
get_double(GKeyFile *kf, const LineMap *map, const char *group, const KeySpec *specs,
	   const char *key, double *out, GError **error)
{
	const KeySpec *spec = find_spec(specs, key);
	g_autofree char *text = g_key_file_get_value(kf, group, key, NULL);
	char *end = NULL;
	double v;

	if (text == NULL)
		return TRUE;
	g_strstrip(text);
	v = g_ascii_strtod(text, &end);
	if (text[0] == '\0' || *end != '\0' || !isfinite(v))
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, group, key, "“%s” is not a number",
			    text);
	if (v < spec->min || v > spec->max)
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, group, key,
			    "%g is out of range (%g–%g)", v, spec->min, spec->max);
	*out = v;
	return TRUE;
}

/* A string value, or @def when the key is absent. (transfer full) */
static char *
get_string(GKeyFile *kf, const char *group, const char *key, const char *def)
{
	char *v = g_key_file_get_string(kf, group, key, NULL);

	if (v == NULL)
		return g_strdup(def);
	return g_strstrip(v);
}

static gboolean
one_of(const char *value, const char *const *allowed)
{
	return g_strv_contains(allowed, value);
}

static gboolean
valid_id(const char *s, gsize max)
{
	gsize n = strlen(s);

	if (n == 0 || n > max || !g_ascii_isalnum(s[0]))
		return FALSE;
	for (gsize i = 0; i < n; i++)
		if (!g_ascii_isalnum(s[i]) && s[i] != '-' && s[i] != '_')
			return FALSE;
	return TRUE;
}

static gboolean
parse_listen(const char *key, char **host, guint *out_port, const LineMap *map, const char *text,
	     GError **error)
{
	const char *colon = strrchr(text, ':');
	char *end = NULL;
	guint64 port;

	if (colon == NULL || colon == text)
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, "courtavd", key,
			    "“%s” is not ADDRESS:PORT (e.g. 127.0.0.1:8780)", text);
	port = g_ascii_strtoull(colon + 1, &end, 10);
	/* Port 0 picks a free port (tests); the daemon prints the one it got. */
	if (*end != '\0' || colon[1] == '\0' || port > 65535)
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, "courtavd", key,
			    "port in “%s” must be 0–65535", text);
	g_free(*host);
	*host = g_strndup(text, colon - text);
	if ((*host)[0] == '[') { /* [::1]:8780 */
		char *h = g_strndup(*host + 1, strlen(*host) - 2);
		g_free(*host);
		*host = h;
	}
	if (!g_hostname_is_ip_address(*host))
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, "courtavd", key,
			    "“%s” is not an IP address", *host);
	*out_port = (guint)port;
	return TRUE;
}

/* The panel address, TLS files, UI folder and login limits (issue 4). */
static gboolean
load_panel(CavConfig *c, GKeyFile *kf, const LineMap *map, GError **error)
{
	const char *g = "courtavd";
	g_autofree char *panel = get_string(kf, g, "panel_listen", NULL);

	if (panel != NULL &&
	    !parse_listen("panel_listen", &c->panel_host, &c->panel_port, map, panel, error))
		return FALSE;
	c->tls_certificate = get_string(kf, g, "tls_certificate", NULL);
	c->tls_key = get_string(kf, g, "tls_key", NULL);
	if ((c->tls_certificate == NULL) != (c->tls_key == NULL))
		return fail(error, CAV_CONFIG_ERROR_MISSING, map, g,
			    c->tls_key ? "tls_key" : "tls_certificate",
			    "tls_certificate and tls_key go together");
	if (c->tls_certificate != NULL && panel == NULL)
		return fail(error, CAV_CONFIG_ERROR_MISSING, map, g, "tls_certificate",
			    "TLS applies to panel_listen, which is not set");
	c->ui_dir = get_string(kf, g, "ui_dir", CAV_UI_DIR);
	if (!g_path_is_absolute(c->ui_dir))
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, g, "ui_dir",
			    "must be an absolute path");
	c->session_minutes = 12 * 60;
	c->lockout_seconds = 300;
	return get_uint(kf, map, g, daemon_keys, "session_minutes", &c->session_minutes, error) &&
	       get_uint(kf, map, g, daemon_keys, "lockout_seconds", &c->lockout_seconds, error);
}

static gboolean
load_daemon(CavConfig *c, GKeyFile *kf, const LineMap *map, GError **error)
{
	const char *g = "courtavd";
	g_autofree char *listen = NULL;

	if (!g_key_file_has_group(kf, g))
		return fail(error, CAV_CONFIG_ERROR_MISSING, map, g, NULL,
			    "section missing: it names the room and the state folder");
	if (!check_known_keys(kf, map, g, daemon_keys, error))
		return FALSE;
	c->room_id = get_string(kf, g, "room", NULL);
	if (c->room_id == NULL)
		return fail(error, CAV_CONFIG_ERROR_MISSING, map, g, "room",
			    "required: the room's short id, e.g. room = 101");
	if (!valid_id(c->room_id, 32))
		return fail(
			error, CAV_CONFIG_ERROR_VALUE, map, g, "room",
			"“%s” must be 1–32 letters, digits, '-' or '_' (it goes into file names)",
			c->room_id);
	c->room_name = get_string(kf, g, "room_name", c->room_id);
	c->court = get_string(kf, g, "court", NULL);
	c->state_dir = get_string(kf, g, "state_dir", NULL);
	if (c->state_dir == NULL || !g_path_is_absolute(c->state_dir))
		return fail(error, c->state_dir ? CAV_CONFIG_ERROR_VALUE : CAV_CONFIG_ERROR_MISSING,
			    map, g, "state_dir", "required, as an absolute path");
	c->media_dir = get_string(kf, g, "media_dir", NULL);
	if (c->media_dir == NULL)
		c->media_dir = g_build_filename(c->state_dir, "media", NULL);
	else if (!g_path_is_absolute(c->media_dir))
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, g, "media_dir",
			    "must be an absolute path");
	listen = get_string(kf, g, "listen", "127.0.0.1:8780");
	if (!parse_listen("listen", &c->listen_host, &c->listen_port, map, listen, error) ||
	    !load_panel(c, kf, map, error))
		return FALSE;
	c->sig_alg = get_string(kf, g, "sig_alg", "ed25519");
	if (g_strcmp0(c->sig_alg, "ed25519") != 0)
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, g, "sig_alg",
			    "“%s” is not supported (supported: ed25519)", c->sig_alg);
	return TRUE;
}

static gboolean
load_recording(CavConfig *c, GKeyFile *kf, const LineMap *map, GError **error)
{
	const char *g = "recording";
	CavRecordFormat *f = &c->format;

	f->camera.width = 1280;
	f->camera.height = 720;
	f->camera.fps = 25;
	f->camera_kbps = 2500;
	f->program_kbps = 3000;
	f->audio_kbps = 128;
	f->segment_seconds = 300;
	f->fragment_ms = 500;
	f->keyframe_seconds = 1;
	if (!g_key_file_has_group(kf, g))
		goto defaults;
	if (!check_known_keys(kf, map, g, recording_keys, error) ||
	    !get_uint(kf, map, g, recording_keys, "width", &f->camera.width, error) ||
	    !get_uint(kf, map, g, recording_keys, "height", &f->camera.height, error) ||
	    !get_uint(kf, map, g, recording_keys, "fps", &f->camera.fps, error) ||
	    !get_uint(kf, map, g, recording_keys, "program_width", &f->program_width, error) ||
	    !get_uint(kf, map, g, recording_keys, "program_height", &f->program_height, error) ||
	    !get_uint(kf, map, g, recording_keys, "camera_kbps", &f->camera_kbps, error) ||
	    !get_uint(kf, map, g, recording_keys, "program_kbps", &f->program_kbps, error) ||
	    !get_uint(kf, map, g, recording_keys, "audio_kbps", &f->audio_kbps, error) ||
	    !get_uint(kf, map, g, recording_keys, "segment_seconds", &f->segment_seconds, error) ||
	    !get_uint(kf, map, g, recording_keys, "fragment_ms", &f->fragment_ms, error) ||
	    !get_uint(kf, map, g, recording_keys, "keyframe_seconds", &f->keyframe_seconds, error))
		return FALSE;
	if (f->camera.width % 2 || f->camera.height % 2)
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, g, "width",
			    "%ux%u: width and height must be even (H.264 4:2:0)", f->camera.width,
			    f->camera.height);
defaults:
	if (f->program_width == 0)
		f->program_width = f->camera.width;
	if (f->program_height == 0)
		f->program_height = f->camera.height;
	if (f->program_width % 2 || f->program_height % 2)
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, g, "program_width",
			    "%ux%u: width and height must be even", f->program_width,
			    f->program_height);
	c->x264_preset = get_string(kf, g, "x264_preset", "veryfast");
	if (!one_of(c->x264_preset, x264_presets))
		return fail(
			error, CAV_CONFIG_ERROR_VALUE, map, g, "x264_preset",
			"“%s” is not one of ultrafast, superfast, veryfast, faster, fast, medium",
			c->x264_preset);
	f->x264_preset = c->x264_preset;
	c->layout = get_string(kf, g, "layout", "auto");
	if (cav_layout_canonical(c->layout) == NULL) {
		g_autofree char *known = g_strjoinv(", ", (char **)cav_layout_names());

		return fail(error, CAV_CONFIG_ERROR_VALUE, map, g, "layout",
			    "“%s” is not one of %s (or 2x2, side-by-side, 1+4, 1+5)", c->layout,
			    known);
	}
	c->overlay_text = get_string(kf, g, "overlay_text", NULL);
	return TRUE;
}

static gboolean
load_storage(CavConfig *c, GKeyFile *kf, const LineMap *map, GError **error)
{
	const char *g = "storage";
	guint stop_mb = 64;

	c->min_free_hours = 2.0;
	c->alarm_free_hours = 4.0;
	c->check_interval_ms = 2000;
	if (g_key_file_has_group(kf, g) &&
	    (!check_known_keys(kf, map, g, storage_keys, error) ||
	     !get_double(kf, map, g, storage_keys, "min_free_hours", &c->min_free_hours, error) ||
	     !get_double(kf, map, g, storage_keys, "alarm_free_hours", &c->alarm_free_hours,
			 error) ||
	     !get_uint(kf, map, g, storage_keys, "stop_free_mb", &stop_mb, error) ||
	     !get_uint(kf, map, g, storage_keys, "check_interval_ms", &c->check_interval_ms,
		       error)))
		return FALSE;
	if (c->alarm_free_hours < c->min_free_hours)
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, g, "alarm_free_hours",
			    "%g is below min_free_hours (%g): the alarm must come first",
			    c->alarm_free_hours, c->min_free_hours);
	c->stop_free_bytes = (guint64)stop_mb * 1024 * 1024;
	return TRUE;
}

/* [relay]: optional; without it (or without url) nothing is streamed. The
 * defaults fit a 2 Mbit/s link: 960x540 at 25 fps, 1200 + 64 kbit/s. */
static gboolean
load_relay(CavConfig *c, GKeyFile *kf, const LineMap *map, GError **error)
{
	const char *g = "relay";
	static const char *const suites[] = {"AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80", NULL};

	c->relay_heartbeat_s = 2;
	c->relay_width = 960;
	c->relay_height = 540;
	c->relay_fps = 25;
	c->relay_video_kbps = 1200;
	c->relay_audio_kbps = 64;
	c->relay_suite = g_strdup("AEAD_AES_128_GCM");
	if (!g_key_file_has_group(kf, g))
		return TRUE;
	if (!check_known_keys(kf, map, g, relay_keys, error) ||
	    !get_uint(kf, map, g, relay_keys, "heartbeat_seconds", &c->relay_heartbeat_s, error) ||
	    !get_uint(kf, map, g, relay_keys, "width", &c->relay_width, error) ||
	    !get_uint(kf, map, g, relay_keys, "height", &c->relay_height, error) ||
	    !get_uint(kf, map, g, relay_keys, "fps", &c->relay_fps, error) ||
	    !get_uint(kf, map, g, relay_keys, "video_kbps", &c->relay_video_kbps, error) ||
	    !get_uint(kf, map, g, relay_keys, "audio_kbps", &c->relay_audio_kbps, error))
		return FALSE;
	c->relay_url = get_string(kf, g, "url", NULL);
	if (c->relay_url != NULL && !g_str_has_prefix(c->relay_url, "http://") &&
	    !g_str_has_prefix(c->relay_url, "https://"))
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, g, "url",
			    "“%s” must start with http:// or https://", c->relay_url);
	if (c->relay_url != NULL && g_str_has_suffix(c->relay_url, "/"))
		c->relay_url[strlen(c->relay_url) - 1] = '\0';
	c->relay_token = get_string(kf, g, "enrollment_token", NULL);
	c->relay_ca_file = get_string(kf, g, "ca_file", NULL);
	if (c->relay_ca_file != NULL && !g_path_is_absolute(c->relay_ca_file))
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, g, "ca_file",
			    "must be an absolute path");
	g_free(c->relay_suite);
	c->relay_suite = get_string(kf, g, "suite", "AEAD_AES_128_GCM");
	if (!one_of(c->relay_suite, suites))
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, g, "suite",
			    "“%s” is not AEAD_AES_128_GCM or AES_CM_128_HMAC_SHA1_80",
			    c->relay_suite);
	if (c->relay_width % 2 || c->relay_height % 2)
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, g, "width",
			    "%ux%u: width and height must be even", c->relay_width,
			    c->relay_height);
	return TRUE;
}

/* Backends an evidence input may use: what shows a laptop's screen or a
 * file. (IP cameras are cameras: their passthrough track is always on.) */
static const char *const evidence_backends[] = {"v4l2", "file", "test", NULL};

static gboolean
id_taken(const CavConfig *c, const char *id)
{
	for (guint i = 0; i < c->sources->len; i++)
		if (g_str_equal(((CavSourceSpec *)c->sources->pdata[i])->id, id))
			return TRUE;
	for (guint i = 0; i < c->evidence->len; i++)
		if (g_str_equal(((CavSourceSpec *)c->evidence->pdata[i])->id, id))
			return TRUE;
	return FALSE;
}

/* The section a source was read from. (transfer full) */
static char *
source_group(const CavSourceSpec *spec, gboolean evidence)
{
	return g_strconcat(evidence                        ? "evidence "
			   : spec->kind == CAV_MEDIA_AUDIO ? "microphone "
							   : "camera ",
			   spec->id, NULL);
}

static gboolean
load_source(CavConfig *c, GKeyFile *kf, const LineMap *map, const char *group, CavMediaKind kind,
	    const char *id, gboolean evidence, GError **error)
{
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
	g_autofree char *backend = get_string(kf, group, "backend", NULL);
	g_autoptr(CavSourceSpec) spec = NULL;
	g_autoptr(GError) local = NULL;

	if (!valid_id(id, 16) || g_str_equal(id, CAV_TRACK_PROGRAM) ||
	    g_str_equal(id, CAV_TRACK_AUDIO))
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, group, NULL,
			    "“%s” must be 1–16 letters, digits, '-' or '_', and not "
			    "“program” or “audio” (it names the track)",
			    id);
	if (id_taken(c, id))
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, group, NULL,
			    "source id “%s” is used twice", id);
	if (backend == NULL)
		return fail(error, CAV_CONFIG_ERROR_MISSING, map, group, "backend",
			    "required (e.g. backend = test)");
	if (evidence && !g_strv_contains(evidence_backends, backend))
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, group, "backend",
			    "an evidence input is v4l2 (an HDMI capture), file (images and "
			    "videos from a folder) or test, not “%s”",
			    backend);
	spec = cav_source_spec_new(id, kind, backend);
	spec->label = get_string(kf, group, "label", NULL);
	spec->role = get_string(kf, group, "role", NULL);
	if (g_key_file_has_key(kf, group, "camera", NULL)) {
		if (kind != CAV_MEDIA_AUDIO)
			return fail(error, CAV_CONFIG_ERROR_VALUE, map, group, "camera",
				    "applies to microphones only (the camera that shows the "
				    "speaker)");
		/* Checked against the cameras once all are loaded. */
		g_hash_table_insert(c->mic_camera, g_strdup(id),
				    get_string(kf, group, "camera", ""));
	}
	for (guint i = 0; keys && keys[i]; i++)
		if (!g_strv_contains(source_common_keys, keys[i]))
			g_hash_table_insert(spec->params, g_strdup(keys[i]),
					    get_string(kf, group, keys[i], ""));
	if (!cav_source_validate(spec, &local)) {
		/* The backend names the key in its message when it can; point at
		 * the first key of the section it mentions, else at the section. */
		const char *at = NULL;

		for (guint i = 0; keys && keys[i] && at == NULL; i++) {
			g_autofree char *quoted = g_strdup_printf("\"%s\"", keys[i]);

			if (strstr(local->message, quoted) != NULL)
				at = keys[i];
		}
		if (local->code == CAV_SOURCE_ERROR_UNKNOWN_BACKEND)
			at = "backend";
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, group, at, "%s", local->message);
	}
	g_ptr_array_add(evidence ? c->evidence : c->sources, g_steal_pointer(&spec));
	return TRUE;
}

/* A source's error at the line of the key its message names (backends
 * write "... key \"name\" ..."), else at its section. */
static gboolean
fail_source(GError **error, const LineMap *map, const CavSourceSpec *spec, gboolean evidence,
	    const GError *cause)
{
	g_autofree char *group = source_group(spec, evidence);
	g_autofree const char **keys =
		(const char **)g_hash_table_get_keys_as_array(spec->params, NULL);
	const char *at = NULL;

	for (guint i = 0; keys[i] != NULL && at == NULL; i++) {
		g_autofree char *quoted = g_strdup_printf("\"%s\"", keys[i]);

		if (strstr(cause->message, quoted) != NULL)
			at = keys[i];
	}
	return fail(error, CAV_CONFIG_ERROR_VALUE, map, group, at, "%s", cause->message);
}

/* Sources that share a capture device (ALSA channels) are checked together. */
static gboolean
load_capture_groups(CavConfig *c, const LineMap *map, GError **error)
{
	g_autoptr(GError) local = NULL;
	const CavSourceSpec *failed = NULL;

	if (cav_source_validate_all(c->sources, &failed, &local))
		return TRUE;
	return fail_source(error, map, failed ? failed : c->sources->pdata[0], FALSE, local);
}

static gboolean
load_sections(CavConfig *c, GKeyFile *kf, const LineMap *map, GError **error)
{
	/* Cameras first so track order is stable whatever the file order. */
	static const char *const prefixes[] = {"camera ", "microphone ", "evidence "};

	for (guint pass = 0; pass < G_N_ELEMENTS(prefixes); pass++) {
		for (guint i = 0; i < map->groups->len; i++) {
			const char *group = map->groups->pdata[i];
			const char *prefix = prefixes[pass];

			if (!g_str_has_prefix(group, prefix))
				continue;
			if (!load_source(c, kf, map, group,
					 pass == 1 ? CAV_MEDIA_AUDIO : CAV_MEDIA_VIDEO,
					 group + strlen(prefix), pass == 2, error))
				return FALSE;
		}
	}
	for (guint i = 0; i < map->groups->len; i++) {
		const char *group = map->groups->pdata[i];

		if (!g_str_equal(group, "courtavd") && !g_str_equal(group, "recording") &&
		    !g_str_equal(group, "storage") && !g_str_equal(group, "relay") &&
		    !g_str_equal(group, "program") && !g_str_equal(group, "voice") &&
		    !g_str_equal(group, "audio") && !g_str_has_prefix(group, "camera ") &&
		    !g_str_has_prefix(group, "microphone ") &&
		    !g_str_has_prefix(group, "evidence "))
			return fail(
				error, CAV_CONFIG_ERROR_UNKNOWN, map, group, NULL,
				"unknown section (known: courtavd, recording, program, voice, "
				"audio, storage, relay, camera ID, microphone ID, evidence ID)");
	}
	if (cav_config_n_cameras(c) == 0)
		return fail(error, CAV_CONFIG_ERROR_MISSING, map, "camera ID", NULL,
			    "at least one camera is needed");
	if (cav_config_n_cameras(c) > CAV_LAYOUT_MAX_CAMERAS)
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, "camera ID", NULL,
			    "%u cameras configured; the program composes at most %u",
			    cav_config_n_cameras(c), CAV_LAYOUT_MAX_CAMERAS);
	if (cav_layout_resolve(c->layout, cav_config_n_cameras(c), NULL) == NULL)
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, "recording", "layout",
			    "layout “%s” has %u panes but only %u cameras are configured: "
			    "choose a layout with fewer panes, or auto",
			    c->layout, cav_layout_n_panes(c->layout, cav_config_n_cameras(c)),
			    cav_config_n_cameras(c));
	return TRUE;
}

/* "true"/"false" and the usual synonyms; absent keeps *@out. */
static gboolean
get_bool(GKeyFile *kf, const LineMap *map, const char *group, const char *key, gboolean *out,
	 GError **error)
{
	static const char *const yes[] = {"true", "yes", "on", "1", NULL};
	static const char *const no[] = {"false", "no", "off", "0", NULL};
	g_autofree char *v = get_string(kf, group, key, NULL);

	if (v == NULL)
		return TRUE;
	if (g_strv_contains(yes, v))
		*out = TRUE;
	else if (g_strv_contains(no, v))
		*out = FALSE;
	else
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, group, key,
			    "“%s” is not true or false", v);
	return TRUE;
}

/* An overlay position key; absent gives @def. */
static gboolean
get_position(GKeyFile *kf, const LineMap *map, const char *key, const char *def, char **out,
	     GError **error)
{
	*out = get_string(kf, "program", key, def);
	if (!cav_layout_position_valid(*out))
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, "program", key,
			    "“%s” is not top-left, top-right, bottom-left or bottom-right", *out);
	return TRUE;
}

/* A camera id key of @group; absent leaves *@out NULL. */
static gboolean
get_camera(const CavConfig *c, GKeyFile *kf, const LineMap *map, const char *group, const char *key,
	   char **out, GError **error)
{
	*out = get_string(kf, group, key, NULL);
	if (*out != NULL && cav_config_camera_index(c, *out) < 0)
		return fail(error, CAV_CONFIG_ERROR_VALUE, map, group, key,
			    "“%s” is not a configured camera", *out);
	return TRUE;
}

/* [program]: overlays and the main camera. */
static gboolean
load_program(CavConfig *c, GKeyFile *kf, const LineMap *map, GError **error)
{
	const char *g = "program";
	g_autofree char *def_caption = c->overlay_text
					       ? g_strdup(c->overlay_text)
					       : g_strdup_printf("%s%s%s", c->court ? c->court : "",
								 c->court ? " " : "", c->room_name);

	/* [recording] overlay_text (older configs) replaced court, room and case. */
	c->show_case = c->overlay_text == NULL;
	c->overlays.clock = TRUE;
	if (g_key_file_has_group(kf, g) && !check_known_keys(kf, map, g, program_keys, error))
		return FALSE;
	c->caption = get_string(kf, g, "caption", def_caption);
	if (c->caption != NULL && c->caption[0] == '\0')
		g_clear_pointer(&c->caption, g_free);
	c->text = get_string(kf, g, "text", NULL);
	c->font = get_string(kf, g, "font", NULL);
	if (!get_bool(kf, map, g, "show_case", &c->show_case, error) ||
	    !get_bool(kf, map, g, "clock", &c->overlays.clock, error) ||
	    !get_position(kf, map, "caption_position", "top-left", &c->caption_position, error) ||
	    !get_position(kf, map, "text_position", "bottom-right", &c->text_position, error) ||
	    !get_position(kf, map, "clock_position", "bottom-left", &c->clock_position, error) ||
	    !get_camera(c, kf, map, g, "main_camera", &c->main_camera, error))
		return FALSE;
	c->overlays.caption = c->caption;
	c->overlays.text = c->text;
	c->overlays.caption_position = c->caption_position;
	c->overlays.text_position = c->text_position;
	c->overlays.clock_position = c->clock_position;
	c->overlays.font = c->font;
	return TRUE;
}

/* The judge's camera (a microphone or camera with role judge), else the
 * first camera: where the program goes when nobody speaks. */
static const char *
default_fallback(const CavConfig *c)
{
	const char *first = NULL;

	for (guint i = 0; i < c->sources->len; i++) {
		const CavSourceSpec *s = c->sources->pdata[i];
		const char *cam = s->kind == CAV_MEDIA_AUDIO
					  ? g_hash_table_lookup(c->mic_camera, s->id)
					  : s->id;

		if (s->kind == CAV_MEDIA_VIDEO && first == NULL)
			first = s->id;
		if (cam != NULL && g_strcmp0(s->role, "judge") == 0)
			return cam;
	}
	return first;
}

/* [voice] and the microphones' "camera" keys. */
static gboolean
load_voice(CavConfig *c, GKeyFile *kf, const LineMap *map, GError **error)
{
	const char *g = "voice";
	GHashTableIter iter;
	gpointer mic, cam;
	g_autofree char *group = NULL;

	g_hash_table_iter_init(&iter, c->mic_camera);
	while (g_hash_table_iter_next(&iter, &mic, &cam)) {
		if (cav_config_camera_index(c, cam) < 0) {
			g_free(group);
			group = g_strconcat("microphone ", (char *)mic, NULL);
			return fail(error, CAV_CONFIG_ERROR_VALUE, map, group, "camera",
				    "“%s” is not a configured camera", (char *)cam);
		}
	}
	c->voice = (CavVadConfig){.speech_db = -45,
				  .dominance_db = 6,
				  .hold_in_ms = 800,
				  .min_hold_ms = 3000,
				  .silence_ms = 5000};
	c->voice_enabled = g_hash_table_size(c->mic_camera) > 0;
	if (g_key_file_has_group(kf, g) &&
	    (!check_known_keys(kf, map, g, voice_keys, error) ||
	     !get_bool(kf, map, g, "enabled", &c->voice_enabled, error) ||
	     !get_double(kf, map, g, voice_keys, "speech_db", &c->voice.speech_db, error) ||
	     !get_double(kf, map, g, voice_keys, "dominance_db", &c->voice.dominance_db, error) ||
	     !get_uint(kf, map, g, voice_keys, "hold_in_ms", &c->voice.hold_in_ms, error) ||
	     !get_uint(kf, map, g, voice_keys, "min_hold_ms", &c->voice.min_hold_ms, error) ||
	     !get_uint(kf, map, g, voice_keys, "silence_ms", &c->voice.silence_ms, error) ||
	     !get_camera(c, kf, map, g, "fallback", &c->voice_fallback, error)))
		return FALSE;
	if (c->voice_enabled && g_hash_table_size(c->mic_camera) == 0)
		return fail(error, CAV_CONFIG_ERROR_MISSING, map, g, "enabled",
			    "voice switching needs “camera = ID” in at least one [microphone] "
			    "section");
	if (c->voice_fallback == NULL)
		c->voice_fallback = g_strdup(default_fallback(c));
	c->voice.fallback = (guint)MAX(cav_config_camera_index(c, c->voice_fallback), 0);
	return TRUE;
}

/* [audio]: role tracks and microphone alarms. */
static gboolean
load_audio(CavConfig *c, GKeyFile *kf, const LineMap *map, GError **error)
{
	const char *g = "audio";
	g_autofree char *roles =
		get_string(kf, g, "role_tracks", "judge, prosecution, plaintiff, defence");
	guint silent_s = 10, clear_s = 5;
	g_auto(GStrv) tracks = NULL;

	c->mic_watch = (CavMicWatchConfig){.silent_db = -60, .speech_db = -45, .clip_db = -1};
	if (g_key_file_has_group(kf, g) &&
	    (!check_known_keys(kf, map, g, audio_keys, error) ||
	     !get_double(kf, map, g, audio_keys, "silent_db", &c->mic_watch.silent_db, error) ||
	     !get_uint(kf, map, g, audio_keys, "silent_seconds", &silent_s, error) ||
	     !get_double(kf, map, g, audio_keys, "speech_db", &c->mic_watch.speech_db, error) ||
	     !get_double(kf, map, g, audio_keys, "clip_db", &c->mic_watch.clip_db, error) ||
	     !get_uint(kf, map, g, audio_keys, "clip_clear_seconds", &clear_s, error)))
		return FALSE;
	c->mic_watch.silent_ms = silent_s * 1000;
	c->mic_watch.clear_ms = clear_s * 1000;
	c->role_tracks = g_strsplit(roles, ",", -1);
	for (guint i = 0; c->role_tracks[i] != NULL; i++) {
		g_strstrip(c->role_tracks[i]);
		if (!valid_id(c->role_tracks[i], 16))
			return fail(error, CAV_CONFIG_ERROR_VALUE, map, g, "role_tracks",
				    "“%s” is not a role name (1–16 letters, digits, '-' or '_', "
				    "comma-separated)",
				    c->role_tracks[i]);
	}
	/* A role track must not take a camera's track name. */
	tracks = cav_recorder_role_tracks(c->sources, (const char *const *)c->role_tracks);
	for (guint i = 0; tracks[i] != NULL; i++)
		if (cav_config_camera_index(c, tracks[i]) >= 0 ||
		    cav_config_evidence(c, tracks[i]) != NULL)
			return fail(error, CAV_CONFIG_ERROR_VALUE, map, g, "role_tracks",
				    "the track “%s” would have the name of a camera or an "
				    "evidence input",
				    tracks[i]);
	return TRUE;
}

CavConfig *
cav_config_load_data(const char *path, const char *data, gsize len, GError **error)
{
	g_autoptr(CavConfig) c = g_new0(CavConfig, 1);
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) local = NULL;
	g_autofree char *text = g_strndup(data, len);
	LineMap map = {path, g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
		       g_ptr_array_new_with_free_func(g_free)};
	gboolean ok;

	c->path = g_strdup(path);
	c->sources = g_ptr_array_new_with_free_func((GDestroyNotify)cav_source_spec_free);
	c->evidence = g_ptr_array_new_with_free_func((GDestroyNotify)cav_source_spec_free);
	c->mic_camera = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	if (!g_utf8_validate(text, -1, NULL)) {
		g_set_error(error, CAV_CONFIG_ERROR, CAV_CONFIG_ERROR_SYNTAX,
			    "%s: not UTF-8 text (save it as UTF-8)", path);
		ok = FALSE;
	} else if (!scan_lines(&map, text, error)) {
		ok = FALSE;
	} else if (!g_key_file_load_from_data(kf, text, strlen(text), G_KEY_FILE_NONE, &local)) {
		g_set_error(error, CAV_CONFIG_ERROR, CAV_CONFIG_ERROR_SYNTAX, "%s: %s", path,
			    local->message);
		ok = FALSE;
	} else {
		ok = load_daemon(c, kf, &map, error) && load_recording(c, kf, &map, error) &&
		     load_storage(c, kf, &map, error) && load_relay(c, kf, &map, error) &&
		     load_sections(c, kf, &map, error) && load_capture_groups(c, &map, error) &&
		     load_program(c, kf, &map, error) && load_voice(c, kf, &map, error) &&
		     load_audio(c, kf, &map, error);
	}
	g_hash_table_unref(map.lines);
	g_ptr_array_unref(map.groups);
	return ok ? g_steal_pointer(&c) : NULL;
}

CavConfig *
cav_config_load(const char *path, GError **error)
{
	g_autofree char *data = NULL;
	gsize len = 0;
	g_autoptr(GError) local = NULL;

	if (!g_file_get_contents(path, &data, &len, &local)) {
		g_set_error(error, CAV_CONFIG_ERROR, CAV_CONFIG_ERROR_IO, "%s", local->message);
		return NULL;
	}
	return cav_config_load_data(path, data, len, error);
}

void
cav_config_free(CavConfig *c)
{
	if (c == NULL)
		return;
	g_free(c->path);
	g_free(c->room_id);
	g_free(c->room_name);
	g_free(c->court);
	g_free(c->state_dir);
	g_free(c->media_dir);
	g_free(c->listen_host);
	g_free(c->sig_alg);
	g_free(c->panel_host);
	g_free(c->tls_certificate);
	g_free(c->tls_key);
	g_free(c->ui_dir);
	g_free(c->x264_preset);
	g_free(c->layout);
	g_free(c->overlay_text);
	g_free(c->caption);
	g_free(c->text);
	g_free(c->caption_position);
	g_free(c->text_position);
	g_free(c->clock_position);
	g_free(c->font);
	g_free(c->main_camera);
	g_free(c->voice_fallback);
	g_clear_pointer(&c->mic_camera, g_hash_table_unref);
	g_strfreev(c->role_tracks);
	if (c->sources != NULL)
		g_ptr_array_unref(c->sources);
	if (c->evidence != NULL)
		g_ptr_array_unref(c->evidence);
	g_free(c->relay_url);
	g_free(c->relay_token);
	g_free(c->relay_ca_file);
	g_free(c->relay_suite);
	g_free(c);
}

const CavSourceSpec *
cav_config_evidence(const CavConfig *c, const char *id)
{
	for (guint i = 0; id != NULL && i < c->evidence->len; i++)
		if (g_str_equal(((CavSourceSpec *)c->evidence->pdata[i])->id, id))
			return c->evidence->pdata[i];
	return NULL;
}

guint
cav_config_n_cameras(const CavConfig *c)
{
	guint n = 0;

	for (guint i = 0; i < c->sources->len; i++)
		if (((CavSourceSpec *)c->sources->pdata[i])->kind == CAV_MEDIA_VIDEO)
			n++;
	return n;
}

gint
cav_config_camera_index(const CavConfig *c, const char *id)
{
	gint n = 0;

	for (guint i = 0; id != NULL && i < c->sources->len; i++) {
		const CavSourceSpec *s = c->sources->pdata[i];

		if (s->kind != CAV_MEDIA_VIDEO)
			continue;
		if (g_str_equal(s->id, id))
			return n;
		n++;
	}
	return -1;
}

guint64
cav_config_bytes_per_hour(const CavConfig *c)
{
	guint ncam = cav_config_n_cameras(c);
	gboolean audio = c->sources->len > ncam;
	guint64 kbps = (guint64)ncam * c->format.camera_kbps + c->format.program_kbps;

	if (audio) { /* the mix rides in every video file and in its own track */
		g_auto(GStrv) roles =
			cav_recorder_role_tracks(c->sources, (const char *const *)c->role_tracks);

		kbps += (guint64)(ncam + 2 + g_strv_length(roles)) * c->format.audio_kbps;
	}
	return kbps * 1000 / 8 * 3600 * 102 / 100;
}

gboolean
cav_config_check_devices(const CavConfig *c, GError **error)
{
	g_autofree char *text = NULL;
	LineMap map = {c->path, g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
		       g_ptr_array_new_with_free_func(g_free)};
	gboolean ok =
		g_file_get_contents(c->path, &text, NULL, error) && scan_lines(&map, text, error);

	for (guint i = 0; ok && i < c->sources->len + c->evidence->len; i++) {
		gboolean evidence = i >= c->sources->len;
		const CavSourceSpec *spec =
			evidence ? g_ptr_array_index(c->evidence, i - c->sources->len)
				 : g_ptr_array_index(c->sources, i);
		g_autoptr(GError) local = NULL;

		if (!cav_source_probe(spec, &c->format.camera, &local))
			ok = fail_source(error, &map, spec, evidence, local);
	}
	g_hash_table_unref(map.lines);
	g_ptr_array_unref(map.groups);
	return ok;
}
