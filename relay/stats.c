/* stats.c — lock-free counters and rate-limited rejection logs (stats.h).
 * Any thread: each counter is one atomic 64-bit integer. */
#include "stats.h"

#include <stdatomic.h>

static atomic_llong counters[CAV_STAT__COUNT];
static atomic_llong last_log_us[CAV_STAT__COUNT];
static atomic_llong suppressed[CAV_STAT__COUNT];

static const char *const names[CAV_STAT__COUNT] = {
	[CAV_STAT_RTP_IN] = "rtp_in",
	[CAV_STAT_RTP_IN_BYTES] = "rtp_in_bytes",
	[CAV_STAT_RTP_OUT] = "rtp_out",
	[CAV_STAT_RTP_OUT_BYTES] = "rtp_out_bytes",
	[CAV_STAT_RTCP_IN] = "rtcp_in",
	[CAV_STAT_BAD_SHORT] = "bad_short",
	[CAV_STAT_BAD_OVERSIZE] = "bad_oversize",
	[CAV_STAT_BAD_VERSION] = "bad_version",
	[CAV_STAT_BAD_HEADER] = "bad_header",
	[CAV_STAT_BAD_RTCP] = "bad_rtcp",
	[CAV_STAT_UNKNOWN_SSRC] = "unknown_ssrc",
	[CAV_STAT_UNKNOWN_SOURCE] = "unknown_source",
	[CAV_STAT_SRTP_AUTH_FAIL] = "srtp_auth_fail",
	[CAV_STAT_SRTP_REPLAY] = "srtp_replay",
	[CAV_STAT_SRTP_OTHER_FAIL] = "srtp_other_fail",
	[CAV_STAT_BAD_PAYLOAD_TYPE] = "bad_payload_type",
	[CAV_STAT_NACK_IN] = "nack_in",
	[CAV_STAT_RETRANSMIT] = "retransmit",
	[CAV_STAT_PLI_IN] = "pli_in",
	[CAV_STAT_PLI_UP] = "pli_up",
	[CAV_STAT_SUB_DROPPED_SLOW] = "subscribers_dropped_slow",
	[CAV_STAT_QUEUE_DROPS] = "queue_drops",
	[CAV_STAT_SEND_ERRORS] = "send_errors",
	[CAV_STAT_PUBLISHER_SWITCH] = "publisher_switches",
	[CAV_STAT_API_BAD_BODY] = "api_bad_bodies",
	[CAV_STAT_API_BAD_SIGNATURE] = "api_bad_signatures",
	[CAV_STAT_API_REPLAY] = "api_replays",
	[CAV_STAT_ENROLL_REJECTED] = "enroll_rejected",
};

void
cav_stat_add(CavStat stat, gint64 n)
{
	if ((guint)stat < CAV_STAT__COUNT)
		atomic_fetch_add_explicit(&counters[stat], n, memory_order_relaxed);
}

gint64
cav_stat_get(CavStat stat)
{
	return (guint)stat < CAV_STAT__COUNT
		       ? atomic_load_explicit(&counters[stat], memory_order_relaxed)
		       : 0;
}

const char *
cav_stat_name(CavStat stat)
{
	return (guint)stat < CAV_STAT__COUNT ? names[stat] : "?";
}

void
cav_stats_to_json(JsonBuilder *b)
{
	for (guint i = 0; i < CAV_STAT__COUNT; i++) {
		json_builder_set_member_name(b, names[i]);
		json_builder_add_int_value(b, cav_stat_get((CavStat)i));
	}
}

void
cav_stats_reset(void)
{
	for (guint i = 0; i < CAV_STAT__COUNT; i++)
		atomic_store(&counters[i], 0);
}

void
cav_stat_reject(CavStat stat, const char *fmt, ...)
{
	gint64 now = g_get_monotonic_time();
	long long last;
	g_autofree char *msg = NULL;
	va_list ap;

	cav_stat_inc(stat);
	if ((guint)stat >= CAV_STAT__COUNT)
		return;
	last = atomic_load(&last_log_us[stat]);
	if (now - last < G_USEC_PER_SEC ||
	    !atomic_compare_exchange_strong(&last_log_us[stat], &last, now)) {
		atomic_fetch_add(&suppressed[stat], 1);
		return;
	}
	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_message("rejected (%s): %s [%lld more in the last second not logged]", names[stat], msg,
		  (long long)atomic_exchange(&suppressed[stat], 0));
}
