/* test-disc-set.c — the set manifest parser on the fuzz corpus: every
 * valid-* file parses and survives a round trip byte for byte, every bad-*
 * file is refused with a manifest error; and a built set reads back the
 * same, lookups included.
 */
#include "common/disc-set.h"

#include <string.h>

static void
test_corpus(void)
{
	g_autofree char *dir = g_build_filename(g_getenv("CAV_SOURCE_ROOT"), "tests", "fuzz",
						"corpus", "disc-set", NULL);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;
	guint n_valid = 0, n_bad = 0;

	g_assert_nonnull(d);
	while ((name = g_dir_read_name(d)) != NULL) {
		g_autofree char *path = g_build_filename(dir, name, NULL);
		g_autofree char *data = NULL;
		g_autoptr(CavDiscSet) set = NULL;
		g_autoptr(GError) error = NULL;
		gsize len = 0;

		g_assert_true(g_file_get_contents(path, &data, &len, NULL));
		set = cav_disc_set_parse(data, len, &error);
		if (g_str_has_prefix(name, "valid-")) {
			g_autofree char *json = NULL, *json2 = NULL;
			g_autoptr(CavDiscSet) again = NULL;
			gsize l1 = 0, l2 = 0;

			g_assert_no_error(error);
			json = cav_disc_set_to_json(set, &l1);
			again = cav_disc_set_parse(json, l1, &error);
			g_assert_no_error(error);
			json2 = cav_disc_set_to_json(again, &l2);
			g_assert_cmpstr(json, ==, json2);
			n_valid++;
		} else {
			g_assert_null(set);
			g_assert_true(error != NULL && error->domain == CAV_MANIFEST_ERROR);
			n_bad++;
		}
	}
	g_assert_cmpuint(n_valid, >=, 2);
	g_assert_cmpuint(n_bad, >=, 10);
}

static void
test_build(void)
{
	g_autoptr(CavDiscSet) set = cav_disc_set_new();
	g_autoptr(CavDiscSet) back = NULL;
	g_autoptr(GPtrArray) files = g_ptr_array_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *json = NULL;
	guint8 digest[CAV_SHA256_LEN];
	CavDiscSetDisc *d1, *d2;
	gsize len = 0;

	memset(digest, 0xab, sizeof digest);
	set->set_uid = g_strdup("0123456789abcdef0123456789abcdef");
	set->room = g_strdup("第一法庭");
	set->case_number = g_strdup("（2026）兵0101刑初12号");
	set->medium = g_strdup("dvd5");
	set->disc = 2;
	set->sig_alg = g_strdup("ed25519");
	set->device_key_id = g_strdup("k");
	set->public_key_pem = g_strdup("-----BEGIN PUBLIC KEY-----\n");
	cav_disc_set_add_hearing(set, "h1", 1, "u1");
	cav_disc_set_add_hearing(set, "h2", 2, "u2");
	d1 = cav_disc_set_add_disc(set, 1);
	d2 = cav_disc_set_add_disc(set, 2);
	cav_disc_set_disc_add_part(d1, "h1", NULL);
	g_ptr_array_add(files, "cam1/a.mp4");
	cav_disc_set_disc_add_part(d1, "h2", files);
	g_ptr_array_index(files, 0) = "cam1/b.mp4";
	cav_disc_set_disc_add_part(d2, "h2", files);
	cav_disc_set_add_file(set, "player/data.js", 10, digest);
	json = cav_disc_set_to_json(set, &len);
	back = cav_disc_set_parse(json, len, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(back->disc, ==, 2);
	g_assert_nonnull(cav_disc_set_hearing(back, "h2"));
	g_assert_null(cav_disc_set_hearing(back, "h3"));
	g_assert_null(cav_disc_set_part(cav_disc_set_disc(back, 2), "h1"));
	g_assert_cmpstr(cav_disc_set_part(cav_disc_set_disc(back, 2), "h2")->files->pdata[0], ==,
			"cam1/b.mp4");
	g_assert_null(cav_disc_set_part(cav_disc_set_disc(back, 1), "h1")->files);
	g_assert_cmpmem(((CavDiscSetFile *)back->files->pdata[0])->sha256, CAV_SHA256_LEN, digest,
			CAV_SHA256_LEN);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/disc-set/corpus", test_corpus);
	g_test_add_func("/disc-set/build", test_build);
	return g_test_run();
}
