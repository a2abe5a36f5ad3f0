/* http-route.h — the route table both HTTP servers' routers use (courtavd's
 * API, courtav-relay's router), and what a router reads from a request
 * before any handler runs: the bearer token, the peer's address, whether
 * it may become a WebSocket.
 *
 * A route is a method, a pattern split on '/', the server's role bits and
 * its handler. Each server keeps its own dispatch loop, because who may
 * call a route is decided differently (courtavd: users and their roles;
 * the relay: users, device signatures and public routes): the table only
 * says whether a route matches a path, and what its wildcards hold.
 *
 * Main context only: the one that runs the server.
 */
#pragma once

#include <glib.h>
#include <libsoup/soup.h>
#include <stdio.h>

G_BEGIN_DECLS

typedef struct {
	char *method;      /* owned */
	GStrv segments;    /* the pattern without its leading '/', split on '/' (owned) */
	guint roles;       /* the server's role bits; 0 for a public route */
	GCallback handler; /* the server's own handler type; its router casts it back */
} CavHttpRoute;

/* An empty table of CavHttpRoute that frees them. (transfer full) */
GPtrArray *cav_http_routes_new(void);

/* Appends a route to @routes. @pattern starts with '/'; its segments match
 * literally, except:
 *   {id}   a positive decimal integer          → CavHttpRouteMatch.id
 *   {name} 1–32 of [A-Za-z0-9_-]               → .name
 *   {key}  TWO segments, each a {name}: "a1/101" → .key
 *   {file} 1–64 of [A-Za-z0-9._-], not starting with '.' → .file */
void cav_http_routes_add(GPtrArray *routes, const char *method, const char *pattern, guint roles,
			 GCallback handler);

/* @rest (a request path after the router's prefix) split on '/' into at
 * most @max_segments pieces; *@n is their number, not counting an empty
 * last piece (a trailing slash is tolerated). (transfer full) */
char **cav_http_path_split(const char *rest, guint max_segments, guint *n);

/* What a matching route's wildcards hold. */
typedef struct {
	gint64 id;        /* {id}, 0 when the route has none */
	const char *name; /* {name}, NULL when none (unowned: points into the segments) */
	const char *file; /* {file}, NULL when none (unowned: points into the segments) */
	char key[80];     /* {key} as "<name>/<name>", "" when none */
} CavHttpRouteMatch;

/* The first route of @routes (in the order they were added) that is for
 * @method and whose pattern matches the @n path segments @seg; fills @m.
 * An {id} has at most @id_max_digits digits (0: no bound on its length)
 * and is below G_MAXINT64. (transfer none, nullable) */
const CavHttpRoute *cav_http_routes_find(GPtrArray *routes, const char *method, char **seg, guint n,
					 guint id_max_digits, CavHttpRouteMatch *m);

/* The names of the bits of @roles, comma-separated, "public" for none; bit
 * i is named @names[i] (@n_names of them). (transfer full) */
char *cav_http_roles_string(guint roles, const char *const *names, guint n_names);

/* Every route of @routes, one a line: "<method> <prefix><pattern> <roles>". */
void cav_http_routes_print(FILE *out, GPtrArray *routes, const char *prefix,
			   const char *const *role_names, guint n_role_names);

/* The bearer token of a request: "Authorization: Bearer T", or for a
 * WebSocket handshake the offered subprotocol "cav.token.T" (the returned
 * text then runs on to the end of the list). (transfer none, nullable) */
const char *cav_http_bearer(SoupServerMessage *msg);

/* The peer's IP address. (transfer full, nullable) */
char *cav_http_peer(SoupServerMessage *msg);

/* For a router, once a route has authorized @msg: when @msg asks for a
 * WebSocket, decides it and returns TRUE. On @ws_path with a logged-in
 * @user_name (nullable) the status is left unset, so that libsoup completes
 * the handshake, and the name is kept on @msg as "cav-user" for the
 * WebSocket handler; anywhere else it answers 400. FALSE (nothing done)
 * for a plain request. */
gboolean cav_http_websocket_gate(SoupServerMessage *msg, const char *path, const char *ws_path,
				 const char *user_name, gboolean pretty);

G_END_DECLS
