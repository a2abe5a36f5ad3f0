/* disc-case.c — a case loaded for the disc code, and the capacity warning
 * raised when a hearing opens (see disc-case.h). Main thread.
 *
 * A sealed hearing is described by its manifest.json as written, not by the
 * store: the disc must carry exactly what the seal signed, and a verifier
 * reading the disc has nothing else.
 */
#include "disc-case.h"
#include "disc.h"
#include "errors.h"

#include <string.h>
#include <glib/gstdio.h>

#define MAX_MANIFEST ((gsize)512 * 1024 * 1024)

static void
hearing_free(CavDiscHearing *h)
{
	cav_hearing_row_free(h->row);
	g_free(h->dir);
	g_free(h->manifest_data);
	cav_manifest_free(h->manifest);
	cav_plan_hearing_free(h->plan);
	g_free(h);
}

void
cav_disc_case_free(CavDiscCase *c)
{
	if (c == NULL)
		return;
	cav_case_row_free(c->kase);
	g_free(c->court);
	g_free(c->room_name);
	g_ptr_array_unref(c->hearings);
	g_free(c);
}

static guint64
file_size(const char *dir, const char *rel)
{
	g_autofree char *path = g_build_filename(dir, rel, NULL);
	GStatBuf st;

	return g_stat(path, &st) == 0 ? (guint64)st.st_size : 0;
}

static gboolean
load_sealed(CavDiscHearing *h, GError **error)
{
	g_autofree char *path = g_build_filename(h->row->media_dir, CAV_MANIFEST_NAME, NULL);
	g_autofree char *sig = g_build_filename(h->row->media_dir, CAV_MANIFEST_SIG_NAME, NULL);
	g_autoptr(GError) local = NULL;
	const CavManifest *m;

	if (!g_file_get_contents(path, &h->manifest_data, &h->manifest_len, &local) ||
	    h->manifest_len > MAX_MANIFEST ||
	    (h->manifest = cav_manifest_parse(h->manifest_data, h->manifest_len, &local)) == NULL) {
		cav_set_error_bi(error, CAV_DISC_ERROR, CAV_DISC_ERROR_INTERNAL,
				 "The manifest of sealed hearing %" G_GINT64_FORMAT
				 " (%s) cannot be read: %s; run courtavctl verify on its folder",
				 "已封存庭审 %" G_GINT64_FORMAT
				 "（%s）的清单无法读取：%s；请对其目录运行 courtavctl verify",
				 h->row->id, path, local ? local->message : "too large");
		return FALSE;
	}
	if (!g_file_test(sig, G_FILE_TEST_IS_REGULAR)) {
		cav_set_error_bi(error, CAV_DISC_ERROR, CAV_DISC_ERROR_INTERNAL,
				 "Sealed hearing %" G_GINT64_FORMAT " has no %s: it cannot go on a "
				 "disc unsigned",
				 "已封存庭审 %" G_GINT64_FORMAT " 缺少 %s：未签名不能刻录",
				 h->row->id, sig);
		return FALSE;
	}
	m = h->manifest;
	cav_plan_hearing_add(h->plan, TRUE, CAV_MANIFEST_NAME, h->manifest_len);
	cav_plan_hearing_add(h->plan, TRUE, CAV_MANIFEST_SIG_NAME,
			     file_size(h->row->media_dir, CAV_MANIFEST_SIG_NAME));
	for (guint i = 0; i < m->segments->len; i++) {
		const CavManifestSegment *s = m->segments->pdata[i];
		g_autofree char *torn = g_strconcat(s->file, ".torn", NULL);

		cav_plan_hearing_add(h->plan, FALSE, s->file, s->bytes);
		/* The torn tail recovery kept beside a repaired segment goes
		 * along: it is part of the record, and verify expects it. */
		if (s->partial && file_size(h->row->media_dir, torn) > 0)
			cav_plan_hearing_add(h->plan, TRUE, torn,
					     file_size(h->row->media_dir, torn));
	}
	return TRUE;
}

static void
load_unsealed(CavStore *store, CavDiscHearing *h)
{
	g_autoptr(GPtrArray) segs = cav_store_segment_list(store, h->row->id, FALSE, NULL);

	cav_plan_hearing_add(h->plan, TRUE, CAV_MANIFEST_NAME,
			     file_size(h->row->media_dir, CAV_MANIFEST_NAME));
	for (guint i = 0; segs != NULL && i < segs->len; i++) {
		const CavSegmentRow *s = segs->pdata[i];
		guint64 bytes =
			s->bytes > 0 ? (guint64)s->bytes : file_size(h->row->media_dir, s->path);

		cav_plan_hearing_add(h->plan, FALSE, s->path, bytes);
	}
}

static gint
by_id(gconstpointer a, gconstpointer b)
{
	const CavDiscHearing *x = *(const CavDiscHearing *const *)a;
	const CavDiscHearing *y = *(const CavDiscHearing *const *)b;

	return x->row->id < y->row->id ? -1 : x->row->id > y->row->id;
}

CavDiscCase *
cav_disc_case_load(CavRoom *room, gint64 case_id, GError **error)
{
	CavStore *store = cav_room_store(room);
	const CavConfig *config = cav_room_config(room);
	g_autoptr(CavDiscCase) c = g_new0(CavDiscCase, 1);
	g_autoptr(GPtrArray) rows = NULL;
	g_autoptr(GError) local = NULL;

	c->hearings = g_ptr_array_new_with_free_func((GDestroyNotify)hearing_free);
	c->kase = cav_store_case_get(store, case_id, &local);
	if (c->kase == NULL) {
		cav_set_error_bi(error, CAV_DISC_ERROR, CAV_DISC_ERROR_NOT_FOUND,
				 "No case with id %" G_GINT64_FORMAT ".",
				 "没有编号为 %" G_GINT64_FORMAT " 的案件。", case_id);
		return NULL;
	}
	c->court = g_strdup(config->court);
	c->room_name = g_strdup(config->room_name);
	rows = cav_store_hearing_list(store, case_id, error);
	if (rows == NULL) {
		cav_room_wrap_store_error(error);
		return NULL;
	}
	for (guint i = 0; i < rows->len; i++) {
		CavDiscHearing *h = g_new0(CavDiscHearing, 1);

		h->row = g_steal_pointer(&rows->pdata[i]);
		h->dir = g_path_get_basename(h->row->media_dir);
		h->sealed = h->row->state == CAV_HEARING_SEALED;
		h->plan = cav_plan_hearing_new(h->row->id, h->dir);
		g_ptr_array_add(c->hearings, h);
		if (h->sealed && !load_sealed(h, error))
			return NULL;
		if (!h->sealed)
			load_unsealed(store, h);
	}
	g_ptr_array_sort(c->hearings, by_id);
	return g_steal_pointer(&c);
}

GPtrArray *
cav_disc_case_sealed_plans(const CavDiscCase *c)
{
	GPtrArray *out = g_ptr_array_new();

	for (guint i = 0; i < c->hearings->len; i++) {
		const CavDiscHearing *h = c->hearings->pdata[i];

		if (h->sealed)
			g_ptr_array_add(out, h->plan);
	}
	return out;
}

const CavDiscHearing *
cav_disc_case_hearing(const CavDiscCase *c, const char *dir)
{
	for (guint i = 0; i < c->hearings->len; i++) {
		const CavDiscHearing *h = c->hearings->pdata[i];

		if (g_str_equal(h->dir, dir))
			return h;
	}
	return NULL;
}

gboolean
cav_disc_case_check_sealed(const CavDiscCase *c, GError **error)
{
	g_autoptr(GString) en = g_string_new(NULL);
	g_autoptr(GString) zh = g_string_new(NULL);

	for (guint i = 0; i < c->hearings->len; i++) {
		const CavDiscHearing *h = c->hearings->pdata[i];
		const char *state = cav_hearing_state_name(h->row->state);

		if (h->sealed)
			continue;
		g_string_append_printf(en, "%s%" G_GINT64_FORMAT " (%s)", en->len ? ", " : "",
				       h->row->id, state);
		g_string_append_printf(zh, "%s%" G_GINT64_FORMAT "（%s）", zh->len ? "、" : "",
				       h->row->id, state);
	}
	if (en->len == 0)
		return TRUE;
	cav_set_error_bi(error, CAV_DISC_ERROR, CAV_DISC_ERROR_UNSEALED,
			 "Case %s has hearings that are not sealed: %s. Close and seal them "
			 "first, or burn only the sealed ones as a session that leaves the disc "
			 "open (--sealed-only)",
			 "案件 %s 有未封存的庭审：%s。请先结束并封存，或仅将已封存的庭审刻录为"
			 "一个会话并保持光盘可追加（--sealed-only）",
			 c->kase->number, en->str, c->kase->number, zh->str);
	return FALSE;
}

/* ---- the warning at hearing open ----------------------------------------- */

/* A stand-in for the next hearing: @bytes in files of at most 1 GiB. */
static CavPlanHearing *
projected_hearing(guint64 bytes)
{
	CavPlanHearing *h = cav_plan_hearing_new(0, "next");
	guint n = 0;

	cav_plan_hearing_add(h, TRUE, CAV_MANIFEST_NAME, 64 * 1024);
	while (bytes > 0) {
		guint64 chunk = MIN(bytes, CAV_DISC_WARN_FILE);
		g_autofree char *path = g_strdup_printf("program/%04u.mp4", ++n);

		cav_plan_hearing_add(h, FALSE, path, chunk);
		bytes -= chunk;
	}
	return h;
}

static void
warn(CavRoom *room, const CavDiscCase *c, gint64 hearing_id, const CavDiscPlan *now,
     const CavDiscPlan *next, guint64 est)
{
	const CavDiscMediumInfo *m = cav_disc_media(now->medium);
	const CavDiscMediumInfo *n = cav_disc_media(next->medium);
	g_autofree char *have = g_format_size(now->payload);
	g_autofree char *more = g_format_size(est);
	g_autofree char *en = NULL, *zh = NULL;
	JsonNode *data;

	en = g_strdup_printf("Case %s holds %s and fits one %s; one more hearing of about %s will "
			     "need %u × %s. Burn the sealed hearings now, or plan for the larger "
			     "medium.",
			     c->kase->number, have, m->label, more, next->discs->len, n->label);
	zh = g_strdup_printf("案件 %s 已有 %s，目前可刻入一张 %s；再开一次约 %s 的庭审将需要 %u "
			     "张 %s。请现在刻录已封存的庭审，或改用更大容量的光盘。",
			     c->kase->number, have, m->label, more, next->discs->len, n->label);
	g_message("disc capacity: %s", en);
	if (!cav_store_event_insert(cav_room_store(room), g_get_real_time(), "warning",
				    "disc-capacity", hearing_id, en, NULL))
		g_warning("could not store the disc capacity warning");
	data = cav_event_object("code", "disc-capacity", "message", en, "message_zh", zh, "medium",
				m->name, "next_medium", n->name, NULL);
	json_object_set_int_member(json_node_get_object(data), "case_id", c->kase->id);
	json_object_set_int_member(json_node_get_object(data), "hearing_id", hearing_id);
	json_object_set_int_member(json_node_get_object(data), "next_discs", next->discs->len);
	cav_event_hub_emit(cav_room_events(room), "warning", data);
}

void
cav_disc_capacity_check(CavRoom *room, gint64 case_id, gint64 hearing_id)
{
	g_autoptr(CavDiscCase) c = cav_disc_case_load(room, case_id, NULL);
	g_autoptr(GPtrArray) plans = g_ptr_array_new();
	g_autoptr(CavDiscPlan) now = NULL;
	g_autoptr(CavDiscPlan) next = NULL;
	g_autoptr(CavPlanHearing) extra = NULL;
	guint64 largest = 0, est;

	if (c == NULL)
		return;
	for (guint i = 0; i < c->hearings->len; i++) {
		CavDiscHearing *h = c->hearings->pdata[i];

		g_ptr_array_add(plans, h->plan);
		largest = MAX(largest, cav_plan_hearing_bytes(h->plan));
	}
	now = cav_disc_plan(plans, CAV_DISC_AUTO, NULL);
	if (now == NULL || now->payload == 0)
		return;
	est = MAX(largest, cav_config_bytes_per_hour(cav_room_config(room)));
	extra = projected_hearing(est);
	g_ptr_array_add(plans, extra);
	next = cav_disc_plan(plans, CAV_DISC_AUTO, NULL);
	if (next != NULL && (next->medium != now->medium || next->discs->len != now->discs->len))
		warn(room, c, hearing_id, now, next, est);
}
