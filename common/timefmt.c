/* timefmt.c — UTC and Beijing-time strings for microsecond timestamps.
 *
 * Beijing time is a fixed UTC+8 offset built with g_time_zone_new_offset(),
 * never the process TZ: an appliance whose TZ is misconfigured must still
 * label recordings with the court's time. Pure functions, any thread.
 */
#include "timefmt.h"

/* Outside GDateTime's range (years 1..9999) the formatters return this
 * rather than NULL, so callers can print the result unconditionally. */
#define CAV_TIME_INVALID "invalid-time"

static GDateTime *
utc_from_us(gint64 unix_us)
{
	gint64 secs = unix_us / G_USEC_PER_SEC;
	gint64 frac = unix_us % G_USEC_PER_SEC;
	g_autoptr(GDateTime) whole = NULL;

	/* Floor division, so -1 µs is 23:59:59.999999 the day before. */
	if (frac < 0) {
		frac += G_USEC_PER_SEC;
		secs -= 1;
	}
	whole = g_date_time_new_from_unix_utc(secs);
	if (whole == NULL)
		return NULL;
	return g_date_time_add(whole, frac);
}

static GDateTime *
beijing_from_us(gint64 unix_us)
{
	g_autoptr(GDateTime) utc = utc_from_us(unix_us);
	g_autoptr(GTimeZone) tz = NULL;

	if (utc == NULL)
		return NULL;
	tz = g_time_zone_new_offset(8 * 3600);
	return g_date_time_to_timezone(utc, tz);
}

char *
cav_time_iso_utc(gint64 unix_us)
{
	g_autoptr(GDateTime) dt = utc_from_us(unix_us);
	g_autofree char *base = NULL;

	if (dt == NULL)
		return g_strdup(CAV_TIME_INVALID);
	base = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%S");
	return g_strdup_printf("%s.%03dZ", base, g_date_time_get_microsecond(dt) / 1000);
}

char *
cav_time_beijing(gint64 unix_us)
{
	g_autoptr(GDateTime) dt = beijing_from_us(unix_us);

	if (dt == NULL)
		return g_strdup(CAV_TIME_INVALID);
	return g_date_time_format(dt, "%Y-%m-%d %H:%M:%S");
}

char *
cav_time_beijing_compact(gint64 unix_us)
{
	g_autoptr(GDateTime) dt = beijing_from_us(unix_us);

	if (dt == NULL)
		return g_strdup(CAV_TIME_INVALID);
	return g_date_time_format(dt, "%Y%m%d-%H%M%S");
}

gint64
cav_time_parse_iso(const char *iso)
{
	g_autoptr(GDateTime) dt = NULL;

	if (iso == NULL)
		return -1;
	/* No default zone: a string without "Z" or an offset is ambiguous and
	 * therefore malformed here. */
	dt = g_date_time_new_from_iso8601(iso, NULL);
	if (dt == NULL)
		return -1;
	return g_date_time_to_unix(dt) * G_USEC_PER_SEC + g_date_time_get_microsecond(dt);
}
