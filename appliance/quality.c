/* quality.c — the quality report of a hearing (see quality.h).
 *
 * Time is handled as lists of [start, end) intervals in UTC microseconds:
 * the recording intervals R of the hearing, the segments of each track,
 * the microphone faults, the stretches between program switches. Coverage
 * of a track is |R ∩ ∪ segments| / |R|; a fault (gap) is a piece of R no
 * segment covers that lasts over a second, except up to 3 s at either end
 * of a recording interval: the first file of a run starts after the
 * pipeline does (a few hundred milliseconds, more on a loaded machine) and
 * the last ends when it drains — latency, not a loss. Both still lower the
 * coverage.
 *
 * Main thread only.
 */
#include "quality.h"
#include "api-json.h"
#include "store-program.h"
#include "store-sources.h"
#include "store-evidence.h"
#include "pipelines/av-offset.h"
#include "pipelines/layout.h"

#include <math.h>
#include <string.h>

#define GAP_FAULT_US (1 * G_USEC_PER_SEC)
/* A run's first file starts after the pipeline does, its last ends when it
 * drains: up to this much uncovered time at either end of a recording
 * interval lowers the coverage but is not reported as a gap. */
#define EDGE_GRACE_US (3 * G_USEC_PER_SEC)
#define COVERAGE_OK_PCT 98.0

typedef struct {
	gint64 start;
	gint64 end;
} Span;

static int
cmp_span(gconstpointer a, gconstpointer b)
{
	const Span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Sorts and merges @spans in place. */
static void
merge(GArray *spans)
{
	guint out = 0;

	g_array_sort(spans, cmp_span);
	for (guint i = 0; i < spans->len; i++) {
		Span s = g_array_index(spans, Span, i);

		if (s.end <= s.start)
			continue;
		if (out > 0 && s.start <= g_array_index(spans, Span, out - 1).end) {
			Span *last = &g_array_index(spans, Span, out - 1);

			last->end = MAX(last->end, s.end);
		} else {
			g_array_index(spans, Span, out++) = s;
		}
	}
	g_array_set_size(spans, out);
}

static gint64
total(const GArray *spans)
{
	gint64 t = 0;

	for (guint i = 0; i < spans->len; i++)
		t += g_array_index(spans, Span, i).end - g_array_index(spans, Span, i).start;
	return t;
}

/* |a ∩ b| for merged lists. */
static gint64
overlap(const GArray *a, const GArray *b)
{
	gint64 t = 0;

	for (guint i = 0; i < a->len; i++)
		for (guint j = 0; j < b->len; j++) {
			const Span *x = &g_array_index(a, Span, i), *y = &g_array_index(b, Span, j);
			gint64 s = MAX(x->start, y->start), e = MIN(x->end, y->end);

			t += e > s ? e - s : 0;
		}
	return t;
}

/* Adds @gap to @out when it is longer than @min, and, touching an end of
 * the interval @in, longer than EDGE_GRACE_US. */
static void
add_gap(GArray *out, Span gap, const Span *in, gint64 min)
{
	gint64 len = gap.end - gap.start;

	if (len <= min)
		return;
	if ((gap.start == in->start || gap.end == in->end) && len <= EDGE_GRACE_US)
		return;
	g_array_append_val(out, gap);
}

/* Pieces of @r (merged) not covered by @c (merged): the gaps. */
static GArray *
uncovered(const GArray *r, const GArray *c, gint64 min)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(Span));

	for (guint i = 0; i < r->len; i++) {
		const Span *in = &g_array_index(r, Span, i);
		Span cur = *in;

		for (guint j = 0; j < c->len && cur.start < cur.end; j++) {
			const Span *y = &g_array_index(c, Span, j);
			Span gap = {cur.start, MIN(cur.end, y->start)};

			if (y->end <= cur.start || y->start >= cur.end)
				continue;
			add_gap(out, gap, in, min);
			cur.start = MAX(cur.start, y->end);
		}
		if (cur.start < cur.end)
			add_gap(out, cur, in, min);
	}
	return out;
}

static double
seconds(gint64 us)
{
	return round((double)us / 1000.0) / 1000.0;
}

static void
add_double(JsonBuilder *b, const char *name, double v)
{
	json_builder_set_member_name(b, name);
	json_builder_add_double_value(b, v);
}

static void
add_int(JsonBuilder *b, const char *name, gint64 v)
{
	json_builder_set_member_name(b, name);
	json_builder_add_int_value(b, v);
}

static void
add_string(JsonBuilder *b, const char *name, const char *v)
{
	json_builder_set_member_name(b, name);
	if (v != NULL)
		json_builder_add_string_value(b, v);
	else
		json_builder_add_null_value(b);
}

static void
add_spans(JsonBuilder *b, const char *name, const GArray *spans)
{
	json_builder_set_member_name(b, name);
	json_builder_begin_array(b);
	for (guint i = 0; i < spans->len; i++) {
		const Span *s = &g_array_index(spans, Span, i);

		json_builder_begin_object(b);
		cav_json_add_time(b, "start", s->start);
		cav_json_add_time(b, "end", s->end);
		add_double(b, "seconds", seconds(s->end - s->start));
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

/* Everything the report is made of, loaded once. */
typedef struct {
	const CavConfig *config;
	CavHearingRow *hearing;
	GArray *recorded;    /* Span, merged */
	GPtrArray *tracks;   /* CavTrackRow */
	GPtrArray *segments; /* CavSegmentRow */
	GHashTable *quality; /* segment id (gint64 *) -> CavSegmentQuality * (into qrows) */
	GArray *qrows;       /* CavSegmentQuality */
	GPtrArray *switches; /* CavSwitchRow */
	GPtrArray *faults;   /* CavAudioFaultRow */
	GHashTable *lost;    /* source id -> GArray of Span, merged: source faults (owned) */
	GHashTable *in_use;  /* evidence input id -> GArray of Span, merged: its uses (owned) */
	GPtrArray *events;   /* CavEventRow of this hearing */
	GPtrArray *problems; /* char * */
	gint64 now;
} Data;

static void
data_clear(Data *d)
{
	g_clear_pointer(&d->hearing, cav_hearing_row_free);
	g_clear_pointer(&d->recorded, g_array_unref);
	g_clear_pointer(&d->tracks, g_ptr_array_unref);
	g_clear_pointer(&d->segments, g_ptr_array_unref);
	g_clear_pointer(&d->quality, g_hash_table_unref);
	g_clear_pointer(&d->qrows, g_array_unref);
	g_clear_pointer(&d->switches, g_ptr_array_unref);
	g_clear_pointer(&d->faults, g_ptr_array_unref);
	g_clear_pointer(&d->lost, g_hash_table_unref);
	g_clear_pointer(&d->in_use, g_hash_table_unref);
	g_clear_pointer(&d->events, g_ptr_array_unref);
	g_clear_pointer(&d->problems, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Data, data_clear)

static void
merge_lost(gpointer key, gpointer value, gpointer data)
{
	merge(value);
}

/* The recorded time source @id was lost (source_faults), as merged spans
 * within the recording; NULL when never. (transfer none) */
static GArray *
lost_spans(const Data *d, const char *id)
{
	return id != NULL ? g_hash_table_lookup(d->lost, id) : NULL;
}

static gboolean
load(Data *d, CavStore *store, gint64 id, GError **error)
{
	g_autoptr(GPtrArray) ivs = NULL;
	g_autoptr(GPtrArray) events = NULL;
	g_autoptr(GPtrArray) sources = NULL;
	g_autoptr(GPtrArray) uses = NULL;

	d->hearing = cav_store_hearing_get(store, id, error);
	if (d->hearing == NULL)
		return FALSE;
	ivs = cav_store_interval_list(store, id, error);
	d->tracks = cav_store_track_list(store, id, error);
	d->segments = cav_store_segment_list(store, id, FALSE, error);
	d->qrows = cav_store_segment_quality_list(store, id, error);
	d->switches = cav_store_switch_list(store, id, error);
	d->faults = cav_store_audio_fault_list(store, id, error);
	sources = cav_store_source_fault_list(store, id, error);
	uses = cav_store_evidence_list(store, id, error);
	events = cav_store_event_list(store, 0, 100000, error);
	if (ivs == NULL || d->tracks == NULL || d->segments == NULL || d->qrows == NULL ||
	    d->switches == NULL || d->faults == NULL || sources == NULL || uses == NULL ||
	    events == NULL)
		return FALSE;
	d->in_use = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					  (GDestroyNotify)g_array_unref);
	for (guint i = 0; i < uses->len; i++) {
		CavEvidenceUseRow *u = uses->pdata[i];
		GArray *spans = g_hash_table_lookup(d->in_use, u->source);
		Span sp = {u->start_us, u->end_us ? u->end_us : d->now};

		if (spans == NULL)
			g_hash_table_insert(d->in_use, g_strdup(u->source),
					    spans = g_array_new(FALSE, FALSE, sizeof(Span)));
		g_array_append_val(spans, sp);
	}
	g_hash_table_foreach(d->in_use, merge_lost, NULL);
	d->lost = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					(GDestroyNotify)g_array_unref);
	for (guint i = 0; i < sources->len; i++) {
		CavSourceFaultRow *f = sources->pdata[i];
		GArray *spans = g_hash_table_lookup(d->lost, f->source);
		Span sp = {f->start_us, f->end_us ? f->end_us : d->now};

		if (spans == NULL)
			g_hash_table_insert(d->lost, g_strdup(f->source),
					    spans = g_array_new(FALSE, FALSE, sizeof(Span)));
		g_array_append_val(spans, sp);
	}
	g_hash_table_foreach(d->lost, merge_lost, NULL);
	d->recorded = g_array_new(FALSE, FALSE, sizeof(Span));
	for (guint i = 0; i < ivs->len; i++) {
		CavIntervalRow *r = ivs->pdata[i];
		Span s = {r->start_us, r->end_us ? r->end_us : d->now};

		if (g_str_equal(r->kind, "recording"))
			g_array_append_val(d->recorded, s);
	}
	merge(d->recorded);
	d->quality = g_hash_table_new(g_int64_hash, g_int64_equal);
	for (guint i = 0; i < d->qrows->len; i++) {
		CavSegmentQuality *q = &g_array_index(d->qrows, CavSegmentQuality, i);

		g_hash_table_insert(d->quality, &q->segment_id, q);
	}
	d->events = g_ptr_array_new_with_free_func((GDestroyNotify)cav_event_row_free);
	for (guint i = 0; i < events->len; i++) {
		CavEventRow *e = events->pdata[i];

		if (e->hearing_id == id)
			g_ptr_array_add(d->events, g_steal_pointer(&events->pdata[i]));
	}
	d->problems = g_ptr_array_new_with_free_func(g_free);
	return TRUE;
}

/* A segment's time, from its row (end from duration while open). */
static Span
segment_span(const CavSegmentRow *s, gint64 now)
{
	Span sp = {s->start_us, s->end_us};

	if (sp.end == 0)
		sp.end = s->duration_s > 0 ? s->start_us + (gint64)(s->duration_s * G_USEC_PER_SEC)
					   : now;
	return sp;
}

static void
track_report(JsonBuilder *b, Data *d, const CavTrackRow *t, double *worst_av, gint64 *dropped_all)
{
	g_autoptr(GArray) covered = g_array_new(FALSE, FALSE, sizeof(Span));
	g_autoptr(GArray) gaps = NULL;
	g_autoptr(GArray) never = g_array_new(FALSE, FALSE, sizeof(Span));
	gboolean evidence = g_strcmp0(t->kind, "evidence") == 0;
	/* The time this track should cover: the recording, or an evidence
	 * input's uses. */
	GArray *uses = evidence ? g_hash_table_lookup(d->in_use, t->name) : NULL;
	GArray *ref = !evidence ? d->recorded : uses != NULL ? uses : never;
	gint64 recorded = total(ref), dropped = 0, bytes = 0;
	guint n = 0, partial = 0, measured = 0;
	double worst = 0;
	gboolean has_av = FALSE, has_dropped = FALSE;
	g_autofree char *suffix = g_strconcat(":", t->name, NULL);
	double pct;

	for (guint i = 0; i < d->segments->len; i++) {
		CavSegmentRow *s = d->segments->pdata[i];
		CavSegmentQuality *q;
		Span sp;

		if (s->track_id != t->id)
			continue;
		n++;
		partial += g_strcmp0(s->state, "partial") == 0;
		bytes += s->bytes;
		sp = segment_span(s, d->now);
		g_array_append_val(covered, sp);
		q = g_hash_table_lookup(d->quality, &s->id);
		if (q != NULL && q->has_av_offset) {
			measured++;
			if (!has_av || fabs(q->av_offset_ms) > fabs(worst))
				worst = q->av_offset_ms;
			has_av = TRUE;
		}
		if (q != NULL && q->dropped_frames >= 0) {
			dropped += q->dropped_frames;
			has_dropped = TRUE;
		}
	}
	merge(covered);
	gaps = uncovered(ref, covered, GAP_FAULT_US);
	pct = recorded > 0 ? 100.0 * (double)overlap(ref, covered) / (double)recorded : 0;
	json_builder_begin_object(b);
	add_string(b, "name", t->name);
	add_string(b, "kind", t->kind);
	if (evidence)
		add_spans(b, "in_use", ref);
	add_int(b, "segments", n);
	add_int(b, "partial_segments", partial);
	add_int(b, "bytes", bytes);
	add_double(b, "coverage_pct", round(pct * 100) / 100);
	add_spans(b, "gaps", gaps);
	/* The source behind a camera track was lost (its file shows the slate). */
	{
		GArray *lost = lost_spans(d, t->name);
		g_autoptr(GArray) none = g_array_new(FALSE, FALSE, sizeof(Span));

		add_spans(b, "lost", lost ? lost : none);
		if (lost != NULL && lost->len > 0)
			g_ptr_array_add(d->problems,
					g_strdup_printf("source %s was lost %u time(s), %.1f s",
							t->name, lost->len,
							seconds(overlap(d->recorded, lost))));
	}
	json_builder_set_member_name(b, "alarms");
	json_builder_begin_array(b);
	for (guint i = 0; i < d->events->len; i++) {
		CavEventRow *e = d->events->pdata[i];

		if (!g_str_has_suffix(e->code, suffix))
			continue;
		json_builder_begin_object(b);
		add_string(b, "code", e->code);
		cav_json_add_time(b, "at", e->at_us);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "dropped_frames");
	if (has_dropped)
		json_builder_add_int_value(b, dropped);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "worst_av_offset_ms");
	if (has_av)
		json_builder_add_double_value(b, round(worst * 100) / 100);
	else
		json_builder_add_null_value(b);
	add_int(b, "segments_measured", measured);
	json_builder_end_object(b);

	if (n > 0 && pct < COVERAGE_OK_PCT)
		g_ptr_array_add(d->problems,
				g_strdup_printf("track %s covers %.1f%% of the recorded time",
						t->name, pct));
	if (gaps->len > 0)
		g_ptr_array_add(d->problems,
				g_strdup_printf("track %s has %u gap(s)", t->name, gaps->len));
	if (has_av && (isnan(*worst_av) || fabs(worst) > fabs(*worst_av)))
		*worst_av = worst;
	*dropped_all += dropped;
}

static void
mic_report(JsonBuilder *b, Data *d, const CavSourceSpec *mic, gint64 *silent_all)
{
	g_autoptr(GArray) silent = g_array_new(FALSE, FALSE, sizeof(Span));
	g_autoptr(GArray) clipping = g_array_new(FALSE, FALSE, sizeof(Span));

	for (guint i = 0; i < d->faults->len; i++) {
		CavAudioFaultRow *f = d->faults->pdata[i];
		Span s = {f->start_us, f->end_us ? f->end_us : d->now};

		if (!g_str_equal(f->mic, mic->id))
			continue;
		g_array_append_val(g_str_equal(f->kind, "silent") ? silent : clipping, s);
	}
	merge(silent);
	merge(clipping);
	json_builder_begin_object(b);
	add_string(b, "id", mic->id);
	add_string(b, "role", mic->role);
	add_string(b, "label", mic->label);
	add_double(b, "silent_s", seconds(total(silent)));
	add_double(b, "clipping_s", seconds(total(clipping)));
	add_spans(b, "silent", silent);
	add_spans(b, "clipping", clipping);
	if (lost_spans(d, mic->id) != NULL) {
		add_spans(b, "lost", lost_spans(d, mic->id));
		g_ptr_array_add(
			d->problems,
			g_strdup_printf("microphone %s was lost for %.1f s", mic->id,
					seconds(overlap(d->recorded, lost_spans(d, mic->id)))));
	}
	json_builder_end_object(b);
	*silent_all += total(silent);
	if (silent->len > 0)
		g_ptr_array_add(d->problems, g_strdup_printf("microphone %s was silent for %.1f s",
							     mic->id, seconds(total(silent))));
	if (clipping->len > 0)
		g_ptr_array_add(d->problems, g_strdup_printf("microphone %s clipped for %.1f s",
							     mic->id, seconds(total(clipping))));
}

/* Pane time within @piece (∩ recorded) in which a camera shown by @s was
 * lost: its pane showed the slate. */
static gint64
lost_in_panes(const Data *d, const CavSwitchRow *s, guint panes, const GArray *piece)
{
	guint ncams = cav_config_n_cameras(d->config);
	guint cams[CAV_LAYOUT_MAX_PANES];
	g_autoptr(GArray) in = g_array_new(FALSE, FALSE, sizeof(Span));
	gint64 t = 0;

	/* The recorded part of the piece. */
	for (guint i = 0; i < d->recorded->len; i++) {
		Span a = g_array_index(piece, Span, 0), r = g_array_index(d->recorded, Span, i);
		Span x = {MAX(a.start, r.start), MIN(a.end, r.end)};

		if (x.end > x.start)
			g_array_append_val(in, x);
	}
	cav_layout_assign(MIN(panes, CAV_LAYOUT_MAX_PANES), ncams,
			  cav_config_camera_index(d->config, s->camera), cams);
	for (guint p = 0; p < MIN(panes, CAV_LAYOUT_MAX_PANES); p++) {
		const CavSourceSpec *cam = NULL;

		for (guint i = 0, n = 0; cams[p] < ncams && i < d->config->sources->len; i++) {
			const CavSourceSpec *spec = d->config->sources->pdata[i];

			if (spec->kind == CAV_MEDIA_VIDEO && n++ == cams[p])
				cam = spec;
		}
		if (cam != NULL && lost_spans(d, cam->id) != NULL)
			t += overlap(in, lost_spans(d, cam->id));
	}
	return t;
}

/* Time per layout and per main camera, from the switch rows, within the
 * recorded time. */
static void
program_report(JsonBuilder *b, Data *d)
{
	g_autoptr(GHashTable) per_layout =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_autoptr(GHashTable) per_camera =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	guint ncams = cav_config_n_cameras(d->config);
	double filled = 0, shown = 0;
	guint layouts = 0, speakers = 0;
	GHashTableIter it;
	gpointer k, v;

	for (guint i = 0; i < d->switches->len; i++) {
		CavSwitchRow *s = d->switches->pdata[i];
		gint64 end = i + 1 < d->switches->len
				     ? ((CavSwitchRow *)d->switches->pdata[i + 1])->at_us
				     : d->now;
		g_autoptr(GArray) piece = g_array_new(FALSE, FALSE, sizeof(Span));
		Span sp = {s->at_us, end};
		gint64 t;
		guint panes;
		gint64 *acc;

		g_array_append_val(piece, sp);
		t = overlap(d->recorded, piece);
		layouts += g_str_equal(s->kind, "layout") && g_strcmp0(s->actor, "courtavd") != 0;
		speakers += g_str_equal(s->kind, "speaker") || g_str_equal(s->kind, "silence");
		if (s->layout != NULL) {
			acc = g_hash_table_lookup(per_layout, s->layout);
			if (acc == NULL)
				g_hash_table_insert(per_layout, g_strdup(s->layout),
						    acc = g_new0(gint64, 1));
			*acc += t;
			panes = cav_layout_n_panes(s->layout, ncams);
			if (panes > 0) {
				filled += (double)(t * MIN(panes, ncams) -
						   lost_in_panes(d, s, panes, piece)) /
					  panes;
				shown += (double)t;
			}
		}
		if (s->camera != NULL) {
			acc = g_hash_table_lookup(per_camera, s->camera);
			if (acc == NULL)
				g_hash_table_insert(per_camera, g_strdup(s->camera),
						    acc = g_new0(gint64, 1));
			*acc += t;
		}
	}
	json_builder_set_member_name(b, "layout");
	json_builder_begin_object(b);
	add_int(b, "changes", layouts);
	add_double(b, "completeness_pct", shown > 0 ? round(10000 * filled / shown) / 100 : 100);
	json_builder_set_member_name(b, "seconds");
	json_builder_begin_object(b);
	g_hash_table_iter_init(&it, per_layout);
	while (g_hash_table_iter_next(&it, &k, &v))
		add_double(b, k, seconds(*(gint64 *)v));
	json_builder_end_object(b);
	json_builder_end_object(b);

	json_builder_set_member_name(b, "speakers");
	json_builder_begin_object(b);
	add_int(b, "switches", speakers);
	json_builder_set_member_name(b, "seconds_by_camera");
	json_builder_begin_object(b);
	g_hash_table_iter_init(&it, per_camera);
	while (g_hash_table_iter_next(&it, &k, &v))
		add_double(b, k, seconds(*(gint64 *)v));
	json_builder_end_object(b);
	json_builder_set_member_name(b, "timeline");
	json_builder_begin_array(b);
	for (guint i = 0; i < d->switches->len; i++) {
		CavSwitchRow *s = d->switches->pdata[i];

		json_builder_begin_object(b);
		cav_json_add_time(b, "at", s->at_us);
		add_string(b, "kind", s->kind);
		add_string(b, "layout", s->layout);
		add_string(b, "camera", s->camera);
		add_string(b, "mic", s->mic);
		add_string(b, "actor", s->actor);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	if (shown > 0 && filled < shown)
		g_ptr_array_add(d->problems,
				g_strdup_printf("program panes were empty or showed a lost camera "
						"for %.1f s of pane time",
						seconds((gint64)(shown - filled))));
}

JsonNode *
cav_quality_report_build(CavStore *store, const CavConfig *config, gint64 hearing_id, gint64 now_us,
			 GError **error)
{
	g_auto(Data) d = {.config = config, .now = now_us};
	g_autoptr(JsonBuilder) b = json_builder_new();
	double worst_av = NAN;
	gint64 dropped = 0, silent = 0;

	if (!load(&d, store, hearing_id, error))
		return NULL;
	json_builder_begin_object(b);
	add_int(b, "hearing_id", hearing_id);
	add_string(b, "state", cav_hearing_state_name(d.hearing->state));
	cav_json_add_time(b, "generated", now_us);
	add_double(b, "recorded_s", seconds(total(d.recorded)));
	add_spans(b, "recording", d.recorded);
	json_builder_set_member_name(b, "tracks");
	json_builder_begin_array(b);
	for (guint i = 0; i < d.tracks->len; i++)
		track_report(b, &d, d.tracks->pdata[i], &worst_av, &dropped);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "microphones");
	json_builder_begin_array(b);
	for (guint i = 0; i < config->sources->len; i++) {
		const CavSourceSpec *s = config->sources->pdata[i];

		if (s->kind == CAV_MEDIA_AUDIO)
			mic_report(b, &d, s, &silent);
	}
	json_builder_end_array(b);
	add_double(b, "silent_s", seconds(silent));
	add_int(b, "dropped_frames", dropped);
	json_builder_set_member_name(b, "av");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "worst_offset_ms");
	if (isnan(worst_av))
		json_builder_add_null_value(b);
	else
		json_builder_add_double_value(b, round(worst_av * 100) / 100);
	add_double(b, "limit_lead_ms", CAV_AV_MAX_LEAD_MS);
	add_double(b, "limit_lag_ms", -CAV_AV_MAX_LAG_MS);
	json_builder_set_member_name(b, "within_limits");
	json_builder_add_boolean_value(b, isnan(worst_av) || cav_av_offset_acceptable(worst_av));
	json_builder_end_object(b);
	program_report(b, &d);
	if (!isnan(worst_av) && !cav_av_offset_acceptable(worst_av))
		g_ptr_array_add(
			d.problems,
			g_strdup_printf("A/V offset %.1f ms is outside +45/-125 ms", worst_av));
	if (dropped > 0)
		g_ptr_array_add(d.problems,
				g_strdup_printf("%" G_GINT64_FORMAT " dropped frames", dropped));
	json_builder_set_member_name(b, "problems");
	json_builder_begin_array(b);
	for (guint i = 0; i < d.problems->len; i++)
		json_builder_add_string_value(b, d.problems->pdata[i]);
	json_builder_end_array(b);
	add_string(b, "verdict", d.problems->len == 0 ? "ok" : "problems");
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

static char *
to_text(JsonNode *root)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();

	json_generator_set_root(gen, root);
	return json_generator_to_data(gen, NULL);
}

gboolean
cav_quality_report_store(CavStore *store, const CavConfig *config, gint64 hearing_id,
			 GError **error)
{
	gint64 now = g_get_real_time();
	g_autoptr(JsonNode) root = cav_quality_report_build(store, config, hearing_id, now, error);
	g_autofree char *text = NULL;

	if (root == NULL)
		return FALSE;
	text = to_text(root);
	return cav_store_report_set(store, hearing_id, now, text, error);
}

char *
cav_quality_report_get(CavStore *store, const CavConfig *config, gint64 hearing_id,
		       gboolean *stored, GError **error)
{
	g_autoptr(GError) local = NULL;
	char *text = cav_store_report_get(store, hearing_id, &local);
	g_autoptr(CavHearingRow) h = NULL;
	g_autoptr(JsonNode) root = NULL;
	gint64 now = g_get_real_time();

	*stored = text != NULL;
	if (text != NULL || local != NULL) {
		if (local != NULL)
			g_propagate_error(error, g_steal_pointer(&local));
		return text;
	}
	h = cav_store_hearing_get(store, hearing_id, error);
	root = h != NULL ? cav_quality_report_build(store, config, hearing_id, now, error) : NULL;
	if (root == NULL)
		return NULL;
	text = to_text(root);
	if (h->state == CAV_HEARING_CLOSED || h->state == CAV_HEARING_SEALED) {
		*stored = cav_store_report_set(store, hearing_id, now, text, &local);
		if (!*stored)
			g_warning("quality report of hearing %" G_GINT64_FORMAT " not stored: %s",
				  hearing_id, local->message);
	}
	return text;
}
