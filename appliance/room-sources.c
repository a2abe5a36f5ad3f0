/* room-sources.c — source health events, alarms and fault intervals (see room-sources.h).
 *
 * The alarm is raised once per loss and cleared on restore; the store keeps
 * the interval even when the database write fails for a moment (logged),
 * because the recording itself never depends on it.
 */
#include "room-sources.h"
#include "store-sources.h"

#include <json-glib/json-glib.h>

#define SOURCE_ALARM_PREFIX "source-lost:"

static const char *
label_of(CavRoom *room, const char *id)
{
	const CavSourceSpec *ev = cav_config_evidence(room->config, id);

	for (guint i = 0; i < room->config->sources->len; i++) {
		const CavSourceSpec *s = g_ptr_array_index(room->config->sources, i);

		if (g_str_equal(s->id, id))
			return s->label != NULL ? s->label : s->id;
	}
	return ev != NULL && ev->label != NULL ? ev->label : id;
}

static void
emit_source(CavRoom *room, const CavSourceHealth *h)
{
	JsonNode *data = cav_event_object("id", h->id, "state", h->ok ? "ok" : "lost", "reason",
					  h->reason, NULL);

	json_object_set_int_member(json_node_get_object(data), "since_us", h->since_us);
	cav_event_hub_emit(room->events, "source", data);
}

void
cav_room_source_health(CavRoom *room, const CavSourceHealth *h)
{
	cav_room_source_health_of(room, room->rec_hearing_id, h);
}

void
cav_room_source_gone(CavRoom *room, gint64 hearing_id, const char *id, gint64 end_us)
{
	g_autofree char *code = g_strconcat(SOURCE_ALARM_PREFIX, id, NULL);
	g_autoptr(GError) error = NULL;

	if (hearing_id > 0 &&
	    !cav_store_source_fault_close(room->store, hearing_id, id, end_us, &error))
		g_warning("could not close the faults of %s: %s", id, error->message);
	cav_room_alarm_clear(room, code);
}

void
cav_room_source_health_of(CavRoom *room, gint64 hearing, const CavSourceHealth *h)
{
	g_autofree char *code = g_strconcat(SOURCE_ALARM_PREFIX, h->id, NULL);
	g_autoptr(GError) error = NULL;

	emit_source(room, h);
	if (!h->ok) {
		const char *label = label_of(room, h->id);
		g_autofree char *en = g_strdup_printf(
			"Signal lost: %s (%s). Its track shows a \"signal lost\" slate; the "
			"recording goes on and the source is retried.",
			label, h->reason ? h->reason : "no data");
		g_autofree char *zh = g_strdup_printf(
			"信号中断：%s。该路录像显示“信号中断”画面，录制继续，系统正在自动重连。",
			label);

		cav_room_alarm_raise(room, code, hearing, en, zh);
		if (hearing > 0 && cav_store_source_fault_open(room->store, hearing, h->id,
							       h->since_us, h->reason, &error) == 0)
			g_warning("could not store the loss of %s: %s", h->id, error->message);
		return;
	}
	cav_room_alarm_clear(room, code);
	if (hearing > 0 &&
	    !cav_store_source_fault_close(room->store, hearing, h->id, h->since_us, &error))
		g_warning("could not store the restore of %s: %s", h->id, error->message);
}

void
cav_room_sources_recorder_gone(CavRoom *room, gint64 hearing_id, gint64 end_us)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func(g_free);

	if (hearing_id > 0 &&
	    !cav_store_source_fault_close(room->store, hearing_id, NULL, end_us, &error))
		g_warning("could not close the source faults of hearing %" G_GINT64_FORMAT ": %s",
			  hearing_id, error->message);
	for (guint i = 0; i < room->alarms->len; i++) {
		const CavAlarm *a = room->alarms->pdata[i];

		if (g_str_has_prefix(a->code, SOURCE_ALARM_PREFIX))
			g_ptr_array_add(codes, g_strdup(a->code));
	}
	for (guint i = 0; i < codes->len; i++)
		cav_room_alarm_clear(room, codes->pdata[i]);
}
