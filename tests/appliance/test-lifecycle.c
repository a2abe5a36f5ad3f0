/* test-lifecycle.c — the hearing rules: transitions, pause reasons, case
 * numbers. Pure functions, so every case is enumerated. */
#include "appliance/errors.h"
#include "appliance/lifecycle.h"

static void
test_transitions(void)
{
	/* [state][action] → allowed, for START PAUSE RESUME CLOSE SEAL MARK. */
	static const gboolean allowed[5][6] = {
		[CAV_HEARING_IDLE] = {TRUE, FALSE, FALSE, TRUE, FALSE, FALSE},
		[CAV_HEARING_RECORDING] = {FALSE, TRUE, FALSE, TRUE, FALSE, TRUE},
		[CAV_HEARING_PAUSED] = {FALSE, FALSE, TRUE, TRUE, FALSE, TRUE},
		[CAV_HEARING_CLOSED] = {FALSE, FALSE, FALSE, FALSE, TRUE, FALSE},
		[CAV_HEARING_SEALED] = {FALSE, FALSE, FALSE, FALSE, FALSE, FALSE},
	};

	for (int s = 0; s < 5; s++) {
		for (int a = 0; a < 6; a++) {
			g_autoptr(GError) error = NULL;
			gboolean ok = cav_lifecycle_check(s, a, &error);

			g_assert_cmpint(ok, ==, allowed[s][a]);
			if (!ok) {
				g_autofree char *zh = cav_error_zh(error);
				g_autofree char *en = cav_error_en(error);

				g_assert_error(error, CAV_ROOM_ERROR,
					       CAV_ROOM_ERROR_BAD_TRANSITION);
				g_assert_true(g_str_has_prefix(en, "Cannot"));
				g_assert_nonnull(g_strstr_len(zh, -1, "庭审"));
			}
		}
	}
	g_assert_cmpint(cav_lifecycle_next(CAV_HEARING_IDLE, CAV_ACTION_START), ==,
			CAV_HEARING_RECORDING);
	g_assert_cmpint(cav_lifecycle_next(CAV_HEARING_RECORDING, CAV_ACTION_PAUSE), ==,
			CAV_HEARING_PAUSED);
	g_assert_cmpint(cav_lifecycle_next(CAV_HEARING_PAUSED, CAV_ACTION_CLOSE), ==,
			CAV_HEARING_CLOSED);
	g_assert_cmpint(cav_lifecycle_next(CAV_HEARING_CLOSED, CAV_ACTION_SEAL), ==,
			CAV_HEARING_SEALED);
}

static void
test_reasons(void)
{
	g_autoptr(GError) error = NULL;

	g_assert_cmpstr(cav_pause_reason_parse("recess", FALSE, NULL), ==, "recess");
	g_assert_cmpstr(cav_pause_reason_parse("休庭", FALSE, NULL), ==, "recess");
	g_assert_cmpstr(cav_pause_reason_parse("不公开质证", FALSE, NULL), ==, "closed_evidence");
	g_assert_cmpstr(cav_pause_reason_parse("调解", FALSE, NULL), ==, "mediation");
	g_assert_cmpstr(cav_pause_reason_parse("fault", TRUE, NULL), ==, "fault");
	g_assert_null(cav_pause_reason_parse("fault", FALSE, &error));
	g_assert_error(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_BAD_REASON);
	g_clear_error(&error);
	g_assert_null(cav_pause_reason_parse(NULL, FALSE, &error));
	g_assert_error(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_BAD_REASON);
	g_assert_cmpstr(cav_pause_reason_zh("closed_evidence"), ==, "不公开质证");
}

static void
test_case_numbers(void)
{
	static const char *const good[][2] = {
		{"（2026）兵0101刑初12号", "（2026）兵0101刑初12号"},
		{"(2026)兵0101刑初12号", "（2026）兵0101刑初12号"},
		{" （2025）京0105民初 3456号 ", "（2025）京0105民初3456号"},
		{"（2024）最高法刑终1号", "（2024）最高法刑终1号"},
		{"〔2023〕沪01执恢88号", "（2023）沪01执恢88号"},
	};
	static const char *const bad[] = {"",
					  "2026-12",
					  "（2026）兵0101刑初号",
					  "（26）兵0101刑初1号",
					  "（2026）0101刑初1号",
					  "（2026）兵0101刑初12",
					  "abc"};

	for (guint i = 0; i < G_N_ELEMENTS(good); i++) {
		g_autofree char *n = cav_case_number_normalize(good[i][0], NULL);

		g_assert_cmpstr(n, ==, good[i][1]);
	}
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree char *zh = NULL;

		g_assert_null(cav_case_number_normalize(bad[i], &error));
		g_assert_error(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_INVALID_CASE_NUMBER);
		zh = cav_error_zh(error);
		g_assert_nonnull(g_strstr_len(zh, -1, "案号"));
	}
	{
		g_autofree char *slug = cav_case_number_slug("（2026）兵0101刑初12号");
		g_autofree char *slug2 = cav_case_number_slug("（2026）a/b:c号");

		g_assert_cmpstr(slug, ==, "2026兵0101刑初12号");
		g_assert_cmpstr(slug2, ==, "2026a_b_c号");
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/lifecycle/transitions", test_transitions);
	g_test_add_func("/lifecycle/reasons", test_reasons);
	g_test_add_func("/lifecycle/case-numbers", test_case_numbers);
	return g_test_run();
}
