/* recovery.c — what courtavd does first after a crash, a power loss or a
 * plain restart, before it serves anyone.
 *
 * 1. Every segment row still "open" is a file the recorder was writing when
 *    the process died. It is repaired if torn (its torn tail kept beside it
 *    as <file>.torn), hashed, and chained as "partial" — never deleted.
 * 2. Every .mp4 file in an open hearing's folder that has no row at all (the
 *    process died between creating the file and recording it) is registered
 *    the same way.
 * 3. A hearing that was recording gets a paused(fault) interval covering the
 *    gap — from the last moment known alive (the heartbeat, or the end of
 *    the media on disk, whichever is later) to now — and recording resumes
 *    by itself.
 *
 * Blocking, main thread, called once before the main loop runs.
 */
#include "room-private.h"
#include "store-evidence.h"
#include "errors.h"
#include "common/timefmt.h"
#include "common/fsutil.h"

#include <stdio.h>
#include <string.h>

/* Registers and chains one left-over file synchronously. */
static void
register_partial(CavRoom *room, gint64 segment_id, gint64 hearing_id, const char *abs_path,
		 const char *track, guint seq, gint64 start_us)
{
	g_autoptr(GError) error = NULL;
	SegmentJob *job = cav_segment_job_new(segment_id, hearing_id, abs_path, track, seq,
					      start_us, 0, TRUE);

	cav_segment_job_compute(job);
	if (!cav_room_media_commit(room, job, &error))
		g_warning("recovery: %s not chained: %s", abs_path, error->message);
	else
		g_message("recovery: registered %s (%.1f s%s)", abs_path, job->info.duration_s,
			  job->repaired ? ", torn tail kept as .torn" : "");
	cav_segment_job_free(job);
}

static void
recover_open_rows(CavRoom *room, const CavHearingRow *h)
{
	g_autoptr(GPtrArray) segs = cav_store_segment_list(room->store, h->id, FALSE, NULL);

	for (guint i = 0; segs != NULL && i < segs->len; i++) {
		CavSegmentRow *s = segs->pdata[i];
		g_autofree char *abs = NULL;

		if (!g_str_equal(s->state, "open"))
			continue;
		abs = g_build_filename(h->media_dir, s->path, NULL);
		register_partial(room, s->id, h->id, abs, s->track, s->seq, s->start_us);
	}
}

/* "<prefix>_<track>_<seq>_<yyyymmdd-hhmmss>.mp4" → seq and start time. */
static gboolean
parse_segment_name(const char *name, const char *prefix, const char *track, guint *seq,
		   gint64 *start_us)
{
	g_autofree char *head = g_strdup_printf("%s_%s_", prefix, track);
	const char *p;
	char *end = NULL;
	guint64 n;
	int Y, M, D, h, m, s;
	g_autoptr(GTimeZone) bj = g_time_zone_new_offset(8 * 3600);
	g_autoptr(GDateTime) dt = NULL;

	if (!g_str_has_prefix(name, head) || !g_str_has_suffix(name, ".mp4"))
		return FALSE;
	p = name + strlen(head);
	n = g_ascii_strtoull(p, &end, 10);
	if (end == p || *end != '_' || n == 0 || n > G_MAXUINT)
		return FALSE;
	if (sscanf(end + 1, "%4d%2d%2d-%2d%2d%2d", &Y, &M, &D, &h, &m, &s) != 6)
		return FALSE;
	dt = g_date_time_new(bj, Y, M, D, h, m, s);
	if (dt == NULL)
		return FALSE;
	*seq = (guint)n;
	*start_us = g_date_time_to_unix(dt) * G_USEC_PER_SEC;
	return TRUE;
}

void
cav_room_register_orphans(CavRoom *room, const CavHearingRow *h)
{
	g_autoptr(GPtrArray) tracks = cav_store_track_list(room->store, h->id, NULL);

	for (guint i = 0; tracks != NULL && i < tracks->len; i++) {
		CavTrackRow *t = tracks->pdata[i];
		g_autofree char *dir_path = g_build_filename(h->media_dir, t->name, NULL);
		g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
		const char *name;

		while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
			g_autofree char *rel = g_build_filename(t->name, name, NULL);
			g_autofree char *abs = g_build_filename(dir_path, name, NULL);
			g_autoptr(CavSegmentRow) row = NULL;
			g_autoptr(GError) error = NULL;
			guint seq;
			gint64 start_us, seg_id;

			if (!parse_segment_name(name, h->name_prefix, t->name, &seq, &start_us))
				continue;
			row = cav_store_segment_find_path(room->store, rel, NULL);
			if (row != NULL)
				continue;
			seg_id = cav_store_segment_insert_open(room->store, t->id, seq, rel,
							       start_us, &error);
			if (seg_id == 0) {
				g_warning("recovery: cannot register %s: %s", abs, error->message);
				continue;
			}
			register_partial(room, seg_id, h->id, abs, t->name, seq, start_us);
		}
	}
}

/* A crash while manifest.json (or .sig) was being replaced leaves the
 * half-written temporary beside it; the manifest itself is whole (old or
 * new, cav_fs_write_atomic) and is rewritten from the store below. The
 * temporary is no recording, and `courtavctl verify` would rightly report it
 * as a file the manifest does not list. */
static void
remove_manifest_temps(const CavHearingRow *h)
{
	guint n = cav_fs_remove_stale_temps(h->media_dir, CAV_MANIFEST_NAME) +
		  cav_fs_remove_stale_temps(h->media_dir, CAV_MANIFEST_SIG_NAME);

	if (n > 0)
		g_message("recovery: removed %u half-written manifest temporary file(s) in %s", n,
			  h->media_dir);
}

/* An exhibit shown when courtavd went down was shown until then at most;
 * after a restart nothing is shown until a clerk starts it again. */
static void
end_evidence_uses(CavRoom *room, const CavHearingRow *h)
{
	g_autoptr(GError) error = NULL;

	if (!cav_store_evidence_close_all(room->store, h->id, cav_store_heartbeat_get(room->store),
					  CAV_ACTOR_DAEMON, "courtavd restarted", &error))
		g_warning("recovery: evidence uses of hearing %" G_GINT64_FORMAT ": %s", h->id,
			  error->message);
}

/* When the hearing was last known to be recording. */
static gint64
last_alive(CavRoom *room, const CavHearingRow *h, const CavIntervalRow *open_iv)
{
	g_autoptr(GPtrArray) segs = cav_store_segment_list(room->store, h->id, FALSE, NULL);
	gint64 t = cav_store_heartbeat_get(room->store);

	for (guint i = 0; segs != NULL && i < segs->len; i++)
		t = MAX(t, ((CavSegmentRow *)segs->pdata[i])->end_us);
	return MAX(t, open_iv->start_us);
}

static gboolean
resume_after_gap(CavRoom *room, const CavHearingRow *h, GError **error)
{
	g_autoptr(GPtrArray) ivs = cav_store_interval_list(room->store, h->id, error);
	CavIntervalRow *last;
	gint64 now = g_get_real_time();
	gint64 gap_start;
	const char *detail;
	g_autofree char *gap_s = NULL;

	if (ivs == NULL)
		return FALSE;
	last = ivs->len ? ivs->pdata[ivs->len - 1] : NULL;
	if (last != NULL && last->end_us == 0) {
		gap_start = last_alive(room, h, last);
		detail = "courtavd stopped unexpectedly (crash or power loss); recording resumed "
			 "automatically";
	} else {
		gap_start = last ? last->end_us : h->opened_us;
		detail = "courtavd was stopped; recording resumed automatically";
	}
	gap_start = MIN(gap_start, now);
	gap_s = g_strdup_printf("%.1f", (double)(now - gap_start) / G_USEC_PER_SEC);
	if (!cav_store_begin(room->store, error))
		return FALSE;
	if (!cav_store_interval_close_open(room->store, h->id, gap_start, error) ||
	    !cav_store_interval_insert_closed(room->store, h->id, "paused", "fault", detail,
					      gap_start, now, CAV_ACTOR_DAEMON, error) ||
	    !cav_store_interval_open(room->store, h->id, "recording", NULL, NULL, now,
				     CAV_ACTOR_DAEMON, error) ||
	    !cav_room_audit(room, CAV_ACTOR_DAEMON, "hearing.recover", h->id, error, "gap_seconds",
			    gap_s, "detail", detail, NULL) ||
	    !cav_store_commit(room->store, error)) {
		cav_store_rollback(room->store);
		return FALSE;
	}
	{
		g_autofree char *en = g_strdup_printf("Recording of hearing %" G_GINT64_FORMAT
						      " resumed after a %s s gap (%s).",
						      h->id, gap_s, detail);
		g_autoptr(GError) ev_error = NULL;

		g_warning("%s", en);
		if (!cav_store_event_insert(room->store, now, "warning", "recovered", h->id, en,
					    &ev_error))
			g_warning("could not store the recovery event: %s", ev_error->message);
	}
	return TRUE;
}

gboolean
cav_room_recover(CavRoom *room, GError **error)
{
	g_autoptr(GPtrArray) hearings = cav_store_hearing_list(room->store, 0, error);

	if (hearings == NULL) {
		cav_room_wrap_store_error(error);
		return FALSE;
	}
	for (guint i = 0; i < hearings->len; i++) {
		CavHearingRow *h = hearings->pdata[i];
		gboolean open = h->state == CAV_HEARING_IDLE || h->state == CAV_HEARING_RECORDING ||
				h->state == CAV_HEARING_PAUSED;

		recover_open_rows(room, h);
		end_evidence_uses(room, h);
		remove_manifest_temps(h);
		if (open)
			cav_room_register_orphans(room, h);
		if (h->state == CAV_HEARING_RECORDING) {
			g_autoptr(GError) local = NULL;

			if (!resume_after_gap(room, h, error)) {
				cav_room_wrap_store_error(error);
				return FALSE;
			}
			if (!cav_room_start_recorder(room, h, &local)) {
				/* Keep the daemon up; the hearing shows paused(fault). */
				gint64 now = g_get_real_time();
				g_autoptr(GError) e2 = NULL;

				if (!cav_store_begin(room->store, &e2) ||
				    !cav_store_interval_close_open(room->store, h->id, now, &e2) ||
				    !cav_store_interval_open(room->store, h->id, "paused", "fault",
							     local->message, now, CAV_ACTOR_DAEMON,
							     &e2) ||
				    !cav_store_hearing_set_state(
					    room->store, h->id, CAV_HEARING_PAUSED, "fault", &e2) ||
				    !cav_store_commit(room->store, &e2)) {
					cav_store_rollback(room->store);
					g_warning("recovery: %s", e2->message);
				}
				cav_room_alarm_raise(room, "recorder-failed", h->id, local->message,
						     "录制无法恢复，请联系技术人员。");
			}
		}
		if (open)
			cav_room_write_manifest(room, h->id, NULL);
	}
	return TRUE;
}
