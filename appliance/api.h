/* api.h — courtavd's control API: JSON over HTTP (libsoup 3) under /api/v1,
 * documented call by call in docs/API.md. courtavctl uses it; the touch
 * panel will too.
 *
 * Main thread only: handlers run on the main context and call CavRoom
 * directly; calls that wait for the recorder (pause, close) pause the HTTP
 * message and answer when the room completes.
 */
#pragma once

#include <glib.h>
#include <stdio.h>
#include "room.h"
#include "users.h"

G_BEGIN_DECLS

typedef struct CavApi CavApi;

/* Listens on the configured address. (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
CavApi *cav_api_new(CavRoom *room, const CavSigner *signer, GError **error);
void cav_api_free(CavApi *api);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavApi, cav_api_free)

/* "http://127.0.0.1:8780" (transfer none) */
const char *cav_api_url(CavApi *api);
/* The panel's address (panel_listen), or NULL. (transfer none) */
const char *cav_api_panel_url(CavApi *api);
/* The accounts the API checks. (transfer none) */
CavUsers *cav_api_users(CavApi *api);

/* Prints every route as "METHOD /api/v1/pattern roles" (roles comma-
 * separated, or "public"), one a line: courtavd --list-routes, for tests
 * that must cover every endpoint. */
void cav_api_print_routes(FILE *out);

G_END_DECLS
