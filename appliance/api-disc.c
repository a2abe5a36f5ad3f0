/* api-disc.c — discs (docs/API.md "Discs"): a case's plan, authoring an image,
 * burning to drives, job status, and the drives. Authoring and burning
 * answer 202 with the job at once; the work runs in disc-job.c's worker and
 * reports through "job" events and GET /disc/jobs/{id}. Main thread only.
 */
#include "api-private.h"
#include "disc-case.h"
#include "disc-job.h"
#include "disc-plan.h"
#include "disc.h"
#include "store-discs.h"
#include "drivers/burner.h"

#include <string.h>

#define ROLES_BURN (CAV_ROLE_CLERK | CAV_ROLE_TECHNICIAN | CAV_ROLE_ADMIN)

static CavDiscJobs *
jobs_of(CavApiRequest *req)
{
	return cav_disc_jobs_get(req->api->room, req->api->signer);
}

/* ---- errors -------------------------------------------------------------- */

static const CavHttpErrorCode disc_map[] = {
	{CAV_DISC_ERROR_BAD_REQUEST, 400, "bad-request"},
	{CAV_DISC_ERROR_NOT_FOUND, 404, "not-found"},
	{CAV_DISC_ERROR_UNSEALED, 409, "unsealed"},
	{CAV_DISC_ERROR_NOTHING, 409, "nothing-to-burn"},
	{CAV_DISC_ERROR_TOO_LARGE, 409, "file-too-large"},
	{CAV_DISC_ERROR_WRONG_DISC, 409, "wrong-disc"},
	{CAV_DISC_ERROR_BUSY, 409, "disc-busy"},
	{CAV_DISC_ERROR_VERIFY, 409, "verify-failed"},
	{CAV_DISC_ERROR_INTERNAL, 500, "internal"},
};

static const CavHttpErrorCode burner_map[] = {
	{CAV_BURNER_ERROR_NO_DRIVE, 404, "no-drive"},
	{CAV_BURNER_ERROR_NO_MEDIUM, 409, "no-medium"},
	{CAV_BURNER_ERROR_CLOSED, 409, "medium-closed"},
	{CAV_BURNER_ERROR_TOO_SMALL, 507, "medium-too-small"},
	{CAV_BURNER_ERROR_UNSUITABLE, 409, "medium-unsuitable"},
	{CAV_BURNER_ERROR_BUSY, 409, "drive-busy"},
	{CAV_BURNER_ERROR_NOT_ISO, 409, "not-a-disc"},
	{CAV_BURNER_ERROR_CANCELLED, 409, "cancelled"},
	{CAV_BURNER_ERROR_FAILED, 500, "drive-failed"},
};

/* The API code of a disc or burner error ("no-medium"), for bodies and the
 * job's copies. (transfer none) */
static const char *
error_name(const GError *error, guint *status)
{
	const CavHttpErrorCode *e =
		cav_http_error_code_find(error, CAV_DISC_ERROR, disc_map, G_N_ELEMENTS(disc_map));

	if (e == NULL)
		e = cav_http_error_code_find(error, CAV_BURNER_ERROR, burner_map,
					     G_N_ELEMENTS(burner_map));
	*status = e != NULL ? e->status : 500;
	return e != NULL ? e->name : "internal";
}

static void
respond_disc_error(SoupServerMessage *msg, const GError *error)
{
	g_autofree char *en = NULL, *zh = NULL;
	const char *name;
	guint status;

	if (error->domain != CAV_DISC_ERROR && error->domain != CAV_BURNER_ERROR) {
		cav_api_respond_error(msg, error);
		return;
	}
	name = error_name(error, &status);
	en = cav_error_en(error);
	zh = cav_error_zh(error);
	if (status >= 500)
		g_warning("API disc: %s", en);
	cav_api_respond_status(msg, status, name, en, zh);
}

/* ---- plan ---------------------------------------------------------------- */

static void
add_i(JsonBuilder *b, const char *key, gint64 v)
{
	json_builder_set_member_name(b, key);
	json_builder_add_int_value(b, v);
}

static void
add_s(JsonBuilder *b, const char *key, const char *v)
{
	json_builder_set_member_name(b, key);
	json_builder_add_string_value(b, v);
}

static void
plan_discs(JsonBuilder *b, const CavDiscPlan *plan, GPtrArray *sealed)
{
	const CavDiscMediumInfo *m = cav_disc_media(plan->medium);

	json_builder_set_member_name(b, "discs");
	json_builder_begin_array(b);
	for (guint i = 0; i < plan->discs->len; i++) {
		const CavPlanDisc *d = plan->discs->pdata[i];

		json_builder_begin_object(b);
		add_i(b, "number", d->number);
		add_i(b, "need_bytes", (gint64)d->need_bytes);
		json_builder_set_member_name(b, "fill");
		json_builder_add_double_value(b, (double)d->need_bytes / (double)m->usable);
		json_builder_set_member_name(b, "hearings");
		json_builder_begin_array(b);
		for (guint j = 0; j < d->parts->len; j++) {
			const CavPlanPart *p = d->parts->pdata[j];
			const CavPlanHearing *h = sealed->pdata[p->hearing];

			json_builder_begin_object(b);
			add_i(b, "id", h->id);
			add_s(b, "dir", h->dir);
			json_builder_set_member_name(b, "whole");
			json_builder_add_boolean_value(b, p->whole);
			add_i(b, "files", p->whole ? (gint64)h->files->len : (gint64)p->files->len);
			add_i(b, "bytes", (gint64)p->bytes);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void
plan_json(JsonBuilder *b, const CavDiscCase *c, const CavDiscPlan *plan, GPtrArray *sealed)
{
	const CavDiscMediumInfo *m = cav_disc_media(plan->medium);

	json_builder_begin_object(b);
	add_i(b, "case_id", c->kase->id);
	add_s(b, "case_number", c->kase->number);
	add_s(b, "medium", m->name);
	add_s(b, "medium_label", m->label);
	add_i(b, "capacity", (gint64)m->capacity);
	add_i(b, "usable", (gint64)m->usable);
	add_i(b, "payload", (gint64)plan->payload);
	json_builder_set_member_name(b, "split");
	json_builder_add_boolean_value(b, plan->split);
	plan_discs(b, plan, sealed);
	json_builder_set_member_name(b, "warnings");
	json_builder_begin_array(b);
	for (guint i = 0; i < plan->warnings->len; i++) {
		const char *w = plan->warnings->pdata[i];
		const char *sep = strchr(w, '\x1e');
		g_autofree char *en = sep ? g_strndup(w, sep - w) : g_strdup(w);

		json_builder_begin_object(b);
		add_s(b, "message", en);
		add_s(b, "message_zh", sep ? sep + 1 : w);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	/* What each medium would take, for a screen that lets people choose. */
	json_builder_set_member_name(b, "media");
	json_builder_begin_array(b);
	for (guint i = 0; i < CAV_DISC_N_MEDIA; i++) {
		const CavDiscMediumInfo *mi = cav_disc_media(i);
		g_autoptr(CavDiscPlan) alt = cav_disc_plan(sealed, i, NULL);

		json_builder_begin_object(b);
		add_s(b, "name", mi->name);
		add_s(b, "label", mi->label);
		add_i(b, "capacity", (gint64)mi->capacity);
		add_i(b, "usable", (gint64)mi->usable);
		add_i(b, "discs", alt ? (gint64)alt->discs->len : 0);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "unsealed");
	json_builder_begin_array(b);
	for (guint i = 0; i < c->hearings->len; i++) {
		const CavDiscHearing *h = c->hearings->pdata[i];

		if (h->sealed)
			continue;
		json_builder_begin_object(b);
		add_i(b, "id", h->row->id);
		add_s(b, "state", cav_hearing_state_name(h->row->state));
		add_i(b, "bytes", (gint64)cav_plan_hearing_bytes(h->plan));
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
}

static gboolean
query_medium(CavApiRequest *req, const char *text, CavDiscMedium *out)
{
	if (cav_disc_medium_parse(text, out))
		return TRUE;
	cav_api_respond_bad(req->msg, "光盘类型应为 dvd5、dvd9、bd25、bd50 或 auto。",
			    "Unknown medium \"%s\": use dvd5, dvd9, bd25, bd50 or auto.", text);
	return FALSE;
}

static void
get_plan(CavApiRequest *req)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(CavDiscCase) c = cav_disc_case_load(req->api->room, req->id, &error);
	g_autoptr(GPtrArray) sealed = NULL;
	g_autoptr(CavDiscPlan) plan = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	const char *medium = req->query ? g_hash_table_lookup(req->query, "medium") : NULL;
	CavDiscMedium m = CAV_DISC_AUTO;

	if (c == NULL) {
		respond_disc_error(req->msg, error);
		return;
	}
	if (!query_medium(req, medium, &m))
		return;
	sealed = cav_disc_case_sealed_plans(c);
	plan = cav_disc_plan(sealed, m, &error);
	if (plan == NULL) {
		respond_disc_error(req->msg, error);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "plan");
	plan_json(b, c, plan, sealed);
	json_builder_end_object(b);
	cav_api_respond_json(req->msg, 200, b);
}

/* ---- jobs ---------------------------------------------------------------- */

static void
respond_job(CavApiRequest *req, guint status, gint64 id)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GError) error = NULL;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "job");
	if (!cav_disc_jobs_describe(jobs_of(req), id, b, &error)) {
		respond_disc_error(req->msg, error);
		return;
	}
	json_builder_end_object(b);
	cav_api_respond_json(req->msg, status, b);
}

/* "drives": a list of addresses. Answers 400 on anything else. */
static GStrv
read_drives(CavApiRequest *req, JsonObject *o)
{
	g_autoptr(GStrvBuilder) sb = g_strv_builder_new();
	JsonNode *n = json_object_get_member(o, "drives");
	JsonArray *a;

	if (n == NULL || !JSON_NODE_HOLDS_ARRAY(n)) {
		cav_api_respond_bad(req->msg, "drives 必须是光驱地址列表。",
				    "\"drives\" must be a list of drive addresses.");
		return NULL;
	}
	a = json_node_get_array(n);
	for (guint i = 0; i < json_array_get_length(a) && i < 8; i++) {
		JsonNode *e = json_array_get_element(a, i);

		if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_STRING) {
			cav_api_respond_bad(req->msg, "drives 必须是光驱地址列表。",
					    "\"drives\" must be a list of drive addresses.");
			return NULL;
		}
		g_strv_builder_add(sb, json_node_get_string(e));
	}
	return g_strv_builder_end(sb);
}

static gboolean
read_common(CavApiRequest *req, JsonObject *o, CavDiscJobRequest *r)
{
	const char *medium = NULL;
	gint64 disc = 1;
	JsonNode *n;

	if (!cav_api_get_string(req->msg, o, "medium", &medium) ||
	    !cav_api_get_bool(req->msg, o, "sealed_only", &r->sealed_only) ||
	    !query_medium(req, medium, &r->medium))
		return FALSE;
	n = json_object_get_member(o, "disc");
	if (n != NULL) {
		if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64 ||
		    (disc = json_node_get_int(n)) < 1 || disc > 1000) {
			cav_api_respond_bad(req->msg, "disc 必须是 1 起的整数。",
					    "\"disc\" must be a whole number from 1.");
			return FALSE;
		}
	}
	r->disc = (guint)disc;
	r->case_id = req->id;
	r->actor = req->actor;
	return TRUE;
}

static void
start(CavApiRequest *req, const CavDiscJobRequest *r)
{
	g_autoptr(GError) error = NULL;
	gint64 id = cav_disc_jobs_start(jobs_of(req), r, &error);

	if (id == 0)
		respond_disc_error(req->msg, error);
	else
		respond_job(req, 202, id);
}

static void
post_burn(CavApiRequest *req)
{
	static const char *const fields[] = {"drives", "medium",      "disc",
					     "close",  "sealed_only", NULL};
	g_autoptr(JsonObject) o = cav_api_read_body(req->msg, fields);
	g_auto(GStrv) drives = NULL;
	CavDiscJobRequest r = {CAV_DISC_JOB_BURN};

	if (o == NULL || !read_common(req, o, &r) ||
	    !cav_api_get_bool(req->msg, o, "close", &r.close) ||
	    (drives = read_drives(req, o)) == NULL)
		return;
	r.drives = (const char *const *)drives;
	start(req, &r);
}

static void
post_author(CavApiRequest *req)
{
	static const char *const fields[] = {"output",    "medium",      "disc",
					     "overwrite", "sealed_only", NULL};
	g_autoptr(JsonObject) o = cav_api_read_body(req->msg, fields);
	g_autofree char *address = NULL;
	const char *output = NULL;
	CavDiscJobRequest r = {CAV_DISC_JOB_AUTHOR};

	if (o == NULL || !read_common(req, o, &r) ||
	    !cav_api_get_bool(req->msg, o, "overwrite", &r.overwrite) ||
	    !cav_api_get_string(req->msg, o, "output", &output))
		return;
	if (output == NULL || !g_path_is_absolute(output)) {
		cav_api_respond_bad(req->msg, "output 必须是镜像文件的绝对路径。",
				    "\"output\" must be the image file's absolute path.");
		return;
	}
	address = g_strconcat("stdio:", output, NULL);
	r.drives = (const char *const[]){address, NULL};
	start(req, &r);
}

static void
get_job(CavApiRequest *req)
{
	respond_job(req, 200, req->id);
}

static void
get_jobs(CavApiRequest *req)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GPtrArray) rows = NULL;
	gint64 case_id = 0;

	if (!cav_api_query_int(req, "case_id", 1, G_MAXINT64, &case_id))
		return;
	rows = cav_store_disc_job_list(cav_room_store(req->api->room), case_id, 50, NULL);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "jobs");
	json_builder_begin_array(b);
	for (guint i = 0; rows != NULL && i < rows->len; i++)
		cav_disc_jobs_describe(jobs_of(req), ((CavDiscJobRow *)rows->pdata[i])->id, b,
				       NULL);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "running");
	json_builder_add_int_value(b, cav_disc_jobs_running(jobs_of(req)));
	json_builder_end_object(b);
	cav_api_respond_json(req->msg, 200, b);
}

/* ---- drives -------------------------------------------------------------- */

typedef struct {
	SoupServerMessage *msg; /* owned ref */
	CavDiscJobs *jobs;      /* unowned */
} PendingDrives;

static void
drives_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autofree PendingDrives *p = user_data;
	SoupServerMessage *msg = p->msg;
	CavDiscJobs *jobs = p->jobs;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	gboolean busy = FALSE;
	g_autoptr(GPtrArray) drives = cav_disc_jobs_list_drives_finish(jobs, result, &busy, &error);

	if (drives == NULL) {
		respond_disc_error(msg, error);
	} else {
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "busy");
		json_builder_add_boolean_value(b, busy);
		json_builder_set_member_name(b, "drives");
		json_builder_begin_array(b);
		for (guint i = 0; i < drives->len; i++) {
			const CavDriveInfo *d = drives->pdata[i];

			json_builder_begin_object(b);
			add_s(b, "address", d->address);
			add_s(b, "vendor", d->vendor);
			add_s(b, "product", d->product);
			add_s(b, "medium", cav_medium_state_name(d->state));
			add_s(b, "profile", d->profile);
			add_i(b, "sessions", d->sessions);
			add_i(b, "used_bytes", (gint64)d->used_bytes);
			add_i(b, "free_bytes", (gint64)d->free_bytes);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		json_builder_end_object(b);
		cav_api_respond_json(msg, 200, b);
	}
	soup_server_message_unpause(msg);
	g_object_unref(msg);
}

static void
get_drives(CavApiRequest *req)
{
	PendingDrives *p = g_new0(PendingDrives, 1);

	p->msg = g_object_ref(req->msg);
	p->jobs = jobs_of(req);
	soup_server_message_pause(req->msg);
	cav_disc_jobs_list_drives(p->jobs, NULL, drives_done, p);
}

void
cav_api_disc_register(CavApi *api)
{
	/* Also closes jobs a previous run left unfinished. There is no room
	 * when only the route table is wanted (courtavd --list-routes). */
	if (api->room != NULL)
		cav_disc_jobs_get(api->room, api->signer);
	cav_api_route(api, "GET", "/cases/{id}/disc/plan", CAV_ROLES_ANY, get_plan);
	cav_api_route(api, "POST", "/cases/{id}/disc/author", ROLES_BURN, post_author);
	cav_api_route(api, "POST", "/cases/{id}/disc/burn", ROLES_BURN, post_burn);
	cav_api_route(api, "GET", "/disc/jobs", CAV_ROLES_ANY, get_jobs);
	cav_api_route(api, "GET", "/disc/jobs/{id}", CAV_ROLES_ANY, get_job);
	cav_api_route(api, "GET", "/disc/drives", CAV_ROLES_ANY, get_drives);
}
