/* presence.h — who is online and what is on air, as the control plane
 * knows it: each appliance's last heartbeat (its health, its room's
 * hearing) and each room's publisher state from the ingest. From these it
 * keeps the live directory (directory.h) and emits hub events:
 *   "appliance"  {id, online, addr, health}        on heartbeat changes / timeout
 *   "live"       a directory entry + "removed"      on every directory change
 *   "publisher"  {room_key, publish_id, active}     from the ingest
 *   "subscriber" {id, room_key, gone, reason}       (api-live.c)
 * A room is live when its appliance is online, its hearing is recording
 * and its stream is arriving. Main thread only.
 */
#pragma once

#include <json-glib/json-glib.h>
#include "relay.h"

G_BEGIN_DECLS

typedef struct CavPresence CavPresence;

/* Starts the heartbeat timeout check. (transfer full) */
CavPresence *cav_presence_new(CavRelay *relay);
void cav_presence_free(CavPresence *presence);

/* A validated heartbeat body (api-appliance.c) of @appliance_id from @addr. */
void cav_presence_heartbeat(CavPresence *presence, const char *appliance_id, const char *addr,
			    JsonObject *body);
/* From the ingest (ingest.h events). */
void cav_presence_publisher(CavPresence *presence, guint64 publish_id, const char *room_key,
			    gboolean active);
/* Whether @appliance_id has sent a heartbeat within the timeout. */
gboolean cav_presence_online(CavPresence *presence, const char *appliance_id);
/* The publish id of @room_key's active stream, 0 if none. */
guint64 cav_presence_active_publish(CavPresence *presence, const char *room_key);

G_END_DECLS
