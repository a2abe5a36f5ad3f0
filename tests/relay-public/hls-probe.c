/* hls-probe — prints what a public HLS output shows, for the shell tests:
 * one line per decoded video frame ("<utc ms> video <kind> <variance>") and
 * audio buffer ("<utc ms> audio <rms>"), from a playlist file whose
 * segments lie beside it (fetch them first, e.g. with curl).
 *
 * Usage: hls-probe PLAYLIST.m3u8
 */
#include <gst/gst.h>
#include <stdio.h>

#include "media-probe.h"

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) items = NULL;

	gst_init(&argc, &argv);
	if (argc != 2) {
		fprintf(stderr, "usage: hls-probe PLAYLIST.m3u8\n");
		return 2;
	}
	items = cav_probe_playlist(argv[1], &error);
	if (items == NULL) {
		fprintf(stderr, "hls-probe: %s\n", error->message);
		return 1;
	}
	for (guint i = 0; i < items->len; i++) {
		CavProbeItem *it = &g_array_index(items, CavProbeItem, i);

		if (it->video)
			printf("%" G_GINT64_FORMAT " video %s %.1f\n", it->utc_us / 1000,
			       cav_frame_kind_name(it->kind), it->variance);
		else
			printf("%" G_GINT64_FORMAT " audio %.4f\n", it->utc_us / 1000, it->rms);
	}
	return 0;
}
