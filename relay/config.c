/* config.c — reading and validating courtav-relay's INI file.
 *
 * The same two passes as courtavd's config.c: scan_lines() checks the
 * syntax and remembers each key's line (GKeyFile reports neither lines nor
 * duplicates), then values are read through GKeyFile and checked against
 * the tables below, so every message can say FILE:LINE. Main thread only.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

/* The first argument is stringified: the error domain's name. */
/* clang-format off */
G_DEFINE_QUARK(cav-relay-config-error-quark, cav_relay_config_error)
/* clang-format on */

typedef enum { KEY_STRING, KEY_UINT } KeyType;

typedef struct {
	const char *name;
	KeyType type;
	double min;
	double max;
} KeySpec;

static const KeySpec relay_keys[] = {
	{"name", KEY_STRING, 0, 0},
	{"state_dir", KEY_STRING, 0, 0},
	{"listen", KEY_STRING, 0, 0},
	{"tls_certificate", KEY_STRING, 0, 0},
	{"tls_key", KEY_STRING, 0, 0},
	{"ui_dir", KEY_STRING, 0, 0},
	{"session_minutes", KEY_UINT, 1, 10080},
	{"lockout_seconds", KEY_UINT, 1, 86400},
	{"enrollment_minutes", KEY_UINT, 1, 43200},
	{"heartbeat_timeout_seconds", KEY_UINT, 3, 3600},
	{"signature_window_seconds", KEY_UINT, 5, 3600},
	{NULL, 0, 0, 0},
};

static const KeySpec media_keys[] = {
	{"listen", KEY_STRING, 0, 0},
	{"advertise", KEY_STRING, 0, 0},
	{"workers", KEY_UINT, 1, 64},
	{"queue_packets", KEY_UINT, 16, 65536},
	{"max_subscribers", KEY_UINT, 1, 100000},
	{NULL, 0, 0, 0},
};

/* [public] belongs to the public outputs (HLS, watch page, delay, cut):
 * one line per key here; their values are checked by their reader. */
static const KeySpec public_keys[] = {
	{"enabled", KEY_STRING, 0, 0},        {"hls_dir", KEY_STRING, 0, 0},
	{"segment_ms", KEY_UINT, 500, 10000}, {"delay_seconds", KEY_UINT, 0, 600},
	{"slate_text", KEY_STRING, 0, 0},     {"url_secret", KEY_STRING, 0, 0},
	{"url_minutes", KEY_UINT, 1, 10080},  {"width", KEY_UINT, 160, 3840},
	{"height", KEY_UINT, 120, 2160},      {"fps", KEY_UINT, 1, 60},
	{"video_kbps", KEY_UINT, 100, 20000}, {"audio_kbps", KEY_UINT, 16, 320},
	{"x264_preset", KEY_STRING, 0, 0},    {"window", KEY_UINT, 3, 60},
	{"vendor_dir", KEY_STRING, 0, 0},     {NULL, 0, 0, 0},
};

typedef struct {
	const char *path;
	GHashTable *lines; /* "group\x1fkey" -> line (owned) */
	GPtrArray *groups; /* in file order (owned) */
} LineMap;

static guint
line_of(const LineMap *map, const char *group, const char *key)
{
	g_autofree char *k = g_strdup_printf("%s\x1f%s", group, key ? key : "");

	return GPOINTER_TO_UINT(g_hash_table_lookup(map->lines, k));
}

static gboolean G_GNUC_PRINTF(6, 7)
	fail(GError **error, CavRelayConfigError code, const LineMap *map, const char *group,
	     const char *key, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	guint line = line_of(map, group, key);
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (line > 0)
		g_set_error(error, CAV_RELAY_CONFIG_ERROR, code, "%s:%u: [%s]%s%s: %s", map->path,
			    line, group, key ? " " : "", key ? key : "", msg);
	else
		g_set_error(error, CAV_RELAY_CONFIG_ERROR, code, "%s: [%s]%s%s: %s", map->path,
			    group, key ? " " : "", key ? key : "", msg);
	return FALSE;
}

static gboolean
syntax(GError **error, const LineMap *map, guint lineno, const char *msg, const char *what)
{
	g_set_error(error, CAV_RELAY_CONFIG_ERROR, CAV_RELAY_CONFIG_ERROR_SYNTAX, "%s:%u: %s%s",
		    map->path, lineno, msg, what ? what : "");
	return FALSE;
}

static gboolean
scan_lines(LineMap *map, const char *data, GError **error)
{
	g_auto(GStrv) lines = g_strsplit(data, "\n", -1);
	g_autofree char *group = NULL;

	for (guint i = 0; lines[i] != NULL; i++) {
		g_autofree char *line = g_strstrip(g_strdup(lines[i]));
		g_autofree char *k = NULL;
		char *eq;

		if (line[0] == '\0' || line[0] == '#' || line[0] == ';')
			continue;
		if (line[0] == '[') {
			gsize n = strlen(line);

			if (n < 3 || line[n - 1] != ']')
				return syntax(error, map, i + 1,
					      "malformed section header: ", line);
			g_free(group);
			group = g_strstrip(g_strndup(line + 1, n - 2));
			k = g_strdup_printf("%s\x1f", group);
			if (g_hash_table_contains(map->lines, k))
				return syntax(error, map, i + 1, "section appears twice: ", group);
			g_hash_table_insert(map->lines, g_steal_pointer(&k),
					    GUINT_TO_POINTER(i + 1));
			g_ptr_array_add(map->groups, g_strdup(group));
			continue;
		}
		eq = strchr(line, '=');
		if (eq == NULL || eq == line)
			return syntax(error, map, i + 1,
				      "not “key = value”, a [section] or a # comment: ", line);
		if (group == NULL)
			return syntax(error, map, i + 1, "a key before any [section]", NULL);
		*eq = '\0';
		k = g_strdup_printf("%s\x1f%s", group, g_strstrip(line));
		if (g_hash_table_contains(map->lines, k))
			return syntax(error, map, i + 1, "key set twice: ", line);
		g_hash_table_insert(map->lines, g_steal_pointer(&k), GUINT_TO_POINTER(i + 1));
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

static gboolean
check_known_keys(GKeyFile *kf, const LineMap *map, const char *group, const KeySpec *specs,
		 GError **error)
{
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);

	for (guint i = 0; keys && keys[i]; i++)
		if (find_spec(specs, keys[i]) == NULL)
			return fail(error, CAV_RELAY_CONFIG_ERROR_UNKNOWN, map, group, keys[i],
				    "unknown key (check the spelling; see "
				    "courtav-relay.example.ini)");
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
		return TRUE;
	g_strstrip(text);
	errno = 0;
	v = g_ascii_strtoull(text, &end, 10);
	if (text[0] == '\0' || text[0] == '-' || *end != '\0' || errno != 0)
		return fail(error, CAV_RELAY_CONFIG_ERROR_VALUE, map, group, key,
			    "“%s” is not a whole number", text);
	if ((double)v < spec->min || (double)v > spec->max)
		return fail(error, CAV_RELAY_CONFIG_ERROR_VALUE, map, group, key,
			    "%" G_GUINT64_FORMAT " is out of range (%.0f–%.0f)", v, spec->min,
			    spec->max);
	*out = (guint)v;
	return TRUE;
}

static char *
get_string(GKeyFile *kf, const char *group, const char *key, const char *def)
{
	char *v = g_key_file_get_string(kf, group, key, NULL);

	return v != NULL ? g_strstrip(v) : g_strdup(def);
}

/* "ADDRESS:PORT" with an IP address; "[::1]:8790" for IPv6. */
static gboolean
parse_listen(const LineMap *map, const char *group, const char *key, const char *text, char **host,
	     guint *out_port, GError **error)
{
	const char *colon = strrchr(text, ':');
	char *end = NULL;
	guint64 port;

	if (colon == NULL || colon == text)
		return fail(error, CAV_RELAY_CONFIG_ERROR_VALUE, map, group, key,
			    "“%s” is not ADDRESS:PORT (e.g. 127.0.0.1:8790)", text);
	port = g_ascii_strtoull(colon + 1, &end, 10);
	if (*end != '\0' || colon[1] == '\0' || port > 65535)
		return fail(error, CAV_RELAY_CONFIG_ERROR_VALUE, map, group, key,
			    "port in “%s” must be 0–65535", text);
	g_free(*host);
	if (text[0] == '[' && colon > text + 1 && colon[-1] == ']')
		*host = g_strndup(text + 1, colon - text - 2);
	else
		*host = g_strndup(text, colon - text);
	if (!g_hostname_is_ip_address(*host))
		return fail(error, CAV_RELAY_CONFIG_ERROR_VALUE, map, group, key,
			    "“%s” is not an IP address", *host);
	*out_port = (guint)port;
	return TRUE;
}

static gboolean
load_relay(CavRelayConfig *c, GKeyFile *kf, const LineMap *map, GError **error)
{
	const char *g = "relay";
	g_autofree char *listen = NULL;

	if (!g_key_file_has_group(kf, g))
		return fail(error, CAV_RELAY_CONFIG_ERROR_MISSING, map, g, NULL,
			    "section missing: it names the state folder");
	if (!check_known_keys(kf, map, g, relay_keys, error))
		return FALSE;
	c->name = get_string(kf, g, "name", "courtav-relay");
	c->state_dir = get_string(kf, g, "state_dir", NULL);
	if (c->state_dir == NULL || !g_path_is_absolute(c->state_dir))
		return fail(error,
			    c->state_dir ? CAV_RELAY_CONFIG_ERROR_VALUE
					 : CAV_RELAY_CONFIG_ERROR_MISSING,
			    map, g, "state_dir", "required, as an absolute path");
	listen = get_string(kf, g, "listen", "127.0.0.1:8790");
	if (!parse_listen(map, g, "listen", listen, &c->listen_host, &c->listen_port, error))
		return FALSE;
	c->tls_certificate = get_string(kf, g, "tls_certificate", NULL);
	c->tls_key = get_string(kf, g, "tls_key", NULL);
	if ((c->tls_certificate == NULL) != (c->tls_key == NULL))
		return fail(error, CAV_RELAY_CONFIG_ERROR_MISSING, map, g,
			    c->tls_key ? "tls_key" : "tls_certificate",
			    "tls_certificate and tls_key go together");
	c->ui_dir = get_string(kf, g, "ui_dir", NULL);
	if (c->ui_dir != NULL && !g_path_is_absolute(c->ui_dir))
		return fail(error, CAV_RELAY_CONFIG_ERROR_VALUE, map, g, "ui_dir",
			    "must be an absolute path");
	c->session_minutes = 12 * 60;
	c->lockout_seconds = 300;
	c->enrollment_minutes = 24 * 60;
	c->heartbeat_timeout_s = 15;
	c->signature_window_s = 60;
	return get_uint(kf, map, g, relay_keys, "session_minutes", &c->session_minutes, error) &&
	       get_uint(kf, map, g, relay_keys, "lockout_seconds", &c->lockout_seconds, error) &&
	       get_uint(kf, map, g, relay_keys, "enrollment_minutes", &c->enrollment_minutes,
			error) &&
	       get_uint(kf, map, g, relay_keys, "heartbeat_timeout_seconds",
			&c->heartbeat_timeout_s, error) &&
	       get_uint(kf, map, g, relay_keys, "signature_window_seconds", &c->signature_window_s,
			error);
}

static gboolean
load_media(CavRelayConfig *c, GKeyFile *kf, const LineMap *map, GError **error)
{
	const char *g = "media";
	g_autofree char *listen = NULL;

	c->workers = 2;
	c->queue_packets = 512;
	c->max_subscribers = 1000;
	if (g_key_file_has_group(kf, g) &&
	    (!check_known_keys(kf, map, g, media_keys, error) ||
	     !get_uint(kf, map, g, media_keys, "workers", &c->workers, error) ||
	     !get_uint(kf, map, g, media_keys, "queue_packets", &c->queue_packets, error) ||
	     !get_uint(kf, map, g, media_keys, "max_subscribers", &c->max_subscribers, error)))
		return FALSE;
	listen = get_string(kf, g, "listen", "0.0.0.0:5004");
	if (!parse_listen(map, g, "listen", listen, &c->media_host, &c->media_port, error))
		return FALSE;
	c->media_advertise = get_string(kf, g, "advertise", NULL);
	/* "IP" or "IP:PORT" (a port forwarded to this one, e.g. through NAT). */
	if (c->media_advertise != NULL && !g_hostname_is_ip_address(c->media_advertise)) {
		g_autofree char *text = g_steal_pointer(&c->media_advertise);

		if (!parse_listen(map, g, "advertise", text, &c->media_advertise,
				  &c->media_advertise_port, error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
load_public(CavRelayConfig *c, GKeyFile *kf, const LineMap *map, GError **error)
{
	const char *g = "public";
	g_auto(GStrv) keys = NULL;

	c->public_keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	if (!g_key_file_has_group(kf, g))
		return TRUE;
	if (!check_known_keys(kf, map, g, public_keys, error))
		return FALSE;
	keys = g_key_file_get_keys(kf, g, NULL, NULL);
	for (guint i = 0; keys && keys[i]; i++) {
		const KeySpec *spec = find_spec(public_keys, keys[i]);
		guint dummy = 0;

		if (spec->type == KEY_UINT &&
		    !get_uint(kf, map, g, public_keys, keys[i], &dummy, error))
			return FALSE;
		g_hash_table_insert(c->public_keys, g_strdup(keys[i]),
				    get_string(kf, g, keys[i], ""));
	}
	return TRUE;
}

static gboolean
check_sections(const LineMap *map, GError **error)
{
	static const char *const known[] = {"relay", "media", "public", NULL};

	for (guint i = 0; i < map->groups->len; i++)
		if (!g_strv_contains(known, map->groups->pdata[i]))
			return fail(error, CAV_RELAY_CONFIG_ERROR_UNKNOWN, map,
				    map->groups->pdata[i], NULL,
				    "unknown section (known: relay, media, public)");
	return TRUE;
}

CavRelayConfig *
cav_relay_config_load_data(const char *path, const char *data, gsize len, GError **error)
{
	g_autoptr(CavRelayConfig) c = g_new0(CavRelayConfig, 1);
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) local = NULL;
	g_autofree char *text = g_strndup(data, len);
	LineMap map = {path, g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
		       g_ptr_array_new_with_free_func(g_free)};
	gboolean ok;

	c->path = g_strdup(path);
	if (strlen(text) != len || !g_utf8_validate(text, -1, NULL)) {
		g_set_error(error, CAV_RELAY_CONFIG_ERROR, CAV_RELAY_CONFIG_ERROR_SYNTAX,
			    "%s: not UTF-8 text (save it as UTF-8)", path);
		ok = FALSE;
	} else if (!scan_lines(&map, text, error)) {
		ok = FALSE;
	} else if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &local)) {
		g_set_error(error, CAV_RELAY_CONFIG_ERROR, CAV_RELAY_CONFIG_ERROR_SYNTAX, "%s: %s",
			    path, local->message);
		ok = FALSE;
	} else {
		ok = check_sections(&map, error) && load_relay(c, kf, &map, error) &&
		     load_media(c, kf, &map, error) && load_public(c, kf, &map, error);
	}
	g_hash_table_unref(map.lines);
	g_ptr_array_unref(map.groups);
	return ok ? g_steal_pointer(&c) : NULL;
}

CavRelayConfig *
cav_relay_config_load(const char *path, GError **error)
{
	g_autofree char *data = NULL;
	g_autoptr(GError) local = NULL;
	gsize len = 0;

	if (!g_file_get_contents(path, &data, &len, &local)) {
		g_set_error(error, CAV_RELAY_CONFIG_ERROR, CAV_RELAY_CONFIG_ERROR_IO, "%s",
			    local->message);
		return NULL;
	}
	return cav_relay_config_load_data(path, data, len, error);
}

void
cav_relay_config_free(CavRelayConfig *c)
{
	if (c == NULL)
		return;
	g_free(c->path);
	g_free(c->name);
	g_free(c->state_dir);
	g_free(c->listen_host);
	g_free(c->tls_certificate);
	g_free(c->tls_key);
	g_free(c->ui_dir);
	g_free(c->media_host);
	g_free(c->media_advertise);
	g_clear_pointer(&c->public_keys, g_hash_table_unref);
	g_free(c);
}
