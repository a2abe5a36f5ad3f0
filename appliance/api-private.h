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

#include <libsoup/soup.h>

#define CAV_API_MAX_BODY (64 * 1024)

struct CavApi {
	CavRoom *room;           /* unowned */
	const CavSigner *signer; /* unowned */
	SoupServer *server;      /* owned */
	GPtrArray *routes;       /* CavApiRoute * (owned) */
	char *url;               /* owned */
};

typedef struct {
	CavApi *api;            /* unowned */
	SoupServerMessage *msg; /* unowned; ref it to answer later */
	GHashTable *query;      /* unowned, nullable */
	gint64 id;              /* the path's {id}, 0 when the route has none */
	const char *actor;      /* who is asking, for audit rows (unowned) */
} CavApiRequest;

/* Who may call a route. Enforced by the router once user accounts exist
 * (issue 4); until then the API is loopback-only and every route is open. */
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
 * "{id}" matches a positive integer, other segments match literally.
 * @roles: CavRole bits allowed, or CAV_ROLES_PUBLIC. */
void cav_api_route(CavApi *api, const char *method, const char *pattern, guint roles,
		   CavApiHandler handler);

/* Area registrations (one file each). */
void cav_api_cases_register(CavApi *api);
void cav_api_hearings_register(CavApi *api);
void cav_api_device_register(CavApi *api);

/* ---- answers (api-util.c) ------------------------------------------------ */

void cav_api_respond_json(SoupServerMessage *msg, guint status, JsonBuilder *b);
/* A bilingual error as {"error": {code, message, message_zh}} with the
 * status its code maps to (docs/API.md). */
void cav_api_respond_error(SoupServerMessage *msg, const GError *error);
/* 400 with an English message (printf) and a Chinese one. */
void cav_api_respond_bad(SoupServerMessage *msg, const char *zh, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);
void cav_api_respond_not_found(SoupServerMessage *msg);

/* ---- requests (api-util.c) ----------------------------------------------- */

/* The caller's name for audit rows (X-Cav-Actor, else "local"). */
const char *cav_api_actor(SoupServerMessage *msg);
/* The body as a JSON object whose members are all in @allowed; an empty
 * body is an empty object. Otherwise answers 400 and returns NULL. */
JsonObject *cav_api_read_body(SoupServerMessage *msg, const char *const *allowed);
/* Optional typed members: absent leaves *out; wrong type answers 400, FALSE. */
gboolean cav_api_get_string(SoupServerMessage *msg, JsonObject *o, const char *name,
			    const char **out);
gboolean cav_api_get_bool(SoupServerMessage *msg, JsonObject *o, const char *name,
			  gboolean *out);
/* A required positive integer member; otherwise answers 400, FALSE. */
gboolean cav_api_get_id(SoupServerMessage *msg, JsonObject *o, const char *name, gint64 *out);
