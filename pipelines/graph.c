/* graph.c — small element helpers for the recorder's graph builders.
 *
 * They exist so each builder reads as a list of elements and links rather
 * than as error handling, and so every build failure says which element or
 * link failed (a missing plugin is the usual cause in the field).
 *
 * Main thread only; owns nothing (elements belong to the bin they are added to).
 */
#include "recorder-private.h"

#include <stdarg.h>

GstElement *
cav_graph_add(GstBin *bin, const char *factory, const char *name, GError **error)
{
	GstElement *element = gst_element_factory_make(factory, name);

	if (element == NULL) {
		g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD,
			    "GStreamer element \"%s\" is not installed (needed for %s)", factory,
			    name ? name : GST_OBJECT_NAME(bin));
		return NULL;
	}
	gst_bin_add(bin, element);
	return element;
}

GstElement *
cav_graph_add_queue(GstBin *bin, const char *name, GstClockTime max_time, GError **error)
{
	GstElement *queue = cav_graph_add(bin, "queue", name, error);

	if (queue == NULL)
		return NULL;
	/* leaky defaults to "no"; set it anyway so the intent is visible. */
	g_object_set(queue, "max-size-buffers", 0u, "max-size-bytes", 0u, "max-size-time",
		     (guint64)max_time, NULL);
	gst_util_set_object_arg(G_OBJECT(queue), "leaky", "no");
	return queue;
}

gboolean
cav_graph_link(GstElement *src, const char *src_pad, GstElement *sink, const char *sink_pad,
	       GError **error)
{
	if (gst_element_link_pads(src, src_pad, sink, sink_pad))
		return TRUE;
	g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD,
		    "Could not link %s:%s to %s:%s", GST_OBJECT_NAME(src), src_pad ? src_pad : "*",
		    GST_OBJECT_NAME(sink), sink_pad ? sink_pad : "*");
	return FALSE;
}

gboolean
cav_graph_link_many(GError **error, GstElement *first, ...)
{
	GstElement *prev = first, *next;
	gboolean ok = TRUE;
	va_list args;

	va_start(args, first);
	while (ok && (next = va_arg(args, GstElement *)) != NULL) {
		ok = cav_graph_link(prev, NULL, next, NULL, error);
		prev = next;
	}
	va_end(args);
	return ok;
}

gboolean
cav_graph_set_nick(GstElement *element, const char *property, const char *nick, GError **error)
{
	GParamSpec *pspec = g_object_class_find_property(G_OBJECT_GET_CLASS(element), property);
	g_auto(GValue) value = G_VALUE_INIT;
	gboolean known = FALSE;

	if (pspec != NULL && G_IS_PARAM_SPEC_ENUM(pspec)) {
		GEnumClass *klass = G_PARAM_SPEC_ENUM(pspec)->enum_class;
		GEnumValue *v = g_enum_get_value_by_nick(klass, nick);

		if (v != NULL) {
			g_value_init(&value, pspec->value_type);
			g_value_set_enum(&value, v->value);
			known = TRUE;
		}
	} else if (pspec != NULL && G_IS_PARAM_SPEC_FLAGS(pspec)) {
		GFlagsClass *klass = G_PARAM_SPEC_FLAGS(pspec)->flags_class;
		GFlagsValue *v = g_flags_get_value_by_nick(klass, nick);

		if (v != NULL) {
			g_value_init(&value, pspec->value_type);
			g_value_set_flags(&value, v->value);
			known = TRUE;
		}
	}
	if (!known) {
		g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD,
			    "Invalid value \"%s\" for property \"%s\" of %s", nick, property,
			    GST_OBJECT_NAME(element));
		return FALSE;
	}
	g_object_set_property(G_OBJECT(element), property, &value);
	return TRUE;
}

gboolean
cav_graph_ghost(GstBin *bin, GstElement *element, const char *pad, const char *ghost_name,
		GError **error)
{
	g_autoptr(GstPad) target = gst_element_get_static_pad(element, pad);

	if (target != NULL &&
	    gst_element_add_pad(GST_ELEMENT(bin), gst_ghost_pad_new(ghost_name, target)))
		return TRUE;
	g_set_error(error, CAV_RECORDER_ERROR, CAV_RECORDER_ERROR_BUILD,
		    "Could not expose %s:%s as %s:%s", GST_OBJECT_NAME(element), pad,
		    GST_OBJECT_NAME(bin), ghost_name);
	return FALSE;
}
