/* http-reaper.h — closes the idle HTTP connections of a SoupServer whose
 * client has hung up.
 *
 * libsoup 3.2 (Debian 12) never notices that a client closed a keep-alive
 * connection while it was idle: the socket stays open in CLOSE_WAIT, with
 * a file descriptor and ~1.8 KiB, until the process exits (fixed upstream
 * in 3.3). Any client that drops idle connections (a browser, curl, a load
 * balancer) would exhaust a long-running server's descriptors. Both
 * servers built on libsoup (courtavd's API, courtav-relay's router) attach
 * one reaper to their SoupServer.
 *
 * Main context only: create, query and free the reaper on the thread whose
 * thread-default main context runs the server; its timer runs there.
 */
#pragma once

#include <glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct CavHttpReaper CavHttpReaper;

/* Starts following @server's connections (from its "request-started"
 * signal) and, every second, closes those that are idle and whose peer has
 * closed. The reaper keeps a reference to @server until it is freed.
 * (transfer full) */
CavHttpReaper *cav_http_reaper_new(SoupServer *server);

/* Stops the reaper and drops its references to the server and its
 * sockets; connections it did not close are left to libsoup. NULL-safe. */
void cav_http_reaper_free(CavHttpReaper *reaper);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavHttpReaper, cav_http_reaper_free)

/* Connections followed now: those that have carried a request and that
 * neither libsoup nor the reaper has closed yet. */
guint cav_http_reaper_n_connections(const CavHttpReaper *reaper);

/* Idle connections closed so far because their client had gone. */
guint64 cav_http_reaper_n_reaped(const CavHttpReaper *reaper);

/* Runs one sweep now (the timer runs one every second); returns how many
 * connections it closed. For tests. */
guint cav_http_reaper_sweep(CavHttpReaper *reaper);

G_END_DECLS
