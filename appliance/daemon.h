/* daemon.h — courtavd's start-up, main loop and orderly shutdown.
 * Main thread only.
 */
#pragma once

#include <glib.h>
#include "config.h"

G_BEGIN_DECLS

/* Runs the daemon until SIGTERM/SIGINT. Returns the process exit status. */
int cav_daemon_run(const CavConfig *config);

/* courtavd --add-user: creates a user in the configured database (the
 * daemon may be running) with the secret read from the first line of
 * standard input, audited as "courtavd-cli" (the first admin, the demo's
 * clerk). Returns the exit status and prints what went wrong. */
int cav_daemon_add_user(const CavConfig *config, const char *name, const char *role,
			const char *secret_kind);

G_END_DECLS
