/* timefmt.h — the two clocks people read: UTC for machines, Beijing time
 * (UTC+8, no DST) for people and file names. Pure functions, any thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "2026-11-28T09:45:01.123Z" for microseconds since the epoch. (transfer full) */
char *cav_time_iso_utc(gint64 unix_us);
/* "2026-11-28 17:45:01" in Beijing time. (transfer full) */
char *cav_time_beijing(gint64 unix_us);
/* "20261128-174501" in Beijing time, for file names. (transfer full) */
char *cav_time_beijing_compact(gint64 unix_us);
/* Parses the ISO form above (with or without fraction); -1 when malformed. */
gint64 cav_time_parse_iso(const char *iso);

G_END_DECLS
