/* ctl-client.h — courtavctl's blocking HTTP+JSON client for the courtavd API
 * (docs/API.md).
 *
 * Synchronous libsoup 3 on the CLI's only thread. Every request carries the
 * login's bearer token (courtavctl login) and names its caller in
 * X-Cav-Actor (informative only: audit rows name the user), never goes
 * through a proxy (the API is loopback
 * only) and has a timeout, so a wedged daemon cannot hang a script. Failures
 * come back as CAV_CTL_ERROR: UNREACHABLE when nothing answers, TIMEOUT, API
 * (with the daemon's English and Chinese messages) or PROTOCOL.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define CAV_CTL_TIMEOUT_S 30
/* pause and close return once every open segment is closed and hashed. */
#define CAV_CTL_SLOW_TIMEOUT_S 120

typedef struct CavCtlClient CavCtlClient;

/* @api_url as accepted by cav_ctl_api_url_normalize(); @actor is sent in
 * X-Cav-Actor. (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
CavCtlClient *cav_ctl_client_new(const char *api_url, const char *actor, GError **error);
void cav_ctl_client_free(CavCtlClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavCtlClient, cav_ctl_client_free)

/* The normalised base URL, without a trailing slash. (transfer none) */
const char *cav_ctl_client_url(const CavCtlClient *client);
/* Timeout of the following requests, in seconds. */
void cav_ctl_client_set_timeout(CavCtlClient *client, guint seconds);
/* The bearer token sent with every following request (nullable: none). */
void cav_ctl_client_set_token(CavCtlClient *client, const char *token);

/* Sends @method @path (e.g. "/api/v1/cases") with @body (nullable; an
 * object, sent as JSON) and returns the 2xx answer, whose root is a JSON
 * object; @out_raw (nullable) gets its exact bytes. (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
JsonNode *cav_ctl_client_call(CavCtlClient *client, const char *method, const char *path,
			      JsonNode *body, GBytes **out_raw, GError **error);

/* GETs a non-JSON resource and returns its exact bytes; @out_headers
 * (nullable) gets the response headers. (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
GBytes *cav_ctl_client_get_raw(CavCtlClient *client, const char *path,
			       SoupMessageHeaders **out_headers, GError **error);

/* "host:port" gets "http://"; the result has no trailing slash. Only http
 * and https URLs with a host and no query are accepted. (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
char *cav_ctl_api_url_normalize(const char *url, GError **error);

/* "$USER@hostname". (transfer full) */
char *cav_ctl_actor(void);

G_END_DECLS
