/* disc-verify.c — a whole disc checked from its files (see disc-verify.h).
 *
 * The hearings are verify.c's job, run through the same CavVerifyFs; this
 * file adds what only the set manifest knows. Findings about the set name
 * disc-set.json as their manifest. Nothing is fatal: a damaged disc yields
 * as complete a report as it can. Any thread, blocking.
 */
#include "disc-verify.h"
#include "signer.h"

#include <string.h>

#define MAX_SIG_FILE 65536
#define MAX_WALK_DEPTH 16

typedef struct {
	const CavVerifyFs *fs;
	const char *root;
	char *set_path; /* <root>/disc-set.json (owned) */
	CavVerifyReport *report;
	const CavDiscSet *set;      /* nullable */
	const CavDiscSetDisc *disc; /* this disc in the layout, nullable */
	GCancellable *cancellable;
} Ctx;

G_GNUC_PRINTF(4, 5)
static void
finding(Ctx *c, CavFindingKind kind, const char *file, const char *fmt, ...)
{
	g_autofree char *detail = NULL;
	va_list ap;

	va_start(ap, fmt);
	detail = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	cav_verify_report_add(c->report, kind, c->set_path, file, detail);
}

static char *
at(const Ctx *c, const char *rel)
{
	return g_build_filename(c->root, rel, NULL);
}

/* The set manifest and its signature. NULL when unreadable (reported). */
static CavDiscSet *
load_set(Ctx *c, const char *pinned, char **out_data, gsize *out_len)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *data = NULL, *sig_text = NULL;
	g_autofree char *sig_path = at(c, CAV_DISC_SET_SIG_NAME);
	g_autofree guint8 *sig = NULL;
	g_autofree char *key_id = NULL;
	g_autoptr(CavDiscSet) set = NULL;
	gsize len = 0, sig_len = 0, text_len = 0;

	if (!c->fs->ops->read(c->fs->data, c->set_path, CAV_DISC_SET_MAX_BYTES, &data, &len,
			      &error)) {
		finding(c, CAV_FINDING_MANIFEST, NULL,
			"disc-set.json cannot be read (%s): the disc's own files and its place "
			"in the set cannot be checked.",
			error->message);
		return NULL;
	}
	set = cav_disc_set_parse(data, len, &error);
	if (set == NULL) {
		finding(c, CAV_FINDING_MANIFEST, NULL,
			"disc-set.json is not a valid set manifest: %s.", error->message);
		return NULL;
	}
	key_id = cav_signer_key_id_from_pem(set->public_key_pem, NULL);
	if (key_id == NULL || !g_str_equal(key_id, set->device_key_id))
		finding(c, CAV_FINDING_MANIFEST, NULL,
			"device_key_id %s in disc-set.json does not belong to its public key.",
			set->device_key_id);
	if (!c->fs->ops->read(c->fs->data, sig_path, MAX_SIG_FILE, &sig_text, &text_len, NULL)) {
		finding(c, CAV_FINDING_SIGNATURE, NULL,
			"disc-set.sig is missing or unreadable, so nothing proves disc-set.json "
			"is the one the device wrote.");
	} else {
		g_clear_error(&error);
		sig = g_base64_decode(g_strstrip(sig_text), &sig_len);
		if (!cav_signature_verify(set->sig_alg, set->public_key_pem, (const guint8 *)data,
					  len, sig, sig_len, &error))
			finding(c, CAV_FINDING_SIGNATURE, NULL,
				"disc-set.sig does not match disc-set.json: the set manifest was "
				"changed after it was written (%s).",
				error->message);
		else if (pinned != NULL &&
			 !cav_signature_verify(set->sig_alg, pinned, (const guint8 *)data, len, sig,
					       sig_len, NULL))
			finding(c, CAV_FINDING_SIGNATURE, NULL,
				"disc-set.json was signed with a key other than the device key "
				"given.");
	}
	*out_data = g_steal_pointer(&data);
	*out_len = len;
	return g_steal_pointer(&set);
}

/* "<root>/h3/manifest.json" → "h3" when it is a hearing at the top level. */
static char *
hearing_dir_of(const Ctx *c, const char *manifest_path)
{
	g_autofree char *dir = g_path_get_dirname(manifest_path);
	g_autofree char *parent = g_path_get_dirname(dir);
	g_autofree char *root = g_canonicalize_filename(c->root, "/");
	g_autofree char *p = g_canonicalize_filename(parent, "/");

	if (!g_str_equal(root, p))
		return NULL;
	return g_path_get_basename(dir);
}

/* A split hearing's recordings on other discs are not missing. */
static void
drop_elsewhere(Ctx *c)
{
	GPtrArray *fs = c->report->findings;

	for (guint i = fs->len; i-- > 0;) {
		const CavFinding *f = fs->pdata[i];
		g_autofree char *dir = NULL;
		const CavDiscSetPart *part;

		if (f->kind != CAV_FINDING_MISSING || f->file == NULL ||
		    (dir = hearing_dir_of(c, f->manifest)) == NULL)
			continue;
		part = cav_disc_set_part(c->disc, dir);
		if (part != NULL && part->files != NULL &&
		    !g_ptr_array_find_with_equal_func(part->files, f->file, g_str_equal, NULL))
			g_ptr_array_remove_index(fs, i);
	}
}

/* Each hearing the set places on this disc is here, with the manifest the
 * set was burned with. */
static void
check_parts(Ctx *c)
{
	for (guint i = 0; c->disc != NULL && i < c->disc->parts->len; i++) {
		const CavDiscSetPart *p = c->disc->parts->pdata[i];
		const CavDiscSetHearing *h = cav_disc_set_hearing(c->set, p->dir);
		g_autofree char *rel = g_build_filename(p->dir, CAV_MANIFEST_NAME, NULL);
		g_autofree char *path = at(c, rel);
		g_autoptr(GError) error = NULL;
		guint8 digest[CAV_SHA256_LEN];
		guint64 bytes = 0;

		if (c->fs->ops->stat(c->fs->data, path, NULL) != CAV_VERIFY_NODE_FILE) {
			finding(c, CAV_FINDING_MISSING, rel,
				"The set manifest puts hearing %s on this disc, but %s is not "
				"here.",
				p->dir, rel);
			continue;
		}
		if (!c->fs->ops->hash(c->fs->data, path, digest, &bytes, c->cancellable, &error)) {
			finding(c, CAV_FINDING_MISSING, rel, "%s cannot be read: %s.", rel,
				error->message);
		} else if (h != NULL && memcmp(digest, h->manifest_sha256, CAV_SHA256_LEN) != 0) {
			finding(c, CAV_FINDING_MANIFEST, rel,
				"%s is not the manifest this set was burned with (its SHA-256 "
				"differs from the one in disc-set.json).",
				rel);
		}
	}
}

static void
check_files(Ctx *c)
{
	for (guint i = 0; i < c->set->files->len; i++) {
		const CavDiscSetFile *f = c->set->files->pdata[i];
		g_autofree char *path = at(c, f->path);
		g_autoptr(GError) error = NULL;
		guint8 digest[CAV_SHA256_LEN];
		guint64 bytes = 0;

		if (c->fs->ops->stat(c->fs->data, path, NULL) != CAV_VERIFY_NODE_FILE)
			finding(c, CAV_FINDING_MISSING, f->path,
				"%s is listed in disc-set.json but is not on the disc.", f->path);
		else if (!c->fs->ops->hash(c->fs->data, path, digest, &bytes, c->cancellable,
					   &error))
			finding(c, CAV_FINDING_MISSING, f->path, "%s cannot be read: %s.", f->path,
				error->message);
		else if (bytes != f->bytes || memcmp(digest, f->sha256, CAV_SHA256_LEN) != 0)
			finding(c, CAV_FINDING_ALTERED, f->path,
				"%s differs from the file the set manifest lists (size or "
				"SHA-256): it was altered.",
				f->path);
		else
			c->report->n_files_ok++;
	}
}

static gboolean
listed(const Ctx *c, const char *rel)
{
	if (g_str_equal(rel, CAV_DISC_SET_NAME) || g_str_equal(rel, CAV_DISC_SET_SIG_NAME))
		return TRUE;
	for (guint i = 0; i < c->set->files->len; i++)
		if (g_str_equal(((CavDiscSetFile *)c->set->files->pdata[i])->path, rel))
			return TRUE;
	return FALSE;
}

/* Everything outside the hearings' folders must be listed. */
static void
walk_extras(Ctx *c, const char *rel, guint depth)
{
	g_autofree char *abs = rel != NULL ? at(c, rel) : g_strdup(c->root);
	g_auto(GStrv) names = c->fs->ops->list(c->fs->data, abs, NULL);

	for (guint i = 0; names != NULL && names[i] != NULL; i++) {
		g_autofree char *child =
			rel != NULL ? g_build_filename(rel, names[i], NULL) : g_strdup(names[i]);
		g_autofree char *child_abs = at(c, child);
		g_autofree char *mf = g_build_filename(child_abs, CAV_MANIFEST_NAME, NULL);
		CavVerifyNodeKind kind = c->fs->ops->stat(c->fs->data, child_abs, NULL);

		if (kind == CAV_VERIFY_NODE_DIR && rel == NULL &&
		    c->fs->ops->stat(c->fs->data, mf, NULL) == CAV_VERIFY_NODE_FILE) {
			/* A hearing: verify.c checked inside; is it meant to be here? */
			if (cav_disc_set_part(c->disc, child) == NULL)
				finding(c, CAV_FINDING_EXTRA, child,
					"The hearing folder %s is on the disc but the set manifest "
					"does not place it on this disc.",
					child);
		} else if (kind == CAV_VERIFY_NODE_DIR && depth < MAX_WALK_DEPTH) {
			walk_extras(c, child, depth + 1);
		} else if (!listed(c, child)) {
			finding(c, CAV_FINDING_EXTRA, child,
				"%s is on the disc but not listed in disc-set.json.", child);
		}
	}
}

static gint
finding_cmp(gconstpointer a, gconstpointer b)
{
	const CavFinding *fa = *(const CavFinding *const *)a;
	const CavFinding *fb = *(const CavFinding *const *)b;
	int r = strcmp(fa->manifest, fb->manifest);

	if (r == 0)
		r = g_strcmp0(fa->file, fb->file);
	return r != 0 ? r : (int)fa->kind - (int)fb->kind;
}

gboolean
cav_disc_verify(const CavVerifyFs *fs, const char *root, const char *pinned_public_pem,
		CavVerifyProgress progress, gpointer user_data, CavVerifyReport **out_report,
		CavDiscSet **out_set, GCancellable *cancellable, GError **error)
{
	g_autoptr(CavVerifyReport) report = NULL;
	g_autoptr(CavDiscSet) set = NULL;
	g_autoptr(GError) local = NULL;
	g_autofree char *set_data = NULL;
	gsize set_len = 0;
	gboolean has_set;
	Ctx c = {fs, root, NULL, NULL, NULL, NULL, cancellable};

	if (fs->ops->stat(fs->data, root, NULL) != CAV_VERIFY_NODE_DIR) {
		g_set_error(error, CAV_VERIFY_ERROR, CAV_VERIFY_ERROR_NOT_FOUND,
			    "Cannot verify %s: it is not a disc's root folder", root);
		return FALSE;
	}
	c.set_path = at(&c, CAV_DISC_SET_NAME);
	has_set = fs->ops->stat(fs->data, c.set_path, NULL) == CAV_VERIFY_NODE_FILE;

	if (!cav_verify_fs_full(fs, root, pinned_public_pem, progress, user_data, &report,
				cancellable, &local)) {
		if (!has_set ||
		    !g_error_matches(local, CAV_VERIFY_ERROR, CAV_VERIFY_ERROR_NO_MANIFEST)) {
			g_free(c.set_path);
			if (!has_set &&
			    g_error_matches(local, CAV_VERIFY_ERROR, CAV_VERIFY_ERROR_NO_MANIFEST))
				g_set_error(error, CAV_VERIFY_ERROR, CAV_VERIFY_ERROR_NO_MANIFEST,
					    "%s holds neither disc-set.json nor any hearing: it is "
					    "not a courtav disc",
					    root);
			else
				g_propagate_error(error, g_steal_pointer(&local));
			return FALSE;
		}
		report = cav_verify_report_new();
	}
	c.report = report;
	set = load_set(&c, pinned_public_pem, &set_data, &set_len);
	if (set != NULL) {
		c.set = set;
		c.disc = cav_disc_set_disc(set, set->disc);
		drop_elsewhere(&c);
		check_parts(&c);
		check_files(&c);
		walk_extras(&c, NULL, 0);
	}
	g_ptr_array_sort(report->findings, finding_cmp);
	g_free(c.set_path);
	*out_report = g_steal_pointer(&report);
	if (out_set != NULL)
		*out_set = g_steal_pointer(&set);
	return TRUE;
}
