/* stats.h — the relay's counters: rejected input of every kind, packets
 * and bytes moved, subscribers dropped. Lock-free (atomic adds), callable
 * from any thread; read by GET /api/v1/stats.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
	CAV_STAT_RTP_IN, /* packets accepted from publishers */
	CAV_STAT_RTP_IN_BYTES,
	CAV_STAT_RTP_OUT, /* packets sent to subscribers */
	CAV_STAT_RTP_OUT_BYTES,
	CAV_STAT_RTCP_IN,           /* RTCP compound packets accepted (both directions) */
	CAV_STAT_BAD_SHORT,         /* too short to be RTP/RTCP */
	CAV_STAT_BAD_OVERSIZE,      /* larger than the ingest accepts */
	CAV_STAT_BAD_VERSION,       /* not RTP version 2, or not RTP/RTCP at all */
	CAV_STAT_BAD_HEADER,        /* malformed header: CSRC/extension/padding past the end */
	CAV_STAT_BAD_RTCP,          /* malformed RTCP */
	CAV_STAT_UNKNOWN_SSRC,      /* from an SSRC no stream expects */
	CAV_STAT_UNKNOWN_SOURCE,    /* from an address no subscriber has */
	CAV_STAT_SRTP_AUTH_FAIL,    /* forged or tampered: authentication failed */
	CAV_STAT_SRTP_REPLAY,       /* replayed (or too old for the replay window) */
	CAV_STAT_SRTP_OTHER_FAIL,   /* any other libsrtp refusal */
	CAV_STAT_BAD_PAYLOAD_TYPE,  /* payload type the stream does not carry */
	CAV_STAT_NACK_IN,           /* NACK items from subscribers */
	CAV_STAT_RETRANSMIT,        /* packets resent from the history */
	CAV_STAT_PLI_IN,            /* PLI/FIR from subscribers and taps */
	CAV_STAT_PLI_UP,            /* PLI sent to publishers */
	CAV_STAT_SUB_DROPPED_SLOW,  /* subscribers dropped for a full queue */
	CAV_STAT_QUEUE_DROPS,       /* packets not queued for a slow subscriber */
	CAV_STAT_SEND_ERRORS,       /* sendmmsg failures */
	CAV_STAT_PUBLISHER_SWITCH,  /* publisher reconnects stitched by the rewrite */
	CAV_STAT_API_BAD_BODY,      /* malformed API bodies */
	CAV_STAT_API_BAD_SIGNATURE, /* device-signed requests with a bad signature */
	CAV_STAT_API_REPLAY,        /* device-signed requests replayed or out of the time window */
	CAV_STAT_ENROLL_REJECTED,   /* unknown, used or expired enrollment tokens */
	CAV_STAT__COUNT,
} CavStat;

void cav_stat_add(CavStat stat, gint64 n);
#define cav_stat_inc(stat) cav_stat_add((stat), 1)
gint64 cav_stat_get(CavStat stat);
/* Snake-case name, e.g. "srtp_auth_fail". (transfer none) */
const char *cav_stat_name(CavStat stat);
/* Adds every counter as a member of the builder's open object. */
void cav_stats_to_json(JsonBuilder *b);
/* Tests: all counters to 0. */
void cav_stats_reset(void);

/* Rate-limited logging of bad input: at most one message per @stat per
 * second, saying how many were suppressed. Any thread. */
void cav_stat_reject(CavStat stat, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

G_END_DECLS
