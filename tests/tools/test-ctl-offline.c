/* test-ctl-offline.c — `courtavctl verify` and `courtavctl audit verify`
 * run for real: the built binary against a hearing folder made with the
 * real manifest, chain and signer code, and against a SQLite database with
 * the real schema and audit rows. Then each is tampered with the way a
 * person would (a flipped byte, a dropped trigger and an UPDATE) and must
 * be caught, with the exit code a script can rely on.
 */
#include <string.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include "appliance/audit.h"
#include "appliance/migrations.h"
#include "common/chain.h"
#include "common/manifest.h"
#include "common/sha256.h"
#include "common/signer.h"
#include "tests/common/test-util.h"
#include "tools/ctl.h"
#include "ctl-run.h"

#define UID "5b0c2f1e-8a8d-4c33-9a55-0f7c2a9d1e01"
#define T0 G_GINT64_CONSTANT(1795859101000000) /* 2026-11-28 17:45:01 Beijing */

typedef struct {
	char *root;        /* temporary folder (owned) */
	char *hearing;     /* root/media/h1, the hearing folder (owned) */
	char *key_pub;     /* root/keys/device-key.pub (owned) */
	char *other_pub;   /* a key of another device (owned) */
	CavSigner *signer; /* owned */
} Fixture;

static void
write_pub(CavSigner *signer, const char *path)
{
	cav_test_write(path, cav_signer_public_pem(signer), strlen(cav_signer_public_pem(signer)));
}

/* Adds one segment file of @len pseudo-random bytes to @m and the chain. */
static void
add_segment(CavManifest *m, const char *dir, const char *track, guint seq, gsize len,
	    guint8 chain[CAV_SHA256_LEN])
{
	g_autofree char *name = g_strdup_printf("room101_%s_%04u.mp4", track, seq);
	g_autofree char *rel = g_build_filename(track, name, NULL);
	g_autofree char *track_dir = g_build_filename(dir, track, NULL);
	g_autofree char *path = g_build_filename(dir, rel, NULL);
	g_autofree guint8 *data = g_malloc(len);
	g_autoptr(GRand) rand = g_rand_new_with_seed(seq * 31 + (guint)strlen(track));
	CavManifestSegment seg = {0};
	CavChainLink link = {.track = track, .seq = seq, .name = name, .bytes = len};

	for (gsize i = 0; i < len; i++)
		data[i] = (guint8)g_rand_int(rand);
	g_assert_cmpint(g_mkdir_with_parents(track_dir, 0755), ==, 0);
	cav_test_write(path, data, len);

	cav_sha256_buf(data, len, link.sha256);
	cav_chain_next(chain, &link, chain);
	seg.file = rel;
	seg.track = (char *)track;
	seg.seq = seq;
	seg.bytes = len;
	memcpy(seg.sha256, link.sha256, CAV_SHA256_LEN);
	memcpy(seg.chain, chain, CAV_SHA256_LEN);
	seg.start_us = T0 + seq * 60 * G_USEC_PER_SEC;
	seg.end_us = seg.start_us + 60 * G_USEC_PER_SEC;
	cav_manifest_add_segment(m, &seg);
}

/* A sealed hearing folder: three files, manifest.json, manifest.sig. */
static void
make_hearing(Fixture *f)
{
	g_autoptr(CavManifest) m = cav_manifest_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) sig = NULL;
	g_autofree char *manifest_path = g_build_filename(f->hearing, CAV_MANIFEST_NAME, NULL);
	g_autofree char *sig_path = g_build_filename(f->hearing, CAV_MANIFEST_SIG_NAME, NULL);
	g_autofree char *data = NULL, *b64 = NULL;
	CavManifestInterval iv = {.kind = "recording", .start_us = T0, .end_us = T0 + 3600000000};
	CavManifestMark mark = {.at_us = T0 + 1000000, .label = "开庭", .actor = "clerk@panel"};
	guint8 chain[CAV_SHA256_LEN];
	gsize len;

	g_assert_cmpint(g_mkdir_with_parents(f->hearing, 0755), ==, 0);
	cav_chain_genesis(UID, chain);
	add_segment(m, f->hearing, "cam1", 1, 70000, chain);
	add_segment(m, f->hearing, "audio", 1, 20000, chain);
	add_segment(m, f->hearing, "cam1", 2, 50000, chain);

	m->version = CAV_MANIFEST_VERSION;
	m->hearing_uid = g_strdup(UID);
	m->hearing_id = 1;
	m->state = g_strdup("sealed");
	m->court = g_strdup("兵团某人民法院");
	m->room = g_strdup("101");
	m->case_number = g_strdup("（2026）兵0101刑初12号");
	m->case_title = g_strdup("张某盗窃案");
	m->is_public = TRUE;
	m->opened_us = T0;
	m->closed_us = T0 + 3600000000;
	memcpy(m->chain_head, chain, CAV_SHA256_LEN);
	m->sig_alg = g_strdup(cav_signer_alg(f->signer));
	m->public_key_pem = g_strdup(cav_signer_public_pem(f->signer));
	m->device_key_id = g_strdup(cav_signer_key_id(f->signer));
	cav_manifest_add_interval(m, &iv);
	cav_manifest_add_mark(m, &mark);
	g_assert_true(cav_manifest_write(m, manifest_path, &error));
	g_assert_no_error(error);

	/* The seal signs the exact bytes on disk. */
	g_assert_true(g_file_get_contents(manifest_path, &data, &len, &error));
	sig = cav_signer_sign(f->signer, (const guint8 *)data, len, &error);
	g_assert_no_error(error);
	b64 = g_base64_encode(g_bytes_get_data(sig, NULL), g_bytes_get_size(sig));
	cav_test_write(sig_path, b64, strlen(b64));
}

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(CavSigner) other = NULL;
	g_autofree char *keys = NULL, *key = NULL, *other_key = NULL;

	f->root = cav_test_tmpdir();
	keys = g_build_filename(f->root, "keys", NULL);
	g_assert_cmpint(g_mkdir(keys, 0700), ==, 0);
	key = g_build_filename(keys, "device-key", NULL);
	other_key = g_build_filename(keys, "other-key", NULL);
	f->signer = cav_signer_load_or_create(key, "ed25519", &error);
	g_assert_no_error(error);
	other = cav_signer_load_or_create(other_key, "ed25519", &error);
	g_assert_no_error(error);
	f->key_pub = g_build_filename(keys, "device-key.pub", NULL);
	f->other_pub = g_build_filename(keys, "other-key.pub", NULL);
	write_pub(f->signer, f->key_pub);
	write_pub(other, f->other_pub);
	f->hearing = g_build_filename(f->root, "media", "h1", NULL);
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
	cav_test_rmtree(f->root);
	g_free(f->root);
	g_free(f->hearing);
	g_free(f->key_pub);
	g_free(f->other_pub);
	cav_signer_free(f->signer);
}

static void
test_verify_intact(Fixture *f, gconstpointer data)
{
	g_autofree char *media = g_build_filename(f->root, "media", NULL);
	g_auto(CtlResult) r = {0};
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	JsonObject *o;

	make_hearing(f);
	ctl_run(&r, "verify", f->hearing, NULL);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_nonnull(strstr(r.out, "1 hearing(s), 3 file(s) intact, 0 problem(s)"));
	g_assert_nonnull(strstr(r.out, "未发现问题"));
	/* Not a terminal: no progress redraws, one final line. */
	g_assert_null(strchr(r.err, '\r'));
	g_assert_nonnull(strstr(r.err, "hashed 3 file(s)"));
	ctl_result_clear(&r);

	/* Pinned to the device key, from the media tree above the hearing. */
	ctl_run(&r, "verify", "--public-key", f->key_pub, media, NULL);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_null(strstr(r.err, "note:"));
	ctl_result_clear(&r);

	ctl_run(&r, "verify", "--quiet", f->hearing, NULL);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_cmpstr(r.out, ==, "");
	g_assert_cmpstr(r.err, ==, "");
	ctl_result_clear(&r);

	ctl_run(&r, "--json", "verify", f->hearing, NULL);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_true(json_parser_load_from_data(parser, r.out, -1, &error));
	o = json_node_get_object(json_parser_get_root(parser));
	g_assert_true(json_object_get_boolean_member(o, "intact"));
	g_assert_cmpint(json_object_get_int_member(o, "files_ok"), ==, 3);
	g_assert_cmpint(json_object_get_int_member(o, "sealed"), ==, 1);
}

static void
test_verify_altered(Fixture *f, gconstpointer data)
{
	g_autofree char *victim = NULL, *contents = NULL;
	g_auto(CtlResult) r = {0};
	gsize len;

	make_hearing(f);
	victim = g_build_filename(f->hearing, "cam1", "room101_cam1_0002.mp4", NULL);
	g_assert_true(g_file_get_contents(victim, &contents, &len, NULL));
	contents[len / 2] ^= 0x01;
	cav_test_write(victim, contents, len);

	ctl_run(&r, "verify", f->hearing, NULL);
	g_assert_cmpint(r.status, ==, 1);
	g_assert_nonnull(strstr(r.out, "ALTERED"));
	g_assert_nonnull(strstr(r.out, "cam1/room101_cam1_0002.mp4: "));
	g_assert_null(strstr(r.out, "room101_cam1_0001.mp4"));
	g_assert_nonnull(strstr(r.out, "1 hearing(s), 2 file(s) intact, 1 problem(s)"));
	ctl_result_clear(&r);

	/* --quiet still names the problem. */
	ctl_run(&r, "verify", "-q", f->hearing, NULL);
	g_assert_cmpint(r.status, ==, 1);
	g_assert_nonnull(strstr(r.out, "room101_cam1_0002.mp4"));
}

static void
test_verify_wrong_key(Fixture *f, gconstpointer data)
{
	g_auto(CtlResult) r = {0};

	make_hearing(f);
	ctl_run(&r, "verify", "--public-key", f->other_pub, f->hearing, NULL);
	g_assert_cmpint(r.status, ==, 1);
	g_assert_nonnull(strstr(r.out, "SIGNATURE"));
	ctl_result_clear(&r);

	/* A private key or any other file is refused before verifying. */
	ctl_run(&r, "verify", "--public-key", f->hearing, f->hearing, NULL);
	g_assert_cmpint(r.status, ==, 2);
	ctl_result_clear(&r);
}

static void
test_verify_cannot_run(Fixture *f, gconstpointer data)
{
	g_autofree char *missing = g_build_filename(f->root, "no-such-folder", NULL);
	g_autofree char *empty = g_build_filename(f->root, "keys", NULL);
	g_auto(CtlResult) r = {0};

	ctl_run(&r, "verify", missing, NULL);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_nonnull(strstr(r.err, "error: "));
	g_assert_nonnull(strstr(r.err, "does not exist"));
	g_assert_nonnull(strstr(r.err, "不存在"));
	g_assert_cmpstr(r.out, ==, "");
	ctl_result_clear(&r);

	ctl_run(&r, "verify", empty, NULL);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_nonnull(strstr(r.err, "manifest.json"));
	ctl_result_clear(&r);

	ctl_run(&r, "verify", NULL);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_nonnull(strstr(r.err, "missing argument"));
}

/* A database with the daemon's schema and five signed audit rows; the
 * device key exported beside it as the daemon does. */
static char *
make_audit_db(Fixture *f)
{
	g_autofree char *state = g_build_filename(f->root, "state", NULL);
	g_autofree char *pub = g_build_filename(state, CAV_CTL_PUBLIC_KEY_NAME, NULL);
	char *path = g_build_filename(state, CAV_CTL_DB_NAME, NULL);
	sqlite3 *db = NULL;

	g_assert_cmpint(g_mkdir(state, 0700), ==, 0);
	g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
	/* As courtavd runs it. */
	g_assert_cmpint(sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL), ==,
			SQLITE_OK);
	for (guint i = 0; i < cav_migrations_count(); i++)
		g_assert_cmpint(sqlite3_exec(db, cav_migrations_get(i), NULL, NULL, NULL), ==,
				SQLITE_OK);
	for (gint64 i = 1; i <= 5; i++) {
		g_autoptr(GError) error = NULL;
		g_autofree char *object = g_strdup_printf("hearing/%" G_GINT64_FORMAT, i);
		gint64 id = 0;

		g_assert_true(cav_audit_append(db, f->signer, T0 + i, "clerk@panel", "hearing.open",
					       object, "{\"room\":\"101\"}", &id, &error));
		g_assert_no_error(error);
		g_assert_cmpint(id, ==, i);
	}
	sqlite3_close(db);
	write_pub(f->signer, pub);
	return path;
}

static void
test_audit_intact(Fixture *f, gconstpointer data)
{
	g_autofree char *db = make_audit_db(f);
	g_autofree char *state = g_path_get_dirname(db);
	g_autofree char *wal = g_strconcat(db, "-wal", NULL);
	g_autofree char *shm = g_strconcat(db, "-shm", NULL);
	g_auto(CtlResult) r = {0};

	ctl_run(&r, "audit", "verify", "--db", db, NULL);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_nonnull(strstr(r.out, "5 row(s), checkpoint signature valid, 0 problem(s)"));
	ctl_result_clear(&r);
	/* Nothing had the WAL database open, so verifying it left no files
	 * behind (and would work on read-only media). */
	g_assert_false(g_file_test(wal, G_FILE_TEST_EXISTS));
	g_assert_false(g_file_test(shm, G_FILE_TEST_EXISTS));

	ctl_run(&r, "audit", "verify", "--state-dir", state, NULL);
	g_assert_cmpint(r.status, ==, 0);
	g_assert_nonnull(strstr(r.out, "signature valid"));
	ctl_result_clear(&r);

	/* Another device's key: the checkpoint is not this device's. */
	ctl_run(&r, "audit", "verify", "--db", db, "--public-key", f->other_pub, NULL);
	g_assert_cmpint(r.status, ==, 1);
	g_assert_nonnull(strstr(r.out, "PROBLEM"));
	ctl_result_clear(&r);

	ctl_run(&r, "audit", "verify", "--db", db, "--state-dir", state, NULL);
	g_assert_cmpint(r.status, ==, 2);
}

static void
test_audit_tampered(Fixture *f, gconstpointer data)
{
	g_autofree char *db_path = make_audit_db(f);
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	g_auto(CtlResult) r = {0};
	sqlite3 *db = NULL;
	JsonObject *o;

	g_assert_cmpint(sqlite3_open(db_path, &db), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_exec(db,
				     "DROP TRIGGER audit_append_only_update;"
				     "UPDATE audit SET actor = 'mallory' WHERE id = 2;",
				     NULL, NULL, NULL),
			==, SQLITE_OK);
	sqlite3_close(db);

	ctl_run(&r, "audit", "verify", "--db", db_path, NULL);
	g_assert_cmpint(r.status, ==, 1);
	g_assert_nonnull(strstr(r.out, "PROBLEM"));
	g_assert_nonnull(strstr(r.out, "Row 2"));
	g_assert_nonnull(strstr(r.out, "first bad row: 2"));
	ctl_result_clear(&r);

	ctl_run(&r, "--json", "audit", "verify", "--db", db_path, NULL);
	g_assert_cmpint(r.status, ==, 1);
	g_assert_true(json_parser_load_from_data(parser, r.out, -1, &error));
	o = json_node_get_object(json_parser_get_root(parser));
	g_assert_false(json_object_get_boolean_member(o, "intact"));
	g_assert_cmpint(json_object_get_int_member(o, "first_bad_id"), ==, 2);
}

static void
test_audit_cannot_run(Fixture *f, gconstpointer data)
{
	g_autofree char *missing = g_build_filename(f->root, "nope.db", NULL);
	g_autofree char *not_db = g_build_filename(f->root, "not.db", NULL);
	g_auto(CtlResult) r = {0};

	ctl_run(&r, "audit", "verify", "--db", missing, NULL);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_nonnull(strstr(r.err, "no database at"));
	ctl_result_clear(&r);

	cav_test_write(not_db, "hello, not sqlite at all, padded to be long enough", 50);
	ctl_run(&r, "audit", "verify", "--db", not_db, NULL);
	g_assert_cmpint(r.status, ==, 2);
	g_assert_nonnull(strstr(r.err, "error: "));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
	ADD("/ctl-offline/verify/intact", test_verify_intact);
	ADD("/ctl-offline/verify/altered", test_verify_altered);
	ADD("/ctl-offline/verify/wrong-key", test_verify_wrong_key);
	ADD("/ctl-offline/verify/cannot-run", test_verify_cannot_run);
	ADD("/ctl-offline/audit/intact", test_audit_intact);
	ADD("/ctl-offline/audit/tampered", test_audit_tampered);
	ADD("/ctl-offline/audit/cannot-run", test_audit_cannot_run);
#undef ADD
	return g_test_run();
}
