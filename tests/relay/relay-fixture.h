/* relay-fixture.h — an in-process courtav-relay on loopback for tests, and
 * small clients of it: HTTP (bearer or device-signed), a publisher that
 * speaks SRTP like the appliance's streamer, a subscriber that checks what
 * it receives. Main thread; the helpers run the main loop while waiting.
 */
#pragma once

#include "relay/relay.h"
#include "relay/http-private.h"
#include "relay/stats.h"
#include "relay/stream.h"
#include "common/reqsign.h"
#include "common/rtp.h"
#include "common/srtp.h"

#include <netinet/in.h>

typedef struct {
	char *dir;              /* owned, removed at the end */
	CavRelayConfig *config; /* owned */
	CavRelay *relay;        /* owned */
	char *url;              /* owned */
	char *op_token;         /* owned */
	CavSigner *signer;      /* the "appliance" key (owned) */
	guint key_n;
	SoupSession *session; /* owned */
} RelayFixture;

RelayFixture *relay_fixture_new(void);
/* The same with extra [relay] lines (e.g. TLS files). */
RelayFixture *relay_fixture_new_with(const char *relay_lines);
void relay_fixture_free(RelayFixture *f);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RelayFixture, relay_fixture_free)
/* A fresh device key for the next requests. */
void relay_fixture_new_key(RelayFixture *f);

/* Runs the main loop for @ms. */
void relay_wait(RelayFixture *f, guint ms);
/* One request; returns the status, *out_body (nullable) the body. */
guint relay_http(RelayFixture *f, const char *method, const char *path, const char *bearer,
		 const char *body, char **out_body);
char *relay_login(RelayFixture *f, const char *name, const char *password);
char *relay_enrollment_token(RelayFixture *f, const char *appliance);
guint relay_enroll(RelayFixture *f, const char *token, char **out_body);
/* Device-signed by the fixture's key. */
guint relay_signed(RelayFixture *f, const char *method, const char *path, const char *body,
		   char **out_body);
guint relay_signed_with(RelayFixture *f, const char *method, const char *path, const char *body,
			const CavReqSig *sig, char **out_body);

typedef struct {
	int fd;
	CavSrtp *tx, *rx;
	guint32 ssrc_v, ssrc_a;
	guint16 seq;
	guint32 ts;
	guint8 last[2048]; /* the last protected packet, for replays */
	gsize last_len;
	guint plis;
} TestPublisher;

TestPublisher *test_publisher_new(RelayFixture *f, const char *room);
void test_publisher_free(TestPublisher *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TestPublisher, test_publisher_free)
/* @n video packets (the first an IDR when @key), one per frame. */
void test_publisher_send(TestPublisher *p, guint n, gboolean key);
/* Tampered, replayed, unknown-SSRC, oversize, short, version-1 and
 * wrong-payload-type datagrams. */
void test_publisher_send_bad(TestPublisher *p);
/* PLIs received from the relay so far. */
guint test_publisher_plis(TestPublisher *p);

typedef struct {
	int fd;
	CavSrtp *tx, *rx;
	guint32 rtcp_ssrc;
	guint32 ssrc; /* of the first video packet */
	guint ssrc_changes;
	gboolean init;
	guint16 max_seq;
	guint32 last_ts;
	guint video, gaps, late, big_jumps, ts_backwards, auth_fail;
	guint drop_index; /* > 0: the datagram of that number is "lost" unread */
	guint received;
	guint16 dropped_seq;
	struct sockaddr_in relay;
} TestSubscriber;

TestSubscriber *test_subscriber_new(RelayFixture *f, const char *room_key);
void test_subscriber_free(TestSubscriber *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TestSubscriber, test_subscriber_free)
/* Drains what arrived within @ms. */
void test_subscriber_receive(RelayFixture *f, TestSubscriber *s, guint ms);
void test_subscriber_nack(TestSubscriber *s, guint16 seq);
