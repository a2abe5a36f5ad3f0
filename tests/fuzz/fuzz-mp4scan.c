/* fuzz-mp4scan.c — libFuzzer target for the MP4 box scanner, which reads
 * files left by crashes and copied from elsewhere. Besides "no crash", it
 * checks the invariants callers rely on.
 */
#include "common/mp4scan.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CavMp4Info info;
	GError *error = NULL;

	if (!cav_mp4_scan_buf(data, size, &info, &error)) {
		if (error == NULL || error->domain != CAV_MP4_ERROR)
			abort();
		g_error_free(error);
		return 0;
	}
	if (info.file_bytes != size || info.valid_bytes > info.file_bytes ||
	    info.torn != (info.valid_bytes < info.file_bytes) || !info.has_moov ||
	    !(info.duration_s >= 0.0) || info.duration_s < info.video_duration_s ||
	    info.duration_s < info.audio_duration_s)
		abort();
	/* Cutting at valid_bytes must give a file that scans as not torn. */
	if (info.torn) {
		CavMp4Info again;

		if (!cav_mp4_scan_buf(data, (gsize)info.valid_bytes, &again, NULL) || again.torn ||
		    again.n_fragments != info.n_fragments)
			abort();
	}
	return 0;
}
