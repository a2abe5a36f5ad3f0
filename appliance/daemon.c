/* daemon.c — courtavd from start to stop.
 *
 * Start: state folder, database (migrated), device key (created on first
 * start, public half exported beside it), room, recovery of whatever a crash
 * left, API, then READY to systemd. Every second the heartbeat row is
 * rewritten: after a power loss it bounds when recording stopped.
 * Stop (SIGTERM/SIGINT): the room closes the current segments cleanly
 * before the loop ends; a second signal quits at once (files keep their
 * complete fragments). Main thread only.
 */
#include "daemon.h"
#include "api.h"
#include "errors.h"
#include "notify.h"
#include "relay-link.h"
#include "room.h"
#include "store.h"
#include "store-users.h"
#include "users.h"
#include "common/fsutil.h"
#include "common/signer.h"

#include <errno.h>
#include <glib-unix.h>
#include <gst/gst.h>
#include <string.h>

typedef struct {
	GMainLoop *loop; /* owned */
	CavRoom *room;   /* unowned */
	CavStore *store; /* unowned */
	gboolean stopping;
} Daemon;

static gboolean
on_heartbeat(gpointer data)
{
	Daemon *d = data;
	g_autoptr(GError) error = NULL;

	if (!cav_store_heartbeat_set(d->store, g_get_real_time(), &error))
		g_warning("heartbeat: %s", error->message);
	return G_SOURCE_CONTINUE;
}

static void
on_shutdown_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Daemon *d = user_data;

	g_message("recording stopped cleanly; exiting");
	g_main_loop_quit(d->loop);
}

static gboolean
on_signal(gpointer data)
{
	Daemon *d = data;

	if (d->stopping) {
		g_warning("second stop signal: quitting without waiting");
		g_main_loop_quit(d->loop);
		return G_SOURCE_CONTINUE;
	}
	d->stopping = TRUE;
	g_message("stop signal received: closing the current segments");
	cav_notify_stopping();
	cav_room_shutdown(d->room, on_shutdown_done, d);
	return G_SOURCE_CONTINUE;
}

static CavSigner *
load_device_key(const CavConfig *c, GError **error)
{
	g_autofree char *key_path = g_build_filename(c->state_dir, "device-key.pem", NULL);
	g_autofree char *pub_path = g_build_filename(c->state_dir, "device-key.pub", NULL);
	g_autoptr(CavSigner) signer = cav_signer_load_or_create(key_path, c->sig_alg, error);
	const char *pem;

	if (signer == NULL)
		return NULL;
	pem = cav_signer_public_pem(signer);
	/* Exported beside the database for offline checks (courtavctl audit
	 * verify, disc verification); copy it off the device to pin it. */
	if (!cav_fs_write_atomic(pub_path, pem, strlen(pem), 0644, error))
		return NULL;
	g_message("device key %s (%s), public key in %s", cav_signer_key_id(signer),
		  cav_signer_alg(signer), pub_path);
	return g_steal_pointer(&signer);
}

static int
fail(const char *what, GError *error)
{
	g_autofree char *en = cav_error_en(error);

	g_printerr("courtavd: %s: %s\n", what, en);
	return 1;
}

int
cav_daemon_run(const CavConfig *c)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *db_path = g_build_filename(c->state_dir, "courtav.db", NULL);
	g_autoptr(CavStore) store = NULL;
	g_autoptr(CavSigner) signer = NULL;
	g_autoptr(CavRoom) room = NULL;
	g_autoptr(CavApi) api = NULL;
	g_autoptr(CavRelayLink) relay = NULL;
	Daemon d = {0};
	guint sig_term, sig_int, heartbeat;

	if (g_mkdir_with_parents(c->state_dir, 0750) != 0) {
		g_printerr("courtavd: cannot create state folder %s: %s\n", c->state_dir,
			   g_strerror(errno));
		return 1;
	}
	store = cav_store_open(db_path, &error);
	if (store == NULL)
		return fail("database", error);
	signer = load_device_key(c, &error);
	if (signer == NULL)
		return fail("device key", error);
	room = cav_room_new(c, store, signer, &error);
	if (room == NULL)
		return fail("room", error);
	if (!cav_room_recover(room, &error))
		return fail("recovery", error);
	api = cav_api_new(room, signer, &error);
	if (api == NULL)
		return fail("API", error);
	relay = cav_relay_link_new(room, signer, &error); /* NULL without [relay] url */
	if (relay == NULL && error != NULL)
		return fail("relay link", error);

	d.loop = g_main_loop_new(NULL, FALSE);
	d.room = room;
	d.store = store;
	sig_term = g_unix_signal_add(SIGTERM, on_signal, &d);
	sig_int = g_unix_signal_add(SIGINT, on_signal, &d);
	on_heartbeat(&d);
	heartbeat = g_timeout_add_seconds(1, on_heartbeat, &d);
	cav_notify_watchdog_start();
	g_printerr("courtavd %s: room %s (%s), API at %s/api/v1, media in %s\n", CAV_VERSION,
		   c->room_id, c->room_name, cav_api_url(api), c->media_dir);
	g_printerr("courtavd: touch panel at %s/panel/ (files from %s)\n",
		   cav_api_panel_url(api) ? cav_api_panel_url(api) : cav_api_url(api), c->ui_dir);
	if (cav_store_user_count(store, NULL) == 0)
		g_printerr("courtavd: no user accounts yet: create the first admin with\n"
			   "  courtavd --config %s --add-user NAME --role admin --secret-kind "
			   "password  (secret on standard input)\n",
			   c->path);
	cav_notify_ready("serving");
	g_main_loop_run(d.loop);

	g_source_remove(sig_term);
	g_source_remove(sig_int);
	g_source_remove(heartbeat);
	g_clear_pointer(&relay, cav_relay_link_free);
	g_clear_pointer(&api, cav_api_free);
	g_clear_pointer(&room, cav_room_free);
	g_main_loop_unref(d.loop);
	return 0;
}

int
cav_daemon_add_user(const CavConfig *c, const char *name, const char *role, const char *secret_kind)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *db_path = g_build_filename(c->state_dir, "courtav.db", NULL);
	g_autoptr(CavStore) store = NULL;
	g_autoptr(CavSigner) signer = NULL;
	g_autoptr(CavUsers) users = NULL;
	g_autofree char *hash = NULL;
	g_autofree char *actor = g_strdup_printf("courtavd-cli:%s", g_get_user_name());
	char line[300];
	gsize n;

	if (g_mkdir_with_parents(c->state_dir, 0750) != 0) {
		g_printerr("courtavd: cannot create state folder %s: %s\n", c->state_dir,
			   g_strerror(errno));
		return 1;
	}
	if (fgets(line, sizeof line, stdin) == NULL) {
		g_printerr("courtavd: --add-user reads the PIN or password from standard input\n");
		return 2;
	}
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	store = cav_store_open(db_path, &error);
	if (store == NULL)
		return fail("database", error);
	signer = load_device_key(c, &error);
	if (signer == NULL)
		return fail("device key", error);
	users = cav_users_new(store, signer, 0, 0);
	hash = cav_users_hash_secret_sync(users, secret_kind, line, &error);
	explicit_bzero(line, sizeof line);
	if (hash == NULL ||
	    cav_users_add(users, name, NULL, role, secret_kind, hash, actor, &error) == 0)
		return fail("adding the user", error);
	g_printerr("courtavd: user %s (%s) added\n", name, role);
	return 0;
}
