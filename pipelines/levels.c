/* levels.c — microphone level messages into 10 Hz rounds (see levels.h).
 *
 * A round is the set of latest values, one per microphone. It is complete
 * when every microphone has reported since the last round, or when a
 * microphone reports a second time before the others did (one of them is
 * stalled or late): then the round goes out with the stale microphone's
 * previous value rather than waiting for it. So rounds come at the
 * level elements' 100 ms pace as long as any microphone delivers.
 *
 * The level element reports -G_MAXDOUBLE-like values (or -inf) for digital
 * silence; values are clamped to CAV_LEVEL_FLOOR_DB so they survive JSON.
 *
 * Main thread only.
 */
#include "levels.h"

#include <math.h>
#include <string.h>

struct CavLevels {
	guint n;
	CavMicLevel *latest; /* owned array of n; strings unowned (the specs') */
	CavMicLevel *round;  /* owned array of n: the last complete round */
	gboolean *fresh;     /* owned array of n: reported since the last round */
};

CavLevels *
cav_levels_new(const GPtrArray *mics)
{
	CavLevels *levels = g_new0(CavLevels, 1);

	levels->n = mics->len;
	levels->latest = g_new0(CavMicLevel, MAX(mics->len, 1u));
	levels->round = g_new0(CavMicLevel, MAX(mics->len, 1u));
	levels->fresh = g_new0(gboolean, MAX(mics->len, 1u));
	for (guint i = 0; i < mics->len; i++) {
		const CavSourceSpec *spec = g_ptr_array_index(mics, i);

		levels->latest[i].id = spec->id;
		levels->latest[i].role = spec->role;
		levels->latest[i].rms_db = CAV_LEVEL_FLOOR_DB;
		levels->latest[i].peak_db = CAV_LEVEL_FLOOR_DB;
	}
	memcpy(levels->round, levels->latest, sizeof(CavMicLevel) * levels->n);
	return levels;
}

void
cav_levels_free(CavLevels *levels)
{
	if (levels == NULL)
		return;
	g_free(levels->latest);
	g_free(levels->round);
	g_free(levels->fresh);
	g_free(levels);
}

double
cav_levels_clamp_db(double db)
{
	if (isnan(db) || db < CAV_LEVEL_FLOOR_DB)
		return CAV_LEVEL_FLOOR_DB;
	return MIN(db, 0.0);
}

/* The loudest channel of a level field ("rms", "peak"): a GValueArray of
 * doubles, one per channel. GValueArray is deprecated, but it is what the
 * level element of GStreamer 1.22 posts. */
static double
loudest_channel(const GstStructure *s, const char *field)
{
	const GValue *v = gst_structure_get_value(s, field);
	double best = CAV_LEVEL_FLOOR_DB;

	G_GNUC_BEGIN_IGNORE_DEPRECATIONS
	if (v != NULL && G_VALUE_HOLDS(v, g_value_array_get_type())) {
		GValueArray *arr = g_value_get_boxed(v);

		for (guint i = 0; arr != NULL && i < arr->n_values; i++)
			if (G_VALUE_HOLDS_DOUBLE(&arr->values[i]))
				best = MAX(best, cav_levels_clamp_db(
							 g_value_get_double(&arr->values[i])));
	}
	G_GNUC_END_IGNORE_DEPRECATIONS
	return best;
}

static void
close_round(CavLevels *levels)
{
	memcpy(levels->round, levels->latest, sizeof(CavMicLevel) * levels->n);
	memset(levels->fresh, 0, sizeof(gboolean) * levels->n);
}

gboolean
cav_levels_handle_message(CavLevels *levels, GstMessage *msg, gboolean *round_done)
{
	const GstStructure *s = gst_message_get_structure(msg);
	const char *name;
	gboolean all = TRUE;
	guint i;

	*round_done = FALSE;
	if (GST_MESSAGE_TYPE(msg) != GST_MESSAGE_ELEMENT || s == NULL ||
	    !gst_structure_has_name(s, "level") || GST_MESSAGE_SRC(msg) == NULL)
		return FALSE;
	name = GST_OBJECT_NAME(GST_MESSAGE_SRC(msg));
	if (name == NULL || !g_str_has_prefix(name, CAV_LEVEL_ELEMENT_PREFIX))
		return FALSE;
	name += strlen(CAV_LEVEL_ELEMENT_PREFIX);
	for (i = 0; i < levels->n; i++)
		if (strcmp(levels->latest[i].id, name) == 0)
			break;
	if (i == levels->n)
		return TRUE;
	if (levels->fresh[i]) {
		close_round(levels);
		*round_done = TRUE;
	}
	levels->latest[i].rms_db = loudest_channel(s, "rms");
	levels->latest[i].peak_db = loudest_channel(s, "peak");
	levels->fresh[i] = TRUE;
	for (guint j = 0; j < levels->n; j++)
		all = all && levels->fresh[j];
	if (all) {
		close_round(levels);
		*round_done = TRUE;
	}
	return TRUE;
}

const CavMicLevel *
cav_levels_round(CavLevels *levels, guint *n_levels)
{
	*n_levels = levels->n;
	return levels->round;
}
