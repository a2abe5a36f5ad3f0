/* room-media.c — the life of a segment file after the recorder names it.
 *
 *   opened  → an "open" row (so a crash leaves a trace to recover from)
 *   closed  → a SegmentJob: a worker thread hashes it (and scans its boxes);
 *             back on the main thread jobs are committed strictly in the
 *             order the files closed: chain link, row, audit, in one
 *             transaction; then manifest.json is rewritten.
 *
 * Hashing off the main loop keeps the API responsive while a 5-minute file
 * (~100 MB at 2.5 Mbit/s) is read. Main thread, except
 * cav_segment_job_compute() which runs in a GTask worker.
 */
#include "room-private.h"
#include "audit.h"
#include "errors.h"
#include "common/chain.h"
#include "common/fsutil.h"
#include "room-program.h"
#include "store-program.h"
#include "store-evidence.h"
#include "pipelines/av-offset.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

SegmentJob *
cav_segment_job_new(gint64 segment_id, gint64 hearing_id, const char *abs_path, const char *track,
		    guint seq, gint64 start_us, gint64 end_us, gboolean partial)
{
	SegmentJob *job = g_new0(SegmentJob, 1);

	job->segment_id = segment_id;
	job->hearing_id = hearing_id;
	job->abs_path = g_strdup(abs_path);
	job->track = g_strdup(track);
	job->seq = seq;
	job->start_us = start_us;
	job->end_us = end_us;
	job->partial = partial;
	return job;
}

void
cav_segment_job_free(SegmentJob *job)
{
	if (job == NULL)
		return;
	g_free(job->abs_path);
	g_free(job->track);
	g_clear_error(&job->error);
	g_free(job);
}

/* A closed segment is evidence: make its bytes and its name durable before
 * its hash is recorded, so a power cut cannot leave a row whose file is
 * shorter than what was hashed. */
static void
sync_file(const char *path)
{
	g_autofree char *dir = g_path_get_dirname(path);
	g_autoptr(GError) error = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) != 0)
		g_warning("cannot fsync %s: %s", path, g_strerror(errno));
	if (fd >= 0)
		close(fd);
	if (!cav_fs_sync_dir(dir, &error))
		g_warning("%s", error->message);
}

void
cav_segment_job_compute(SegmentJob *job)
{
	g_autoptr(GError) scan_error = NULL;
	CavMp4Info before = {0};

	/* Every file is scanned, not only the ones known to be left open: a file
	 * the recorder had to close by force (a write error, a stop timeout) can
	 * end in a torn box too. A torn file is made playable, its torn tail kept
	 * beside it as <file>.torn (never dropped), and it is registered as
	 * partial. If repair fails (disk full) the file is registered as it is. */
	if (cav_mp4_scan_file(job->abs_path, &before, &scan_error))
		job->info = before;
	if (before.torn) {
		job->partial = TRUE;
		if (cav_mp4_repair(job->abs_path, &job->info, &scan_error))
			job->repaired = TRUE;
		else
			g_warning("cannot repair %s (registered as it is): %s", job->abs_path,
				  scan_error->message);
	}
	if (scan_error != NULL)
		g_debug("%s: %s", job->abs_path, scan_error->message);
	sync_file(job->abs_path);
	if (!cav_sha256_file(job->abs_path, job->sha256, &job->bytes, NULL, &job->error))
		g_warning("cannot hash %s: %s", job->abs_path, job->error->message);
}

/* The last link of @hearing_id's chain and its index (genesis and 0 if none). */
static gboolean
chain_head(CavRoom *room, gint64 hearing_id, guint8 out[CAV_SHA256_LEN], gint64 *out_index,
	   GError **error)
{
	g_autoptr(GPtrArray) segs = cav_store_segment_list(room->store, hearing_id, TRUE, error);
	g_autoptr(CavHearingRow) h = NULL;

	if (segs == NULL)
		return FALSE;
	if (segs->len > 0) {
		CavSegmentRow *last = segs->pdata[segs->len - 1];

		*out_index = last->chain_index;
		if (!cav_sha256_from_hex(last->chain, out)) {
			g_set_error(error, CAV_STORE_ERROR, CAV_STORE_ERROR_SQL,
				    "segment %" G_GINT64_FORMAT " has a malformed chain value",
				    last->id);
			return FALSE;
		}
		return TRUE;
	}
	h = cav_store_hearing_get(room->store, hearing_id, error);
	if (h == NULL)
		return FALSE;
	cav_chain_genesis(h->uid, out);
	*out_index = 0;
	return TRUE;
}

/* The file's A/V offset and dropped frames, from its scan (av-offset.h). */
static gboolean
store_measurements(CavRoom *room, const SegmentJob *job, GError **error)
{
	double offset_ms = NAN;
	guint64 dropped = 0;
	gboolean has_dropped =
		cav_av_dropped_frames(&job->info, room->config->format.camera.fps, &dropped);

	if (!cav_av_offset_ms(&job->info, &offset_ms))
		offset_ms = NAN;
	return cav_store_segment_set_quality(room->store, job->segment_id, offset_ms,
					     has_dropped ? (gint64)dropped : -1, error);
}

gboolean
cav_room_media_commit(CavRoom *room, SegmentJob *job, GError **error)
{
	guint8 prev[CAV_SHA256_LEN], link_hash[CAV_SHA256_LEN];
	g_autofree char *name = g_path_get_basename(job->abs_path);
	g_autofree char *sha_hex = NULL;
	g_autofree char *chain_hex = NULL;
	g_autofree char *seq = g_strdup_printf("%u", job->seq);
	const char *state = job->partial ? "partial" : "closed";
	gint64 index = 0;
	gint64 end_us = job->end_us;
	double duration = job->info.duration_s;
	CavChainLink link = {job->track, job->seq, name, job->bytes, {0}};

	if (job->error != NULL) {
		/* Nothing to hash (the file vanished): record that loudly, keep the row. */
		g_autofree char *msg = g_strdup_printf("Segment file %s cannot be read: %s",
						       job->abs_path, job->error->message);
		cav_room_alarm_raise(room, "segment-unreadable", job->hearing_id, msg, msg);
		return cav_store_segment_finish(room->store, job->segment_id, "partial",
						job->start_us, 0, 0, NULL, 0, NULL, error) ||
		       (cav_room_wrap_store_error(error), FALSE);
	}
	if (end_us == 0 || job->partial)
		end_us = job->start_us + (gint64)(duration * G_USEC_PER_SEC);
	if (duration <= 0 && end_us > job->start_us)
		duration = (double)(end_us - job->start_us) / G_USEC_PER_SEC;
	memcpy(link.sha256, job->sha256, sizeof link.sha256);
	sha_hex = cav_sha256_hex(job->sha256);
	if (!cav_store_begin(room->store, error))
		goto fail;
	if (!chain_head(room, job->hearing_id, prev, &index, error))
		goto rollback;
	cav_chain_next(prev, &link, link_hash);
	chain_hex = cav_sha256_hex(link_hash);
	if (!cav_store_segment_finish(room->store, job->segment_id, state, end_us, duration,
				      (gint64)job->bytes, sha_hex, index + 1, chain_hex, error) ||
	    !store_measurements(room, job, error) ||
	    !cav_room_audit(room, CAV_ACTOR_DAEMON,
			    job->partial ? "segment.partial" : "segment.close", job->hearing_id,
			    error, "track", job->track, "seq", seq, "file", name, "sha256", sha_hex,
			    "repaired", job->repaired ? "true" : "false", NULL) ||
	    !cav_store_commit(room->store, error))
		goto rollback;
	g_info("segment %s %s sha256 %s (%.1f s, %" G_GUINT64_FORMAT " bytes)", name, state,
	       sha_hex, duration, job->bytes);
	return TRUE;
rollback:
	cav_store_rollback(room->store);
fail:
	cav_room_wrap_store_error(error);
	return FALSE;
}

void
cav_room_media_opened(CavRoom *room, gint64 hearing_id, const CavSegmentEvent *ev)
{
	g_autoptr(GError) error = NULL;
	gint64 *track_id = g_hash_table_lookup(room->track_ids, ev->track);
	g_autofree char *rel = NULL;
	gint64 seg_id;

	if (track_id == NULL || room->rec_media_dir == NULL ||
	    !g_str_has_prefix(ev->path, room->rec_media_dir)) {
		g_warning("segment %s of unknown track %s ignored", ev->path, ev->track);
		return;
	}
	rel = g_strdup(ev->path + strlen(room->rec_media_dir) + 1);
	seg_id = cav_store_segment_insert_open(room->store, *track_id, ev->seq, rel,
					       ev->wall_start_us, &error);
	if (seg_id == 0) {
		/* The file still records; recovery will register it from disk. */
		g_warning("could not register %s: %s", ev->path, error->message);
		return;
	}
	{
		/* The hearing goes with the segment: an evidence run may close
		 * its files after the hearing's recorder has gone. */
		gint64 ids[2] = {seg_id, hearing_id};

		g_hash_table_insert(room->open_segments, g_strdup(ev->path),
				    g_memdup2(ids, sizeof ids));
	}
	g_debug("segment %s opened", rel);
}

static void run_jobs(CavRoom *room);

static void
job_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	cav_segment_job_compute(task_data);
	g_task_return_boolean(task, TRUE);
}

static void
job_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	CavRoom *room = user_data;
	SegmentJob *job = g_task_get_task_data(G_TASK(result));

	job->done = TRUE;
	run_jobs(room);
}

/* Commits finished jobs from the head of the queue, in order. */
static void
run_jobs(CavRoom *room)
{
	g_autoptr(GHashTable) touched =
		g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	GHashTableIter iter;
	gpointer key;

	while (!g_queue_is_empty(&room->jobs)) {
		SegmentJob *job = g_queue_peek_head(&room->jobs);
		g_autoptr(GError) error = NULL;

		if (!job->done)
			break;
		g_queue_pop_head(&room->jobs);
		if (!cav_room_media_commit(room, job, &error))
			g_warning("segment %s not chained: %s", job->abs_path, error->message);
		g_hash_table_add(touched, g_memdup2(&job->hearing_id, sizeof(gint64)));
		cav_segment_job_free(job);
	}
	g_hash_table_iter_init(&iter, touched);
	while (g_hash_table_iter_next(&iter, &key, NULL))
		cav_room_write_manifest(room, *(gint64 *)key, NULL);
	cav_room_media_check_waiters(room);
}

static void
enqueue(CavRoom *room, SegmentJob *job)
{
	/* The room outlives every job: cav_room_free is called only after the
	 * shutdown waiters completed, i.e. after the queue drained. */
	g_autoptr(GTask) task = g_task_new(NULL, NULL, job_done, room);

	g_queue_push_tail(&room->jobs, job);
	g_task_set_task_data(task, job, NULL);
	g_task_run_in_thread(task, job_thread);
}

void
cav_room_media_closed(CavRoom *room, const CavSegmentEvent *ev)
{
	gint64 *ids = g_hash_table_lookup(room->open_segments, ev->path);

	if (ids == NULL) {
		g_warning("closed segment %s was never registered; recovery will find it",
			  ev->path);
		return;
	}
	enqueue(room, cav_segment_job_new(ids[0], ids[1], ev->path, ev->track, ev->seq,
					  ev->wall_start_us, ev->wall_end_us, FALSE));
	g_hash_table_remove(room->open_segments, ev->path);
}

void
cav_room_media_flush_open(CavRoom *room, const char *const *tracks)
{
	GHashTableIter iter;
	gpointer key, value;

	g_hash_table_iter_init(&iter, room->open_segments);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		g_autoptr(CavSegmentRow) row = NULL;
		const char *rel = (const char *)key + strlen(room->rec_media_dir) + 1;

		row = cav_store_segment_find_path(room->store, rel, NULL);
		if (row != NULL && tracks != NULL && !g_strv_contains(tracks, row->track))
			continue; /* another recorder's file, still being written */
		if (row != NULL) {
			g_warning("segment %s was still open when the recorder went down", rel);
			enqueue(room, cav_segment_job_new(row->id, row->hearing_id, key, row->track,
							  row->seq, row->start_us, 0, TRUE));
		}
		g_hash_table_iter_remove(&iter); /* frees key: after the job copied it */
	}
}

void
cav_room_media_check_waiters(CavRoom *room)
{
	g_autoptr(GPtrArray) waiters = NULL;

	if (room->recorder != NULL && room->rec_hearing_id != 0)
		return;
	if (cav_room_evidence_active(room))
		return;
	if (!g_queue_is_empty(&room->jobs) || room->waiters->len == 0)
		return;
	waiters = g_steal_pointer(&room->waiters);
	room->waiters = g_ptr_array_new_with_free_func(g_object_unref);
	for (guint i = 0; i < waiters->len; i++) {
		GTask *task = waiters->pdata[i];
		gint64 *id = g_task_get_task_data(task);

		if (id != NULL) {
			cav_room_write_manifest(room, *id, NULL);
			cav_room_program_report(room, *id); /* when closed: every file is in */
		}
		g_task_return_boolean(task, TRUE);
	}
}

/* ---- manifest ------------------------------------------------------------ */

static void
add_segments(CavManifest *m, GPtrArray *segs)
{
	for (guint i = 0; i < segs->len; i++) {
		CavSegmentRow *r = segs->pdata[i];
		CavManifestSegment s = {0};

		if (r->sha256 == NULL || r->chain == NULL)
			continue;
		s.file = r->path;
		s.track = r->track;
		s.seq = r->seq;
		s.bytes = (guint64)r->bytes;
		s.start_us = r->start_us;
		s.end_us = r->end_us;
		s.partial = g_str_equal(r->state, "partial");
		if (!cav_sha256_from_hex(r->sha256, s.sha256) ||
		    !cav_sha256_from_hex(r->chain, s.chain))
			continue;
		cav_manifest_add_segment(m, &s);
		memcpy(m->chain_head, s.chain, CAV_SHA256_LEN);
	}
}

CavManifest *
cav_room_build_manifest(CavRoom *room, gint64 hearing_id, GError **error)
{
	g_autoptr(CavHearingRow) h = cav_store_hearing_get(room->store, hearing_id, error);
	g_autoptr(CavCaseRow) kase = NULL;
	g_autoptr(GPtrArray) segs = NULL;
	g_autoptr(GPtrArray) ivs = NULL;
	g_autoptr(GPtrArray) marks = NULL;
	g_autoptr(GPtrArray) uses = NULL;
	g_autoptr(CavManifest) m = NULL;

	if (h == NULL)
		return NULL;
	kase = cav_store_case_get(room->store, h->case_id, error);
	segs = cav_store_segment_list(room->store, hearing_id, TRUE, error);
	ivs = cav_store_interval_list(room->store, hearing_id, error);
	marks = cav_store_mark_list(room->store, hearing_id, error);
	uses = cav_store_evidence_list(room->store, hearing_id, error);
	if (kase == NULL || segs == NULL || ivs == NULL || marks == NULL || uses == NULL)
		return NULL;
	m = cav_manifest_new();
	m->version = CAV_MANIFEST_VERSION;
	m->hearing_uid = g_strdup(h->uid);
	m->hearing_id = h->id;
	m->state = g_strdup(cav_hearing_state_name(h->state));
	m->court = g_strdup(room->config->court);
	m->room = g_strdup(h->room_id);
	m->case_number = g_strdup(kase->number);
	m->case_title = g_strdup(kase->title);
	m->is_public = kase->is_public;
	m->opened_us = h->opened_us;
	m->closed_us = h->closed_us;
	m->sig_alg = g_strdup(cav_signer_alg(room->signer));
	m->public_key_pem = g_strdup(cav_signer_public_pem(room->signer));
	m->device_key_id = g_strdup(cav_signer_key_id(room->signer));
	cav_chain_genesis(h->uid, m->chain_head);
	add_segments(m, segs);
	for (guint i = 0; i < ivs->len; i++) {
		CavIntervalRow *r = ivs->pdata[i];
		CavManifestInterval iv = {r->kind, r->reason, r->detail, r->start_us, r->end_us};

		cav_manifest_add_interval(m, &iv);
	}
	for (guint i = 0; i < marks->len; i++) {
		CavMarkRow *r = marks->pdata[i];
		CavManifestMark mk = {r->at_us, r->label, r->actor};

		cav_manifest_add_mark(m, &mk);
	}
	/* What each evidence track shows: the exhibit and its digest. */
	for (guint i = 0; i < uses->len; i++) {
		CavEvidenceUseRow *u = uses->pdata[i];
		CavManifestExhibit ex = {
			.input = u->source,
			.file = u->file,
			.bytes = (guint64)u->file_bytes,
			.start_us = u->start_us,
			.end_us = u->end_us,
			.actor = u->started_by,
		};

		ex.has_sha256 =
			u->file_sha256 != NULL && cav_sha256_from_hex(u->file_sha256, ex.sha256);
		cav_manifest_add_exhibit(m, &ex);
	}
	return g_steal_pointer(&m);
}

gboolean
cav_room_write_manifest(CavRoom *room, gint64 hearing_id, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autoptr(CavManifest) m = cav_room_build_manifest(room, hearing_id, &local);
	g_autoptr(CavHearingRow) h = NULL;
	g_autofree char *path = NULL;

	if (m == NULL)
		goto fail;
	h = cav_store_hearing_get(room->store, hearing_id, &local);
	if (h == NULL)
		goto fail;
	/* A sealed manifest is signed: never rewrite it. */
	if (h->state == CAV_HEARING_SEALED)
		return TRUE;
	path = g_build_filename(h->media_dir, CAV_MANIFEST_NAME, NULL);
	if (!cav_manifest_write(m, path, &local))
		goto fail;
	return TRUE;
fail:
	g_warning("manifest of hearing %" G_GINT64_FORMAT " not written: %s", hearing_id,
		  local->message);
	g_propagate_error(error, g_steal_pointer(&local));
	return FALSE;
}
