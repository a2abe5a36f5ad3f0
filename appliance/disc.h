/* disc.h — what the disc modules share: their error domain.
 *
 * "One case, one disc" (一案一刻) is one module split by job: disc-plan.c
 * (which discs a case needs), disc-case.c (a case as the disc code sees it),
 * disc-pages.c (README, logs, the player's data), disc-author.c (the tree of
 * one disc), disc-job.c (burning off the main loop), api-disc.c (HTTP).
 * Errors are bilingual (errors.h) and say what to do.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CAV_DISC_ERROR (cav_disc_error_quark())
GQuark cav_disc_error_quark(void);

typedef enum {
	CAV_DISC_ERROR_BAD_REQUEST, /* an invalid value from the caller */
	CAV_DISC_ERROR_NOT_FOUND,   /* no such case or job */
	CAV_DISC_ERROR_UNSEALED,    /* the case has hearings that are not sealed */
	CAV_DISC_ERROR_NOTHING, /* nothing to write: no sealed hearing, or all on the disc already */
	CAV_DISC_ERROR_TOO_LARGE,  /* a file no medium (or not the chosen one) can hold */
	CAV_DISC_ERROR_WRONG_DISC, /* the medium holds another case or another disc of the set */
	CAV_DISC_ERROR_BUSY,       /* a disc job is already running */
	CAV_DISC_ERROR_VERIFY,     /* the read-back found problems */
	CAV_DISC_ERROR_INTERNAL,
} CavDiscError;

G_END_DECLS
