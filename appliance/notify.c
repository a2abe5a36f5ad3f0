/* notify.c — sd_notify wrapper (see notify.h). Main thread only. */
#include "notify.h"
#include "cav-build-config.h"

#if HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

void
cav_notify_ready(const char *status)
{
#if HAVE_LIBSYSTEMD
	sd_notifyf(0, "READY=1\nSTATUS=%s", status);
#endif
}

void
cav_notify_stopping(void)
{
#if HAVE_LIBSYSTEMD
	sd_notify(0, "STOPPING=1");
#endif
}

#if HAVE_LIBSYSTEMD
static gboolean
ping(gpointer data)
{
	sd_notify(0, "WATCHDOG=1");
	return G_SOURCE_CONTINUE;
}
#endif

void
cav_notify_watchdog_start(void)
{
#if HAVE_LIBSYSTEMD
	uint64_t usec = 0;

	/* The watchdog proves the main loop turns: a wedged loop (and so a
	 * hearing nobody can pause) gets the daemon restarted and recovered. */
	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
		g_timeout_add((guint)(usec / 2000), ping, NULL);
#endif
}
