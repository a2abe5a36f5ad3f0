/* rtp.h — parsing and building the RTP and RTCP packets courtav sends and
 * receives (RFC 3550, RTCP feedback RFC 4585: generic NACK, PLI; RFC 5761
 * demultiplexing of RTP and RTCP on one port; H.264 payload RFC 6184 just
 * far enough to spot keyframes).
 *
 * Every parser takes bytes from the network: it reads nothing past @len,
 * accepts only version 2, and checks every length field against the bytes
 * actually there (tests/fuzz/fuzz-rtp.c). Pure functions, any thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CAV_RTP_MIN_HEADER 12
#define CAV_RTCP_MIN_HEADER 8
/* Larger datagrams are refused by the relay (the path MTU is ~1500). */
#define CAV_RTP_MAX_PACKET 1500
#define CAV_RTP_PT_H264 96
#define CAV_RTP_PT_OPUS 111
#define CAV_RTP_CLOCK_VIDEO 90000
#define CAV_RTP_CLOCK_AUDIO 48000

enum {
	CAV_RTCP_SR = 200,
	CAV_RTCP_RR = 201,
	CAV_RTCP_SDES = 202,
	CAV_RTCP_BYE = 203,
	CAV_RTCP_APP = 204,
	CAV_RTCP_RTPFB = 205, /* FMT 1: generic NACK */
	CAV_RTCP_PSFB = 206,  /* FMT 1: PLI, FMT 4: FIR */
};

typedef struct {
	gboolean marker;
	guint8 payload_type;
	guint16 seq;
	guint32 timestamp;
	guint32 ssrc;
	gsize header_len;  /* fixed header + CSRCs + extension */
	gsize payload_len; /* without padding */
} CavRtpHeader;

/* Parses and validates one RTP packet. FALSE when malformed. */
gboolean cav_rtp_parse(const guint8 *data, gsize len, CavRtpHeader *out);

/* RFC 5761: TRUE when the second byte is an RTCP packet type (192–223),
 * i.e. the datagram should be treated as RTCP. Needs @len >= 2. */
gboolean cav_rtp_is_rtcp(const guint8 *data, gsize len);

/* Rewrites the SSRC, sequence number and timestamp of a packet in place
 * (its header must have parsed). */
void cav_rtp_rewrite(guint8 *data, guint32 ssrc, guint16 seq, guint32 timestamp);

/* Whether the H.264 payload starts a keyframe: an IDR slice or SPS as a
 * single NAL, inside a STAP-A, or as the first fragment of an FU-A. */
gboolean cav_rtp_h264_is_keyframe(const guint8 *payload, gsize len);

/* ---- RTCP ------------------------------------------------------------------ */

typedef struct {
	guint8 type;  /* CAV_RTCP_* */
	guint8 count; /* the 5-bit count / FMT field */
	guint32 sender_ssrc;
	guint32 media_ssrc; /* feedback (205/206): the SSRC the feedback is about; else 0 */
	const guint8 *data; /* the whole packet (unowned) */
	gsize len;          /* its length in bytes */
} CavRtcpPacket;

/* Checks a compound RTCP datagram: version 2, each length inside the
 * datagram, lengths adding up exactly. */
gboolean cav_rtcp_validate(const guint8 *data, gsize len);
/* Iterates a validated compound: *offset starts at 0; FALSE at the end. */
gboolean cav_rtcp_next(const guint8 *data, gsize len, gsize *offset, CavRtcpPacket *out);
/* Calls @func for every sequence number a generic NACK (205/1) asks for. */
void cav_rtcp_nack_foreach(const CavRtcpPacket *nack, void (*func)(guint16 seq, gpointer data),
			   gpointer data);

typedef struct {
	guint32 ssrc;         /* the source reported on */
	guint8 fraction_lost; /* of 256, since the last report */
	guint32 cumulative_lost;
	guint32 highest_seq; /* extended */
	guint32 jitter;
	guint32 lsr;  /* middle 32 bits of the last SR's NTP time */
	guint32 dlsr; /* delay since it, 1/65536 s */
} CavRtcpReportBlock;

/* Builders write into @buf (at least @cap bytes) and return the length,
 * or 0 when it does not fit. */
gsize cav_rtcp_build_rr(guint8 *buf, gsize cap, guint32 sender_ssrc,
			const CavRtcpReportBlock *blocks, guint n_blocks);
gsize cav_rtcp_build_sr(guint8 *buf, gsize cap, guint32 ssrc, guint64 ntp, guint32 rtp_ts,
			guint32 packets, guint32 octets);
gsize cav_rtcp_build_pli(guint8 *buf, gsize cap, guint32 sender_ssrc, guint32 media_ssrc);
/* A generic NACK for @seqs (any order, duplicates allowed), packed into
 * PID+BLP items. */
gsize cav_rtcp_build_nack(guint8 *buf, gsize cap, guint32 sender_ssrc, guint32 media_ssrc,
			  const guint16 *seqs, guint n_seqs);
/* Report blocks of an SR/RR packet: at most @max into @out; returns the number. */
guint cav_rtcp_report_blocks(const CavRtcpPacket *p, CavRtcpReportBlock *out, guint max);

/* NTP time (RFC 3550 §4) of a g_get_real_time() value. */
guint64 cav_rtcp_ntp_from_us(gint64 real_us);

G_END_DECLS
