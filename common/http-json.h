/* http-json.h — the JSON answers both HTTP servers write (courtavd's API,
 * courtav-relay's router): a JSON body with Cache-Control: no-store, the
 * bilingual error body {"error": {code, message, message_zh}}, tables that
 * map an error domain's codes to an HTTP status and a stable code string,
 * and a bounded integer query parameter.
 *
 * One difference between the servers is kept as the @pretty parameter:
 * courtavd's API has always answered indented JSON and the relay compact
 * JSON, and each server's clients get the bytes they always got. Each
 * server's own answer functions (api-util.c, relay/http-util.c) pass its
 * value.
 *
 * Main context only: the one that runs the server.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* Sets @status and @b's root as the body (application/json; charset=utf-8),
 * Cache-Control: no-store. @pretty: indented rather than compact. */
void cav_http_respond_json(SoupServerMessage *msg, guint status, JsonBuilder *b, gboolean pretty);

/* {"error": {"code": @code, "message": @en, "message_zh": @zh}} with @status. */
void cav_http_respond_error(SoupServerMessage *msg, guint status, const char *code, const char *en,
			    const char *zh, gboolean pretty);

/* 401 "unauthorized" with "WWW-Authenticate: Bearer realm=\"@realm\"". */
void cav_http_respond_unauthorized(SoupServerMessage *msg, const char *realm, const char *en,
				   const char *zh, gboolean pretty);
/* The same for a call that needs a logged-in user: the login has expired
 * (@had_token) or there was none. */
void cav_http_respond_login_needed(SoupServerMessage *msg, const char *realm, gboolean had_token,
				   gboolean pretty);

/* One row of an error domain's table: its code, the HTTP status it answers
 * and the stable code string of the body ("not-found"). */
typedef struct {
	int code;
	guint status;
	const char *name; /* unowned */
} CavHttpErrorCode;

/* The row of @map (@n_map rows) for @error, when @error is in @domain and
 * its code is in the table; NULL otherwise. (transfer none, nullable) */
const CavHttpErrorCode *cav_http_error_code_find(const GError *error, GQuark domain,
						 const CavHttpErrorCode *map, gsize n_map);

/* An optional query parameter of @query (nullable) in [@min, @max]: absent
 * leaves *@out; otherwise answers 400 "bad-request" and returns FALSE. */
gboolean cav_http_query_int(SoupServerMessage *msg, GHashTable *query, const char *name, gint64 min,
			    gint64 max, gint64 *out, gboolean pretty);

G_END_DECLS
