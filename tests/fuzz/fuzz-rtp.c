/* fuzz-rtp.c — libFuzzer target for what the relay and the streamer do
 * with datagrams from the network before and after decryption: RTP header
 * parsing, RTCP compound validation and iteration (NACK items, report
 * blocks), H.264 keyframe detection, and libsrtp's unprotect of SRTP and
 * SRTCP under a fixed key. Nothing may read past the input; a parsed
 * header must describe bytes inside it.
 */
#include "common/rtp.h"
#include "common/srtp.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
on_seq(guint16 seq, gpointer user_data)
{
	(*(guint *)user_data)++;
}

static void
rtcp(const guint8 *data, gsize size)
{
	CavRtcpPacket p;
	CavRtcpReportBlock blocks[31];
	gsize off = 0, total = 0;
	guint n = 0;

	if (!cav_rtcp_validate(data, size))
		return;
	while (cav_rtcp_next(data, size, &off, &p)) {
		if (p.len < 4 || p.data < data || p.data + p.len > data + size)
			abort();
		total += p.len;
		cav_rtcp_nack_foreach(&p, on_seq, &n);
		if (cav_rtcp_report_blocks(&p, blocks, G_N_ELEMENTS(blocks)) > p.count)
			abort();
	}
	if (total != size) /* a valid compound is its packets, exactly */
		abort();
}

static void
srtp(const guint8 *data, gsize size)
{
	static CavSrtp *rx;
	static const guint8 key[32] = {7};
	guint8 buf[CAV_RTP_MAX_PACKET + CAV_SRTP_MAX_TRAILER];
	gsize len = MIN(size, CAV_RTP_MAX_PACKET);

	if (rx == NULL)
		rx = cav_srtp_new(CAV_SRTP_AES_128_GCM, key, FALSE, NULL);
	memcpy(buf, data, len);
	if (cav_rtp_is_rtcp(buf, len))
		cav_srtp_unprotect_rtcp(rx, buf, &len);
	else
		cav_srtp_unprotect(rx, buf, &len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CavRtpHeader h;

	if (cav_rtp_parse(data, size, &h)) {
		if (h.header_len + h.payload_len > size || h.header_len < CAV_RTP_MIN_HEADER)
			abort();
		cav_rtp_h264_is_keyframe(data + h.header_len, h.payload_len);
	}
	cav_rtp_h264_is_keyframe(data, size);
	rtcp(data, size);
	srtp(data, size);
	return 0;
}
