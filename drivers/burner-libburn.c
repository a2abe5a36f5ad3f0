/* burner-libburn.c — the burner backend on libburn and libisofs, joined by
 * libisoburn (see burner.h).
 *
 * Writing is libisoburn's "growing" (isoburn_prepare_disc): the drive's
 * existing tree is loaded (empty on a blank medium), the new files are
 * grafted onto it, and the difference is written as one new session — a real
 * session on DVD±R and BD-R, an emulated one on overwritable media and stdio:
 * files (a superblock copy at block 0 that points at the newest session; the
 * sessions stay listable with `xorriso -toc`). Every session has Rock Ridge
 * (the UTF-8 names Linux shows), Joliet (what Windows shows; long names and
 * UTF-16 so Chinese names survive) and MD5s of the session and of each file
 * (`xorriso -check_md5`). Files and folders are written read-only, owned by
 * root, whatever they were on disk.
 *
 * Reading opens the newest session through the drive (libisoburn's data
 * source reads with burn_read_data) and serves the verify.h file-system view
 * from the loaded tree, so a read-back really reads the disc.
 *
 * Threads: called on worker threads. libburn's drive list, its message queue
 * and libisoburn's drive bindings are process-global, so lib_lock serializes
 * every entry point, reader calls included; libburn's and libisofs' own
 * writer threads run beneath a call and have ended when it returns.
 * Errors: negative errno, plus the library's last complaint as text.
 */
#include "burner-backends.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <libisofs/libisofs.h>
#include <libburn/libburn.h>
#include <libisoburn/libisoburn.h>
#include <openssl/evp.h>

#define POLL_US (200 * 1000)
#define PROGRESS_EVERY_US (500 * 1000)
#define FIFO_BYTES (16 * 1024 * 1024)
#define READ_CHUNK (256 * 1024)

/* Protects every libburn/libisofs/libisoburn call (see the overview). */
static GMutex lib_lock;

struct CavBurnReader {
	struct burn_drive_info *dinfo; /* owned (burn_drive_info_free) */
	struct burn_drive *drive;      /* unowned, inside dinfo; grabbed */
	IsoImage *image;               /* owned ref */
	char *address;                 /* owned */
};

/* ---- library set-up and messages ----------------------------------------- */

static gsize init_result; /* 1 ok, 2 failed (g_once_init) */

static gboolean
lib_init(void)
{
	if (g_once_init_enter(&init_result)) {
		char msg[1024] = "";
		gsize r = 2;

		if (isoburn_initialize(msg, 0) &&
		    isoburn_is_compatible(isoburn_header_version_major,
					  isoburn_header_version_minor,
					  isoburn_header_version_micro, 0)) {
			/* Queue complaints for our messages; print nothing: courtavd's
			 * log and courtavctl's output are ours to write. */
			burn_msgs_set_severities("SORRY", "NEVER", "courtav-burner: ");
			iso_set_msgs_severities("SORRY", "NEVER", "courtav-burner: ");
			/* Names are UTF-8 whatever the locale (courtavd may run with
			 * LANG=C): Chinese file names must not be refused or mangled. */
			iso_set_local_charset("UTF-8", 0);
			r = 1;
		} else {
			g_warning("libisoburn cannot start: %s", msg);
		}
		g_once_init_leave(&init_result, r);
	}
	return init_result == 1;
}

/* The newest complaint of libburn or libisofs, emptying both queues.
 * (transfer full, nullable) */
static char *
lib_last_message(void)
{
	char text[BURN_MSGS_MESSAGE_LEN], sev[80];
	char *last = NULL;
	int code, os_errno, imgid;

	while (burn_msgs_obtain("SORRY", &code, text, &os_errno, sev) == 1) {
		g_free(last);
		last = g_strdup(text);
	}
	while (iso_obtain_msgs("SORRY", &code, &imgid, text, sev) == 1) {
		g_free(last);
		last = g_strdup(text);
	}
	return last;
}

static void
keep_message(char **msg)
{
	char *m = lib_last_message();

	if (m == NULL || msg == NULL) {
		g_free(m);
		return;
	}
	g_free(*msg);
	*msg = m;
}

/* libisofs' negative ISO_* codes as errno. */
static int
iso_errno(int iso_code)
{
	switch (iso_code) {
	case ISO_OUT_OF_MEM:
		return -ENOMEM;
	case ISO_RR_NAME_TOO_LONG:
	case ISO_RR_PATH_TOO_LONG:
		return -ENAMETOOLONG;
	case ISO_FILE_DOESNT_EXIST:
		return -ENOENT;
	case ISO_FILE_ACCESS_DENIED:
		return -EACCES;
	default:
		return -EIO;
	}
}

/* ---- drives -------------------------------------------------------------- */

typedef struct {
	struct burn_drive_info *dinfo; /* owned */
	struct burn_drive *drive;      /* unowned */
} Grab;

static void
grab_release(Grab *g)
{
	if (g->dinfo == NULL)
		return;
	isoburn_drive_release(g->drive, 0);
	burn_drive_info_free(g->dinfo);
	g->dinfo = NULL;
	g->drive = NULL;
}

/* Acquires @address. @blank: treat an overwritable medium as blank. A drive
 * that exists but cannot be opened is -EBUSY when libburn says it is busy
 * (another program holds it), else -EIO; its words go to @msg (nullable). */
static int
grab(const char *address, gboolean for_write, gboolean blank, Grab *out, char **msg)
{
	struct burn_drive_info *dinfo = NULL;
	/* bit0 load the tray; bit2 truncate a stdio file at the write start;
	 * bit1 regard overwritable media as blank; bit5/6 no ACLs or xattrs. */
	int flag = 1 | (1 << 5) | (1 << 6) | (for_write ? (1 << 2) : 0) | (blank ? (1 << 1) : 0);
	g_autofree char *why = NULL;
	int r;

	r = isoburn_drive_aquire(&dinfo, (char *)address, flag);
	if (r <= 0) {
		if (dinfo != NULL)
			burn_drive_info_free(dinfo);
		if (r == 0)
			return -ENODEV;
		why = lib_last_message();
		r = why != NULL && strstr(why, "busy") != NULL ? -EBUSY : -EIO;
		if (msg != NULL) {
			g_free(*msg);
			*msg = g_steal_pointer(&why);
		}
		return r;
	}
	out->dinfo = dinfo;
	out->drive = dinfo[0].drive;
	return 0;
}

static CavMediumState
medium_state(struct burn_drive *drive)
{
	int role = burn_drive_get_drive_role(drive);

	if (role == 0)
		return CAV_MEDIUM_NONE;
	switch (isoburn_disc_get_status(drive)) {
	case BURN_DISC_EMPTY:
		return CAV_MEDIUM_NONE;
	case BURN_DISC_BLANK:
		return role == 4 ? CAV_MEDIUM_UNSUITABLE : CAV_MEDIUM_BLANK;
	case BURN_DISC_APPENDABLE:
		/* A read-only file holding sessions cannot grow: closed for us. */
		return role == 4 ? CAV_MEDIUM_CLOSED : CAV_MEDIUM_APPENDABLE;
	case BURN_DISC_FULL:
		return CAV_MEDIUM_CLOSED;
	default:
		return CAV_MEDIUM_UNSUITABLE;
	}
}

static CavDriveInfo *
describe(struct burn_drive *drive, const struct burn_drive_info *dinfo, const char *address)
{
	CavDriveInfo *info = g_new0(CavDriveInfo, 1);
	struct isoburn_toc_disc *toc;
	char profile[80] = "";
	int pno = 0, role = burn_drive_get_drive_role(drive);

	info->address = g_strdup(address);
	info->pseudo = role != 1;
	info->vendor = g_strstrip(g_strndup(dinfo->vendor, sizeof dinfo->vendor));
	info->product = g_strstrip(g_strndup(dinfo->product, sizeof dinfo->product));
	info->state = medium_state(drive);
	burn_disc_get_profile(drive, &pno, profile);
	info->profile = g_strdup(profile);
	if (info->state == CAV_MEDIUM_APPENDABLE || info->state == CAV_MEDIUM_CLOSED) {
		toc = isoburn_toc_drive_get_disc(drive);
		if (toc != NULL) {
			int n = 0;

			isoburn_toc_disc_get_sessions(toc, &n);
			info->sessions = (guint)MAX(n, 0);
			info->used_bytes =
				(guint64)MAX(isoburn_toc_disc_get_sectors(toc), 0) * 2048;
			isoburn_toc_disc_free(toc);
		}
	}
	if (info->state == CAV_MEDIUM_BLANK || info->state == CAV_MEDIUM_APPENDABLE)
		info->free_bytes = (guint64)MAX(isoburn_disc_available_space(drive, NULL), 0);
	return info;
}

static int
lb_probe(const char *address, CavDriveInfo **out)
{
	Grab g = {0};
	int r;

	if (!lib_init())
		return -EIO;
	g_mutex_lock(&lib_lock);
	r = grab(address, FALSE, FALSE, &g, NULL);
	if (r == 0) {
		*out = describe(g.drive, &g.dinfo[0], address);
		grab_release(&g);
	}
	g_free(lib_last_message());
	g_mutex_unlock(&lib_lock);
	return r;
}

static int
lb_list_drives(GPtrArray *out)
{
	struct burn_drive_info *infos = NULL;
	unsigned int n = 0;
	g_autoptr(GPtrArray) addrs = g_ptr_array_new_with_free_func(g_free);
	int r;

	if (!lib_init())
		return -EIO;
	g_mutex_lock(&lib_lock);
	while ((r = burn_drive_scan(&infos, &n)) == 0)
		g_usleep(10 * 1000);
	if (r < 0) {
		g_mutex_unlock(&lib_lock);
		return -EIO;
	}
	/* Scanning may lock every drive (O_EXCL): note the addresses, let them
	 * all go, then look at each one by itself. */
	for (unsigned int i = 0; i < n; i++) {
		char adr[BURN_DRIVE_ADR_LEN] = "";

		if (burn_drive_d_get_adr(infos[i].drive, adr) > 0)
			g_ptr_array_add(addrs, g_strdup(adr));
		burn_drive_info_forget(&infos[i], 0);
	}
	burn_drive_info_free(infos);
	for (guint i = 0; i < addrs->len; i++) {
		Grab g = {0};

		if (grab(addrs->pdata[i], FALSE, FALSE, &g, NULL) == 0) {
			g_ptr_array_add(out, describe(g.drive, &g.dinfo[0], addrs->pdata[i]));
			grab_release(&g);
		}
	}
	g_free(lib_last_message());
	g_mutex_unlock(&lib_lock);
	return 0;
}

/* ---- building the tree ---------------------------------------------------- */

/* The folder @rel (no leading '/') below the root, created as needed. */
static int
ensure_dir(IsoImage *image, const char *rel, IsoDir **out)
{
	g_auto(GStrv) parts = g_strsplit(rel, "/", -1);
	IsoDir *dir = iso_image_get_root(image);

	for (guint i = 0; parts[i] != NULL; i++) {
		IsoNode *node = NULL;
		IsoDir *sub = NULL;
		int r;

		if (parts[i][0] == '\0')
			continue;
		if (iso_dir_get_node(dir, parts[i], &node) == 1) {
			if (iso_node_get_type(node) == LIBISO_DIR) {
				dir = (IsoDir *)node;
				continue;
			}
			iso_node_remove(node);
		}
		r = iso_image_add_new_dir(image, dir, parts[i], &sub);
		if (r < 0)
			return iso_errno(r);
		iso_node_set_permissions((IsoNode *)sub, 0555);
		dir = sub;
	}
	*out = dir;
	return 0;
}

static int
graft(IsoImage *image, const CavBurnFile *f)
{
	g_autofree char *dirname = g_path_get_dirname(f->path);
	g_autofree char *base = g_path_get_basename(f->path);
	IsoDir *dir = NULL;
	IsoNode *old = NULL;
	int r;

	r = ensure_dir(image, g_str_equal(dirname, ".") ? "" : dirname, &dir);
	if (r < 0)
		return r;
	/* The newer file replaces the old node; the old bytes stay in the
	 * older session, unreferenced. (iso_node_remove_tree() is only for
	 * folders: libisofs 1.5.4 crashes when given a file.) */
	if (iso_dir_get_node(dir, base, &old) == 1) {
		if (iso_node_get_type(old) == LIBISO_DIR)
			iso_node_remove_tree(old, NULL);
		else
			iso_node_remove(old);
	}
	if (f->source != NULL) {
		r = iso_tree_add_new_node(image, dir, base, f->source, NULL);
	} else {
		gsize len = 0;
		const void *data = g_bytes_get_data(f->data, &len);
		/* libisofs frees the buffer with free(): hand it malloc()ed memory. */
		unsigned char *buf = malloc(MAX(len, 1));
		IsoStream *stream = NULL;

		if (buf == NULL)
			return -ENOMEM;
		if (len > 0)
			memcpy(buf, data, len);
		r = iso_memory_stream_new(buf, len, &stream);
		if (r < 0) {
			free(buf);
			return iso_errno(r);
		}
		r = iso_image_add_new_file(image, dir, base, stream, NULL);
		if (r < 0)
			iso_stream_unref(stream);
	}
	return r < 0 ? iso_errno(r) : 0;
}

static struct isoburn_imgen_opts *
image_options(guint flags)
{
	struct isoburn_imgen_opts *o = NULL;
	/* AAIP carries each file's index into the MD5 array ("isofs.cx"):
	 * without it the file MD5s are computed but cannot be found again. */
	int ext = isoburn_igopt_rockridge | isoburn_igopt_joliet | isoburn_igopt_aaip |
		  isoburn_igopt_session_md5 | isoburn_igopt_file_md5;

	if (isoburn_igopt_new(&o, 0) <= 0)
		return NULL;
	if (flags & CAV_BURN_PLAIN_IMAGE)
		ext |= isoburn_igopt_no_emul_toc;
	/* Level 2, not 3: files stay below 4 GiB (the planner keeps them at
	 * 1 GiB), and level 3's multi-extent files are what old readers get
	 * wrong. */
	isoburn_igopt_set_level(o, 2);
	isoburn_igopt_set_extensions(o, ext);
	isoburn_igopt_set_relaxed(o, isoburn_igopt_joliet_longer_paths |
					     isoburn_igopt_joliet_long_names |
					     isoburn_igopt_joliet_utf16 | isoburn_igopt_always_gmt);
	isoburn_igopt_set_over_mode(o, 2, 2, 0555, 0444);
	isoburn_igopt_set_over_ugid(o, 2, 2, 0, 0);
	isoburn_igopt_set_out_charset(o, "UTF-8");
	isoburn_igopt_set_fifo_size(o, FIFO_BYTES);
	return o;
}

/* ---- writing ------------------------------------------------------------- */

typedef struct {
	const char *address;
	Grab grab;
	struct isoburn_read_opts *ropts;  /* owned */
	struct isoburn_imgen_opts *gopts; /* owned */
	struct burn_write_opts *wopts;    /* owned */
	struct burn_disc *disc;           /* owned */
	IsoImage *image;                  /* owned ref */
	int result;
	gboolean writing; /* isoburn_disc_write() was called and has not ended */
	guint64 total;
	gint64 started_us;
} Copy;

static void
copy_clear(Copy *c)
{
	if (c->wopts != NULL)
		burn_write_opts_free(c->wopts);
	if (c->disc != NULL)
		burn_disc_free(c->disc);
	isoburn_igopt_destroy(&c->gopts, 0);
	isoburn_ropt_destroy(&c->ropts, 0);
	if (c->image != NULL)
		iso_image_unref(c->image);
	grab_release(&c->grab);
	memset(c, 0, sizeof *c);
}

/* Grabs the drive, checks its medium, loads the old tree, grafts the new
 * files and starts libisofs on the session. 0 or -errno. */
static int
copy_prepare(Copy *c, const CavBurnTree *tree, guint flags, char **msg)
{
	gboolean plain = (flags & CAV_BURN_PLAIN_IMAGE) != 0;
	struct burn_session **sessions;
	struct burn_track **tracks;
	CavMediumState state;
	off_t avail;
	int r, n = 0;

	if (plain && !g_str_has_prefix(c->address, "stdio:"))
		return -EINVAL;
	r = grab(c->address, TRUE, plain, &c->grab, msg);
	if (r < 0)
		return r;
	if (burn_drive_get_drive_role(c->grab.drive) == 4)
		return -EROFS;
	state = medium_state(c->grab.drive);
	if (state == CAV_MEDIUM_NONE)
		return -ENOMEDIUM;
	if (state == CAV_MEDIUM_CLOSED)
		return -EROFS;
	if (state == CAV_MEDIUM_UNSUITABLE)
		return -EMEDIUMTYPE;

	if (isoburn_ropt_new(&c->ropts, 0) <= 0)
		return -ENOMEM;
	isoburn_ropt_set_extensions(c->ropts, isoburn_ropt_noacl | isoburn_ropt_noea);
	isoburn_ropt_set_input_charset(c->ropts, "UTF-8");
	if (isoburn_read_image(c->grab.drive, c->ropts, &c->image) <= 0) {
		keep_message(msg);
		return -ENODATA;
	}
	iso_tree_set_follow_symlinks(c->image, 0);
	iso_image_set_volume_id(c->image, tree->volume_id);
	if (tree->publisher != NULL)
		iso_image_set_publisher_id(c->image, tree->publisher);
	if (tree->application != NULL)
		iso_image_set_application_id(c->image, tree->application);
	for (guint i = 0; i < tree->files->len; i++) {
		r = graft(c->image, tree->files->pdata[i]);
		if (r < 0) {
			keep_message(msg);
			return r;
		}
	}

	c->gopts = image_options(flags);
	if (c->gopts == NULL)
		return -ENOMEM;
	if (isoburn_prepare_disc(c->grab.drive, &c->disc, c->gopts) <= 0) {
		keep_message(msg);
		return -EIO;
	}
	c->wopts = burn_write_opts_new(c->grab.drive);
	burn_write_opts_set_perform_opc(c->wopts, 0);
	burn_write_opts_set_multi(c->wopts, (flags & CAV_BURN_CLOSE) ? 0 : 1);
	burn_write_opts_set_underrun_proof(c->wopts, 1);
	burn_drive_set_speed(c->grab.drive, 0, 0);

	/* The session must fit before a single block is written: a write-once
	 * disc that runs out of space mid-session is lost. */
	sessions = burn_disc_get_sessions(c->disc, &n);
	tracks = n > 0 ? burn_session_get_tracks(sessions[0], &n) : NULL;
	c->total = tracks != NULL && n > 0 ? (guint64)burn_track_get_sectors(tracks[0]) * 2048 : 0;
	avail = isoburn_disc_available_space(c->grab.drive, c->wopts);
	if (c->total == 0 || (avail >= 0 && c->total > (guint64)avail)) {
		isoburn_cancel_prepared_write(c->grab.drive, NULL, 0);
		return c->total == 0 ? -EIO : -ENOSPC;
	}
	return 0;
}

static CavBurnPhase
phase_of(enum burn_drive_status st)
{
	switch (st) {
	case BURN_DRIVE_WRITING:
	case BURN_DRIVE_WRITING_LEADIN:
	case BURN_DRIVE_WRITING_PREGAP:
		return CAV_BURN_PHASE_WRITING;
	case BURN_DRIVE_WRITING_LEADOUT:
	case BURN_DRIVE_CLOSING_TRACK:
	case BURN_DRIVE_CLOSING_SESSION:
	case BURN_DRIVE_WRITING_SYNC:
		return CAV_BURN_PHASE_CLOSING;
	default:
		return CAV_BURN_PHASE_PREPARING;
	}
}

static void
report(CavBurnProgressFunc progress, gpointer user_data, guint index, CavBurnPhase phase,
       guint64 done, guint64 total, gint64 started_us)
{
	CavBurnProgress p = {index, phase, done, total, 0, -1};
	double secs = (double)(g_get_monotonic_time() - started_us) / G_USEC_PER_SEC;

	if (progress == NULL)
		return;
	if (secs > 0.2 && done > 0) {
		p.bytes_per_s = (double)done / secs;
		p.eta_s = total > done ? (double)(total - done) / p.bytes_per_s : 0;
	}
	progress(&p, user_data);
}

/* Waits for every started copy, reporting progress; cancels on request. */
static void
wait_copies(Copy *copies, guint n, CavBurnProgressFunc progress, gpointer user_data,
	    GCancellable *cancel)
{
	gint64 last_report = 0;
	gboolean cancelled = FALSE;

	for (;;) {
		guint running = 0;
		gint64 now = g_get_monotonic_time();
		gboolean tick = now - last_report >= PROGRESS_EVERY_US;

		if (!cancelled && cancel != NULL && g_cancellable_is_cancelled(cancel)) {
			cancelled = TRUE;
			for (guint i = 0; i < n; i++)
				if (copies[i].writing)
					burn_drive_cancel(copies[i].grab.drive);
		}
		for (guint i = 0; i < n; i++) {
			Copy *c = &copies[i];
			struct burn_progress p;
			enum burn_drive_status st;

			if (!c->writing)
				continue;
			memset(&p, 0, sizeof p);
			st = burn_drive_get_status(c->grab.drive, &p);
			if (st == BURN_DRIVE_IDLE) {
				c->writing = FALSE;
				if (cancelled)
					c->result = -ECANCELED;
				else if (!isoburn_drive_wrote_well(c->grab.drive))
					c->result = -EIO;
				else if (isoburn_activate_session(c->grab.drive) <= 0)
					c->result = -EIO;
				else
					report(progress, user_data, i, CAV_BURN_PHASE_CLOSING,
					       c->total, c->total, c->started_us);
				continue;
			}
			running++;
			if (tick) {
				guint64 done = (guint64)MAX(p.sector, 0) * 2048;

				report(progress, user_data, i, phase_of(st), MIN(done, c->total),
				       c->total, c->started_us);
			}
		}
		if (tick)
			last_report = now;
		if (running == 0)
			return;
		g_usleep(POLL_US);
	}
}

static int
lb_write(const char *const *addresses, guint n, const CavBurnTree *tree, guint flags,
	 CavBurnProgressFunc progress, gpointer user_data, GCancellable *cancel, int *results,
	 char **msg)
{
	g_autofree Copy *copies = g_new0(Copy, n);
	guint started = 0;

	if (!lib_init())
		return -EIO;
	/* The same address twice would grab one drive twice. */
	for (guint i = 0; i < n; i++)
		for (guint j = i + 1; j < n; j++)
			if (g_str_equal(addresses[i], addresses[j]))
				return -EINVAL;
	g_mutex_lock(&lib_lock);
	g_free(lib_last_message());
	for (guint i = 0; i < n; i++) {
		Copy *c = &copies[i];

		c->address = addresses[i];
		report(progress, user_data, i, CAV_BURN_PHASE_PREPARING, 0, 0,
		       g_get_monotonic_time());
		c->result = copy_prepare(c, tree, flags, msg);
		if (c->result < 0)
			continue;
		c->started_us = g_get_monotonic_time();
		isoburn_disc_write(c->wopts, c->disc);
		c->writing = TRUE;
		started++;
	}
	if (started > 0)
		wait_copies(copies, n, progress, user_data, cancel);
	for (guint i = 0; i < n; i++) {
		if (copies[i].result == 0 && copies[i].grab.drive != NULL)
			isoburn_sync_after_write(copies[i].grab.drive, NULL, 0);
		results[i] = copies[i].result;
		copy_clear(&copies[i]);
	}
	keep_message(msg);
	g_mutex_unlock(&lib_lock);
	return 0;
}

/* ---- reading ------------------------------------------------------------- */

static int
lb_reader_open(const char *address, CavBurnReader **out)
{
	g_autofree CavBurnReader *rd = g_new0(CavBurnReader, 1);
	struct isoburn_read_opts *ropts = NULL;
	CavMediumState state;
	Grab g = {0};
	int r;

	if (!lib_init())
		return -EIO;
	g_mutex_lock(&lib_lock);
	r = grab(address, FALSE, FALSE, &g, NULL);
	if (r < 0)
		goto out;
	state = medium_state(g.drive);
	if (state == CAV_MEDIUM_NONE) {
		r = -ENOMEDIUM;
		goto out;
	}
	if (state != CAV_MEDIUM_APPENDABLE && state != CAV_MEDIUM_CLOSED) {
		r = -ENODATA;
		goto out;
	}
	isoburn_ropt_new(&ropts, 0);
	isoburn_ropt_set_extensions(ropts,
				    isoburn_ropt_noacl | isoburn_ropt_noea | isoburn_ropt_noaaip);
	isoburn_ropt_set_input_charset(ropts, "UTF-8");
	if (isoburn_read_image(g.drive, ropts, &rd->image) <= 0) {
		r = -ENODATA;
		goto out;
	}
	rd->dinfo = g.dinfo;
	rd->drive = g.drive;
	rd->address = g_strdup(address);
	g = (Grab){0};
	*out = g_steal_pointer(&rd);
	r = 0;
out:
	isoburn_ropt_destroy(&ropts, 0);
	grab_release(&g);
	g_free(lib_last_message());
	g_mutex_unlock(&lib_lock);
	return r;
}

static void
lb_reader_close(CavBurnReader *rd)
{
	if (rd == NULL)
		return;
	g_mutex_lock(&lib_lock);
	if (rd->image != NULL)
		iso_image_unref(rd->image);
	if (rd->dinfo != NULL) {
		isoburn_drive_release(rd->drive, 0);
		burn_drive_info_free(rd->dinfo);
	}
	g_free(lib_last_message());
	g_mutex_unlock(&lib_lock);
	g_free(rd->address);
	g_free(rd);
}

/* Called with lib_lock held. NULL when absent. (transfer none) */
static IsoNode *
node_at(CavBurnReader *rd, const char *path)
{
	IsoNode *node = NULL;

	if (iso_image_path_to_node(rd->image, path, &node) != 1)
		return NULL;
	return node;
}

static CavVerifyNodeKind
rd_stat(gpointer fs, const char *path, guint64 *size)
{
	CavBurnReader *rd = fs;
	CavVerifyNodeKind kind = CAV_VERIFY_NODE_NONE;
	IsoNode *node;

	g_mutex_lock(&lib_lock);
	node = node_at(rd, path);
	if (node != NULL) {
		switch (iso_node_get_type(node)) {
		case LIBISO_DIR:
			kind = CAV_VERIFY_NODE_DIR;
			break;
		case LIBISO_FILE:
			kind = CAV_VERIFY_NODE_FILE;
			if (size != NULL)
				*size = (guint64)iso_file_get_size((IsoFile *)node);
			break;
		default:
			kind = CAV_VERIFY_NODE_OTHER;
			break;
		}
	}
	g_mutex_unlock(&lib_lock);
	return kind;
}

static GStrv
rd_list(gpointer fs, const char *path, GError **error)
{
	CavBurnReader *rd = fs;
	g_autoptr(GStrvBuilder) b = g_strv_builder_new();
	IsoDirIter *iter = NULL;
	IsoNode *node, *child;

	g_mutex_lock(&lib_lock);
	node = node_at(rd, path);
	if (node == NULL || iso_node_get_type(node) != LIBISO_DIR ||
	    iso_dir_get_children((IsoDir *)node, &iter) < 0) {
		g_mutex_unlock(&lib_lock);
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR,
			    "%s is not a folder on the disc", path);
		return NULL;
	}
	while (iso_dir_iter_next(iter, &child) == 1)
		g_strv_builder_add(b, iso_node_get_name(child));
	iso_dir_iter_free(iter);
	g_mutex_unlock(&lib_lock);
	return g_strv_builder_end(b);
}

/* Streams file @path through @sink, chunk by chunk. */
static gboolean
rd_stream(CavBurnReader *rd, const char *path, guint64 max,
	  gboolean (*sink)(const guint8 *buf, gsize len, gpointer data), gpointer data,
	  guint64 *out_bytes, GCancellable *cancellable, GError **error)
{
	g_autofree guint8 *buf = g_malloc(READ_CHUNK);
	IsoStream *stream = NULL;
	IsoNode *node;
	guint64 total = 0;
	gboolean ok = FALSE;
	int r;

	g_mutex_lock(&lib_lock);
	node = node_at(rd, path);
	if (node == NULL || iso_node_get_type(node) != LIBISO_FILE) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s is not a file on the disc",
			    path);
		goto out;
	}
	if ((guint64)iso_file_get_size((IsoFile *)node) > max) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
			    "%s is larger than %" G_GUINT64_FORMAT " bytes", path, max);
		goto out;
	}
	stream = iso_file_get_stream((IsoFile *)node);
	if ((r = iso_stream_open(stream)) < 0) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot read %s from %s: %s",
			    path, rd->address, iso_error_to_msg(r));
		goto out;
	}
	for (;;) {
		if (g_cancellable_set_error_if_cancelled(cancellable, error))
			break;
		r = iso_stream_read(stream, buf, READ_CHUNK);
		if (r < 0) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
				    "Read error in %s on %s: %s", path, rd->address,
				    iso_error_to_msg(r));
			break;
		}
		if (r == 0) {
			ok = TRUE;
			break;
		}
		total += (guint64)r;
		if (!sink(buf, (gsize)r, data)) {
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
				    "%s is larger than %" G_GUINT64_FORMAT " bytes", path, max);
			break;
		}
	}
	iso_stream_close(stream);
out:
	g_free(lib_last_message());
	g_mutex_unlock(&lib_lock);
	if (ok && out_bytes != NULL)
		*out_bytes = total;
	return ok;
}

typedef struct {
	GByteArray *bytes;
	gsize max;
} ReadSink;

static gboolean
read_sink(const guint8 *buf, gsize len, gpointer data)
{
	ReadSink *s = data;

	if (s->bytes->len + len > s->max)
		return FALSE;
	g_byte_array_append(s->bytes, buf, (guint)len);
	return TRUE;
}

static gboolean
rd_read(gpointer fs, const char *path, gsize max, char **data, gsize *len, GError **error)
{
	ReadSink s = {g_byte_array_new(), max};
	guint8 nul = 0;

	if (!rd_stream(fs, path, max, read_sink, &s, NULL, NULL, error)) {
		g_byte_array_unref(s.bytes);
		return FALSE;
	}
	*len = s.bytes->len;
	g_byte_array_append(s.bytes, &nul, 1);
	*data = (char *)g_byte_array_free(s.bytes, FALSE);
	return TRUE;
}

static gboolean
hash_sink(const guint8 *buf, gsize len, gpointer data)
{
	return EVP_DigestUpdate(data, buf, len) == 1;
}

static gboolean
rd_hash(gpointer fs, const char *path, guint8 digest[CAV_SHA256_LEN], guint64 *bytes,
	GCancellable *cancellable, GError **error)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	guint64 n = 0;
	gboolean ok;

	ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	     rd_stream(fs, path, G_MAXUINT64, hash_sink, ctx, &n, cancellable, error) &&
	     EVP_DigestFinal_ex(ctx, digest, NULL) == 1;
	EVP_MD_CTX_free(ctx);
	if (ok)
		*bytes = n;
	else if (error != NULL && *error == NULL)
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot hash %s", path);
	return ok;
}

static const CavVerifyFsOps reader_ops = {
	.stat = rd_stat,
	.list = rd_list,
	.read = rd_read,
	.hash = rd_hash,
};

const CavBurnerBackend cav_burner_libburn = {
	.version = CAV_BURNER_BACKEND_VERSION,
	.name = "libburn",
	.list_drives = lb_list_drives,
	.probe = lb_probe,
	.write = lb_write,
	.reader_open = lb_reader_open,
	.reader_close = lb_reader_close,
	.reader_fs_ops = &reader_ops,
};
