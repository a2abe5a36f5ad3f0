/* rtp.c — RTP/RTCP parsing and building (rtp.h). Pure functions over
 * caller-owned bytes; every read is bounds-checked against @len. */
#include "rtp.h"

#include <stdlib.h>
#include <string.h>

static guint16
rd16(const guint8 *p)
{
	return (guint16)((p[0] << 8) | p[1]);
}

static guint32
rd32(const guint8 *p)
{
	return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
}

static void
wr16(guint8 *p, guint16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
wr32(guint8 *p, guint32 v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

gboolean
cav_rtp_is_rtcp(const guint8 *data, gsize len)
{
	return len >= 2 && data[1] >= 192 && data[1] <= 223;
}

gboolean
cav_rtp_parse(const guint8 *data, gsize len, CavRtpHeader *out)
{
	gsize hl, pad = 0;
	guint cc;

	if (len < CAV_RTP_MIN_HEADER || (data[0] >> 6) != 2 || cav_rtp_is_rtcp(data, len))
		return FALSE;
	cc = data[0] & 0x0f;
	hl = CAV_RTP_MIN_HEADER + 4 * cc;
	if (hl > len)
		return FALSE;
	if (data[0] & 0x10) { /* header extension: 4 bytes + length words */
		if (hl + 4 > len)
			return FALSE;
		hl += 4 + 4 * (gsize)rd16(data + hl + 2);
		if (hl > len)
			return FALSE;
	}
	if (data[0] & 0x20) { /* padding: the last byte counts it, itself included */
		pad = data[len - 1];
		if (pad == 0 || hl + pad > len)
			return FALSE;
	}
	out->marker = (data[1] & 0x80) != 0;
	out->payload_type = data[1] & 0x7f;
	out->seq = rd16(data + 2);
	out->timestamp = rd32(data + 4);
	out->ssrc = rd32(data + 8);
	out->header_len = hl;
	out->payload_len = len - hl - pad;
	return TRUE;
}

void
cav_rtp_rewrite(guint8 *data, guint32 ssrc, guint16 seq, guint32 timestamp)
{
	wr16(data + 2, seq);
	wr32(data + 4, timestamp);
	wr32(data + 8, ssrc);
}

static gboolean
nal_is_key(guint8 type)
{
	return type == 5 || type == 7; /* IDR slice, SPS */
}

gboolean
cav_rtp_h264_is_keyframe(const guint8 *p, gsize len)
{
	guint8 type;

	if (len < 1)
		return FALSE;
	type = p[0] & 0x1f;
	if (type >= 1 && type <= 23)
		return nal_is_key(type);
	if (type == 24) { /* STAP-A: 16-bit sizes, then NALs */
		gsize off = 1;

		while (off + 2 < len) {
			gsize n = rd16(p + off);

			off += 2;
			if (n == 0 || off + n > len)
				return FALSE;
			if (nal_is_key(p[off] & 0x1f))
				return TRUE;
			off += n;
		}
		return FALSE;
	}
	if (type == 28) /* FU-A: the start bit and the fragmented NAL's type */
		return len >= 2 && (p[1] & 0x80) && nal_is_key(p[1] & 0x1f);
	return FALSE;
}

/* ---- RTCP ------------------------------------------------------------------ */

gboolean
cav_rtcp_validate(const guint8 *data, gsize len)
{
	gsize off = 0;

	if (len < 4)
		return FALSE;
	while (off < len) {
		gsize plen;

		if (len - off < 4 || (data[off] >> 6) != 2 || data[off + 1] < 192 ||
		    data[off + 1] > 223)
			return FALSE;
		plen = 4 * ((gsize)rd16(data + off + 2) + 1);
		if (plen > len - off)
			return FALSE;
		/* Padding is allowed only on the last packet (RFC 3550 §6.4.1). */
		if ((data[off] & 0x20) && off + plen != len)
			return FALSE;
		off += plen;
	}
	return off == len;
}

gboolean
cav_rtcp_next(const guint8 *data, gsize len, gsize *offset, CavRtcpPacket *out)
{
	gsize off = *offset, plen;

	if (off + 4 > len)
		return FALSE;
	plen = 4 * ((gsize)rd16(data + off + 2) + 1);
	if (plen > len - off)
		return FALSE;
	memset(out, 0, sizeof *out);
	out->type = data[off + 1];
	out->count = data[off] & 0x1f;
	out->data = data + off;
	out->len = plen;
	if (plen >= 8)
		out->sender_ssrc = rd32(data + off + 4);
	if ((out->type == CAV_RTCP_RTPFB || out->type == CAV_RTCP_PSFB) && plen >= 12)
		out->media_ssrc = rd32(data + off + 8);
	*offset = off + plen;
	return TRUE;
}

void
cav_rtcp_nack_foreach(const CavRtcpPacket *p, void (*func)(guint16 seq, gpointer data),
		      gpointer data)
{
	if (p->type != CAV_RTCP_RTPFB || p->count != 1)
		return;
	for (gsize off = 12; off + 4 <= p->len; off += 4) {
		guint16 pid = rd16(p->data + off);
		guint16 blp = rd16(p->data + off + 2);

		func(pid, data);
		for (guint b = 0; b < 16; b++)
			if (blp & (1u << b))
				func((guint16)(pid + b + 1), data);
	}
}

static void
header(guint8 *buf, guint8 count, guint8 type, gsize len)
{
	buf[0] = 0x80 | (count & 0x1f);
	buf[1] = type;
	wr16(buf + 2, (guint16)(len / 4 - 1));
}

gsize
cav_rtcp_build_rr(guint8 *buf, gsize cap, guint32 sender_ssrc, const CavRtcpReportBlock *b, guint n)
{
	gsize len = 8 + 24 * (gsize)n;

	if (n > 31 || len > cap)
		return 0;
	header(buf, (guint8)n, CAV_RTCP_RR, len);
	wr32(buf + 4, sender_ssrc);
	for (guint i = 0; i < n; i++) {
		guint8 *p = buf + 8 + 24 * i;

		wr32(p, b[i].ssrc);
		wr32(p + 4,
		     ((guint32)b[i].fraction_lost << 24) | (b[i].cumulative_lost & 0xffffff));
		wr32(p + 8, b[i].highest_seq);
		wr32(p + 12, b[i].jitter);
		wr32(p + 16, b[i].lsr);
		wr32(p + 20, b[i].dlsr);
	}
	return len;
}

gsize
cav_rtcp_build_sr(guint8 *buf, gsize cap, guint32 ssrc, guint64 ntp, guint32 rtp_ts,
		  guint32 packets, guint32 octets)
{
	if (cap < 28)
		return 0;
	header(buf, 0, CAV_RTCP_SR, 28);
	wr32(buf + 4, ssrc);
	wr32(buf + 8, (guint32)(ntp >> 32));
	wr32(buf + 12, (guint32)ntp);
	wr32(buf + 16, rtp_ts);
	wr32(buf + 20, packets);
	wr32(buf + 24, octets);
	return 28;
}

gsize
cav_rtcp_build_pli(guint8 *buf, gsize cap, guint32 sender_ssrc, guint32 media_ssrc)
{
	if (cap < 12)
		return 0;
	header(buf, 1, CAV_RTCP_PSFB, 12);
	wr32(buf + 4, sender_ssrc);
	wr32(buf + 8, media_ssrc);
	return 12;
}

static gint
cmp_seq(gconstpointer a, gconstpointer b)
{
	/* Circular order relative to the first: good enough for a window of
	 * a few hundred packets. */
	return (gint16)(*(const guint16 *)a - *(const guint16 *)b);
}

gsize
cav_rtcp_build_nack(guint8 *buf, gsize cap, guint32 sender_ssrc, guint32 media_ssrc,
		    const guint16 *seqs, guint n)
{
	g_autofree guint16 *s = g_memdup2(seqs, n * sizeof *seqs);
	gsize len = 12;

	if (n == 0 || cap < 16)
		return 0;
	qsort(s, n, sizeof *s, cmp_seq);
	for (guint i = 0; i < n;) {
		guint16 pid = s[i], blp = 0;

		i++;
		while (i < n && (guint16)(s[i] - pid) <= 16) {
			if (s[i] != pid)
				blp |= 1u << ((guint16)(s[i] - pid) - 1);
			i++;
		}
		if (len + 4 > cap)
			return 0;
		wr16(buf + len, pid);
		wr16(buf + len + 2, blp);
		len += 4;
	}
	header(buf, 1, CAV_RTCP_RTPFB, len);
	wr32(buf + 4, sender_ssrc);
	wr32(buf + 8, media_ssrc);
	return len;
}

guint
cav_rtcp_report_blocks(const CavRtcpPacket *p, CavRtcpReportBlock *out, guint max)
{
	gsize first = p->type == CAV_RTCP_SR ? 28 : p->type == CAV_RTCP_RR ? 8 : 0;
	guint n = 0;

	if (first == 0)
		return 0;
	for (guint i = 0; i < p->count && n < max; i++) {
		const guint8 *b = p->data + first + 24 * (gsize)i;

		if (first + 24 * (gsize)(i + 1) > p->len)
			break;
		out[n].ssrc = rd32(b);
		out[n].fraction_lost = b[4];
		out[n].cumulative_lost = rd32(b + 4) & 0xffffff;
		out[n].highest_seq = rd32(b + 8);
		out[n].jitter = rd32(b + 12);
		out[n].lsr = rd32(b + 16);
		out[n].dlsr = rd32(b + 20);
		n++;
	}
	return n;
}

guint64
cav_rtcp_ntp_from_us(gint64 real_us)
{
	guint64 secs = (guint64)(real_us / G_USEC_PER_SEC) + 2208988800ull;
	guint64 frac = ((guint64)(real_us % G_USEC_PER_SEC) << 32) / G_USEC_PER_SEC;

	return (secs << 32) | frac;
}
