/* inter.c — leaky tee branches that publish raw media on inter channels (see inter.h).
 *
 * Why a leaky queue in front of a sink that never blocks: the tee pushes
 * into each branch in turn on the upstream thread, so whatever the branch
 * does is paid by the recording. The queue moves the inter sink's work (a
 * buffer ref and a mutex) to its own thread, and leaky=downstream with a
 * buffer bound means that thread falling behind costs tap frames only. The
 * recorder's own queues are leaky=no on purpose (recorder-private.h); these
 * are the only leaky queues of the recording graph.
 *
 * Main thread only; owns nothing (elements belong to @bin).
 */
#include "inter.h"

static gboolean
add_tap(GstBin *bin, GstElement *tee, const char *factory, const char *channel, GError **error)
{
	g_autofree char *qname = g_strdup_printf("inter-%s-queue", channel);
	g_autofree char *sname = g_strdup_printf("inter-%s", channel);
	GstElement *queue, *sink;

	queue = cav_graph_add(bin, "queue", qname, error);
	sink = queue ? cav_graph_add(bin, factory, sname, error) : NULL;
	if (sink == NULL)
		return FALSE;
	g_object_set(queue, "max-size-buffers", (guint)CAV_INTER_QUEUE_BUFFERS, "max-size-bytes",
		     0u, "max-size-time", (guint64)0, "silent", TRUE, NULL);
	if (!cav_graph_set_nick(queue, "leaky", "downstream", error))
		return FALSE;
	/* sync=false: the consumer takes the latest buffer on its own clock;
	 * waiting for the running time here would only add latency. async=false:
	 * the tap must never hold up the pipeline's state change. */
	g_object_set(sink, "channel", channel, "sync", FALSE, "async", FALSE, "qos", FALSE,
		     "enable-last-sample", FALSE, NULL);
	return cav_graph_link(tee, "src_%u", queue, "sink", error) &&
	       cav_graph_link(queue, "src", sink, "sink", error);
}

gboolean
cav_inter_tap_video(GstBin *bin, GstElement *tee, const char *channel, GError **error)
{
	return add_tap(bin, tee, "intervideosink", channel, error);
}

gboolean
cav_inter_tap_audio(GstBin *bin, GstElement *tee, const char *channel, GError **error)
{
	return add_tap(bin, tee, "interaudiosink", channel, error);
}
