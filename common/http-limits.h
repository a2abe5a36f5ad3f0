/* http-limits.h — bounds on the request bodies a SoupServer takes, for
 * both HTTP servers (courtavd's API, courtav-relay's router).
 *
 * Bodies are bounded twice: a Content-Length above the limit is answered
 * 413 as soon as the headers are in (the rest is read and dropped, not
 * stored, and the connection closes after the answer), a chunked body is
 * cut off at the same size; and a body that has not fully arrived within
 * the timeout after its headers gets its connection shut down, so a peer
 * cannot hold a request open by sending slowly.
 *
 * libsoup still calls the server's handler for a refused body: the handler
 * asks cav_http_limits_refused() first, which answers the 413 again.
 *
 * Main context only: attach on the thread whose main context runs the
 * server; the timers run there.
 */
#pragma once

#include <glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* A server's limits. Where the servers differ (their log domain and name in
 * logs, the JSON layout of their answers, the relay's count of bad bodies)
 * it is a field here. */
typedef struct {
	gsize max_body;         /* bytes a request body may have */
	guint timeout_s;        /* seconds a body may take once its headers are in */
	const char *log_domain; /* the server's G_LOG_DOMAIN, kept on its log lines (unowned) */
	const char *log_prefix; /* the server's word in log lines ("API") (unowned) */
	gboolean pretty;        /* the 413 answer's JSON layout (http-json.h) */
	void (*refused)(void);  /* called once for each body refused as too large (nullable) */
} CavHttpLimits;

/* Applies @limits to every request @server starts from now on. @limits is
 * used for as long as the server runs: give a static constant. */
void cav_http_limits_attach(SoupServer *server, const CavHttpLimits *limits);

/* When @msg's body was refused as too large: answers 413 "too-large" and
 * returns TRUE. For the server's handler, before anything else reads the
 * body. */
gboolean cav_http_limits_refused(SoupServerMessage *msg, const CavHttpLimits *limits);

G_END_DECLS
