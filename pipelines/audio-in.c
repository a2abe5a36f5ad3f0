/* audio-in.c — each microphone's input chain and the per-role mixes.
 *
 * Clock lock: every microphone passes an audiorate (tolerance 0) before
 * anything else. A live source's buffers carry timestamps on the pipeline
 * clock (audiotestsrc counts samples against it; alsasrc slaves its ring
 * buffer to it, "skew" method), but a capture card's crystal runs at its
 * own rate: 100 ppm fast means 4.8 samples a second more than the clock
 * says. The encoders and the MP4 muxer count samples, and players play
 * them back to back, so without correction the sound would drift from
 * the picture by that much (2.9 s over 8 hours). audiorate compares each
 * buffer's timestamp with the samples counted so far and drops or inserts
 * samples to keep the two equal: the sample count follows the clock and
 * the A/V offset stays within a sample period plus the source's own
 * timestamp error. Single-sample corrections (about one per 200 ms at
 * 100 ppm) are inaudible; a larger tolerance would correct in audible
 * chunks. tests/pipelines/test-av-drift.c checks the bound over 8 hours.
 *
 * The level element comes after the lock, so its 100 ms intervals are
 * intervals of the corrected stream; it posts a message on the bus
 * (levels.c reads them).
 *
 * Per-role tracks: one audiomixer per role, even for one microphone: it
 * keeps a track going with silence if the microphone stalls (the mix does
 * the same), where a plain chain would stall the track's file.
 *
 * Main thread only (building); the bins run on streaming threads.
 */
#include "audio-in.h"
#include "encode.h"
#include "levels.h"

#include <string.h>

/* As the main mix (audio-mix.c): jitter of live capture buffers. */
#define ROLE_MIX_LATENCY (50 * GST_MSECOND)
#define MIC_QUEUE_TIME (1 * GST_SECOND)

GstElement *
cav_audio_in_new(const CavSourceSpec *spec, guint n_outputs, GError **error)
{
	g_autofree char *name = g_strconcat("mic-", spec->id, NULL);
	g_autofree char *level_name = g_strconcat(CAV_LEVEL_ELEMENT_PREFIX, spec->id, NULL);
	g_autoptr(GstElement) bin = gst_object_ref_sink(gst_bin_new(name));
	GstElement *rate, *level, *tee;

	rate = cav_graph_add(GST_BIN(bin), "audiorate", NULL, error);
	level = rate ? cav_graph_add(GST_BIN(bin), "level", level_name, error) : NULL;
	tee = level ? cav_graph_add(GST_BIN(bin), "tee", NULL, error) : NULL;
	if (tee == NULL)
		return NULL;
	g_object_set(rate, "tolerance", (guint64)0, "skip-to-first", TRUE, NULL);
	g_object_set(level, "interval", (guint64)CAV_LEVEL_INTERVAL_MS * GST_MSECOND,
		     "post-messages", TRUE, NULL);
	if (!cav_graph_link_many(error, rate, level, tee, NULL) ||
	    !cav_graph_ghost(GST_BIN(bin), rate, "sink", "sink", error))
		return NULL;
	for (guint k = 0; k < n_outputs; k++) {
		g_autofree char *ghost = g_strdup_printf("src_%u", k);
		GstElement *queue = cav_graph_add_queue(GST_BIN(bin), NULL, MIC_QUEUE_TIME, error);

		if (queue == NULL || !cav_graph_link(tee, "src_%u", queue, "sink", error) ||
		    !cav_graph_ghost(GST_BIN(bin), queue, "src", ghost, error))
			return NULL;
	}
	g_object_force_floating(G_OBJECT(bin));
	return g_steal_pointer(&bin);
}

GstElement *
cav_audio_role_mix_new(const char *role, guint n_inputs, guint kbps, GError **error)
{
	g_autofree char *name = g_strconcat("mix-", role, NULL);
	g_autofree char *aac_name = g_strconcat("aac-", role, NULL);
	g_autoptr(GstElement) bin = gst_object_ref_sink(gst_bin_new(name));
	GstElement *mixer, *aac;

	mixer = cav_graph_add(GST_BIN(bin), "audiomixer", NULL, error);
	if (mixer == NULL)
		return NULL;
	g_object_set(mixer, "latency", (guint64)ROLE_MIX_LATENCY, NULL);
	if (!cav_graph_set_nick(mixer, "start-time-selection", "first", error))
		return NULL;
	for (guint i = 0; i < n_inputs; i++) {
		g_autofree char *ghost = g_strdup_printf("sink_%u", i);
		g_autoptr(GstPad) pad = gst_element_request_pad_simple(mixer, "sink_%u");

		if (pad == NULL || !gst_element_add_pad(bin, gst_ghost_pad_new(ghost, pad))) {
			g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD,
				    "Could not add microphone %u to the %s mix", i, role);
			return NULL;
		}
	}
	aac = cav_encode_aac_new(aac_name, kbps, error);
	if (aac == NULL)
		return NULL;
	gst_bin_add(GST_BIN(bin), aac);
	if (!cav_graph_link(mixer, "src", aac, "sink", error) ||
	    !cav_graph_ghost(GST_BIN(bin), aac, "src", "src", error))
		return NULL;
	g_object_force_floating(G_OBJECT(bin));
	return g_steal_pointer(&bin);
}

GStrv
cav_recorder_role_tracks(const GPtrArray *sources, const char *const *roles)
{
	g_autoptr(GStrvBuilder) b = g_strv_builder_new();

	for (guint r = 0; roles != NULL && roles[r] != NULL; r++) {
		for (guint i = 0; sources != NULL && i < sources->len; i++) {
			const CavSourceSpec *s = g_ptr_array_index(sources, i);

			if (s->kind == CAV_MEDIA_AUDIO && g_strcmp0(s->role, roles[r]) == 0) {
				g_autofree char *track =
					g_strconcat(CAV_TRACK_ROLE_PREFIX, roles[r], NULL);

				g_strv_builder_add(b, track);
				break;
			}
		}
	}
	return g_strv_builder_end(b);
}
