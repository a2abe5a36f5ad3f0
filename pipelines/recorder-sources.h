/* recorder-sources.h — the recorder's capture sources, each behind a health
 * guard (private to pipelines/).
 *
 * recorder-build.c asks for each source's element here instead of calling
 * the backend itself: the guard (source-guard.h) wraps it, a capture group
 * (the channels of one multi-channel card) is built once and shared, and the
 * guards' health reports reach CavRecorderCallbacks.source_health.
 *
 * Main thread only.
 */
#pragma once

#include "recorder-private.h"

G_BEGIN_DECLS

/* Adds @spec's guarded source to rec->pipeline and returns the element
 * whose "src" pad carries it (raw, the fixed format of source.h): the
 * guard, or for a member of a capture group a queue fed by the group's
 * guard. @all is the plan's source list (for the group). (transfer none) */
GstElement *cav_recorder_source_new(CavRecorder *rec, const GPtrArray *all,
				    const CavSourceSpec *spec, const CavRecordFormat *format,
				    GError **error);

/* TRUE when camera source @src (from cav_recorder_source_new) records its
 * own H.264 on its "encoded" pad. */
gboolean cav_recorder_source_is_passthrough(GstElement *src);

/* Passthrough: @src's "encoded" ─ queue ─ @track's video input. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_recorder_link_passthrough(CavRecorder *rec, GstElement *src, CavTrackSink *track,
				       GError **error);

G_END_DECLS
