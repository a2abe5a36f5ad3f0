/* test-disc-verify.c — a disc checked from a folder: a hearing split between
 * two discs (disc 2 holds half its recordings: the other half must not be
 * "missing", but a file the set places here must be), the set manifest's own
 * files (altered, extra), its signature, and a hearing the set does not put
 * on this disc. Real hashes, chain and Ed25519 signatures throughout.
 */
#include "common/chain.h"
#include "common/disc-set.h"
#include "common/disc-verify.h"
#include "common/manifest.h"
#include "common/signer.h"
#include "tests/common/test-util.h"

#include <string.h>

#define N_FILES 4

static const char *const files[N_FILES] = {
	"cam1/seg_0001.mp4",
	"cam1/seg_0002.mp4",
	"cam1/seg_0003.mp4",
	"cam1/seg_0004.mp4",
};

typedef struct {
	char *root;        /* the disc's root folder (owned) */
	char *keydir;      /* the device key's folder (owned) */
	CavSigner *signer; /* (owned) */
	guint8 manifest_sha[CAV_SHA256_LEN];
} Fixture;

static void
sign_file(const CavSigner *signer, const char *path, const char *sig_path)
{
	g_autofree char *data = NULL, *b64 = NULL;
	g_autoptr(GBytes) sig = NULL;
	g_autoptr(GError) error = NULL;
	gsize len = 0;

	g_assert_true(g_file_get_contents(path, &data, &len, NULL));
	sig = cav_signer_sign(signer, (const guint8 *)data, len, &error);
	g_assert_no_error(error);
	b64 = g_base64_encode(g_bytes_get_data(sig, NULL), g_bytes_get_size(sig));
	cav_test_write(sig_path, b64, strlen(b64));
}

/* Hearing h1 sealed with all four recordings in its manifest; only those
 * with index >= @first are written to this disc. */
static void
make_hearing(Fixture *f, guint first)
{
	g_autofree char *dir = g_build_filename(f->root, "h1", NULL);
	g_autofree char *mpath = g_build_filename(dir, CAV_MANIFEST_NAME, NULL);
	g_autofree char *spath = g_build_filename(dir, CAV_MANIFEST_SIG_NAME, NULL);
	g_autofree char *mdata = NULL;
	g_autoptr(CavManifest) m = cav_manifest_new();
	g_autoptr(GError) error = NULL;
	guint8 prev[CAV_SHA256_LEN];
	gsize mlen = 0;

	m->hearing_uid = g_strdup("uid-1");
	m->hearing_id = 1;
	m->state = g_strdup("sealed");
	m->room = g_strdup("t1");
	m->case_number = g_strdup("（2026）兵0101民初7号");
	m->opened_us = G_GINT64_CONSTANT(1795859101000000);
	m->sig_alg = g_strdup(cav_signer_alg(f->signer));
	m->public_key_pem = g_strdup(cav_signer_public_pem(f->signer));
	m->device_key_id = g_strdup(cav_signer_key_id(f->signer));
	cav_chain_genesis(m->hearing_uid, prev);
	for (guint i = 0; i < N_FILES; i++) {
		g_autofree char *path = g_build_filename(dir, files[i], NULL);
		g_autofree char *sub = g_path_get_dirname(path);
		g_autofree char *name = g_path_get_basename(files[i]);
		g_autofree guint8 *data = g_malloc(5000 + i);
		CavManifestSegment s = {.file = (char *)files[i], .track = "cam1", .seq = i + 1};
		CavChainLink link = {.track = "cam1", .seq = i + 1, .name = name};

		for (guint k = 0; k < 5000 + i; k++)
			data[k] = (guint8)(k * 7 + i);
		cav_sha256_buf(data, 5000 + i, s.sha256);
		s.bytes = 5000 + i;
		if (i >= first) {
			g_assert_cmpint(g_mkdir_with_parents(sub, 0755), ==, 0);
			cav_test_write(path, data, 5000 + i);
		}
		link.bytes = s.bytes;
		memcpy(link.sha256, s.sha256, CAV_SHA256_LEN);
		cav_chain_next(prev, &link, s.chain);
		memcpy(prev, s.chain, CAV_SHA256_LEN);
		s.start_us = m->opened_us + i * G_USEC_PER_SEC;
		s.end_us = s.start_us + G_USEC_PER_SEC;
		cav_manifest_add_segment(m, &s);
	}
	memcpy(m->chain_head, prev, CAV_SHA256_LEN);
	g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
	g_assert_true(cav_manifest_write(m, mpath, &error));
	g_assert_no_error(error);
	sign_file(f->signer, mpath, spath);
	g_assert_true(g_file_get_contents(mpath, &mdata, &mlen, NULL));
	cav_sha256_buf(mdata, mlen, f->manifest_sha);
}

/* disc-set.json for disc @disc of two; @split: disc 2 holds files 2 and 3 of
 * h1, disc 1 the rest; else disc 2 holds h1 whole. */
static void
make_set(Fixture *f, guint disc, gboolean split)
{
	g_autoptr(CavDiscSet) set = cav_disc_set_new();
	g_autoptr(GPtrArray) first = g_ptr_array_new();
	g_autoptr(GPtrArray) second = g_ptr_array_new();
	g_autofree char *readme = g_build_filename(f->root, "README.txt", NULL);
	g_autofree char *path = g_build_filename(f->root, CAV_DISC_SET_NAME, NULL);
	g_autofree char *sig = g_build_filename(f->root, CAV_DISC_SET_SIG_NAME, NULL);
	g_autofree char *json = NULL;
	CavDiscSetHearing *h;
	guint8 digest[CAV_SHA256_LEN];
	gsize len = 0;

	set->set_uid = g_strdup("set-1");
	set->room = g_strdup("t1");
	set->case_number = g_strdup("（2026）兵0101民初7号");
	set->medium = g_strdup("dvd5");
	set->disc = disc;
	set->sig_alg = g_strdup(cav_signer_alg(f->signer));
	set->device_key_id = g_strdup(cav_signer_key_id(f->signer));
	set->public_key_pem = g_strdup(cav_signer_public_pem(f->signer));
	h = cav_disc_set_add_hearing(set, "h1", 1, "uid-1");
	memcpy(h->manifest_sha256, f->manifest_sha, CAV_SHA256_LEN);
	g_ptr_array_add(first, (gpointer)files[0]);
	g_ptr_array_add(first, (gpointer)files[1]);
	g_ptr_array_add(second, (gpointer)files[2]);
	g_ptr_array_add(second, (gpointer)files[3]);
	cav_disc_set_disc_add_part(cav_disc_set_add_disc(set, 1), "h1", split ? first : NULL);
	if (split)
		cav_disc_set_disc_add_part(cav_disc_set_add_disc(set, 2), "h1", second);
	else
		cav_disc_set_add_disc(set, 2);
	cav_test_write(readme, "README\n", 7);
	cav_sha256_buf("README\n", 7, digest);
	cav_disc_set_add_file(set, "README.txt", 7, digest);
	json = cav_disc_set_to_json(set, &len);
	cav_test_write(path, json, len);
	sign_file(f->signer, path, sig);
}

static void
setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *key = NULL;

	f->root = cav_test_tmpdir();
	/* The key lives outside the disc's root (it would be an extra file) but
	 * in a folder of the test's own. */
	f->keydir = cav_test_tmpdir();
	key = g_build_filename(f->keydir, "device.key", NULL);
	f->signer = cav_signer_load_or_create(key, "ed25519", &error);
	g_assert_no_error(error);
}

static void
teardown(Fixture *f, gconstpointer data)
{
	cav_test_rmtree(f->root);
	cav_test_rmtree(f->keydir);
	g_free(f->root);
	g_free(f->keydir);
	cav_signer_free(f->signer);
}

static CavVerifyReport *
run(Fixture *f)
{
	CavVerifyFs fs = cav_verify_fs_local();
	g_autoptr(GError) error = NULL;
	CavVerifyReport *report = NULL;

	g_assert_true(cav_disc_verify(&fs, f->root, cav_signer_public_pem(f->signer), NULL, NULL,
				      &report, NULL, NULL, &error));
	g_assert_no_error(error);
	return report;
}

/* The first finding of @kind naming a path ending in @file, or NULL. */
static const CavFinding *
find(const CavVerifyReport *r, CavFindingKind kind, const char *file)
{
	for (guint i = 0; i < r->findings->len; i++) {
		const CavFinding *f = r->findings->pdata[i];

		if (f->kind == kind && f->file != NULL && g_str_has_suffix(f->file, file))
			return f;
	}
	return NULL;
}

static void
test_split(Fixture *f, gconstpointer data)
{
	g_autoptr(CavVerifyReport) r = NULL;
	g_autofree char *victim = g_build_filename(f->root, "h1", files[3], NULL);

	make_hearing(f, 2);
	make_set(f, 2, TRUE);
	r = run(f);
	/* Files 0 and 1 are on disc 1 as the signed set says: not missing. */
	g_assert_cmpuint(r->findings->len, ==, 0);
	g_assert_cmpuint(r->n_files_ok, ==, 2 + 1); /* two recordings and README.txt */
	g_clear_pointer(&r, cav_verify_report_free);

	/* A recording the set puts on this disc is missing. */
	g_unlink(victim);
	r = run(f);
	g_assert_nonnull(find(r, CAV_FINDING_MISSING, files[3]));
	g_assert_null(find(r, CAV_FINDING_MISSING, files[0]));
}

static void
test_not_split(Fixture *f, gconstpointer data)
{
	g_autoptr(CavVerifyReport) r = NULL;

	/* The same half-disc, but the set says h1 is whole on disc 1: the hearing
	 * folder is not meant to be here, and its absent files are missing. */
	make_hearing(f, 2);
	make_set(f, 2, FALSE);
	r = run(f);
	g_assert_nonnull(find(r, CAV_FINDING_MISSING, files[0]));
	g_assert_nonnull(find(r, CAV_FINDING_EXTRA, "h1"));
}

static void
test_set_files(Fixture *f, gconstpointer data)
{
	g_autoptr(CavVerifyReport) r = NULL;
	g_autofree char *readme = g_build_filename(f->root, "README.txt", NULL);
	g_autofree char *extra = g_build_filename(f->root, "player", "evil.js", NULL);
	g_autofree char *set = g_build_filename(f->root, CAV_DISC_SET_NAME, NULL);
	g_autofree char *data_text = NULL;
	gsize len = 0;

	make_hearing(f, 0);
	make_set(f, 1, TRUE);
	r = run(f);
	g_assert_cmpuint(r->findings->len, ==, 0);
	g_clear_pointer(&r, cav_verify_report_free);

	cav_test_write(readme, "readme\n", 7);
	g_assert_cmpint(g_mkdir_with_parents(extra, 0755), ==, 0);
	g_rmdir(extra);
	cav_test_write(extra, "x", 1);
	r = run(f);
	g_assert_nonnull(find(r, CAV_FINDING_ALTERED, "README.txt"));
	g_assert_nonnull(find(r, CAV_FINDING_EXTRA, "player/evil.js"));
	g_clear_pointer(&r, cav_verify_report_free);

	/* An edited set manifest: its signature no longer matches. */
	g_assert_true(g_file_get_contents(set, &data_text, &len, NULL));
	data_text[strlen(data_text) - 3] = ' ';
	cav_test_write(set, data_text, len);
	r = run(f);
	for (guint i = 0; i < r->findings->len; i++) {
		const CavFinding *x = r->findings->pdata[i];

		if (x->kind == CAV_FINDING_SIGNATURE && x->file == NULL &&
		    g_str_has_suffix(x->manifest, CAV_DISC_SET_NAME))
			return;
	}
	g_assert_not_reached();
}

static void
test_not_a_disc(Fixture *f, gconstpointer data)
{
	CavVerifyFs fs = cav_verify_fs_local();
	g_autoptr(CavVerifyReport) r = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_false(cav_disc_verify(&fs, f->root, NULL, NULL, NULL, &r, NULL, NULL, &error));
	g_assert_error(error, CAV_VERIFY_ERROR, CAV_VERIFY_ERROR_NO_MANIFEST);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/disc-verify/split", Fixture, NULL, setup, test_split, teardown);
	g_test_add("/disc-verify/not-split", Fixture, NULL, setup, test_not_split, teardown);
	g_test_add("/disc-verify/set-files", Fixture, NULL, setup, test_set_files, teardown);
	g_test_add("/disc-verify/not-a-disc", Fixture, NULL, setup, test_not_a_disc, teardown);
	return g_test_run();
}
