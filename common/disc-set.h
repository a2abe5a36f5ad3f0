/* disc-set.h — disc-set.json, the manifest of a case's set of discs.
 *
 * Every disc of a set carries it at its root with disc-set.sig beside it
 * (base64 of the device's signature over the exact bytes, as manifest.sig).
 * It names the case and the whole set — every hearing with the SHA-256 of
 * its manifest.json, and which disc holds which hearing (or which of its
 * files, for a hearing split between discs) — and lists, with their hashes,
 * the files of this disc that belong to no hearing (the player, README, the
 * interruption logs). The recordings themselves are checked through each
 * hearing's own signed manifest (verify.h); the set manifest ties those
 * manifests to the disc and covers everything else, so nothing on a disc is
 * unaccounted for.
 *
 * Parsing treats the bytes as untrusted input (a disc from anywhere): every
 * field is type-checked and bounded, paths must stay inside the disc; it is
 * a fuzz target. Any thread; no hidden state.
 */
#pragma once

#include <glib.h>
#include "manifest.h"
#include "sha256.h"

G_BEGIN_DECLS

#define CAV_DISC_SET_NAME "disc-set.json"
#define CAV_DISC_SET_SIG_NAME "disc-set.sig"
#define CAV_DISC_SET_VERSION 1
/* Larger input is refused before parsing. */
#define CAV_DISC_SET_MAX_BYTES ((gsize)64 * 1024 * 1024)

typedef struct {
	char *dir; /* folder on the disc: "h3" (owned) */
	gint64 id;
	char *uid; /* (owned) */
	gint64 opened_us;
	gint64 closed_us;
	guint8 manifest_sha256[CAV_SHA256_LEN]; /* of its manifest.json, byte for byte */
	guint n_segments;
	guint64 bytes; /* of its recordings */
} CavDiscSetHearing;

typedef struct {
	char *dir;        /* a hearing's folder (owned) */
	GPtrArray *files; /* char *: its recordings on this disc when split; NULL: all (owned) */
} CavDiscSetPart;

typedef struct {
	guint number;     /* 1-based */
	GPtrArray *parts; /* CavDiscSetPart * (owned) */
} CavDiscSetDisc;

typedef struct {
	char *path; /* relative to the disc's root: "player/player.js" (owned) */
	guint64 bytes;
	guint8 sha256[CAV_SHA256_LEN];
} CavDiscSetFile;

typedef struct {
	int version;
	char *set_uid; /* one per set of discs (owned) */
	gint64 created_us;
	char *court;          /* (owned, nullable) */
	char *room;           /* (owned) */
	char *case_number;    /* (owned) */
	char *case_title;     /* (owned, nullable) */
	char *medium;         /* "dvd5", "bd25", or "image" (owned) */
	guint disc;           /* this disc's number */
	gboolean closed;      /* the case ended: no session may be added */
	GPtrArray *hearings;  /* CavDiscSetHearing *, the whole set in order (owned) */
	GPtrArray *layout;    /* CavDiscSetDisc *, every disc of the set (owned) */
	GPtrArray *files;     /* CavDiscSetFile *, this disc's own files (owned) */
	char *sig_alg;        /* (owned) */
	char *device_key_id;  /* (owned) */
	char *public_key_pem; /* (owned) */
} CavDiscSet;

CavDiscSet *cav_disc_set_new(void);
void cav_disc_set_free(CavDiscSet *set);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavDiscSet, cav_disc_set_free)

/* Builders; they copy their arguments. */
CavDiscSetHearing *cav_disc_set_add_hearing(CavDiscSet *set, const char *dir, gint64 id,
					    const char *uid);
CavDiscSetDisc *cav_disc_set_add_disc(CavDiscSet *set, guint number);
/* @files NULL: the whole hearing. */
void cav_disc_set_disc_add_part(CavDiscSetDisc *disc, const char *dir, GPtrArray *files);
void cav_disc_set_add_file(CavDiscSet *set, const char *path, guint64 bytes,
			   const guint8 sha256[CAV_SHA256_LEN]);

/* Lookups. (transfer none, nullable) */
const CavDiscSetHearing *cav_disc_set_hearing(const CavDiscSet *set, const char *dir);
const CavDiscSetDisc *cav_disc_set_disc(const CavDiscSet *set, guint number);
/* The part of @dir on @disc, or NULL. (transfer none) */
const CavDiscSetPart *cav_disc_set_part(const CavDiscSetDisc *disc, const char *dir);

/* Canonical pretty JSON (fixed key order, trailing newline). (transfer full) */
char *cav_disc_set_to_json(const CavDiscSet *set, gsize *out_len);
/* Parses untrusted bytes; errors are CAV_MANIFEST_ERROR. (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
CavDiscSet *cav_disc_set_parse(const char *data, gsize len, GError **error);

G_END_DECLS
