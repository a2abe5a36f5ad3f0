/* rtsp-camera.c — a test IP camera: RTSP (gst-rtsp-server) serving one
 * H.264 stream, encoded once with x264 and shared by every client, that
 * logs every NAL unit it sends so a test can prove a recording holds the
 * camera's own bitstream (passthrough, not a re-encoding).
 *
 *   rtsp-camera --port 0 --log FILE [--width 640 --height 360 --fps 25]
 * prints "ready PORT" once it listens (port 0: any free one), serves
 * rtsp://127.0.0.1:PORT/cam, and appends one line per NAL unit to FILE:
 *   <nal type> <sha256 of the NAL unit without its start code>
 * It runs until killed; a test kills and restarts it to act out a camera
 * that goes away (restart with the printed port and the same log).
 *
 * Main thread: the server; the probe runs on the media's streaming thread.
 */
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <stdio.h>

static char *opt_log;
static int opt_port = 0, opt_width = 640, opt_height = 360, opt_fps = 25;
static FILE *log_file; /* only the probe's thread writes */

static const GOptionEntry entries[] = {
	{"port", 0, 0, G_OPTION_ARG_INT, &opt_port, "TCP port (0: any)", "N"},
	{"log", 0, 0, G_OPTION_ARG_FILENAME, &opt_log, "NAL unit log (appended)", "FILE"},
	{"width", 0, 0, G_OPTION_ARG_INT, &opt_width, "Width", "PX"},
	{"height", 0, 0, G_OPTION_ARG_INT, &opt_height, "Height", "PX"},
	{"fps", 0, 0, G_OPTION_ARG_INT, &opt_fps, "Frame rate", "N"},
	G_OPTION_ENTRY_NULL};

static void
log_nal(const guint8 *nal, gsize len)
{
	g_autofree char *sum = NULL;

	if (len == 0)
		return;
	sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, nal, len);
	fprintf(log_file, "%u %s\n", nal[0] & 0x1f, sum);
}

/* Byte-stream access units: split on start codes (00 00 01 / 00 00 00 01). */
static GstPadProbeReturn
on_au(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
	GstMapInfo map;
	gsize start = G_MAXSIZE;

	if (!gst_buffer_map(buf, &map, GST_MAP_READ))
		return GST_PAD_PROBE_OK;
	for (gsize i = 0; i + 3 <= map.size; i++) {
		if (map.data[i] == 0 && map.data[i + 1] == 0 && map.data[i + 2] == 1) {
			if (start != G_MAXSIZE) {
				gsize end = i;

				while (end > start && map.data[end - 1] == 0)
					end--;
				log_nal(map.data + start, end - start);
			}
			start = i + 3;
			i += 2;
		}
	}
	if (start != G_MAXSIZE)
		log_nal(map.data + start, map.size - start);
	gst_buffer_unmap(buf, &map);
	fflush(log_file);
	return GST_PAD_PROBE_OK;
}

static void
on_media_configure(GstRTSPMediaFactory *factory, GstRTSPMedia *media, gpointer data)
{
	g_autoptr(GstElement) bin = gst_rtsp_media_get_element(media);
	g_autoptr(GstElement) parse = gst_bin_get_by_name(GST_BIN(bin), "parse");
	g_autoptr(GstPad) pad = gst_element_get_static_pad(parse, "src");

	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_au, NULL, NULL);
}

int
main(int argc, char **argv)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new("- test RTSP camera");
	g_autoptr(GError) error = NULL;
	g_autoptr(GMainLoop) loop = NULL;
	g_autoptr(GstRTSPServer) server = NULL;
	g_autoptr(GstRTSPMountPoints) mounts = NULL;
	g_autofree char *launch = NULL;
	g_autofree char *service = NULL;
	GstRTSPMediaFactory *factory;

	gst_init(&argc, &argv);
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error) || opt_log == NULL) {
		g_printerr("rtsp-camera: %s\n", error ? error->message : "--log is required");
		return 2;
	}
	log_file = fopen(opt_log, "a");
	if (log_file == NULL) {
		g_printerr("rtsp-camera: cannot open %s\n", opt_log);
		return 1;
	}
	launch = g_strdup_printf(
		"( videotestsrc is-live=true pattern=ball ! video/x-raw,width=%d,height=%d,"
		"framerate=%d/1 ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=%d "
		"bitrate=800 ! video/x-h264,profile=constrained-baseline ! h264parse name=parse "
		"! video/x-h264,stream-format=byte-stream,alignment=au ! rtph264pay name=pay0 "
		"pt=96 config-interval=-1 )",
		opt_width, opt_height, opt_fps, opt_fps);
	server = gst_rtsp_server_new();
	service = g_strdup_printf("%d", opt_port);
	gst_rtsp_server_set_address(server, "127.0.0.1");
	gst_rtsp_server_set_service(server, service);
	mounts = gst_rtsp_server_get_mount_points(server);
	factory = gst_rtsp_media_factory_new();
	gst_rtsp_media_factory_set_launch(factory, launch);
	/* One encoder for every client: what one client records is what was sent. */
	gst_rtsp_media_factory_set_shared(factory, TRUE);
	g_signal_connect(factory, "media-configure", G_CALLBACK(on_media_configure), NULL);
	gst_rtsp_mount_points_add_factory(mounts, "/cam", factory);
	if (gst_rtsp_server_attach(server, NULL) == 0) {
		g_printerr("rtsp-camera: cannot listen on port %d\n", opt_port);
		return 1;
	}
	printf("ready %d\n", gst_rtsp_server_get_bound_port(server));
	fflush(stdout);
	loop = g_main_loop_new(NULL, FALSE);
	g_main_loop_run(loop);
	return 0;
}
