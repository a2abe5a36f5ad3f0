/* recorder-sources.c — guarded capture sources for the recorder (see recorder-sources.h).
 *
 * A guard reports health on the recorder's main context; on_health() hands
 * it to the recorder's source_health callback unless the recorder was freed.
 * Guards stop by themselves when the pipeline goes to NULL, which the
 * recorder does before it lets go of its memory, so no report can reach a
 * freed recorder.
 *
 * Main thread only.
 */
#include "recorder-sources.h"
#include "source-guard.h"
#include "track-sink.h"

static void
on_health(const CavSourceHealth *health, gpointer data)
{
	CavRecorder *rec = data;

	if (rec->disposed || rec->callbacks.source_health == NULL)
		return;
	rec->callbacks.source_health(rec, health, rec->user_data);
}

/* The guard named after the group's first member, if already built. */
static GstElement *
find_guard(CavRecorder *rec, const CavSourceSpec *first)
{
	g_autofree char *name = g_strdup_printf("%s-src", first->id);

	return gst_bin_get_by_name(GST_BIN(rec->pipeline), name);
}

static GstElement *
new_guard(CavRecorder *rec, GPtrArray *group, const CavRecordFormat *format, GError **error)
{
	CavSourceGuardConfig cfg = {
		.video = &format->camera,
		.camera_kbps = format->camera_kbps,
		.keyframe_seconds = format->keyframe_seconds,
		.x264_preset = format->x264_preset,
		.context = rec->context,
		.health = on_health,
		.user_data = rec,
	};
	const CavSourceSpec *first = g_ptr_array_index(group, 0);
	CavSourceGuard *guard;

	if (first->kind != CAV_MEDIA_VIDEO)
		cfg.video = NULL;
	guard = cav_source_guard_new((const CavSourceSpec *const *)group->pdata, group->len, &cfg,
				     error);
	if (guard == NULL)
		return NULL;
	gst_bin_add(GST_BIN(rec->pipeline), GST_ELEMENT(guard));
	return GST_ELEMENT(guard);
}

GstElement *
cav_recorder_source_new(CavRecorder *rec, const GPtrArray *all, const CavSourceSpec *spec,
			const CavRecordFormat *format, GError **error)
{
	g_autoptr(GPtrArray) group = cav_source_group_of(all, spec);
	g_autoptr(GstElement) shared = NULL;
	g_autofree char *qname = NULL;
	g_autofree char *pad = NULL;
	GstElement *guard, *queue;
	guint index = 0;

	if (group->len == 1)
		return new_guard(rec, group, format, error);
	/* A member of a capture group: the group's guard has one pad per member. */
	shared = find_guard(rec, g_ptr_array_index(group, 0));
	guard = shared ? shared : new_guard(rec, group, format, error);
	if (guard == NULL)
		return NULL;
	while (index < group->len && g_ptr_array_index(group, index) != spec)
		index++;
	qname = g_strdup_printf("%s-chan", spec->id);
	pad = g_strdup_printf("src_%u", index);
	queue = cav_graph_add_queue(GST_BIN(rec->pipeline), qname, CAV_QUEUE_RAW_TIME, error);
	if (queue == NULL || !cav_graph_link(guard, pad, queue, "sink", error))
		return NULL;
	return queue;
}

gboolean
cav_recorder_source_is_passthrough(GstElement *src)
{
	return CAV_IS_SOURCE_GUARD(src) && cav_source_guard_has_encoded(CAV_SOURCE_GUARD(src));
}

gboolean
cav_recorder_link_passthrough(CavRecorder *rec, GstElement *src, CavTrackSink *track,
			      GError **error)
{
	g_autofree char *qname = g_strdup_printf("%s-encoded-queue", GST_OBJECT_NAME(src));
	GstElement *queue =
		cav_graph_add_queue(GST_BIN(rec->pipeline), qname, CAV_QUEUE_CODED_TIME, error);

	return queue != NULL && cav_graph_link(src, "encoded", queue, "sink", error) &&
	       cav_track_sink_link_video(track, queue, error);
}
