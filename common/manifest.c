/* manifest.c — manifest.json: build, write, and parse as untrusted input.
 *
 * Output is canonical (fixed key order, two-space indent, trailing newline)
 * so two writers given the same CavManifest produce the same bytes, which is
 * what the seal signs. Times are written as integer microseconds, which are
 * authoritative, plus an ISO-8601 UTC string for people reading the file;
 * the parser ignores the strings.
 *
 * Parsing assumes a hostile file (a copied folder, a disc from elsewhere):
 * nesting depth, input size, array lengths and string lengths are bounded
 * before or while json-glib sees them, every field is type-checked, and
 * segment paths must stay inside the manifest's folder. Any thread.
 */
#include "manifest.h"
#include "fsutil.h"
#include "json-in.h"
#include "timefmt.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#define CAV_MANIFEST_FORMAT "courtav-manifest"

#define MAX_INPUT_BYTES ((gsize)512 * 1024 * 1024)
#define MAX_DEPTH 16
#define MAX_SEGMENTS 1000000
#define MAX_INTERVALS 100000
#define MAX_MARKS 100000
#define MAX_EXHIBITS 100000
#define MAX_SHORT 256  /* uid, state, track, kind, reason, algorithm, key id */
#define MAX_NAME 1024  /* paths, room, court, case number and title, labels, actors */
#define MAX_TEXT 65536 /* free-text details */
#define MAX_PEM 16384

/* The first argument is stringified: the error domain's name. */
/* clang-format off */
G_DEFINE_QUARK(cav-manifest-error-quark, cav_manifest_error)
/* clang-format on */

/* ---- construction ---------------------------------------------------- */

static void
segment_free(gpointer p)
{
	CavManifestSegment *s = p;

	if (s == NULL)
		return;
	g_free(s->file);
	g_free(s->track);
	g_free(s);
}

static void
interval_free(gpointer p)
{
	CavManifestInterval *iv = p;

	if (iv == NULL)
		return;
	g_free(iv->kind);
	g_free(iv->reason);
	g_free(iv->detail);
	g_free(iv);
}

static void
mark_free(gpointer p)
{
	CavManifestMark *mk = p;

	if (mk == NULL)
		return;
	g_free(mk->label);
	g_free(mk->actor);
	g_free(mk);
}

static void
exhibit_free(gpointer p)
{
	CavManifestExhibit *ex = p;

	if (ex == NULL)
		return;
	g_free(ex->input);
	g_free(ex->file);
	g_free(ex->actor);
	g_free(ex);
}

CavManifest *
cav_manifest_new(void)
{
	CavManifest *m = g_new0(CavManifest, 1);

	m->version = CAV_MANIFEST_VERSION;
	m->segments = g_ptr_array_new_with_free_func(segment_free);
	m->intervals = g_ptr_array_new_with_free_func(interval_free);
	m->marks = g_ptr_array_new_with_free_func(mark_free);
	m->exhibits = g_ptr_array_new_with_free_func(exhibit_free);
	return m;
}

void
cav_manifest_free(CavManifest *m)
{
	if (m == NULL)
		return;
	g_free(m->hearing_uid);
	g_free(m->state);
	g_free(m->court);
	g_free(m->room);
	g_free(m->case_number);
	g_free(m->case_title);
	g_clear_pointer(&m->segments, g_ptr_array_unref);
	g_clear_pointer(&m->intervals, g_ptr_array_unref);
	g_clear_pointer(&m->marks, g_ptr_array_unref);
	g_clear_pointer(&m->exhibits, g_ptr_array_unref);
	g_free(m->sig_alg);
	g_free(m->public_key_pem);
	g_free(m->device_key_id);
	g_free(m);
}

void
cav_manifest_add_segment(CavManifest *m, const CavManifestSegment *seg)
{
	CavManifestSegment *copy;

	g_return_if_fail(m != NULL && seg != NULL);

	copy = g_memdup2(seg, sizeof(*seg));
	copy->file = g_strdup(seg->file);
	copy->track = g_strdup(seg->track);
	g_ptr_array_add(m->segments, copy);
}

void
cav_manifest_add_interval(CavManifest *m, const CavManifestInterval *iv)
{
	CavManifestInterval *copy;

	g_return_if_fail(m != NULL && iv != NULL);

	copy = g_memdup2(iv, sizeof(*iv));
	copy->kind = g_strdup(iv->kind);
	copy->reason = g_strdup(iv->reason);
	copy->detail = g_strdup(iv->detail);
	g_ptr_array_add(m->intervals, copy);
}

void
cav_manifest_add_mark(CavManifest *m, const CavManifestMark *mark)
{
	CavManifestMark *copy;

	g_return_if_fail(m != NULL && mark != NULL);

	copy = g_memdup2(mark, sizeof(*mark));
	copy->label = g_strdup(mark->label);
	copy->actor = g_strdup(mark->actor);
	g_ptr_array_add(m->marks, copy);
}

void
cav_manifest_add_exhibit(CavManifest *m, const CavManifestExhibit *exhibit)
{
	CavManifestExhibit *copy;

	g_return_if_fail(m != NULL && exhibit != NULL);

	copy = g_memdup2(exhibit, sizeof(*exhibit));
	copy->input = g_strdup(exhibit->input);
	copy->file = g_strdup(exhibit->file);
	copy->actor = g_strdup(exhibit->actor);
	g_ptr_array_add(m->exhibits, copy);
}

/* ---- serialisation ----------------------------------------------------- */

static void
add_str(JsonBuilder *b, const char *key, const char *value)
{
	json_builder_set_member_name(b, key);
	if (value != NULL)
		json_builder_add_string_value(b, value);
	else
		json_builder_add_null_value(b);
}

static void
add_int(JsonBuilder *b, const char *key, gint64 value)
{
	json_builder_set_member_name(b, key);
	json_builder_add_int_value(b, value);
}

static void
add_time(JsonBuilder *b, const char *key_us, const char *key_iso, gint64 us, gboolean zero_is_null)
{
	g_autofree char *iso = NULL;

	add_int(b, key_us, us);
	if (!(zero_is_null && us == 0))
		iso = cav_time_iso_utc(us);
	add_str(b, key_iso, iso);
}

static void
add_hash(JsonBuilder *b, const char *key, const guint8 digest[CAV_SHA256_LEN])
{
	g_autofree char *hex = cav_sha256_hex(digest);

	add_str(b, key, hex);
}

static void
build_segments(JsonBuilder *b, const GPtrArray *segments)
{
	json_builder_set_member_name(b, "segments");
	json_builder_begin_array(b);
	for (guint i = 0; segments != NULL && i < segments->len; i++) {
		const CavManifestSegment *s = g_ptr_array_index(segments, i);

		json_builder_begin_object(b);
		add_str(b, "file", s->file);
		add_str(b, "track", s->track);
		add_int(b, "seq", s->seq);
		add_int(b, "bytes", (gint64)s->bytes);
		add_hash(b, "sha256", s->sha256);
		add_hash(b, "chain", s->chain);
		add_time(b, "start_us", "start", s->start_us, FALSE);
		add_time(b, "end_us", "end", s->end_us, TRUE);
		json_builder_set_member_name(b, "partial");
		json_builder_add_boolean_value(b, s->partial);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void
build_intervals_and_marks(JsonBuilder *b, const CavManifest *m)
{
	json_builder_set_member_name(b, "intervals");
	json_builder_begin_array(b);
	for (guint i = 0; m->intervals != NULL && i < m->intervals->len; i++) {
		const CavManifestInterval *iv = g_ptr_array_index(m->intervals, i);

		json_builder_begin_object(b);
		add_str(b, "kind", iv->kind);
		add_str(b, "reason", iv->reason);
		add_str(b, "detail", iv->detail);
		add_time(b, "start_us", "start", iv->start_us, FALSE);
		add_time(b, "end_us", "end", iv->end_us, TRUE);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);

	json_builder_set_member_name(b, "marks");
	json_builder_begin_array(b);
	for (guint i = 0; m->marks != NULL && i < m->marks->len; i++) {
		const CavManifestMark *mk = g_ptr_array_index(m->marks, i);

		json_builder_begin_object(b);
		add_time(b, "at_us", "at", mk->at_us, FALSE);
		add_str(b, "label", mk->label);
		add_str(b, "actor", mk->actor);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void
build_exhibits(JsonBuilder *b, const GPtrArray *exhibits)
{
	json_builder_set_member_name(b, "exhibits");
	json_builder_begin_array(b);
	for (guint i = 0; exhibits != NULL && i < exhibits->len; i++) {
		const CavManifestExhibit *ex = g_ptr_array_index(exhibits, i);

		json_builder_begin_object(b);
		add_str(b, "input", ex->input);
		add_str(b, "file", ex->file);
		if (ex->has_sha256)
			add_hash(b, "sha256", ex->sha256);
		else
			add_str(b, "sha256", NULL);
		add_int(b, "bytes", (gint64)ex->bytes);
		add_time(b, "start_us", "start", ex->start_us, FALSE);
		add_time(b, "end_us", "end", ex->end_us, TRUE);
		add_str(b, "actor", ex->actor);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

char *
cav_manifest_to_json(const CavManifest *m, gsize *out_len)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree char *text = NULL;
	char *out;

	g_return_val_if_fail(m != NULL, NULL);

	json_builder_begin_object(b);
	add_str(b, "format", CAV_MANIFEST_FORMAT);
	add_int(b, "version", m->version);
	add_str(b, "hearing_uid", m->hearing_uid);
	add_int(b, "hearing_id", m->hearing_id);
	add_str(b, "state", m->state);
	add_str(b, "court", m->court);
	add_str(b, "room", m->room);
	add_str(b, "case_number", m->case_number);
	add_str(b, "case_title", m->case_title);
	json_builder_set_member_name(b, "is_public");
	json_builder_add_boolean_value(b, m->is_public);
	add_time(b, "opened_us", "opened", m->opened_us, FALSE);
	add_time(b, "closed_us", "closed", m->closed_us, TRUE);
	add_hash(b, "chain_head", m->chain_head);
	add_str(b, "sig_alg", m->sig_alg);
	add_str(b, "device_key_id", m->device_key_id);
	add_str(b, "public_key_pem", m->public_key_pem);
	build_segments(b, m->segments);
	build_intervals_and_marks(b, m);
	build_exhibits(b, m->exhibits);
	json_builder_end_object(b);

	/* json-glib keeps object members in insertion order, which is what
	 * makes the output canonical. */
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	json_generator_set_pretty(gen, TRUE);
	json_generator_set_indent(gen, 2);
	json_generator_set_indent_char(gen, ' ');
	text = json_generator_to_data(gen, NULL);
	out = g_strconcat(text, "\n", NULL);
	if (out_len != NULL)
		*out_len = strlen(out);
	return out;
}

gboolean
cav_manifest_write(const CavManifest *m, const char *path, GError **error)
{
	g_autofree char *json = NULL;
	gsize len = 0;

	g_return_val_if_fail(m != NULL && path != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	json = cav_manifest_to_json(m, &len);
	return cav_fs_write_atomic(path, json, len, 0644, error);
}

/* ---- parsing ----------------------------------------------------------- */

/* Field errors read "Manifest field segments[3].file is missing". */
static const CavJsonIn in = {"Manifest", cav_manifest_error_quark, CAV_MANIFEST_ERROR_PARSE};

static gboolean
parse_segment(JsonObject *o, const char *where, CavManifestSegment *s, GError **error)
{
	gint64 seq, bytes;

	if (!cav_json_in_str(&in, o, where, "file", FALSE, MAX_NAME, &s->file, error) ||
	    !cav_json_in_str(&in, o, where, "track", FALSE, MAX_SHORT, &s->track, error) ||
	    !cav_json_in_int(&in, o, where, "seq", 1, G_MAXUINT32, &seq, error) ||
	    !cav_json_in_int(&in, o, where, "bytes", 0, G_MAXINT64, &bytes, error) ||
	    !cav_json_in_hash(&in, o, where, "sha256", s->sha256, error) ||
	    !cav_json_in_hash(&in, o, where, "chain", s->chain, error) ||
	    !cav_json_in_int(&in, o, where, "start_us", 0, G_MAXINT64, &s->start_us, error) ||
	    !cav_json_in_int(&in, o, where, "end_us", 0, G_MAXINT64, &s->end_us, error) ||
	    !cav_json_in_bool(&in, o, where, "partial", &s->partial, error))
		return FALSE;
	if (!cav_json_in_path_ok(s->file))
		return cav_json_in_fail(&in, where, "file", "is not a plain relative path", error);
	if (s->track[0] == '\0')
		return cav_json_in_fail(&in, where, "track", "is empty", error);
	s->seq = (guint)seq;
	s->bytes = (guint64)bytes;
	return TRUE;
}

static gboolean
parse_interval(JsonObject *o, const char *where, CavManifestInterval *iv, GError **error)
{
	static const char *const reasons[] = {"recess", "closed_evidence", "mediation", "fault",
					      NULL};

	if (!cav_json_in_str(&in, o, where, "kind", FALSE, MAX_SHORT, &iv->kind, error) ||
	    !cav_json_in_str(&in, o, where, "reason", TRUE, MAX_SHORT, &iv->reason, error) ||
	    !cav_json_in_str(&in, o, where, "detail", TRUE, MAX_TEXT, &iv->detail, error) ||
	    !cav_json_in_int(&in, o, where, "start_us", 0, G_MAXINT64, &iv->start_us, error) ||
	    !cav_json_in_int(&in, o, where, "end_us", 0, G_MAXINT64, &iv->end_us, error))
		return FALSE;
	/* The same rule the database's CHECK constraint enforces. */
	if (g_str_equal(iv->kind, "recording")) {
		if (iv->reason != NULL)
			return cav_json_in_fail(&in, where, "reason",
						"must be null while recording", error);
	} else if (g_str_equal(iv->kind, "paused")) {
		if (iv->reason == NULL || !g_strv_contains(reasons, iv->reason))
			return cav_json_in_fail(&in, where, "reason",
						"is not a lawful pause reason", error);
	} else {
		return cav_json_in_fail(&in, where, "kind",
					"is neither \"recording\" nor \"paused\"", error);
	}
	return TRUE;
}

static gboolean
parse_mark(JsonObject *o, const char *where, CavManifestMark *mk, GError **error)
{
	return cav_json_in_int(&in, o, where, "at_us", 0, G_MAXINT64, &mk->at_us, error) &&
	       cav_json_in_str(&in, o, where, "label", FALSE, MAX_NAME, &mk->label, error) &&
	       cav_json_in_str(&in, o, where, "actor", FALSE, MAX_NAME, &mk->actor, error);
}

static gboolean
parse_exhibit(JsonObject *o, const char *where, CavManifestExhibit *ex, GError **error)
{
	g_autofree char *hex = NULL;
	gint64 bytes;

	if (!cav_json_in_str(&in, o, where, "input", FALSE, MAX_SHORT, &ex->input, error) ||
	    !cav_json_in_str(&in, o, where, "file", TRUE, MAX_NAME, &ex->file, error) ||
	    !cav_json_in_str(&in, o, where, "sha256", TRUE, CAV_SHA256_HEX_LEN, &hex, error) ||
	    !cav_json_in_int(&in, o, where, "bytes", 0, G_MAXINT64, &bytes, error) ||
	    !cav_json_in_int(&in, o, where, "start_us", 0, G_MAXINT64, &ex->start_us, error) ||
	    !cav_json_in_int(&in, o, where, "end_us", 0, G_MAXINT64, &ex->end_us, error) ||
	    !cav_json_in_str(&in, o, where, "actor", FALSE, MAX_NAME, &ex->actor, error))
		return FALSE;
	if (ex->input[0] == '\0')
		return cav_json_in_fail(&in, where, "input", "is empty", error);
	if (hex != NULL && !cav_sha256_from_hex(hex, ex->sha256))
		return cav_json_in_fail(&in, where, "sha256", "is not 64 hexadecimal digits",
					error);
	ex->has_sha256 = hex != NULL;
	ex->bytes = (guint64)bytes;
	return TRUE;
}

/* "exhibits" is optional: manifests from before evidence inputs lack it. */
static gboolean
parse_exhibits(JsonObject *root, CavManifest *m, GError **error)
{
	JsonArray *a;

	if (!json_object_has_member(root, "exhibits"))
		return TRUE;
	a = cav_json_in_array(&in, root, "", "exhibits", MAX_EXHIBITS, error);
	if (a == NULL)
		return FALSE;
	for (guint i = 0; i < json_array_get_length(a); i++) {
		g_autofree char *where = g_strdup_printf("exhibits[%u]", i);
		CavManifestExhibit *ex = g_new0(CavManifestExhibit, 1);
		JsonObject *o = cav_json_in_element(&in, a, i, where, error);

		g_ptr_array_add(m->exhibits, ex);
		if (o == NULL || !parse_exhibit(o, where, ex, error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
parse_lists(JsonObject *root, CavManifest *m, GError **error)
{
	JsonArray *a;

	a = cav_json_in_array(&in, root, "", "segments", MAX_SEGMENTS, error);
	if (a == NULL)
		return FALSE;
	for (guint i = 0; i < json_array_get_length(a); i++) {
		g_autofree char *where = g_strdup_printf("segments[%u]", i);
		CavManifestSegment *s = g_new0(CavManifestSegment, 1);
		JsonObject *o = cav_json_in_element(&in, a, i, where, error);

		g_ptr_array_add(m->segments, s);
		if (o == NULL || !parse_segment(o, where, s, error))
			return FALSE;
	}
	a = cav_json_in_array(&in, root, "", "intervals", MAX_INTERVALS, error);
	if (a == NULL)
		return FALSE;
	for (guint i = 0; i < json_array_get_length(a); i++) {
		g_autofree char *where = g_strdup_printf("intervals[%u]", i);
		CavManifestInterval *iv = g_new0(CavManifestInterval, 1);
		JsonObject *o = cav_json_in_element(&in, a, i, where, error);

		g_ptr_array_add(m->intervals, iv);
		if (o == NULL || !parse_interval(o, where, iv, error))
			return FALSE;
	}
	a = cav_json_in_array(&in, root, "", "marks", MAX_MARKS, error);
	if (a == NULL)
		return FALSE;
	for (guint i = 0; i < json_array_get_length(a); i++) {
		g_autofree char *where = g_strdup_printf("marks[%u]", i);
		CavManifestMark *mk = g_new0(CavManifestMark, 1);
		JsonObject *o = cav_json_in_element(&in, a, i, where, error);

		g_ptr_array_add(m->marks, mk);
		if (o == NULL || !parse_mark(o, where, mk, error))
			return FALSE;
	}
	return parse_exhibits(root, m, error);
}

static gboolean
parse_header(JsonObject *root, CavManifest *m, GError **error)
{
	static const char *const states[] = {"recording", "paused", "closed", "sealed", NULL};
	g_autofree char *format = NULL;
	gint64 version;

	if (!cav_json_in_str(&in, root, "", "format", FALSE, MAX_SHORT, &format, error))
		return FALSE;
	if (!g_str_equal(format, CAV_MANIFEST_FORMAT))
		return cav_json_in_fail(&in, "", "format", "is not \"" CAV_MANIFEST_FORMAT "\"",
					error);
	if (!cav_json_in_int(&in, root, "", "version", G_MININT32, G_MAXINT32, &version, error))
		return FALSE;
	if (version != CAV_MANIFEST_VERSION) {
		g_set_error(error, CAV_MANIFEST_ERROR, CAV_MANIFEST_ERROR_VERSION,
			    "Manifest format version %" G_GINT64_FORMAT
			    " is not supported by this build (it reads version %d)",
			    version, CAV_MANIFEST_VERSION);
		return FALSE;
	}
	m->version = (int)version;
	if (!cav_json_in_str(&in, root, "", "hearing_uid", FALSE, MAX_SHORT, &m->hearing_uid,
			     error) ||
	    !cav_json_in_int(&in, root, "", "hearing_id", 0, G_MAXINT64, &m->hearing_id, error) ||
	    !cav_json_in_str(&in, root, "", "state", FALSE, MAX_SHORT, &m->state, error) ||
	    !cav_json_in_str(&in, root, "", "court", TRUE, MAX_NAME, &m->court, error) ||
	    !cav_json_in_str(&in, root, "", "room", FALSE, MAX_NAME, &m->room, error) ||
	    !cav_json_in_str(&in, root, "", "case_number", FALSE, MAX_NAME, &m->case_number,
			     error) ||
	    !cav_json_in_str(&in, root, "", "case_title", TRUE, MAX_NAME, &m->case_title, error) ||
	    !cav_json_in_bool(&in, root, "", "is_public", &m->is_public, error) ||
	    !cav_json_in_int(&in, root, "", "opened_us", 0, G_MAXINT64, &m->opened_us, error) ||
	    !cav_json_in_int(&in, root, "", "closed_us", 0, G_MAXINT64, &m->closed_us, error) ||
	    !cav_json_in_hash(&in, root, "", "chain_head", m->chain_head, error) ||
	    !cav_json_in_str(&in, root, "", "sig_alg", TRUE, MAX_SHORT, &m->sig_alg, error) ||
	    !cav_json_in_str(&in, root, "", "device_key_id", TRUE, MAX_SHORT, &m->device_key_id,
			     error) ||
	    !cav_json_in_str(&in, root, "", "public_key_pem", TRUE, MAX_PEM, &m->public_key_pem,
			     error))
		return FALSE;
	if (m->hearing_uid[0] == '\0')
		return cav_json_in_fail(&in, "", "hearing_uid", "is empty", error);
	if (!g_strv_contains(states, m->state))
		return cav_json_in_fail(&in, "", "state", "is not a known hearing state", error);
	return TRUE;
}

CavManifest *
cav_manifest_parse(const char *data, gsize len, GError **error)
{
	g_autoptr(JsonParser) parser = NULL;
	g_autoptr(CavManifest) m = NULL;
	g_autoptr(GError) local = NULL;
	JsonNode *root;

	g_return_val_if_fail(data != NULL || len == 0, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (len > MAX_INPUT_BYTES) {
		g_set_error(error, CAV_MANIFEST_ERROR, CAV_MANIFEST_ERROR_PARSE,
			    "The manifest is %" G_GSIZE_FORMAT
			    " bytes, more than any hearing needs",
			    len);
		return NULL;
	}
	/* Also rejects NUL bytes, which json-glib would otherwise truncate at. */
	if (len == 0 || !g_utf8_validate(data, (gssize)len, NULL) ||
	    !cav_json_in_depth_ok(data, len, MAX_DEPTH)) {
		g_set_error_literal(error, CAV_MANIFEST_ERROR, CAV_MANIFEST_ERROR_PARSE,
				    "The manifest is empty, not UTF-8 text, or nested too deeply");
		return NULL;
	}
	parser = json_parser_new_immutable();
	if (!json_parser_load_from_data(parser, data, (gssize)len, &local)) {
		g_set_error(error, CAV_MANIFEST_ERROR, CAV_MANIFEST_ERROR_PARSE,
			    "The manifest is not valid JSON: %s", local->message);
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		g_set_error_literal(error, CAV_MANIFEST_ERROR, CAV_MANIFEST_ERROR_PARSE,
				    "The manifest is not a JSON object");
		return NULL;
	}
	m = cav_manifest_new();
	if (!parse_header(json_node_get_object(root), m, error) ||
	    !parse_lists(json_node_get_object(root), m, error))
		return NULL;
	return g_steal_pointer(&m);
}

CavManifest *
cav_manifest_load(const char *path, GError **error)
{
	g_autofree char *data = NULL;
	g_autoptr(GError) local = NULL;
	gsize len = 0;
	GStatBuf st;

	g_return_val_if_fail(path != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	/* Checked before reading so a huge file cannot exhaust memory. */
	if (g_stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (guint64)st.st_size > MAX_INPUT_BYTES) {
		g_set_error(error, CAV_MANIFEST_ERROR, CAV_MANIFEST_ERROR_PARSE,
			    "The manifest %s is too large to be one", path);
		return NULL;
	}
	if (!g_file_get_contents(path, &data, &len, &local)) {
		g_set_error(error, CAV_MANIFEST_ERROR, CAV_MANIFEST_ERROR_IO,
			    "Could not read the manifest: %s", local->message);
		return NULL;
	}
	return cav_manifest_parse(data, len, error);
}
