/* verify.h — offline verification of recordings from files alone.
 *
 * Given a folder, finds every manifest.json below it (a hearing folder, a
 * case folder, a whole media tree, or a copy of one), and for each: checks
 * the signature when sealed, recomputes every file's SHA-256 and the hash
 * chain, and lists every file that is missing, extra, altered or reordered.
 * Needs no database. Blocking: call from a worker thread or a CLI.
 */
#pragma once

#include <glib.h>
#include <gio/gio.h>

G_BEGIN_DECLS

#define CAV_VERIFY_ERROR (cav_verify_error_quark())
GQuark cav_verify_error_quark(void);

typedef enum {
	CAV_VERIFY_ERROR_NOT_FOUND,   /* the path does not exist */
	CAV_VERIFY_ERROR_NO_MANIFEST, /* nothing to verify below it */
} CavVerifyError;

typedef enum {
	CAV_FINDING_MISSING,   /* listed in the manifest, not on disk */
	CAV_FINDING_EXTRA,     /* on disk under a hearing folder, not in the manifest */
	CAV_FINDING_ALTERED,   /* hash or size differs */
	CAV_FINDING_REORDERED, /* content matches a different entry (renamed, swapped) */
	CAV_FINDING_CHAIN,     /* the manifest's chain does not recompute */
	CAV_FINDING_SIGNATURE, /* sealed, but signature missing or wrong */
	CAV_FINDING_MANIFEST,  /* manifest unreadable or inconsistent */
} CavFindingKind;

typedef struct {
	CavFindingKind kind;
	char *manifest; /* path of the manifest concerned (owned) */
	char *file;     /* file concerned, relative to the manifest folder, nullable (owned) */
	char *detail;   /* one English sentence (owned) */
} CavFinding;

typedef struct {
	guint n_manifests;
	guint n_sealed;
	guint n_files_ok;
	guint64 bytes_hashed;
	GPtrArray *findings; /* of CavFinding (owned) */
} CavVerifyReport;

/* Called after each file is hashed, from the calling thread. */
typedef void (*CavVerifyProgress)(const char *file, guint done, guint total, gpointer user_data);

/* Returns FALSE only when verification could not run at all (path missing,
 * no manifest). An intact tree is TRUE with no findings. (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_verify_path(const char *path, CavVerifyProgress progress, gpointer user_data,
			 CavVerifyReport **out_report, GCancellable *cancellable, GError **error);

/* As cav_verify_path(), and with @pinned_public_pem (nullable) every
 * signature must also verify under that key. Without it a sealed manifest is
 * checked against the public key embedded in it, which proves the manifest is
 * unchanged since sealing but not which device sealed it; pinning the
 * device's exported key (courtavctl verify --public-key) proves both. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_verify_path_full(const char *path, const char *pinned_public_pem,
			      CavVerifyProgress progress, gpointer user_data,
			      CavVerifyReport **out_report, GCancellable *cancellable,
			      GError **error);

void cav_verify_report_free(CavVerifyReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavVerifyReport, cav_verify_report_free)

/* "missing", "extra", ... (transfer none) */
const char *cav_finding_kind_name(CavFindingKind kind);

G_END_DECLS
