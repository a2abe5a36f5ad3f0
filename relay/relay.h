/* relay.h — courtav-relay as one object: configuration, registry, live
 * directory, accounts, event hub, HTTP control API and the media plane
 * (ingest + fan-out worker threads).
 *
 * Threads: the control plane (everything here) runs on the main context.
 * The media plane runs on its own worker threads (ingest.h); the one
 * handoff between them is described in ingest.h.
 */
#pragma once

#include <glib.h>
#include "config.h"
#include "registry.h"
#include "directory.h"
#include "appliance/events.h"
#include "common/signer.h"

G_BEGIN_DECLS

typedef struct CavRelay CavRelay;
typedef struct CavRelayHttp CavRelayHttp;
typedef struct CavRelayUsers CavRelayUsers;
typedef struct CavIngest CavIngest;
typedef struct CavDevAuth CavDevAuth;
typedef struct CavPresence CavPresence;

/* The actor of the relay's own audit rows. */
#define CAV_RELAY_ACTOR "courtav-relay"

/* Opens the state folder, registry and relay key, binds the control API and
 * the media socket, starts the worker threads. @config must outlive the
 * relay. (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
CavRelay *cav_relay_new(const CavRelayConfig *config, GError **error);
/* Stops the workers and the API. NULL-safe. */
void cav_relay_free(CavRelay *relay);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavRelay, cav_relay_free)

/* The daemon: cav_relay_new, then the main loop until SIGTERM/SIGINT. */
int cav_relay_run(const CavRelayConfig *config);
/* --add-user: secret read from standard input. */
int cav_relay_add_user(const CavRelayConfig *config, const char *name, const char *role);

/* (transfer none) */
const CavRelayConfig *cav_relay_config(CavRelay *relay);
CavRegistry *cav_relay_registry(CavRelay *relay);
CavDirectory *cav_relay_directory(CavRelay *relay);
CavRelayUsers *cav_relay_users(CavRelay *relay);
CavEventHub *cav_relay_events(CavRelay *relay);
const CavSigner *cav_relay_signer(CavRelay *relay);
CavRelayHttp *cav_relay_http(CavRelay *relay);
CavIngest *cav_relay_ingest(CavRelay *relay);
CavDevAuth *cav_relay_devauth(CavRelay *relay);
CavPresence *cav_relay_presence(CavRelay *relay);
/* "http://127.0.0.1:8790" (no trailing slash). */
const char *cav_relay_url(CavRelay *relay);

G_END_DECLS
