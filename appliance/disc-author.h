/* disc-author.h — the tree of one disc of a case: what a session writes.
 *
 * For disc N of a plan: every hearing the plan puts there (its manifest.json
 * byte for byte, manifest.sig, torn tails, and its recordings — all, or the
 * planned share of a split hearing) under the hearing's own folder name, and
 * the disc's own files: README.txt, index.html and player/ (the offline
 * player, from ui/disc/ compiled in as a GResource), player/data.js,
 * pages/hN-log.html and .txt for each hearing, device-key.pub, and
 * disc-set.json signed by the device key as disc-set.sig.
 *
 * When the medium already holds sessions of the same set (@on_medium), the
 * hearings already on it are not written again: the new session references
 * them; only new hearings and the regenerated disc files are added.
 *
 * Blocking only for small reads (templates); any thread. (transfer full)
 */
#pragma once

#include <glib.h>
#include "disc-case.h"
#include "disc-plan.h"
#include "drivers/burner.h"
#include "common/disc-set.h"
#include "common/signer.h"

G_BEGIN_DECLS

typedef struct {
	const CavDiscCase *c;
	const CavDiscPlan *plan;
	guint disc;                  /* 1-based */
	const char *medium;          /* "dvd5", … or "image" */
	const CavDiscSet *on_medium; /* the set manifest found on the medium (nullable) */
	gboolean closed;             /* mark the set manifest closed: the case ended */
	const CavSigner *signer;
} CavDiscAuthorSpec;

/* The set id of a case's discs from this device: the same for every disc,
 * copy and session, so a disc can tell whether it belongs. (transfer full) */
char *cav_disc_set_uid(const CavDiscCase *c, const CavSigner *signer);

/* Builds the session's tree; @out_set (nullable) gets the set manifest it
 * carries. CAV_DISC_ERROR_NOTHING when the medium already holds everything
 * and the set is not being closed. (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
CavBurnTree *cav_disc_author(const CavDiscAuthorSpec *spec, CavDiscSet **out_set, GError **error);

G_END_DECLS
