/* lifecycle.c — hearing rules (see lifecycle.h). Pure; any thread. */
#include "lifecycle.h"
#include "errors.h"

#include <string.h>

const char *
cav_action_name(CavHearingAction action)
{
	static const char *const names[] = {"start", "pause", "resume", "close", "seal", "mark"};

	return (guint)action < G_N_ELEMENTS(names) ? names[action] : "unknown";
}

static const char *
state_zh(CavHearingState state)
{
	static const char *const names[] = {"待开始", "录制中", "已暂停", "已结束", "已封存"};

	return (guint)state < G_N_ELEMENTS(names) ? names[state] : "未知";
}

gboolean
cav_lifecycle_check(CavHearingState state, CavHearingAction action, GError **error)
{
	gboolean ok = FALSE;
	const char *hint_en = "";
	const char *hint_zh = "";

	switch (action) {
	case CAV_ACTION_START:
		ok = state == CAV_HEARING_IDLE;
		hint_en = state == CAV_HEARING_PAUSED ? " Use resume." : "";
		hint_zh = state == CAV_HEARING_PAUSED ? "请使用“继续”。" : "";
		break;
	case CAV_ACTION_PAUSE:
		ok = state == CAV_HEARING_RECORDING;
		break;
	case CAV_ACTION_RESUME:
		ok = state == CAV_HEARING_PAUSED;
		break;
	case CAV_ACTION_CLOSE:
		ok = state == CAV_HEARING_IDLE || state == CAV_HEARING_RECORDING ||
		     state == CAV_HEARING_PAUSED;
		break;
	case CAV_ACTION_SEAL:
		ok = state == CAV_HEARING_CLOSED;
		hint_en = state < CAV_HEARING_CLOSED ? " Close the hearing first." : "";
		hint_zh = state < CAV_HEARING_CLOSED ? "请先结束庭审。" : "";
		break;
	case CAV_ACTION_MARK:
		ok = state == CAV_HEARING_RECORDING || state == CAV_HEARING_PAUSED;
		break;
	}
	if (!ok) {
		static const char *const action_zh[] = {"开始录制", "暂停", "继续录制",
							"结束庭审", "封存", "添加标记"};
		g_autofree char *en = g_strdup_printf("Cannot %s a hearing that is %s.%s",
						      cav_action_name(action),
						      cav_hearing_state_name(state), hint_en);
		g_autofree char *zh = g_strdup_printf("庭审当前为“%s”状态，不能%s。%s",
						      state_zh(state), action_zh[action], hint_zh);

		cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_BAD_TRANSITION, "%s", "%s",
				 en, zh);
	}
	return ok;
}

CavHearingState
cav_lifecycle_next(CavHearingState state, CavHearingAction action)
{
	switch (action) {
	case CAV_ACTION_START:
	case CAV_ACTION_RESUME:
		return CAV_HEARING_RECORDING;
	case CAV_ACTION_PAUSE:
		return CAV_HEARING_PAUSED;
	case CAV_ACTION_CLOSE:
		return CAV_HEARING_CLOSED;
	case CAV_ACTION_SEAL:
		return CAV_HEARING_SEALED;
	case CAV_ACTION_MARK:
		break;
	}
	return state;
}

static const struct {
	const char *name;
	const char *zh;
} reasons[] = {
	{"recess", "休庭"},
	{"closed_evidence", "不公开质证"},
	{"mediation", "调解"},
	{"fault", "故障"},
};

const char *
cav_pause_reason_parse(const char *text, gboolean allow_fault, GError **error)
{
	for (guint i = 0; text != NULL && i < G_N_ELEMENTS(reasons); i++) {
		if (!allow_fault && g_str_equal(reasons[i].name, "fault"))
			continue;
		if (g_str_equal(text, reasons[i].name) || g_str_equal(text, reasons[i].zh))
			return reasons[i].name;
	}
	if (text == NULL || text[0] == '\0')
		cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_BAD_REASON,
				 "A pause needs a reason: recess, closed_evidence or mediation.",
				 "暂停录制必须选择原因：休庭、不公开质证或调解。");
	else
		cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_BAD_REASON,
				 "“%s” is not a lawful pause reason: use recess, closed_evidence "
				 "or mediation.",
				 "“%s”不是法定的暂停原因，请选择休庭、不公开质证或调解。", text);
	return NULL;
}

const char *
cav_pause_reason_zh(const char *reason)
{
	for (guint i = 0; reason != NULL && i < G_N_ELEMENTS(reasons); i++)
		if (g_str_equal(reason, reasons[i].name))
			return reasons[i].zh;
	return reason;
}

char *
cav_case_number_normalize(const char *text, GError **error)
{
	/* （year）court code (Han abbreviation + digits, or 最高法) type word
	 * (刑初, 民终, 执恢, ...) serial 号. */
	static GRegex *re; /* compiled once, never freed: process lifetime */
	g_autoptr(GString) s = NULL;

	if (g_once_init_enter(&re)) {
		GRegex *r = g_regex_new("^（(19|20)\\d\\d）\\p{Han}{1,4}\\d{0,6}\\p{Han}{1,6}"
					"\\d{1,7}号$",
					G_REGEX_OPTIMIZE, 0, NULL);
		g_once_init_leave(&re, r);
	}
	if (text == NULL || !g_utf8_validate(text, -1, NULL) || strlen(text) > 120)
		goto bad;
	s = g_string_new(NULL);
	for (const char *p = text; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (g_unichar_isspace(c) || c == 0x3000)
			continue;
		if (c == '(')
			c = 0xFF08; /* （ */
		else if (c == ')')
			c = 0xFF09;                  /* ） */
		else if (c == 0x3014 || c == 0x3010) /* 〔 【 written for （ */
			c = 0xFF08;
		else if (c == 0x3015 || c == 0x3011)
			c = 0xFF09;
		g_string_append_unichar(s, c);
	}
	if (g_regex_match(re, s->str, 0, NULL))
		return g_string_free(g_steal_pointer(&s), FALSE);
bad:
	cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_INVALID_CASE_NUMBER,
			 "“%s” is not a case number: write it like （2026）兵0101刑初12号.",
			 "“%s”不是有效的案号，正确格式如：（2026）兵0101刑初12号。",
			 text ? text : "");
	return NULL;
}

char *
cav_case_number_slug(const char *number)
{
	GString *s = g_string_new(NULL);

	for (const char *p = number; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (c == 0xFF08 || c == 0xFF09)
			continue;
		if (c < 0x20 || c == '/' || c == '\\' || c == ':' || c == '*' || c == '?' ||
		    c == '"' || c == '<' || c == '>' || c == '|' || c == ' ' || c == '.')
			g_string_append_c(s, '_');
		else
			g_string_append_unichar(s, c);
	}
	return g_string_free(s, FALSE);
}
