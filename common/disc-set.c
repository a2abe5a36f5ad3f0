/* disc-set.c — disc-set.json: build and parse as untrusted input (see
 * disc-set.h). Output is canonical like manifest.json's (fixed key order,
 * two-space indent, trailing newline), because the signature covers the
 * exact bytes. Parsing bounds depth, sizes, counts and string lengths before
 * trusting anything, and every path must stay inside the disc. Any thread.
 */
#include "disc-set.h"
#include "json-in.h"
#include "timefmt.h"

#include <string.h>

#include <json-glib/json-glib.h>

#define FORMAT "courtav-disc-set"
#define MAX_DEPTH 12
#define MAX_HEARINGS 100000
#define MAX_DISCS 10000
#define MAX_FILES 1000000
#define MAX_SHORT 256
#define MAX_NAME 1024
#define MAX_PEM 16384

/* ---- construction ---------------------------------------------------- */

static void
hearing_free(gpointer p)
{
	CavDiscSetHearing *h = p;

	g_free(h->dir);
	g_free(h->uid);
	g_free(h);
}

static void
part_free(gpointer p)
{
	CavDiscSetPart *part = p;

	g_free(part->dir);
	g_clear_pointer(&part->files, g_ptr_array_unref);
	g_free(part);
}

static void
disc_free(gpointer p)
{
	CavDiscSetDisc *d = p;

	g_ptr_array_unref(d->parts);
	g_free(d);
}

static void
file_free(gpointer p)
{
	CavDiscSetFile *f = p;

	g_free(f->path);
	g_free(f);
}

CavDiscSet *
cav_disc_set_new(void)
{
	CavDiscSet *set = g_new0(CavDiscSet, 1);

	set->version = CAV_DISC_SET_VERSION;
	set->hearings = g_ptr_array_new_with_free_func(hearing_free);
	set->layout = g_ptr_array_new_with_free_func(disc_free);
	set->files = g_ptr_array_new_with_free_func(file_free);
	return set;
}

void
cav_disc_set_free(CavDiscSet *set)
{
	if (set == NULL)
		return;
	g_free(set->set_uid);
	g_free(set->court);
	g_free(set->room);
	g_free(set->case_number);
	g_free(set->case_title);
	g_free(set->medium);
	g_ptr_array_unref(set->hearings);
	g_ptr_array_unref(set->layout);
	g_ptr_array_unref(set->files);
	g_free(set->sig_alg);
	g_free(set->device_key_id);
	g_free(set->public_key_pem);
	g_free(set);
}

CavDiscSetHearing *
cav_disc_set_add_hearing(CavDiscSet *set, const char *dir, gint64 id, const char *uid)
{
	CavDiscSetHearing *h = g_new0(CavDiscSetHearing, 1);

	h->dir = g_strdup(dir);
	h->id = id;
	h->uid = g_strdup(uid);
	g_ptr_array_add(set->hearings, h);
	return h;
}

CavDiscSetDisc *
cav_disc_set_add_disc(CavDiscSet *set, guint number)
{
	CavDiscSetDisc *d = g_new0(CavDiscSetDisc, 1);

	d->number = number;
	d->parts = g_ptr_array_new_with_free_func(part_free);
	g_ptr_array_add(set->layout, d);
	return d;
}

void
cav_disc_set_disc_add_part(CavDiscSetDisc *disc, const char *dir, GPtrArray *files)
{
	CavDiscSetPart *part = g_new0(CavDiscSetPart, 1);

	part->dir = g_strdup(dir);
	if (files != NULL) {
		part->files = g_ptr_array_new_with_free_func(g_free);
		for (guint i = 0; i < files->len; i++)
			g_ptr_array_add(part->files, g_strdup(files->pdata[i]));
	}
	g_ptr_array_add(disc->parts, part);
}

void
cav_disc_set_add_file(CavDiscSet *set, const char *path, guint64 bytes,
		      const guint8 sha256[CAV_SHA256_LEN])
{
	CavDiscSetFile *f = g_new0(CavDiscSetFile, 1);

	f->path = g_strdup(path);
	f->bytes = bytes;
	memcpy(f->sha256, sha256, CAV_SHA256_LEN);
	g_ptr_array_add(set->files, f);
}

const CavDiscSetHearing *
cav_disc_set_hearing(const CavDiscSet *set, const char *dir)
{
	for (guint i = 0; i < set->hearings->len; i++) {
		const CavDiscSetHearing *h = set->hearings->pdata[i];

		if (g_str_equal(h->dir, dir))
			return h;
	}
	return NULL;
}

const CavDiscSetDisc *
cav_disc_set_disc(const CavDiscSet *set, guint number)
{
	for (guint i = 0; i < set->layout->len; i++) {
		const CavDiscSetDisc *d = set->layout->pdata[i];

		if (d->number == number)
			return d;
	}
	return NULL;
}

const CavDiscSetPart *
cav_disc_set_part(const CavDiscSetDisc *disc, const char *dir)
{
	for (guint i = 0; disc != NULL && i < disc->parts->len; i++) {
		const CavDiscSetPart *p = disc->parts->pdata[i];

		if (g_str_equal(p->dir, dir))
			return p;
	}
	return NULL;
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
add_hash(JsonBuilder *b, const char *key, const guint8 digest[CAV_SHA256_LEN])
{
	g_autofree char *hex = cav_sha256_hex(digest);

	add_str(b, key, hex);
}

static void
build_hearings(JsonBuilder *b, const CavDiscSet *set)
{
	json_builder_set_member_name(b, "hearings");
	json_builder_begin_array(b);
	for (guint i = 0; i < set->hearings->len; i++) {
		const CavDiscSetHearing *h = set->hearings->pdata[i];

		json_builder_begin_object(b);
		add_str(b, "dir", h->dir);
		add_int(b, "id", h->id);
		add_str(b, "uid", h->uid);
		add_int(b, "opened_us", h->opened_us);
		add_int(b, "closed_us", h->closed_us);
		add_hash(b, "manifest_sha256", h->manifest_sha256);
		add_int(b, "segments", h->n_segments);
		add_int(b, "bytes", (gint64)h->bytes);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void
build_layout(JsonBuilder *b, const CavDiscSet *set)
{
	json_builder_set_member_name(b, "layout");
	json_builder_begin_array(b);
	for (guint i = 0; i < set->layout->len; i++) {
		const CavDiscSetDisc *d = set->layout->pdata[i];

		json_builder_begin_object(b);
		add_int(b, "disc", d->number);
		json_builder_set_member_name(b, "parts");
		json_builder_begin_array(b);
		for (guint j = 0; j < d->parts->len; j++) {
			const CavDiscSetPart *p = d->parts->pdata[j];

			json_builder_begin_object(b);
			add_str(b, "dir", p->dir);
			json_builder_set_member_name(b, "files");
			if (p->files == NULL) {
				json_builder_add_null_value(b);
			} else {
				json_builder_begin_array(b);
				for (guint k = 0; k < p->files->len; k++)
					json_builder_add_string_value(b, p->files->pdata[k]);
				json_builder_end_array(b);
			}
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void
build_files(JsonBuilder *b, const CavDiscSet *set)
{
	json_builder_set_member_name(b, "files");
	json_builder_begin_array(b);
	for (guint i = 0; i < set->files->len; i++) {
		const CavDiscSetFile *f = set->files->pdata[i];

		json_builder_begin_object(b);
		add_str(b, "path", f->path);
		add_int(b, "bytes", (gint64)f->bytes);
		add_hash(b, "sha256", f->sha256);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

char *
cav_disc_set_to_json(const CavDiscSet *set, gsize *out_len)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree char *text = NULL;
	g_autofree char *created = cav_time_iso_utc(set->created_us);
	char *out;

	json_builder_begin_object(b);
	add_str(b, "format", FORMAT);
	add_int(b, "version", set->version);
	add_str(b, "set_uid", set->set_uid);
	add_int(b, "created_us", set->created_us);
	add_str(b, "created", created);
	add_str(b, "court", set->court);
	add_str(b, "room", set->room);
	add_str(b, "case_number", set->case_number);
	add_str(b, "case_title", set->case_title);
	add_str(b, "medium", set->medium);
	add_int(b, "disc", set->disc);
	json_builder_set_member_name(b, "closed");
	json_builder_add_boolean_value(b, set->closed);
	add_str(b, "sig_alg", set->sig_alg);
	add_str(b, "device_key_id", set->device_key_id);
	add_str(b, "public_key_pem", set->public_key_pem);
	build_hearings(b, set);
	build_layout(b, set);
	build_files(b, set);
	json_builder_end_object(b);

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

/* ---- parsing ----------------------------------------------------------- */

/* Field errors read "disc-set.json field files[3].path is missing". */
static const CavJsonIn in = {"disc-set.json", cav_manifest_error_quark, CAV_MANIFEST_ERROR_PARSE};

static gboolean
get_path(JsonObject *o, const char *where, const char *key, char **out, GError **error)
{
	if (!cav_json_in_str(&in, o, where, key, FALSE, MAX_NAME, out, error))
		return FALSE;
	if (!cav_json_in_path_ok(*out))
		return cav_json_in_fail(&in, where, key, "is not a plain relative path", error);
	return TRUE;
}

static gboolean
parse_hearings(JsonObject *root, CavDiscSet *set, GError **error)
{
	JsonArray *a = cav_json_in_array(&in, root, "", "hearings", MAX_HEARINGS, error);

	for (guint i = 0; a != NULL && i < json_array_get_length(a); i++) {
		g_autofree char *where = g_strdup_printf("hearings[%u]", i);
		CavDiscSetHearing *h = g_new0(CavDiscSetHearing, 1);
		JsonObject *o = cav_json_in_element(&in, a, i, where, error);
		gint64 n = 0, bytes = 0;

		g_ptr_array_add(set->hearings, h);
		if (o == NULL || !get_path(o, where, "dir", &h->dir, error) ||
		    !cav_json_in_int(&in, o, where, "id", 1, G_MAXINT64, &h->id, error) ||
		    !cav_json_in_str(&in, o, where, "uid", FALSE, MAX_SHORT, &h->uid, error) ||
		    !cav_json_in_int(&in, o, where, "opened_us", 0, G_MAXINT64, &h->opened_us,
				     error) ||
		    !cav_json_in_int(&in, o, where, "closed_us", 0, G_MAXINT64, &h->closed_us,
				     error) ||
		    !cav_json_in_hash(&in, o, where, "manifest_sha256", h->manifest_sha256,
				      error) ||
		    !cav_json_in_int(&in, o, where, "segments", 0, G_MAXUINT32, &n, error) ||
		    !cav_json_in_int(&in, o, where, "bytes", 0, G_MAXINT64, &bytes, error))
			return FALSE;
		if (strchr(h->dir, '/') != NULL)
			return cav_json_in_fail(&in, where, "dir", "is not a single folder name",
						error);
		if (cav_disc_set_hearing(set, h->dir) != h)
			return cav_json_in_fail(&in, where, "dir", "names a hearing twice", error);
		h->n_segments = (guint)n;
		h->bytes = (guint64)bytes;
	}
	return a != NULL;
}

static gboolean
parse_part(JsonObject *o, const char *where, CavDiscSetPart *p, GError **error)
{
	JsonNode *n;
	JsonArray *a;

	if (!get_path(o, where, "dir", &p->dir, error))
		return FALSE;
	n = json_object_get_member(o, "files");
	if (n == NULL)
		return cav_json_in_fail(&in, where, "files", "is missing", error);
	if (JSON_NODE_HOLDS_NULL(n))
		return TRUE;
	if (!JSON_NODE_HOLDS_ARRAY(n) || json_array_get_length(json_node_get_array(n)) > MAX_FILES)
		return cav_json_in_fail(&in, where, "files", "is neither null nor a list of paths",
					error);
	a = json_node_get_array(n);
	p->files = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonNode *e = json_array_get_element(a, i);
		const char *s;

		if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_STRING ||
		    (s = json_node_get_string(e)) == NULL || strlen(s) > MAX_NAME ||
		    !g_utf8_validate(s, -1, NULL) || !cav_json_in_path_ok(s))
			return cav_json_in_fail(&in, where, "files",
						"holds something not a relative path", error);
		g_ptr_array_add(p->files, g_strdup(s));
	}
	return TRUE;
}

static gboolean
parse_layout(JsonObject *root, CavDiscSet *set, GError **error)
{
	JsonArray *a = cav_json_in_array(&in, root, "", "layout", MAX_DISCS, error);

	for (guint i = 0; a != NULL && i < json_array_get_length(a); i++) {
		g_autofree char *where = g_strdup_printf("layout[%u]", i);
		JsonObject *o = cav_json_in_element(&in, a, i, where, error);
		CavDiscSetDisc *d;
		JsonArray *parts;
		gint64 number = 0;

		if (o == NULL ||
		    !cav_json_in_int(&in, o, where, "disc", 1, MAX_DISCS, &number, error))
			return FALSE;
		if (cav_disc_set_disc(set, (guint)number) != NULL)
			return cav_json_in_fail(&in, where, "disc", "repeats a disc number", error);
		d = cav_disc_set_add_disc(set, (guint)number);
		parts = cav_json_in_array(&in, o, where, "parts", MAX_HEARINGS, error);
		if (parts == NULL)
			return FALSE;
		for (guint j = 0; j < json_array_get_length(parts); j++) {
			g_autofree char *w = g_strdup_printf("%s.parts[%u]", where, j);
			CavDiscSetPart *p = g_new0(CavDiscSetPart, 1);
			JsonObject *po = cav_json_in_element(&in, parts, j, w, error);

			g_ptr_array_add(d->parts, p);
			if (po == NULL || !parse_part(po, w, p, error))
				return FALSE;
			if (cav_disc_set_hearing(set, p->dir) == NULL)
				return cav_json_in_fail(&in, w, "dir",
							"is not a hearing of the set", error);
		}
	}
	return a != NULL;
}

static gboolean
parse_files(JsonObject *root, CavDiscSet *set, GError **error)
{
	JsonArray *a = cav_json_in_array(&in, root, "", "files", MAX_FILES, error);

	for (guint i = 0; a != NULL && i < json_array_get_length(a); i++) {
		g_autofree char *where = g_strdup_printf("files[%u]", i);
		CavDiscSetFile *f = g_new0(CavDiscSetFile, 1);
		JsonObject *o = cav_json_in_element(&in, a, i, where, error);
		gint64 bytes = 0;

		g_ptr_array_add(set->files, f);
		if (o == NULL || !get_path(o, where, "path", &f->path, error) ||
		    !cav_json_in_int(&in, o, where, "bytes", 0, G_MAXINT64, &bytes, error) ||
		    !cav_json_in_hash(&in, o, where, "sha256", f->sha256, error))
			return FALSE;
		f->bytes = (guint64)bytes;
	}
	return a != NULL;
}

static gboolean
parse_header(JsonObject *root, CavDiscSet *set, GError **error)
{
	g_autofree char *format = NULL;
	gint64 version = 0, disc = 0;

	if (!cav_json_in_str(&in, root, "", "format", FALSE, MAX_SHORT, &format, error))
		return FALSE;
	if (!g_str_equal(format, FORMAT))
		return cav_json_in_fail(&in, "", "format", "is not \"" FORMAT "\"", error);
	if (!cav_json_in_int(&in, root, "", "version", G_MININT32, G_MAXINT32, &version, error))
		return FALSE;
	if (version != CAV_DISC_SET_VERSION) {
		g_set_error(error, CAV_MANIFEST_ERROR, CAV_MANIFEST_ERROR_VERSION,
			    "disc-set.json format version %" G_GINT64_FORMAT
			    " is not supported by this build (it reads version %d)",
			    version, CAV_DISC_SET_VERSION);
		return FALSE;
	}
	if (!cav_json_in_bool(&in, root, "", "closed", &set->closed, error) ||
	    !cav_json_in_str(&in, root, "", "set_uid", FALSE, MAX_SHORT, &set->set_uid, error) ||
	    !cav_json_in_int(&in, root, "", "created_us", 0, G_MAXINT64, &set->created_us, error) ||
	    !cav_json_in_str(&in, root, "", "court", TRUE, MAX_NAME, &set->court, error) ||
	    !cav_json_in_str(&in, root, "", "room", FALSE, MAX_NAME, &set->room, error) ||
	    !cav_json_in_str(&in, root, "", "case_number", FALSE, MAX_NAME, &set->case_number,
			     error) ||
	    !cav_json_in_str(&in, root, "", "case_title", TRUE, MAX_NAME, &set->case_title,
			     error) ||
	    !cav_json_in_str(&in, root, "", "medium", FALSE, MAX_SHORT, &set->medium, error) ||
	    !cav_json_in_int(&in, root, "", "disc", 1, MAX_DISCS, &disc, error) ||
	    !cav_json_in_str(&in, root, "", "sig_alg", FALSE, MAX_SHORT, &set->sig_alg, error) ||
	    !cav_json_in_str(&in, root, "", "device_key_id", FALSE, MAX_SHORT, &set->device_key_id,
			     error) ||
	    !cav_json_in_str(&in, root, "", "public_key_pem", FALSE, MAX_PEM, &set->public_key_pem,
			     error))
		return FALSE;
	set->disc = (guint)disc;
	return TRUE;
}

CavDiscSet *
cav_disc_set_parse(const char *data, gsize len, GError **error)
{
	g_autoptr(JsonParser) parser = NULL;
	g_autoptr(CavDiscSet) set = NULL;
	g_autoptr(GError) local = NULL;
	JsonObject *root;
	JsonNode *node;

	g_return_val_if_fail(data != NULL || len == 0, NULL);
	if (len == 0 || len > CAV_DISC_SET_MAX_BYTES || !g_utf8_validate(data, (gssize)len, NULL) ||
	    !cav_json_in_depth_ok(data, len, MAX_DEPTH)) {
		g_set_error_literal(error, CAV_MANIFEST_ERROR, CAV_MANIFEST_ERROR_PARSE,
				    "disc-set.json is empty, too large, not UTF-8 text, or nested "
				    "too deeply");
		return NULL;
	}
	parser = json_parser_new_immutable();
	if (!json_parser_load_from_data(parser, data, (gssize)len, &local)) {
		g_set_error(error, CAV_MANIFEST_ERROR, CAV_MANIFEST_ERROR_PARSE,
			    "disc-set.json is not valid JSON: %s", local->message);
		return NULL;
	}
	node = json_parser_get_root(parser);
	if (node == NULL || !JSON_NODE_HOLDS_OBJECT(node)) {
		g_set_error_literal(error, CAV_MANIFEST_ERROR, CAV_MANIFEST_ERROR_PARSE,
				    "disc-set.json is not a JSON object");
		return NULL;
	}
	root = json_node_get_object(node);
	set = cav_disc_set_new();
	if (!parse_header(root, set, error) || !parse_hearings(root, set, error) ||
	    !parse_layout(root, set, error) || !parse_files(root, set, error))
		return NULL;
	if (cav_disc_set_disc(set, set->disc) == NULL) {
		cav_json_in_fail(&in, "", "disc", "is not a disc of the layout", error);
		return NULL;
	}
	return g_steal_pointer(&set);
}
