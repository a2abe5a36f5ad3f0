/* room-sources.h — source health in the room (issue 3): each loss and
 * restore of a camera or microphone becomes a "source" event on the room's
 * hub ({id, state: "lost"|"ok", since_us, reason}), an alarm
 * "source-lost:<id>" raised and cleared, and a fault interval of the
 * hearing in the store (store-sources.h).
 *
 * Main thread only (the recorder's callbacks).
 */
#pragma once

#include "room-private.h"

G_BEGIN_DECLS

/* The recorder's source_health callback. */
void cav_room_source_health(CavRoom *room, const CavSourceHealth *health);
/* The same for a source recording into @hearing_id (an evidence input). */
void cav_room_source_health_of(CavRoom *room, gint64 hearing_id, const CavSourceHealth *health);
/* Source @id stopped with its recorder at @end_us: closes its open fault
 * interval and clears its alarm. */
void cav_room_source_gone(CavRoom *room, gint64 hearing_id, const char *id, gint64 end_us);

/* The recorder of @hearing_id went down at @end_us: close every fault
 * interval still open and clear the source alarms (a new recording starts
 * with every source assumed well until it says otherwise). */
void cav_room_sources_recorder_gone(CavRoom *room, gint64 hearing_id, gint64 end_us);

G_END_DECLS
