/* http-private.h — the relay's HTTP router, shared by every api-*.c file.
 *
 * One file per area registers its routes with cav_relay_route() from a
 * registration function listed in http.c's `areas[]` table (one line per
 * area: add yours there and declare it below). Patterns are absolute paths:
 * "/api/v1/appliances/{id}", "/hls/{key}/{file}".
 *
 * The router authenticates before the handler runs:
 *   - OPERATOR / INSPECTOR routes need "Authorization: Bearer <session
 *     token>" (or, for a WebSocket, the subprotocol "cav.token.<T>") of a
 *     user with one of the route's roles: 401 without a valid token, 403
 *     for a role not in the set;
 *   - APPLIANCE routes need a request signed by an enrolled appliance's
 *     device key (devauth.h): 401 otherwise;
 *   - PUBLIC routes (roles 0) need nothing; if a valid bearer token comes
 *     along anyway, req->user is set, so a public route may show more to a
 *     logged-in user.
 * Bodies are bounded (CAV_RELAY_MAX_BODY: 413), and must arrive within
 * CAV_RELAY_BODY_TIMEOUT_S of their headers.
 *
 * Main thread only: handlers run on the control plane's main context. A
 * handler answers now, or pauses the message (soup_server_message_pause)
 * and answers later from the main context.
 */
#pragma once

#include "relay.h"
#include "registry.h"
#include "users.h"
#include "common/http-json.h"
#include "common/http-limits.h"
#include "common/http-reaper.h"
#include "common/http-route.h"
#include "common/srtp.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdio.h>

G_BEGIN_DECLS

#define CAV_RELAY_MAX_BODY (64 * 1024)
#define CAV_RELAY_BODY_TIMEOUT_S 10

/* Who may call a route. */
typedef enum {
	CAV_RELAY_ROLE_OPERATOR = 1 << 0,  /* runs the relay: accounts, appliances, cut */
	CAV_RELAY_ROLE_INSPECTOR = 1 << 1, /* watches any room (庭审巡查) */
	CAV_RELAY_ROLE_APPLIANCE = 1 << 2, /* a device-signed request (devauth.h) */
} CavRelayRole;
#define CAV_RELAY_ROLES_PUBLIC 0 /* anyone */
#define CAV_RELAY_ROLES_STAFF (CAV_RELAY_ROLE_OPERATOR | CAV_RELAY_ROLE_INSPECTOR)

struct CavRelayHttp {
	CavRelay *relay;       /* unowned */
	SoupServer *server;    /* owned */
	GPtrArray *routes;     /* CavHttpRoute * (owned) */
	char *url;             /* the control API's base URL, no trailing slash (owned) */
	GPtrArray *sockets;    /* WebSocket clients of /api/v1/events (api-ws.c) (owned) */
	guint hub_sub;         /* event hub subscription of api-ws.c, 0 when none */
	GHashTable *area_data; /* area name -> its state (owned values, via destroy notify) */
	CavHttpReaper *reaper; /* closes connections dropped while idle (owned) */
};

typedef struct {
	CavRelayHttp *http;     /* unowned */
	CavRelay *relay;        /* unowned */
	SoupServerMessage *msg; /* unowned; ref it to answer later */
	const char *path;       /* the request path (unowned) */
	GHashTable *query;      /* unowned, nullable */
	gint64 id;              /* the path's {id}, 0 when the route has none */
	const char *name;       /* the path's {name}, NULL when none (unowned) */
	const char *key;        /* the path's {key}: a room key "<appliance>/<room>" (unowned) */
	const char *file;       /* the path's {file}, NULL when none (unowned) */
	/* Who is asking (any of these may be NULL on a PUBLIC route): */
	const CavRelayUser *user;         /* a logged-in user (unowned) */
	guint role;                       /* CavRelayRole bit of the caller, 0 when anonymous */
	const char *actor;                /* user name, "appliance:<id>" or "public" (unowned) */
	const CavApplianceRow *appliance; /* the signing appliance (unowned) */
	const char *token;                /* the bearer token (unowned, nullable) */
} CavRelayRequest;

typedef void (*CavRelayHandler)(CavRelayRequest *req);

/* Adds a route. @pattern is an absolute path whose segments match
 * literally, except:
 *   {id}   a positive decimal integer          → req->id
 *   {name} 1–32 of [A-Za-z0-9_-]               → req->name
 *   {key}  TWO segments, each a {name}: a room key "a1/101" → req->key
 *   {file} 1–64 of [A-Za-z0-9._-], not starting with '.' → req->file
 * @roles: CavRelayRole bits allowed, or CAV_RELAY_ROLES_PUBLIC.
 * The first matching route (registration order) wins. */
void cav_relay_route(CavRelayHttp *http, const char *method, const char *pattern, guint roles,
		     CavRelayHandler handler);

/* Per-area state kept by the router until it is freed (e.g. the HLS
 * output's object): @destroy frees @data then. */
void cav_relay_http_set_area_data(CavRelayHttp *http, const char *area, gpointer data,
				  GDestroyNotify destroy);
gpointer cav_relay_http_get_area_data(CavRelayHttp *http, const char *area);

/* ---- area registrations: one line each in http.c's areas[] --------------- */
void cav_relay_api_auth_register(CavRelayHttp *http); /* api-auth.c: login, users */
void cav_relay_api_appliance_register(
	CavRelayHttp *http); /* api-appliance.c: enroll, heartbeat, stream keys */
void cav_relay_api_admin_register(
	CavRelayHttp *http); /* api-admin.c: enrollments, appliances, rooms, stats */
void cav_relay_api_live_register(
	CavRelayHttp *http); /* api-live.c: internal subscribers, live directory */
void cav_relay_api_ws_register(CavRelayHttp *http);     /* api-ws.c: the WebSocket event stream */
void cav_relay_api_public_register(CavRelayHttp *http); /* api-public.c: public HLS, cut */
void cav_relay_api_ui_register(CavRelayHttp *http);     /* api-ui.c: watch page, console files */
void cav_relay_api_view_register(CavRelayHttp *http);   /* view.c: the console's low-latency view */

/* ---- answers (http-util.c) ------------------------------------------------ */

/* Serialises @b's root as the body, Cache-Control: no-store. */
void cav_relay_respond_json(SoupServerMessage *msg, guint status, JsonBuilder *b);
/* A success with nothing to say: 200 {"ok":true} (not 204, see http-util.c). */
void cav_relay_respond_no_content(SoupServerMessage *msg);
/* {"error": {code, message, message_zh}} with @status. */
void cav_relay_respond_error(SoupServerMessage *msg, guint status, const char *code, const char *en,
			     const char *zh);
/* 400 "bad-request" with an English message (printf) and a Chinese one. */
void cav_relay_respond_bad(SoupServerMessage *msg, const char *zh, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);
void cav_relay_respond_not_found(SoupServerMessage *msg);
/* A GError: bilingual (appliance/errors.h) messages are split; registry
 * NOT_FOUND → 404, CONSTRAINT → 409, users errors by code, else 500 (logged). */
void cav_relay_respond_gerror(SoupServerMessage *msg, const GError *error);

/* ---- requests (http-util.c) ----------------------------------------------- */

/* The bearer token and the peer's address are common/http-route.h's
 * cav_http_bearer() and cav_http_peer(). */
/* The body as a JSON object whose members are all in @allowed; an empty
 * body is an empty object. Otherwise answers 400 and returns NULL.
 * (transfer full) */
JsonObject *cav_relay_read_body(SoupServerMessage *msg, const char *const *allowed);
/* Optional typed members: absent leaves *out; a wrong type answers 400 and
 * returns FALSE. Strings must be valid UTF-8 of at most @max_len bytes. */
gboolean cav_relay_get_string(SoupServerMessage *msg, JsonObject *o, const char *name,
			      gsize max_len, const char **out);
gboolean cav_relay_get_bool(SoupServerMessage *msg, JsonObject *o, const char *name, gboolean *out);
gboolean cav_relay_get_int(SoupServerMessage *msg, JsonObject *o, const char *name, gint64 min,
			   gint64 max, gint64 *out);
/* Optional query parameter in [@min, @max]; otherwise 400, FALSE. */
gboolean cav_relay_query_int(CavRelayRequest *req, const char *name, gint64 min, gint64 max,
			     gint64 *out);
/* An audit row by the request's actor; logs (does not answer) on failure. */
void cav_relay_audit_req(CavRelayRequest *req, const char *action, const char *object,
			 const char *detail_json);
/* Adds "<name>_us" (null when 0). */
void cav_relay_json_time(JsonBuilder *b, const char *name, gint64 us);
/* A live directory entry as a JSON object (api-admin.c). */
void cav_relay_json_live_entry(JsonBuilder *b, const CavLiveEntry *entry);
/* An appliance row with its online state (api-appliance.c). */
void cav_relay_json_appliance(JsonBuilder *b, CavRelay *relay, const CavApplianceRow *a);
/* suite, key, media_host, media_port, pt_video, pt_audio members (api-appliance.c). */
void cav_relay_json_media(JsonBuilder *b, CavRelayRequest *req, CavSrtpSuite suite,
			  const char *key_b64);
/* The optional "suite" member (default AES-GCM); 400 and FALSE when unknown. */
gboolean cav_relay_parse_suite(CavRelayRequest *req, JsonObject *o, CavSrtpSuite *out);
/* From the ingest: the media plane dropped subscriber @id (api-live.c). */
void cav_relay_live_subscriber_gone(CavRelay *relay, guint64 id, const char *reason);
/* Counts a rejected request body (stats: "api_bad_bodies"). */
void cav_relay_count_bad_body(void);

/* ---- router internals used by api-ws.c ------------------------------------- */

/* Subprotocols the WebSocket accepts. */
#define CAV_RELAY_WS_PROTOCOL "cav.v1"
void cav_relay_ws_connected(SoupServer *server, SoupServerMessage *msg, const char *path,
			    SoupWebsocketConnection *conn, gpointer user_data);
void cav_relay_ws_stop(CavRelayHttp *http);

/* Creates the server, registers every area, listens. (transfer full) */
CavRelayHttp *cav_relay_http_new(CavRelay *relay, GError **error);
void cav_relay_http_free(CavRelayHttp *http);
/* Every route with its roles, one per line (--list-routes). */
void cav_relay_http_print_routes(FILE *out);

G_END_DECLS
