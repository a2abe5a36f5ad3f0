/* test-disc-plan.c — the capacity planner: a case that fills a DVD-5 to the
 * byte, one byte more, a case spanning discs, a hearing larger than any
 * medium (split between files, never inside one), and refusals.
 */
#include "appliance/disc-plan.h"
#include "appliance/disc.h"

#include <string.h>

#define GIB (G_GUINT64_CONSTANT(1) << 30)
#define META 2048

static CavPlanHearing *
hearing(gint64 id, guint n, guint64 each)
{
	g_autofree char *dir = g_strdup_printf("h%" G_GINT64_FORMAT, id);
	CavPlanHearing *h = cav_plan_hearing_new(id, dir);

	cav_plan_hearing_add(h, TRUE, "manifest.json", META);
	cav_plan_hearing_add(h, TRUE, "manifest.sig", META);
	for (guint i = 0; i < n; i++) {
		g_autofree char *path = g_strdup_printf("cam1/seg%04u.mp4", i + 1);

		cav_plan_hearing_add(h, FALSE, path, each);
	}
	return h;
}

static GPtrArray *
hearings_new(void)
{
	return g_ptr_array_new_with_free_func((GDestroyNotify)cav_plan_hearing_free);
}

/* One hearing of 2 meta + 6 recordings in one track folder whose need is
 * exactly @need: 8 files × 512 keeps the overhead a whole number of blocks. */
static CavPlanHearing *
hearing_needing(guint64 need)
{
	guint n_dirs = 3 + 2; /* root, player, pages + h1, h1/cam1 */
	guint64 extras = CAV_DISC_EXTRAS_FIXED + CAV_DISC_EXTRAS_PER_HEARING;
	guint64 overhead = cav_disc_need_bytes(0, 8, n_dirs, extras);
	guint64 data = need - overhead - 2 * META;
	guint64 each = data / 6 / 2048 * 2048;
	CavPlanHearing *h = hearing(1, 5, each);

	g_assert_cmpuint(data % 2048, ==, 0);
	cav_plan_hearing_add(h, FALSE, "cam1/seg0006.mp4", data - 5 * each);
	return h;
}

static void
test_exactly_full(void)
{
	const CavDiscMediumInfo *dvd5 = cav_disc_media(CAV_DISC_DVD5);
	g_autoptr(GPtrArray) hs = hearings_new();
	g_autoptr(CavDiscPlan) plan = NULL;
	g_autoptr(GError) error = NULL;

	g_ptr_array_add(hs, hearing_needing(dvd5->usable));
	plan = cav_disc_plan(hs, CAV_DISC_AUTO, &error);
	g_assert_no_error(error);
	g_assert_cmpint(plan->medium, ==, CAV_DISC_DVD5);
	g_assert_cmpuint(plan->discs->len, ==, 1);
	g_assert_cmpuint(((CavPlanDisc *)plan->discs->pdata[0])->need_bytes, ==, dvd5->usable);
	g_assert_false(plan->split);
	/* "About 4.3 GiB usable" on a 4.7 GB disc, as people expect. */
	g_assert_cmpuint(dvd5->usable, >, 4.25 * GIB);
	g_assert_cmpuint(dvd5->usable, <, 4.35 * GIB);
	g_assert_cmpuint(dvd5->capacity, ==, G_GUINT64_CONSTANT(4700372992));
}

static void
test_one_byte_over(void)
{
	const CavDiscMediumInfo *dvd5 = cav_disc_media(CAV_DISC_DVD5);
	g_autoptr(GPtrArray) hs = hearings_new();
	g_autoptr(CavDiscPlan) plan = NULL;
	g_autoptr(CavDiscPlan) forced = NULL;
	g_autoptr(GError) error = NULL;
	CavPlanHearing *h = hearing_needing(dvd5->usable);
	CavPlanFile *last = h->files->pdata[h->files->len - 1];

	last->bytes += 1;
	g_ptr_array_add(hs, h);
	plan = cav_disc_plan(hs, CAV_DISC_AUTO, &error);
	g_assert_no_error(error);
	g_assert_cmpint(plan->medium, ==, CAV_DISC_DVD9);
	g_assert_cmpuint(plan->discs->len, ==, 1);

	/* Held to DVD-5, the hearing is split between two of its files. */
	forced = cav_disc_plan(hs, CAV_DISC_DVD5, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(forced->discs->len, ==, 2);
	g_assert_true(forced->split);
}

/* Every recording on exactly one disc; each disc holding part of a hearing
 * also holds its manifest; no disc over the medium. */
static void
assert_complete(const CavDiscPlan *plan, GPtrArray *hs)
{
	const CavDiscMediumInfo *m = cav_disc_media(plan->medium);
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	guint total = 0;

	for (guint i = 0; i < hs->len; i++)
		total += ((CavPlanHearing *)hs->pdata[i])->files->len;
	for (guint d = 0; d < plan->discs->len; d++) {
		const CavPlanDisc *disc = plan->discs->pdata[d];

		g_assert_cmpuint(disc->number, ==, d + 1);
		g_assert_cmpuint(disc->need_bytes, <=, m->usable);
		g_assert_cmpuint(disc->parts->len, >, 0);
		for (guint p = 0; p < disc->parts->len; p++) {
			const CavPlanPart *part = disc->parts->pdata[p];
			const CavPlanHearing *h = hs->pdata[part->hearing];
			GPtrArray *files = part->whole ? NULL : part->files;
			guint n = part->whole ? h->files->len : files->len;

			g_assert_cmpuint(part->bytes, >=, 2 * META);
			for (guint f = 0; f < n; f++) {
				const char *path =
					part->whole ? ((CavPlanFile *)h->files->pdata[f])->path
						    : files->pdata[f];
				char *key = g_strdup_printf("%s/%s", h->dir, path);

				g_assert_true(g_hash_table_add(seen, key)); /* never twice */
			}
		}
	}
	g_assert_cmpuint(g_hash_table_size(seen), ==, total);
}

static void
test_spanning(void)
{
	g_autoptr(GPtrArray) hs = hearings_new();
	g_autoptr(CavDiscPlan) dvd = NULL;
	g_autoptr(CavDiscPlan) autoplan = NULL;
	g_autoptr(GError) error = NULL;

	/* Four 2.5 GiB hearings: one BD-25; or four DVD-5s, a whole hearing each. */
	for (guint i = 0; i < 4; i++)
		g_ptr_array_add(hs, hearing(i + 1, 5, GIB / 2));
	autoplan = cav_disc_plan(hs, CAV_DISC_AUTO, &error);
	g_assert_no_error(error);
	g_assert_cmpint(autoplan->medium, ==, CAV_DISC_BD25);
	g_assert_cmpuint(autoplan->discs->len, ==, 1);

	dvd = cav_disc_plan(hs, CAV_DISC_DVD5, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(dvd->discs->len, ==, 4);
	g_assert_false(dvd->split);
	for (guint d = 0; d < 4; d++) {
		const CavPlanDisc *disc = dvd->discs->pdata[d];

		g_assert_cmpuint(disc->parts->len, ==, 1);
		g_assert_true(((CavPlanPart *)disc->parts->pdata[0])->whole);
		g_assert_cmpuint(((CavPlanPart *)disc->parts->pdata[0])->hearing, ==, d);
		g_assert_cmpuint(cav_disc_plan_disc_of(dvd, d), ==, d + 1);
	}
	assert_complete(dvd, hs);

	/* 60 GiB in 30 hearings: more than a BD-50, spanned over two in order. */
	g_ptr_array_set_size(hs, 0);
	for (guint i = 0; i < 30; i++)
		g_ptr_array_add(hs, hearing(i + 1, 2, GIB));
	g_clear_pointer(&autoplan, cav_disc_plan_free);
	autoplan = cav_disc_plan(hs, CAV_DISC_AUTO, &error);
	g_assert_no_error(error);
	g_assert_cmpint(autoplan->medium, ==, CAV_DISC_BD50);
	g_assert_cmpuint(autoplan->discs->len, ==, 2);
	g_assert_false(autoplan->split);
	g_assert_cmpuint(cav_disc_plan_disc_of(autoplan, 0), ==, 1);
	g_assert_cmpuint(cav_disc_plan_disc_of(autoplan, 29), ==, 2);
	assert_complete(autoplan, hs);
}

static void
test_hearing_larger_than_any_medium(void)
{
	g_autoptr(GPtrArray) hs = hearings_new();
	g_autoptr(CavDiscPlan) plan = NULL;
	g_autoptr(GError) error = NULL;

	/* A small hearing, then one of 60 × 1 GiB, then another small one. */
	g_ptr_array_add(hs, hearing(1, 3, GIB / 4));
	g_ptr_array_add(hs, hearing(2, 60, GIB));
	g_ptr_array_add(hs, hearing(3, 3, GIB / 4));
	plan = cav_disc_plan(hs, CAV_DISC_AUTO, &error);
	g_assert_no_error(error);
	g_assert_cmpint(plan->medium, ==, CAV_DISC_BD50);
	g_assert_true(plan->split);
	g_assert_cmpuint(plan->discs->len, ==, 2);
	assert_complete(plan, hs);
	/* The big hearing starts where the first one left room. */
	g_assert_cmpuint(cav_disc_plan_disc_of(plan, 1), ==, 1);
	g_assert_cmpuint(((CavPlanDisc *)plan->discs->pdata[1])->parts->len, ==, 2);
}

static void
test_refusals(void)
{
	g_autoptr(GPtrArray) hs = hearings_new();
	g_autoptr(CavDiscPlan) plan = NULL;
	g_autoptr(GError) error = NULL;
	CavDiscMedium m;

	plan = cav_disc_plan(hs, CAV_DISC_AUTO, &error);
	g_assert_null(plan);
	g_assert_error(error, CAV_DISC_ERROR, CAV_DISC_ERROR_NOTHING);
	g_assert_nonnull(strstr(error->message, "\x1e")); /* bilingual */
	g_clear_error(&error);

	g_ptr_array_add(hs, hearing(1, 1, 5 * GIB));
	plan = cav_disc_plan(hs, CAV_DISC_AUTO, &error);
	g_assert_null(plan);
	g_assert_error(error, CAV_DISC_ERROR, CAV_DISC_ERROR_TOO_LARGE);
	g_assert_nonnull(strstr(error->message, "h1/cam1/seg0001.mp4"));
	g_clear_error(&error);

	g_ptr_array_set_size(hs, 0);
	g_ptr_array_add(hs, hearing(1, 1, 2 * GIB));
	plan = cav_disc_plan(hs, CAV_DISC_DVD5, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(plan->warnings->len, ==, 1); /* over 1 GiB */

	g_assert_true(cav_disc_medium_parse("DVD-9", &m) && m == CAV_DISC_DVD9);
	g_assert_true(cav_disc_medium_parse("bd50", &m) && m == CAV_DISC_BD50);
	g_assert_true(cav_disc_medium_parse("auto", &m) && m == CAV_DISC_AUTO);
	g_assert_false(cav_disc_medium_parse("floppy", &m));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/disc-plan/exactly-full", test_exactly_full);
	g_test_add_func("/disc-plan/one-byte-over", test_one_byte_over);
	g_test_add_func("/disc-plan/spanning", test_spanning);
	g_test_add_func("/disc-plan/larger-than-any-medium", test_hearing_larger_than_any_medium);
	g_test_add_func("/disc-plan/refusals", test_refusals);
	return g_test_run();
}
