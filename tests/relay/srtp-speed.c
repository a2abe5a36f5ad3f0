/* srtp-speed.c — how long protecting one 1200-byte RTP packet takes with
 * each SRTP suite through this machine's libsrtp2 (Debian: on NSS), for
 * docs/BENCHMARKS.md. Prints one JSON object. */
#include "common/srtp.h"

#include <stdio.h>
#include <string.h>

static double
ns_per_packet(CavSrtpSuite suite, gboolean protect)
{
	guint8 key[32] = {1, 2, 3};
	g_autoptr(CavSrtp) tx = cav_srtp_new(suite, key, TRUE, NULL);
	g_autoptr(CavSrtp) rx = cav_srtp_new(suite, key, FALSE, NULL);
	enum { N = 100000 };
	static guint8 pkts[64][1300];
	gsize lens[64];
	gint64 t0, t = 0;

	for (guint i = 0; i < N; i++) {
		guint8 *b = pkts[i % 64];
		gsize len = 1212;
		guint16 seq = (guint16)i;

		memset(b, 0x5a, 1212);
		b[0] = 0x80;
		b[1] = 96;
		b[2] = seq >> 8;
		b[3] = seq & 0xff;
		b[8] = 0x12;
		t0 = g_get_monotonic_time();
		cav_srtp_protect(tx, b, &len);
		if (protect)
			t += g_get_monotonic_time() - t0;
		lens[i % 64] = len;
		t0 = g_get_monotonic_time();
		cav_srtp_unprotect(rx, b, &lens[i % 64]);
		if (!protect)
			t += g_get_monotonic_time() - t0;
	}
	return 1000.0 * (double)t / N;
}

int
main(void)
{
	printf("{\"gcm_protect_ns\": %.0f, \"gcm_unprotect_ns\": %.0f, "
	       "\"cm_sha1_protect_ns\": %.0f, \"cm_sha1_unprotect_ns\": %.0f}\n",
	       ns_per_packet(CAV_SRTP_AES_128_GCM, TRUE),
	       ns_per_packet(CAV_SRTP_AES_128_GCM, FALSE),
	       ns_per_packet(CAV_SRTP_AES_128_CM_SHA1_80, TRUE),
	       ns_per_packet(CAV_SRTP_AES_128_CM_SHA1_80, FALSE));
	return 0;
}
