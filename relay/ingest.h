/* ingest.h — the relay's media plane: one UDP socket for publishers and
 * subscribers, worker threads that receive (recvmmsg), check and decrypt
 * SRTP, rewrite, fan out (fanout.h) and send (sendmmsg).
 *
 * Threads: cav_ingest_new/free and every cav_ingest_* call below run on
 * the control plane's main thread. The packet path runs on the workers.
 * The one handoff: the control plane builds an immutable routing table
 * (SSRC → publisher, address → subscriber) and publishes it by swapping
 * an atomic pointer; workers read the current table without locks and
 * never touch registry, HTTP or directory state. Facts flowing back
 * (a publisher's first packet, a slow subscriber dropped) are queued to
 * the main context with g_main_context_invoke.
 */
#pragma once

#include <glib.h>
#include "relay.h"

G_BEGIN_DECLS

/* Binds [media] listen and starts the workers. (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
CavIngest *cav_ingest_new(CavRelay *relay, GError **error);
void cav_ingest_free(CavIngest *ingest);
/* The bound UDP port. */
guint cav_ingest_port(CavIngest *ingest);

G_END_DECLS
