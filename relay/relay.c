/* relay.c — courtav-relay from start to stop (relay.h).
 *
 * Start: state folder, relay key (signs the audit checkpoint), registry
 * (migrated; publish sessions left open by a previous run are ended),
 * accounts, live directory, device-signature checker, the media plane
 * (ingest.h: socket and worker threads), then the HTTP API. Stop
 * (SIGTERM/SIGINT): the API first, so no new work arrives, then the
 * workers. Main thread only.
 */
#include "relay.h"
#include "devauth.h"
#include "directory-private.h"
#include "http-private.h"
#include "ingest.h"
#include "presence.h"
#include "users.h"
#include "common/fsutil.h"

#include <errno.h>
#include <glib-unix.h>
#include <string.h>

struct CavRelay {
	const CavRelayConfig *config; /* unowned */
	CavSigner *signer;            /* owned */
	CavRegistry *registry;        /* owned */
	CavRelayUsers *users;         /* owned */
	CavDirectory *directory;      /* owned */
	CavEventHub *events;          /* owned */
	CavDevAuth *devauth;          /* owned */
	CavIngest *ingest;            /* owned */
	CavPresence *presence;        /* owned */
	CavRelayHttp *http;           /* owned */
};

static CavSigner *
load_key(const CavRelayConfig *c, GError **error)
{
	g_autofree char *key_path = g_build_filename(c->state_dir, "relay-key.pem", NULL);
	g_autofree char *pub_path = g_build_filename(c->state_dir, "relay-key.pub", NULL);
	g_autoptr(CavSigner) signer = cav_signer_load_or_create(key_path, "ed25519", error);
	const char *pem;

	if (signer == NULL)
		return NULL;
	pem = cav_signer_public_pem(signer);
	if (!cav_fs_write_atomic(pub_path, pem, strlen(pem), 0644, error))
		return NULL;
	return g_steal_pointer(&signer);
}

static gboolean
open_state(CavRelay *r, GError **error)
{
	const CavRelayConfig *c = r->config;
	g_autofree char *db = g_build_filename(c->state_dir, "registry.db", NULL);

	if (g_mkdir_with_parents(c->state_dir, 0750) != 0) {
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
			    "cannot create state folder %s: %s", c->state_dir, g_strerror(errno));
		return FALSE;
	}
	r->signer = load_key(c, error);
	if (r->signer == NULL)
		return FALSE;
	r->registry = cav_registry_open(db, r->signer, error);
	if (r->registry == NULL)
		return FALSE;
	if (!cav_registry_live_end_all(r->registry, g_get_real_time(), error))
		return FALSE;
	r->users =
		cav_relay_users_new(r->registry, (gint64)c->session_minutes * 60 * G_USEC_PER_SEC,
				    (gint64)c->lockout_seconds * G_USEC_PER_SEC);
	return TRUE;
}

/* Main thread: facts from the media plane. */
static void
on_publisher(guint64 publish_id, const char *room_key, gboolean active, gpointer user_data)
{
	CavRelay *r = user_data;

	g_message("stream of %s (publish %" G_GUINT64_FORMAT "): %s", room_key, publish_id,
		  active ? "arriving" : "stopped");
	cav_presence_publisher(r->presence, publish_id, room_key, active);
}

static void
on_subscriber_gone(guint64 sub_id, const char *reason, gpointer user_data)
{
	CavRelay *r = user_data;

	if (r->http != NULL)
		cav_relay_live_subscriber_gone(r, sub_id, reason);
}

static const CavIngestEvents ingest_events = {on_publisher, on_subscriber_gone};

CavRelay *
cav_relay_new(const CavRelayConfig *config, GError **error)
{
	g_autoptr(CavRelay) r = g_new0(CavRelay, 1);

	r->config = config;
	if (!open_state(r, error))
		return NULL;
	r->directory = cav_directory_new();
	r->events = cav_event_hub_new();
	r->devauth = cav_devauth_new(r->registry, config->signature_window_s);
	r->presence = cav_presence_new(r);
	r->ingest = cav_ingest_new(r, error);
	if (r->ingest == NULL)
		return NULL;
	cav_ingest_set_events(r->ingest, &ingest_events, r);
	r->http = cav_relay_http_new(r, error);
	if (r->http == NULL)
		return NULL;
	return g_steal_pointer(&r);
}

void
cav_relay_free(CavRelay *r)
{
	if (r == NULL)
		return;
	g_clear_pointer(&r->http, cav_relay_http_free);
	g_clear_pointer(&r->ingest, cav_ingest_free);
	g_clear_pointer(&r->presence, cav_presence_free);
	g_clear_pointer(&r->devauth, cav_devauth_free);
	g_clear_pointer(&r->events, cav_event_hub_free);
	g_clear_pointer(&r->directory, cav_directory_free);
	g_clear_pointer(&r->users, cav_relay_users_free);
	g_clear_pointer(&r->registry, cav_registry_close);
	g_clear_pointer(&r->signer, cav_signer_free);
	g_free(r);
}

const CavRelayConfig *
cav_relay_config(CavRelay *relay)
{
	return relay->config;
}

CavRegistry *
cav_relay_registry(CavRelay *relay)
{
	return relay->registry;
}

CavDirectory *
cav_relay_directory(CavRelay *relay)
{
	return relay->directory;
}

CavRelayUsers *
cav_relay_users(CavRelay *relay)
{
	return relay->users;
}

CavEventHub *
cav_relay_events(CavRelay *relay)
{
	return relay->events;
}

const CavSigner *
cav_relay_signer(CavRelay *relay)
{
	return relay->signer;
}

CavRelayHttp *
cav_relay_http(CavRelay *relay)
{
	return relay->http;
}

CavIngest *
cav_relay_ingest(CavRelay *relay)
{
	return relay->ingest;
}

CavPresence *
cav_relay_presence(CavRelay *relay)
{
	return relay->presence;
}

CavDevAuth *
cav_relay_devauth(CavRelay *relay)
{
	return relay->devauth;
}

const char *
cav_relay_url(CavRelay *relay)
{
	return relay->http != NULL ? relay->http->url : NULL;
}

/* ---- the daemon ------------------------------------------------------------ */

static gboolean
on_signal(gpointer data)
{
	g_message("stop signal received: stopping");
	g_main_loop_quit(data);
	return G_SOURCE_CONTINUE;
}

int
cav_relay_run(const CavRelayConfig *config)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(CavRelay) relay = cav_relay_new(config, &error);
	g_autoptr(GMainLoop) loop = NULL;
	guint sig_term, sig_int;

	if (relay == NULL) {
		g_printerr("courtav-relay: %s\n", error->message);
		return 1;
	}
	loop = g_main_loop_new(NULL, FALSE);
	sig_term = g_unix_signal_add(SIGTERM, on_signal, loop);
	sig_int = g_unix_signal_add(SIGINT, on_signal, loop);
	g_printerr("courtav-relay %s: %s, API at %s/api/v1, media on udp %s:%u\n", CAV_VERSION,
		   config->name, cav_relay_url(relay), config->media_host,
		   cav_ingest_port(relay->ingest));
	if (cav_relay_users_count(relay->users) == 0)
		g_printerr("courtav-relay: no accounts yet: add the first operator with\n"
			   "  courtav-relay --config %s --add-user NAME --role operator"
			   "  (password on standard input)\n",
			   config->path);
	g_main_loop_run(loop);
	g_source_remove(sig_term);
	g_source_remove(sig_int);
	return 0;
}

int
cav_relay_add_user(const CavRelayConfig *c, const char *name, const char *role)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *db = g_build_filename(c->state_dir, "registry.db", NULL);
	g_autofree char *actor = g_strdup_printf("courtav-relay-cli:%s", g_get_user_name());
	g_autoptr(CavSigner) signer = NULL;
	g_autoptr(CavRegistry) reg = NULL;
	CavRelayUsers *users;
	char line[300];
	gsize n;
	gint64 id;

	if (g_mkdir_with_parents(c->state_dir, 0750) != 0) {
		g_printerr("courtav-relay: cannot create %s: %s\n", c->state_dir,
			   g_strerror(errno));
		return 1;
	}
	if (fgets(line, sizeof line, stdin) == NULL) {
		g_printerr("courtav-relay: --add-user reads the password from standard input\n");
		return 2;
	}
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	signer = load_key(c, &error);
	if (signer != NULL)
		reg = cav_registry_open(db, signer, &error);
	if (reg == NULL) {
		g_printerr("courtav-relay: %s\n", error->message);
		return 1;
	}
	users = cav_relay_users_new(reg, 0, 0);
	id = cav_relay_users_add_sync(users, name, role, line, actor, &error);
	explicit_bzero(line, sizeof line);
	cav_relay_users_free(users);
	if (id == 0) {
		g_printerr("courtav-relay: adding the user: %s\n", error->message);
		return 1;
	}
	g_printerr("courtav-relay: user %s (%s) added\n", name, role);
	return 0;
}
