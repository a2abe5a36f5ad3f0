/* disc-job.h — authoring and burning a case's disc, off the main loop.
 *
 * A job writes one session of one disc of a case's plan to one or more
 * drives at once (two drives, two copies), then reads every copy back
 * through its drive and checks it as an offline verifier would
 * (common/disc-verify.h). "author" is the same job aimed at a stdio: file as
 * a plain ISO image. The job, each copy and the read-back's result go into
 * the database (store-discs.h) and the audit log (who, which case, when);
 * progress goes out as "job" events on the room's hub.
 *
 * Threads: requests, results and events on the main thread; the drive work
 * in one GTask worker. Recording is not touched: the worker reads sealed
 * files only, and only one job runs at a time (libburn's drive list is
 * process-wide, so this runner is too).
 */
#pragma once

#include <glib.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include "disc-plan.h"
#include "room.h"
#include "common/signer.h"

G_BEGIN_DECLS

typedef enum {
	CAV_DISC_JOB_AUTHOR, /* a plain image file */
	CAV_DISC_JOB_BURN,   /* one session on one or more drives */
} CavDiscJobKind;

typedef struct {
	CavDiscJobKind kind;
	gint64 case_id;
	const char *const *drives; /* NULL-terminated addresses; author: one stdio: file */
	CavDiscMedium medium;      /* CAV_DISC_AUTO: the smallest that fits */
	guint disc;                /* 1-based; 0 means 1 */
	gboolean close;            /* the case ended: close the disc (no more sessions) */
	gboolean sealed_only;      /* burn the sealed hearings though others are not sealed */
	gboolean overwrite;        /* author: replace an existing file */
	const char *actor;         /* for the audit log */
} CavDiscJobRequest;

typedef struct CavDiscJobs CavDiscJobs;

/* The process's job runner, made on first call; @room and @signer must
 * outlive it. The first call also marks jobs a previous process left
 * running as failed. Main thread. (transfer none) */
CavDiscJobs *cav_disc_jobs_get(CavRoom *room, const CavSigner *signer);

/* Checks the request (case, seals, plan, drives) and starts the job.
 * Returns its id, or 0 with a bilingual CAV_DISC_ERROR. Drive trouble (no
 * medium, closed, too small) is found by the worker and ends the job
 * "failed" with the reason. Main thread. */
G_GNUC_WARN_UNUSED_RESULT
gint64 cav_disc_jobs_start(CavDiscJobs *jobs, const CavDiscJobRequest *req, GError **error);

/* The id of the job running, or 0. */
gint64 cav_disc_jobs_running(CavDiscJobs *jobs);

/* Adds the job as a JSON object (row, copies, findings, live progress).
 * FALSE with CAV_DISC_ERROR_NOT_FOUND when there is no such job. */
gboolean cav_disc_jobs_describe(CavDiscJobs *jobs, gint64 id, JsonBuilder *b, GError **error);

/* Lists the drives in a worker. While a job runs, libburn cannot scan: the
 * answer is the last list, with *busy set. Main thread; @callback too. */
void cav_disc_jobs_list_drives(CavDiscJobs *jobs, GCancellable *cancellable,
			       GAsyncReadyCallback callback, gpointer user_data);
/* (transfer full) of CavDriveInfo * */
GPtrArray *cav_disc_jobs_list_drives_finish(CavDiscJobs *jobs, GAsyncResult *result, gboolean *busy,
					    GError **error);

G_END_DECLS
