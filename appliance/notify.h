/* notify.h — systemd service notifications (READY, WATCHDOG, STOPPING).
 * No-ops when built without libsystemd or not started by systemd.
 * Main thread only.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void cav_notify_ready(const char *status);
void cav_notify_stopping(void);
/* Starts pinging the watchdog at half its interval, if systemd asked for one. */
void cav_notify_watchdog_start(void);

G_END_DECLS
