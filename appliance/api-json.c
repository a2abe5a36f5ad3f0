/* api-json.c — turning store rows into the JSON of docs/API.md.
 * Main thread only (reads the store).
 */
#include "api-json.h"
#include "common/timefmt.h"

#define MEMBER(b, name) json_builder_set_member_name((b), (name))

void
cav_json_add_string(JsonBuilder *b, const char *name, const char *value)
{
	MEMBER(b, name);
	if (value != NULL)
		json_builder_add_string_value(b, value);
	else
		json_builder_add_null_value(b);
}

static void
add_int(JsonBuilder *b, const char *name, gint64 value)
{
	MEMBER(b, name);
	json_builder_add_int_value(b, value);
}

void
cav_json_add_time(JsonBuilder *b, const char *name, gint64 us)
{
	g_autofree char *us_name = g_strdup_printf("%s_us", name);
	g_autofree char *bj_name = g_strdup_printf("%s_bj", name);
	g_autofree char *bj = us ? cav_time_beijing(us) : NULL;

	MEMBER(b, us_name);
	if (us != 0)
		json_builder_add_int_value(b, us);
	else
		json_builder_add_null_value(b);
	cav_json_add_string(b, bj_name, bj);
}

void
cav_json_case(JsonBuilder *b, const CavCaseRow *c)
{
	json_builder_begin_object(b);
	add_int(b, "id", c->id);
	cav_json_add_string(b, "number", c->number);
	cav_json_add_string(b, "title", c->title);
	cav_json_add_string(b, "cause", c->cause);
	cav_json_add_string(b, "parties", c->parties);
	MEMBER(b, "public");
	json_builder_add_boolean_value(b, c->is_public);
	cav_json_add_time(b, "created", c->created_us);
	cav_json_add_string(b, "created_by", c->created_by);
	json_builder_end_object(b);
}

static void
hearing_members(JsonBuilder *b, CavStore *store, const CavHearingRow *h)
{
	g_autoptr(CavCaseRow) c = cav_store_case_get(store, h->case_id, NULL);

	add_int(b, "id", h->id);
	cav_json_add_string(b, "uid", h->uid);
	add_int(b, "case_id", h->case_id);
	cav_json_add_string(b, "case_number", c ? c->number : NULL);
	cav_json_add_string(b, "case_title", c ? c->title : NULL);
	cav_json_add_string(b, "room", h->room_id);
	cav_json_add_string(b, "state", cav_hearing_state_name(h->state));
	cav_json_add_string(b, "pause_reason", h->pause_reason);
	cav_json_add_time(b, "opened", h->opened_us);
	cav_json_add_string(b, "opened_by", h->opened_by);
	cav_json_add_time(b, "closed", h->closed_us);
	cav_json_add_time(b, "sealed", h->sealed_us);
}

void
cav_json_hearing_summary(JsonBuilder *b, CavStore *store, const CavHearingRow *h)
{
	json_builder_begin_object(b);
	hearing_members(b, store, h);
	json_builder_end_object(b);
}

static void
add_intervals(JsonBuilder *b, GPtrArray *ivs)
{
	MEMBER(b, "intervals");
	json_builder_begin_array(b);
	for (guint i = 0; i < ivs->len; i++) {
		CavIntervalRow *r = ivs->pdata[i];

		json_builder_begin_object(b);
		cav_json_add_string(b, "kind", r->kind);
		cav_json_add_string(b, "reason", r->reason);
		cav_json_add_string(b, "detail", r->detail);
		cav_json_add_time(b, "start", r->start_us);
		cav_json_add_time(b, "end", r->end_us);
		cav_json_add_string(b, "actor", r->actor);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void
add_marks(JsonBuilder *b, GPtrArray *marks)
{
	MEMBER(b, "marks");
	json_builder_begin_array(b);
	for (guint i = 0; i < marks->len; i++) {
		CavMarkRow *r = marks->pdata[i];

		json_builder_begin_object(b);
		add_int(b, "id", r->id);
		cav_json_add_time(b, "at", r->at_us);
		cav_json_add_string(b, "label", r->label);
		cav_json_add_string(b, "actor", r->actor);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void
add_tracks(JsonBuilder *b, GPtrArray *tracks, GPtrArray *segs)
{
	MEMBER(b, "tracks");
	json_builder_begin_array(b);
	for (guint i = 0; i < tracks->len; i++) {
		CavTrackRow *t = tracks->pdata[i];
		gint64 n = 0, partial = 0, open = 0, bytes = 0;
		double seconds = 0;

		for (guint j = 0; j < segs->len; j++) {
			CavSegmentRow *s = segs->pdata[j];

			if (s->track_id != t->id)
				continue;
			n++;
			bytes += s->bytes;
			seconds += s->duration_s;
			partial += g_str_equal(s->state, "partial");
			open += g_str_equal(s->state, "open");
		}
		json_builder_begin_object(b);
		cav_json_add_string(b, "name", t->name);
		cav_json_add_string(b, "kind", t->kind);
		cav_json_add_string(b, "label", t->label);
		add_int(b, "segments", n);
		add_int(b, "partial", partial);
		add_int(b, "open", open);
		add_int(b, "bytes", bytes);
		MEMBER(b, "seconds");
		json_builder_add_double_value(b, seconds);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

gboolean
cav_json_hearing_full(JsonBuilder *b, CavStore *store, const CavHearingRow *h, GError **error)
{
	g_autoptr(GPtrArray) ivs = cav_store_interval_list(store, h->id, error);
	g_autoptr(GPtrArray) marks = ivs ? cav_store_mark_list(store, h->id, error) : NULL;
	g_autoptr(GPtrArray) tracks = marks ? cav_store_track_list(store, h->id, error) : NULL;
	g_autoptr(GPtrArray) segs =
		tracks ? cav_store_segment_list(store, h->id, FALSE, error) : NULL;

	if (segs == NULL)
		return FALSE;
	json_builder_begin_object(b);
	hearing_members(b, store, h);
	cav_json_add_string(b, "media_dir", h->media_dir);
	cav_json_add_string(b, "chain_head", h->chain_head);
	cav_json_add_string(b, "signature", h->signature);
	cav_json_add_string(b, "key_id", h->key_id);
	add_intervals(b, ivs);
	add_marks(b, marks);
	add_tracks(b, tracks, segs);
	json_builder_end_object(b);
	return TRUE;
}

void
cav_json_event(JsonBuilder *b, const CavEventRow *e)
{
	json_builder_begin_object(b);
	add_int(b, "id", e->id);
	cav_json_add_time(b, "at", e->at_us);
	cav_json_add_string(b, "severity", e->severity);
	cav_json_add_string(b, "code", e->code);
	MEMBER(b, "hearing_id");
	if (e->hearing_id)
		json_builder_add_int_value(b, e->hearing_id);
	else
		json_builder_add_null_value(b);
	cav_json_add_string(b, "message", e->message);
	json_builder_end_object(b);
}

static void
add_current_hearing(JsonBuilder *b, CavRoom *room)
{
	const CavConfig *c = cav_room_config(room);
	CavStore *store = cav_room_store(room);
	g_autoptr(CavHearingRow) h = cav_store_hearing_open_in_room(store, c->room_id, NULL);
	g_autoptr(GPtrArray) ivs = NULL;
	double elapsed = 0;

	MEMBER(b, "hearing");
	if (h == NULL) {
		json_builder_add_null_value(b);
		return;
	}
	ivs = cav_store_interval_list(store, h->id, NULL);
	for (guint i = 0; ivs != NULL && i < ivs->len; i++) {
		CavIntervalRow *r = ivs->pdata[i];

		if (g_str_equal(r->kind, "recording"))
			elapsed += (double)((r->end_us ? r->end_us : g_get_real_time()) -
					    r->start_us) /
				   G_USEC_PER_SEC;
	}
	json_builder_begin_object(b);
	hearing_members(b, store, h);
	MEMBER(b, "recorded_s");
	json_builder_add_double_value(b, elapsed);
	json_builder_end_object(b);
}

void
cav_json_status(JsonBuilder *b, CavRoom *room, const CavHttpReaper *reaper)
{
	const CavConfig *c = cav_room_config(room);
	CavDiskGuard *disk = cav_room_disk(room);
	GPtrArray *alarms = cav_room_alarms(room);
	g_auto(GStrv) tracks = cav_room_track_names(room);
	CavDiskLevel level = cav_disk_guard_poll(disk);

	json_builder_begin_object(b);
	cav_json_add_string(b, "version", CAV_VERSION);
	MEMBER(b, "room");
	json_builder_begin_object(b);
	cav_json_add_string(b, "id", c->room_id);
	cav_json_add_string(b, "name", c->room_name);
	cav_json_add_string(b, "court", c->court);
	json_builder_end_object(b);
	add_current_hearing(b, room);
	MEMBER(b, "recording");
	json_builder_add_boolean_value(b, cav_room_is_recording(room));
	MEMBER(b, "disk");
	json_builder_begin_object(b);
	add_int(b, "free_bytes", cav_disk_guard_free_bytes(disk));
	MEMBER(b, "hours_left");
	json_builder_add_double_value(b, cav_disk_guard_hours_left(disk));
	MEMBER(b, "low");
	json_builder_add_boolean_value(b, level != CAV_DISK_OK);
	json_builder_end_object(b);
	MEMBER(b, "tracks");
	json_builder_begin_array(b);
	for (guint i = 0; tracks[i]; i++)
		json_builder_add_string_value(b, tracks[i]);
	json_builder_end_array(b);
	MEMBER(b, "alarms");
	json_builder_begin_array(b);
	for (guint i = 0; i < alarms->len; i++) {
		CavAlarm *a = alarms->pdata[i];

		json_builder_begin_object(b);
		cav_json_add_string(b, "code", a->code);
		cav_json_add_string(b, "message", a->message);
		cav_json_add_string(b, "message_zh", a->message_zh);
		cav_json_add_time(b, "at", a->at_us);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	if (reaper != NULL) {
		MEMBER(b, "http");
		json_builder_begin_object(b);
		add_int(b, "connections", cav_http_reaper_n_connections(reaper));
		add_int(b, "reaped", (gint64)cav_http_reaper_n_reaped(reaper));
		json_builder_end_object(b);
	}
	json_builder_end_object(b);
}

char *
cav_json_to_string(JsonBuilder *b, gsize *len)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = json_builder_get_root(b);

	json_generator_set_root(gen, root);
	json_generator_set_pretty(gen, TRUE);
	return json_generator_to_data(gen, len);
}
