/* api-private.h — what the api*.c files share: the router, the request a
 * handler gets, and the helpers that read bodies and write answers.
 *
 * An area of the API is one file with one registration function
 * (api-cases.c: cav_api_cases_register), which adds its routes with
 * cav_api_route(). Main thread only.
 */
#pragma once

#include "api.h"
#include "api-json.h"
#include "errors.h"
#include "preview.h"
#include "users.h"
#include "common/http-json.h"
#include "common/http-limits.h"
#include "common/http-reaper.h"
#include "common/http-route.h"

#include <libsoup/soup.h>

#define CAV_API_MAX_BODY (64 * 1024)
/* A request body must arrive within this time once its headers have. */
#define CAV_API_BODY_TIMEOUT_S 10

struct CavApi {
	CavRoom *room;           /* unowned */
	const CavSigner *signer; /* unowned */
	CavUsers *users;         /* owned */
	CavPreview *preview;     /* owned */
	SoupServer *server;      /* owned */
	CavHttpReaper *reaper;   /* closes connections dropped while idle (owned) */
	GPtrArray *routes;       /* CavHttpRoute * (owned) */
	char *url;               /* owned */
	char *panel_url;         /* owned, nullable */
	/* Live state the hub reports (api-room.c): */
	guint hub_sub;       /* subscription id, 0 when none */
	GHashTable *sources; /* source id -> JsonNode * of its last "source" event (owned) */
	JsonNode *levels;    /* the last "levels" event (owned, nullable) */
	GPtrArray *sockets;  /* WebSocket clients (api-ws.c) (owned) */
};

typedef struct {
	CavApi *api;            /* unowned */
	SoupServerMessage *msg; /* unowned; ref it to answer later */
	GHashTable *query;      /* unowned, nullable */
	gint64 id;              /* the path's {id}, 0 when the route has none */
	const char *name;       /* the path's {name}, NULL when the route has none (unowned) */
	const char *actor;      /* the logged-in user's name, for audit rows (unowned) */
	const CavUserRow *user; /* the logged-in user; NULL on public routes (unowned) */
	const char *token;      /* the bearer token (unowned, nullable) */
} CavApiRequest;

/* Who may call a route, enforced by the router: no or an expired token →
 * 401, a role not in the route's set → 403. */
typedef enum {
	CAV_ROLE_CLERK = 1 << 0,
	CAV_ROLE_JUDGE = 1 << 1,
	CAV_ROLE_TECHNICIAN = 1 << 2,
	CAV_ROLE_ADMIN = 1 << 3,
} CavRole;
#define CAV_ROLES_PUBLIC 0 /* no login (e.g. the in-room status display) */
#define CAV_ROLES_ANY (CAV_ROLE_CLERK | CAV_ROLE_JUDGE | CAV_ROLE_TECHNICIAN | CAV_ROLE_ADMIN)
#define CAV_ROLES_COURT (CAV_ROLE_CLERK | CAV_ROLE_JUDGE)

/* Answers @req->msg, now or (after soup_server_message_pause) later. */
typedef void (*CavApiHandler)(CavApiRequest *req);

/* Adds a route. @pattern is relative to /api/v1, e.g. "/hearings/{id}/marks";
 * "{id}" matches a positive integer, "{name}" an id of 1–32 letters, digits,
 * '-' or '_'; other segments match literally.
 * @roles: CavRole bits allowed, or CAV_ROLES_PUBLIC. */
void cav_api_route(CavApi *api, const char *method, const char *pattern, guint roles,
		   CavApiHandler handler);

/* Role name → bit, 0 when unknown; and the names of @roles, comma-separated
 * ("public" for none). (transfer full) */
guint cav_api_role_bit(const char *role);
char *cav_api_roles_string(guint roles);

/* Area registrations (one file each). */
void cav_api_cases_register(CavApi *api);
void cav_api_hearings_register(CavApi *api);
void cav_api_device_register(CavApi *api);
void cav_api_auth_register(CavApi *api); /* api-auth.c: login, users */
void cav_api_room_register(
	CavApi *api); /* api-room.c: layout, sources, levels, storage, alarms, audit */
void cav_api_preview_register(CavApi *api);  /* api-preview.c: JPEG snapshots */
void cav_api_quality_register(CavApi *api);  /* api-quality.c: hearing quality reports */
void cav_api_disc_register(CavApi *api);     /* api-disc.c: plan, author, burn, jobs, drives */
void cav_api_evidence_register(CavApi *api); /* api-evidence.c: evidence inputs in use */

/* api-room.c: follows the room's hub for source health and levels. */
void cav_api_room_start(CavApi *api);
void cav_api_room_stop(CavApi *api);
/* api-ws.c: the WebSocket /api/v1/events. @user is the authenticated name,
 * @expires_us when its session ends. */
void cav_api_ws_start(CavApi *api);
void cav_api_ws_connected(SoupServer *server, SoupServerMessage *msg, const char *path,
			  SoupWebsocketConnection *conn, gpointer user_data);
void cav_api_ws_stop(CavApi *api);
/* api-static.c: GET of the web UI's files below ui_dir. */
void cav_api_static_handler(SoupServer *server, SoupServerMessage *msg, const char *path,
			    GHashTable *query, gpointer user_data);

/* ---- answers (api-util.c) ------------------------------------------------ */

void cav_api_respond_json(SoupServerMessage *msg, guint status, JsonBuilder *b);
/* A bilingual error as {"error": {code, message, message_zh}} with the
 * status its code maps to (docs/API.md). */
void cav_api_respond_error(SoupServerMessage *msg, const GError *error);
/* 400 with an English message (printf) and a Chinese one. */
void cav_api_respond_bad(SoupServerMessage *msg, const char *zh, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);
void cav_api_respond_not_found(SoupServerMessage *msg);
/* Any status with a bilingual error body. */
void cav_api_respond_status(SoupServerMessage *msg, guint status, const char *code, const char *en,
			    const char *zh);

/* ---- requests (api-util.c) ----------------------------------------------- */

/* The bearer token and the peer's address are common/http-route.h's
 * cav_http_bearer() and cav_http_peer(). */
/* The body as a JSON object whose members are all in @allowed; an empty
 * body is an empty object. Otherwise answers 400 and returns NULL. */
JsonObject *cav_api_read_body(SoupServerMessage *msg, const char *const *allowed);
/* Optional typed members: absent leaves *out; wrong type answers 400, FALSE. */
gboolean cav_api_get_string(SoupServerMessage *msg, JsonObject *o, const char *name,
			    const char **out);
gboolean cav_api_get_bool(SoupServerMessage *msg, JsonObject *o, const char *name, gboolean *out);
/* Optional query parameter in [@min, @max]: absent leaves *out; otherwise
 * answers 400 and returns FALSE. */
gboolean cav_api_query_int(CavApiRequest *req, const char *name, gint64 min, gint64 max,
			   gint64 *out);
/* A required positive integer member; otherwise answers 400, FALSE. */
gboolean cav_api_get_id(SoupServerMessage *msg, JsonObject *o, const char *name, gint64 *out);
