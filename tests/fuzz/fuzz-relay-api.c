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
	g_log_set_handler("courtav-relay", G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO, g_log_default_handler,
			  NULL);
	fixture = relay_fixture_new();
	token = relay_enrollment_token(fixture, "fz");
	if (relay_enroll(fixture, token, NULL) != 201 ||
	    relay_signed(fixture, "POST", "/api/v1/appliance/heartbeat", hb, NULL) != 200)
		abort();
}

static void
check(guint status)
{
	if (status == 0 || status >= 500)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *body = NULL;

	if (fixture == NULL)
		setup();
	if (size > 70 * 1024)
		return 0;
	/* Bodies are text: an embedded NUL ends it, as it would in C. */
	body = g_strndup((const char *)data, size);
	check(relay_signed(fixture, "POST", "/api/v1/appliance/heartbeat", body, NULL));
	check(relay_signed(fixture, "POST", "/api/v1/appliance/streams", body, NULL));
	check(relay_signed(fixture, "POST", "/api/v1/appliance/enroll", body, NULL));
	check(relay_http(fixture, "POST", "/api/v1/enrollments", fixture->op_token, body, NULL));
	check(relay_http(fixture, "POST", "/api/v1/live/fz/r1/subscribers", fixture->op_token, body,
			 NULL));
	check(relay_http(fixture, "POST", "/api/v1/login", NULL, body, NULL));
	if (relay_http(fixture, "GET", "/api/v1/stats", fixture->op_token, NULL, NULL) != 200)
		abort();
	return 0;
}
