/* test-signer.c — device key creation, reload, signing and verification
 * with real Ed25519 keys in a temporary folder.
 */
#include "common/signer.h"
#include "test-util.h"

#include <string.h>
#include <sys/stat.h>

typedef struct {
	char *dir;
	char *key_path;
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
	f->dir = cav_test_tmpdir();
	f->key_path = g_build_filename(f->dir, "device.key", NULL);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
	cav_test_rmtree(f->dir);
	g_free(f->dir);
	g_free(f->key_path);
}

static void
test_create_and_reload(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(CavSigner) s1 = cav_signer_load_or_create(f->key_path, "ed25519", &error);
	g_autoptr(CavSigner) s2 = NULL;
	g_autofree char *alg_path = g_strconcat(f->key_path, ".alg", NULL);
	g_autofree char *alg = NULL;
	g_autofree char *id = NULL;
	struct stat st;

	g_assert_no_error(error);
	g_assert_nonnull(s1);
	g_assert_cmpint(stat(f->key_path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	g_assert_true(g_file_get_contents(alg_path, &alg, NULL, NULL));
	g_assert_cmpstr(alg, ==, "ed25519");
	g_assert_cmpstr(cav_signer_alg(s1), ==, "ed25519");
	g_assert_true(g_str_has_prefix(cav_signer_public_pem(s1), "-----BEGIN PUBLIC KEY-----"));
	g_assert_cmpuint(strlen(cav_signer_key_id(s1)), ==, 16);

	/* Reloading (alg NULL) yields the same key, not a new one. */
	s2 = cav_signer_load_or_create(f->key_path, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(cav_signer_public_pem(s2), ==, cav_signer_public_pem(s1));
	g_assert_cmpstr(cav_signer_key_id(s2), ==, cav_signer_key_id(s1));
	id = cav_signer_key_id_from_pem(cav_signer_public_pem(s1), &error);
	g_assert_no_error(error);
	g_assert_cmpstr(id, ==, cav_signer_key_id(s1));
}

static void
test_sign_verify(Fixture *f, gconstpointer data)
{
	static const char msg[] = "manifest bytes";
	g_autoptr(GError) error = NULL;
	g_autoptr(CavSigner) s = cav_signer_load_or_create(f->key_path, "ed25519", &error);
	g_autofree char *other_path = g_build_filename(f->dir, "other.key", NULL);
	g_autoptr(CavSigner) other = cav_signer_load_or_create(other_path, "ed25519", &error);
	g_autoptr(GBytes) sig = NULL;
	g_autofree guint8 *bad = NULL;
	const guint8 *sd;
	gsize sl;

	g_assert_no_error(error);
	sig = cav_signer_sign(s, (const guint8 *)msg, strlen(msg), &error);
	g_assert_no_error(error);
	sd = g_bytes_get_data(sig, &sl);
	g_assert_cmpuint(sl, ==, 64);
	g_assert_true(cav_signature_verify("ed25519", cav_signer_public_pem(s), (const guint8 *)msg,
					   strlen(msg), sd, sl, &error));
	g_assert_no_error(error);

	/* Different data. */
	g_assert_false(cav_signature_verify("ed25519", cav_signer_public_pem(s),
					    (const guint8 *)msg, strlen(msg) - 1, sd, sl, &error));
	g_assert_error(error, CAV_SIGNER_ERROR, CAV_SIGNER_ERROR_BAD_SIGNATURE);
	g_clear_error(&error);
	/* One flipped bit of the signature. */
	bad = g_memdup2(sd, sl);
	bad[5] ^= 0x10;
	g_assert_false(cav_signature_verify("ed25519", cav_signer_public_pem(s),
					    (const guint8 *)msg, strlen(msg), bad, sl, &error));
	g_assert_error(error, CAV_SIGNER_ERROR, CAV_SIGNER_ERROR_BAD_SIGNATURE);
	g_clear_error(&error);
	/* Truncated signature. */
	g_assert_false(cav_signature_verify("ed25519", cav_signer_public_pem(s),
					    (const guint8 *)msg, strlen(msg), sd, sl - 1, &error));
	g_assert_error(error, CAV_SIGNER_ERROR, CAV_SIGNER_ERROR_BAD_SIGNATURE);
	g_clear_error(&error);
	/* Another device's key. */
	g_assert_false(cav_signature_verify("ed25519", cav_signer_public_pem(other),
					    (const guint8 *)msg, strlen(msg), sd, sl, &error));
	g_assert_error(error, CAV_SIGNER_ERROR, CAV_SIGNER_ERROR_BAD_SIGNATURE);
	g_clear_error(&error);
	/* Unknown algorithm and garbage key. */
	g_assert_false(cav_signature_verify("sm2", cav_signer_public_pem(s), (const guint8 *)msg,
					    strlen(msg), sd, sl, &error));
	g_assert_error(error, CAV_SIGNER_ERROR, CAV_SIGNER_ERROR_UNKNOWN_ALG);
	g_clear_error(&error);
	g_assert_false(cav_signature_verify("ed25519", "not a key", (const guint8 *)msg,
					    strlen(msg), sd, sl, &error));
	g_assert_error(error, CAV_SIGNER_ERROR, CAV_SIGNER_ERROR_KEY);
}

static void
test_bad_keys(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *alg_path = g_strconcat(f->key_path, ".alg", NULL);
	CavSigner *s;

	s = cav_signer_load_or_create(f->key_path, "rot13", &error);
	g_assert_null(s);
	g_assert_error(error, CAV_SIGNER_ERROR, CAV_SIGNER_ERROR_UNKNOWN_ALG);
	g_assert_false(g_file_test(f->key_path, G_FILE_TEST_EXISTS));
	g_clear_error(&error);

	cav_test_write(f->key_path, "garbage\n", 8);
	s = cav_signer_load_or_create(f->key_path, "ed25519", &error);
	g_assert_null(s);
	g_assert_error(error, CAV_SIGNER_ERROR, CAV_SIGNER_ERROR_KEY);
	g_clear_error(&error);

	/* A real key whose recorded algorithm this build lacks. */
	g_unlink(f->key_path);
	s = cav_signer_load_or_create(f->key_path, NULL, &error);
	g_assert_no_error(error);
	cav_signer_free(s);
	cav_test_write(alg_path, "sm2\n", 4);
	s = cav_signer_load_or_create(f->key_path, "ed25519", &error);
	g_assert_null(s);
	g_assert_error(error, CAV_SIGNER_ERROR, CAV_SIGNER_ERROR_UNKNOWN_ALG);
	g_clear_error(&error);

	g_assert_null(cav_signer_key_id_from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n", &error));
	g_assert_error(error, CAV_SIGNER_ERROR, CAV_SIGNER_ERROR_KEY);
	g_assert_null(cav_signer_backend_lookup("nope"));
	g_assert_nonnull(cav_signer_backend_lookup("ed25519"));
	cav_signer_free(NULL);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/signer/create-and-reload", Fixture, NULL, fixture_setup,
		   test_create_and_reload, fixture_teardown);
	g_test_add("/signer/sign-verify", Fixture, NULL, fixture_setup, test_sign_verify,
		   fixture_teardown);
	g_test_add("/signer/bad-keys", Fixture, NULL, fixture_setup, test_bad_keys,
		   fixture_teardown);
	return g_test_run();
}
