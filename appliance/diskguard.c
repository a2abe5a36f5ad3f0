/* diskguard.c — free-space watch (see diskguard.h). Main thread only. */
#include "diskguard.h"
#include "errors.h"
#include "common/fsutil.h"

struct CavDiskGuard {
	const CavConfig *config; /* unowned: outlives the guard */
	CavDiskGuardFunc func;
	gpointer user_data;
	guint timer_id;
	CavDiskLevel level;
	gint64 free_bytes;
	double hours_left;
};

/* The reserve below which recording stops: the configured floor, but never
 * less than a few seconds of recording, because stopping is not instant —
 * splitmuxsink still holds up to a GOP per track and the encoders drain —
 * and the files must close inside the reserve, not on a full disk. */
static guint64
stop_floor(const CavConfig *c)
{
	guint64 per_second = cav_config_bytes_per_hour(c) / 3600;

	if (c->stop_free_bytes == 0) /* explicitly off: the recorder meets ENOSPC itself */
		return 0;
	return MAX(c->stop_free_bytes, per_second * 4);
}

static CavDiskLevel
classify(const CavDiskGuard *g)
{
	const CavConfig *c = g->config;

	if (g->free_bytes >= 0 && (guint64)g->free_bytes < stop_floor(c))
		return CAV_DISK_STOP;
	if (g->hours_left < c->min_free_hours)
		return CAV_DISK_LOW;
	if (g->hours_left < c->alarm_free_hours)
		return CAV_DISK_ALARM;
	return CAV_DISK_OK;
}

CavDiskLevel
cav_disk_guard_poll(CavDiskGuard *g)
{
	g_autoptr(GError) error = NULL;
	guint64 per_hour = cav_config_bytes_per_hour(g->config);
	gint64 free_bytes = cav_fs_free_bytes(g->config->media_dir, &error);
	CavDiskLevel level;

	if (free_bytes < 0) {
		/* Unreadable file system: treat as full rather than as fine. */
		g_warning("disk guard: %s", error->message);
		free_bytes = 0;
	}
	g->free_bytes = free_bytes;
	g->hours_left =
		per_hour ? (double)(guint64)MAX(free_bytes - (gint64)stop_floor(g->config), 0) /
				   (double)per_hour
			 : 1e9;
	level = classify(g);
	if (level != g->level) {
		g->level = level;
		if (g->func != NULL)
			g->func(level, g->free_bytes, g->hours_left, g->user_data);
	}
	return level;
}

static gboolean
on_timer(gpointer data)
{
	cav_disk_guard_poll(data);
	return G_SOURCE_CONTINUE;
}

CavDiskGuard *
cav_disk_guard_new(const CavConfig *config, CavDiskGuardFunc func, gpointer user_data)
{
	CavDiskGuard *g = g_new0(CavDiskGuard, 1);

	g->config = config;
	g->func = func;
	g->user_data = user_data;
	g->level = CAV_DISK_OK;
	g->timer_id = g_timeout_add(config->check_interval_ms, on_timer, g);
	cav_disk_guard_poll(g);
	return g;
}

void
cav_disk_guard_free(CavDiskGuard *g)
{
	if (g == NULL)
		return;
	if (g->timer_id != 0)
		g_source_remove(g->timer_id);
	g_free(g);
}

gint64
cav_disk_guard_free_bytes(CavDiskGuard *g)
{
	return g->free_bytes;
}

double
cav_disk_guard_hours_left(CavDiskGuard *g)
{
	return g->hours_left;
}

gboolean
cav_disk_guard_check_start(CavDiskGuard *g, GError **error)
{
	CavDiskLevel level = cav_disk_guard_poll(g);

	if (level == CAV_DISK_LOW || level == CAV_DISK_STOP) {
		cav_set_error_bi(error, CAV_ROOM_ERROR, CAV_ROOM_ERROR_DISK_LOW,
				 "Only %.1f hours of recording space left on %s (at least %.1f "
				 "needed): free space or archive old hearings first.",
				 "录像存储空间仅剩约 %.1f 小时（%s，至少需要 %.1f 小时），"
				 "请先清理空间或归档旧庭审。",
				 g->hours_left, g->config->media_dir, g->config->min_free_hours);
		return FALSE;
	}
	return TRUE;
}
