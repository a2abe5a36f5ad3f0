/* disc-plan.c — the capacity planner (see disc-plan.h). Pure; any thread.
 *
 * Packing is "next fit" in hearing order rather than a bin-packing optimum:
 * a clerk looks for hearing 7 on the disc after the one holding hearing 6,
 * and a case that grows by one hearing keeps the layout of its earlier discs
 * (so a disc burned last month is still disc 1 of the new plan). The cost is
 * at most about half a disc of slack per disc with very uneven hearings.
 */
#include "disc-plan.h"
#include "disc.h"
#include "errors.h"

#include <string.h>

/* The disc module's error domain (disc.h) lives here, in its one pure file,
 * so every user of the planner links it. */
/* The first argument is stringified: the error domain's name. */
/* clang-format off */
G_DEFINE_QUARK(cav-disc-error-quark, cav_disc_error)
/* clang-format on */

#define BLOCK 2048
#define ROUND_BLOCK(n) (((n) + BLOCK - 1) / BLOCK * BLOCK)

/* Blank capacities in 2 KiB sectors: the smaller of the -R and +R variants
 * (DVD-R 2,298,496 vs DVD+R 2,295,104; DVD-R DL 4,171,712 vs DVD+R DL
 * 4,173,824), and unformatted single/dual-layer BD-R. The margin (1/50,
 * ≈ 90 MiB on a DVD-5) covers what cannot be known before writing: lead-out
 * and closure of each session on write-once media, padding of a session to
 * the medium's ECC block (32 KiB DVD, 64 KiB BD), and drives that report a
 * few MiB less than the book. It leaves a DVD-5 4.29 GiB. */
#define MEDIUM(id, name, label, sectors)                                                           \
	{                                                                                          \
		id, name, label, (guint64)(sectors)*BLOCK,                                         \
			((guint64)(sectors)*BLOCK - (guint64)(sectors)*BLOCK / 50) / BLOCK *BLOCK  \
	}

static const CavDiscMediumInfo media[CAV_DISC_N_MEDIA] = {
	MEDIUM(CAV_DISC_DVD5, "dvd5", "DVD-5 (4.7 GB)", 2295104),
	MEDIUM(CAV_DISC_DVD9, "dvd9", "DVD-9 (8.5 GB)", 4171712),
	MEDIUM(CAV_DISC_BD25, "bd25", "BD-25 (25 GB)", 12219392),
	MEDIUM(CAV_DISC_BD50, "bd50", "BD-50 (50 GB)", 24438784),
};

const CavDiscMediumInfo *
cav_disc_media(CavDiscMedium medium)
{
	g_return_val_if_fail(medium >= 0 && medium < CAV_DISC_N_MEDIA, NULL);
	return &media[medium];
}

gboolean
cav_disc_medium_parse(const char *name, CavDiscMedium *out)
{
	g_autoptr(GString) s = g_string_new(NULL);

	if (name == NULL || g_ascii_strcasecmp(name, "auto") == 0) {
		*out = CAV_DISC_AUTO;
		return TRUE;
	}
	for (const char *p = name; *p != '\0'; p++)
		if (*p != '-' && *p != ' ')
			g_string_append_c(s, g_ascii_tolower(*p));
	for (guint i = 0; i < CAV_DISC_N_MEDIA; i++) {
		if (g_str_equal(s->str, media[i].name)) {
			*out = media[i].id;
			return TRUE;
		}
	}
	return FALSE;
}

guint64
cav_disc_need_bytes(guint64 payload_blocks_bytes, guint n_files, guint n_dirs, guint64 extras)
{
	return payload_blocks_bytes + (guint64)n_files * CAV_DISC_FILE_OVERHEAD +
	       (guint64)n_dirs * CAV_DISC_DIR_OVERHEAD + CAV_DISC_SESSION_OVERHEAD +
	       ROUND_BLOCK(extras);
}

/* ---- input --------------------------------------------------------------- */

static void
plan_file_free(CavPlanFile *f)
{
	g_free(f->path);
	g_free(f);
}

CavPlanHearing *
cav_plan_hearing_new(gint64 id, const char *dir)
{
	CavPlanHearing *h = g_new0(CavPlanHearing, 1);

	h->id = id;
	h->dir = g_strdup(dir);
	h->meta = g_ptr_array_new_with_free_func((GDestroyNotify)plan_file_free);
	h->files = g_ptr_array_new_with_free_func((GDestroyNotify)plan_file_free);
	return h;
}

void
cav_plan_hearing_free(CavPlanHearing *h)
{
	if (h == NULL)
		return;
	g_free(h->dir);
	g_ptr_array_unref(h->meta);
	g_ptr_array_unref(h->files);
	g_free(h);
}

void
cav_plan_hearing_add(CavPlanHearing *h, gboolean meta, const char *path, guint64 bytes)
{
	CavPlanFile *f = g_new0(CavPlanFile, 1);

	f->path = g_strdup(path);
	f->bytes = bytes;
	g_ptr_array_add(meta ? h->meta : h->files, f);
}

guint64
cav_plan_hearing_bytes(const CavPlanHearing *h)
{
	guint64 sum = 0;

	for (guint i = 0; i < h->meta->len; i++)
		sum += ((CavPlanFile *)h->meta->pdata[i])->bytes;
	for (guint i = 0; i < h->files->len; i++)
		sum += ((CavPlanFile *)h->files->pdata[i])->bytes;
	return sum;
}

/* ---- output -------------------------------------------------------------- */

static void
part_free(CavPlanPart *p)
{
	g_clear_pointer(&p->files, g_ptr_array_unref);
	g_free(p);
}

static void
disc_free(CavPlanDisc *d)
{
	g_ptr_array_unref(d->parts);
	g_free(d);
}

void
cav_disc_plan_free(CavDiscPlan *plan)
{
	if (plan == NULL)
		return;
	g_ptr_array_unref(plan->discs);
	g_ptr_array_unref(plan->warnings);
	g_free(plan);
}

guint
cav_disc_plan_disc_of(const CavDiscPlan *plan, guint index)
{
	for (guint i = 0; i < plan->discs->len; i++) {
		const CavPlanDisc *d = plan->discs->pdata[i];

		for (guint j = 0; j < d->parts->len; j++)
			if (((CavPlanPart *)d->parts->pdata[j])->hearing == index)
				return d->number;
	}
	return 0;
}

/* ---- packing ------------------------------------------------------------- */

/* What one disc holds so far, enough to price one more file. */
typedef struct {
	guint64 blocks; /* payload rounded to blocks */
	guint n_files;
	GHashTable *dirs; /* "h3", "h3/cam1" (owned keys) */
	guint64 extras;
} Acc;

static void
acc_init(Acc *a, guint64 extras)
{
	a->blocks = 0;
	a->n_files = 0;
	a->dirs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	a->extras = extras;
}

static void
acc_clear(Acc *a)
{
	g_clear_pointer(&a->dirs, g_hash_table_unref);
}

/* New folders @rel_path (below @hdir) would add. */
static guint
new_dirs(const Acc *a, const char *hdir, const char *rel_path, GHashTable *pending)
{
	g_autofree char *sub = g_path_get_dirname(rel_path);
	g_autofree char *full =
		g_str_equal(sub, ".") ? g_strdup(hdir) : g_build_filename(hdir, sub, NULL);
	guint n = 0;

	if (!g_hash_table_contains(a->dirs, hdir) &&
	    (pending == NULL || !g_hash_table_contains(pending, hdir))) {
		n++;
		if (pending != NULL)
			g_hash_table_add(pending, g_strdup(hdir));
	}
	if (!g_str_equal(full, hdir) && !g_hash_table_contains(a->dirs, full) &&
	    (pending == NULL || !g_hash_table_contains(pending, full))) {
		n++;
		if (pending != NULL)
			g_hash_table_add(pending, g_strdup(full));
	}
	return n;
}

static void
acc_add(Acc *a, const char *hdir, const CavPlanFile *f)
{
	g_autofree char *sub = g_path_get_dirname(f->path);

	a->blocks += ROUND_BLOCK(f->bytes);
	a->n_files++;
	g_hash_table_add(a->dirs, g_strdup(hdir));
	if (!g_str_equal(sub, "."))
		g_hash_table_add(a->dirs, g_build_filename(hdir, sub, NULL));
}

/* Root, player/ and pages/ are on every disc. */
#define FIXED_DIRS 3

static guint64
acc_need(const Acc *a)
{
	return cav_disc_need_bytes(a->blocks, a->n_files, g_hash_table_size(a->dirs) + FIXED_DIRS,
				   a->extras);
}

/* The need once @files (and @meta unless already on the disc) are added. */
static guint64
acc_need_with(const Acc *a, const char *hdir, GPtrArray *meta, GPtrArray *files, guint from,
	      guint to)
{
	g_autoptr(GHashTable) pending =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	Acc t = *a;
	guint dirs = 0;

	for (guint pass = 0; pass < 2; pass++) {
		GPtrArray *list = pass == 0 ? meta : files;
		guint lo = pass == 0 ? 0 : from, hi = pass == 0 ? (meta ? meta->len : 0) : to;

		for (guint i = lo; list != NULL && i < hi; i++) {
			const CavPlanFile *f = list->pdata[i];

			t.blocks += ROUND_BLOCK(f->bytes);
			t.n_files++;
			dirs += new_dirs(a, hdir, f->path, pending);
		}
	}
	return cav_disc_need_bytes(t.blocks, t.n_files,
				   g_hash_table_size(a->dirs) + dirs + FIXED_DIRS, a->extras);
}

typedef struct {
	const CavDiscMediumInfo *m;
	GPtrArray *hearings;
	CavDiscPlan *plan;
	CavPlanDisc *cur;
	Acc acc;
	guint64 extras;
} Packer;

static void
open_disc(Packer *p)
{
	p->cur = g_new0(CavPlanDisc, 1);
	p->cur->number = p->plan->discs->len + 1;
	p->cur->parts = g_ptr_array_new_with_free_func((GDestroyNotify)part_free);
	g_ptr_array_add(p->plan->discs, p->cur);
	acc_clear(&p->acc);
	acc_init(&p->acc, p->extras);
}

static void
close_disc(Packer *p)
{
	if (p->cur != NULL)
		p->cur->need_bytes = acc_need(&p->acc);
}

static CavPlanPart *
add_part(Packer *p, guint index, gboolean whole)
{
	CavPlanPart *part = g_new0(CavPlanPart, 1);

	part->hearing = index;
	part->whole = whole;
	if (!whole)
		part->files = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(p->cur->parts, part);
	return part;
}

static void
add_meta(Packer *p, const CavPlanHearing *h, CavPlanPart *part)
{
	for (guint i = 0; i < h->meta->len; i++) {
		const CavPlanFile *f = h->meta->pdata[i];

		acc_add(&p->acc, h->dir, f);
		part->bytes += f->bytes;
	}
}

/* A hearing larger than one disc: its files in order, a new disc (with the
 * hearing's manifest again) whenever the next file does not fit. */
static gboolean
pack_split(Packer *p, guint index, GError **error)
{
	const CavPlanHearing *h = p->hearings->pdata[index];
	CavPlanPart *part = NULL;

	for (guint i = 0; i < h->files->len; i++) {
		const CavPlanFile *f = h->files->pdata[i];

		if (acc_need_with(&p->acc, h->dir, part ? NULL : h->meta, h->files, i, i + 1) >
		    p->m->usable) {
			if (p->acc.n_files > 0) {
				close_disc(p);
				open_disc(p);
				part = NULL;
			}
			if (acc_need_with(&p->acc, h->dir, h->meta, h->files, i, i + 1) >
			    p->m->usable) {
				cav_set_error_bi(error, CAV_DISC_ERROR, CAV_DISC_ERROR_TOO_LARGE,
						 "%s/%s (%" G_GUINT64_FORMAT
						 " bytes) does not fit on an empty %s: choose a "
						 "larger medium",
						 "%s/%s（%" G_GUINT64_FORMAT
						 " 字节）放不进一张空白 %s：请选择更大容量的光盘",
						 h->dir, f->path, f->bytes, p->m->label);
				return FALSE;
			}
		}
		if (part == NULL) {
			part = add_part(p, index, FALSE);
			add_meta(p, h, part);
		}
		acc_add(&p->acc, h->dir, f);
		g_ptr_array_add(part->files, g_strdup(f->path));
		part->bytes += f->bytes;
	}
	p->plan->split = TRUE;
	return TRUE;
}

static void
pack_whole(Packer *p, guint index)
{
	const CavPlanHearing *h = p->hearings->pdata[index];
	CavPlanPart *part = add_part(p, index, TRUE);

	add_meta(p, h, part);
	for (guint i = 0; i < h->files->len; i++) {
		const CavPlanFile *f = h->files->pdata[i];

		acc_add(&p->acc, h->dir, f);
		part->bytes += f->bytes;
	}
}

static CavDiscPlan *
pack(GPtrArray *hearings, const CavDiscMediumInfo *m, GError **error)
{
	g_autoptr(CavDiscPlan) plan = g_new0(CavDiscPlan, 1);
	Packer p = {m, hearings, plan, NULL, {0}, 0};
	gboolean ok = TRUE;

	plan->medium = m->id;
	plan->discs = g_ptr_array_new_with_free_func((GDestroyNotify)disc_free);
	plan->warnings = g_ptr_array_new_with_free_func(g_free);
	plan->n_hearings = hearings->len;
	p.extras = CAV_DISC_EXTRAS_FIXED + CAV_DISC_EXTRAS_PER_HEARING * hearings->len;
	acc_init(&p.acc, p.extras);
	open_disc(&p);
	for (guint i = 0; ok && i < hearings->len; i++) {
		const CavPlanHearing *h = hearings->pdata[i];
		Acc empty;
		gboolean alone;

		plan->payload += cav_plan_hearing_bytes(h);
		if (acc_need_with(&p.acc, h->dir, h->meta, h->files, 0, h->files->len) <=
		    m->usable) {
			pack_whole(&p, i);
			continue;
		}
		acc_init(&empty, p.extras);
		alone = acc_need_with(&empty, h->dir, h->meta, h->files, 0, h->files->len) <=
			m->usable;
		acc_clear(&empty);
		if (alone) {
			if (p.acc.n_files > 0) {
				close_disc(&p);
				open_disc(&p);
			}
			pack_whole(&p, i);
			continue;
		}
		ok = pack_split(&p, i, error);
	}
	close_disc(&p);
	acc_clear(&p.acc);
	return ok ? g_steal_pointer(&plan) : NULL;
}

static gboolean
check_files(GPtrArray *hearings, GPtrArray *warnings, GError **error)
{
	for (guint i = 0; i < hearings->len; i++) {
		const CavPlanHearing *h = hearings->pdata[i];

		for (guint j = 0; j < h->files->len; j++) {
			const CavPlanFile *f = h->files->pdata[j];

			if (f->bytes > CAV_DISC_MAX_FILE) {
				cav_set_error_bi(error, CAV_DISC_ERROR, CAV_DISC_ERROR_TOO_LARGE,
						 "%s/%s is %" G_GUINT64_FORMAT
						 " bytes: files of 4 GiB or more need ISO level 3, "
						 "which many readers mishandle; re-segment it",
						 "%s/%s 大小为 %" G_GUINT64_FORMAT
						 " 字节：4 GiB 及以上的文件需要 ISO 第 3 级，许多"
						 "读取设备不能正确处理，请重新分段",
						 h->dir, f->path, f->bytes);
				return FALSE;
			}
			if (f->bytes > CAV_DISC_WARN_FILE && warnings != NULL)
				g_ptr_array_add(warnings,
						g_strdup_printf("%s/%s is larger than 1 GiB; "
								"shorter segments are safer on "
								"disc.\x1e%s/%s 超过 1 GiB，"
								"分段更短更适合刻录。",
								h->dir, f->path, h->dir, f->path));
		}
	}
	return TRUE;
}

CavDiscPlan *
cav_disc_plan(GPtrArray *hearings, CavDiscMedium medium, GError **error)
{
	g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
	CavDiscPlan *plan = NULL;

	g_return_val_if_fail(medium == CAV_DISC_AUTO || (medium >= 0 && medium < CAV_DISC_N_MEDIA),
			     NULL);
	if (hearings->len == 0) {
		cav_set_error_bi(error, CAV_DISC_ERROR, CAV_DISC_ERROR_NOTHING,
				 "The case has no sealed hearing to put on a disc: seal a hearing "
				 "first",
				 "该案件没有已封存的庭审可刻录：请先封存庭审");
		return NULL;
	}
	if (!check_files(hearings, warnings, error))
		return NULL;
	if (medium != CAV_DISC_AUTO) {
		plan = pack(hearings, &media[medium], error);
	} else {
		/* The smallest medium that takes the case on one disc; otherwise
		 * span over the largest, which needs the fewest discs. */
		for (guint i = 0; i < CAV_DISC_N_MEDIA; i++) {
			g_autoptr(CavDiscPlan) p = pack(hearings, &media[i], NULL);

			if (p != NULL && (p->discs->len == 1 || i == CAV_DISC_N_MEDIA - 1)) {
				plan = g_steal_pointer(&p);
				break;
			}
		}
		if (plan == NULL)
			plan = pack(hearings, &media[CAV_DISC_BD50], error);
	}
	if (plan != NULL) {
		for (guint i = 0; i < warnings->len; i++)
			g_ptr_array_add(plan->warnings, g_strdup(warnings->pdata[i]));
	}
	return plan;
}
