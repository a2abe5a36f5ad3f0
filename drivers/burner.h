/* burner.h — optical disc drives behind a small backend table.
 *
 * A burner writes a tree of files as one ISO 9660 + Joliet + Rock Ridge
 * session to a drive, and reads a drive's newest session back file by file.
 * A drive is an address: a real MMC burner ("/dev/sr0"), or a "stdio:" pseudo-
 * drive ("stdio:/path/file"), a plain file that libburn treats as an
 * overwritable medium. Tests and `courtavctl disc author` use stdio: drives,
 * and they run exactly the code a real burner runs.
 *
 * A new session on a medium that already holds one keeps the old tree and
 * adds to it (multi-session: a disc only grows); a file of the new tree whose
 * path exists replaces the old node.
 *
 * Backends are tables (STYLE §6): burner-libburn.c (libburn + libisofs via
 * libisoburn) is the only one; a robot's SDK or another stack would be one
 * file and one line in burner.c. Inside a backend errors are negative errno
 * values; the cav_burner_*() functions convert them once, at this boundary,
 * into CAV_BURNER_ERROR with an English and a Chinese message joined by
 * '\x1e' (the appliance's errors.h convention).
 *
 * Threads: every call blocks, for minutes when writing — call from a worker
 * thread, never from the main loop. libburn keeps one process-wide drive
 * list, so the backend serializes its calls with one lock; a second caller
 * waits. Progress callbacks run on the calling thread.
 */
#pragma once

#include <glib.h>
#include <gio/gio.h>
#include "common/verify.h"

G_BEGIN_DECLS

#define CAV_BURNER_ERROR (cav_burner_error_quark())
GQuark cav_burner_error_quark(void);

typedef enum {
	CAV_BURNER_ERROR_NO_DRIVE,   /* no drive at that address (ENODEV, ENOENT) */
	CAV_BURNER_ERROR_NO_MEDIUM,  /* the drive holds no disc (ENOMEDIUM) */
	CAV_BURNER_ERROR_CLOSED,     /* the disc is closed: nothing can be added (EROFS) */
	CAV_BURNER_ERROR_TOO_SMALL,  /* the session does not fit (ENOSPC) */
	CAV_BURNER_ERROR_UNSUITABLE, /* a medium that cannot be written (EMEDIUMTYPE) */
	CAV_BURNER_ERROR_BUSY,       /* the drive is in use by another program (EBUSY) */
	CAV_BURNER_ERROR_NOT_ISO,    /* nothing readable as ISO 9660 on the medium (ENODATA) */
	CAV_BURNER_ERROR_CANCELLED,  /* ECANCELED */
	CAV_BURNER_ERROR_FAILED,     /* the drive or library failed (EIO and the rest) */
} CavBurnerError;

#define CAV_BURNER_BACKEND_VERSION 1

/* ---- what a drive holds --------------------------------------------------- */

typedef enum {
	CAV_MEDIUM_NONE,       /* no disc, or a null drive */
	CAV_MEDIUM_BLANK,      /* writable, empty */
	CAV_MEDIUM_APPENDABLE, /* holds sessions, more can be added */
	CAV_MEDIUM_CLOSED,     /* holds sessions, closed */
	CAV_MEDIUM_UNSUITABLE, /* unreadable state or a type this burner cannot write */
} CavMediumState;

typedef struct {
	char *address;   /* "/dev/sr0", "stdio:/tmp/x.iso" (owned) */
	char *vendor;    /* (owned, "" for pseudo-drives) */
	char *product;   /* (owned) */
	gboolean pseudo; /* a stdio: file, not a real drive */
	CavMediumState state;
	char *profile;      /* "DVD+R", "BD-R sequential recording", "stdio file" (owned) */
	guint sessions;     /* complete sessions on the medium */
	guint64 used_bytes; /* bytes the sessions occupy */
	guint64 free_bytes; /* what a new session may use (for stdio: the file system's free space) */
} CavDriveInfo;

void cav_drive_info_free(CavDriveInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavDriveInfo, cav_drive_info_free)

/* ---- what to write ------------------------------------------------------- */

/* One file of a session: copied from a local file, or from memory. */
typedef struct {
	char *path;    /* on the disc, '/'-separated, no leading '/': "h1/cam1/x.mp4" (owned) */
	char *source;  /* absolute local path (owned, nullable) */
	GBytes *data;  /* content when @source is NULL (owned, nullable) */
	guint64 bytes; /* size, for planning and progress */
} CavBurnFile;

typedef struct {
	GPtrArray *files;  /* CavBurnFile * (owned) */
	char *volume_id;   /* ISO volume id, at most 32 of [A-Z0-9_] (owned) */
	char *publisher;   /* (owned, nullable) */
	char *application; /* (owned, nullable) */
} CavBurnTree;

CavBurnTree *cav_burn_tree_new(const char *volume_id);
void cav_burn_tree_free(CavBurnTree *tree);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavBurnTree, cav_burn_tree_free)
/* Adds a local file (stat()ed now for its size) or a copy of memory. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_burn_tree_add_file(CavBurnTree *tree, const char *path, const char *source,
				GError **error);
void cav_burn_tree_add_data(CavBurnTree *tree, const char *path, const void *data, gsize len);
/* Sum of the files' sizes. */
guint64 cav_burn_tree_bytes(const CavBurnTree *tree);

typedef enum {
	/* Close the medium after this session: nothing can be added later.
	 * Overwritable media (DVD+RW, BD-RE, stdio: files) cannot be closed;
	 * there the flag is only recorded by the caller's own data. */
	CAV_BURN_CLOSE = 1 << 0,
	/* stdio: only — write a plain image starting at block 0 instead of
	 * emulating a multi-session disc (the header copy at block 32 that lets
	 * `xorriso -toc` list sessions), and treat the file as blank: its old
	 * content is replaced. For `disc author`: an image other tools burn as
	 * is. */
	CAV_BURN_PLAIN_IMAGE = 1 << 1,
} CavBurnFlags;

typedef enum {
	CAV_BURN_PHASE_PREPARING, /* loading the old tree, computing the image */
	CAV_BURN_PHASE_WRITING,
	CAV_BURN_PHASE_CLOSING, /* fixating, syncing */
	CAV_BURN_PHASE_READING, /* read-back */
} CavBurnPhase;

typedef struct {
	guint drive; /* index into the addresses of the call */
	CavBurnPhase phase;
	guint64 done_bytes;
	guint64 total_bytes; /* 0 while unknown */
	double bytes_per_s;  /* average since the phase began; 0 while unknown */
	double eta_s;        /* seconds left; < 0 while unknown */
} CavBurnProgress;

/* Called on the calling thread, at most a few times a second. */
typedef void (*CavBurnProgressFunc)(const CavBurnProgress *progress, gpointer user_data);

/* ---- the backend table ---------------------------------------------------- */

typedef struct CavBurnReader CavBurnReader;

typedef struct {
	guint version; /* CAV_BURNER_BACKEND_VERSION */
	const char *name;
	/* Real drives on this machine, with their media. Does not list stdio:
	 * drives. Fills @out with CavDriveInfo * (transfer full). 0 or -errno. */
	int (*list_drives)(GPtrArray *out);
	/* One drive, real or stdio:. 0 or -errno; *out (transfer full). */
	int (*probe)(const char *address, CavDriveInfo **out);
	/* Writes @tree as one new session to each of @n drives at once (copies);
	 * @results[i] gets 0 or -errno per drive. Returns 0 when the run could be
	 * started (look at @results), else -errno and no drive was written.
	 * @cancel (nullable) is polled. @msg (nullable) gets the library's last
	 * complaint, for the log. */
	int (*write)(const char *const *addresses, guint n, const CavBurnTree *tree, guint flags,
		     CavBurnProgressFunc progress, gpointer user_data, GCancellable *cancel,
		     int *results, char **msg);
	/* Opens the newest session of a drive (or image file, as "stdio:PATH")
	 * for reading. 0 or -errno. */
	int (*reader_open)(const char *address, CavBurnReader **out);
	void (*reader_close)(CavBurnReader *reader);
	/* The file-system view verify.h reads through. (transfer none) */
	const CavVerifyFsOps *reader_fs_ops;
} CavBurnerBackend;

/* ---- the cav_burner_* boundary (GError) ----------------------------------- */

/* The backend called @name, or the default when @name is NULL. (transfer none) */
const CavBurnerBackend *cav_burner_backend(const char *name);

/* "stdio:/abs/path" for a path, the address itself for "stdio:…" or a device
 * ("/dev/sr0"). A relative file path is made absolute. (transfer full) */
char *cav_burner_address(const char *path_or_address);

/* (transfer full) of CavDriveInfo * */
G_GNUC_WARN_UNUSED_RESULT
GPtrArray *cav_burner_list_drives(GError **error);
/* (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
CavDriveInfo *cav_burner_probe(const char *address, GError **error);

/* Writes @tree to every drive in @addresses; @errors (transfer full) gets one
 * GError * or NULL per drive. FALSE with @error when nothing was written. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_burner_write(const char *const *addresses, guint n, const CavBurnTree *tree,
			  guint flags, CavBurnProgressFunc progress, gpointer user_data,
			  GCancellable *cancel, GPtrArray **errors, GError **error);

/* Opens a drive's newest session for reading. (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
CavBurnReader *cav_burner_open(const char *address, GError **error);
void cav_burner_close(CavBurnReader *reader);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavBurnReader, cav_burner_close)
/* The reader as a verify.h file system; valid while @reader is open. Paths
 * are absolute in the session: "/", "/h1/manifest.json". */
CavVerifyFs cav_burner_reader_fs(CavBurnReader *reader);

/* Sets @error from a backend's -errno, naming @address; @detail (nullable) is
 * the library's own words, appended for technicians. */
void cav_burner_set_error(GError **error, int neg_errno, const char *address, const char *detail);

/* "DVD+R", … as people say it, from a state. (transfer none) */
const char *cav_medium_state_name(CavMediumState state);

G_END_DECLS
