/* source.c — the table of capture backends and the checks shared by all of them.
 *
 * Validation is split in two: the generic part here (backend exists, it can
 * capture the requested kind, the id is usable as a track and folder name,
 * every key is one the backend declares) and the backend's own value checks.
 * That keeps every backend's validate() short and makes unknown-key errors
 * uniform across backends.
 *
 * Main thread only. Owns nothing but the specs it allocates for callers.
 */
#include "source.h"
#include "source-backends.h"

#include <string.h>

/* The first argument is stringified: the error domain's name. */
/* clang-format off */
G_DEFINE_QUARK(cav-source-error-quark, cav_source_error)
/* clang-format on */

/* Adding a backend: one source-<name>.c and one line here. */
static const CavSourceBackend *const backends[] = {
	&cav_source_backend_test, &cav_source_backend_rtsp, &cav_source_backend_v4l2,
	&cav_source_backend_alsa, &cav_source_backend_file, NULL,
};

/* The recorder names a folder and a file after the id, and uses two track
 * names of its own; reject anything that could escape the folder, collide
 * with those tracks or confuse a shell. */
#define CAV_SOURCE_ID_MAX 32

CavSourceSpec *
cav_source_spec_new(const char *id, CavMediaKind kind, const char *backend)
{
	CavSourceSpec *spec = g_new0(CavSourceSpec, 1);

	spec->id = g_strdup(id);
	spec->kind = kind;
	spec->backend = g_strdup(backend);
	spec->params = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	return spec;
}

void
cav_source_spec_free(CavSourceSpec *spec)
{
	if (spec == NULL)
		return;
	g_free(spec->id);
	g_free(spec->label);
	g_free(spec->role);
	g_free(spec->backend);
	g_clear_pointer(&spec->params, g_hash_table_unref);
	g_free(spec);
}

const CavSourceBackend *
cav_source_backend_lookup(const char *name)
{
	if (name == NULL)
		return NULL;
	for (guint i = 0; backends[i] != NULL; i++) {
		if (strcmp(backends[i]->name, name) == 0)
			return backends[i];
	}
	return NULL;
}

const CavSourceBackend *const *
cav_source_backends(void)
{
	return backends;
}

static const char *
kind_noun(CavMediaKind kind)
{
	return kind == CAV_MEDIA_AUDIO ? "microphone" : "camera";
}

static gboolean
id_is_valid(const char *id)
{
	gsize len;

	if (id == NULL)
		return FALSE;
	len = strlen(id);
	if (len == 0 || len > CAV_SOURCE_ID_MAX || !g_ascii_isalnum(id[0]))
		return FALSE;
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isalnum(id[i]) && id[i] != '-' && id[i] != '_')
			return FALSE;
	}
	/* "program" and "audio" are the recorder's own tracks. */
	return strcmp(id, "program") != 0 && strcmp(id, "audio") != 0;
}

/* Keys of the health watchdog, valid for every backend. */
static const char *const common_keys[] = {CAV_SOURCE_KEY_LOST_AFTER, NULL};

static gboolean
key_is_declared(const CavSourceBackend *backend, const char *key)
{
	if (g_strv_contains(common_keys, key))
		return TRUE;
	for (guint i = 0; backend->param_keys != NULL && backend->param_keys[i] != NULL; i++) {
		if (strcmp(backend->param_keys[i], key) == 0)
			return TRUE;
	}
	return FALSE;
}

static gboolean
check_common(const CavSourceSpec *spec, GError **error)
{
	const char *v = g_hash_table_lookup(spec->params, CAV_SOURCE_KEY_LOST_AFTER);
	guint64 ms;

	if (v != NULL && (!g_ascii_string_to_unsigned(v, 10, 200, 60000, &ms, NULL))) {
		g_set_error(error, CAV_SOURCE_ERROR, CAV_SOURCE_ERROR_BAD_PARAM,
			    "Source \"%s\": invalid key \"%s\": \"%s\" is not a number of "
			    "milliseconds from 200 to 60000",
			    spec->id, CAV_SOURCE_KEY_LOST_AFTER, v);
		return FALSE;
	}
	return TRUE;
}

static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Checks keys in sorted order so the same config always reports the same key. */
static gboolean
check_keys(const CavSourceSpec *spec, const CavSourceBackend *backend, GError **error)
{
	g_autofree const char **keys = NULL;
	guint n = 0;

	if (spec->params == NULL)
		return TRUE;
	keys = (const char **)g_hash_table_get_keys_as_array(spec->params, &n);
	qsort(keys, n, sizeof(*keys), compare_strings);
	for (guint i = 0; i < n; i++) {
		if (!key_is_declared(backend, keys[i])) {
			g_autofree char *known =
				backend->param_keys != NULL
					? g_strjoinv(", ", (char **)backend->param_keys)
					: g_strdup("none");

			g_set_error(error, CAV_SOURCE_ERROR, CAV_SOURCE_ERROR_BAD_PARAM,
				    "Source \"%s\": unknown key \"%s\" for backend \"%s\" "
				    "(accepted keys: %s)",
				    spec->id, keys[i], backend->name, known);
			return FALSE;
		}
	}
	return TRUE;
}

gboolean
cav_source_validate(const CavSourceSpec *spec, GError **error)
{
	const CavSourceBackend *backend;

	g_return_val_if_fail(spec != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	backend = cav_source_backend_lookup(spec->backend);
	if (backend == NULL) {
		g_set_error(error, CAV_SOURCE_ERROR, CAV_SOURCE_ERROR_UNKNOWN_BACKEND,
			    "Source \"%s\": unknown backend \"%s\" in key \"backend\"",
			    spec->id ? spec->id : "(no id)",
			    spec->backend ? spec->backend : "(none)");
		return FALSE;
	}
	if (spec->kind != CAV_MEDIA_VIDEO && spec->kind != CAV_MEDIA_AUDIO) {
		g_set_error(error, CAV_SOURCE_ERROR, CAV_SOURCE_ERROR_WRONG_KIND,
			    "Source \"%s\": must be either a camera or a microphone",
			    spec->id ? spec->id : "(no id)");
		return FALSE;
	}
	if ((backend->kinds & spec->kind) == 0) {
		g_set_error(error, CAV_SOURCE_ERROR, CAV_SOURCE_ERROR_WRONG_KIND,
			    "Source \"%s\": backend \"%s\" cannot be used for a %s",
			    spec->id ? spec->id : "(no id)", backend->name, kind_noun(spec->kind));
		return FALSE;
	}
	if (!id_is_valid(spec->id)) {
		g_set_error(
			error, CAV_SOURCE_ERROR, CAV_SOURCE_ERROR_BAD_PARAM,
			"Source \"%s\": invalid key \"id\": use 1-%d letters, digits, '-' or "
			"'_', starting with a letter or digit, and not \"program\" or \"audio\"",
			spec->id ? spec->id : "(no id)", CAV_SOURCE_ID_MAX);
		return FALSE;
	}
	if (!check_keys(spec, backend, error) || !check_common(spec, error))
		return FALSE;
	return backend->validate == NULL || backend->validate(spec, error);
}

CavSourceSpec *
cav_source_spec_copy(const CavSourceSpec *spec)
{
	CavSourceSpec *copy = cav_source_spec_new(spec->id, spec->kind, spec->backend);
	GHashTableIter it;
	gpointer k, v;

	copy->label = g_strdup(spec->label);
	copy->role = g_strdup(spec->role);
	if (spec->params != NULL) {
		g_hash_table_iter_init(&it, spec->params);
		while (g_hash_table_iter_next(&it, &k, &v))
			g_hash_table_insert(copy->params, g_strdup(k), g_strdup(v));
	}
	return copy;
}

gboolean
cav_source_has_encoded(const CavSourceSpec *spec)
{
	const CavSourceBackend *backend = cav_source_backend_lookup(spec->backend);
	gboolean (*has)(const CavSourceSpec *) =
		backend ? CAV_SOURCE_BACKEND_HOOK(backend, has_encoded) : NULL;

	return has != NULL && spec->kind == CAV_MEDIA_VIDEO && has(spec);
}

char *
cav_source_group_key(const CavSourceSpec *spec)
{
	const CavSourceBackend *backend = cav_source_backend_lookup(spec->backend);
	char *(*key)(const CavSourceSpec *) =
		backend ? CAV_SOURCE_BACKEND_HOOK(backend, group_key) : NULL;

	return key != NULL ? key(spec) : NULL;
}

gboolean
cav_source_probe(const CavSourceSpec *spec, const CavVideoFormat *video, GError **error)
{
	const CavSourceBackend *backend = cav_source_backend_lookup(spec->backend);
	gboolean (*probe)(const CavSourceSpec *, const CavVideoFormat *, GError **) =
		backend ? CAV_SOURCE_BACKEND_HOOK(backend, probe) : NULL;

	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);
	return probe == NULL || probe(spec, spec->kind == CAV_MEDIA_VIDEO ? video : NULL, error);
}

/* The specs of @all with group key @key, of one backend. */
static GPtrArray *
group_members(const GPtrArray *all, const char *backend, const char *key)
{
	GPtrArray *members = g_ptr_array_new();

	for (guint i = 0; i < all->len; i++) {
		const CavSourceSpec *s = g_ptr_array_index(all, i);
		g_autofree char *k = NULL;

		if (g_strcmp0(s->backend, backend) != 0)
			continue;
		k = cav_source_group_key(s);
		if (g_strcmp0(k, key) == 0)
			g_ptr_array_add(members, (gpointer)s);
	}
	return members;
}

/* The member of @members the error message names ("Source \"id\""). */
static const CavSourceSpec *
named_in(GPtrArray *members, const char *message)
{
	for (guint i = 0; i < members->len; i++) {
		const CavSourceSpec *s = g_ptr_array_index(members, i);
		g_autofree char *quoted = g_strdup_printf("Source \"%s\"", s->id);

		if (g_str_has_prefix(message, quoted))
			return s;
	}
	return g_ptr_array_index(members, 0);
}

gboolean
cav_source_validate_all(const GPtrArray *specs, const CavSourceSpec **failed, GError **error)
{
	g_autoptr(GHashTable) done = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	for (guint i = 0; i < specs->len; i++) {
		const CavSourceSpec *spec = g_ptr_array_index(specs, i);
		const CavSourceBackend *backend = cav_source_backend_lookup(spec->backend);
		gboolean (*check)(const CavSourceSpec *const *, guint, GError **);
		g_autofree char *key = cav_source_group_key(spec);
		g_autofree char *seen = NULL;
		g_autoptr(GPtrArray) members = NULL;

		if (key == NULL || backend == NULL)
			continue;
		seen = g_strconcat(spec->backend, "\x1f", key, NULL);
		if (!g_hash_table_add(done, g_steal_pointer(&seen)))
			continue;
		check = CAV_SOURCE_BACKEND_HOOK(backend, validate_group);
		members = group_members(specs, spec->backend, key);
		if (check != NULL &&
		    !check((const CavSourceSpec *const *)members->pdata, members->len, error)) {
			if (failed != NULL)
				*failed = named_in(members, (*error)->message);
			return FALSE;
		}
	}
	return TRUE;
}

GPtrArray *
cav_source_group_of(const GPtrArray *specs, const CavSourceSpec *spec)
{
	g_autofree char *key = cav_source_group_key(spec);

	if (key == NULL) {
		GPtrArray *alone = g_ptr_array_new();

		g_ptr_array_add(alone, (gpointer)spec);
		return alone;
	}
	return group_members(specs, spec->backend, key);
}

/* ---- helpers for the backends (source-backends.h) ------------------------ */

gboolean
cav_source_bad_param(GError **error, const CavSourceSpec *spec, const char *key, const char *why)
{
	g_set_error(error, CAV_SOURCE_ERROR, CAV_SOURCE_ERROR_BAD_PARAM,
		    "Source \"%s\": invalid key \"%s\": %s", spec->id, key, why);
	return FALSE;
}

GstElement *
cav_source_add_element(GstBin *bin, const char *factory, const CavSourceSpec *spec, GError **error)
{
	GstElement *el = gst_element_factory_make(factory, NULL);

	if (el == NULL) {
		g_set_error(error, CAV_SOURCE_ERROR, CAV_SOURCE_ERROR_MISSING_ELEMENT,
			    "Source \"%s\": GStreamer element \"%s\" is not installed", spec->id,
			    factory);
		return NULL;
	}
	gst_bin_add(bin, el);
	return el;
}

gboolean
cav_source_ghost_src(GstElement *bin, GstElement *last, const CavSourceSpec *spec, GError **error)
{
	g_autoptr(GstPad) pad = gst_element_get_static_pad(last, "src");

	if (pad == NULL || !gst_element_add_pad(bin, gst_ghost_pad_new("src", pad))) {
		g_set_error(error, CAV_SOURCE_ERROR, CAV_SOURCE_ERROR_MISSING_ELEMENT,
			    "Source \"%s\": could not expose the source pad", spec->id);
		return FALSE;
	}
	return TRUE;
}
