/* test-verify.c — offline verification of real hearing folders: files
 * hashed and chained with the real functions, manifests sealed with a real
 * Ed25519 key, then tampered with the way people and accidents do.
 */
#include "common/chain.h"
#include "common/manifest.h"
#include "common/signer.h"
#include "common/verify.h"
#include "test-util.h"

#include <string.h>

#define N_FILES 4

typedef struct {
	char *root;        /* temporary folder (owned) */
	char *hearing;     /* root/case/hearing-a (owned) */
	CavSigner *signer; /* (owned) */
} Fixture;

/* Segment files: two camera tracks, two segments each. */
static const char *const files[N_FILES] = {
	"cam1/room101_20261128-174501_0001.mp4",
	"audio/room101_20261128-174501_0001.m4a",
	"cam1/room101_20261128-175001_0002.mp4",
	"audio/room101_20261128-175001_0002.m4a",
};

static void
write_segment_file(const char *dir, guint i, gsize size)
{
	g_autofree char *path = g_build_filename(dir, files[i], NULL);
	g_autofree char *sub = g_path_get_dirname(path);
	g_autofree guint8 *data = g_malloc(size);

	for (gsize k = 0; k < size; k++)
		data[k] = (guint8)(k * 31 + i * 101 + (k >> 8));
	g_assert_cmpint(g_mkdir_with_parents(sub, 0755), ==, 0);
	cav_test_write(path, data, size);
}

/* Builds manifest.json the way the recorder does: hash each file, extend the
 * chain, then optionally seal (sign the exact bytes written). @partial_last
 * marks the last segment as registered after a crash. */
static void
write_manifest(const char *dir, const char *uid, const CavSigner *signer, const char *state,
	       gboolean partial_last)
{
	g_autoptr(CavManifest) m = cav_manifest_new();
	g_autofree char *mpath = g_build_filename(dir, CAV_MANIFEST_NAME, NULL);
	g_autoptr(GError) error = NULL;
	guint8 prev[CAV_SHA256_LEN];

	m->hearing_uid = g_strdup(uid);
	m->hearing_id = 1;
	m->state = g_strdup(state);
	m->room = g_strdup("room101");
	m->case_number = g_strdup("(2026)京01民初123号");
	m->opened_us = G_GINT64_CONSTANT(1795859101000000);
	m->sig_alg = g_strdup(cav_signer_alg(signer));
	m->public_key_pem = g_strdup(cav_signer_public_pem(signer));
	m->device_key_id = g_strdup(cav_signer_key_id(signer));
	cav_chain_genesis(uid, prev);
	for (guint i = 0; i < N_FILES; i++) {
		g_autofree char *path = g_build_filename(dir, files[i], NULL);
		g_autofree char *name = g_path_get_basename(files[i]);
		g_autofree char *track = g_path_get_dirname(files[i]);
		CavManifestSegment s = {.file = (char *)files[i], .track = track, .seq = i / 2 + 1};
		CavChainLink link = {.track = track, .seq = s.seq, .name = name};

		g_assert_true(cav_sha256_file(path, s.sha256, &s.bytes, NULL, &error));
		g_assert_no_error(error);
		link.bytes = s.bytes;
		memcpy(link.sha256, s.sha256, CAV_SHA256_LEN);
		cav_chain_next(prev, &link, s.chain);
		memcpy(prev, s.chain, CAV_SHA256_LEN);
		s.start_us = m->opened_us + i * 300 * G_USEC_PER_SEC;
		s.end_us = s.start_us + 300 * G_USEC_PER_SEC;
		s.partial = partial_last && i == N_FILES - 1;
		cav_manifest_add_segment(m, &s);
	}
	memcpy(m->chain_head, prev, CAV_SHA256_LEN);
	g_assert_true(cav_manifest_write(m, mpath, &error));
	g_assert_no_error(error);
	if (g_str_equal(state, "sealed")) {
		g_autofree char *data = NULL, *b64 = NULL;
		g_autofree char *sig_path = g_build_filename(dir, CAV_MANIFEST_SIG_NAME, NULL);
		g_autoptr(GBytes) sig = NULL;
		gsize len = 0;

		g_assert_true(g_file_get_contents(mpath, &data, &len, NULL));
		sig = cav_signer_sign(signer, (const guint8 *)data, len, &error);
		g_assert_no_error(error);
		b64 = g_base64_encode(g_bytes_get_data(sig, NULL), g_bytes_get_size(sig));
		cav_test_write(sig_path, b64, strlen(b64));
	}
}

static void
make_hearing(const char *dir, const char *uid, const CavSigner *signer, const char *state)
{
	for (guint i = 0; i < N_FILES; i++)
		write_segment_file(dir, i, 1000 + i * 700);
	write_manifest(dir, uid, signer, state, FALSE);
}

static void
fixture_setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *key = NULL;

	f->root = cav_test_tmpdir();
	key = g_build_filename(f->root, "device.key", NULL);
	f->signer = cav_signer_load_or_create(key, "ed25519", &error);
	g_assert_no_error(error);
	f->hearing = g_build_filename(f->root, "case", "hearing-a", NULL);
	make_hearing(f->hearing, "uid-a", f->signer, data ? data : "sealed");
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
	cav_test_rmtree(f->root);
	g_free(f->root);
	g_free(f->hearing);
	cav_signer_free(f->signer);
}

static CavVerifyReport *
verify(const char *path)
{
	CavVerifyReport *r = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_true(cav_verify_path(path, NULL, NULL, &r, NULL, &error));
	g_assert_no_error(error);
	for (guint i = 0; i < r->findings->len; i++) {
		const CavFinding *x = g_ptr_array_index(r->findings, i);

		g_test_message("%s %s: %s", cav_finding_kind_name(x->kind), x->file ? x->file : "-",
			       x->detail);
	}
	return r;
}

/* The single finding of @r, which must be of @kind about @file. */
static const CavFinding *
only_finding(const CavVerifyReport *r, CavFindingKind kind, const char *file)
{
	const CavFinding *x;

	g_assert_cmpuint(r->findings->len, ==, 1);
	x = g_ptr_array_index(r->findings, 0);
	g_assert_cmpstr(cav_finding_kind_name(x->kind), ==, cav_finding_kind_name(kind));
	g_assert_cmpstr(x->file, ==, file);
	if (file != NULL)
		g_assert_nonnull(strstr(x->detail, file));
	return x;
}

static void
on_progress(const char *file, guint done, guint total, gpointer user_data)
{
	guint *calls = user_data;

	g_assert_cmpuint(done, ==, ++*calls);
	g_assert_cmpuint(total, ==, N_FILES);
	g_assert_cmpstr(file, ==, files[done - 1]);
}

static void
test_intact(Fixture *f, gconstpointer data)
{
	g_autoptr(CavVerifyReport) r = NULL;
	g_autoptr(GError) error = NULL;
	guint calls = 0;

	g_assert_true(cav_verify_path(f->root, on_progress, &calls, &r, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(r->findings->len, ==, 0);
	g_assert_cmpuint(r->n_manifests, ==, 1);
	g_assert_cmpuint(r->n_sealed, ==, 1);
	g_assert_cmpuint(r->n_files_ok, ==, N_FILES);
	g_assert_cmpuint(r->bytes_hashed, ==, 1000 + 1700 + 2400 + 3100);
	g_assert_cmpuint(calls, ==, N_FILES);
	cav_verify_report_free(g_steal_pointer(&r));

	/* The manifest itself as the path, and the pinned right key. */
	{
		g_autofree char *mp = g_build_filename(f->hearing, CAV_MANIFEST_NAME, NULL);

		g_assert_true(cav_verify_path_full(mp, cav_signer_public_pem(f->signer), NULL, NULL,
						   &r, NULL, &error));
		g_assert_cmpuint(r->findings->len, ==, 0);
		g_assert_cmpuint(r->n_files_ok, ==, N_FILES);
	}
}

static void
test_altered(Fixture *f, gconstpointer data)
{
	g_autofree char *path = g_build_filename(f->hearing, files[2], NULL);
	g_autofree char *content = NULL;
	g_autoptr(CavVerifyReport) r = NULL;
	gsize len = 0;

	g_assert_true(g_file_get_contents(path, &content, &len, NULL));
	content[len / 2] ^= 0x01;
	cav_test_write(path, content, len);
	r = verify(f->hearing);
	only_finding(r, CAV_FINDING_ALTERED, files[2]);
	g_assert_cmpuint(r->n_files_ok, ==, N_FILES - 1);
	cav_verify_report_free(g_steal_pointer(&r));

	/* Appended bytes: ALTERED with both sizes named. */
	cav_test_write(path, "x", 1);
	r = verify(f->hearing);
	g_assert_nonnull(strstr(only_finding(r, CAV_FINDING_ALTERED, files[2])->detail, "1 bytes"));
}

static void
test_missing(Fixture *f, gconstpointer data)
{
	g_autofree char *path = g_build_filename(f->hearing, files[1], NULL);
	g_autoptr(CavVerifyReport) r = NULL;

	g_assert_cmpint(g_unlink(path), ==, 0);
	r = verify(f->root);
	only_finding(r, CAV_FINDING_MISSING, files[1]);
}

static void
test_extra(Fixture *f, gconstpointer data)
{
	static const char *const extras[] = {"cam1/.room101_0003.mp4.tmp-ab12cd", "cam1/x.part",
					     "cam1/room101_20261128-174501_0001.mp4.torn",
					     "notes.txt", "sub/dir/deep.bin"};
	g_autoptr(CavVerifyReport) r = NULL;

	for (guint i = 0; i < G_N_ELEMENTS(extras); i++) {
		g_autofree char *path = g_build_filename(f->hearing, extras[i], NULL);
		g_autofree char *dir = g_path_get_dirname(path);

		g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
		cav_test_write(path, "?", 1);
	}
	r = verify(f->root);
	/* All of them, the .torn too: its segment is not partial. Sorted. */
	g_assert_cmpuint(r->findings->len, ==, G_N_ELEMENTS(extras));
	for (guint i = 0; i < r->findings->len; i++) {
		const CavFinding *x = g_ptr_array_index(r->findings, i);

		g_assert_cmpint(x->kind, ==, CAV_FINDING_EXTRA);
		g_assert_true(g_strv_contains(extras, x->file));
		if (i > 0)
			g_assert_cmpint(
				strcmp(((CavFinding *)g_ptr_array_index(r->findings, i - 1))->file,
				       x->file),
				<, 0);
	}
}

/* A repaired partial segment's .torn tail is expected, not extra. */
static void
test_torn_beside_partial(Fixture *f, gconstpointer data)
{
	g_autofree char *torn = g_strconcat(f->hearing, "/", files[N_FILES - 1], ".torn", NULL);
	g_autofree char *torn0 = g_strconcat(f->hearing, "/", files[0], ".torn", NULL);
	g_autoptr(CavVerifyReport) r = NULL;

	write_manifest(f->hearing, "uid-a", f->signer, "sealed", TRUE);
	cav_test_write(torn, "tail", 4);
	r = verify(f->hearing);
	g_assert_cmpuint(r->findings->len, ==, 0);
	cav_verify_report_free(g_steal_pointer(&r));

	cav_test_write(torn0, "tail", 4);
	r = verify(f->hearing);
	only_finding(r, CAV_FINDING_EXTRA, "cam1/room101_20261128-174501_0001.mp4.torn");
}

static void
test_swapped(Fixture *f, gconstpointer data)
{
	g_autofree char *a = g_build_filename(f->hearing, files[0], NULL);
	g_autofree char *b = g_build_filename(f->hearing, files[2], NULL);
	g_autofree char *tmp = g_build_filename(f->hearing, "swap.tmp", NULL);
	g_autoptr(CavVerifyReport) r = NULL;
	const CavFinding *x;

	g_assert_cmpint(g_rename(a, tmp), ==, 0);
	g_assert_cmpint(g_rename(b, a), ==, 0);
	g_assert_cmpint(g_rename(tmp, b), ==, 0);
	r = verify(f->hearing);
	g_assert_cmpuint(r->findings->len, ==, 2);
	/* Sorted by file: files[0] ("cam1/..._0001") before files[2]. */
	x = g_ptr_array_index(r->findings, 0);
	g_assert_cmpint(x->kind, ==, CAV_FINDING_REORDERED);
	g_assert_cmpstr(x->file, ==, files[0]);
	g_assert_nonnull(strstr(x->detail, files[2]));
	x = g_ptr_array_index(r->findings, 1);
	g_assert_cmpint(x->kind, ==, CAV_FINDING_REORDERED);
	g_assert_cmpstr(x->file, ==, files[2]);
	g_assert_nonnull(strstr(x->detail, files[0]));
}

/* Replaces the first @from in manifest.json with @to, leaving manifest.sig. */
static void
edit_manifest(const char *dir, const char *from, const char *to)
{
	g_autofree char *path = g_build_filename(dir, CAV_MANIFEST_NAME, NULL);
	g_autofree char *text = NULL;
	g_autoptr(GString) s = NULL;

	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	s = g_string_new(text);
	g_assert_cmpuint(g_string_replace(s, from, to, 1), ==, 1);
	cav_test_write(path, s->str, s->len);
}

static void
test_sealed_manifest_edited(Fixture *f, gconstpointer data)
{
	g_autoptr(CavVerifyReport) r = NULL;

	edit_manifest(f->hearing, "\"room\" : \"room101\"", "\"room\" : \"room102\"");
	r = verify(f->hearing);
	only_finding(r, CAV_FINDING_SIGNATURE, NULL);
	cav_verify_report_free(g_steal_pointer(&r));

	/* Claiming "closed" does not switch the signature check off. */
	edit_manifest(f->hearing, "\"state\" : \"sealed\"", "\"state\" : \"closed\"");
	r = verify(f->hearing);
	only_finding(r, CAV_FINDING_SIGNATURE, NULL);
	g_assert_cmpuint(r->n_sealed, ==, 0);
}

static void
test_sealed_without_sig(Fixture *f, gconstpointer data)
{
	g_autofree char *sig = g_build_filename(f->hearing, CAV_MANIFEST_SIG_NAME, NULL);
	g_autoptr(CavVerifyReport) r = NULL;

	g_assert_cmpint(g_unlink(sig), ==, 0);
	r = verify(f->hearing);
	g_assert_nonnull(strstr(only_finding(r, CAV_FINDING_SIGNATURE, NULL)->detail, "missing"));
}

static void
test_pinned_key(Fixture *f, gconstpointer data)
{
	g_autofree char *key = g_build_filename(f->root, "other.key", NULL);
	g_autoptr(CavSigner) other = cav_signer_load_or_create(key, NULL, NULL);
	g_autoptr(CavVerifyReport) r = NULL;
	g_autoptr(GError) error = NULL;

	/* Re-sealed by someone else's key: intact by its own embedded key,
	 * caught only by pinning the device key. */
	write_manifest(f->hearing, "uid-a", other, "sealed", FALSE);
	r = verify(f->hearing);
	g_assert_cmpuint(r->findings->len, ==, 0);
	cav_verify_report_free(g_steal_pointer(&r));
	g_assert_true(cav_verify_path_full(f->hearing, cav_signer_public_pem(f->signer), NULL, NULL,
					   &r, NULL, &error));
	only_finding(r, CAV_FINDING_SIGNATURE, NULL);
}

/* Unsealed: editing an entry breaks its chain link. */
static void
test_chain_edit(Fixture *f, gconstpointer data)
{
	g_autoptr(CavVerifyReport) r = NULL;
	g_autoptr(CavManifest) m = NULL;
	g_autofree char *mp = g_build_filename(f->hearing, CAV_MANIFEST_NAME, NULL);
	g_autoptr(GError) error = NULL;
	CavManifestSegment *s;

	m = cav_manifest_load(mp, &error);
	g_assert_no_error(error);
	s = g_ptr_array_index(m->segments, 1);
	s->seq = 7; /* the file is untouched; only the record changed */
	g_assert_true(cav_manifest_write(m, mp, &error));
	r = verify(f->hearing);
	only_finding(r, CAV_FINDING_CHAIN, files[1]);
	cav_verify_report_free(g_steal_pointer(&r));

	/* Dropping the last entry without fixing chain_head: the head check
	 * fires and the dropped file becomes extra. */
	s->seq = 1;
	g_ptr_array_remove_index(m->segments, N_FILES - 1);
	g_assert_true(cav_manifest_write(m, mp, &error));
	r = verify(f->hearing);
	g_assert_cmpuint(r->findings->len, ==, 2);
	g_assert_cmpint(((CavFinding *)g_ptr_array_index(r->findings, 0))->kind, ==,
			CAV_FINDING_CHAIN);
	g_assert_null(((CavFinding *)g_ptr_array_index(r->findings, 0))->file);
	g_assert_cmpint(((CavFinding *)g_ptr_array_index(r->findings, 1))->kind, ==,
			CAV_FINDING_EXTRA);
	g_assert_cmpstr(((CavFinding *)g_ptr_array_index(r->findings, 1))->file, ==,
			files[N_FILES - 1]);
}

static void
test_two_hearings(Fixture *f, gconstpointer data)
{
	g_autofree char *b = g_build_filename(f->root, "case", "hearing-b", NULL);
	g_autofree char *victim = g_build_filename(b, files[3], NULL);
	g_autofree char *b_manifest = g_build_filename(b, CAV_MANIFEST_NAME, NULL);
	g_autofree char *case_dir = g_build_filename(f->root, "case", NULL);
	g_autoptr(CavVerifyReport) r = NULL;
	const CavFinding *x;

	make_hearing(b, "uid-b", f->signer, "closed");
	cav_test_write(victim, "overwritten", 11);
	r = verify(case_dir);
	g_assert_cmpuint(r->n_manifests, ==, 2);
	g_assert_cmpuint(r->n_sealed, ==, 1);
	g_assert_cmpuint(r->n_files_ok, ==, 2 * N_FILES - 1);
	x = only_finding(r, CAV_FINDING_ALTERED, files[3]);
	g_assert_cmpstr(x->manifest, ==, b_manifest);
}

static void
test_broken_manifest(Fixture *f, gconstpointer data)
{
	g_autoptr(CavVerifyReport) r = NULL;

	edit_manifest(f->hearing, "\"segments\" : [", "\"segments\" : 5, \"x\" : [");
	r = verify(f->hearing);
	only_finding(r, CAV_FINDING_MANIFEST, NULL);
	g_assert_cmpuint(r->n_manifests, ==, 1);
}

static void
test_errors(Fixture *f, gconstpointer data)
{
	g_autofree char *missing = g_build_filename(f->root, "nope", NULL);
	g_autofree char *empty = g_build_filename(f->root, "empty", NULL);
	g_autoptr(GCancellable) cancel = g_cancellable_new();
	g_autoptr(GError) error = NULL;
	CavVerifyReport *r = NULL;

	g_assert_false(cav_verify_path(missing, NULL, NULL, &r, NULL, &error));
	g_assert_error(error, CAV_VERIFY_ERROR, CAV_VERIFY_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_cmpint(g_mkdir(empty, 0755), ==, 0);
	g_assert_false(cav_verify_path(empty, NULL, NULL, &r, NULL, &error));
	g_assert_error(error, CAV_VERIFY_ERROR, CAV_VERIFY_ERROR_NO_MANIFEST);
	g_clear_error(&error);
	g_cancellable_cancel(cancel);
	g_assert_false(cav_verify_path(f->root, NULL, NULL, &r, cancel, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_assert_null(r);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn, state) g_test_add(path, Fixture, state, fixture_setup, fn, fixture_teardown)
	ADD("/verify/intact", test_intact, NULL);
	ADD("/verify/altered", test_altered, NULL);
	ADD("/verify/missing", test_missing, NULL);
	ADD("/verify/extra", test_extra, NULL);
	ADD("/verify/torn-beside-partial", test_torn_beside_partial, NULL);
	ADD("/verify/swapped", test_swapped, NULL);
	ADD("/verify/sealed-manifest-edited", test_sealed_manifest_edited, NULL);
	ADD("/verify/sealed-without-sig", test_sealed_without_sig, NULL);
	ADD("/verify/pinned-key", test_pinned_key, NULL);
	ADD("/verify/chain-edit", test_chain_edit, "closed");
	ADD("/verify/two-hearings", test_two_hearings, NULL);
	ADD("/verify/broken-manifest", test_broken_manifest, NULL);
	ADD("/verify/errors", test_errors, NULL);
#undef ADD
	return g_test_run();
}
