/* test-mp4scan.c — the box scanner on real fragmented MP4 files made by
 * GStreamer's mp4mux at test time, cut at several points as a crash would
 * leave them, and on small synthetic files that exercise every trun/tfhd
 * flag the scanner honours. Repaired files are checked with ffprobe.
 */
#include "common/mp4scan.h"
#include "test-util.h"

#include <math.h>
#include <string.h>

/* ---- real files ------------------------------------------------------------ */

/* Runs gst-launch-1.0 with @pipeline (a format string taking the output
 * path); FALSE (test skipped) when GStreamer or a plugin is missing. */
static gboolean
make_mp4(const char *path, const char *pipeline)
{
	g_autofree char *gst = g_find_program_in_path("gst-launch-1.0");
	g_autofree char *desc = NULL;
	g_autofree char *cmd = NULL;
	g_autofree char *err = NULL;
	g_auto(GStrv) argv = NULL;
	g_autoptr(GError) error = NULL;
	int status = 0;

	if (gst == NULL) {
		g_test_skip("gst-launch-1.0 is not installed");
		return FALSE;
	}
	desc = g_strdup_printf(pipeline, path);
	cmd = g_strdup_printf("%s -q -e %s", gst, desc);
	g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, &error));
	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
			  &status, &error) ||
	    !g_spawn_check_wait_status(status, NULL)) {
		g_autofree char *msg =
			g_strdup_printf("gst-launch-1.0 failed: %s", error ? error->message : err);

		g_test_skip(msg);
		return FALSE;
	}
	return TRUE;
}

#define VIDEO_PIPELINE                                                                             \
	"videotestsrc num-buffers=30 ! video/x-raw,width=64,height=48,framerate=25/1 ! "           \
	"x264enc key-int-max=25 ! h264parse ! mp4mux fragment-duration=200 ! "                     \
	"filesink location=%s"

#define AV_PIPELINE                                                                                \
	"mp4mux name=mux fragment-duration=200 ! filesink location=%s "                            \
	"videotestsrc num-buffers=30 ! video/x-raw,width=64,height=48,framerate=25/1 ! "           \
	"x264enc key-int-max=25 ! h264parse ! mux. "                                               \
	"audiotestsrc num-buffers=60 samplesperbuffer=960 ! audio/x-raw,rate=48000,channels=1 ! "  \
	"avenc_aac ! aacparse ! mux."

static gboolean
ffprobe_ok(const char *path)
{
	g_autofree char *ffprobe = g_find_program_in_path("ffprobe");
	const char *argv[] = {ffprobe, "-v", "error", "-i", path, NULL};
	g_autofree char *err = NULL;
	int status = -1;

	if (ffprobe == NULL)
		return TRUE; /* not installed: nothing more to check */
	g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
				   NULL, NULL, &err, &status, NULL));
	if (err != NULL && err[0] != '\0')
		g_test_message("ffprobe %s: %s", path, err);
	return g_spawn_check_wait_status(status, NULL) && (err == NULL || err[0] == '\0');
}

static void
test_real_complete(void)
{
	g_autofree char *dir = cav_test_tmpdir();
	g_autofree char *path = g_build_filename(dir, "v.mp4", NULL);
	g_autofree char *torn_path = g_strconcat(path, ".torn", NULL);
	g_autofree char *data = NULL;
	g_autoptr(GError) error = NULL;
	CavMp4Info info, binfo;
	gsize len = 0;

	if (!make_mp4(path, VIDEO_PIPELINE))
		goto out;
	g_assert_true(cav_mp4_scan_file(path, &info, &error));
	g_assert_no_error(error);
	g_assert_true(info.has_moov);
	g_assert_false(info.torn);
	g_assert_true(info.finalized);
	g_assert_cmpuint(info.valid_bytes, ==, info.file_bytes);
	g_assert_cmpuint(info.n_fragments, >, 0);
	/* 30 frames at 25 fps. */
	g_assert_cmpfloat_with_epsilon(info.duration_s, 1.2, 0.01);
	g_assert_cmpfloat_with_epsilon(info.video_duration_s, 1.2, 0.01);
	g_assert_cmpfloat(info.audio_duration_s, ==, 0.0);

	/* The buffer scanner agrees with the file scanner. */
	g_assert_true(g_file_get_contents(path, &data, &len, NULL));
	g_assert_true(cav_mp4_scan_buf((const guint8 *)data, len, &binfo, &error));
	/* Field by field: the struct has padding, which memcmp would compare too. */
	g_assert_cmpuint(binfo.file_bytes, ==, info.file_bytes);
	g_assert_cmpuint(binfo.valid_bytes, ==, info.valid_bytes);
	g_assert_cmpuint(binfo.n_fragments, ==, info.n_fragments);
	g_assert_cmpint(binfo.has_moov, ==, info.has_moov);
	g_assert_cmpint(binfo.finalized, ==, info.finalized);
	g_assert_cmpint(binfo.torn, ==, info.torn);
	g_assert_cmpfloat(binfo.duration_s, ==, info.duration_s);
	g_assert_cmpfloat(binfo.video_duration_s, ==, info.video_duration_s);
	g_assert_cmpfloat(binfo.audio_duration_s, ==, info.audio_duration_s);
	/* Repairing an intact file changes nothing. */
	g_assert_true(cav_mp4_repair(path, &binfo, &error));
	g_assert_cmpuint(binfo.file_bytes, ==, len);
	g_assert_false(g_file_test(torn_path, G_FILE_TEST_EXISTS));
out:
	cav_test_rmtree(dir);
}

static void
test_real_audio_video(void)
{
	g_autofree char *dir = cav_test_tmpdir();
	g_autofree char *path = g_build_filename(dir, "av.mp4", NULL);
	g_autoptr(GError) error = NULL;
	CavMp4Info info;

	if (!make_mp4(path, AV_PIPELINE))
		goto out;
	g_assert_true(cav_mp4_scan_file(path, &info, &error));
	g_assert_no_error(error);
	g_assert_false(info.torn);
	g_assert_cmpfloat_with_epsilon(info.video_duration_s, 1.2, 0.01);
	/* 60 x 960 samples at 48 kHz, give or take an AAC frame of priming. */
	g_assert_cmpfloat_with_epsilon(info.audio_duration_s, 1.2, 0.05);
	g_assert_cmpfloat(info.duration_s, >=, info.video_duration_s);
	g_assert_cmpfloat(info.duration_s, >=, info.audio_duration_s);
out:
	cav_test_rmtree(dir);
}

static guint32
rd32(const guint8 *p)
{
	return (guint32)p[0] << 24 | (guint32)p[1] << 16 | (guint32)p[2] << 8 | p[3];
}

/* Offset just past the @nth top-level box of type @type, or 0. */
static gsize
end_of_box(const guint8 *d, gsize len, const char *type, guint nth)
{
	for (gsize off = 0; off + 8 <= len;) {
		gsize size = rd32(d + off);

		if (size < 8)
			return 0;
		if (memcmp(d + off + 4, type, 4) == 0 && nth-- == 0)
			return off + size;
		off += size;
	}
	return 0;
}

static void
check_cut(const char *dir, const guint8 *orig, gsize orig_len, const CavMp4Info *full, gsize cut)
{
	g_autofree char *path = g_strdup_printf("%s/cut-%" G_GSIZE_FORMAT ".mp4", dir, cut);
	g_autofree char *torn_path = g_strconcat(path, ".torn", NULL);
	g_autofree char *repaired = NULL, *tail = NULL;
	g_autoptr(GError) error = NULL;
	gsize rlen = 0, tlen = 0;
	CavMp4Info info, after, again;

	g_test_message("cut at %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT, cut, orig_len);
	cav_test_write(path, orig, cut);
	g_assert_true(cav_mp4_scan_file(path, &info, &error));
	g_assert_no_error(error);
	g_assert_true(info.torn);
	g_assert_cmpuint(info.file_bytes, ==, cut);
	g_assert_cmpuint(info.valid_bytes, <, cut);
	g_assert_cmpuint(info.n_fragments, <=, full->n_fragments);
	g_assert_cmpfloat(info.duration_s, <=, full->duration_s);

	g_assert_true(cav_mp4_repair(path, &after, &error));
	g_assert_no_error(error);
	g_assert_false(after.torn);
	g_assert_cmpuint(after.file_bytes, ==, info.valid_bytes);
	g_assert_cmpuint(after.n_fragments, ==, info.n_fragments);
	g_assert_cmpfloat(after.duration_s, ==, info.duration_s);
	/* Not a byte lost: file + .torn == the cut original. */
	g_assert_true(g_file_get_contents(path, &repaired, &rlen, NULL));
	g_assert_true(g_file_get_contents(torn_path, &tail, &tlen, NULL));
	g_assert_cmpmem(repaired, rlen, orig, info.valid_bytes);
	g_assert_cmpmem(tail, tlen, orig + info.valid_bytes, cut - info.valid_bytes);
	g_assert_true(ffprobe_ok(path));
	/* A second repair is a no-op. */
	g_assert_true(cav_mp4_repair(path, &again, &error));
	g_assert_cmpmem(&again, sizeof(again), &after, sizeof(after));
}

static void
test_real_torn_and_repair(void)
{
	g_autofree char *dir = cav_test_tmpdir();
	g_autofree char *path = g_build_filename(dir, "v.mp4", NULL);
	g_autofree guint8 *d = NULL;
	g_autoptr(GError) error = NULL;
	CavMp4Info full;
	gsize len = 0, moov_end, moof2_end, mdat2_end;

	if (!make_mp4(path, VIDEO_PIPELINE))
		goto out;
	g_assert_true(g_file_get_contents(path, (char **)&d, &len, NULL));
	g_assert_true(cav_mp4_scan_buf(d, len, &full, &error));
	moov_end = end_of_box(d, len, "moov", 0);
	moof2_end = end_of_box(d, len, "moof", 1);
	mdat2_end = end_of_box(d, len, "mdat", 1);
	g_assert_cmpuint(moov_end, >, 0);
	g_assert_cmpuint(moof2_end, >, moov_end);

	check_cut(dir, d, len, &full, moov_end + 3);    /* inside the first moof header */
	check_cut(dir, d, len, &full, moof2_end);       /* a complete moof, no mdat */
	check_cut(dir, d, len, &full, moof2_end + 100); /* inside an mdat */
	check_cut(dir, d, len, &full, mdat2_end + 4);   /* a torn box header */
	check_cut(dir, d, len, &full, len * 3 / 4);
	check_cut(dir, d, len, &full, len - 10); /* inside mfra: all fragments kept */
	{
		CavMp4Info info;

		g_assert_true(cav_mp4_scan_buf(d, len - 10, &info, NULL));
		g_assert_cmpuint(info.n_fragments, ==, full.n_fragments);
		g_assert_cmpfloat(info.duration_s, ==, full.duration_s);
		g_assert_true(cav_mp4_scan_buf(d, moof2_end, &info, NULL));
		g_assert_cmpuint(info.n_fragments, ==, 1);
		g_assert_cmpuint(info.valid_bytes, ==, end_of_box(d, len, "mdat", 0));
		g_assert_cmpfloat_with_epsilon(info.duration_s, 0.2, 0.001);
	}
out:
	cav_test_rmtree(dir);
}

/* A crash during an earlier repair leaves a .torn already in place. */
static void
test_repair_existing_torn(void)
{
	g_autofree char *dir = cav_test_tmpdir();
	g_autofree char *path = g_build_filename(dir, "v.mp4", NULL);
	g_autofree char *torn_path = g_strconcat(path, ".torn", NULL);
	g_autofree guint8 *d = NULL;
	g_autofree char *now = NULL;
	g_autoptr(GError) error = NULL;
	CavMp4Info info;
	gsize len = 0, cut, now_len = 0;

	if (!make_mp4(path, VIDEO_PIPELINE))
		goto out;
	g_assert_true(g_file_get_contents(path, (char **)&d, &len, NULL));
	cut = len / 2;
	cav_test_write(path, d, cut);
	g_assert_true(cav_mp4_scan_file(path, &info, &error));

	/* Different content: refuse, touch nothing. */
	cav_test_write(torn_path, "other evidence", 14);
	g_assert_false(cav_mp4_repair(path, NULL, &error));
	g_assert_error(error, CAV_MP4_ERROR, CAV_MP4_ERROR_IO);
	g_clear_error(&error);
	g_assert_true(g_file_get_contents(path, &now, &now_len, NULL));
	g_assert_cmpuint(now_len, ==, cut);

	/* Same content (saved, then crashed before truncating): finish. */
	cav_test_write(torn_path, d + info.valid_bytes, cut - info.valid_bytes);
	g_assert_true(cav_mp4_repair(path, &info, &error));
	g_assert_no_error(error);
	g_assert_false(info.torn);
out:
	cav_test_rmtree(dir);
}

/* ---- synthetic files ------------------------------------------------------- */

static void
be32(GByteArray *b, guint32 v)
{
	guint8 x[4] = {v >> 24, v >> 16, v >> 8, v};

	g_byte_array_append(b, x, 4);
}

static void
be64(GByteArray *b, guint64 v)
{
	be32(b, (guint32)(v >> 32));
	be32(b, (guint32)v);
}

static void
zeros(GByteArray *b, guint n)
{
	while (n--)
		g_byte_array_append(b, (const guint8 *)"", 1);
}

static guint
box_begin(GByteArray *b, const char *type)
{
	guint at = b->len;

	be32(b, 0);
	g_byte_array_append(b, (const guint8 *)type, 4);
	return at;
}

static void
box_end(GByteArray *b, guint at)
{
	guint32 size = b->len - at;
	guint8 x[4] = {size >> 24, size >> 16, size >> 8, size};

	memcpy(b->data + at, x, 4);
}

static void
full_box_header(GByteArray *b, guint8 version, guint32 flags)
{
	be32(b, (guint32)version << 24 | flags);
}

static void
add_ftyp(GByteArray *b)
{
	guint at = box_begin(b, "ftyp");

	g_byte_array_append(b, (const guint8 *)"isom\0\0\0\0isom", 12);
	box_end(b, at);
}

/* moov with one track (id 1, timescale 90000, @handler) and, when
 * @fragmented, mvex/trex default duration 3000. */
static void
add_moov(GByteArray *b, const char *handler, gboolean fragmented, guint32 mvhd_dur,
	 guint32 mdhd_dur)
{
	guint moov = box_begin(b, "moov"), at, trak, mdia, mvex;

	at = box_begin(b, "mvhd");
	full_box_header(b, 0, 0);
	be32(b, 0), be32(b, 0), be32(b, 1000), be32(b, mvhd_dur);
	zeros(b, 80);
	box_end(b, at);
	trak = box_begin(b, "trak");
	at = box_begin(b, "tkhd");
	full_box_header(b, 0, 3);
	be32(b, 0), be32(b, 0), be32(b, 1), be32(b, 0), be32(b, 0);
	zeros(b, 60);
	box_end(b, at);
	mdia = box_begin(b, "mdia");
	at = box_begin(b, "mdhd");
	full_box_header(b, 0, 0);
	be32(b, 0), be32(b, 0), be32(b, 90000), be32(b, mdhd_dur), be32(b, 0);
	box_end(b, at);
	at = box_begin(b, "hdlr");
	full_box_header(b, 0, 0);
	be32(b, 0);
	g_byte_array_append(b, (const guint8 *)handler, 4);
	zeros(b, 13);
	box_end(b, at);
	box_end(b, mdia);
	box_end(b, trak);
	if (fragmented) {
		mvex = box_begin(b, "mvex");
		at = box_begin(b, "trex");
		full_box_header(b, 0, 0);
		be32(b, 1), be32(b, 1), be32(b, 3000), be32(b, 0), be32(b, 0);
		box_end(b, at);
		box_end(b, mvex);
	}
	box_end(b, moov);
}

static void
add_mdat(GByteArray *b, guint n, gboolean largesize)
{
	if (largesize) {
		be32(b, 1);
		g_byte_array_append(b, (const guint8 *)"mdat", 4);
		be64(b, 16 + n);
	} else {
		be32(b, 8 + n);
		g_byte_array_append(b, (const guint8 *)"mdat", 4);
	}
	zeros(b, n);
}

/* Fragment 1: tfhd default duration 3600, tfdt v1, trun v1 with data
 * offset, first-sample flags, sizes and signed offsets but no durations. */
static void
add_fragment1(GByteArray *b)
{
	guint moof = box_begin(b, "moof"), traf, at;

	at = box_begin(b, "mfhd");
	full_box_header(b, 0, 0);
	be32(b, 1);
	box_end(b, at);
	traf = box_begin(b, "traf");
	at = box_begin(b, "tfhd");
	full_box_header(b, 0, 0x08);
	be32(b, 1), be32(b, 3600);
	box_end(b, at);
	at = box_begin(b, "tfdt");
	full_box_header(b, 1, 0);
	be64(b, 0);
	box_end(b, at);
	at = box_begin(b, "trun");
	full_box_header(b, 1, 0x001 | 0x004 | 0x200 | 0x800);
	be32(b, 10), be32(b, 0), be32(b, 0);
	for (guint i = 0; i < 10; i++)
		be32(b, 100), be32(b, (guint32)-3000);
	box_end(b, at);
	box_end(b, traf);
	/* A traf for a track the moov does not have is ignored. */
	traf = box_begin(b, "traf");
	at = box_begin(b, "tfhd");
	full_box_header(b, 0, 0x08);
	be32(b, 7), be32(b, 99999999);
	box_end(b, at);
	box_end(b, traf);
	box_end(b, moof);
}

/* Fragment 2: tfdt v0, two truns with every per-sample field, the second
 * also with a data offset and first-sample flags to skip. */
static void
add_fragment2(GByteArray *b)
{
	guint moof = box_begin(b, "moof"), traf, at;

	traf = box_begin(b, "traf");
	at = box_begin(b, "tfhd");
	full_box_header(b, 0, 0);
	be32(b, 1);
	box_end(b, at);
	at = box_begin(b, "tfdt");
	full_box_header(b, 0, 0);
	be32(b, 36000);
	box_end(b, at);
	for (guint r = 0; r < 2; r++) {
		at = box_begin(b, "trun");
		full_box_header(b, 0, (r ? 0x001 | 0x004 : 0) | 0x100 | 0x200 | 0x400 | 0x800);
		be32(b, 5);
		if (r)
			be32(b, 0x55), be32(b, 0x02000000);
		for (guint i = 1; i <= 5; i++)
			be32(b, i * 1000), be32(b, 10), be32(b, 0), be32(b, 0);
		box_end(b, at);
	}
	box_end(b, traf);
	box_end(b, moof);
}

/* Fragment 3: tfhd with base offset and description index but no default,
 * no tfdt (continues from fragment 2), trun without durations: trex's
 * default applies. */
static void
add_fragment3(GByteArray *b)
{
	guint moof = box_begin(b, "moof"), traf, at;

	traf = box_begin(b, "traf");
	at = box_begin(b, "tfhd");
	full_box_header(b, 0, 0x01 | 0x02);
	be32(b, 1), be64(b, 0), be32(b, 1);
	box_end(b, at);
	at = box_begin(b, "trun");
	full_box_header(b, 0, 0);
	be32(b, 4);
	box_end(b, at);
	box_end(b, traf);
	box_end(b, moof);
}

static void
test_synthetic_fragments(void)
{
	g_autoptr(GByteArray) b = g_byte_array_new();
	g_autoptr(GError) error = NULL;
	CavMp4Info info;
	guint complete;

	add_ftyp(b);
	add_moov(b, "vide", TRUE, 0, 0);
	add_fragment1(b);
	add_mdat(b, 1000, FALSE);
	add_fragment2(b);
	add_mdat(b, 50, FALSE);
	add_fragment3(b);
	add_mdat(b, 40, TRUE);
	complete = b->len;

	g_assert_true(cav_mp4_scan_buf(b->data, b->len, &info, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(info.n_fragments, ==, 3);
	g_assert_false(info.torn);
	g_assert_false(info.finalized);
	/* 10 x 3600 + 2 x (1+2+3+4+5) x 1000 + 4 x 3000 = 78000 at 90 kHz. */
	g_assert_cmpfloat_with_epsilon(info.duration_s, 78000.0 / 90000.0, 1e-9);
	g_assert_cmpfloat_with_epsilon(info.video_duration_s, 78000.0 / 90000.0, 1e-9);

	/* A fourth moof whose mdat never came: torn, and its time not counted. */
	add_fragment2(b);
	g_assert_true(cav_mp4_scan_buf(b->data, b->len, &info, &error));
	g_assert_true(info.torn);
	g_assert_cmpuint(info.valid_bytes, ==, complete);
	g_assert_cmpuint(info.n_fragments, ==, 3);
	g_assert_cmpfloat_with_epsilon(info.duration_s, 78000.0 / 90000.0, 1e-9);

	/* An mdat being written (size 0, "to end of file") is torn too. */
	be32(b, 0);
	g_byte_array_append(b, (const guint8 *)"mdat", 4);
	zeros(b, 100);
	g_assert_true(cav_mp4_scan_buf(b->data, b->len, &info, &error));
	g_assert_true(info.torn);
	g_assert_cmpuint(info.valid_bytes, ==, complete);
}

/* A moof before the moov cannot be decoded: passed over, never "pending",
 * so the valid prefix always keeps the moov (found by fuzzing). */
static void
test_synthetic_moof_before_moov(void)
{
	g_autoptr(GByteArray) b = g_byte_array_new();
	g_autoptr(GError) error = NULL;
	CavMp4Info info;

	add_ftyp(b);
	add_fragment2(b);
	add_moov(b, "vide", TRUE, 0, 0);
	add_fragment1(b);
	add_mdat(b, 10, FALSE);
	g_assert_true(cav_mp4_scan_buf(b->data, b->len, &info, &error));
	g_assert_no_error(error);
	g_assert_false(info.torn);
	g_assert_cmpuint(info.n_fragments, ==, 1);
	g_assert_cmpfloat_with_epsilon(info.duration_s, 36000.0 / 90000.0, 1e-9);
	/* Without the trailing mdat the cut must still keep the moov. */
	g_assert_true(cav_mp4_scan_buf(b->data, b->len - 18, &info, &error));
	g_assert_true(info.torn);
	g_assert_true(cav_mp4_scan_buf(b->data, info.valid_bytes, &info, &error));
	g_assert_true(info.has_moov);
}

static void
test_synthetic_hostile_trun(void)
{
	g_autoptr(GByteArray) b = g_byte_array_new();
	g_autoptr(GError) error = NULL;
	guint moof, traf, at;
	CavMp4Info info;

	add_ftyp(b);
	add_moov(b, "vide", TRUE, 0, 0);
	moof = box_begin(b, "moof");
	traf = box_begin(b, "traf");
	at = box_begin(b, "tfhd");
	full_box_header(b, 0, 0);
	be32(b, 1);
	box_end(b, at);
	at = box_begin(b, "trun");
	full_box_header(b, 0, 0x100);
	be32(b, 0xffffffff); /* claims 4 billion samples, holds none */
	box_end(b, at);
	box_end(b, traf);
	box_end(b, moof);
	add_mdat(b, 8, FALSE);

	g_assert_true(cav_mp4_scan_buf(b->data, b->len, &info, &error));
	g_assert_false(info.torn);
	g_assert_cmpuint(info.n_fragments, ==, 1);
	g_assert_cmpfloat(info.duration_s, ==, 0.0);
}

static void
test_synthetic_plain(void)
{
	g_autoptr(GByteArray) b = g_byte_array_new();
	g_autoptr(GError) error = NULL;
	CavMp4Info info;
	guint at;

	add_ftyp(b);
	at = box_begin(b, "free");
	box_end(b, at);
	add_mdat(b, 500, FALSE);
	add_moov(b, "soun", FALSE, 5000, 450000);
	g_assert_true(cav_mp4_scan_buf(b->data, b->len, &info, &error));
	g_assert_no_error(error);
	g_assert_true(info.finalized);
	g_assert_false(info.torn);
	g_assert_cmpuint(info.n_fragments, ==, 0);
	g_assert_cmpfloat_with_epsilon(info.duration_s, 5.0, 1e-9);
	g_assert_cmpfloat_with_epsilon(info.audio_duration_s, 5.0, 1e-9);
	g_assert_cmpfloat(info.video_duration_s, ==, 0.0);

	/* Cut inside the trailing moov: nothing playable. */
	g_assert_false(cav_mp4_scan_buf(b->data, b->len - 1, &info, &error));
	g_assert_error(error, CAV_MP4_ERROR, CAV_MP4_ERROR_NOT_MP4);
}

static void
test_not_mp4(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GByteArray) b = g_byte_array_new();
	CavMp4Info info, keep;

	memset(&info, 0x5a, sizeof(info));
	keep = info;
	g_assert_false(
		cav_mp4_scan_buf((const guint8 *)"hello world, not a box", 22, &info, &error));
	g_assert_error(error, CAV_MP4_ERROR, CAV_MP4_ERROR_NOT_MP4);
	g_assert_cmpmem(&info, sizeof(info), &keep, sizeof(keep));
	g_clear_error(&error);
	g_assert_false(cav_mp4_scan_buf(NULL, 0, &info, &error));
	g_assert_error(error, CAV_MP4_ERROR, CAV_MP4_ERROR_NOT_MP4);
	g_clear_error(&error);
	add_ftyp(b);
	g_assert_false(cav_mp4_scan_buf(b->data, b->len, &info, &error));
	g_assert_error(error, CAV_MP4_ERROR, CAV_MP4_ERROR_NOT_MP4);
	g_clear_error(&error);
	g_assert_false(cav_mp4_scan_file("/nonexistent/x.mp4", &info, &error));
	g_assert_error(error, CAV_MP4_ERROR, CAV_MP4_ERROR_IO);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/mp4scan/real/complete", test_real_complete);
	g_test_add_func("/mp4scan/real/audio-video", test_real_audio_video);
	g_test_add_func("/mp4scan/real/torn-and-repair", test_real_torn_and_repair);
	g_test_add_func("/mp4scan/real/repair-existing-torn", test_repair_existing_torn);
	g_test_add_func("/mp4scan/synthetic/fragments", test_synthetic_fragments);
	g_test_add_func("/mp4scan/synthetic/moof-before-moov", test_synthetic_moof_before_moov);
	g_test_add_func("/mp4scan/synthetic/hostile-trun", test_synthetic_hostile_trun);
	g_test_add_func("/mp4scan/synthetic/plain", test_synthetic_plain);
	g_test_add_func("/mp4scan/not-mp4", test_not_mp4);
	return g_test_run();
}
