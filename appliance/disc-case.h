/* disc-case.h — a case as the disc code sees it: its hearings, which are
 * sealed, what each weighs, and for sealed ones the exact manifest the seal
 * signed.
 *
 * Loaded on the main thread (it reads the store, and each sealed hearing's
 * small manifest.json from disk); the result is immutable and may then be
 * handed to a worker thread. Also hosts the capacity warning the room raises
 * when a hearing opens.
 */
#pragma once

#include <glib.h>
#include "disc-plan.h"
#include "room.h"
#include "store.h"
#include "common/manifest.h"

G_BEGIN_DECLS

typedef struct {
	CavHearingRow *row; /* (owned) */
	char *dir;          /* the folder's name, on disk and on the disc: "h3" (owned) */
	gboolean sealed;
	char *manifest_data; /* exact bytes of manifest.json when sealed (owned, nullable) */
	gsize manifest_len;
	CavManifest *manifest; /* parsed, when sealed (owned, nullable) */
	CavPlanHearing *plan;  /* sizes: from the manifest when sealed, else the store (owned) */
} CavDiscHearing;

typedef struct {
	CavCaseRow *kase;    /* (owned) */
	char *court;         /* (owned, nullable) */
	char *room_name;     /* (owned) */
	GPtrArray *hearings; /* CavDiscHearing *, oldest first (owned) */
} CavDiscCase;

/* Main thread. NULL + CAV_DISC_ERROR_NOT_FOUND when no such case; a sealed
 * hearing whose manifest cannot be read is an error naming it. (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
CavDiscCase *cav_disc_case_load(CavRoom *room, gint64 case_id, GError **error);
void cav_disc_case_free(CavDiscCase *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavDiscCase, cav_disc_case_free)

/* The sealed hearings' plan inputs, in order. (transfer container: the
 * elements belong to @c) */
GPtrArray *cav_disc_case_sealed_plans(const CavDiscCase *c);
/* The hearing whose folder is @dir, or NULL. (transfer none) */
const CavDiscHearing *cav_disc_case_hearing(const CavDiscCase *c, const char *dir);
/* FALSE with CAV_DISC_ERROR_UNSEALED naming every hearing not sealed. */
gboolean cav_disc_case_check_sealed(const CavDiscCase *c, GError **error);

/* Called by the room when hearing @hearing_id of @case_id opens: when one
 * more hearing like the case's largest (at least an hour at the configured
 * bitrates) would no longer fit on the medium the case fits today, stores a
 * "disc-capacity" warning event and emits it on the hub as "warning". Main
 * thread; never fails the caller. */
void cav_disc_capacity_check(CavRoom *room, gint64 case_id, gint64 hearing_id);

G_END_DECLS
