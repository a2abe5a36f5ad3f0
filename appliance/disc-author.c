/* disc-author.c — one disc's session tree (see disc-author.h).
 *
 * The player's files are compiled into the binary (GResource from ui/disc/)
 * rather than read from a data folder at run time: a disc must never be
 * written with a player missing or from another version because of an
 * install mistake, and the tests run from the build tree without installing.
 */
#include "disc-author.h"
#include "disc-pages.h"
#include "disc.h"
#include "errors.h"
#include "cav-disc-resources.h"

#include <string.h>

#define RESOURCE_ROOT "/org/courtav/disc/"

char *
cav_disc_set_uid(const CavDiscCase *c, const CavSigner *signer)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);

	g_checksum_update(sum, (const guchar *)"courtav-disc-set-v1", 20);
	g_checksum_update(sum, (const guchar *)cav_signer_key_id(signer), -1);
	g_checksum_update(sum, (const guchar *)"", 1);
	g_checksum_update(sum, (const guchar *)c->kase->number, -1);
	return g_strndup(g_checksum_get_string(sum), 32);
}

/* A generated file: into the tree, and listed with its hash in the set. */
static void
add_generated(CavBurnTree *tree, CavDiscSet *set, const char *path, const void *data, gsize len)
{
	guint8 digest[CAV_SHA256_LEN];

	cav_sha256_buf(data, len, digest);
	cav_burn_tree_add_data(tree, path, data, len);
	cav_disc_set_add_file(set, path, len, digest);
}

static void
add_text(CavBurnTree *tree, CavDiscSet *set, const char *path, char *text)
{
	add_generated(tree, set, path, text, strlen(text));
	g_free(text);
}

static gboolean
add_template(CavBurnTree *tree, CavDiscSet *set, const char *path, GError **error)
{
	g_autofree char *name = g_strconcat(RESOURCE_ROOT, path, NULL);
	g_autoptr(GBytes) bytes = g_resource_lookup_data(cav_disc_get_resource(), name, 0, error);
	gsize len = 0;
	const void *data;

	if (bytes == NULL)
		return FALSE;
	data = g_bytes_get_data(bytes, &len);
	add_generated(tree, set, path, data, len);
	return TRUE;
}

static CavDiscSet *
build_set(const CavDiscAuthorSpec *spec)
{
	const CavDiscCase *c = spec->c;
	g_autoptr(GPtrArray) sealed = cav_disc_case_sealed_plans(c);
	CavDiscSet *set = cav_disc_set_new();

	set->set_uid = cav_disc_set_uid(c, spec->signer);
	set->created_us = g_get_real_time();
	set->court = g_strdup(c->court);
	set->room = g_strdup(c->room_name);
	set->case_number = g_strdup(c->kase->number);
	set->case_title = g_strdup(c->kase->title);
	set->medium = g_strdup(spec->medium);
	set->disc = spec->disc;
	set->closed = spec->closed;
	set->sig_alg = g_strdup(cav_signer_alg(spec->signer));
	set->device_key_id = g_strdup(cav_signer_key_id(spec->signer));
	set->public_key_pem = g_strdup(cav_signer_public_pem(spec->signer));
	for (guint i = 0; i < sealed->len; i++) {
		const CavPlanHearing *p = sealed->pdata[i];
		const CavDiscHearing *h = cav_disc_case_hearing(c, p->dir);
		CavDiscSetHearing *sh =
			cav_disc_set_add_hearing(set, h->dir, h->row->id, h->row->uid);

		sh->opened_us = h->manifest->opened_us;
		sh->closed_us = h->manifest->closed_us;
		cav_sha256_buf(h->manifest_data, h->manifest_len, sh->manifest_sha256);
		sh->n_segments = h->manifest->segments->len;
		for (guint j = 0; j < h->manifest->segments->len; j++)
			sh->bytes += ((CavManifestSegment *)h->manifest->segments->pdata[j])->bytes;
	}
	for (guint d = 0; d < spec->plan->discs->len; d++) {
		const CavPlanDisc *pd = spec->plan->discs->pdata[d];
		CavDiscSetDisc *sd = cav_disc_set_add_disc(set, pd->number);

		for (guint j = 0; j < pd->parts->len; j++) {
			const CavPlanPart *part = pd->parts->pdata[j];
			const CavPlanHearing *p = sealed->pdata[part->hearing];

			cav_disc_set_disc_add_part(sd, p->dir, part->whole ? NULL : part->files);
		}
	}
	return set;
}

/* Whether the medium's own set already carries @dir, unchanged. */
static gboolean
already_on_medium(const CavDiscAuthorSpec *spec, const CavDiscSet *set, const char *dir,
		  GError **error)
{
	const CavDiscSetHearing *old, *now;

	if (spec->on_medium == NULL ||
	    cav_disc_set_part(cav_disc_set_disc(spec->on_medium, spec->on_medium->disc), dir) ==
		    NULL)
		return FALSE;
	old = cav_disc_set_hearing(spec->on_medium, dir);
	now = cav_disc_set_hearing(set, dir);
	if (old == NULL || now == NULL ||
	    memcmp(old->manifest_sha256, now->manifest_sha256, CAV_SHA256_LEN) != 0) {
		cav_set_error_bi(
			error, CAV_DISC_ERROR, CAV_DISC_ERROR_WRONG_DISC,
			"The disc holds a hearing %s whose manifest differs from the sealed "
			"one: it was not written by this case's set; insert a blank disc",
			"光盘上的庭审 %s 与已封存的清单不一致：该光盘不属于本案光盘组，"
			"请放入空白光盘",
			dir, dir);
		return FALSE;
	}
	return TRUE;
}

static gboolean
add_hearing(CavBurnTree *tree, const CavDiscHearing *h, const CavPlanPart *part, GError **error)
{
	g_autofree char *mpath = g_build_filename(h->dir, CAV_MANIFEST_NAME, NULL);

	/* The exact bytes that were hashed into the set, from memory. */
	cav_burn_tree_add_data(tree, mpath, h->manifest_data, h->manifest_len);
	for (guint i = 0; i < h->plan->meta->len; i++) {
		const CavPlanFile *f = h->plan->meta->pdata[i];
		g_autofree char *dst = NULL, *src = NULL;

		if (g_str_equal(f->path, CAV_MANIFEST_NAME))
			continue;
		dst = g_build_filename(h->dir, f->path, NULL);
		src = g_build_filename(h->row->media_dir, f->path, NULL);
		if (!cav_burn_tree_add_file(tree, dst, src, error))
			return FALSE;
	}
	for (guint i = 0; i < h->plan->files->len; i++) {
		const CavPlanFile *f = h->plan->files->pdata[i];
		g_autofree char *dst = NULL, *src = NULL;

		if (!part->whole &&
		    !g_ptr_array_find_with_equal_func(part->files, f->path, g_str_equal, NULL))
			continue;
		dst = g_build_filename(h->dir, f->path, NULL);
		src = g_build_filename(h->row->media_dir, f->path, NULL);
		if (!cav_burn_tree_add_file(tree, dst, src, error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
add_disc_files(CavBurnTree *tree, CavDiscSet *set, const CavDiscAuthorSpec *spec,
	       const CavPlanDisc *pd, GError **error)
{
	static const char *const templates[] = {"index.html", "player/player.js",
						"player/player.css"};
	g_autoptr(GPtrArray) sealed = cav_disc_case_sealed_plans(spec->c);
	const char *pem = cav_signer_public_pem(spec->signer);

	for (guint i = 0; i < G_N_ELEMENTS(templates); i++)
		if (!add_template(tree, set, templates[i], error))
			return FALSE;
	add_text(tree, set, "player/data.js", cav_disc_page_data_js(spec->c, set));
	for (guint i = 0; i < pd->parts->len; i++) {
		const CavPlanPart *part = pd->parts->pdata[i];
		const CavDiscHearing *h = cav_disc_case_hearing(
			spec->c, ((CavPlanHearing *)sealed->pdata[part->hearing])->dir);
		g_autofree char *html = g_strdup_printf("pages/%s-log.html", h->dir);
		g_autofree char *txt = g_strdup_printf("pages/%s-log.txt", h->dir);

		add_text(tree, set, html, cav_disc_page_log_html(spec->c, h));
		add_text(tree, set, txt, cav_disc_page_log_text(spec->c, h));
	}
	add_generated(tree, set, "device-key.pub", pem, strlen(pem));
	/* Last: the README names the files above. */
	add_text(tree, set, "README.txt", cav_disc_page_readme(spec->c, set));
	return TRUE;
}

static gboolean
sign_set(CavBurnTree *tree, const CavDiscSet *set, const CavSigner *signer, GError **error)
{
	gsize len = 0;
	g_autofree char *json = cav_disc_set_to_json(set, &len);
	g_autoptr(GBytes) sig = cav_signer_sign(signer, (const guint8 *)json, len, error);
	g_autofree char *b64 = NULL;

	if (sig == NULL)
		return FALSE;
	b64 = g_base64_encode(g_bytes_get_data(sig, NULL), g_bytes_get_size(sig));
	cav_burn_tree_add_data(tree, CAV_DISC_SET_NAME, json, len);
	cav_burn_tree_add_data(tree, CAV_DISC_SET_SIG_NAME, b64, strlen(b64));
	return TRUE;
}

CavBurnTree *
cav_disc_author(const CavDiscAuthorSpec *spec, CavDiscSet **out_set, GError **error)
{
	g_autoptr(CavDiscSet) set = NULL;
	g_autoptr(CavBurnTree) tree = NULL;
	g_autoptr(GPtrArray) sealed = cav_disc_case_sealed_plans(spec->c);
	g_autofree char *volume = NULL, *id8 = NULL;
	const CavPlanDisc *pd;
	guint added = 0;

	g_return_val_if_fail(spec->disc >= 1 && spec->disc <= spec->plan->discs->len, NULL);
	pd = spec->plan->discs->pdata[spec->disc - 1];
	set = build_set(spec);
	id8 = g_ascii_strup(set->set_uid, 8);
	/* ISO volume ids are at most 32 of [A-Z0-9_]. */
	volume = g_strdup_printf("COURTAV_%s_D%u", id8, spec->disc);
	tree = cav_burn_tree_new(volume);
	tree->publisher = g_strdup(spec->c->court);
	tree->application = g_strdup("courtav " CAV_VERSION);

	for (guint i = 0; i < pd->parts->len; i++) {
		const CavPlanPart *part = pd->parts->pdata[i];
		const CavPlanHearing *p = sealed->pdata[part->hearing];
		g_autoptr(GError) local = NULL;

		if (already_on_medium(spec, set, p->dir, &local))
			continue;
		if (local != NULL) {
			g_propagate_error(error, g_steal_pointer(&local));
			return NULL;
		}
		if (!add_hearing(tree, cav_disc_case_hearing(spec->c, p->dir), part, error))
			return NULL;
		added++;
	}
	if (added == 0 && !spec->closed) {
		cav_set_error_bi(
			error, CAV_DISC_ERROR, CAV_DISC_ERROR_NOTHING,
			"The disc already holds every sealed hearing the plan puts on disc "
			"%u: nothing new to burn",
			"光盘已包含计划放入第 %u 张光盘的全部已封存庭审，无需刻录", spec->disc,
			spec->disc);
		return NULL;
	}
	if (!add_disc_files(tree, set, spec, pd, error) ||
	    !sign_set(tree, set, spec->signer, error))
		return NULL;
	if (out_set != NULL)
		*out_set = g_steal_pointer(&set);
	return g_steal_pointer(&tree);
}
