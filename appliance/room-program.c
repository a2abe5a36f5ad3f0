/* room-program.c — the program picture and the microphones of a recording
 * hearing (see room-program.h).
 *
 * Levels arrive from the recorder's bus watch ten times a second. Each round
 * is published on the room's hub as a "levels" event, fed to the microphone
 * watch (mic-watch.h: silent and clipping alarms) and, when voice switching
 * is on, to the switching state machine (vad-switch.h), whose decisions go
 * straight to the recorder as a live change of the main camera. Both state
 * machines are pure and get the main loop's monotonic time; they are made
 * afresh for each recording run, so a pause never leaves a half-counted
 * silence behind.
 *
 * Rows: every change of the program (a person's layout or camera choice,
 * voice switching turned on or off, a speaker or silence switch) is one
 * program_switches row with the actor who caused it ("courtavd" for voice
 * switching); a microphone alarm is one audio_faults row, opened when it is
 * raised and closed when it clears or the recording stops. A failure to
 * write a row is logged and does not touch the recording.
 *
 * Main thread only.
 */
#include "room-program.h"
#include "room-private.h"
#include "audit.h"
#include "errors.h"
#include "quality.h"
#include "store-program.h"
#include "store-users.h"
#include "pipelines/mic-watch.h"
#include "pipelines/vad-switch.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#define KEY_LAYOUT "layout"
#define KEY_MAIN "program_main"
#define KEY_VOICE "voice"

enum { FAULT_SILENT, FAULT_CLIPPING, N_FAULTS };

struct CavRoomProgram {
	/* Per recording run (between started and stopped). */
	gint64 hearing_id;  /* 0 when no run */
	CavVad *vad;        /* owned, nullable */
	CavMicWatch *watch; /* owned, nullable */
	GArray *events;     /* of CavMicWatchEvent: scratch (owned) */
	guint n_mics;
	gint64 *fault_ids; /* owned, n_mics * N_FAULTS: open audio_faults rows, 0 = none */
	double *rms;       /* owned, n_mics: scratch */
	double *peak;      /* owned, n_mics: scratch */
	gboolean voice;    /* voice switching on (the setting, read at start and on change) */

	/* The strings the last plan points to (owned). */
	CavProgramOverlays overlays;
	char *case_number;
	char *layout;
	char *main_camera;
};

CavRoomProgram *
cav_room_program_new(void)
{
	CavRoomProgram *p = g_new0(CavRoomProgram, 1);

	p->events = g_array_new(FALSE, FALSE, sizeof(CavMicWatchEvent));
	return p;
}

static void
run_clear(CavRoomProgram *p)
{
	g_clear_pointer(&p->vad, cav_vad_free);
	g_clear_pointer(&p->watch, cav_mic_watch_free);
	g_clear_pointer(&p->fault_ids, g_free);
	g_clear_pointer(&p->rms, g_free);
	g_clear_pointer(&p->peak, g_free);
	p->n_mics = 0;
	p->hearing_id = 0;
}

void
cav_room_program_free(CavRoomProgram *p)
{
	if (p == NULL)
		return;
	run_clear(p);
	g_array_unref(p->events);
	g_free(p->case_number);
	g_free(p->layout);
	g_free(p->main_camera);
	g_free(p);
}

void
cav_program_state_clear(CavProgramState *state)
{
	g_clear_pointer(&state->layout, g_free);
	g_clear_pointer(&state->main_camera, g_free);
}

/* ---- settings ----------------------------------------------------------- */

static const CavSourceSpec *
mic_at(const CavConfig *c, guint index)
{
	for (guint i = 0, n = 0; i < c->sources->len; i++) {
		const CavSourceSpec *s = c->sources->pdata[i];

		if (s->kind == CAV_MEDIA_AUDIO && n++ == index)
			return s;
	}
	return NULL;
}

static guint
n_mics(const CavConfig *c)
{
	return c->sources->len - cav_config_n_cameras(c);
}

static const char *
camera_id(const CavConfig *c, guint index)
{
	for (guint i = 0, n = 0; i < c->sources->len; i++) {
		const CavSourceSpec *s = c->sources->pdata[i];

		if (s->kind == CAV_MEDIA_VIDEO && n++ == index)
			return s->id;
	}
	return NULL;
}

/* The stored layout when it is still valid for this room, else the config's. */
static char *
stored_layout(CavRoom *room)
{
	g_autofree char *l = cav_store_setting_get(room->store, KEY_LAYOUT);
	const CavConfig *c = room->config;

	if (l != NULL && cav_layout_resolve(l, cav_config_n_cameras(c), NULL) != NULL)
		return g_strdup(cav_layout_canonical(l));
	if (l != NULL)
		cav_room_alarm_raise(room, "layout-invalid", room->rec_hearing_id,
				     "The layout chosen on the panel needs more cameras than are "
				     "configured; the configured layout is used.",
				     "面板所选画面布局所需摄像机多于当前配置，已改用配置的布局。");
	return g_strdup(cav_layout_canonical(c->layout));
}

static gboolean
voice_on(CavRoom *room)
{
	g_autofree char *v = cav_store_setting_get(room->store, KEY_VOICE);

	if (g_hash_table_size(room->config->mic_camera) == 0)
		return FALSE;
	return v != NULL ? g_str_equal(v, "on") : room->config->voice_enabled;
}

/* The camera for the main pane when a recording starts. */
static char *
start_camera(CavRoom *room)
{
	const CavConfig *c = room->config;
	g_autofree char *chosen = cav_store_setting_get(room->store, KEY_MAIN);

	if (voice_on(room))
		return g_strdup(c->voice_fallback);
	if (chosen != NULL && cav_config_camera_index(c, chosen) >= 0)
		return g_steal_pointer(&chosen);
	return g_strdup(c->main_camera ? c->main_camera : camera_id(c, 0));
}

void
cav_room_program_plan(CavRoom *room, const CavHearingRow *h, CavRecorderPlan *plan)
{
	CavRoomProgram *p = room->program;
	const CavConfig *c = room->config;
	g_autoptr(CavCaseRow) kase = cav_store_case_get(room->store, h->case_id, NULL);

	g_free(p->layout);
	p->layout = stored_layout(room);
	g_free(p->main_camera);
	p->main_camera = start_camera(room);
	g_free(p->case_number);
	p->case_number = kase != NULL && c->show_case ? g_strdup(kase->number) : NULL;
	p->overlays = c->overlays;
	p->overlays.case_number = p->case_number;
	plan->layout = p->layout;
	plan->main_camera = p->main_camera;
	plan->overlays = &p->overlays;
	plan->role_tracks = (const char *const *)c->role_tracks;
}

/* ---- rows and events ---------------------------------------------------- */

static void
log_switch(CavRoom *room, gint64 hearing_id, const char *kind, const char *actor, const char *mic,
	   const char *detail)
{
	g_autoptr(GError) error = NULL;
	CavSwitchRow row = {0};
	JsonNode *data;

	if (hearing_id == 0 || room->recorder == NULL)
		return;
	row.hearing_id = hearing_id;
	row.at_us = g_get_real_time();
	row.kind = (char *)kind;
	row.layout = (char *)cav_recorder_program_layout(room->recorder);
	row.camera = (char *)cav_recorder_program_main(room->recorder);
	row.mic = (char *)mic;
	row.actor = (char *)actor;
	row.detail = (char *)detail;
	if (cav_store_switch_insert(room->store, &row, &error) == 0)
		g_warning("could not log a program switch: %s", error->message);
	data = cav_event_object("kind", kind, "layout", row.layout, "main_camera", row.camera,
				"mic", mic, "actor", actor, NULL);
	json_object_set_int_member(json_node_get_object(data), "hearing_id", hearing_id);
	cav_event_hub_emit(room->events, "program", data);
}

static void
emit_levels(CavRoom *room, const CavMicLevel *levels, guint n)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "mics");
	json_builder_begin_array(b);
	for (guint i = 0; i < n; i++) {
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "id");
		json_builder_add_string_value(b, levels[i].id);
		json_builder_set_member_name(b, "role");
		if (levels[i].role != NULL)
			json_builder_add_string_value(b, levels[i].role);
		else
			json_builder_add_null_value(b);
		json_builder_set_member_name(b, "rms_db");
		json_builder_add_double_value(b, round(levels[i].rms_db * 10) / 10);
		json_builder_set_member_name(b, "peak_db");
		json_builder_add_double_value(b, round(levels[i].peak_db * 10) / 10);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	cav_event_hub_emit(room->events, "levels", json_builder_get_root(b));
}

static char *
alarm_code(CavMicAlarm kind, const char *mic)
{
	return g_strconcat(kind == CAV_MIC_ALARM_SILENT ? "mic-silent:" : "mic-clipping:", mic,
			   NULL);
}

static void
mic_alarm(CavRoom *room, const CavMicWatchEvent *ev)
{
	CavRoomProgram *p = room->program;
	const CavSourceSpec *mic = mic_at(room->config, ev->mic);
	g_autofree char *code = NULL;
	g_autoptr(GError) error = NULL;
	gint64 *fault;
	gboolean silent = ev->kind == CAV_MIC_ALARM_SILENT;

	if (mic == NULL || ev->mic >= p->n_mics)
		return;
	code = alarm_code(ev->kind, mic->id);
	fault = &p->fault_ids[ev->mic * N_FAULTS + (silent ? FAULT_SILENT : FAULT_CLIPPING)];
	if (ev->active) {
		g_autofree char *en = NULL;
		g_autofree char *zh = NULL;
		const char *who = mic->label ? mic->label : mic->role ? mic->role : mic->id;

		if (silent) {
			en = g_strdup_printf("Microphone %s (%s) is silent while others speak: "
					     "check its cable, battery and mute switch.",
					     mic->id, who);
			zh = g_strdup_printf(
				"话筒 %s（%s）无声，而其他话筒有人发言：请检查连线、电池"
				"和静音开关。",
				mic->id, who);
		} else {
			en = g_strdup_printf("Microphone %s (%s) is clipping: lower its gain.",
					     mic->id, who);
			zh = g_strdup_printf("话筒 %s（%s）音量过载削波：请调低增益。", mic->id,
					     who);
		}
		cav_room_alarm_raise(room, code, p->hearing_id, en, zh);
		*fault = cav_store_audio_fault_open(room->store, p->hearing_id, mic->id,
						    silent ? "silent" : "clipping",
						    g_get_real_time(), &error);
		if (*fault == 0)
			g_warning("could not record the fault of %s: %s", mic->id, error->message);
		return;
	}
	cav_room_alarm_clear(room, code);
	if (*fault != 0 &&
	    !cav_store_audio_fault_close(room->store, *fault, g_get_real_time(), &error))
		g_warning("could not close the fault of %s: %s", mic->id, error->message);
	*fault = 0;
}

static void
voice_switch(CavRoom *room, const CavVadDecision *d)
{
	const CavConfig *c = room->config;
	const char *cam = camera_id(c, d->camera);
	const CavSourceSpec *mic = d->mic >= 0 ? mic_at(c, (guint)d->mic) : NULL;
	g_autoptr(GError) error = NULL;

	if (cam == NULL || !cav_recorder_set_program(room->recorder, NULL, cam, &error)) {
		g_warning("voice switching to %s: %s", cam ? cam : "?",
			  error ? error->message : "no such camera");
		return;
	}
	g_debug("voice switching: %s (%s)", cam, mic ? mic->id : "silence");
	log_switch(room, room->program->hearing_id,
		   d->reason == CAV_VAD_SPEAKER ? "speaker" : "silence", CAV_ACTOR_DAEMON,
		   mic ? mic->id : NULL, NULL);
}

void
cav_room_program_levels(CavRoom *room, const CavMicLevel *levels, guint n)
{
	CavRoomProgram *p = room->program;
	gint64 now = g_get_monotonic_time();
	CavVadDecision d;

	emit_levels(room, levels, n);
	if (p->hearing_id == 0 || n != p->n_mics || room->recorder == NULL)
		return;
	for (guint i = 0; i < n; i++) {
		p->rms[i] = levels[i].rms_db;
		p->peak[i] = levels[i].peak_db;
	}
	g_array_set_size(p->events, 0);
	cav_mic_watch_feed(p->watch, now, p->rms, p->peak, p->events);
	for (guint i = 0; i < p->events->len; i++)
		mic_alarm(room, &g_array_index(p->events, CavMicWatchEvent, i));
	if (p->vad != NULL && p->voice && cav_vad_feed(p->vad, now, p->rms, &d))
		voice_switch(room, &d);
}

/* ---- the run ------------------------------------------------------------ */

void
cav_room_program_started(CavRoom *room, gint64 hearing_id)
{
	CavRoomProgram *p = room->program;
	const CavConfig *c = room->config;
	g_autofree gint *camera_of_mic = NULL;
	g_autoptr(GError) error = NULL;
	gint64 alive = cav_store_heartbeat_get(room->store);
	gint main;

	/* Faults left open by a crash end when the daemon was last alive. */
	if (!cav_store_audio_fault_close_all(room->store, hearing_id,
					     alive > 0 ? alive : g_get_real_time(), &error))
		g_warning("could not close old microphone faults: %s", error->message);
	run_clear(p);
	p->hearing_id = hearing_id;
	p->voice = voice_on(room);
	p->n_mics = n_mics(c);
	p->fault_ids = g_new0(gint64, MAX(p->n_mics, 1u) * N_FAULTS);
	p->rms = g_new0(double, MAX(p->n_mics, 1u));
	p->peak = g_new0(double, MAX(p->n_mics, 1u));
	p->watch = cav_mic_watch_new(&c->mic_watch, p->n_mics);
	camera_of_mic = g_new0(gint, MAX(p->n_mics, 1u));
	for (guint i = 0; i < p->n_mics; i++)
		camera_of_mic[i] = cav_config_camera_index(
			c, g_hash_table_lookup(c->mic_camera, mic_at(c, i)->id));
	if (g_hash_table_size(c->mic_camera) > 0) {
		p->vad = cav_vad_new(&c->voice, p->n_mics, camera_of_mic, cav_config_n_cameras(c));
		main = cav_config_camera_index(c, cav_recorder_program_main(room->recorder));
		cav_vad_reset(p->vad, g_get_monotonic_time(), (guint)MAX(main, 0));
	}
	log_switch(room, hearing_id, "layout", CAV_ACTOR_DAEMON, NULL,
		   p->voice ? "start, voice switching on" : "start");
}

void
cav_room_program_stopped(CavRoom *room, gint64 hearing_id)
{
	CavRoomProgram *p = room->program;
	g_autoptr(GError) error = NULL;

	if (p->hearing_id == 0)
		return;
	for (guint i = 0; i < p->n_mics; i++) {
		const CavSourceSpec *mic = mic_at(room->config, i);

		for (int k = 0; k < N_FAULTS; k++) {
			g_autofree char *code = alarm_code(
				k == FAULT_SILENT ? CAV_MIC_ALARM_SILENT : CAV_MIC_ALARM_CLIPPING,
				mic->id);

			cav_room_alarm_clear(room, code);
		}
	}
	if (!cav_store_audio_fault_close_all(room->store, p->hearing_id, g_get_real_time(), &error))
		g_warning("could not close microphone faults: %s", error->message);
	run_clear(p);
}

/* ---- choices from the panel --------------------------------------------- */

static gboolean
bad(GError **error, const char *en, const char *zh)
{
	cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_BAD_REQUEST, "%s", "%s", en, zh);
	return FALSE;
}

GStrv
cav_room_program_layouts(CavRoom *room)
{
	g_autoptr(GStrvBuilder) b = g_strv_builder_new();
	const char *const *names = cav_layout_names();
	guint n = cav_config_n_cameras(room->config);

	for (guint i = 0; names[i] != NULL; i++)
		if (cav_layout_resolve(names[i], n, NULL) != NULL)
			g_strv_builder_add(b, names[i]);
	return g_strv_builder_end(b);
}

static gboolean
save(CavRoom *room, const char *layout, const char *main_camera, int voice, const char *actor,
     GError **error)
{
	CavStore *store = room->store;

	if (!cav_store_begin(store, error))
		return FALSE;
	if ((layout != NULL && !cav_store_setting_set(store, KEY_LAYOUT, layout, error)) ||
	    (main_camera != NULL && !cav_store_setting_set(store, KEY_MAIN, main_camera, error)) ||
	    (voice >= 0 && !cav_store_setting_set(store, KEY_VOICE, voice ? "on" : "off", error)) ||
	    !cav_room_audit(room, actor, "layout.set", room->rec_hearing_id, error, "layout",
			    layout, "main_camera", main_camera, "voice",
			    voice < 0 ? NULL
			    : voice   ? "on"
				      : "off",
			    NULL) ||
	    !cav_store_commit(store, error)) {
		cav_store_rollback(store);
		return FALSE;
	}
	return TRUE;
}

gboolean
cav_room_program_set(CavRoom *room, const char *layout, const char *main_camera, int voice,
		     const char *actor, GError **error)
{
	const CavConfig *c = room->config;
	CavRoomProgram *p = room->program;
	g_autoptr(GError) local = NULL;
	const char *canonical = layout ? cav_layout_canonical(layout) : NULL;

	if (layout != NULL &&
	    (canonical == NULL ||
	     cav_layout_resolve(canonical, cav_config_n_cameras(c), NULL) == NULL))
		return bad(error,
			   "Field “layout” must be one of the available layouts (GET "
			   "/api/v1/layout): unknown, or more panes than cameras.",
			   "不支持该画面布局（未知布局，或画面数多于摄像机数）。");
	if (main_camera != NULL && cav_config_camera_index(c, main_camera) < 0)
		return bad(error, "Field “main_camera” must be a configured camera.",
			   "主画面须为已配置的摄像机。");
	if (voice == 1 && g_hash_table_size(c->mic_camera) == 0)
		return bad(error,
			   "Voice switching needs microphones mapped to cameras (camera = ID in "
			   "[microphone] sections).",
			   "语音激励需要在话筒配置中指定对应摄像机（camera = 编号）。");
	if (!save(room, canonical, main_camera, voice, actor, error)) {
		cav_room_wrap_store_error(error);
		return FALSE;
	}
	if (room->recorder == NULL || p->hearing_id == 0)
		return TRUE; /* applies at the next start */
	if (voice >= 0)
		p->voice = voice == 1;
	if ((canonical != NULL || main_camera != NULL) &&
	    !cav_recorder_set_program(room->recorder, canonical, main_camera, &local)) {
		cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_RECORDER,
				 "The program could not switch: %s", "合成画面无法切换：%s",
				 local->message);
		return FALSE;
	}
	if (p->vad != NULL && (main_camera != NULL || voice == 1))
		cav_vad_reset(p->vad, g_get_monotonic_time(),
			      (guint)MAX(cav_config_camera_index(
						 c, cav_recorder_program_main(room->recorder)),
					 0));
	if (canonical != NULL || main_camera != NULL)
		log_switch(room, p->hearing_id, "layout", actor, NULL, NULL);
	if (voice >= 0)
		log_switch(room, p->hearing_id, "voice", actor, NULL, voice ? "on" : "off");
	return TRUE;
}

void
cav_room_program_state(CavRoom *room, CavProgramState *out)
{
	const CavConfig *c = room->config;
	gboolean live = room->recorder != NULL && room->program->hearing_id != 0;

	out->live = live;
	out->voice = voice_on(room);
	out->voice_available = g_hash_table_size(c->mic_camera) > 0;
	if (live) {
		out->layout = g_strdup(cav_recorder_program_layout(room->recorder));
		out->main_camera = g_strdup(cav_recorder_program_main(room->recorder));
	} else {
		g_autofree char *l = cav_store_setting_get(room->store, KEY_LAYOUT);

		out->layout = g_strdup(l != NULL && cav_layout_canonical(l) != NULL
					       ? cav_layout_canonical(l)
					       : cav_layout_canonical(c->layout));
		out->main_camera = start_camera(room);
	}
}

void
cav_room_program_report(CavRoom *room, gint64 hearing_id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(CavHearingRow) h = cav_store_hearing_get(room->store, hearing_id, NULL);

	if (h == NULL || (h->state != CAV_HEARING_CLOSED && h->state != CAV_HEARING_SEALED))
		return;
	if (!cav_quality_report_store(room->store, room->config, hearing_id, &error))
		g_warning("quality report of hearing %" G_GINT64_FORMAT " not stored: %s",
			  hearing_id, error->message);
}
