/* test-live.c — common/rtp.c and common/srtp.c: parsing refuses what does
 * not fit, builders round-trip, SRTP round-trips in both suites, tampered
 * and replayed packets are told apart, retransmissions may be re-protected.
 */
#include "common/rtp.h"
#include "common/srtp.h"

#include <string.h>

static gsize
make_rtp(guint8 *buf, guint16 seq, guint32 ts, guint32 ssrc, gsize payload)
{
	buf[0] = 0x80;
	buf[1] = 96;
	buf[2] = seq >> 8;
	buf[3] = seq & 0xff;
	buf[4] = ts >> 24;
	buf[5] = ts >> 16;
	buf[6] = ts >> 8;
	buf[7] = ts;
	buf[8] = ssrc >> 24;
	buf[9] = ssrc >> 16;
	buf[10] = ssrc >> 8;
	buf[11] = ssrc;
	for (gsize i = 0; i < payload; i++)
		buf[12 + i] = (guint8)(i * 7);
	return 12 + payload;
}

static void
test_rtp_parse(void)
{
	guint8 b[64];
	CavRtpHeader h;
	gsize n = make_rtp(b, 65535, 90000, 0x11223344, 20);

	g_assert_true(cav_rtp_parse(b, n, &h));
	g_assert_cmpuint(h.seq, ==, 65535);
	g_assert_cmpuint(h.timestamp, ==, 90000);
	g_assert_cmpuint(h.ssrc, ==, 0x11223344);
	g_assert_cmpuint(h.payload_len, ==, 20);
	g_assert_false(cav_rtp_parse(b, 11, &h));
	b[0] = 0x40; /* version 1 */
	g_assert_false(cav_rtp_parse(b, n, &h));
	b[0] = 0x8f; /* 15 CSRCs: past the end */
	g_assert_false(cav_rtp_parse(b, n, &h));
	b[0] = 0x90; /* extension */
	b[12] = 0;
	b[13] = 0;
	b[14] = 0xff;
	b[15] = 0xff; /* 65535 words */
	g_assert_false(cav_rtp_parse(b, n, &h));
	b[0] = 0xa0; /* padding larger than the packet */
	b[n - 1] = 200;
	g_assert_false(cav_rtp_parse(b, n, &h));
	b[n - 1] = 0;
	g_assert_false(cav_rtp_parse(b, n, &h));
	cav_rtp_rewrite(b, 7, 8, 9);
	b[0] = 0x80;
	g_assert_true(cav_rtp_parse(b, n, &h));
	g_assert_cmpuint(h.ssrc, ==, 7);
	g_assert_cmpuint(h.seq, ==, 8);
	g_assert_cmpuint(h.timestamp, ==, 9);
}

static void
on_seq(guint16 seq, gpointer data)
{
	g_array_append_val((GArray *)data, seq);
}

static void
test_rtcp(void)
{
	guint8 buf[256];
	guint16 seqs[] = {65534, 65535, 0, 5, 40, 41};
	g_autoptr(GArray) got = g_array_new(FALSE, FALSE, sizeof(guint16));
	CavRtcpPacket p;
	gsize off = 0, n, m;

	n = cav_rtcp_build_nack(buf, sizeof buf, 1, 2, seqs, G_N_ELEMENTS(seqs));
	g_assert_cmpuint(n, >, 0);
	m = cav_rtcp_build_pli(buf + n, sizeof buf - n, 1, 2);
	g_assert_cmpuint(m, ==, 12);
	g_assert_true(cav_rtcp_validate(buf, n + m));
	g_assert_false(cav_rtcp_validate(buf, n + m - 1));
	g_assert_true(cav_rtcp_next(buf, n + m, &off, &p));
	g_assert_cmpuint(p.type, ==, CAV_RTCP_RTPFB);
	g_assert_cmpuint(p.media_ssrc, ==, 2);
	cav_rtcp_nack_foreach(&p, on_seq, got);
	g_assert_cmpuint(got->len, ==, G_N_ELEMENTS(seqs));
	g_assert_true(cav_rtcp_next(buf, n + m, &off, &p));
	g_assert_cmpuint(p.type, ==, CAV_RTCP_PSFB);
	g_assert_false(cav_rtcp_next(buf, n + m, &off, &p));
	/* A length word pointing past the end. */
	buf[3] = 200;
	g_assert_false(cav_rtcp_validate(buf, n + m));
}

static void
test_h264_key(void)
{
	const guint8 idr[] = {0x65, 0x88};
	const guint8 p_slice[] = {0x41, 0x9a};
	const guint8 stap[] = {0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce};
	const guint8 fu_start[] = {0x7c, 0x85, 0x00};
	const guint8 fu_mid[] = {0x7c, 0x05, 0x00};
	const guint8 bad_stap[] = {0x78, 0x00, 0x09, 0x67};

	g_assert_true(cav_rtp_h264_is_keyframe(idr, sizeof idr));
	g_assert_false(cav_rtp_h264_is_keyframe(p_slice, sizeof p_slice));
	g_assert_true(cav_rtp_h264_is_keyframe(stap, sizeof stap));
	g_assert_true(cav_rtp_h264_is_keyframe(fu_start, sizeof fu_start));
	g_assert_false(cav_rtp_h264_is_keyframe(fu_mid, sizeof fu_mid));
	g_assert_false(cav_rtp_h264_is_keyframe(bad_stap, sizeof bad_stap));
	g_assert_false(cav_rtp_h264_is_keyframe(idr, 0));
}

static void
round_trip(gconstpointer data)
{
	CavSrtpSuite suite = GPOINTER_TO_INT(data);
	g_autofree char *b64 = cav_srtp_key_new_base64(suite);
	guint8 key[64];
	g_autoptr(CavSrtp) tx = NULL;
	g_autoptr(CavSrtp) rx = NULL;
	guint8 pkt[256], copy[256], plain[256];
	gsize n, len, clen;

	g_assert_true(cav_srtp_key_decode(suite, b64, key));
	g_assert_false(cav_srtp_key_decode(suite, "c2hvcnQ=", key));
	tx = cav_srtp_new(suite, key, TRUE, NULL);
	rx = cav_srtp_new(suite, key, FALSE, NULL);
	g_assert_nonnull(tx);
	g_assert_nonnull(rx);

	n = make_rtp(plain, 100, 1000, 0xabcdef01, 100);
	memcpy(pkt, plain, n);
	len = n;
	g_assert_cmpint(cav_srtp_protect(tx, pkt, &len), ==, CAV_SRTP_OK);
	g_assert_cmpuint(len, >, n);
	memcpy(copy, pkt, len);
	clen = len;
	g_assert_cmpint(cav_srtp_unprotect(rx, pkt, &len), ==, CAV_SRTP_OK);
	g_assert_cmpuint(len, ==, n);
	g_assert_cmpmem(pkt, len, plain, n);
	/* The same packet again: a replay. */
	memcpy(pkt, copy, clen);
	len = clen;
	g_assert_cmpint(cav_srtp_unprotect(rx, pkt, &len), ==, CAV_SRTP_REPLAY);
	/* A flipped payload bit of the next packet: authentication fails. */
	n = make_rtp(pkt, 101, 1000, 0xabcdef01, 100);
	len = n;
	g_assert_cmpint(cav_srtp_protect(tx, pkt, &len), ==, CAV_SRTP_OK);
	pkt[40] ^= 1;
	g_assert_cmpint(cav_srtp_unprotect(rx, pkt, &len), ==, CAV_SRTP_AUTH_FAIL);
	/* A retransmission of 102 after it was lost: re-protect and accept. */
	n = make_rtp(pkt, 102, 1000, 0xabcdef01, 50);
	len = n;
	g_assert_cmpint(cav_srtp_protect(tx, pkt, &len), ==, CAV_SRTP_OK);
	n = make_rtp(pkt, 102, 1000, 0xabcdef01, 50);
	len = n;
	g_assert_cmpint(cav_srtp_protect(tx, pkt, &len), ==, CAV_SRTP_OK);
	g_assert_cmpint(cav_srtp_unprotect(rx, pkt, &len), ==, CAV_SRTP_OK);
	/* SRTCP both ways. */
	n = cav_rtcp_build_pli(pkt, sizeof pkt, 5, 0xabcdef01);
	len = n;
	g_assert_cmpint(cav_srtp_protect_rtcp(tx, pkt, &len), ==, CAV_SRTP_OK);
	g_assert_cmpint(cav_srtp_unprotect_rtcp(rx, pkt, &len), ==, CAV_SRTP_OK);
	g_assert_cmpuint(len, ==, n);
	/* Garbage. */
	memset(pkt, 0x80, 40);
	len = 40;
	g_assert_cmpint(cav_srtp_unprotect(rx, pkt, &len), !=, CAV_SRTP_OK);
	len = 3;
	g_assert_cmpint(cav_srtp_unprotect(rx, pkt, &len), ==, CAV_SRTP_FAIL);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/live/rtp/parse", test_rtp_parse);
	g_test_add_func("/live/rtcp/build-parse", test_rtcp);
	g_test_add_func("/live/rtp/h264-keyframe", test_h264_key);
	g_test_add_data_func("/live/srtp/gcm", GINT_TO_POINTER(CAV_SRTP_AES_128_GCM), round_trip);
	g_test_add_data_func("/live/srtp/cm-sha1", GINT_TO_POINTER(CAV_SRTP_AES_128_CM_SHA1_80),
			     round_trip);
	return g_test_run();
}
