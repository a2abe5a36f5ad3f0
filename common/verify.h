/* verify.h — offline verification of recordings from files alone.
 *
 * Given a folder, finds every manifest.json below it (a hearing folder, a
 * case folder, a whole media tree, or a copy of one), and for each: checks
 * the signature when sealed, recomputes every file's SHA-256 and the hash
 * chain, and lists every file that is missing, extra, altered or reordered.
 * Needs no database. Blocking: call from a worker thread or a CLI.
 *
 * The files are read through a CavVerifyFs: the local file system by
 * default, or anything shaped like one — an ISO image or a disc read through
 * its drive (drivers/burner.h) — so a disc is checked by the same code as a
 * folder, without extracting it first.
 */
#pragma once

#include <glib.h>
#include <gio/gio.h>
#include "sha256.h"

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

/* ---- where files are read from ------------------------------------------ */

typedef enum {
	CAV_VERIFY_NODE_NONE, /* absent or unreadable */
	CAV_VERIFY_NODE_FILE, /* a regular file */
	CAV_VERIFY_NODE_DIR,
	CAV_VERIFY_NODE_OTHER, /* a symbolic link, device, … (never followed) */
} CavVerifyNodeKind;

/* A read-only file system. Paths are '/'-separated and absolute for the file
 * system at hand. Every callback runs on the verifying thread; @fs is
 * CavVerifyFs.data. */
typedef struct {
	/* Kind of @path, links not followed; *size (nullable) gets a file's size. */
	CavVerifyNodeKind (*stat)(gpointer fs, const char *path, guint64 *size);
	/* The names in folder @path, unsorted. (transfer full) */
	GStrv (*list)(gpointer fs, const char *path, GError **error);
	/* The whole content of file @path, refused when larger than @max bytes.
	 * *data is NUL-terminated. (transfer full) */
	gboolean (*read)(gpointer fs, const char *path, gsize max, char **data, gsize *len,
			 GError **error);
	/* SHA-256 and size of file @path; a cancelled read fails with
	 * G_IO_ERROR_CANCELLED. */
	gboolean (*hash)(gpointer fs, const char *path, guint8 digest[CAV_SHA256_LEN],
			 guint64 *bytes, GCancellable *cancellable, GError **error);
} CavVerifyFsOps;

typedef struct {
	const CavVerifyFsOps *ops; /* unowned, static */
	gpointer data;             /* unowned */
} CavVerifyFs;

/* The local file system. */
CavVerifyFs cav_verify_fs_local(void);

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

/* As cav_verify_path_full(), reading through @fs: @path is a folder or a
 * manifest.json of that file system. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_verify_fs_full(const CavVerifyFs *fs, const char *path, const char *pinned_public_pem,
			    CavVerifyProgress progress, gpointer user_data,
			    CavVerifyReport **out_report, GCancellable *cancellable,
			    GError **error);

/* An empty report, for callers that add findings of their own. (transfer full) */
CavVerifyReport *cav_verify_report_new(void);
/* Adds a finding to @report (e.g. a disc-level check made by a caller). */
void cav_verify_report_add(CavVerifyReport *report, CavFindingKind kind, const char *manifest,
			   const char *file, const char *detail);

void cav_verify_report_free(CavVerifyReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavVerifyReport, cav_verify_report_free)

/* "missing", "extra", ... (transfer none) */
const char *cav_finding_kind_name(CavFindingKind kind);

G_END_DECLS
