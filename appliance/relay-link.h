/* relay-link.h — the appliance's side of courtav-relay: enrollment with a
 * one-time token, device-signed control requests (common/reqsign.h), a
 * heartbeat every few seconds with the room's health and current hearing,
 * and the live stream (pipelines/streamer.h) started while a hearing is
 * recording and stopped when it is not.
 *
 * It recovers by itself: a failed heartbeat is retried on the next tick;
 * a relay that restarted (its instance id changed) or forgot the stream
 * gets a new stream with new keys; so after a relay or network outage the
 * stream is back within about two heartbeat periods.
 *
 * Main thread only: the HTTP requests are asynchronous on the main
 * context; the streamer's own threads are internal to it.
 */
#pragma once

#include <glib.h>
#include "room.h"
#include "common/signer.h"

G_BEGIN_DECLS

typedef struct CavRelayLink CavRelayLink;

/* NULL (and no error) when the configuration has no [relay] url.
 * @room and @signer must outlive the link. (transfer full) */
CavRelayLink *cav_relay_link_new(CavRoom *room, const CavSigner *signer, GError **error);
void cav_relay_link_free(CavRelayLink *link);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavRelayLink, cav_relay_link_free)

/* Whether the last heartbeat was answered, and whether a stream is up. */
gboolean cav_relay_link_online(CavRelayLink *link);
gboolean cav_relay_link_streaming(CavRelayLink *link);

G_END_DECLS
