/* api-json.h — rows to JSON for the API (api-json.c). Main thread only. */
#pragma once

#include <json-glib/json-glib.h>
#include "room.h"
#include "store.h"
#include "common/http-reaper.h"

G_BEGIN_DECLS

/* Adds member @name: the string, or null when @value is NULL. */
void cav_json_add_string(JsonBuilder *b, const char *name, const char *value);
/* Adds "<name>_us" and "<name>_bj" members (null when @us is 0). */
void cav_json_add_time(JsonBuilder *b, const char *name, gint64 us);

void cav_json_case(JsonBuilder *b, const CavCaseRow *c);
/* Summary: id, case, state, times. */
void cav_json_hearing_summary(JsonBuilder *b, CavStore *store, const CavHearingRow *h);
/* Full: summary plus intervals, marks, tracks. FALSE on a store error. */
gboolean cav_json_hearing_full(JsonBuilder *b, CavStore *store, const CavHearingRow *h,
			       GError **error);
void cav_json_event(JsonBuilder *b, const CavEventRow *e);
/* GET /status. @reaper (nullable): the API's connection reaper, whose
 * counts become the "http" member. */
void cav_json_status(JsonBuilder *b, CavRoom *room, const CavHttpReaper *reaper);

/* Serialises the builder's root. (transfer full) */
char *cav_json_to_string(JsonBuilder *b, gsize *len);

G_END_DECLS
