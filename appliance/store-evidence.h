/* store-evidence.h — uses of the evidence inputs (issue 3): each time an
 * evidence input (an HDMI capture, or an image or video file shown to the
 * court) was in use during a hearing, and so recorded on its own track. One
 * row per use; end_us is NULL while it lasts, and at most one use of a
 * hearing is open at a time (a partial unique index). A shown file is named
 * (relative to its input's folder) with its SHA-256 and size, so the record
 * says exactly which exhibit was on screen.
 * Schema: migration 6 (migrations.c).
 *
 * Main thread only, like all of the store (store.h).
 */
#pragma once

#include "store.h"

G_BEGIN_DECLS

typedef struct {
	gint64 id;
	gint64 hearing_id;
	char *source;      /* evidence input id = its track name (owned) */
	char *file;        /* shown file, relative to the input's folder (owned, nullable) */
	char *file_sha256; /* lowercase hex, or NULL while hashing / no file (owned) */
	gint64 file_bytes; /* 0 when no file */
	gint64 start_us;
	gint64 end_us;    /* 0 while in use */
	char *started_by; /* (owned) */
	char *ended_by;   /* (owned, nullable) */
	char *end_reason; /* e.g. "stopped", "hearing paused" (owned, nullable) */
} CavEvidenceUseRow;

void cav_evidence_use_row_free(CavEvidenceUseRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavEvidenceUseRow, cav_evidence_use_row_free)

/* Opens a use; fails with CAV_STORE_ERROR_CONSTRAINT while another use of
 * the hearing is open. Returns the row id or 0. */
G_GNUC_WARN_UNUSED_RESULT
gint64 cav_store_evidence_open(CavStore *store, gint64 hearing_id, const char *source,
			       const char *file, gint64 start_us, const char *actor,
			       GError **error);

/* Records the shown file's digest once it is computed. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_evidence_set_digest(CavStore *store, gint64 use_id, const char *sha256_hex,
				       gint64 bytes, GError **error);

/* Ends use @use_id (no-op when it has ended already). */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_evidence_close(CavStore *store, gint64 use_id, gint64 end_us, const char *actor,
				  const char *reason, GError **error);

/* Ends every open use of @hearing_id (0: of any hearing) at @end_us: after
 * a crash, the use ended when the recording did. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_store_evidence_close_all(CavStore *store, gint64 hearing_id, gint64 end_us,
				      const char *actor, const char *reason, GError **error);

/* The hearing's uses by start. (transfer full) of CavEvidenceUseRow */
GPtrArray *cav_store_evidence_list(CavStore *store, gint64 hearing_id, GError **error);

G_END_DECLS
