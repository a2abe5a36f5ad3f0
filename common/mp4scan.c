/* mp4scan.c — top-level box walk of the MP4 files mp4mux writes, to tell a
 * complete file from a torn one and to measure the media a file holds.
 *
 * Layouts understood: fragmented "ftyp moov (moof mdat)* [mfra]" (the
 * recorder's output; the moov carries mvex/trex and mvhd duration 0 until
 * mp4mux finalises it) and plain "ftyp [free] mdat moov". A file is cut back
 * to the end of the last box that keeps it playable: a moof counts only
 * once its mdat is complete, and a box whose size runs past the end of the
 * file, a size-0 ("to end of file") box, or a truncated header is torn.
 *
 * The bytes are untrusted: every size is checked against its container
 * before use, only known containers are entered (fixed depth, no
 * recursion), and counts are capped. Only box headers and the small moov and
 * moof boxes are read; media data never is. No shared state; any thread.
 */
#include "mp4scan.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#define FOURCC(a, b, c, d)                                                                         \
	((guint32)(a) << 24 | (guint32)(b) << 16 | (guint32)(c) << 8 | (guint32)(d))

#define MAX_TRACKS 64
#define MAX_TRUN_SAMPLES 10000000u
#define MAX_LOAD_BYTES ((guint64)64 * 1024 * 1024) /* largest moov/moof read into memory */
#define MAX_TOP_BOXES (16u * 1024 * 1024)
#define COPY_BLOCK (1024 * 1024)

/* The first argument is stringified: the error domain's name. */
/* clang-format off */
G_DEFINE_QUARK(cav-mp4-error-quark, cav_mp4_error)
/* clang-format on */

typedef struct {
	guint32 id;
	guint32 timescale;
	guint32 handler;       /* hdlr handler_type: 'vide', 'soun', ... */
	guint64 mdhd_duration; /* in timescale units; 0 when unknown */
	guint32 trex_duration; /* mvex/trex default_sample_duration */
	guint64 end;           /* media end after the last complete fragment */
	guint64 pending_end;   /* media end after the moof awaiting its mdat */
	gboolean pending_set;
	guint64 start; /* decode time of the first complete fragment */
	gboolean started;
	guint64 samples; /* samples in complete fragments */
	guint64 pending_start;
	guint64 pending_samples;
} Track;

typedef struct {
	Track tracks[MAX_TRACKS];
	guint n_tracks;
	guint32 mvhd_timescale;
	guint64 mvhd_duration;
	gboolean has_mvex;
} Movie;

/* Where the bytes come from: a caller's buffer or a file read with pread. */
typedef struct {
	const guint8 *buf; /* unowned; NULL when reading @fd */
	int fd;
	guint64 size;
	const char *name; /* for messages (unowned) */
} Source;

static guint32
rd32(const guint8 *p)
{
	return (guint32)p[0] << 24 | (guint32)p[1] << 16 | (guint32)p[2] << 8 | p[3];
}

static guint64
rd64(const guint8 *p)
{
	return (guint64)rd32(p) << 32 | rd32(p + 4);
}

static guint64
sat_add(guint64 a, guint64 b)
{
	return a > G_MAXUINT64 - b ? G_MAXUINT64 : a + b;
}

static gboolean
src_read(const Source *src, guint64 off, void *dst, gsize n, GError **error)
{
	guint8 *d = dst;

	if (src->buf != NULL) {
		memcpy(d, src->buf + off, n);
		return TRUE;
	}
	while (n > 0) {
		ssize_t r = pread(src->fd, d, n, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			g_set_error(error, CAV_MP4_ERROR, CAV_MP4_ERROR_IO, "Could not read %s: %s",
				    src->name, r < 0 ? g_strerror(errno) : "the file shrank");
			return FALSE;
		}
		d += r;
		off += (guint64)r;
		n -= (gsize)r;
	}
	return TRUE;
}

/* ---- boxes inside a loaded container ------------------------------------ */

typedef struct {
	const guint8 *p;
	gsize len;
	gsize off;
} BoxIter;

/* The next child box; FALSE at the end or at the first malformed header, so
 * a corrupt container simply yields fewer children. */
static gboolean
box_next(BoxIter *it, guint32 *type, const guint8 **body, gsize *body_len)
{
	const guint8 *h = it->p + it->off;
	gsize left = it->len - it->off;
	guint64 size;
	gsize hdr = 8;

	if (left < 8)
		return FALSE;
	size = rd32(h);
	if (size == 1) {
		if (left < 16)
			return FALSE;
		size = rd64(h + 8);
		hdr = 16;
	} else if (size == 0) {
		size = left;
	}
	if (size < hdr || size > left)
		return FALSE;
	*type = rd32(h + 4);
	*body = h + hdr;
	*body_len = (gsize)size - hdr;
	it->off += (gsize)size;
	return TRUE;
}

static Track *
find_track(Movie *mv, guint32 id)
{
	for (guint i = 0; i < mv->n_tracks; i++) {
		if (mv->tracks[i].id == id)
			return &mv->tracks[i];
	}
	return NULL;
}

/* mvhd and mdhd share the layout of their first fields: after version and
 * flags, creation and modification times (32 or 64 bits), timescale, then
 * duration (32 or 64 bits). */
static gboolean
parse_time_header(const guint8 *p, gsize len, guint32 *timescale, guint64 *duration)
{
	if (len >= 32 && p[0] == 1) {
		*timescale = rd32(p + 20);
		*duration = rd64(p + 24);
	} else if (len >= 20 && p[0] == 0) {
		*timescale = rd32(p + 12);
		*duration = rd32(p + 16);
		if (*duration == G_MAXUINT32) /* "unknown" */
			*duration = 0;
	} else {
		return FALSE;
	}
	if (*duration == G_MAXUINT64)
		*duration = 0;
	return TRUE;
}

static void
parse_trak(Movie *mv, const guint8 *p, gsize len)
{
	BoxIter it = {p, len, 0}, mit;
	Track t = {0};
	const guint8 *b, *mb;
	gsize bl, mbl;
	guint32 type, mtype;

	while (box_next(&it, &type, &b, &bl)) {
		if (type == FOURCC('t', 'k', 'h', 'd')) {
			if (bl >= 24 && b[0] == 1)
				t.id = rd32(b + 20);
			else if (bl >= 16 && b[0] == 0)
				t.id = rd32(b + 12);
		} else if (type == FOURCC('m', 'd', 'i', 'a')) {
			mit = (BoxIter){b, bl, 0};
			while (box_next(&mit, &mtype, &mb, &mbl)) {
				if (mtype == FOURCC('m', 'd', 'h', 'd'))
					parse_time_header(mb, mbl, &t.timescale, &t.mdhd_duration);
				else if (mtype == FOURCC('h', 'd', 'l', 'r') && mbl >= 12)
					t.handler = rd32(mb + 8);
			}
		}
	}
	if (t.id != 0 && mv->n_tracks < MAX_TRACKS && find_track(mv, t.id) == NULL)
		mv->tracks[mv->n_tracks++] = t;
}

static void
parse_moov(Movie *mv, const guint8 *p, gsize len)
{
	BoxIter it = {p, len, 0};
	const guint8 *b;
	gsize bl;
	guint32 type;

	while (box_next(&it, &type, &b, &bl)) {
		if (type == FOURCC('m', 'v', 'h', 'd'))
			parse_time_header(b, bl, &mv->mvhd_timescale, &mv->mvhd_duration);
		else if (type == FOURCC('t', 'r', 'a', 'k'))
			parse_trak(mv, b, bl);
		else if (type == FOURCC('m', 'v', 'e', 'x'))
			mv->has_mvex = TRUE;
	}
	/* A second pass for trex, since mvex may come before the traks. */
	it = (BoxIter){p, len, 0};
	while (box_next(&it, &type, &b, &bl)) {
		BoxIter xit = {b, bl, 0};
		const guint8 *xb;
		gsize xbl;
		guint32 xtype;

		if (type != FOURCC('m', 'v', 'e', 'x'))
			continue;
		while (box_next(&xit, &xtype, &xb, &xbl)) {
			Track *t;

			/* trex: version/flags, track_ID, description index,
			 * default duration, size, flags. */
			if (xtype != FOURCC('t', 'r', 'e', 'x') || xbl < 24)
				continue;
			t = find_track(mv, rd32(xb + 4));
			if (t != NULL)
				t->trex_duration = rd32(xb + 12);
		}
	}
}

/* Sum of the sample durations in one trun. FALSE when the box is malformed
 * (then the fragment's timing is ignored, not its bytes). */
static gboolean
trun_duration(const guint8 *p, gsize len, guint32 default_duration, guint64 *out,
	      guint32 *out_count)
{
	guint32 flags, count;
	gsize off = 8, entry = 0;
	guint64 sum = 0;

	if (len < 8)
		return FALSE;
	flags = rd32(p) & 0xffffff;
	count = rd32(p + 4);
	if (flags & 0x001) /* data-offset-present */
		off += 4;
	if (flags & 0x004) /* first-sample-flags-present */
		off += 4;
	/* Per-sample fields, in order: duration 0x100, size 0x200, flags
	 * 0x400, composition offset 0x800 (signed in version 1; only skipped
	 * here since the media end is decode time plus durations). */
	for (guint32 bit = 0x100; bit <= 0x800; bit <<= 1) {
		if (flags & bit)
			entry += 4;
	}
	if (off > len || count > MAX_TRUN_SAMPLES)
		return FALSE;
	if (entry > 0 && count > (len - off) / entry)
		return FALSE;
	*out_count = count;
	if (!(flags & 0x100)) {
		*out = (guint64)count * default_duration;
		return TRUE;
	}
	for (guint32 i = 0; i < count; i++, off += entry)
		sum += rd32(p + off);
	*out = sum;
	return TRUE;
}

static void
parse_traf(Movie *mv, const guint8 *p, gsize len)
{
	BoxIter it = {p, len, 0};
	const guint8 *b;
	gsize bl;
	guint32 type, id = 0, default_duration = 0;
	gboolean have_tfhd = FALSE, have_tfdt = FALSE, have_default = FALSE;
	guint64 base = 0, total = 0, samples;
	Track *t;

	/* tfhd and tfdt first, so truns know the defaults whatever the order. */
	while (box_next(&it, &type, &b, &bl)) {
		if (type == FOURCC('t', 'f', 'h', 'd') && bl >= 8 && !have_tfhd) {
			guint32 flags = rd32(b) & 0xffffff;
			gsize off = 8;

			id = rd32(b + 4);
			have_tfhd = TRUE;
			if (flags & 0x01) /* base-data-offset */
				off += 8;
			if (flags & 0x02) /* sample-description-index */
				off += 4;
			if ((flags & 0x08) && bl >= off + 4) {
				default_duration = rd32(b + off);
				have_default = TRUE;
			}
		} else if (type == FOURCC('t', 'f', 'd', 't') && !have_tfdt) {
			if (bl >= 12 && b[0] == 1) {
				base = rd64(b + 4);
				have_tfdt = TRUE;
			} else if (bl >= 8 && b[0] == 0) {
				base = rd32(b + 4);
				have_tfdt = TRUE;
			}
		}
	}
	t = have_tfhd ? find_track(mv, id) : NULL;
	if (t == NULL)
		return;
	if (!have_default)
		default_duration = t->trex_duration;
	/* Without tfdt the fragment continues where the track left off. */
	if (!have_tfdt)
		base = t->pending_set ? t->pending_end : t->end;

	samples = t->pending_set ? t->pending_samples : t->samples;
	if (!t->pending_set)
		t->pending_start = base;
	it = (BoxIter){p, len, 0};
	while (box_next(&it, &type, &b, &bl)) {
		guint64 d;
		guint32 n = 0;

		if (type != FOURCC('t', 'r', 'u', 'n'))
			continue;
		if (!trun_duration(b, bl, default_duration, &d, &n))
			return;
		total = sat_add(total, d);
		samples = sat_add(samples, n);
	}
	t->pending_end = sat_add(base, total);
	t->pending_samples = samples;
	t->pending_set = TRUE;
}

static void
parse_moof(Movie *mv, const guint8 *p, gsize len)
{
	BoxIter it = {p, len, 0};
	const guint8 *b;
	gsize bl;
	guint32 type;

	for (guint i = 0; i < mv->n_tracks; i++)
		mv->tracks[i].pending_set = FALSE;
	while (box_next(&it, &type, &b, &bl)) {
		if (type == FOURCC('t', 'r', 'a', 'f'))
			parse_traf(mv, b, bl);
	}
}

static void
commit_fragment(Movie *mv)
{
	for (guint i = 0; i < mv->n_tracks; i++) {
		Track *t = &mv->tracks[i];

		if (t->pending_set) {
			t->end = t->pending_end;
			t->samples = t->pending_samples;
			if (!t->started)
				t->start = t->pending_start;
			t->started = TRUE;
		}
		mv->tracks[i].pending_set = FALSE;
	}
}

/* Loads a moov or moof body and hands it to @parse. Oversized boxes are
 * skipped: their bytes still count, only their timing is unknown. */
static gboolean
load_and_parse(const Source *src, guint64 off, guint64 len, Movie *mv,
	       void (*parse)(Movie *, const guint8 *, gsize), GError **error)
{
	g_autofree guint8 *body = NULL;

	if (len > MAX_LOAD_BYTES)
		return TRUE;
	if (src->buf != NULL) {
		parse(mv, src->buf + off, (gsize)len);
		return TRUE;
	}
	body = g_malloc(len ? (gsize)len : 1);
	if (!src_read(src, off, body, (gsize)len, error))
		return FALSE;
	parse(mv, body, (gsize)len);
	return TRUE;
}

static double
seconds(guint64 units, guint32 timescale)
{
	return timescale ? (double)units / timescale : 0.0;
}

static void
fill_durations(const Movie *mv, CavMp4Info *info)
{
	for (guint i = 0; i < mv->n_tracks; i++) {
		const Track *t = &mv->tracks[i];
		double d = seconds(mv->has_mvex ? t->end : t->mdhd_duration, t->timescale);

		info->duration_s = MAX(info->duration_s, d);
		if (t->handler == FOURCC('v', 'i', 'd', 'e') && info->video_duration_s == 0.0) {
			info->video_duration_s = d;
			info->video_start_s = seconds(t->start, t->timescale);
			info->video_samples = t->samples;
		}
		if (t->handler == FOURCC('s', 'o', 'u', 'n') && info->audio_duration_s == 0.0) {
			info->audio_duration_s = d;
			info->audio_start_s = seconds(t->start, t->timescale);
			info->audio_samples = t->samples;
			info->audio_timescale = t->timescale;
		}
	}
	if (!mv->has_mvex)
		info->duration_s =
			MAX(info->duration_s, seconds(mv->mvhd_duration, mv->mvhd_timescale));
}

/* Reads the header at @off; FALSE (no error) when it is truncated, runs past
 * the end of the file, is malformed, or is a size-0 "to end of file" box,
 * which mp4mux writes only for an mdat still being written. */
static gboolean
read_top_header(const Source *src, guint64 off, guint32 *type, guint64 *size, guint *hdr,
		gboolean *io_failed, GError **error)
{
	guint8 h[16];
	guint64 left = src->size - off;

	*io_failed = FALSE;
	if (left < 8)
		return FALSE;
	if (!src_read(src, off, h, 8, error))
		return !(*io_failed = TRUE);
	*size = rd32(h);
	*type = rd32(h + 4);
	*hdr = 8;
	if (*size == 1) {
		if (left < 16)
			return FALSE;
		if (!src_read(src, off + 8, h + 8, 8, error))
			return !(*io_failed = TRUE);
		*size = rd64(h + 8);
		*hdr = 16;
	}
	return *size != 0 && *size >= *hdr && *size <= left;
}

static gboolean
not_mp4(const Source *src, const char *why, GError **error)
{
	g_set_error(error, CAV_MP4_ERROR, CAV_MP4_ERROR_NOT_MP4, "%s is not a playable MP4: %s",
		    src->name, why);
	return FALSE;
}

static gboolean
scan_source(const Source *src, CavMp4Info *out, GError **error)
{
	g_autofree Movie *mv = g_new0(Movie, 1);
	CavMp4Info info = {0};
	gboolean pending = FALSE, saw_mfra = FALSE;
	guint64 off = 0, valid = 0;
	guint n_boxes = 0;

	while (off < src->size) {
		guint32 type = 0;
		guint64 size = 0;
		guint hdr = 0;
		gboolean io_failed;

		if (!read_top_header(src, off, &type, &size, &hdr, &io_failed, error)) {
			if (io_failed)
				return FALSE;
			break;
		}
		if (n_boxes++ == 0 && type != FOURCC('f', 't', 'y', 'p'))
			return not_mp4(src, "it does not start with an ftyp box", error);
		if (n_boxes > MAX_TOP_BOXES)
			return not_mp4(src, "it has implausibly many boxes", error);

		if (type == FOURCC('m', 'o', 'o', 'v') && !info.has_moov) {
			if (!load_and_parse(src, off + hdr, size - hdr, mv, parse_moov, error))
				return FALSE;
			info.has_moov = TRUE;
		} else if (type == FOURCC('m', 'o', 'o', 'f') && info.has_moov) {
			/* A moof is playable only with its mdat; until then the
			 * valid end stays before it. (Before the moov it cannot be
			 * decoded at all and is passed over like any other box,
			 * so the valid prefix always holds the moov.) */
			if (!load_and_parse(src, off + hdr, size - hdr, mv, parse_moof, error))
				return FALSE;
			pending = TRUE;
		} else if (type == FOURCC('m', 'd', 'a', 't') && pending) {
			commit_fragment(mv);
			info.n_fragments++;
			pending = FALSE;
		} else if (type == FOURCC('m', 'f', 'r', 'a')) {
			saw_mfra = TRUE;
		}
		off += size;
		if (!pending)
			valid = off;
	}
	if (n_boxes == 0)
		return not_mp4(src, "it does not start with a complete ftyp box", error);
	if (!info.has_moov)
		return not_mp4(src, "it has no complete moov box", error);

	info.file_bytes = src->size;
	info.valid_bytes = valid;
	info.torn = valid < src->size;
	info.finalized = saw_mfra || mv->mvhd_duration > 0;
	fill_durations(mv, &info);
	*out = info;
	return TRUE;
}

gboolean
cav_mp4_scan_buf(const guint8 *data, gsize len, CavMp4Info *info, GError **error)
{
	Source src = {.buf = data ? data : (const guint8 *)"",
		      .fd = -1,
		      .size = len,
		      .name = "The buffer"};

	g_return_val_if_fail(data != NULL || len == 0, FALSE);
	g_return_val_if_fail(info != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	return scan_source(&src, info, error);
}

static int
open_regular(const char *path, int flags, struct stat *st, GError **error)
{
	int fd = open(path, flags | O_CLOEXEC | O_NOCTTY);

	if (fd < 0 || fstat(fd, st) < 0) {
		int saved = errno;

		if (fd >= 0)
			close(fd);
		g_set_error(error, CAV_MP4_ERROR, CAV_MP4_ERROR_IO, "Could not open %s: %s", path,
			    g_strerror(saved));
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		g_set_error(error, CAV_MP4_ERROR, CAV_MP4_ERROR_IO, "%s is not a regular file",
			    path);
		return -1;
	}
	return fd;
}

gboolean
cav_mp4_scan_file(const char *path, CavMp4Info *info, GError **error)
{
	struct stat st;
	Source src = {0};
	gboolean ok;
	int fd;

	g_return_val_if_fail(path != NULL, FALSE);
	g_return_val_if_fail(info != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	fd = open_regular(path, O_RDONLY, &st, error);
	if (fd < 0)
		return FALSE;
	src = (Source){.buf = NULL, .fd = fd, .size = (guint64)st.st_size, .name = path};
	ok = scan_source(&src, info, error);
	close(fd);
	return ok;
}

/* ---- repair ------------------------------------------------------------- */

static gboolean
io_error(GError **error, int err, const char *what, const char *path)
{
	g_set_error(error, CAV_MP4_ERROR, CAV_MP4_ERROR_IO, "Could not %s %s: %s", what, path,
		    g_strerror(err));
	return FALSE;
}

static gboolean
pread_all(int fd, guint8 *buf, gsize n, guint64 off)
{
	while (n > 0) {
		ssize_t r = pread(fd, buf, n, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;
			return FALSE;
		}
		buf += r;
		n -= (gsize)r;
		off += (guint64)r;
	}
	return TRUE;
}

static gboolean
write_all(int fd, const guint8 *buf, gsize n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return FALSE;
		buf += w;
		n -= (gsize)w;
	}
	return TRUE;
}

/* TRUE when @torn_path already holds exactly bytes [from, to) of @fd: a
 * previous repair saved the tail and was interrupted before truncating. */
static gboolean
tail_already_saved(int fd, guint64 from, guint64 to, const char *torn_path)
{
	g_autofree guint8 *a = NULL, *b = NULL;
	struct stat st;
	gboolean same = TRUE;
	int tfd = open(torn_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (tfd < 0)
		return FALSE;
	if (fstat(tfd, &st) < 0 || !S_ISREG(st.st_mode) || (guint64)st.st_size != to - from) {
		close(tfd);
		return FALSE;
	}
	a = g_malloc(COPY_BLOCK);
	b = g_malloc(COPY_BLOCK);
	for (guint64 off = from; same && off < to;) {
		gsize n = (gsize)MIN((guint64)COPY_BLOCK, to - off);

		same = pread_all(fd, a, n, off) && pread_all(tfd, b, n, off - from) &&
		       memcmp(a, b, n) == 0;
		off += n;
	}
	close(tfd);
	return same;
}

static gboolean
copy_range(int from_fd, guint64 from, guint64 to, int to_fd)
{
	g_autofree guint8 *buf = g_malloc(COPY_BLOCK);

	for (guint64 off = from; off < to;) {
		gsize n = (gsize)MIN((guint64)COPY_BLOCK, to - off);

		if (!pread_all(from_fd, buf, n, off) || !write_all(to_fd, buf, n))
			return FALSE;
		off += n;
	}
	return TRUE;
}

/* Copies bytes [from, to) of @fd to @torn_path durably: through a temporary
 * file, fsync, then link(), which unlike rename() never replaces an
 * existing file — an older .torn is evidence too. */
static gboolean
save_tail(int fd, guint64 from, guint64 to, const char *path, const char *torn_path, mode_t mode,
	  GError **error)
{
	g_autofree char *dir = g_path_get_dirname(path);
	g_autofree char *base = g_path_get_basename(torn_path);
	g_autofree char *tmp = g_strdup_printf("%s/.%s.tmp-XXXXXX", dir, base);
	int tfd, saved;

	if (tail_already_saved(fd, from, to, torn_path))
		return TRUE;
	if (g_file_test(torn_path, G_FILE_TEST_EXISTS) ||
	    g_file_test(torn_path, G_FILE_TEST_IS_SYMLINK)) {
		g_set_error(error, CAV_MP4_ERROR, CAV_MP4_ERROR_IO,
			    "%s already exists with other content; move it aside and repair again",
			    torn_path);
		return FALSE;
	}
	tfd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, (int)(mode & 0666));
	if (tfd < 0)
		return io_error(error, errno, "create a temporary file beside", path);
	if (!copy_range(fd, from, to, tfd) || fsync(tfd) < 0) {
		saved = errno;
		close(tfd);
		g_unlink(tmp);
		return io_error(error, saved, "save the torn tail of", path);
	}
	close(tfd);
	if (link(tmp, torn_path) < 0) {
		saved = errno;
		g_unlink(tmp);
		return io_error(error, saved, "create", torn_path);
	}
	g_unlink(tmp);
	return cav_fs_sync_dir(dir, error);
}

gboolean
cav_mp4_repair(const char *path, CavMp4Info *info, GError **error)
{
	g_autofree char *torn_path = NULL;
	CavMp4Info scan;
	struct stat st;
	int fd;

	g_return_val_if_fail(path != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	if (!cav_mp4_scan_file(path, &scan, error))
		return FALSE;
	if (!scan.torn) {
		if (info != NULL)
			*info = scan;
		return TRUE;
	}
	fd = open_regular(path, O_RDWR, &st, error);
	if (fd < 0)
		return FALSE;
	if ((guint64)st.st_size != scan.file_bytes) {
		close(fd);
		g_set_error(error, CAV_MP4_ERROR, CAV_MP4_ERROR_IO,
			    "%s changed size while being repaired; is it still being written?",
			    path);
		return FALSE;
	}
	torn_path = g_strconcat(path, ".torn", NULL);
	if (!save_tail(fd, scan.valid_bytes, scan.file_bytes, path, torn_path, st.st_mode, error)) {
		close(fd);
		return FALSE;
	}
	if (ftruncate(fd, (off_t)scan.valid_bytes) < 0 || fsync(fd) < 0) {
		int saved = errno;

		close(fd);
		return io_error(error, saved, "truncate", path);
	}
	close(fd);
	if (info != NULL)
		return cav_mp4_scan_file(path, info, error);
	return TRUE;
}
