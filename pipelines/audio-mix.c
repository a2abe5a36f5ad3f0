/* audio-mix.c — every microphone into one mix, encoded once as AAC.
 *
 * The mix is encoded once and the coded stream is shared (the recorder tees
 * it to the audio track and into every video track), rather than encoding per
 * file: one encoder, and bit-identical audio in every file of a hearing.
 *
 * audiomixer is a live aggregator like the compositor: a microphone that
 * stops is mixed as silence after the latency instead of stalling the mix.
 * Per-role tracks (DESIGN §2) will be added beside the mix, not instead of it.
 *
 * Main thread only (building); the bin runs on streaming threads.
 */
#include "audio-mix.h"
#include "encode.h"
#include "inter.h"

/* Enough for the jitter of live capture buffers (~10-20 ms each). */
#define AUDIO_MIX_LATENCY (50 * GST_MSECOND)

GstElement *
cav_audio_mix_new(guint n_inputs, guint kbps, GError **error)
{
	g_autoptr(GstElement) bin = gst_object_ref_sink(gst_bin_new("audio-mix"));
	GstElement *mixer, *tee, *aac;

	mixer = cav_graph_add(GST_BIN(bin), "audiomixer", "audio-mixer", error);
	if (mixer == NULL)
		return NULL;
	g_object_set(mixer, "latency", (guint64)AUDIO_MIX_LATENCY, NULL);
	if (!cav_graph_set_nick(mixer, "start-time-selection", "first", error))
		return NULL;

	for (guint i = 0; i < n_inputs; i++) {
		g_autofree char *ghost = g_strdup_printf("sink_%u", i);
		g_autoptr(GstPad) pad = gst_element_request_pad_simple(mixer, "sink_%u");

		if (pad == NULL || !gst_element_add_pad(bin, gst_ghost_pad_new(ghost, pad))) {
			g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD,
				    "Could not add microphone %u to the audio mixer", i);
			return NULL;
		}
	}

	/* The raw mix is also published on cav.mix for the live streamer (inter.h). */
	tee = cav_graph_add(GST_BIN(bin), "tee", "audio-mix-tee", error);
	if (tee == NULL || !cav_graph_link(mixer, "src", tee, "sink", error) ||
	    !cav_inter_tap_audio(GST_BIN(bin), tee, CAV_INTER_MIX, error))
		return NULL;
	aac = cav_encode_aac_new("audio-aac", kbps, error);
	if (aac == NULL)
		return NULL;
	gst_bin_add(GST_BIN(bin), aac);
	if (!cav_graph_link(tee, "src_%u", aac, "sink", error) ||
	    !cav_graph_ghost(GST_BIN(bin), aac, "src", "src", error))
		return NULL;
	g_object_force_floating(G_OBJECT(bin));
	return g_steal_pointer(&bin);
}
