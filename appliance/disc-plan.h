/* disc-plan.h — which discs a case needs: the capacity planner.
 *
 * Picks the smallest medium (DVD-5, DVD-9, BD-25, BD-50) that holds the whole
 * case; when none does, spans the case over numbered discs of the largest
 * (or of the medium asked for), in hearing order, whole hearings per disc.
 * Only a hearing larger than one disc is split, between files, never inside
 * one. Every disc is self-contained: it carries the manifest (and signature)
 * of each hearing it holds part of, the player, and the set manifest.
 *
 * Sizes are what the disc will use, not what the files weigh: each file is
 * rounded to 2 KiB blocks and pays for its directory records, each folder for
 * its blocks, each session for its descriptors; the figures are measured
 * with libisofs (see cav_disc_need_bytes()). What a medium offers is its
 * blank capacity less a margin (cav_disc_media).
 *
 * Pure: no I/O, no state; any thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	CAV_DISC_DVD5,
	CAV_DISC_DVD9,
	CAV_DISC_BD25,
	CAV_DISC_BD50,
	CAV_DISC_N_MEDIA,
	CAV_DISC_AUTO = -1,
} CavDiscMedium;

typedef struct {
	CavDiscMedium id;
	const char *name;  /* "dvd5" */
	const char *label; /* "DVD-5 (4.7 GB)" */
	guint64 capacity;  /* bytes a blank disc holds */
	guint64 usable;    /* what the planner fills: capacity less the margin, in 2 KiB blocks */
} CavDiscMediumInfo;

/* The four media, smallest first. (transfer none) */
const CavDiscMediumInfo *cav_disc_media(CavDiscMedium medium);
/* "dvd5", "DVD-9", "bd25", "BD-50" (any case, '-' optional) → medium;
 * "auto" or NULL → CAV_DISC_AUTO. FALSE when unknown. */
gboolean cav_disc_medium_parse(const char *name, CavDiscMedium *out);

/* Measured ISO 9660 + Joliet + Rock Ridge + MD5 overhead (libisofs 1.5.4):
 * directory records of the three trees and a file MD5 ≈ 410 bytes per file,
 * one block per folder per tree, ≈ 150 KiB of descriptors, path tables and
 * checksum tags per session plus the 64 KiB header copy of multi-session
 * emulation and padding to the last 1 MiB write chunk. Rounded up. */
#define CAV_DISC_FILE_OVERHEAD 512
#define CAV_DISC_DIR_OVERHEAD (3 * 2048)
#define CAV_DISC_SESSION_OVERHEAD ((guint64)(1024 + 64) * 1024)
/* The player, README, logs and set manifest on every disc, generously:
 * fixed part plus a part per hearing of the set. */
#define CAV_DISC_EXTRAS_FIXED ((guint64)1024 * 1024)
#define CAV_DISC_EXTRAS_PER_HEARING ((guint64)256 * 1024)
/* Larger files need ISO level 3 (multi-extent), which many readers get
 * wrong; the recorder's segments are far smaller. */
#define CAV_DISC_MAX_FILE (G_GUINT64_CONSTANT(4) * 1024 * 1024 * 1024 - 1)
/* Above this a file is accepted with a warning: keep segments ≤ 1 GiB. */
#define CAV_DISC_WARN_FILE (G_GUINT64_CONSTANT(1) << 30)

/* Bytes on disc of one session holding @n_files files of @payload bytes
 * (already rounded to blocks) in @n_dirs folders, plus the extras. */
guint64 cav_disc_need_bytes(guint64 payload_blocks_bytes, guint n_files, guint n_dirs,
			    guint64 extras);

/* ---- input --------------------------------------------------------------- */

typedef struct {
	char *path; /* relative to the hearing folder: "cam1/x.mp4" (owned) */
	guint64 bytes;
} CavPlanFile;

typedef struct {
	gint64 id;
	char *dir;        /* folder name on the disc: "h3" (owned) */
	GPtrArray *meta;  /* CavPlanFile *: manifest.json, manifest.sig, torn tails —
			   * on every disc that holds part of the hearing (owned) */
	GPtrArray *files; /* CavPlanFile *: the recordings, in chain order (owned) */
} CavPlanHearing;

CavPlanHearing *cav_plan_hearing_new(gint64 id, const char *dir);
void cav_plan_hearing_free(CavPlanHearing *h);
void cav_plan_hearing_add(CavPlanHearing *h, gboolean meta, const char *path, guint64 bytes);
/* Sum of every file's size. */
guint64 cav_plan_hearing_bytes(const CavPlanHearing *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavPlanHearing, cav_plan_hearing_free)

/* ---- output -------------------------------------------------------------- */

typedef struct {
	guint hearing;    /* index into the input */
	gboolean whole;   /* the whole hearing; else only @files (and its meta) */
	GPtrArray *files; /* char *: paths of the recordings on this disc, when split (owned) */
	guint64 bytes;    /* payload of this part, meta included */
} CavPlanPart;

typedef struct {
	guint number;       /* 1-based */
	GPtrArray *parts;   /* CavPlanPart * (owned) */
	guint64 need_bytes; /* estimated bytes on the disc */
} CavPlanDisc;

typedef struct {
	CavDiscMedium medium;
	GPtrArray *discs; /* CavPlanDisc * (owned) */
	guint64 payload;  /* sum of all files */
	guint n_hearings;
	gboolean split;      /* a hearing spans discs */
	GPtrArray *warnings; /* char *: English\x1e中文 (owned) */
} CavDiscPlan;

void cav_disc_plan_free(CavDiscPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavDiscPlan, cav_disc_plan_free)

/* Plans @hearings (CavPlanHearing *, in order) on @medium, or on the
 * smallest that fits when CAV_DISC_AUTO. NULL + CAV_DISC_ERROR when there is
 * nothing to plan or a file fits no disc. (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
CavDiscPlan *cav_disc_plan(GPtrArray *hearings, CavDiscMedium medium, GError **error);

/* Which disc holds the hearing at @index (the first, when split); 0 if none. */
guint cav_disc_plan_disc_of(const CavDiscPlan *plan, guint index);

G_END_DECLS
