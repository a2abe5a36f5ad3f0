/* store-sources.h — fault intervals of capture sources (issue 3): the time a
 * camera or microphone was lost during a hearing, while its track showed the
 * slate (or silence). One row per loss; end_us is NULL while it lasts.
 * Schema: migration 5 (migrations.c).
 *
 * Main thread only, like all of the store (store.h).
 */
#pragma once

#include "store.h"

G_BEGIN_DECLS

typedef struct {
	gint64 id;
	gint64 hearing_id;
	char *source; /* source id = the camera's track name (owned) */
	gint64 start_us;
	gint64 end_us; /* 0 while open */
	char *reason;  /* (owned, nullable) */
} CavSourceFaultRow;

void cav_source_fault_row_free(CavSourceFaultRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavSourceFaultRow, cav_source_fault_row_free)

/* Opens a fault of @source unless one is open already. Returns the row id
 * (the open one's), or 0 with @error. */
G_GNUC_WARN_UNUSED_RESULT
gint64 cav_store_source_fault_open(CavStore *store, gint64 hearing_id, const char *source,
				   gint64 start_us, const char *reason, GError **error);

/* Closes the open fault of @source (no-op when none is open); @source NULL
 * closes every open fault of the hearing (the recording stopped). */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_source_fault_close(CavStore *store, gint64 hearing_id, const char *source,
				      gint64 end_us, GError **error);

/* The hearing's faults by start. (transfer full) of CavSourceFaultRow */
GPtrArray *cav_store_source_fault_list(CavStore *store, gint64 hearing_id, GError **error);

G_END_DECLS
