/* disc-verify.h — checking a courtav disc with no database: an image file,
 * a disc in its drive (both read through drivers/burner.h), or a folder
 * holding a copy of one.
 *
 * On top of verify.h's check of every hearing (signature, chain, each
 * recording's SHA-256, missing and extra files), it checks the set manifest
 * (disc-set.json): its signature, that each hearing's manifest is the one
 * the set was burned with, that every other file on the disc (player,
 * README, logs) is listed with the right hash and that nothing unlisted sits
 * beside them. Files of a split hearing that the set places on another disc
 * are not reported missing. Blocking; call from a worker thread or a CLI.
 */
#pragma once

#include <glib.h>
#include <gio/gio.h>
#include "disc-set.h"
#include "verify.h"

G_BEGIN_DECLS

/* Verifies the disc whose root is @root on @fs. Returns FALSE only when the
 * check could not run (@root is no folder, or holds neither a set manifest
 * nor any hearing); an intact disc is TRUE with no findings. @out_set
 * (nullable) gets the parsed set manifest, or NULL when unreadable.
 * (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_disc_verify(const CavVerifyFs *fs, const char *root, const char *pinned_public_pem,
			 CavVerifyProgress progress, gpointer user_data,
			 CavVerifyReport **out_report, CavDiscSet **out_set,
			 GCancellable *cancellable, GError **error);

G_END_DECLS
