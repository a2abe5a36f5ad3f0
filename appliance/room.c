/* room.c — the courtroom controller: cases, the hearing lifecycle, and the
 * recorder's life (see room.h). Segment handling is in room-media.c, start-up
 * repair in recovery.c.
 *
 * Main thread only. Every transition is one transaction holding the state
 * change, its interval rows and its audit row, so the database never shows a
 * state without the record of who caused it. The recorder is started after
 * the transaction commits (idle/paused → recording; if it fails to start, a
 * compensating transaction puts the hearing back) and stopped after it
 * commits (recording → paused/closed), so a database failure never stops a
 * running recording.
 */
#include "room-private.h"
#include "room-evidence.h"
#include "room-sources.h"
#include "room-program.h"
#include "errors.h"
#include "lifecycle.h"
#include "audit.h"
#include "disc-case.h"
#include "store-users.h"
#include "common/fsutil.h"
#include "common/timefmt.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <string.h>

#define STOP_TIMEOUT_MS 8000

static void on_disk_level(CavDiskLevel level, gint64 free_bytes, double hours_left,
			  gpointer user_data);
static void on_rec_opened(CavRecorder *rec, const CavSegmentEvent *ev, gpointer user_data);
static void on_rec_closed(CavRecorder *rec, const CavSegmentEvent *ev, gpointer user_data);
static void on_rec_stopped(CavRecorder *rec, gpointer user_data);
static void on_rec_failed(CavRecorder *rec, const GError *error, gpointer user_data);
static void on_rec_source_health(CavRecorder *rec, const CavSourceHealth *health,
				 gpointer user_data);
static void on_rec_levels(CavRecorder *rec, const CavMicLevel *levels, guint n, gpointer data);

static const CavRecorderCallbacks recorder_callbacks = {
	.segment_opened = on_rec_opened,
	.segment_closed = on_rec_closed,
	.stopped = on_rec_stopped,
	.failed = on_rec_failed,
	.source_health = on_rec_source_health,
	.levels = on_rec_levels,
};

void
cav_room_wrap_store_error(GError **error)
{
	g_autofree char *en = NULL;

	if (error == NULL || *error == NULL || (*error)->domain == CAV_ROOM_ERROR)
		return;
	en = g_strdup((*error)->message);
	g_clear_error(error);
	cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_INTERNAL, "Storage error: %s",
			 "存储错误，请联系技术人员：%s", en);
}

gboolean
cav_room_audit(CavRoom *room, const char *actor, const char *action, gint64 hearing_id,
	       GError **error, ...)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree char *detail = NULL;
	g_autofree char *object = NULL;
	const char *key;
	va_list ap;

	json_builder_begin_object(b);
	va_start(ap, error);
	while ((key = va_arg(ap, const char *)) != NULL) {
		const char *value = va_arg(ap, const char *);

		json_builder_set_member_name(b, key);
		if (value != NULL)
			json_builder_add_string_value(b, value);
		else
			json_builder_add_null_value(b);
	}
	va_end(ap);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	detail = json_generator_to_data(gen, NULL);
	if (hearing_id > 0)
		object = g_strdup_printf("hearing/%" G_GINT64_FORMAT, hearing_id);
	return cav_audit_append(cav_store_db(room->store), room->signer, g_get_real_time(), actor,
				action, object, detail, NULL, error);
}

static void
alarm_free(CavAlarm *a)
{
	g_free(a->code);
	g_free(a->message);
	g_free(a->message_zh);
	g_free(a);
}

static void
emit_alarm(CavRoom *room, const CavAlarm *a, gboolean active)
{
	JsonNode *data = cav_event_object("code", a->code, "message", a->message, "message_zh",
					  a->message_zh, NULL);

	json_object_set_boolean_member(json_node_get_object(data), "active", active);
	json_object_set_int_member(json_node_get_object(data), "at_us", a->at_us);
	cav_event_hub_emit(room->events, "alarm", data);
}

void
cav_room_emit_state(CavRoom *room, gint64 hearing_id)
{
	g_autoptr(CavHearingRow) h = cav_store_hearing_get(room->store, hearing_id, NULL);
	JsonNode *data;

	if (h == NULL)
		return;
	data = cav_event_object("state", cav_hearing_state_name(h->state), "pause_reason",
				h->pause_reason, NULL);
	json_object_set_int_member(json_node_get_object(data), "hearing_id", h->id);
	json_object_set_boolean_member(json_node_get_object(data), "recording",
				       room->recorder != NULL && room->rec_hearing_id == h->id);
	cav_event_hub_emit(room->events, "state", data);
}

void
cav_room_alarm_raise(CavRoom *room, const char *code, gint64 hearing_id, const char *message,
		     const char *message_zh)
{
	g_autoptr(GError) error = NULL;
	CavAlarm *a;

	for (guint i = 0; i < room->alarms->len; i++)
		if (g_str_equal(((CavAlarm *)room->alarms->pdata[i])->code, code))
			return;
	a = g_new0(CavAlarm, 1);
	a->code = g_strdup(code);
	a->message = g_strdup(message);
	a->message_zh = g_strdup(message_zh);
	a->at_us = g_get_real_time();
	g_ptr_array_add(room->alarms, a);
	g_warning("ALARM %s: %s", code, message);
	emit_alarm(room, a, TRUE);
	if (!cav_store_event_insert(room->store, a->at_us, "alarm", code, hearing_id, message,
				    &error))
		g_warning("could not store alarm %s: %s", code, error->message);
}

void
cav_room_alarm_clear(CavRoom *room, const char *code)
{
	for (guint i = 0; i < room->alarms->len; i++) {
		if (g_str_equal(((CavAlarm *)room->alarms->pdata[i])->code, code)) {
			g_message("alarm %s cleared", code);
			emit_alarm(room, room->alarms->pdata[i], FALSE);
			g_ptr_array_remove_index(room->alarms, i);
			return;
		}
	}
}

CavRoom *
cav_room_new(const CavConfig *config, CavStore *store, const CavSigner *signer, GError **error)
{
	g_autoptr(CavRoom) room = g_new0(CavRoom, 1);

	room->config = config;
	room->store = store;
	room->signer = signer;
	room->track_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	room->open_segments = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_queue_init(&room->jobs);
	room->waiters = g_ptr_array_new_with_free_func(g_object_unref);
	room->alarms = g_ptr_array_new_with_free_func((GDestroyNotify)alarm_free);
	room->events = cav_event_hub_new();
	room->program = cav_room_program_new();
	if (g_mkdir_with_parents(config->media_dir, 0750) != 0) {
		int e = errno;
		cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_INTERNAL,
				 "Cannot create the media folder %s: %s", "无法创建录像目录 %s：%s",
				 config->media_dir, g_strerror(e));
		return NULL;
	}
	if (!cav_store_room_upsert(store, config->room_id, config->room_name, config->court,
				   error)) {
		cav_room_wrap_store_error(error);
		return NULL;
	}
	room->guard = cav_disk_guard_new(config, on_disk_level, room);
	return g_steal_pointer(&room);
}

void
cav_room_free(CavRoom *room)
{
	if (room == NULL)
		return;
	cav_disk_guard_free(room->guard);
	cav_room_evidence_dispose(room);
	cav_recorder_free(room->recorder);
	g_free(room->rec_media_dir);
	g_hash_table_unref(room->track_ids);
	g_hash_table_unref(room->open_segments);
	g_queue_clear_full(&room->jobs, (GDestroyNotify)cav_segment_job_free);
	/* Pending waiters are dropped unanswered: the loop is gone. */
	g_ptr_array_unref(room->waiters);
	g_ptr_array_unref(room->alarms);
	cav_event_hub_free(room->events);
	cav_room_program_free(room->program);
	g_free(room);
}

/* ---- cases --------------------------------------------------------------- */

gint64
cav_room_case_create(CavRoom *room, const char *number, const char *title, const char *cause,
		     const char *parties, gboolean is_public, const char *actor, GError **error)
{
	g_autofree char *norm = cav_case_number_normalize(number, error);
	g_autoptr(GError) local = NULL;
	CavCaseRow row = {0};
	gint64 id;

	if (norm == NULL)
		return 0;
	if (title == NULL || g_utf8_strlen(title, -1) < 1 || strlen(title) > 500) {
		cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_BAD_REQUEST,
				 "A case needs a title (1–500 characters).",
				 "案件名称不能为空（1–500 字）。");
		return 0;
	}
	row.number = norm;
	row.title = (char *)title;
	row.cause = (char *)cause;
	row.parties = (char *)parties;
	row.is_public = is_public;
	row.created_us = g_get_real_time();
	row.created_by = (char *)actor;
	if (!cav_store_begin(room->store, error)) {
		cav_room_wrap_store_error(error);
		return 0;
	}
	id = cav_store_case_insert(room->store, &row, &local);
	if (id == 0) {
		cav_store_rollback(room->store);
		if (g_error_matches(local, CAV_STORE_ERROR, CAV_STORE_ERROR_CONSTRAINT))
			cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_CASE_EXISTS,
					 "Case %s already exists.", "案号 %s 已存在。", norm);
		else {
			g_propagate_error(error, g_steal_pointer(&local));
			cav_room_wrap_store_error(error);
		}
		return 0;
	}
	{
		g_autofree char *case_id = g_strdup_printf("%" G_GINT64_FORMAT, id);

		if (!cav_room_audit(room, actor, "case.create", 0, error, "case_id", case_id,
				    "number", norm, "title", title, "public",
				    is_public ? "true" : "false", NULL) ||
		    !cav_store_commit(room->store, error)) {
			cav_store_rollback(room->store);
			cav_room_wrap_store_error(error);
			return 0;
		}
	}
	g_message("case %" G_GINT64_FORMAT " %s created by %s", id, norm, actor);
	return id;
}

/* ---- hearings ------------------------------------------------------------ */

static CavHearingRow *
get_hearing(CavRoom *room, gint64 id, GError **error)
{
	g_autoptr(GError) local = NULL;
	CavHearingRow *h = cav_store_hearing_get(room->store, id, &local);

	if (h != NULL)
		return h;
	if (g_error_matches(local, CAV_STORE_ERROR, CAV_STORE_ERROR_NOT_FOUND))
		cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_NOT_FOUND,
				 "No hearing with id %" G_GINT64_FORMAT ".",
				 "没有编号为 %" G_GINT64_FORMAT " 的庭审。", id);
	else {
		g_propagate_error(error, g_steal_pointer(&local));
		cav_room_wrap_store_error(error);
	}
	return NULL;
}

/* "audio-<role>" for each role track with a microphone (recorder.h). */
static gboolean
ensure_role_tracks(CavRoom *room, gint64 hearing_id, GError **error)
{
	g_auto(GStrv) roles = cav_recorder_role_tracks(
		room->config->sources, (const char *const *)room->config->role_tracks);

	for (guint i = 0; roles[i] != NULL; i++) {
		g_autofree char *label =
			g_strdup_printf("%s audio", roles[i] + strlen(CAV_TRACK_ROLE_PREFIX));

		if (!cav_store_track_ensure(room->store, hearing_id, roles[i], "audio", label,
					    error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
ensure_tracks(CavRoom *room, gint64 hearing_id, GError **error)
{
	gboolean has_audio = FALSE;

	for (guint i = 0; i < room->config->sources->len; i++) {
		const CavSourceSpec *s = room->config->sources->pdata[i];

		if (s->kind == CAV_MEDIA_AUDIO) {
			has_audio = TRUE;
			continue;
		}
		if (!cav_store_track_ensure(room->store, hearing_id, s->id, "camera", s->label,
					    error))
			return FALSE;
	}
	if (!cav_store_track_ensure(room->store, hearing_id, CAV_TRACK_PROGRAM, "program",
				    "合成画面 program", error))
		return FALSE;
	if (has_audio && !cav_store_track_ensure(room->store, hearing_id, CAV_TRACK_AUDIO, "audio",
						 "混音 audio mix", error))
		return FALSE;
	return ensure_role_tracks(room, hearing_id, error);
}

static gint64
insert_hearing(CavRoom *room, const CavCaseRow *kase, const char *actor, GError **error)
{
	g_autofree char *slug = cav_case_number_slug(kase->number);
	g_autofree char *uid = g_uuid_string_random();
	g_autoptr(GPtrArray) all = cav_store_hearing_list(room->store, 0, error);
	gint64 next_id = 1;
	CavHearingRow row = {0};
	g_autofree char *hname = NULL;
	gint64 id;

	if (all == NULL)
		return 0;
	for (guint i = 0; i < all->len; i++)
		next_id = MAX(next_id, ((CavHearingRow *)all->pdata[i])->id + 1);
	/* The folder and file names carry room, case and hearing (h<id>). The
	 * id is predicted inside the write transaction, so it cannot race. */
	hname = g_strdup_printf("h%" G_GINT64_FORMAT, next_id);
	row.uid = uid;
	row.case_id = kase->id;
	row.room_id = room->config->room_id;
	row.state = CAV_HEARING_IDLE;
	row.media_dir = g_build_filename(room->config->media_dir, slug, hname, NULL);
	row.name_prefix = g_strdup_printf("%s_%s_%s", room->config->room_id, slug, hname);
	row.opened_us = g_get_real_time();
	row.opened_by = (char *)actor;
	id = cav_store_hearing_insert(room->store, &row, error);
	if (id != 0 && id != next_id) {
		g_set_error(error, CAV_STORE_ERROR, CAV_STORE_ERROR_SQL,
			    "hearing id %" G_GINT64_FORMAT
			    " differs from the predicted %" G_GINT64_FORMAT,
			    id, next_id);
		id = 0;
	}
	if (id != 0 && g_mkdir_with_parents(row.media_dir, 0750) != 0) {
		g_set_error(error, CAV_STORE_ERROR, CAV_STORE_ERROR_SQL, "cannot create %s: %s",
			    row.media_dir, g_strerror(errno));
		id = 0;
	}
	g_free(row.media_dir);
	g_free(row.name_prefix);
	return id;
}

gint64
cav_room_hearing_open(CavRoom *room, gint64 case_id, gboolean start, const char *actor,
		      GError **error)
{
	g_autoptr(CavCaseRow) kase = NULL;
	g_autoptr(CavHearingRow) open = NULL;
	g_autoptr(GError) local = NULL;
	g_autofree char *hid = NULL;
	gint64 id;

	kase = cav_store_case_get(room->store, case_id, &local);
	if (kase == NULL) {
		cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_NOT_FOUND,
				 "No case with id %" G_GINT64_FORMAT ".",
				 "没有编号为 %" G_GINT64_FORMAT " 的案件。", case_id);
		return 0;
	}
	open = cav_store_hearing_open_in_room(room->store, room->config->room_id, NULL);
	if (open != NULL) {
		cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_HEARING_OPEN,
				 "Room %s already has an open hearing (id %" G_GINT64_FORMAT
				 "): close it first.",
				 "%s 法庭已有未结束的庭审（编号 %" G_GINT64_FORMAT
				 "），请先结束该庭审。",
				 room->config->room_id, open->id);
		return 0;
	}
	if (start && !cav_disk_guard_check_start(room->guard, error))
		return 0;
	if (!cav_store_begin(room->store, error)) {
		cav_room_wrap_store_error(error);
		return 0;
	}
	id = insert_hearing(room, kase, actor, error);
	hid = g_strdup_printf("%" G_GINT64_FORMAT, id);
	if (id == 0 || !ensure_tracks(room, id, error) ||
	    !cav_room_audit(room, actor, "hearing.open", id, error, "case", kase->number, NULL) ||
	    !cav_store_commit(room->store, error)) {
		cav_store_rollback(room->store);
		if (error && *error &&
		    g_error_matches(*error, CAV_STORE_ERROR, CAV_STORE_ERROR_CONSTRAINT)) {
			g_clear_error(error);
			cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_HEARING_OPEN,
					 "Room %s already has an open hearing.",
					 "%s 法庭已有未结束的庭审。", room->config->room_id);
		}
		cav_room_wrap_store_error(error);
		return 0;
	}
	g_message("hearing %s of case %s opened by %s", hid, kase->number, actor);
	cav_room_write_manifest(room, id, NULL);
	cav_room_emit_state(room, id);
	cav_disc_capacity_check(room, kase->id, id); /* warns when the case outgrows its disc */
	if (start && !cav_room_hearing_record(room, id, FALSE, actor, error))
		return 0; /* the hearing exists, idle; the error says why it is not recording */
	return id;
}

/* Sources, format and names for one recording run of @h. */
gboolean
cav_room_start_recorder(CavRoom *room, const CavHearingRow *h, GError **error)
{
	const CavConfig *c = room->config;
	g_autoptr(GPtrArray) tracks = cav_store_track_list(room->store, h->id, error);
	g_autoptr(GHashTable) first_seq = g_hash_table_new(g_str_hash, g_str_equal);
	CavRecorderPlan plan = {0};
	g_autoptr(CavRecorder) rec = NULL;
	g_autoptr(GError) local = NULL;

	if (tracks == NULL)
		return FALSE;
	g_hash_table_remove_all(room->track_ids);
	for (guint i = 0; i < tracks->len; i++) {
		CavTrackRow *t = tracks->pdata[i];
		guint next = cav_store_segment_max_seq(room->store, t->id) + 1;

		g_hash_table_insert(first_seq, t->name, GUINT_TO_POINTER(next));
		g_hash_table_insert(room->track_ids, g_strdup(t->name),
				    g_memdup2(&t->id, sizeof t->id));
	}
	plan.format = &c->format;
	plan.sources = c->sources;
	plan.media_dir = h->media_dir;
	plan.name_prefix = h->name_prefix;
	plan.first_seq = first_seq;
	/* Layout, main camera, overlays, role tracks (room-program.c). */
	cav_room_program_plan(room, h, &plan);
	rec = cav_recorder_new(&plan, &recorder_callbacks, room, &local);
	if (rec == NULL)
		goto fail;
	g_free(room->rec_media_dir);
	room->rec_media_dir = g_strdup(h->media_dir);
	room->rec_hearing_id = h->id;
	room->recorder = g_steal_pointer(&rec);
	if (!cav_recorder_start(room->recorder, &local)) {
		g_clear_pointer(&room->recorder, cav_recorder_free);
		room->rec_hearing_id = 0;
		goto fail;
	}
	cav_room_alarm_clear(room, "recorder-failed");
	cav_room_program_started(room, h->id);
	return TRUE;
fail:
	cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_RECORDER,
			 "The recorder could not start: %s", "录制无法启动，请联系技术人员：%s",
			 local->message);
	return FALSE;
}

gboolean
cav_room_hearing_record(CavRoom *room, gint64 id, gboolean resume, const char *actor,
			GError **error)
{
	CavHearingAction action = resume ? CAV_ACTION_RESUME : CAV_ACTION_START;
	g_autoptr(CavHearingRow) h = get_hearing(room, id, error);
	g_autoptr(GError) undo_error = NULL;
	gint64 now = g_get_real_time();

	if (h == NULL || !cav_lifecycle_check(h->state, action, error))
		return FALSE;
	if (room->recorder != NULL) {
		/* The previous run is still draining (a pause a moment ago). */
		cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_BAD_TRANSITION,
				 "The previous recording is still being closed; try again in a "
				 "moment.",
				 "上一段录像仍在收尾，请稍后再试。");
		return FALSE;
	}
	if (!cav_disk_guard_check_start(room->guard, error))
		return FALSE;
	if (!cav_store_begin(room->store, error))
		goto store_fail;
	if (!cav_store_interval_close_open(room->store, id, now, error) ||
	    !cav_store_interval_open(room->store, id, "recording", NULL, NULL, now, actor, error) ||
	    !cav_store_hearing_set_state(room->store, id, CAV_HEARING_RECORDING, NULL, error) ||
	    !cav_room_audit(room, actor, resume ? "hearing.resume" : "hearing.start", id, error,
			    "from", cav_hearing_state_name(h->state), NULL) ||
	    !cav_store_commit(room->store, error)) {
		cav_store_rollback(room->store);
		goto store_fail;
	}
	if (!cav_room_start_recorder(room, h, error)) {
		/* Put the hearing back where it was, and say so in the log. */
		gint64 t = g_get_real_time();

		if (!cav_store_begin(room->store, &undo_error) ||
		    !cav_store_interval_close_open(room->store, id, t, &undo_error) ||
		    !cav_store_interval_open(room->store, id, "paused", "fault", (*error)->message,
					     t, CAV_ACTOR_DAEMON, &undo_error) ||
		    !cav_store_hearing_set_state(room->store, id, CAV_HEARING_PAUSED, "fault",
						 &undo_error) ||
		    !cav_room_audit(room, CAV_ACTOR_DAEMON, "hearing.fault", id, &undo_error,
				    "detail", (*error)->message, NULL) ||
		    !cav_store_commit(room->store, &undo_error)) {
			cav_store_rollback(room->store);
			g_warning("could not record the failed start: %s", undo_error->message);
		}
		cav_room_alarm_raise(room, "recorder-failed", id, (*error)->message,
				     (*error)->message);
		cav_room_write_manifest(room, id, NULL);
		cav_room_emit_state(room, id);
		return FALSE;
	}
	g_message("hearing %" G_GINT64_FORMAT " %s by %s", id, resume ? "resumed" : "started",
		  actor);
	cav_room_write_manifest(room, id, NULL);
	cav_room_emit_state(room, id);
	return TRUE;
store_fail:
	cav_room_wrap_store_error(error);
	return FALSE;
}

/* Asks the recorder to drain; @task (nullable) completes when it is down
 * and every segment is chained. */
static void
stop_recorder(CavRoom *room, GTask *task)
{
	if (task != NULL)
		g_ptr_array_add(room->waiters, g_object_ref(task));
	cav_room_evidence_end(room, "recording stopped");
	if (room->recorder != NULL)
		cav_recorder_stop(room->recorder, STOP_TIMEOUT_MS);
	else
		cav_room_media_check_waiters(room);
}

/* recording → paused or closed, in one transaction. */
static gboolean
leave_recording(CavRoom *room, const CavHearingRow *h, CavHearingAction action, const char *reason,
		const char *detail, const char *actor, GError **error)
{
	gint64 now = g_get_real_time();
	gboolean ok;

	if (!cav_store_begin(room->store, error))
		return FALSE;
	ok = cav_store_interval_close_open(room->store, h->id, now, error);
	if (ok && action == CAV_ACTION_PAUSE)
		ok = cav_store_interval_open(room->store, h->id, "paused", reason, detail, now,
					     actor, error) &&
		     cav_store_hearing_set_state(room->store, h->id, CAV_HEARING_PAUSED, reason,
						 error) &&
		     cav_room_audit(room, actor, "hearing.pause", h->id, error, "reason", reason,
				    "detail", detail, NULL);
	else if (ok)
		ok = cav_store_hearing_set_closed(room->store, h->id, now, error) &&
		     cav_room_audit(room, actor, "hearing.close", h->id, error, "from",
				    cav_hearing_state_name(h->state), NULL);
	if (!ok || !cav_store_commit(room->store, error)) {
		cav_store_rollback(room->store);
		return FALSE;
	}
	cav_room_emit_state(room, h->id);
	return TRUE;
}

static void
leave_recording_async(CavRoom *room, gint64 id, CavHearingAction action, const char *reason_text,
		      const char *detail, const char *actor, GAsyncReadyCallback callback,
		      gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, NULL, callback, user_data);
	g_autoptr(GError) error = NULL;
	g_autoptr(CavHearingRow) h = get_hearing(room, id, &error);
	const char *reason = NULL;

	g_task_set_source_tag(task, leave_recording_async);
	g_task_set_task_data(task, g_memdup2(&id, sizeof id), g_free);
	if (h == NULL || !cav_lifecycle_check(h->state, action, &error))
		goto fail;
	if (action == CAV_ACTION_PAUSE) {
		reason = cav_pause_reason_parse(reason_text, FALSE, &error);
		if (reason == NULL)
			goto fail;
		if (detail != NULL && strlen(detail) > 1000) {
			cav_set_error_bi(&error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_BAD_REQUEST,
					 "The detail is too long (at most 1000 bytes).",
					 "说明文字过长（最多 1000 字节）。");
			goto fail;
		}
	}
	if (!leave_recording(room, h, action, reason, detail, actor, &error)) {
		cav_room_wrap_store_error(&error);
		goto fail;
	}
	g_message("hearing %" G_GINT64_FORMAT " %s by %s%s%s", id,
		  action == CAV_ACTION_PAUSE ? "paused" : "closed", actor, reason ? ": " : "",
		  reason ? reason : "");
	if (h->state == CAV_HEARING_RECORDING && room->rec_hearing_id == id)
		stop_recorder(room, task);
	else {
		cav_room_write_manifest(room, id, NULL);
		cav_room_program_report(room, id);
		g_task_return_boolean(task, TRUE);
	}
	return;
fail:
	g_task_return_error(task, g_steal_pointer(&error));
}

void
cav_room_hearing_pause(CavRoom *room, gint64 id, const char *reason, const char *detail,
		       const char *actor, GAsyncReadyCallback callback, gpointer user_data)
{
	leave_recording_async(room, id, CAV_ACTION_PAUSE, reason, detail, actor, callback,
			      user_data);
}

void
cav_room_hearing_close(CavRoom *room, gint64 id, const char *actor, GAsyncReadyCallback callback,
		       gpointer user_data)
{
	leave_recording_async(room, id, CAV_ACTION_CLOSE, NULL, NULL, actor, callback, user_data);
}

gboolean
cav_room_op_finish(CavRoom *room, GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean(G_TASK(result), error);
}

gboolean
cav_room_hearing_seal(CavRoom *room, gint64 id, const char *actor, GError **error)
{
	g_autoptr(CavHearingRow) h = get_hearing(room, id, error);
	g_autoptr(CavManifest) m = NULL;
	g_autoptr(GBytes) sig = NULL;
	g_autofree char *json = NULL;
	g_autofree char *sig_b64 = NULL;
	g_autofree char *head = NULL;
	g_autofree char *path = NULL;
	g_autofree char *sig_path = NULL;
	gint64 now = g_get_real_time();
	gsize len = 0;

	if (h == NULL || !cav_lifecycle_check(h->state, CAV_ACTION_SEAL, error))
		return FALSE;
	if (cav_room_evidence_digest_pending(room, id)) {
		cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_BAD_TRANSITION,
				 "An exhibit shown in this hearing is still being hashed; seal it "
				 "in a moment.",
				 "本次庭审展示的证据文件仍在计算校验值，请稍后再封存。");
		return FALSE;
	}
	m = cav_room_build_manifest(room, id, error);
	if (m == NULL)
		goto fail;
	g_free(m->state);
	m->state = g_strdup("sealed");
	json = cav_manifest_to_json(m, &len);
	sig = cav_signer_sign(room->signer, (const guint8 *)json, len, error);
	if (sig == NULL)
		goto fail;
	sig_b64 = g_base64_encode(g_bytes_get_data(sig, NULL), g_bytes_get_size(sig));
	head = cav_sha256_hex(m->chain_head);
	path = g_build_filename(h->media_dir, CAV_MANIFEST_NAME, NULL);
	sig_path = g_build_filename(h->media_dir, CAV_MANIFEST_SIG_NAME, NULL);
	/* Files first: if the database step fails, sealing again rewrites
	 * them; the reverse order could leave a "sealed" hearing unsigned. */
	if (!cav_fs_write_atomic(path, json, len, 0644, error) ||
	    !cav_fs_write_atomic(sig_path, sig_b64, strlen(sig_b64), 0644, error))
		goto fail;
	if (!cav_store_begin(room->store, error))
		goto fail;
	if (!cav_store_hearing_set_sealed(room->store, id, now, head, cav_signer_alg(room->signer),
					  cav_signer_key_id(room->signer), sig_b64, error) ||
	    !cav_room_audit(room, actor, "hearing.seal", id, error, "chain_head", head, "key_id",
			    cav_signer_key_id(room->signer), NULL) ||
	    !cav_store_commit(room->store, error)) {
		cav_store_rollback(room->store);
		goto fail;
	}
	g_message("hearing %" G_GINT64_FORMAT " sealed by %s, chain head %s", id, actor, head);
	cav_room_emit_state(room, id);
	return TRUE;
fail:
	cav_room_wrap_store_error(error);
	return FALSE;
}

gint64
cav_room_mark_add(CavRoom *room, gint64 id, const char *label, const char *actor, GError **error)
{
	g_autoptr(CavHearingRow) h = get_hearing(room, id, error);
	gint64 now = g_get_real_time();
	gint64 mark_id;

	if (h == NULL || !cav_lifecycle_check(h->state, CAV_ACTION_MARK, error))
		return 0;
	if (label == NULL || g_utf8_strlen(label, -1) < 1 || g_utf8_strlen(label, -1) > 200 ||
	    !g_utf8_validate(label, -1, NULL)) {
		cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_BAD_REQUEST,
				 "A mark needs a label of 1–200 characters.",
				 "标记内容须为 1–200 个字。");
		return 0;
	}
	if (!cav_store_begin(room->store, error))
		goto fail;
	mark_id = cav_store_mark_insert(room->store, id, now, label, actor, error);
	if (mark_id == 0 ||
	    !cav_room_audit(room, actor, "hearing.mark", id, error, "label", label, NULL) ||
	    !cav_store_commit(room->store, error)) {
		cav_store_rollback(room->store);
		goto fail;
	}
	cav_room_write_manifest(room, id, NULL);
	return mark_id;
fail:
	cav_room_wrap_store_error(error);
	return 0;
}

/* ---- recorder callbacks (main context) ------------------------------------ */

static void
on_rec_opened(CavRecorder *rec, const CavSegmentEvent *ev, gpointer user_data)
{
	CavRoom *room = user_data;

	cav_room_media_opened(room, room->rec_hearing_id, ev);
}

static void
on_rec_closed(CavRecorder *rec, const CavSegmentEvent *ev, gpointer user_data)
{
	cav_room_media_closed(user_data, ev);
}

static void
on_rec_levels(CavRecorder *rec, const CavMicLevel *levels, guint n, gpointer user_data)
{
	cav_room_program_levels(user_data, levels, n);
}

/* Source lost or back (room-sources.c). */
static void
on_rec_source_health(CavRecorder *rec, const CavSourceHealth *health, gpointer user_data)
{
	cav_room_source_health(user_data, health);
}

static gboolean
free_recorder_idle(gpointer data)
{
	cav_recorder_free(data);
	return G_SOURCE_REMOVE;
}

/* The recorder is down: forget it (freed later: we are inside its callback). */
static void
recorder_gone(CavRoom *room)
{
	cav_room_program_stopped(room, room->rec_hearing_id);
	/* An exhibit is shown only while the hearing records. */
	cav_room_evidence_end(room, "recording stopped");
	cav_room_media_flush_open(room,
				  room->recorder ? cav_recorder_tracks(room->recorder) : NULL);
	cav_room_sources_recorder_gone(room, room->rec_hearing_id, g_get_real_time());
	if (room->recorder != NULL)
		g_idle_add(free_recorder_idle, g_steal_pointer(&room->recorder));
	room->rec_hearing_id = 0;
	cav_room_media_check_waiters(room);
}

static void
on_rec_stopped(CavRecorder *rec, gpointer user_data)
{
	CavRoom *room = user_data;
	gint64 id = room->rec_hearing_id;

	g_message("recorder of hearing %" G_GINT64_FORMAT " stopped", id);
	recorder_gone(room);
}

/* A streaming failure while recording: keep every byte, record a fault
 * interval, and keep the daemon up. The hearing is paused(fault); a clerk
 * resumes it (a full disk needs a person anyway). */
static void
on_rec_failed(CavRecorder *rec, const GError *rec_error, gpointer user_data)
{
	CavRoom *room = user_data;
	gint64 id = room->rec_hearing_id;
	g_autoptr(CavHearingRow) h = cav_store_hearing_get(room->store, id, NULL);
	g_autoptr(GError) error = NULL;
	gboolean no_space =
		g_error_matches(rec_error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_NO_SPACE);
	const char *detail = no_space ? "disk full" : rec_error->message;

	g_warning("recorder of hearing %" G_GINT64_FORMAT " failed: %s", id, rec_error->message);
	recorder_gone(room);
	if (h != NULL)
		cav_room_register_orphans(room, h);
	if (h != NULL && h->state == CAV_HEARING_RECORDING &&
	    !leave_recording(room, h, CAV_ACTION_PAUSE, "fault", detail, CAV_ACTOR_DAEMON, &error))
		g_warning("could not record the fault of hearing %" G_GINT64_FORMAT ": %s", id,
			  error->message);
	if (no_space)
		cav_room_alarm_raise(
			room, "disk-full", id,
			"The disk is full: recording stopped, every file closed so far "
			"is intact. Free space, then resume.",
			"磁盘已满，录制已停止，已保存的录像完好。请清理空间后继续录制。");
	else
		cav_room_alarm_raise(room, "recorder-failed", id, rec_error->message,
				     "录制出现故障，已暂停并记录故障时段，请联系技术人员。");
}

/* ---- disk guard ---------------------------------------------------------- */

static void
on_stop_for_disk(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;

	if (!cav_room_op_finish(user_data, result, &error))
		g_warning("stopping for low disk: %s", error->message);
}

static void
on_disk_level(CavDiskLevel level, gint64 free_bytes, double hours_left, gpointer user_data)
{
	CavRoom *room = user_data;
	g_autofree char *en = NULL;
	g_autofree char *zh = NULL;

	g_message("disk level %d: %" G_GINT64_FORMAT " bytes free, %.1f h left", level, free_bytes,
		  hours_left);
	if (level == CAV_DISK_OK) {
		cav_room_alarm_clear(room, "disk-low");
		return;
	}
	en = g_strdup_printf("Recording space is low: about %.1f hours left on %s.", hours_left,
			     room->config->media_dir);
	zh = g_strdup_printf("录像存储空间不足：约剩 %.1f 小时。", hours_left);
	cav_room_alarm_raise(room, "disk-low", room->rec_hearing_id, en, zh);
	if (level == CAV_DISK_STOP && room->recorder != NULL && room->rec_hearing_id != 0) {
		/* Stop cleanly while there is still room to close the files. */
		g_autoptr(GTask) task = g_task_new(NULL, NULL, on_stop_for_disk, room);
		g_autoptr(CavHearingRow) h =
			cav_store_hearing_get(room->store, room->rec_hearing_id, NULL);
		g_autoptr(GError) error = NULL;

		if (h != NULL && h->state == CAV_HEARING_RECORDING &&
		    !leave_recording(room, h, CAV_ACTION_PAUSE, "fault", "disk full",
				     CAV_ACTOR_DAEMON, &error))
			g_warning("could not record the disk fault: %s", error->message);
		cav_room_alarm_raise(
			room, "disk-full", h ? h->id : 0,
			"The disk is almost full: recording was stopped and every "
			"file closed intact. Free space, then resume.",
			"磁盘即将写满，录制已停止，所有录像已完整保存。请清理空间后继续录制。");
		stop_recorder(room, task);
	}
}

/* ---- shutdown and status ------------------------------------------------- */

void
cav_room_shutdown(CavRoom *room, GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, NULL, callback, user_data);
	g_autoptr(GError) error = NULL;
	gint64 id = room->rec_hearing_id;

	room->shutting_down = TRUE;
	if (room->recorder == NULL && !cav_room_evidence_active(room) &&
	    g_queue_is_empty(&room->jobs)) {
		g_task_return_boolean(task, TRUE);
		return;
	}
	/* End the recording interval now; the state stays "recording" so the
	 * next start resumes the hearing and logs the downtime as a fault. */
	if (id != 0) {
		if (!cav_store_begin(room->store, &error) ||
		    !cav_store_interval_close_open(room->store, id, g_get_real_time(), &error) ||
		    !cav_room_audit(room, CAV_ACTOR_DAEMON, "daemon.stop", id, &error, NULL) ||
		    !cav_store_commit(room->store, &error)) {
			cav_store_rollback(room->store);
			g_warning("recording the shutdown: %s", error->message);
		}
	}
	stop_recorder(room, task);
}

const CavConfig *
cav_room_config(CavRoom *room)
{
	return room->config;
}

CavStore *
cav_room_store(CavRoom *room)
{
	return room->store;
}

CavDiskGuard *
cav_room_disk(CavRoom *room)
{
	return room->guard;
}

gboolean
cav_room_is_recording(CavRoom *room)
{
	return room->recorder != NULL;
}

CavEventHub *
cav_room_events(CavRoom *room)
{
	return room->events;
}

GPtrArray *
cav_room_alarms(CavRoom *room)
{
	return room->alarms;
}

GStrv
cav_room_track_names(CavRoom *room)
{
	g_autoptr(GStrvBuilder) b = g_strv_builder_new();
	gboolean audio = FALSE;

	for (guint i = 0; i < room->config->sources->len; i++) {
		const CavSourceSpec *s = room->config->sources->pdata[i];

		if (s->kind == CAV_MEDIA_VIDEO)
			g_strv_builder_add(b, s->id);
		else
			audio = TRUE;
	}
	g_strv_builder_add(b, CAV_TRACK_PROGRAM);
	if (audio) {
		g_auto(GStrv) roles = cav_recorder_role_tracks(
			room->config->sources, (const char *const *)room->config->role_tracks);

		g_strv_builder_add(b, CAV_TRACK_AUDIO);
		g_strv_builder_addv(b, (const char **)roles);
	}
	return g_strv_builder_end(b);
}
