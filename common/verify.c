/* verify.c — offline verification of hearing folders (courtavctl verify).
 *
 * Three passes: find every manifest.json below the path; load and parse them
 * all (so progress can count files); then for each hearing check the
 * signature, recompute the chain from the manifest's own entries, hash every
 * listed file, and list files nobody recorded. Findings are collected, never
 * fatal: a damaged tree yields as complete a report as it can. Blocking; runs
 * on the caller's thread, which also receives the progress callbacks.
 *
 * What the signature proves: with only the key embedded in the manifest, that
 * the manifest is unchanged since sealing (integrity), not who sealed it — an
 * attacker could re-seal with a key of their own. Pinning the device's
 * exported key through cav_verify_path_full() adds identity.
 *
 * All reading goes through a CavVerifyFs (verify.h), so an ISO image or a
 * disc in its drive is checked by this same code; the local file system is
 * the table at the end of this file.
 */
#include "verify.h"
#include "chain.h"
#include "manifest.h"
#include "sha256.h"
#include "signer.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#define MAX_WALK_DEPTH 32
#define MAX_MANIFEST_BYTES ((gsize)512 * 1024 * 1024)
#define MAX_SIG_FILE 65536

/* The first argument is stringified: the error domain's name. */
/* clang-format off */
G_DEFINE_QUARK(cav-verify-error-quark, cav_verify_error)
/* clang-format on */

typedef struct {
	char *dir;           /* hearing folder (owned) */
	char *manifest_path; /* (owned) */
	char *data;          /* exact bytes of manifest.json, NULL if unreadable (owned) */
	gsize len;
	CavManifest *m; /* NULL when unreadable or invalid (owned) */
} Hearing;

typedef struct {
	const CavVerifyFs *fs;   /* unowned */
	CavVerifyReport *report; /* unowned */
	const char *pinned_pem;  /* unowned, nullable */
	CavVerifyProgress progress;
	gpointer user_data;
	GCancellable *cancellable; /* unowned, nullable */
	guint done;
	guint total;
} Ctx;

static void
hearing_free(gpointer p)
{
	Hearing *h = p;

	if (h == NULL)
		return;
	g_free(h->dir);
	g_free(h->manifest_path);
	g_free(h->data);
	cav_manifest_free(h->m);
	g_free(h);
}

static void
finding_free(gpointer p)
{
	CavFinding *f = p;

	if (f == NULL)
		return;
	g_free(f->manifest);
	g_free(f->file);
	g_free(f->detail);
	g_free(f);
}

CavVerifyReport *
cav_verify_report_new(void)
{
	CavVerifyReport *report = g_new0(CavVerifyReport, 1);

	report->findings = g_ptr_array_new_with_free_func(finding_free);
	return report;
}

void
cav_verify_report_add(CavVerifyReport *report, CavFindingKind kind, const char *manifest,
		      const char *file, const char *detail)
{
	CavFinding *f = g_new0(CavFinding, 1);

	f->kind = kind;
	f->manifest = g_strdup(manifest);
	f->file = g_strdup(file);
	f->detail = g_strdup(detail);
	g_ptr_array_add(report->findings, f);
}

void
cav_verify_report_free(CavVerifyReport *report)
{
	if (report == NULL)
		return;
	g_clear_pointer(&report->findings, g_ptr_array_unref);
	g_free(report);
}

const char *
cav_finding_kind_name(CavFindingKind kind)
{
	switch (kind) {
	case CAV_FINDING_MISSING:
		return "missing";
	case CAV_FINDING_EXTRA:
		return "extra";
	case CAV_FINDING_ALTERED:
		return "altered";
	case CAV_FINDING_REORDERED:
		return "reordered";
	case CAV_FINDING_CHAIN:
		return "chain";
	case CAV_FINDING_SIGNATURE:
		return "signature";
	case CAV_FINDING_MANIFEST:
		return "manifest";
	}
	return "unknown";
}

G_GNUC_PRINTF(5, 6)
static void
add_finding(Ctx *ctx, CavFindingKind kind, const Hearing *h, const char *file, const char *fmt, ...)
{
	CavFinding *f = g_new0(CavFinding, 1);
	va_list ap;

	f->kind = kind;
	f->manifest = g_strdup(h->manifest_path);
	f->file = g_strdup(file);
	va_start(ap, fmt);
	f->detail = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(ctx->report->findings, f);
}

static gint
finding_cmp(gconstpointer a, gconstpointer b)
{
	const CavFinding *fa = *(const CavFinding *const *)a;
	const CavFinding *fb = *(const CavFinding *const *)b;
	int c = strcmp(fa->manifest, fb->manifest);

	if (c != 0)
		return c;
	if (fa->file == NULL || fb->file == NULL)
		c = (fa->file != NULL) - (fb->file != NULL);
	else
		c = strcmp(fa->file, fb->file);
	if (c != 0)
		return c;
	return (int)fa->kind - (int)fb->kind;
}

/* ---- pass 1: find the hearings ------------------------------------------ */

static CavVerifyNodeKind
fs_stat(const CavVerifyFs *fs, const char *path, guint64 *size)
{
	return fs->ops->stat(fs->data, path, size);
}

static gboolean
has_manifest(const CavVerifyFs *fs, const char *dir)
{
	g_autofree char *p = g_build_filename(dir, CAV_MANIFEST_NAME, NULL);

	return fs_stat(fs, p, NULL) == CAV_VERIFY_NODE_FILE;
}

/* Symbolic links are not followed: a copied tree must not be able to pull
 * files from elsewhere into a hearing, nor loop the walk. */
static void
find_hearings(const CavVerifyFs *fs, const char *dir, guint depth, GPtrArray *dirs)
{
	g_auto(GStrv) names = NULL;

	if (has_manifest(fs, dir))
		g_ptr_array_add(dirs, g_strdup(dir));
	if (depth >= MAX_WALK_DEPTH || (names = fs->ops->list(fs->data, dir, NULL)) == NULL)
		return;
	for (guint i = 0; names[i] != NULL; i++) {
		g_autofree char *child = g_build_filename(dir, names[i], NULL);

		if (fs_stat(fs, child, NULL) == CAV_VERIFY_NODE_DIR)
			find_hearings(fs, child, depth + 1, dirs);
	}
}

/* ---- pass 2: load the manifests ----------------------------------------- */

static Hearing *
load_hearing(Ctx *ctx, const char *dir)
{
	Hearing *h = g_new0(Hearing, 1);
	g_autoptr(GError) error = NULL;
	guint64 size = 0;

	h->dir = g_strdup(dir);
	h->manifest_path = g_build_filename(dir, CAV_MANIFEST_NAME, NULL);
	if (fs_stat(ctx->fs, h->manifest_path, &size) == CAV_VERIFY_NODE_FILE &&
	    size > MAX_MANIFEST_BYTES) {
		add_finding(ctx, CAV_FINDING_MANIFEST, h, NULL,
			    "manifest.json is too large to be a manifest.");
		return h;
	}
	if (!ctx->fs->ops->read(ctx->fs->data, h->manifest_path, MAX_MANIFEST_BYTES, &h->data,
				&h->len, &error)) {
		add_finding(ctx, CAV_FINDING_MANIFEST, h, NULL, "manifest.json cannot be read: %s.",
			    error->message);
		return h;
	}
	h->m = cav_manifest_parse(h->data, h->len, &error);
	if (h->m == NULL)
		add_finding(ctx, CAV_FINDING_MANIFEST, h, NULL,
			    "manifest.json is not a valid manifest: %s.", error->message);
	else
		ctx->total += h->m->segments->len;
	return h;
}

/* ---- pass 3: one hearing ------------------------------------------------ */

static void
check_signature(Ctx *ctx, const Hearing *h)
{
	const CavManifest *m = h->m;
	gboolean sealed = g_str_equal(m->state, "sealed");
	g_autofree char *sig_path = g_build_filename(h->dir, CAV_MANIFEST_SIG_NAME, NULL);
	g_autofree char *sig_text = NULL;
	g_autofree guint8 *sig = NULL;
	g_autoptr(GError) error = NULL;
	gsize sig_len = 0, text_len = 0;
	CavVerifyNodeKind kind;

	if (sealed)
		ctx->report->n_sealed++;
	/* A signature beside an unsealed manifest is checked too: otherwise
	 * editing "sealed" to "closed" would switch the check off. */
	kind = fs_stat(ctx->fs, sig_path, NULL);
	if (kind == CAV_VERIFY_NODE_NONE) {
		if (sealed)
			add_finding(ctx, CAV_FINDING_SIGNATURE, h, NULL,
				    "The hearing is sealed but manifest.sig is missing.");
		return;
	}
	if (kind != CAV_VERIFY_NODE_FILE ||
	    !ctx->fs->ops->read(ctx->fs->data, sig_path, MAX_SIG_FILE, &sig_text, &text_len,
				NULL)) {
		add_finding(ctx, CAV_FINDING_SIGNATURE, h, NULL,
			    "manifest.sig cannot be read as a signature.");
		return;
	}
	sig = g_base64_decode(g_strstrip(sig_text), &sig_len);
	if (m->sig_alg == NULL || m->public_key_pem == NULL) {
		add_finding(ctx, CAV_FINDING_SIGNATURE, h, NULL,
			    "manifest.json names no signature algorithm or public key to check "
			    "manifest.sig with.");
		return;
	}
	if (!cav_signature_verify(m->sig_alg, m->public_key_pem, (const guint8 *)h->data, h->len,
				  sig, sig_len, &error)) {
		add_finding(ctx, CAV_FINDING_SIGNATURE, h, NULL,
			    "manifest.sig does not match manifest.json, so the manifest changed "
			    "after sealing (%s).",
			    error->message);
		return;
	}
	if (ctx->pinned_pem != NULL &&
	    !cav_signature_verify(m->sig_alg, ctx->pinned_pem, (const guint8 *)h->data, h->len, sig,
				  sig_len, NULL)) {
		add_finding(ctx, CAV_FINDING_SIGNATURE, h, NULL,
			    "manifest.json was sealed with a key other than the device key given.");
	}
}

static void
check_key_id(Ctx *ctx, const Hearing *h)
{
	g_autofree char *id = NULL;

	if (h->m->public_key_pem == NULL || h->m->device_key_id == NULL)
		return;
	id = cav_signer_key_id_from_pem(h->m->public_key_pem, NULL);
	if (id == NULL)
		add_finding(ctx, CAV_FINDING_MANIFEST, h, NULL,
			    "public_key_pem in manifest.json is not a readable public key.");
	else if (!g_str_equal(id, h->m->device_key_id))
		add_finding(ctx, CAV_FINDING_MANIFEST, h, NULL,
			    "device_key_id %s does not belong to public_key_pem (whose id is %s).",
			    h->m->device_key_id, id);
}

/* Each stored link is recomputed from the previous *stored* link, so one
 * edited entry is reported once instead of poisoning every later one. */
static void
check_chain(Ctx *ctx, const Hearing *h)
{
	const CavManifest *m = h->m;
	guint8 prev[CAV_SHA256_LEN];

	cav_chain_genesis(m->hearing_uid, prev);
	for (guint i = 0; i < m->segments->len; i++) {
		const CavManifestSegment *s = g_ptr_array_index(m->segments, i);
		g_autofree char *name = g_path_get_basename(s->file);
		CavChainLink link = {
			.track = s->track, .seq = s->seq, .name = name, .bytes = s->bytes};
		guint8 calc[CAV_SHA256_LEN];

		memcpy(link.sha256, s->sha256, CAV_SHA256_LEN);
		cav_chain_next(prev, &link, calc);
		if (memcmp(calc, s->chain, CAV_SHA256_LEN) != 0)
			add_finding(
				ctx, CAV_FINDING_CHAIN, h, s->file,
				"The chain link recorded for %s does not recompute: its entry in "
				"the manifest was edited, or an entry before it was removed or "
				"moved.",
				s->file);
		memcpy(prev, s->chain, CAV_SHA256_LEN);
	}
	if (memcmp(prev, m->chain_head, CAV_SHA256_LEN) != 0)
		add_finding(ctx, CAV_FINDING_CHAIN, h, NULL,
			    "chain_head does not equal the link of the last segment listed: "
			    "entries were removed from the end of the manifest or the head was "
			    "edited.");
}

/* Index of another entry recorded with @digest, or -1. */
static int
other_entry_with(const CavManifest *m, guint self, const guint8 digest[CAV_SHA256_LEN])
{
	for (guint j = 0; j < m->segments->len; j++) {
		const CavManifestSegment *o = g_ptr_array_index(m->segments, j);

		if (j != self && memcmp(o->sha256, digest, CAV_SHA256_LEN) == 0)
			return (int)j;
	}
	return -1;
}

static void
judge_file(Ctx *ctx, const Hearing *h, guint i, const guint8 digest[CAV_SHA256_LEN], guint64 bytes)
{
	const CavManifestSegment *s = g_ptr_array_index(h->m->segments, i);
	int other;

	if (bytes == s->bytes && memcmp(digest, s->sha256, CAV_SHA256_LEN) == 0) {
		ctx->report->n_files_ok++;
		return;
	}
	other = other_entry_with(h->m, i, digest);
	if (other >= 0) {
		const CavManifestSegment *o = g_ptr_array_index(h->m->segments, (guint)other);

		add_finding(ctx, CAV_FINDING_REORDERED, h, s->file,
			    "%s holds the content recorded as %s: the files were renamed or "
			    "swapped.",
			    s->file, o->file);
	} else if (bytes != s->bytes) {
		add_finding(ctx, CAV_FINDING_ALTERED, h, s->file,
			    "%s is %" G_GUINT64_FORMAT
			    " bytes but the manifest records %" G_GUINT64_FORMAT " bytes.",
			    s->file, bytes, s->bytes);
	} else {
		add_finding(ctx, CAV_FINDING_ALTERED, h, s->file,
			    "%s has the recorded size but not the recorded SHA-256: its content "
			    "was altered.",
			    s->file);
	}
}

/* FALSE only when cancelled. Hashing a 5-minute segment is I/O bound, so
 * there is no point in parallel hashing here; the disk is the limit. */
static gboolean
check_files(Ctx *ctx, const Hearing *h, GError **error)
{
	for (guint i = 0; i < h->m->segments->len; i++) {
		const CavManifestSegment *s = g_ptr_array_index(h->m->segments, i);
		g_autofree char *path = g_build_filename(h->dir, s->file, NULL);
		g_autoptr(GError) local = NULL;
		guint8 digest[CAV_SHA256_LEN];
		guint64 bytes = 0;
		CavVerifyNodeKind kind = fs_stat(ctx->fs, path, NULL);

		if (kind == CAV_VERIFY_NODE_NONE) {
			add_finding(ctx, CAV_FINDING_MISSING, h, s->file,
				    "%s is listed in the manifest but is not on disk.", s->file);
		} else if (kind != CAV_VERIFY_NODE_FILE) {
			add_finding(ctx, CAV_FINDING_ALTERED, h, s->file,
				    "%s is not a regular file (a link, folder or device stands in "
				    "its place).",
				    s->file);
		} else if (!ctx->fs->ops->hash(ctx->fs->data, path, digest, &bytes,
					       ctx->cancellable, &local)) {
			if (g_error_matches(local, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
				g_propagate_error(error, g_steal_pointer(&local));
				return FALSE;
			}
			add_finding(ctx, CAV_FINDING_MISSING, h, s->file, "%s cannot be read: %s.",
				    s->file, local->message);
		} else {
			ctx->report->bytes_hashed += bytes;
			judge_file(ctx, h, i, digest, bytes);
		}
		ctx->done++;
		if (ctx->progress != NULL)
			ctx->progress(s->file, ctx->done, ctx->total, ctx->user_data);
	}
	return TRUE;
}

static gboolean
looks_temporary(const char *name)
{
	return g_str_has_suffix(name, ".part") || g_str_has_suffix(name, ".tmp") ||
	       strstr(name, ".tmp-") != NULL || g_str_has_suffix(name, "~");
}

static void
walk_extras(Ctx *ctx, const Hearing *h, GHashTable *allowed, const char *rel, guint depth)
{
	g_autofree char *abs = rel ? g_build_filename(h->dir, rel, NULL) : g_strdup(h->dir);
	g_auto(GStrv) names = NULL;
	g_autoptr(GError) error = NULL;

	if (depth <= MAX_WALK_DEPTH)
		names = ctx->fs->ops->list(ctx->fs->data, abs, &error);
	if (names == NULL) {
		add_finding(ctx, CAV_FINDING_EXTRA, h, rel,
			    "The folder %s cannot be searched, so files in it that the manifest "
			    "does not list cannot be ruled out%s%s.",
			    rel ? rel : "(hearing folder)", error ? ": " : "",
			    error ? error->message : "");
		return;
	}
	for (guint i = 0; names[i] != NULL; i++) {
		const char *name = names[i];
		g_autofree char *child_rel =
			rel ? g_build_filename(rel, name, NULL) : g_strdup(name);
		g_autofree char *child_abs = g_build_filename(abs, name, NULL);
		CavVerifyNodeKind kind = fs_stat(ctx->fs, child_abs, NULL);

		if (kind == CAV_VERIFY_NODE_NONE)
			continue;
		if (kind == CAV_VERIFY_NODE_DIR) {
			/* A nested hearing is verified on its own. */
			if (!has_manifest(ctx->fs, child_abs))
				walk_extras(ctx, h, allowed, child_rel, depth + 1);
			continue;
		}
		if (g_hash_table_contains(allowed, child_rel))
			continue;
		add_finding(ctx, CAV_FINDING_EXTRA, h, child_rel,
			    "%s is not listed in the manifest%s.", child_rel,
			    looks_temporary(name)
				    ? " (it looks like an unfinished or temporary file)"
				    : "");
	}
}

static void
check_extras(Ctx *ctx, const Hearing *h)
{
	g_autoptr(GHashTable) allowed =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	g_hash_table_add(allowed, g_strdup(CAV_MANIFEST_NAME));
	g_hash_table_add(allowed, g_strdup(CAV_MANIFEST_SIG_NAME));
	for (guint i = 0; i < h->m->segments->len; i++) {
		const CavManifestSegment *s = g_ptr_array_index(h->m->segments, i);

		if (!g_hash_table_add(allowed, g_strdup(s->file)))
			add_finding(ctx, CAV_FINDING_MANIFEST, h, s->file,
				    "%s is listed more than once in the manifest.", s->file);
		/* cav_mp4_repair() keeps a partial segment's torn tail. */
		if (s->partial)
			g_hash_table_add(allowed, g_strconcat(s->file, ".torn", NULL));
	}
	walk_extras(ctx, h, allowed, NULL, 0);
}

static gboolean
verify_hearing(Ctx *ctx, const Hearing *h, GError **error)
{
	if (h->m == NULL)
		return TRUE;
	check_signature(ctx, h);
	check_key_id(ctx, h);
	check_chain(ctx, h);
	if (!check_files(ctx, h, error))
		return FALSE;
	check_extras(ctx, h);
	return TRUE;
}

static gint
str_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Runs the three passes; @root_kind is what @path is on @fs. */
static gboolean
verify_run(const CavVerifyFs *fs, const char *path, CavVerifyNodeKind root_kind,
	   const char *pinned_public_pem, CavVerifyProgress progress, gpointer user_data,
	   CavVerifyReport **out_report, GCancellable *cancellable, GError **error)
{
	g_autoptr(CavVerifyReport) report = NULL;
	g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) hearings = g_ptr_array_new_with_free_func(hearing_free);
	Ctx ctx = {0};

	if (root_kind == CAV_VERIFY_NODE_DIR) {
		find_hearings(fs, path, 0, dirs);
	} else {
		g_autofree char *base = g_path_get_basename(path);

		if (g_str_equal(base, CAV_MANIFEST_NAME))
			g_ptr_array_add(dirs, g_path_get_dirname(path));
	}
	if (dirs->len == 0) {
		g_set_error(error, CAV_VERIFY_ERROR, CAV_VERIFY_ERROR_NO_MANIFEST,
			    "No %s found in or below %s; point verify at a hearing, case or media "
			    "folder",
			    CAV_MANIFEST_NAME, path);
		return FALSE;
	}
	g_ptr_array_sort(dirs, str_cmp);

	report = cav_verify_report_new();
	ctx = (Ctx){.fs = fs,
		    .report = report,
		    .pinned_pem = pinned_public_pem,
		    .progress = progress,
		    .user_data = user_data,
		    .cancellable = cancellable};
	for (guint i = 0; i < dirs->len; i++)
		g_ptr_array_add(hearings, load_hearing(&ctx, g_ptr_array_index(dirs, i)));
	report->n_manifests = hearings->len;
	for (guint i = 0; i < hearings->len; i++) {
		if (!verify_hearing(&ctx, g_ptr_array_index(hearings, i), error))
			return FALSE;
	}
	/* By manifest, then file (hearing-wide findings first), then kind. */
	g_ptr_array_sort(report->findings, finding_cmp);
	*out_report = g_steal_pointer(&report);
	return TRUE;
}

gboolean
cav_verify_fs_full(const CavVerifyFs *fs, const char *path, const char *pinned_public_pem,
		   CavVerifyProgress progress, gpointer user_data, CavVerifyReport **out_report,
		   GCancellable *cancellable, GError **error)
{
	CavVerifyNodeKind kind;

	g_return_val_if_fail(fs != NULL && path != NULL, FALSE);
	g_return_val_if_fail(out_report != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	kind = fs_stat(fs, path, NULL);
	if (kind == CAV_VERIFY_NODE_NONE) {
		g_set_error(error, CAV_VERIFY_ERROR, CAV_VERIFY_ERROR_NOT_FOUND,
			    "Cannot verify %s: it does not exist", path);
		return FALSE;
	}
	return verify_run(fs, path, kind, pinned_public_pem, progress, user_data, out_report,
			  cancellable, error);
}

gboolean
cav_verify_path_full(const char *path, const char *pinned_public_pem, CavVerifyProgress progress,
		     gpointer user_data, CavVerifyReport **out_report, GCancellable *cancellable,
		     GError **error)
{
	CavVerifyFs fs = cav_verify_fs_local();
	GStatBuf st;

	g_return_val_if_fail(path != NULL, FALSE);
	g_return_val_if_fail(out_report != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	/* The path itself may be a link (a mount point's alias); only what lies
	 * below it is walked without following links. */
	if (g_stat(path, &st) != 0) {
		int saved = errno;

		g_set_error(error, CAV_VERIFY_ERROR, CAV_VERIFY_ERROR_NOT_FOUND,
			    "Cannot verify %s: %s", path, g_strerror(saved));
		return FALSE;
	}
	return verify_run(&fs, path,
			  S_ISDIR(st.st_mode) ? CAV_VERIFY_NODE_DIR : CAV_VERIFY_NODE_FILE,
			  pinned_public_pem, progress, user_data, out_report, cancellable, error);
}

gboolean
cav_verify_path(const char *path, CavVerifyProgress progress, gpointer user_data,
		CavVerifyReport **out_report, GCancellable *cancellable, GError **error)
{
	return cav_verify_path_full(path, NULL, progress, user_data, out_report, cancellable,
				    error);
}

/* ---- the local file system ---------------------------------------------- */

static CavVerifyNodeKind
local_stat(gpointer fs, const char *path, guint64 *size)
{
	GStatBuf st;

	if (g_lstat(path, &st) != 0)
		return CAV_VERIFY_NODE_NONE;
	if (size != NULL)
		*size = (guint64)st.st_size;
	if (S_ISREG(st.st_mode))
		return CAV_VERIFY_NODE_FILE;
	return S_ISDIR(st.st_mode) ? CAV_VERIFY_NODE_DIR : CAV_VERIFY_NODE_OTHER;
}

static GStrv
local_list(gpointer fs, const char *path, GError **error)
{
	g_autoptr(GDir) d = g_dir_open(path, 0, error);
	g_autoptr(GStrvBuilder) b = NULL;
	const char *name;

	if (d == NULL)
		return NULL;
	b = g_strv_builder_new();
	while ((name = g_dir_read_name(d)) != NULL)
		g_strv_builder_add(b, name);
	return g_strv_builder_end(b);
}

static gboolean
local_read(gpointer fs, const char *path, gsize max, char **data, gsize *len, GError **error)
{
	guint64 size = 0;

	if (local_stat(fs, path, &size) == CAV_VERIFY_NODE_FILE && size > max) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
			    "%s is larger than %" G_GSIZE_FORMAT " bytes", path, max);
		return FALSE;
	}
	return g_file_get_contents(path, data, len, error);
}

static gboolean
local_hash(gpointer fs, const char *path, guint8 digest[CAV_SHA256_LEN], guint64 *bytes,
	   GCancellable *cancellable, GError **error)
{
	return cav_sha256_file(path, digest, bytes, cancellable, error);
}

static const CavVerifyFsOps local_ops = {
	.stat = local_stat,
	.list = local_list,
	.read = local_read,
	.hash = local_hash,
};

CavVerifyFs
cav_verify_fs_local(void)
{
	return (CavVerifyFs){.ops = &local_ops, .data = NULL};
}
