/* events.h — the room's live event stream: state changes, alarms, source
 * health, audio levels, job progress. Producers (room, recorder callbacks,
 * disc jobs) emit; consumers (the WebSocket /api/v1/events, tests) subscribe.
 *
 * Main thread only: emit from the main context (producers on other threads
 * hand over with g_main_context_invoke first). Subscribers are called
 * synchronously, in subscription order, and must not block.
 *
 * Event types in use (data is a JSON object):
 *   "state"   {hearing_id, state, pause_reason}
 *   "alarm"   {code, message, message_zh, active: bool}
 *   "source"  {id, state: "ok"|"lost", ...}          (issue 3)
 *   "levels"  {mics: [{id, rms_db, peak_db}], ...}  10 Hz (issue 3)
 *   "job"     {kind, id, percent, ...}               (disc jobs, issue 6)
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct CavEventHub CavEventHub;

/* @type (unowned), @data (unowned, a JSON object). */
typedef void (*CavEventFunc)(const char *type, JsonNode *data, gpointer user_data);

CavEventHub *cav_event_hub_new(void);
void cav_event_hub_free(CavEventHub *hub);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavEventHub, cav_event_hub_free)

/* Returns a subscription id (> 0) for cav_event_hub_unsubscribe(). */
guint cav_event_hub_subscribe(CavEventHub *hub, CavEventFunc func, gpointer user_data);
void cav_event_hub_unsubscribe(CavEventHub *hub, guint id);

/* Delivers to every subscriber. Takes ownership of @data (transfer full). */
void cav_event_hub_emit(CavEventHub *hub, const char *type, JsonNode *data);

/* Convenience: builds {"k": "v", ...} from NULL-terminated string pairs. */
JsonNode *cav_event_object(const char *first_key, ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
