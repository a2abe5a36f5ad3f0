/* daemon.h — courtavd's start-up, main loop and orderly shutdown.
 * Main thread only.
 */
#pragma once

#include <glib.h>
#include "config.h"

G_BEGIN_DECLS

/* Runs the daemon until SIGTERM/SIGINT. Returns the process exit status. */
int cav_daemon_run(const CavConfig *config);

G_END_DECLS
