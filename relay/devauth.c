/* devauth.c — device-signed request checks with a nonce cache (devauth.h).
 *
 * The nonce cache is bounded by time, not by size: a nonce older than
 * twice the window cannot pass the time check anyway, so it is forgotten.
 * A flood of validly signed requests can only come from an enrolled
 * device's key, so the cache cannot be grown by strangers. Main thread.
 */
#include "devauth.h"
#include "stats.h"
#include "common/reqsign.h"

#include <string.h>

struct CavDevAuth {
	CavRegistry *reg; /* unowned */
	gint64 window_us;
	GHashTable *nonces; /* "key_id:nonce" -> gint64 * expiry (owned) */
	gint64 next_purge_us;
};

CavDevAuth *
cav_devauth_new(CavRegistry *reg, guint window_s)
{
	CavDevAuth *da = g_new0(CavDevAuth, 1);

	da->reg = reg;
	da->window_us = (gint64)window_s * G_USEC_PER_SEC;
	da->nonces = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	return da;
}

void
cav_devauth_free(CavDevAuth *da)
{
	if (da == NULL)
		return;
	g_hash_table_unref(da->nonces);
	g_free(da);
}

static gboolean
is_expired(gpointer key, gpointer value, gpointer now)
{
	return *(gint64 *)value < *(gint64 *)now;
}

static void
purge(CavDevAuth *da, gint64 now)
{
	if (now < da->next_purge_us)
		return;
	g_hash_table_foreach_remove(da->nonces, is_expired, &now);
	da->next_purge_us = now + G_USEC_PER_SEC;
}

const char *
cav_devauth_result_text(CavDevAuthResult r)
{
	switch (r) {
	case CAV_DEVAUTH_OK:
		return "ok";
	case CAV_DEVAUTH_MISSING:
		return "missing or malformed signature headers";
	case CAV_DEVAUTH_UNKNOWN:
		return "the key belongs to no enrolled appliance";
	case CAV_DEVAUTH_STALE:
		return "the request time is outside the accepted window (check the clock)";
	case CAV_DEVAUTH_REPLAY:
		return "the request was replayed (nonce already used)";
	case CAV_DEVAUTH_BAD:
		return "the signature does not verify";
	}
	return "?";
}

CavDevAuthResult
cav_devauth_check(CavDevAuth *da, const char *method, const char *target, const guint8 *body,
		  gsize len, const char *key_id, const char *time, const char *nonce,
		  const char *signature, const char *alg, const char *public_pem, gint64 now_us,
		  CavApplianceRow **out_appliance)
{
	g_autoptr(CavApplianceRow) app = NULL;
	g_autofree char *cache_key = NULL;
	gint64 t_ms = 0;
	gint64 *expiry;

	purge(da, now_us);
	if (key_id == NULL || time == NULL || nonce == NULL || signature == NULL ||
	    strlen(key_id) > 64 || strlen(nonce) > 64 ||
	    !g_ascii_string_to_signed(time, 10, 0, G_MAXINT64 / 1000, &t_ms, NULL)) {
		cav_stat_inc(CAV_STAT_API_BAD_SIGNATURE);
		return CAV_DEVAUTH_MISSING;
	}
	if (ABS(t_ms * 1000 - now_us) > da->window_us) {
		cav_stat_inc(CAV_STAT_API_REPLAY);
		return CAV_DEVAUTH_STALE;
	}
	if (public_pem == NULL) {
		app = cav_registry_appliance_by_key(da->reg, key_id, NULL);
		if (app == NULL || app->disabled) {
			cav_stat_inc(CAV_STAT_API_BAD_SIGNATURE);
			return CAV_DEVAUTH_UNKNOWN;
		}
		alg = app->sig_alg;
		public_pem = app->public_key;
	}
	cache_key = g_strdup_printf("%s:%s", key_id, nonce);
	if (g_hash_table_contains(da->nonces, cache_key)) {
		cav_stat_inc(CAV_STAT_API_REPLAY);
		return CAV_DEVAUTH_REPLAY;
	}
	if (!cav_reqsign_verify(alg, public_pem, method, target, body, len, time, nonce, signature,
				NULL)) {
		cav_stat_inc(CAV_STAT_API_BAD_SIGNATURE);
		return CAV_DEVAUTH_BAD;
	}
	expiry = g_new(gint64, 1);
	*expiry = now_us + 2 * da->window_us;
	g_hash_table_insert(da->nonces, g_steal_pointer(&cache_key), expiry);
	if (out_appliance != NULL)
		*out_appliance = g_steal_pointer(&app);
	return CAV_DEVAUTH_OK;
}

guint
cav_devauth_cache_size(CavDevAuth *da)
{
	return g_hash_table_size(da->nonces);
}
