/* store-program.h — the rows of the program, audio and quality (issue 3):
 * layout and speaker switches (the speaker timeline), microphone faults as
 * intervals, each segment's measured A/V offset and dropped frames, and the
 * quality report of a hearing. Schema: migration 4 (migrations.c).
 *
 * Main thread only, like all of the store (store.h).
 */
#pragma once

#include "store.h"

G_BEGIN_DECLS

typedef struct {
	gint64 id;
	gint64 hearing_id;
	gint64 at_us;
	char *kind;   /* "layout" | "speaker" | "silence" | "voice" (owned) */
	char *layout; /* (owned, nullable) */
	char *camera; /* the main camera after the switch (owned, nullable) */
	char *mic;    /* the microphone that won (owned, nullable) */
	char *actor;  /* (owned) */
	char *detail; /* (owned, nullable) */
} CavSwitchRow;

typedef struct {
	gint64 id;
	gint64 hearing_id;
	char *mic;  /* (owned) */
	char *kind; /* "silent" | "clipping" (owned) */
	gint64 start_us;
	gint64 end_us; /* 0 while open */
} CavAudioFaultRow;

/* Per-segment measurements, keyed by the segment's id. */
typedef struct {
	gint64 segment_id;
	gboolean has_av_offset;
	double av_offset_ms;
	gint64 dropped_frames; /* -1 when not measured */
} CavSegmentQuality;

void cav_switch_row_free(CavSwitchRow *row);
void cav_audio_fault_row_free(CavAudioFaultRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavSwitchRow, cav_switch_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavAudioFaultRow, cav_audio_fault_row_free)

/* Appends a switch (@row's id ignored); returns its id or 0. */
G_GNUC_WARN_UNUSED_RESULT
gint64 cav_store_switch_insert(CavStore *store, const CavSwitchRow *row, GError **error);
/* In time order. (transfer full) of CavSwitchRow */
GPtrArray *cav_store_switch_list(CavStore *store, gint64 hearing_id, GError **error);

/* Opens a fault interval; returns its id or 0. */
G_GNUC_WARN_UNUSED_RESULT
gint64 cav_store_audio_fault_open(CavStore *store, gint64 hearing_id, const char *mic,
				  const char *kind, gint64 start_us, GError **error);
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_audio_fault_close(CavStore *store, gint64 id, gint64 end_us, GError **error);
/* Closes every open fault of @hearing_id at @end_us (recorder down, crash). */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_audio_fault_close_all(CavStore *store, gint64 hearing_id, gint64 end_us,
					 GError **error);
/* In time order. (transfer full) of CavAudioFaultRow */
GPtrArray *cav_store_audio_fault_list(CavStore *store, gint64 hearing_id, GError **error);

/* Stores a segment's measurements; @av_offset_ms NAN and @dropped_frames
 * < 0 store NULL. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_segment_set_quality(CavStore *store, gint64 segment_id, double av_offset_ms,
				       gint64 dropped_frames, GError **error);
/* The measurements of a hearing's segments, by segment id. (transfer full)
 * of CavSegmentQuality */
GArray *cav_store_segment_quality_list(CavStore *store, gint64 hearing_id, GError **error);

/* Stores (replaces) the report of a hearing; @json is its text. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_report_set(CavStore *store, gint64 hearing_id, gint64 created_us,
			      const char *json, GError **error);
/* The stored report, or NULL (no error) when there is none. (transfer full) */
char *cav_store_report_get(CavStore *store, gint64 hearing_id, GError **error);

G_END_DECLS
