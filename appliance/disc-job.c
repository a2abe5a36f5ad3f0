/* disc-job.c — the disc job runner (see disc-job.h).
 *
 * Main thread: a request is checked and turned into a Job whose inputs (the
 * case as loaded, the plan, the drive addresses) are immutable from then on;
 * a GTask worker runs it. The worker never touches the store or the hub: it
 * posts progress to the main context (g_main_context_invoke) and leaves its
 * results in the Job for the completion callback, which writes the rows, the
 * audit entry and the final event in one go.
 *
 * What a worker does, in order: look at every drive (medium present, not
 * closed, and if it holds sessions, that they are this case's set and this
 * disc); build the session's tree; write it to all good drives at once; read
 * every written copy back through its drive and verify it. A copy is good
 * only when the read-back finds nothing — a disc is never reported good
 * because the write "went well".
 *
 * Why one process-wide runner rather than one per API object: libburn keeps
 * one drive list per process and cannot scan while a drive is grabbed.
 */
#include "disc-job.h"
#include "audit.h"
#include "disc-author.h"
#include "disc-case.h"
#include "disc.h"
#include "errors.h"
#include "store-discs.h"
#include "api-json.h"
#include "common/disc-verify.h"
#include "drivers/burner.h"

#include <errno.h>
#include <string.h>

typedef struct {
	char *drive;   /* owned */
	GError *error; /* owned, nullable: why this copy failed */
	gboolean written;
	CavVerifyReport *report; /* owned, nullable: the read-back */
	guint sessions;
	guint64 bytes;
} Copy;

typedef struct {
	gint64 id;
	CavDiscJobKind kind;
	GMainContext *context; /* where progress goes: the main context (owned ref) */
	/* Inputs: set on the main thread before the worker starts, then only read. */
	CavDiscCase *c;    /* owned */
	CavDiscPlan *plan; /* owned */
	GStrv drives;      /* owned */
	guint disc;
	gboolean close;
	char *actor; /* owned */
	const CavSigner *signer;
	/* Results: written by the worker, read on the main thread after it returned. */
	Copy *copies;     /* n = g_strv_length(drives) (owned) */
	GError *error;    /* owned, nullable: the job failed before writing */
	GPtrArray *added; /* char *: folders of the hearings the session added (owned) */
	/* Live progress: main thread only (updated from posted messages). */
	char *phase; /* owned */
	guint drive_index;
	guint64 done;
	guint64 total;
	double rate;
	double eta;
} Job;

struct CavDiscJobs {
	CavRoom *room;           /* unowned */
	const CavSigner *signer; /* unowned */
	GMainContext *context;   /* owned ref: the main context */
	Job *running;            /* owned, nullable */
	GPtrArray *last_drives;  /* CavDriveInfo * of the last scan (owned) */
};

static CavDiscJobs *the_jobs; /* see the overview; main thread only */

static void
job_free(Job *job)
{
	guint n = job->drives ? g_strv_length(job->drives) : 0;

	cav_disc_case_free(job->c);
	cav_disc_plan_free(job->plan);
	for (guint i = 0; job->copies != NULL && i < n; i++) {
		g_free(job->copies[i].drive);
		g_clear_error(&job->copies[i].error);
		cav_verify_report_free(job->copies[i].report);
	}
	g_free(job->copies);
	g_strfreev(job->drives);
	g_free(job->actor);
	g_clear_error(&job->error);
	g_clear_pointer(&job->added, g_ptr_array_unref);
	g_free(job->phase);
	if (job->context != NULL)
		g_main_context_unref(job->context);
	g_free(job);
}

CavDiscJobs *
cav_disc_jobs_get(CavRoom *room, const CavSigner *signer)
{
	g_autoptr(GError) error = NULL;

	g_return_val_if_fail(room != NULL, NULL);
	if (the_jobs != NULL && the_jobs->room == room)
		return the_jobs;
	/* A new room (tests make several in one process): start afresh. A job of
	 * the old room, if any, keeps running and is forgotten. */
	the_jobs = g_new0(CavDiscJobs, 1);
	the_jobs->room = room;
	the_jobs->signer = signer;
	the_jobs->context = g_main_context_ref_thread_default();
	the_jobs->last_drives = g_ptr_array_new_with_free_func((GDestroyNotify)cav_drive_info_free);
	if (!cav_store_disc_jobs_interrupted(cav_room_store(room), g_get_real_time(), &error))
		g_warning("cannot close interrupted disc jobs: %s", error->message);
	return the_jobs;
}

gint64
cav_disc_jobs_running(CavDiscJobs *jobs)
{
	return jobs->running != NULL ? jobs->running->id : 0;
}

/* ---- progress (worker → main) -------------------------------------------- */

typedef struct {
	gint64 id;
	const char *phase; /* static */
	guint drive;
	guint64 done;
	guint64 total;
	double rate;
	double eta;
} Tick;

static void
emit_job(CavDiscJobs *jobs, const Job *job, const char *state)
{
	JsonNode *data = cav_event_object(
		"kind", job->kind == CAV_DISC_JOB_AUTHOR ? "author" : "burn", "state", state,
		"phase", job->phase, "drive", job->drives[job->drive_index], NULL);
	JsonObject *o = json_node_get_object(data);

	json_object_set_int_member(o, "id", job->id);
	json_object_set_int_member(o, "case_id", job->c->kase->id);
	json_object_set_double_member(o, "percent",
				      job->total > 0 ? 100.0 * job->done / job->total : 0);
	json_object_set_double_member(o, "mb_per_s", job->rate / 1e6);
	json_object_set_double_member(o, "eta_s", job->eta);
	cav_event_hub_emit(cav_room_events(jobs->room), "job", data);
}

static gboolean
tick_on_main(gpointer data)
{
	Tick *t = data;
	Job *job = the_jobs != NULL ? the_jobs->running : NULL;

	/* A late tick of a job already finished is dropped. */
	if (job == NULL || job->id != t->id)
		return G_SOURCE_REMOVE;
	g_free(job->phase);
	job->phase = g_strdup(t->phase);
	job->drive_index = t->drive;
	job->done = t->done;
	job->total = t->total;
	job->rate = t->rate;
	job->eta = t->eta;
	emit_job(the_jobs, job, "running");
	return G_SOURCE_REMOVE;
}

/* Worker side. */
static void
post(Job *job, GMainContext *context, const char *phase, guint drive, guint64 done, guint64 total,
     double rate, double eta)
{
	Tick *t = g_new0(Tick, 1);

	*t = (Tick){job->id, phase, drive, done, total, rate, eta};
	g_main_context_invoke_full(context, G_PRIORITY_DEFAULT, tick_on_main, t, g_free);
}

typedef struct {
	Job *job;
	GMainContext *context;
	guint *index; /* drive index in the job of each address written */
} WriteCtx;

/* Called by the burner on the worker thread, with its library lock held. */
static void
on_write_progress(const CavBurnProgress *p, gpointer user_data)
{
	WriteCtx *w = user_data;
	static const char *const phases[] = {"preparing", "writing", "closing", "reading"};

	post(w->job, w->context, phases[p->phase], w->index[p->drive], p->done_bytes,
	     p->total_bytes, p->bytes_per_s, p->eta_s);
}

typedef struct {
	Job *job;
	GMainContext *context;
	guint drive;
	gint64 started_us;
} ReadCtx;

static void
on_read_progress(const char *file, guint done, guint total, gpointer user_data)
{
	ReadCtx *r = user_data;
	double secs = (double)(g_get_monotonic_time() - r->started_us) / G_USEC_PER_SEC;
	double eta = done > 0 && total > done ? secs / done * (total - done) : 0;

	post(r->job, r->context, "verifying", r->drive, done, total, 0, eta);
}

/* ---- the worker ---------------------------------------------------------- */

/* The medium in @addr may take this session: sets *out_set to the set
 * manifest found on it (NULL when blank). */
static gboolean
inspect(Job *job, const char *addr, gboolean plain, CavDiscSet **out_set, GError **error)
{
	g_autoptr(CavDriveInfo) info = cav_burner_probe(addr, error);
	g_autoptr(CavBurnReader) rd = NULL;
	g_autoptr(CavDiscSet) set = NULL;
	g_autofree char *data = NULL, *uid = NULL, *path = NULL;
	g_autoptr(GError) local = NULL;
	CavVerifyFs fs;
	gsize len = 0;

	*out_set = NULL;
	if (info == NULL)
		return FALSE;
	switch (info->state) {
	case CAV_MEDIUM_NONE:
		cav_burner_set_error(error, -ENOMEDIUM, addr, NULL);
		return FALSE;
	case CAV_MEDIUM_CLOSED:
		cav_burner_set_error(error, -EROFS, addr, NULL);
		return FALSE;
	case CAV_MEDIUM_UNSUITABLE:
		cav_burner_set_error(error, -EMEDIUMTYPE, addr, NULL);
		return FALSE;
	case CAV_MEDIUM_BLANK:
		return TRUE;
	case CAV_MEDIUM_APPENDABLE:
		break;
	}
	if (plain) /* an image file is replaced, not grown */
		return TRUE;
	rd = cav_burner_open(addr, error);
	if (rd == NULL)
		return FALSE;
	fs = cav_burner_reader_fs(rd);
	path = g_strconcat("/", CAV_DISC_SET_NAME, NULL);
	if (!fs.ops->read(fs.data, path, CAV_DISC_SET_MAX_BYTES, &data, &len, NULL) ||
	    (set = cav_disc_set_parse(data, len, &local)) == NULL) {
		cav_set_error_bi(error, CAV_DISC_ERROR, CAV_DISC_ERROR_WRONG_DISC,
				 "The disc in %s already holds data that is not a courtav disc: "
				 "insert a blank disc",
				 "%s 中的光盘已有其他数据，不是本系统刻录的光盘：请放入空白光盘",
				 addr, addr);
		return FALSE;
	}
	uid = cav_disc_set_uid(job->c, job->signer);
	if (!g_str_equal(uid, set->set_uid)) {
		cav_set_error_bi(
			error, CAV_DISC_ERROR, CAV_DISC_ERROR_WRONG_DISC,
			"The disc in %s belongs to case %s, not %s: insert this case's disc "
			"or a blank one",
			"%s 中的光盘属于案件 %s，而非 %s：请放入本案光盘或空白光盘", addr,
			set->case_number, job->c->kase->number, addr, set->case_number,
			job->c->kase->number);
		return FALSE;
	}
	if (set->disc != job->disc) {
		cav_set_error_bi(error, CAV_DISC_ERROR, CAV_DISC_ERROR_WRONG_DISC,
				 "The disc in %s is disc %u of the case's set; this session is for "
				 "disc %u",
				 "%s 中是本案第 %u 张光盘；本次应刻录第 %u 张", addr, set->disc,
				 job->disc, addr, set->disc, job->disc);
		return FALSE;
	}
	if (set->closed) {
		cav_set_error_bi(
			error, CAV_DISC_ERROR, CAV_DISC_ERROR_WRONG_DISC,
			"The disc in %s was closed when the case ended: nothing more can be "
			"added; insert a blank disc",
			"%s 中的光盘已在结案时封盘，不能再追加：请放入空白光盘", addr, addr);
		return FALSE;
	}
	*out_set = g_steal_pointer(&set);
	return TRUE;
}

/* Folders of the hearings the set places on its own disc, sorted. */
static char *
parts_key(const CavDiscSet *set)
{
	const CavDiscSetDisc *d = set ? cav_disc_set_disc(set, set->disc) : NULL;
	g_autoptr(GPtrArray) dirs = g_ptr_array_new();

	for (guint i = 0; d != NULL && i < d->parts->len; i++)
		g_ptr_array_add(dirs, ((CavDiscSetPart *)d->parts->pdata[i])->dir);
	g_ptr_array_sort(dirs, (GCompareFunc)g_strcmp0);
	g_ptr_array_add(dirs, NULL);
	return g_strjoinv(",", (char **)dirs->pdata);
}

static void
read_back(Job *job, guint i, GMainContext *context, GCancellable *cancellable)
{
	Copy *copy = &job->copies[i];
	g_autoptr(CavBurnReader) rd = NULL;
	g_autoptr(CavDriveInfo) info = NULL;
	ReadCtx r = {job, context, i, g_get_monotonic_time()};
	CavVerifyFs fs;

	post(job, context, "verifying", i, 0, 0, 0, -1);
	rd = cav_burner_open(copy->drive, &copy->error);
	if (rd == NULL)
		return;
	fs = cav_burner_reader_fs(rd);
	if (!cav_disc_verify(&fs, "/", cav_signer_public_pem(job->signer), on_read_progress, &r,
			     &copy->report, NULL, cancellable, &copy->error))
		return;
	g_clear_pointer(&rd, cav_burner_close);
	info = cav_burner_probe(copy->drive, NULL);
	if (info != NULL) {
		copy->sessions = info->sessions;
		copy->bytes = info->used_bytes;
	}
}

static void
run_job(Job *job, GMainContext *context, GCancellable *cancellable)
{
	guint n = g_strv_length(job->drives), n_good = 0;
	gboolean plain = job->kind == CAV_DISC_JOB_AUTHOR;
	g_autoptr(CavDiscSet) on_medium = NULL;
	g_autoptr(CavBurnTree) tree = NULL;
	g_autoptr(GPtrArray) errors = NULL;
	g_autofree const char **good = g_new0(const char *, n + 1);
	g_autofree guint *index = g_new0(guint, n);
	g_autofree char *key = NULL;
	CavDiscAuthorSpec spec = {job->c, job->plan,  job->disc,  NULL,
				  NULL,   job->close, job->signer};
	WriteCtx w = {job, context, index};
	GError *err = NULL;

	post(job, context, "preparing", 0, 0, 0, 0, -1);
	for (guint i = 0; i < n; i++) {
		g_autoptr(CavDiscSet) set = NULL;
		g_autofree char *k = NULL;

		if (!inspect(job, job->drives[i], plain, &set, &job->copies[i].error))
			continue;
		/* Two copies must be the same disc: grown from the same sessions. */
		k = parts_key(set);
		if (key == NULL) {
			key = g_steal_pointer(&k);
			on_medium = g_steal_pointer(&set);
		} else if (!g_str_equal(key, k)) {
			cav_set_error_bi(&job->copies[i].error, CAV_DISC_ERROR,
					 CAV_DISC_ERROR_WRONG_DISC,
					 "The disc in %s holds other hearings than the one in %s: "
					 "burn them separately",
					 "%s 与 %s 中光盘已有的庭审不同：请分别刻录",
					 job->drives[i], good[0], job->drives[i], good[0]);
			continue;
		}
		index[n_good] = i;
		good[n_good++] = job->drives[i];
	}
	if (n_good == 0) {
		job->error = g_error_copy(job->copies[0].error);
		return;
	}

	spec.medium = cav_disc_media(job->plan->medium)->name;
	spec.on_medium = on_medium;
	tree = cav_disc_author(&spec, NULL, &job->error);
	if (tree == NULL)
		return;
	for (guint i = 0; i < tree->files->len; i++) {
		const CavBurnFile *f = tree->files->pdata[i];
		g_autofree char *top = g_strndup(f->path, strcspn(f->path, "/"));

		if (g_str_has_suffix(f->path, "/" CAV_MANIFEST_NAME) &&
		    !g_ptr_array_find_with_equal_func(job->added, top, g_str_equal, NULL))
			g_ptr_array_add(job->added, g_steal_pointer(&top));
	}

	if (!cav_burner_write(good, n_good, tree,
			      (job->close ? CAV_BURN_CLOSE : 0) |
				      (plain ? CAV_BURN_PLAIN_IMAGE : 0),
			      on_write_progress, &w, cancellable, &errors, &err)) {
		for (guint j = 0; j < n_good; j++)
			job->copies[index[j]].error = g_error_copy(err);
		job->error = err;
		return;
	}
	for (guint j = 0; j < n_good; j++) {
		Copy *copy = &job->copies[index[j]];

		if (errors->pdata[j] != NULL) {
			copy->error = g_error_copy(errors->pdata[j]);
			continue;
		}
		copy->written = TRUE;
		read_back(job, index[j], context, cancellable);
	}
}

static void
job_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	Job *job = task_data;

	run_job(job, job->context, cancellable);
	g_task_return_boolean(task, TRUE);
}

/* ---- results (main thread) ----------------------------------------------- */

/* One-line JSON for a database column. (transfer full) */
static char *
compact_json(JsonBuilder *b)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = json_builder_get_root(b);

	json_generator_set_root(gen, root);
	return json_generator_to_data(gen, NULL);
}

static char *
findings_json(const CavVerifyReport *report)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_array(b);
	for (guint i = 0; report != NULL && i < report->findings->len; i++) {
		const CavFinding *f = report->findings->pdata[i];

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "kind");
		json_builder_add_string_value(b, cav_finding_kind_name(f->kind));
		json_builder_set_member_name(b, "file");
		json_builder_add_string_value(b, f->file);
		json_builder_set_member_name(b, "detail");
		json_builder_add_string_value(b, f->detail);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	return compact_json(b);
}

static gboolean
copy_ok(const Copy *c)
{
	return c->written && c->error == NULL && c->report != NULL && c->report->findings->len == 0;
}

/* Rows, audit and the final event, in one transaction. */
static gboolean
record(CavDiscJobs *jobs, Job *job, gboolean ok, GError **error)
{
	CavStore *store = cav_room_store(jobs->room);
	guint n = g_strv_length(job->drives);
	g_autoptr(JsonBuilder) hb = json_builder_new();
	g_autoptr(JsonBuilder) ab = json_builder_new();
	g_autofree char *hearings = NULL, *detail = NULL, *object = NULL, *err = NULL;

	json_builder_begin_array(hb);
	for (guint i = 0; i < job->added->len; i++)
		json_builder_add_string_value(hb, job->added->pdata[i]);
	json_builder_end_array(hb);
	hearings = compact_json(hb);
	if (!ok) {
		const GError *e = job->error;

		for (guint i = 0; e == NULL && i < n; i++)
			e = job->copies[i].error;
		err = e != NULL ? g_strdup(e->message)
				: g_strdup("The read-back found problems: see each copy's "
					   "findings.\x1e回读校验发现问题：见各副本的校验结果。");
	}
	json_builder_begin_object(ab);
	json_builder_set_member_name(ab, "job");
	json_builder_add_int_value(ab, job->id);
	json_builder_set_member_name(ab, "case");
	json_builder_add_string_value(ab, job->c->kase->number);
	json_builder_set_member_name(ab, "disc");
	json_builder_add_int_value(ab, job->disc);
	json_builder_set_member_name(ab, "result");
	json_builder_add_string_value(ab, ok ? "done" : "failed");
	json_builder_set_member_name(ab, "copies");
	json_builder_begin_array(ab);
	for (guint i = 0; i < n; i++) {
		json_builder_begin_object(ab);
		json_builder_set_member_name(ab, "drive");
		json_builder_add_string_value(ab, job->drives[i]);
		json_builder_set_member_name(ab, "verified");
		json_builder_add_boolean_value(ab, copy_ok(&job->copies[i]));
		json_builder_end_object(ab);
	}
	json_builder_end_array(ab);
	json_builder_set_member_name(ab, "hearings");
	json_builder_add_string_value(ab, hearings);
	json_builder_end_object(ab);
	detail = compact_json(ab);
	object = g_strdup_printf("case/%" G_GINT64_FORMAT, job->c->kase->id);

	if (!cav_store_begin(store, error))
		return FALSE;
	for (guint i = 0; i < n; i++) {
		const Copy *c = &job->copies[i];
		g_autofree char *findings = c->report ? findings_json(c->report) : NULL;
		CavDiscCopyRow row = {0};

		/* Written but not read back clean is not a good disc. */
		row.state = copy_ok(c) ? "verified" : "failed";
		row.bytes = (gint64)c->bytes;
		row.sessions = c->sessions;
		row.verify = c->report == NULL ? NULL : copy_ok(c) ? "ok" : "failed";
		row.findings = findings;
		row.error = c->error ? c->error->message : NULL;
		if (!cav_store_disc_copy_update(store, job->id, c->drive, &row, error))
			goto fail;
	}
	if (!cav_store_disc_job_finish(store, job->id, ok ? "done" : "failed", hearings, err,
				       error) ||
	    !cav_audit_append(cav_store_db(store), jobs->signer, g_get_real_time(), job->actor,
			      job->kind == CAV_DISC_JOB_AUTHOR ? "disc.author" : "disc.burn",
			      object, detail, NULL, error) ||
	    !cav_store_commit(store, error))
		goto fail;
	return TRUE;
fail:
	cav_store_rollback(store);
	return FALSE;
}

static void
job_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	CavDiscJobs *jobs = user_data;
	Job *job = g_task_get_task_data(G_TASK(result));
	g_autoptr(GError) error = NULL;
	guint n = g_strv_length(job->drives);
	gboolean ok = job->error == NULL;

	for (guint i = 0; i < n; i++)
		ok = ok && copy_ok(&job->copies[i]);
	if (!record(jobs, job, ok, &error))
		g_warning("disc job %" G_GINT64_FORMAT ": cannot record the result: %s", job->id,
			  error->message);
	g_message("disc job %" G_GINT64_FORMAT " (%s of case %s) %s", job->id,
		  job->kind == CAV_DISC_JOB_AUTHOR ? "author" : "burn", job->c->kase->number,
		  ok ? "done, every copy verified" : "FAILED");
	g_free(job->phase);
	job->phase = g_strdup(ok ? "done" : "failed");
	emit_job(jobs, job, ok ? "done" : "failed");
	if (jobs->running == job)
		jobs->running = NULL;
	job_free(job);
}

/* ---- starting ------------------------------------------------------------ */

static gboolean
check_drives(const CavDiscJobRequest *req, GError **error)
{
	guint n = req->drives ? g_strv_length((char **)req->drives) : 0;

	if (n == 0) {
		cav_set_error_bi(error, CAV_DISC_ERROR, CAV_DISC_ERROR_BAD_REQUEST,
				 "No drive given: name one or two burners (courtavctl disc drives "
				 "lists them) or a stdio: file",
				 "未指定光驱：请指定一至两台刻录机（courtavctl disc drives 可列出）"
				 "或 stdio: 文件");
		return FALSE;
	}
	if (n > 4 || (req->kind == CAV_DISC_JOB_AUTHOR && n != 1)) {
		cav_set_error_bi(error, CAV_DISC_ERROR, CAV_DISC_ERROR_BAD_REQUEST,
				 "Too many drives: a job writes at most 4 copies, an image one",
				 "光驱过多：一次最多刻录 4 份，镜像只能 1 份");
		return FALSE;
	}
	for (guint i = 0; i < n; i++) {
		const char *d = req->drives[i];
		const char *path = g_str_has_prefix(d, "stdio:") ? d + 6 : NULL;

		if ((path == NULL && !g_str_has_prefix(d, "/dev/")) ||
		    (path != NULL && *path != '\0' && !g_path_is_absolute(path)) ||
		    (req->kind == CAV_DISC_JOB_AUTHOR && (path == NULL || *path == '\0'))) {
			cav_set_error_bi(error, CAV_DISC_ERROR, CAV_DISC_ERROR_BAD_REQUEST,
					 "\"%s\" is not a drive address: use /dev/srN or "
					 "stdio:/absolute/path",
					 "“%s”不是光驱地址：请使用 /dev/srN 或 stdio:/绝对路径", d,
					 d);
			return FALSE;
		}
		if (req->kind == CAV_DISC_JOB_AUTHOR && !req->overwrite &&
		    g_file_test(path, G_FILE_TEST_EXISTS)) {
			cav_set_error_bi(error, CAV_DISC_ERROR, CAV_DISC_ERROR_BAD_REQUEST,
					 "%s exists: choose another name or allow overwriting",
					 "%s 已存在：请换一个文件名或允许覆盖", path, path);
			return FALSE;
		}
	}
	return TRUE;
}

static Job *
prepare(CavDiscJobs *jobs, const CavDiscJobRequest *req, GError **error)
{
	g_autoptr(CavDiscCase) c = NULL;
	g_autoptr(GPtrArray) sealed = NULL;
	g_autoptr(CavDiscPlan) plan = NULL;
	Job *job;
	guint disc = req->disc > 0 ? req->disc : 1;

	if (!check_drives(req, error))
		return NULL;
	c = cav_disc_case_load(jobs->room, req->case_id, error);
	if (c == NULL)
		return NULL;
	if ((!req->sealed_only || req->close || req->kind == CAV_DISC_JOB_AUTHOR) &&
	    !cav_disc_case_check_sealed(c, error))
		return NULL;
	sealed = cav_disc_case_sealed_plans(c);
	plan = cav_disc_plan(sealed, req->medium, error);
	if (plan == NULL)
		return NULL;
	if (disc > plan->discs->len) {
		cav_set_error_bi(error, CAV_DISC_ERROR, CAV_DISC_ERROR_BAD_REQUEST,
				 "The plan has %u disc(s); there is no disc %u",
				 "计划共 %u 张光盘，没有第 %u 张", plan->discs->len, disc,
				 plan->discs->len, disc);
		return NULL;
	}
	job = g_new0(Job, 1);
	job->kind = req->kind;
	job->c = g_steal_pointer(&c);
	job->plan = g_steal_pointer(&plan);
	job->drives = g_strdupv((char **)req->drives);
	job->disc = disc;
	job->close = req->close;
	job->actor = g_strdup(req->actor);
	job->signer = jobs->signer;
	job->copies = g_new0(Copy, g_strv_length(job->drives));
	for (guint i = 0; job->drives[i] != NULL; i++)
		job->copies[i].drive = g_strdup(job->drives[i]);
	job->added = g_ptr_array_new_with_free_func(g_free);
	job->phase = g_strdup("queued");
	job->eta = -1;
	return job;
}

gint64
cav_disc_jobs_start(CavDiscJobs *jobs, const CavDiscJobRequest *req, GError **error)
{
	CavStore *store = cav_room_store(jobs->room);
	g_autoptr(GTask) task = NULL;
	g_autofree char *detail = NULL, *object = NULL;
	CavDiscJobRow row = {0};
	Job *job;

	if (jobs->running != NULL) {
		cav_set_error_bi(error, CAV_DISC_ERROR, CAV_DISC_ERROR_BUSY,
				 "Disc job %" G_GINT64_FORMAT " is still running: wait for it to "
				 "finish",
				 "光盘任务 %" G_GINT64_FORMAT " 仍在进行：请等待其完成",
				 jobs->running->id, jobs->running->id);
		return 0;
	}
	job = prepare(jobs, req, error);
	if (job == NULL)
		return 0;
	row.kind = job->kind == CAV_DISC_JOB_AUTHOR ? "author" : "burn";
	row.case_id = job->c->kase->id;
	row.disc = job->disc;
	row.medium = (char *)cav_disc_media(job->plan->medium)->name;
	row.close = job->close;
	row.actor = job->actor;
	row.started_us = g_get_real_time();
	object = g_strdup_printf("case/%" G_GINT64_FORMAT, row.case_id);
	detail = g_strdup_printf("{\"disc\": %u, \"medium\": \"%s\", \"drives\": %u}", job->disc,
				 row.medium, g_strv_length(job->drives));
	if (!cav_store_begin(store, error))
		goto fail;
	job->id = cav_store_disc_job_insert(store, &row, (const char *const *)job->drives, error);
	if (job->id == 0 ||
	    !cav_audit_append(cav_store_db(store), jobs->signer, row.started_us, job->actor,
			      "disc.start", object, detail, NULL, error) ||
	    !cav_store_commit(store, error)) {
		cav_store_rollback(store);
		goto fail;
	}
	g_message("disc job %" G_GINT64_FORMAT ": %s case %s disc %u on %u drive(s) for %s",
		  job->id, row.kind, job->c->kase->number, job->disc, g_strv_length(job->drives),
		  job->actor);
	jobs->running = job;
	job->context = g_main_context_ref(jobs->context);
	emit_job(jobs, job, "running");
	/* CavDiscJobs is no GObject: it rides as user data, the job as task data. */
	task = g_task_new(NULL, NULL, job_done, jobs);
	g_task_set_task_data(task, job, NULL);
	g_task_set_name(task, "courtav disc job");
	g_task_run_in_thread(task, job_thread);
	return job->id;
fail:
	cav_room_wrap_store_error(error);
	job_free(job);
	return 0;
}

/* ---- describing ---------------------------------------------------------- */

static void
add_error(JsonBuilder *b, const char *text)
{
	const char *sep = text ? strchr(text, '\x1e') : NULL;
	g_autofree char *en = sep ? g_strndup(text, sep - text) : g_strdup(text);

	json_builder_set_member_name(b, "error");
	if (text == NULL) {
		json_builder_add_null_value(b);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "message");
	json_builder_add_string_value(b, en);
	json_builder_set_member_name(b, "message_zh");
	json_builder_add_string_value(b, sep ? sep + 1 : text);
	json_builder_end_object(b);
}

static void
add_raw_json(JsonBuilder *b, const char *name, const char *json)
{
	g_autoptr(JsonParser) p = json_parser_new();

	json_builder_set_member_name(b, name);
	if (json != NULL && json_parser_load_from_data(p, json, -1, NULL))
		json_builder_add_value(b, json_node_copy(json_parser_get_root(p)));
	else
		json_builder_add_null_value(b);
}

static void
add_progress(JsonBuilder *b, const Job *job)
{
	json_builder_set_member_name(b, "progress");
	if (job == NULL) {
		json_builder_add_null_value(b);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "phase");
	json_builder_add_string_value(b, job->phase);
	json_builder_set_member_name(b, "drive");
	json_builder_add_string_value(b, job->drives[job->drive_index]);
	json_builder_set_member_name(b, "percent");
	json_builder_add_double_value(b, job->total > 0 ? 100.0 * job->done / job->total : 0);
	json_builder_set_member_name(b, "done");
	json_builder_add_int_value(b, (gint64)job->done);
	json_builder_set_member_name(b, "total");
	json_builder_add_int_value(b, (gint64)job->total);
	json_builder_set_member_name(b, "mb_per_s");
	json_builder_add_double_value(b, job->rate / 1e6);
	json_builder_set_member_name(b, "eta_s");
	json_builder_add_double_value(b, job->eta);
	json_builder_end_object(b);
}

gboolean
cav_disc_jobs_describe(CavDiscJobs *jobs, gint64 id, JsonBuilder *b, GError **error)
{
	CavStore *store = cav_room_store(jobs->room);
	g_autoptr(CavDiscJobRow) row = cav_store_disc_job_get(store, id, NULL);
	g_autoptr(GPtrArray) copies = NULL;

	if (row == NULL) {
		cav_set_error_bi(error, CAV_DISC_ERROR, CAV_DISC_ERROR_NOT_FOUND,
				 "No disc job with id %" G_GINT64_FORMAT ".",
				 "没有编号为 %" G_GINT64_FORMAT " 的光盘任务。", id);
		return FALSE;
	}
	copies = cav_store_disc_copy_list(store, id, NULL);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, row->id);
	json_builder_set_member_name(b, "kind");
	json_builder_add_string_value(b, row->kind);
	json_builder_set_member_name(b, "case_id");
	json_builder_add_int_value(b, row->case_id);
	json_builder_set_member_name(b, "disc");
	json_builder_add_int_value(b, row->disc);
	json_builder_set_member_name(b, "medium");
	json_builder_add_string_value(b, row->medium);
	json_builder_set_member_name(b, "close");
	json_builder_add_boolean_value(b, row->close);
	json_builder_set_member_name(b, "state");
	json_builder_add_string_value(b, row->state);
	json_builder_set_member_name(b, "actor");
	json_builder_add_string_value(b, row->actor);
	cav_json_add_time(b, "started", row->started_us);
	cav_json_add_time(b, "finished", row->finished_us);
	add_raw_json(b, "hearings", row->hearings);
	add_error(b, row->error);
	add_progress(b, jobs->running != NULL && jobs->running->id == id ? jobs->running : NULL);
	json_builder_set_member_name(b, "copies");
	json_builder_begin_array(b);
	for (guint i = 0; copies != NULL && i < copies->len; i++) {
		const CavDiscCopyRow *c = copies->pdata[i];

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "drive");
		json_builder_add_string_value(b, c->drive);
		json_builder_set_member_name(b, "state");
		json_builder_add_string_value(b, c->state);
		json_builder_set_member_name(b, "bytes");
		json_builder_add_int_value(b, c->bytes);
		json_builder_set_member_name(b, "sessions");
		json_builder_add_int_value(b, c->sessions);
		json_builder_set_member_name(b, "verify");
		if (c->verify != NULL)
			json_builder_add_string_value(b, c->verify);
		else
			json_builder_add_null_value(b);
		add_raw_json(b, "findings", c->findings);
		add_error(b, c->error);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	return TRUE;
}

/* ---- drives -------------------------------------------------------------- */

static void
list_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	GError *error = NULL;
	GPtrArray *drives = cav_burner_list_drives(&error);

	if (drives == NULL)
		g_task_return_error(task, error);
	else
		g_task_return_pointer(task, drives, (GDestroyNotify)g_ptr_array_unref);
}

static GPtrArray *
copy_drives(GPtrArray *from)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)cav_drive_info_free);

	for (guint i = 0; i < from->len; i++) {
		const CavDriveInfo *d = from->pdata[i];
		CavDriveInfo *c = g_memdup2(d, sizeof *d);

		c->address = g_strdup(d->address);
		c->vendor = g_strdup(d->vendor);
		c->product = g_strdup(d->product);
		c->profile = g_strdup(d->profile);
		g_ptr_array_add(out, c);
	}
	return out;
}

void
cav_disc_jobs_list_drives(CavDiscJobs *jobs, GCancellable *cancellable,
			  GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);

	g_task_set_source_tag(task, cav_disc_jobs_list_drives);
	if (jobs->running != NULL) {
		g_task_set_task_data(task, GINT_TO_POINTER(1), NULL);
		g_task_return_pointer(task, copy_drives(jobs->last_drives),
				      (GDestroyNotify)g_ptr_array_unref);
		return;
	}
	g_task_run_in_thread(task, list_thread);
}

GPtrArray *
cav_disc_jobs_list_drives_finish(CavDiscJobs *jobs, GAsyncResult *result, gboolean *busy,
				 GError **error)
{
	GPtrArray *drives = g_task_propagate_pointer(G_TASK(result), error);

	*busy = g_task_get_task_data(G_TASK(result)) != NULL;
	if (drives != NULL && !*busy) {
		g_ptr_array_unref(jobs->last_drives);
		jobs->last_drives = copy_drives(drives);
	}
	return drives;
}
