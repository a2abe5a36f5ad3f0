/* room-evidence.c — evidence inputs recorded while in use (see room-evidence.h).
 *
 * Life of one use: start (checks, one transaction: track row, use row,
 * audit) → its recorder runs → stop or end (one transaction: use row closed,
 * audit; then the recorder drains) → the recorder's stopped/failed callback
 * flushes what it left open and frees the state. The hearing's pause/close
 * waiters (room-media.c) wait for this recorder too, so a paused hearing's
 * manifest already lists the exhibit's last file.
 *
 * A shown file's SHA-256 is computed in a worker thread while it is shown
 * (a video exhibit may be large) and stored with an audit entry when done.
 */
#include "room-evidence.h"
#include "room-sources.h"
#include "store-evidence.h"
#include "errors.h"

#include <string.h>

/* As the hearing's recorder (room.c). */
#define EVIDENCE_STOP_TIMEOUT_MS 10000
/* Files listed for the panel, at most. */
#define MAX_LISTED_FILES 500

struct CavRoomEvidence {
	CavRoom *room;       /* unowned: outlives this */
	CavRecorder *rec;    /* owned */
	CavSourceSpec *spec; /* owned: the input's spec, with "file" set */
	gint64 hearing_id;
	gint64 use_id;
	gint64 start_us;
	gboolean ended;        /* the use row is closed; the recorder drains */
	GCancellable *hashing; /* owned: the file digest in progress, nullable */
};

static void on_opened(CavRecorder *rec, const CavSegmentEvent *ev, gpointer data);
static void on_closed(CavRecorder *rec, const CavSegmentEvent *ev, gpointer data);
static void on_stopped(CavRecorder *rec, gpointer data);
static void on_failed(CavRecorder *rec, const GError *error, gpointer data);
static void on_health(CavRecorder *rec, const CavSourceHealth *health, gpointer data);

static const CavRecorderCallbacks evidence_callbacks = {
	.segment_opened = on_opened,
	.segment_closed = on_closed,
	.stopped = on_stopped,
	.failed = on_failed,
	.source_health = on_health,
};

void
cav_room_evidence_free(struct CavRoomEvidence *ev)
{
	if (ev == NULL)
		return;
	if (ev->hashing != NULL) {
		g_cancellable_cancel(ev->hashing);
		g_object_unref(ev->hashing);
	}
	cav_recorder_free(ev->rec);
	cav_source_spec_free(ev->spec);
	g_free(ev);
}

gboolean
cav_room_evidence_active(CavRoom *room)
{
	return room->evidence != NULL ||
	       (room->evidence_closing != NULL && room->evidence_closing->len > 0);
}

void
cav_room_evidence_dispose(CavRoom *room)
{
	g_clear_pointer(&room->evidence_digests, g_hash_table_unref);
	g_clear_pointer(&room->evidence, cav_room_evidence_free);
	g_clear_pointer(&room->evidence_closing, g_ptr_array_unref);
}

static void
emit(CavRoom *room, const struct CavRoomEvidence *ev, const char *state, const char *reason)
{
	JsonNode *data = cav_event_object("id", ev->spec->id, "state", state, "file",
					  g_hash_table_lookup(ev->spec->params, "file"), "reason",
					  reason, NULL);

	json_object_set_int_member(json_node_get_object(data), "use_id", ev->use_id);
	json_object_set_int_member(json_node_get_object(data), "hearing_id", ev->hearing_id);
	cav_event_hub_emit(room->events, "evidence", data);
}

/* ---- the file's digest --------------------------------------------------- */

/* Digests still being computed, per hearing: sealing waits for them so the
 * signed manifest names every exhibit with its SHA-256. */
static void
digest_pending(CavRoom *room, gint64 hearing_id, int delta)
{
	gint64 *key = g_memdup2(&hearing_id, sizeof hearing_id);
	guint n;

	if (room->evidence_digests == NULL)
		room->evidence_digests =
			g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	n = GPOINTER_TO_UINT(g_hash_table_lookup(room->evidence_digests, key));
	n = delta > 0 ? n + 1 : n > 0 ? n - 1 : 0;
	if (n > 0)
		g_hash_table_replace(room->evidence_digests, key, GUINT_TO_POINTER(n));
	else {
		g_hash_table_remove(room->evidence_digests, key);
		g_free(key);
	}
}

gboolean
cav_room_evidence_digest_pending(CavRoom *room, gint64 hearing_id)
{
	return room->evidence_digests != NULL &&
	       g_hash_table_contains(room->evidence_digests, &hearing_id);
}

typedef struct {
	CavRoom *room;
	gint64 use_id;
	gint64 hearing_id;
	char *path;
	char *file;
	guint8 digest[CAV_SHA256_LEN];
	guint64 bytes;
} HashJob;

static void
hash_job_free(HashJob *job)
{
	g_free(job->path);
	g_free(job->file);
	g_free(job);
}

static void
hash_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	HashJob *job = data;
	GError *error = NULL;

	if (cav_sha256_file(job->path, job->digest, &job->bytes, cancellable, &error))
		g_task_return_boolean(task, TRUE);
	else
		g_task_return_error(task, error);
}

/* Main thread. The room outlives the task: cav_room_free() cancels it
 * through the evidence state, and a cancelled task still reports here
 * only if the room is alive (shutdown waits for the evidence recorder,
 * not for this digest, so it checks the cancellable). */
static void
hash_done(GObject *source, GAsyncResult *result, gpointer data)
{
	HashJob *job = g_task_get_task_data(G_TASK(result));
	GCancellable *cancellable = g_task_get_cancellable(G_TASK(result));
	g_autoptr(GError) error = NULL;
	g_autoptr(GError) store_error = NULL;
	g_autofree char *hex = NULL;
	g_autofree char *bytes = NULL;
	CavRoom *room = job->room;

	if (g_cancellable_is_cancelled(cancellable))
		return;
	digest_pending(room, job->hearing_id, -1);
	if (room->evidence != NULL && room->evidence->hashing == cancellable)
		g_clear_object(&room->evidence->hashing);
	if (!g_task_propagate_boolean(G_TASK(result), &error)) {
		g_warning("exhibit %s could not be hashed: %s", job->file, error->message);
		return;
	}
	hex = cav_sha256_hex(job->digest);
	bytes = g_strdup_printf("%" G_GUINT64_FORMAT, job->bytes);
	if (!cav_store_begin(room->store, &store_error) ||
	    !cav_store_evidence_set_digest(room->store, job->use_id, hex, (gint64)job->bytes,
					   &store_error) ||
	    !cav_room_audit(room, CAV_ACTOR_DAEMON, "evidence.digest", job->hearing_id,
			    &store_error, "file", job->file, "sha256", hex, "bytes", bytes, NULL) ||
	    !cav_store_commit(room->store, &store_error)) {
		cav_store_rollback(room->store);
		g_warning("exhibit %s: could not store its digest: %s", job->file,
			  store_error->message);
		return;
	}
	/* Into the manifest's "exhibits" (sealing waits for this, so the
	 * hearing cannot be sealed yet). */
	cav_room_write_manifest(room, job->hearing_id, NULL);
}

static void
hash_file(CavRoom *room, struct CavRoomEvidence *ev, const char *file)
{
	const char *folder = g_hash_table_lookup(ev->spec->params, "folder");
	HashJob *job = g_new0(HashJob, 1);
	g_autoptr(GTask) task = NULL;

	job->room = room;
	job->use_id = ev->use_id;
	job->hearing_id = ev->hearing_id;
	job->path = g_build_filename(folder, file, NULL);
	job->file = g_strdup(file);
	ev->hashing = g_cancellable_new();
	digest_pending(room, ev->hearing_id, +1);
	task = g_task_new(NULL, ev->hashing, hash_done, NULL);
	g_task_set_task_data(task, job, (GDestroyNotify)hash_job_free);
	g_task_run_in_thread(task, hash_thread);
}

/* ---- start --------------------------------------------------------------- */

/* Checks what can be checked before anything is written; returns the spec
 * to record (a copy, "file" set). (transfer full) */
static CavSourceSpec *
check_start(CavRoom *room, const char *id, const char *file, GError **error)
{
	const CavSourceSpec *input = cav_config_evidence(room->config, id);
	g_autoptr(CavSourceSpec) spec = NULL;
	g_autoptr(GError) local = NULL;
	gboolean is_file;

	if (input == NULL) {
		cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_NOT_FOUND,
				 "There is no evidence input “%s”.", "没有名为“%s”的证据输入。",
				 id ? id : "");
		return NULL;
	}
	if (room->recorder == NULL || room->rec_hearing_id == 0 || room->shutting_down) {
		cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_BAD_TRANSITION,
				 "Evidence can be shown only while a hearing is being recorded.",
				 "只有在庭审录制过程中才能展示证据。");
		return NULL;
	}
	if (room->evidence != NULL) { /* (one that is closing its files does not count) */
		cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_BAD_TRANSITION,
				 "Evidence input “%s” is still in use: end it first.",
				 "证据输入“%s”仍在使用中，请先结束展示。",
				 room->evidence->spec->id);
		return NULL;
	}
	is_file = g_str_equal(input->backend, "file");
	if (is_file && (file == NULL || file[0] == '\0')) {
		cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_BAD_REQUEST,
				 "Choose the file to show on “%s”.", "请选择要在“%s”上展示的文件。",
				 id);
		return NULL;
	}
	if (!is_file && file != NULL) {
		cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_BAD_REQUEST,
				 "“%s” shows what is plugged into it, not a file.",
				 "“%s”展示接入的设备画面，不能指定文件。", id);
		return NULL;
	}
	spec = cav_source_spec_copy(input);
	if (is_file)
		g_hash_table_replace(spec->params, g_strdup("file"), g_strdup(file));
	/* For a file: inside the folder, a regular file, a known type. */
	if (!cav_source_validate(spec, &local) ||
	    (is_file && !cav_source_probe(spec, &room->config->format.camera, &local))) {
		cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_BAD_REQUEST,
				 "The exhibit cannot be shown: %s", "无法展示该证据：%s",
				 local->message);
		return NULL;
	}
	return g_steal_pointer(&spec);
}

/* Track row, use row and audit entry, in one transaction. */
static gboolean
store_start(CavRoom *room, struct CavRoomEvidence *ev, const char *actor, gint64 *track_id,
	    GError **error)
{
	const char *file = g_hash_table_lookup(ev->spec->params, "file");
	g_autofree char *label = g_strdup_printf("证据 evidence: %s",
						 ev->spec->label ? ev->spec->label : ev->spec->id);

	if (!cav_store_begin(room->store, error))
		return FALSE;
	*track_id = cav_store_track_ensure(room->store, ev->hearing_id, ev->spec->id, "evidence",
					   label, error);
	if (*track_id != 0)
		ev->use_id = cav_store_evidence_open(room->store, ev->hearing_id, ev->spec->id,
						     file, ev->start_us, actor, error);
	if (*track_id == 0 || ev->use_id == 0 ||
	    !cav_room_audit(room, actor, "evidence.start", ev->hearing_id, error, "input",
			    ev->spec->id, "file", file, NULL) ||
	    !cav_store_commit(room->store, error)) {
		cav_store_rollback(room->store);
		return FALSE;
	}
	return TRUE;
}

/* Ends the use in the store (idempotent per use). */
static void
store_end(CavRoom *room, struct CavRoomEvidence *ev, const char *actor, const char *reason)
{
	g_autoptr(GError) error = NULL;

	if (ev->ended)
		return;
	ev->ended = TRUE;
	if (!cav_store_begin(room->store, &error) ||
	    !cav_store_evidence_close(room->store, ev->use_id, g_get_real_time(), actor, reason,
				      &error) ||
	    !cav_room_audit(room, actor, "evidence.stop", ev->hearing_id, &error, "input",
			    ev->spec->id, "reason", reason, NULL) ||
	    !cav_store_commit(room->store, &error)) {
		cav_store_rollback(room->store);
		g_warning("could not record the end of evidence use %" G_GINT64_FORMAT ": %s",
			  ev->use_id, error->message);
	}
	emit(room, ev, "off", reason);
}

gint64
cav_room_evidence_start(CavRoom *room, const char *id, const char *file, const char *actor,
			GError **error)
{
	g_autoptr(CavSourceSpec) spec = check_start(room, id, file, error);
	g_autoptr(CavHearingRow) h = NULL;
	g_autoptr(GHashTable) first_seq = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GPtrArray) sources = g_ptr_array_new();
	g_autoptr(GError) local = NULL;
	struct CavRoomEvidence *ev;
	CavRecorderPlan plan = {0};
	gint64 track_id = 0;

	if (spec == NULL)
		return 0;
	h = cav_store_hearing_get(room->store, room->rec_hearing_id, error);
	if (h == NULL) {
		cav_room_wrap_store_error(error);
		return 0;
	}
	/* The hearing's recorder may still be draining after a pause or close
	 * that the store already holds. */
	if (h->state != CAV_HEARING_RECORDING) {
		cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_BAD_TRANSITION,
				 "Evidence can be shown only while a hearing is being recorded.",
				 "只有在庭审录制过程中才能展示证据。");
		return 0;
	}
	/* An exhibit adds a track: the same floor as opening or resuming. */
	if (!cav_disk_guard_check_start(room->guard, error))
		return 0;
	ev = g_new0(struct CavRoomEvidence, 1);
	ev->room = room;
	ev->spec = g_steal_pointer(&spec);
	ev->hearing_id = h->id;
	ev->start_us = g_get_real_time();
	if (!store_start(room, ev, actor, &track_id, error)) {
		cav_room_evidence_free(ev);
		cav_room_wrap_store_error(error);
		return 0;
	}
	g_hash_table_replace(room->track_ids, g_strdup(ev->spec->id),
			     g_memdup2(&track_id, sizeof track_id));
	g_hash_table_insert(first_seq, ev->spec->id,
			    GUINT_TO_POINTER(cav_store_segment_max_seq(room->store, track_id) + 1));
	g_ptr_array_add(sources, ev->spec);
	plan.format = &room->config->format;
	plan.sources = sources;
	plan.media_dir = h->media_dir;
	plan.name_prefix = h->name_prefix;
	plan.first_seq = first_seq;
	plan.evidence = TRUE;
	room->evidence = ev;
	ev->rec = cav_recorder_new(&plan, &evidence_callbacks, ev, &local);
	if (ev->rec == NULL || !cav_recorder_start(ev->rec, &local)) {
		g_warning("evidence input %s could not start: %s", ev->spec->id, local->message);
		store_end(room, ev, CAV_ACTOR_DAEMON, local->message);
		room->evidence = NULL;
		cav_room_evidence_free(ev);
		cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_RECORDER,
				 "The evidence input could not start: %s",
				 "证据输入无法启动，请联系技术人员：%s", local->message);
		return 0;
	}
	g_message("evidence %s%s%s shown in hearing %" G_GINT64_FORMAT " by %s", ev->spec->id,
		  file ? ": " : "", file ? file : "", ev->hearing_id, actor);
	if (file != NULL)
		hash_file(room, ev, file);
	emit(room, ev, "on", NULL);
	return ev->use_id;
}

/* ---- stop ---------------------------------------------------------------- */

/* Ends the use in progress and lets its recorder drain among the closing
 * ones: the next exhibit can be shown at once, on a recorder of its own. */
static void
retire(CavRoom *room, const char *actor, const char *reason)
{
	struct CavRoomEvidence *ev = g_steal_pointer(&room->evidence);

	store_end(room, ev, actor, reason);
	if (room->evidence_closing == NULL)
		room->evidence_closing =
			g_ptr_array_new_with_free_func((GDestroyNotify)cav_room_evidence_free);
	g_ptr_array_add(room->evidence_closing, ev);
	cav_recorder_stop(ev->rec, EVIDENCE_STOP_TIMEOUT_MS);
}

gboolean
cav_room_evidence_stop(CavRoom *room, const char *actor, GError **error)
{
	if (room->evidence == NULL) {
		cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_BAD_TRANSITION,
				 "No evidence is being shown.", "当前没有正在展示的证据。");
		return FALSE;
	}
	retire(room, actor, "stopped");
	return TRUE;
}

void
cav_room_evidence_end(CavRoom *room, const char *reason)
{
	if (room->evidence != NULL)
		retire(room, CAV_ACTOR_DAEMON, reason);
}

/* ---- the evidence recorder's callbacks (main context) --------------------- */

static void
on_opened(CavRecorder *rec, const CavSegmentEvent *seg, gpointer data)
{
	struct CavRoomEvidence *ev = data;

	/* Under the hearing of this use, whatever the hearing's own recorder
	 * does meanwhile. */
	cav_room_media_opened(ev->room, ev->hearing_id, seg);
}

static void
on_closed(CavRecorder *rec, const CavSegmentEvent *seg, gpointer data)
{
	struct CavRoomEvidence *ev = data;

	cav_room_media_closed(ev->room, seg);
}

static void
on_health(CavRecorder *rec, const CavSourceHealth *health, gpointer data)
{
	struct CavRoomEvidence *ev = data;

	cav_room_source_health_of(ev->room, ev->hearing_id, health);
}

static gboolean
free_idle(gpointer data)
{
	cav_room_evidence_free(data);
	return G_SOURCE_REMOVE;
}

static guint
find_closing(GPtrArray *closing, struct CavRoomEvidence *ev)
{
	guint i = 0;

	g_assert(closing != NULL && g_ptr_array_find(closing, ev, &i));
	return i;
}

/* The evidence recorder is down: forget it (freed later: we are inside
 * its callback). */
static void
gone(struct CavRoomEvidence *ev)
{
	CavRoom *room = ev->room;

	cav_room_media_flush_open(room, cav_recorder_tracks(ev->rec));
	cav_room_source_gone(room, ev->hearing_id, ev->spec->id, g_get_real_time());
	if (ev->hashing != NULL) {
		/* The digest finishes on its own; it no longer needs this state. */
		g_clear_object(&ev->hashing);
	}
	if (room->evidence == ev)
		room->evidence = NULL;
	else
		g_ptr_array_steal_index(room->evidence_closing,
					find_closing(room->evidence_closing, ev));
	g_idle_add(free_idle, ev);
	cav_room_media_check_waiters(room);
}

static void
on_stopped(CavRecorder *rec, gpointer data)
{
	struct CavRoomEvidence *ev = data;

	g_message("evidence recorder of %s stopped", ev->spec->id);
	gone(ev);
}

static void
on_failed(CavRecorder *rec, const GError *rec_error, gpointer data)
{
	struct CavRoomEvidence *ev = data;
	CavRoom *room = ev->room;
	g_autofree char *code = g_strconcat("evidence-failed:", ev->spec->id, NULL);

	g_warning("evidence recorder of %s failed: %s", ev->spec->id, rec_error->message);
	store_end(room, ev, CAV_ACTOR_DAEMON, rec_error->message);
	cav_room_alarm_raise(room, code, ev->hearing_id, rec_error->message,
			     "证据输入录制出现故障，已停止展示，已保存的录像完好。");
	gone(ev);
}

/* ---- status -------------------------------------------------------------- */

static gint
compare_names(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

/* Names of the showable files of a "file" input, sorted; subfolders
 * are not listed (the clerk's folder is flat). */
static void
add_files(JsonBuilder *b, const CavSourceSpec *spec)
{
	const char *folder = g_hash_table_lookup(spec->params, "folder");
	g_autoptr(GDir) dir = folder ? g_dir_open(folder, 0, NULL) : NULL;
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const char *name;

	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL &&
	       names->len < MAX_LISTED_FILES) {
		g_autoptr(CavSourceSpec) probe = cav_source_spec_copy(spec);

		g_hash_table_replace(probe->params, g_strdup("file"), g_strdup(name));
		if (cav_source_validate(probe, NULL))
			g_ptr_array_add(names, g_strdup(name));
	}
	g_ptr_array_sort(names, compare_names);
	json_builder_set_member_name(b, "files");
	json_builder_begin_array(b);
	for (guint i = 0; i < names->len; i++)
		json_builder_add_string_value(b, names->pdata[i]);
	json_builder_end_array(b);
}

JsonNode *
cav_room_evidence_status(CavRoom *room)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	const struct CavRoomEvidence *ev = room->evidence;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "inputs");
	json_builder_begin_array(b);
	for (guint i = 0; i < room->config->evidence->len; i++) {
		const CavSourceSpec *s = room->config->evidence->pdata[i];

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "id");
		json_builder_add_string_value(b, s->id);
		json_builder_set_member_name(b, "label");
		json_builder_add_string_value(b, s->label ? s->label : s->id);
		json_builder_set_member_name(b, "backend");
		json_builder_add_string_value(b, s->backend);
		if (g_str_equal(s->backend, "file"))
			add_files(b, s);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "active");
	if (ev == NULL) {
		json_builder_add_null_value(b);
	} else {
		const char *file = g_hash_table_lookup(ev->spec->params, "file");

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "id");
		json_builder_add_string_value(b, ev->spec->id);
		json_builder_set_member_name(b, "use_id");
		json_builder_add_int_value(b, ev->use_id);
		json_builder_set_member_name(b, "hearing_id");
		json_builder_add_int_value(b, ev->hearing_id);
		json_builder_set_member_name(b, "since_us");
		json_builder_add_int_value(b, ev->start_us);
		json_builder_set_member_name(b, "file");
		if (file != NULL)
			json_builder_add_string_value(b, file);
		else
			json_builder_add_null_value(b);
		json_builder_end_object(b);
	}
	json_builder_end_object(b);
	return json_builder_get_root(b);
}
