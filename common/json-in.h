/* json-in.h — type-checked, bounded reading of untrusted JSON objects: the
 * field readers that manifest.json and disc-set.json parse with.
 *
 * Every reader checks that the member is there, of the right type and within
 * its bounds before it copies anything out; on failure it sets @error and
 * leaves its out-parameter untouched. Errors name the field by the path the
 * caller gives (@where, "segments[3]", "" at the top level) and its @key:
 * "Manifest field segments[3].file is missing". Any thread; no state.
 */
#pragma once

#include "sha256.h"

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* What a parser's field errors say and carry: "<name> field <where>.<key>
 * <what>", in the caller's error @domain with @code. A parser keeps one as a
 * static constant and passes it to every reader. */
typedef struct {
	const char *name;       /* unowned: the first words, "Manifest" */
	GQuark (*domain)(void); /* the caller's error domain, e.g. cav_manifest_error_quark */
	int code;               /* the error code of a bad field */
} CavJsonIn;

/* Sets @error to "<name> field <where>.<key> <what>" (the dot only when both
 * @where and @key are non-empty). Always returns FALSE, so a caller can
 * `return cav_json_in_fail(...)`. */
gboolean cav_json_in_fail(const CavJsonIn *in, const char *where, const char *key, const char *what,
			  GError **error);

/* Whether @len bytes of JSON text nest arrays and objects at most @max_depth
 * deep. json-glib's parser recurses per nesting level with no limit of its
 * own, so a file of a million '[' would exhaust the stack: count first. Does
 * not validate the text otherwise. */
gboolean cav_json_in_depth_ok(const char *data, gsize len, guint max_depth);

/* Whether @path stays inside the folder of the file that names it: relative,
 * no empty, "." or ".." components, no backslashes or control characters. */
gboolean cav_json_in_path_ok(const char *path);

/* The string member @key of @o, valid UTF-8 and at most @max bytes long, into
 * @out (transfer full). With @nullable a JSON null gives *@out = NULL. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_json_in_str(const CavJsonIn *in, JsonObject *o, const char *where, const char *key,
			 gboolean nullable, gsize max, char **out, GError **error);

/* The integer member @key of @o, between @min and @max inclusive, into @out. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_json_in_int(const CavJsonIn *in, JsonObject *o, const char *where, const char *key,
			 gint64 min, gint64 max, gint64 *out, GError **error);

/* The boolean member @key of @o into @out. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_json_in_bool(const CavJsonIn *in, JsonObject *o, const char *where, const char *key,
			  gboolean *out, GError **error);

/* The member @key of @o, a SHA-256 digest as 64 hexadecimal digits, into @out. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_json_in_hash(const CavJsonIn *in, JsonObject *o, const char *where, const char *key,
			  guint8 out[CAV_SHA256_LEN], GError **error);

/* The array member @key of @o, of at most @max elements, or NULL with @error
 * set. (transfer none: it belongs to @o) */
G_GNUC_WARN_UNUSED_RESULT
JsonArray *cav_json_in_array(const CavJsonIn *in, JsonObject *o, const char *where, const char *key,
			     guint max, GError **error);

/* Element @i (which must exist) of @a as an object, or NULL with @error set
 * naming @where, the element's own path. (transfer none: it belongs to @a) */
G_GNUC_WARN_UNUSED_RESULT
JsonObject *cav_json_in_element(const CavJsonIn *in, JsonArray *a, guint i, const char *where,
				GError **error);

G_END_DECLS
