/* fuzz-relay-api.c — libFuzzer target for the relay's control-API bodies:
 * each input is sent, as is, to every call that takes a body from an
 * appliance (heartbeat, stream, enrollment; device-signed) or a user
 * (enrollment tokens, subscriptions, login), on a real in-process relay
 * over loopback HTTP. Every answer must be a 2xx or 4xx — never a 5xx,
 * never a crash — and the relay must still answer afterwards.
 */
#include "../relay/relay-fixture.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static RelayFixture *fixture;

static void
setup(void)
{
	g_autofree char *token = NULL;
	const char *hb = "{\"room\":{\"id\":\"r1\"},\"state\":\"idle\"}";

	g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL);
	g_log_set_handler("courtav-relay", G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO,
			  g_log_default_handler, NULL);
	fixture = relay_fixture_new();
	token = relay_enrollment_token(fixture, "fz");
	if (relay_enroll(fixture, token, NULL) != 201 ||
	    relay_signed(fixture, "POST", "/api/v1/appliance/heartbeat", hb, NULL) != 200)
		abort();
}

static void
check(const char *what, guint status)
{
	if (status == 0 || status >= 500) {
		g_printerr("fuzz-relay-api: %s answered %u\n", what, status);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *body = NULL;

	if (fixture == NULL)
		setup();
	/* Oversized bodies are refused before they are read (413, covered by
	 * test-relay); what is fuzzed here is what the handlers parse. */
	if (size > CAV_RELAY_MAX_BODY)
		return 0;
	/* Bodies are text: an embedded NUL ends it, as it would in C. */
	body = g_strndup((const char *)data, size);
	check("heartbeat",
	      relay_signed(fixture, "POST", "/api/v1/appliance/heartbeat", body, NULL));
	check("streams", relay_signed(fixture, "POST", "/api/v1/appliance/streams", body, NULL));
	check("enroll", relay_signed(fixture, "POST", "/api/v1/appliance/enroll", body, NULL));
	check("enrollments",
	      relay_http(fixture, "POST", "/api/v1/enrollments", fixture->op_token, body, NULL));
	{
		/* A subscription the body made is ended again, so the relay's
		 * bound on subscribers (503) is never what a later input meets. */
		g_autofree char *answer = NULL;
		g_autoptr(JsonParser) p = json_parser_new();
		guint st = relay_http(fixture, "POST", "/api/v1/live/fz/r1/subscribers",
				      fixture->op_token, body, &answer);

		check("subscribers", st);
		if (st == 201 && json_parser_load_from_data(p, answer, -1, NULL)) {
			JsonObject *o = json_node_get_object(json_parser_get_root(p));
			g_autofree char *path =
				g_strdup_printf("/api/v1/live/fz/r1/subscribers/%" G_GINT64_FORMAT,
						json_object_get_int_member(o, "id"));

			if (relay_http(fixture, "DELETE", path, fixture->op_token, NULL, NULL) !=
			    200)
				abort();
		}
	}
	check("login", relay_http(fixture, "POST", "/api/v1/login", NULL, body, NULL));
	if (relay_http(fixture, "GET", "/api/v1/stats", fixture->op_token, NULL, NULL) != 200)
		abort();
	return 0;
}
