/* diskguard.h — watches the free space of the media file system.
 *
 * Three thresholds, all from [storage]: below min_free_hours a hearing may
 * not be opened or resumed (the clerk is told how many hours are left);
 * below alarm_free_hours an alarm is raised; below stop_free_mb (and never less than
 * four seconds of recording) the room stops recording cleanly (segments closed and hashed) before the disk is
 * actually full, so nothing is torn. Hours are computed from the configured
 * bitrates (cav_config_bytes_per_hour).
 *
 * Main thread: a GLib timeout polls statvfs; the callback runs on the main
 * context that was current at cav_disk_guard_new().
 */
#pragma once

#include <glib.h>
#include "config.h"

G_BEGIN_DECLS

typedef enum {
	CAV_DISK_OK,
	CAV_DISK_ALARM, /* below alarm_free_hours */
	CAV_DISK_LOW,   /* below min_free_hours: no new recording */
	CAV_DISK_STOP,  /* below stop_free_mb: stop recording now */
} CavDiskLevel;

typedef struct CavDiskGuard CavDiskGuard;

/* Called when the level changes, on the main context. */
typedef void (*CavDiskGuardFunc)(CavDiskLevel level, gint64 free_bytes, double hours_left,
				 gpointer user_data);

/* (transfer full) */
CavDiskGuard *cav_disk_guard_new(const CavConfig *config, CavDiskGuardFunc func,
				 gpointer user_data);
void cav_disk_guard_free(CavDiskGuard *guard);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavDiskGuard, cav_disk_guard_free)

/* Measures now (also updates the level and may call the callback). */
CavDiskLevel cav_disk_guard_poll(CavDiskGuard *guard);
gint64 cav_disk_guard_free_bytes(CavDiskGuard *guard);
double cav_disk_guard_hours_left(CavDiskGuard *guard);

/* TRUE when a hearing may start or resume recording; else a bilingual
 * CAV_ROOM_ERROR_DISK_LOW saying how many hours are left. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_disk_guard_check_start(CavDiskGuard *guard, GError **error);

G_END_DECLS
