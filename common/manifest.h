/* manifest.h — the per-hearing manifest.json that makes a folder of
 * recordings verifiable with no database.
 *
 * Written atomically beside the hearing's track folders each time a segment
 * closes, and once more on close and on seal. When sealed, manifest.sig
 * (base64 of the device signature over the exact bytes of manifest.json)
 * sits beside it. File paths inside are relative to the manifest's folder.
 *
 * Parsing treats the file as untrusted input (a copied folder or a disc):
 * every field is type-checked and bounded; it is a fuzz target.
 * Any thread may call these; a CavManifest has no hidden state.
 */
#pragma once

#include <glib.h>
#include "sha256.h"

G_BEGIN_DECLS

#define CAV_MANIFEST_ERROR (cav_manifest_error_quark())
GQuark cav_manifest_error_quark(void);

typedef enum {
	CAV_MANIFEST_ERROR_IO,
	CAV_MANIFEST_ERROR_PARSE,   /* not JSON, or a field missing / of the wrong type */
	CAV_MANIFEST_ERROR_VERSION, /* a format version this build does not know */
} CavManifestError;

#define CAV_MANIFEST_VERSION 1
#define CAV_MANIFEST_NAME "manifest.json"
#define CAV_MANIFEST_SIG_NAME "manifest.sig"

typedef struct {
	char *file; /* path relative to the manifest's folder, e.g. "cam1/room101_..._0001_....mp4" (owned) */
	char *track; /* (owned) */
	guint seq;
	guint64 bytes;
	guint8 sha256[CAV_SHA256_LEN];
	guint8 chain[CAV_SHA256_LEN]; /* chain link after this segment */
	gint64 start_us;              /* wall clock, UTC microseconds */
	gint64 end_us;
	gboolean partial; /* registered after a crash or a write fault */
} CavManifestSegment;

typedef struct {
	char *kind; /* "recording" or "paused" (owned) */
	char *reason; /* for "paused": "recess" | "closed_evidence" | "mediation" | "fault"; else NULL (owned) */
	char *detail; /* free text, nullable (owned) */
	gint64 start_us;
	gint64 end_us; /* 0 while open */
} CavManifestInterval;

typedef struct {
	gint64 at_us;
	char *label; /* (owned) */
	char *actor; /* (owned) */
} CavManifestMark;

/* An exhibit shown on an evidence input during the hearing: its track holds
 * the recording of it, this says what was shown. (Optional in the file:
 * "exhibits" is absent from manifests written before evidence inputs.) */
typedef struct {
	char *input; /* evidence input id = its track's name (owned) */
	char *file; /* the shown file, relative to the input's folder; NULL for an HDMI input (owned) */
	gboolean has_sha256;           /* FALSE while the file is still being hashed, or no file */
	guint8 sha256[CAV_SHA256_LEN]; /* of the shown file */
	guint64 bytes;                 /* its size */
	gint64 start_us;
	gint64 end_us; /* 0 while shown */
	char *actor;   /* who showed it (owned) */
} CavManifestExhibit;

typedef struct {
	int version;       /* CAV_MANIFEST_VERSION */
	char *hearing_uid; /* UUID (owned) */
	gint64 hearing_id;
	char *state;       /* "recording" | "paused" | "closed" | "sealed" (owned) */
	char *court;       /* (owned, nullable) */
	char *room;        /* (owned) */
	char *case_number; /* (owned) */
	char *case_title;  /* (owned, nullable) */
	gboolean is_public;
	gint64 opened_us;
	gint64 closed_us;                  /* 0 when not closed */
	GPtrArray *segments;               /* of CavManifestSegment, in chain order (owned) */
	GPtrArray *intervals;              /* of CavManifestInterval (owned) */
	GPtrArray *marks;                  /* of CavManifestMark (owned) */
	GPtrArray *exhibits;               /* of CavManifestExhibit, by start (owned) */
	guint8 chain_head[CAV_SHA256_LEN]; /* equals the last segment's chain, or genesis */
	char *sig_alg;                     /* "ed25519" (owned) */
	char *public_key_pem;              /* device public key (owned) */
	char *device_key_id;               /* (owned) */
} CavManifest;

/* An empty manifest with its arrays allocated. (transfer full) */
CavManifest *cav_manifest_new(void);
void cav_manifest_free(CavManifest *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavManifest, cav_manifest_free)

/* Appends a copy of @seg. */
void cav_manifest_add_segment(CavManifest *m, const CavManifestSegment *seg);
void cav_manifest_add_interval(CavManifest *m, const CavManifestInterval *iv);
void cav_manifest_add_mark(CavManifest *m, const CavManifestMark *mark);
void cav_manifest_add_exhibit(CavManifest *m, const CavManifestExhibit *exhibit);

/* Canonical, pretty-printed JSON (keys in a fixed order, UTF-8). (transfer full) */
char *cav_manifest_to_json(const CavManifest *m, gsize *out_len);
/* Parses untrusted bytes. (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
CavManifest *cav_manifest_parse(const char *data, gsize len, GError **error);
/* Atomic write of cav_manifest_to_json() to @path. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_manifest_write(const CavManifest *m, const char *path, GError **error);
G_GNUC_WARN_UNUSED_RESULT
CavManifest *cav_manifest_load(const char *path, GError **error);

G_END_DECLS
