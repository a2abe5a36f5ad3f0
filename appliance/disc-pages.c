/* disc-pages.c — README, recording logs and the player's data (see
 * disc-pages.h). Pure; any thread.
 *
 * The logs are plain HTML with print CSS and a plain-text twin rather than
 * PDF: both open on any computer decades from now with no reader to
 * install, and the text file can be diffed against the manifest by hand.
 */
#include "disc-pages.h"
#include "lifecycle.h"
#include "common/timefmt.h"

#include <string.h>
#include <json-glib/json-glib.h>

#define RULE_ZH "《最高人民法院关于人民法院庭审录音录像的若干规定》（法释〔2017〕5号）"
#define RULE_EN                                                                                    \
	"the Supreme People's Court Provisions on Audio and Video Recording of Court Hearings "    \
	"(2017)"

static char *
bj(gint64 us)
{
	return us > 0 ? cav_time_beijing(us) : g_strdup("—");
}

static char *
duration(gint64 us)
{
	gint64 s = MAX(us, 0) / G_USEC_PER_SEC;

	return g_strdup_printf("%" G_GINT64_FORMAT ":%02d:%02d", s / 3600, (int)(s / 60 % 60),
			       (int)(s % 60));
}

static const char *
reason_en(const char *reason)
{
	if (reason == NULL)
		return "";
	if (g_str_equal(reason, "closed_evidence"))
		return "evidence examined in closed session";
	if (g_str_equal(reason, "fault"))
		return "equipment fault";
	return reason;
}

/* Totals of a hearing's intervals. */
static void
totals(const CavManifest *m, gint64 *recorded, gint64 *paused, guint *n_faults)
{
	*recorded = *paused = 0;
	*n_faults = 0;
	for (guint i = 0; i < m->intervals->len; i++) {
		const CavManifestInterval *iv = m->intervals->pdata[i];
		gint64 d = iv->end_us > 0 ? iv->end_us - iv->start_us : 0;

		if (g_str_equal(iv->kind, "recording")) {
			*recorded += d;
		} else {
			*paused += d;
			if (g_strcmp0(iv->reason, "fault") == 0)
				(*n_faults)++;
		}
	}
	for (guint i = 0; i < m->segments->len; i++)
		if (((CavManifestSegment *)m->segments->pdata[i])->partial)
			(*n_faults)++;
}

/* ---- README -------------------------------------------------------------- */

char *
cav_disc_page_readme(const CavDiscCase *c, const CavDiscSet *set)
{
	GString *s = g_string_new(NULL);
	const CavDiscSetDisc *disc = cav_disc_set_disc(set, set->disc);
	g_autofree char *made = cav_time_beijing(set->created_us);

	g_string_append_printf(s,
			       "庭审录音录像光盘 / Court hearing recordings\r\n"
			       "========================================\r\n\r\n"
			       "法院 Court:        %s\r\n"
			       "法庭 Courtroom:    %s\r\n"
			       "案号 Case number:  %s\r\n"
			       "案件 Case:         %s\r\n"
			       "光盘 Disc:         第 %u 张，共 %u 张 / disc %u of %u (%s)\r\n"
			       "刻录 Written:      %s（北京时间 / Beijing time）\r\n"
			       "光盘组 Set:        %s\r\n\r\n",
			       c->court ? c->court : "", c->room_name, c->kase->number,
			       c->kase->title, set->disc, set->layout->len, set->disc,
			       set->layout->len, set->medium, made, set->set_uid);
	g_string_append(s, "本光盘收录的庭审 / Hearings on this disc\r\n"
			   "----------------------------------------\r\n");
	for (guint i = 0; disc != NULL && i < disc->parts->len; i++) {
		const CavDiscSetPart *p = disc->parts->pdata[i];
		const CavDiscSetHearing *h = cav_disc_set_hearing(set, p->dir);
		g_autofree char *open = bj(h->opened_us), *close = bj(h->closed_us);

		g_string_append_printf(
			s, "  %-6s 庭审 %" G_GINT64_FORMAT "  %s — %s%s\r\n", p->dir, h->id, open,
			close, p->files ? "  （部分文件，其余见其他光盘 / split: part)" : "");
	}
	g_string_append(
		s,
		"\r\n"
		"如何观看 / How to watch\r\n"
		"----------------------\r\n"
		"用任意浏览器打开 "
		"index.html（无需联网）：选择庭审和画面，点击时间轴上的标记即可从该处播放。\r\n"
		"Open index.html in any web browser (no network needed): pick a hearing and a\r\n"
		"picture, click a mark on the timeline to play from there. Each hearing's "
		"folder\r\n"
		"(h1, h2, …) holds one folder per camera, the composed picture (program) and "
		"the\r\n"
		"sound (audio); every MP4 file plays alone in any player.\r\n\r\n"
		"目录 / Contents\r\n"
		"---------------\r\n"
		"  index.html, player/      离线播放器 / offline player\r\n"
		"  hN/                      庭审录像及 "
		"manifest.json（清单）、manifest.sig（签名）\r\n"
		"                           recordings, their manifest and its signature\r\n"
		"  pages/hN-log.html, .txt  录制起止及中断情况记录、故障说明（可打印）\r\n"
		"                           recording log and fault report (printable)\r\n"
		"  disc-set.json, .sig      光盘组清单及签名 / manifest of the set of discs, "
		"signed\r\n"
		"  device-key.pub           设备公钥 / the recording device's public key\r\n\r\n"
		"如何校验 / How to verify\r\n"
		"------------------------\r\n"
		"每个录像文件的 SHA-256 记录在所属庭审的 manifest.json "
		"中，并以哈希链串联；manifest.json\r\n"
		"由设备私钥签名（manifest.sig，Ed25519）。disc-set.json "
		"记录本光盘其余文件的哈希，同样签名。\r\n"
		"Every recording's SHA-256 is in its hearing's manifest.json, linked in a hash\r\n"
		"chain; manifest.json is signed with the device key (manifest.sig, Ed25519).\r\n"
		"disc-set.json lists the hashes of every other file on the disc and is signed "
		"too.\r\n\r\n"
		"  courtavctl disc verify /dev/sr0 --public-key device-key.pub\r\n"
		"  courtavctl disc verify 光盘镜像.iso\r\n\r\n"
		"不依赖本系统时 / Without courtav: sha256sum h1/cam1/*.mp4 与 manifest.json "
		"中的\r\n"
		"\"sha256\" 对照；用 openssl pkeyutl -verify -pubin -inkey device-key.pub "
		"-rawin\r\n"
		"-in manifest.json -sigfile <(base64 -d manifest.sig) 校验签名。\r\n"
		"compare sha256sum of each file with its \"sha256\" in manifest.json, and check\r\n"
		"the signature with the openssl command above. xorriso -indev IMAGE -check_md5\r\n"
		"checks the disc's own MD5 checksums.\r\n");
	return g_string_free(s, FALSE);
}

/* ---- the recording log --------------------------------------------------- */

static void
log_header(GString *s, const CavDiscCase *c, const CavDiscHearing *h, gboolean html)
{
	const CavManifest *m = h->manifest;
	g_autofree char *open = bj(m->opened_us), *close = bj(m->closed_us);
	g_autofree char *rec = NULL, *pause = NULL;
	gint64 recorded, paused;
	guint faults;

	totals(m, &recorded, &paused, &faults);
	rec = duration(recorded);
	pause = duration(paused);
	if (html) {
		g_autofree char *court = g_markup_escape_text(c->court ? c->court : "", -1);
		g_autofree char *room = g_markup_escape_text(m->room, -1);
		g_autofree char *num = g_markup_escape_text(m->case_number, -1);
		g_autofree char *title =
			g_markup_escape_text(m->case_title ? m->case_title : "", -1);

		g_string_append_printf(
			s,
			"<h1>庭审录音录像起止及中断情况记录<br><small>Record of the start, end and "
			"interruptions of a hearing recording</small></h1>\n<table class=\"kv\">\n"
			"<tr><th>法院 Court</th><td>%s</td></tr>\n"
			"<tr><th>法庭 Courtroom</th><td>%s</td></tr>\n"
			"<tr><th>案号 Case number</th><td>%s</td></tr>\n"
			"<tr><th>案件 Case</th><td>%s</td></tr>\n"
			"<tr><th>庭审 Hearing</th><td>%" G_GINT64_FORMAT
			" <code>%s</code></td></tr>\n"
			"<tr><th>开始 Opened</th><td>%s</td></tr>\n"
			"<tr><th>结束 Closed</th><td>%s</td></tr>\n"
			"<tr><th>录制时长 Recorded</th><td>%s</td></tr>\n"
			"<tr><th>中断时长 Interrupted</th><td>%s</td></tr>\n</table>\n",
			court, room, num, title, m->hearing_id, m->hearing_uid, open, close, rec,
			pause);
	} else {
		g_string_append_printf(
			s,
			"庭审录音录像起止及中断情况记录\r\n"
			"Record of the start, end and interruptions of a hearing recording\r\n"
			"==================================================================\r\n"
			"法院 Court:            %s\r\n法庭 Courtroom:        %s\r\n"
			"案号 Case number:      %s\r\n案件 Case:             %s\r\n"
			"庭审 Hearing:          %" G_GINT64_FORMAT " (%s)\r\n"
			"开始 Opened:           %s（北京时间 / Beijing time）\r\n"
			"结束 Closed:           %s\r\n"
			"录制时长 Recorded:     %s\r\n中断时长 Interrupted:  %s\r\n\r\n",
			c->court ? c->court : "", m->room, m->case_number,
			m->case_title ? m->case_title : "", m->hearing_id, m->hearing_uid, open,
			close, rec, pause);
	}
}

static void
log_intervals(GString *s, const CavManifest *m, gboolean html)
{
	g_string_append(s, html ? "<h2>录制与中断 Recording and interruptions</h2>\n<table>\n"
				  "<tr><th>#</th><th>状态 State</th><th>原因 Reason</th>"
				  "<th>开始 From</th><th>结束 To</th><th>时长 Length</th>"
				  "<th>说明 Detail</th></tr>\n"
				: "录制与中断 Recording and interruptions\r\n"
				  "--------------------------------------\r\n");
	for (guint i = 0; i < m->intervals->len; i++) {
		const CavManifestInterval *iv = m->intervals->pdata[i];
		gboolean rec = g_str_equal(iv->kind, "recording");
		g_autofree char *from = bj(iv->start_us), *to = bj(iv->end_us);
		g_autofree char *len = duration(iv->end_us > 0 ? iv->end_us - iv->start_us : 0);
		g_autofree char *reason =
			rec ? g_strdup("")
			    : g_strdup_printf("%s %s", cav_pause_reason_zh(iv->reason),
					      reason_en(iv->reason));
		const char *detail = iv->detail ? iv->detail : "";

		if (html) {
			g_autofree char *r = g_markup_escape_text(reason, -1);
			g_autofree char *d = g_markup_escape_text(detail, -1);

			g_string_append_printf(
				s,
				"<tr class=\"%s\"><td>%u</td><td>%s</td><td>%s</td>"
				"<td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
				rec ? "rec" : "gap", i + 1,
				rec ? "录制 recording" : "中断 interrupted", r, from, to, len, d);
		} else {
			g_string_append_printf(s, "%3u  %s  %s — %s  %s  %s%s%s\r\n", i + 1,
					       rec ? "录制 recording  " : "中断 interrupted", from,
					       to, len, reason, *detail ? "  " : "", detail);
		}
	}
	g_string_append(s, html ? "</table>\n" : "\r\n");
}

static void
log_marks(GString *s, const CavManifest *m, gboolean html)
{
	g_string_append(s, html ? "<h2>标记 Marks</h2>\n<table>\n<tr><th>时间 Time</th>"
				  "<th>标记 Mark</th><th>记录人 By</th></tr>\n"
				: "标记 Marks\r\n----------\r\n");
	for (guint i = 0; i < m->marks->len; i++) {
		const CavManifestMark *mk = m->marks->pdata[i];
		g_autofree char *t = bj(mk->at_us);

		if (html) {
			g_autofree char *l = g_markup_escape_text(mk->label, -1);
			g_autofree char *a = g_markup_escape_text(mk->actor, -1);

			g_string_append_printf(s, "<tr><td>%s</td><td>%s</td><td>%s</td></tr>\n", t,
					       l, a);
		} else {
			g_string_append_printf(s, "  %s  %s  (%s)\r\n", t, mk->label, mk->actor);
		}
	}
	g_string_append(s, html ? "</table>\n" : "\r\n");
}

/* Art. 4: a written account of every fault, to be signed by the presiding judge. */
static void
log_faults(GString *s, const CavManifest *m, gboolean html)
{
	gint64 recorded, paused;
	guint faults;

	totals(m, &recorded, &paused, &faults);
	g_string_append(s, html ? "<h2>故障说明 Fault report</h2>\n"
				: "故障说明 Fault report\r\n"
				  "---------------------\r\n");
	if (faults == 0) {
		g_string_append(s,
				html ? "<p>录制期间未发生设备故障或技术原因导致的中断。<br>"
				       "No interruption by equipment fault or technical cause "
				       "was recorded.</p>\n"
				     : "录制期间未发生设备故障或技术原因导致的中断。\r\n"
				       "No interruption by equipment fault or technical cause was "
				       "recorded.\r\n\r\n");
		return;
	}
	g_string_append(s, html ? "<ul>\n" : "");
	for (guint i = 0; i < m->intervals->len; i++) {
		const CavManifestInterval *iv = m->intervals->pdata[i];
		g_autofree char *from = NULL, *to = NULL, *d = NULL;

		if (g_strcmp0(iv->reason, "fault") != 0)
			continue;
		from = bj(iv->start_us);
		to = bj(iv->end_us);
		d = html ? g_markup_escape_text(iv->detail ? iv->detail : "", -1)
			 : g_strdup(iv->detail ? iv->detail : "");
		g_string_append_printf(
			s,
			html ? "<li>%s — %s：设备故障，录像缺失 / equipment fault, "
			       "nothing recorded. %s</li>\n"
			     : "  %s — %s  设备故障，录像缺失 / equipment fault, nothing "
			       "recorded. %s\r\n",
			from, to, d);
	}
	for (guint i = 0; i < m->segments->len; i++) {
		const CavManifestSegment *seg = m->segments->pdata[i];
		g_autofree char *from = NULL, *f = NULL;

		if (!seg->partial)
			continue;
		from = bj(seg->start_us);
		f = html ? g_markup_escape_text(seg->file, -1) : g_strdup(seg->file);
		g_string_append_printf(
			s,
			html ? "<li>%s <code>%s</code>：中断后修复登记，文件尾部可能缺失"
			       "最多约 1.5 秒 / registered after an interruption, the "
			       "last ~1.5 s may be missing</li>\n"
			     : "  %s  %s  中断后修复登记，文件尾部可能缺失最多约 1.5 秒 / "
			       "registered after an interruption, the last ~1.5 s may "
			       "be missing\r\n",
			from, f);
	}
	g_string_append(s, html ? "</ul>\n" : "\r\n");
}

static void
log_footer(GString *s, const CavDiscHearing *h, gboolean html)
{
	g_autofree char *head = cav_sha256_hex(h->manifest->chain_head);
	guint8 digest[CAV_SHA256_LEN];
	g_autofree char *mhash = NULL;

	cav_sha256_buf(h->manifest_data, h->manifest_len, digest);
	mhash = cav_sha256_hex(digest);
	if (html) {
		g_string_append_printf(
			s,
			"<h2>完整性 Integrity</h2>\n<p>manifest.json SHA-256 <code>%s</code><br>"
			"哈希链头 chain head <code>%s</code><br>签名密钥 key id "
			"<code>%s</code></p>\n"
			"<p class=\"rule\">依据" RULE_ZH
			"第三条、第四条记录。Recorded under Art. 3 and 4 "
			"of " RULE_EN ".</p>\n"
			"<table class=\"sign\"><tr><td>记录人 Recorded by：</td><td></td>"
			"<td>审判长（独任审判员）Presiding judge：</td><td></td>"
			"<td>日期 Date：</td><td></td></tr></table>\n</body>\n</html>\n",
			mhash, head, h->manifest->device_key_id ? h->manifest->device_key_id : "");
	} else {
		g_string_append_printf(
			s,
			"完整性 Integrity\r\n----------------\r\n"
			"manifest.json SHA-256: %s\r\n哈希链头 chain head:   %s\r\n"
			"签名密钥 key id:       %s\r\n\r\n"
			"依据" RULE_ZH
			"第三条、第四条记录。\r\nRecorded under Art. 3 and 4 of " RULE_EN
			".\r\n\r\n记录人 Recorded by: ____________    "
			"审判长（独任审判员）Presiding "
			"judge: ____________    日期 Date: ____________\r\n",
			mhash, head, h->manifest->device_key_id ? h->manifest->device_key_id : "");
	}
}

char *
cav_disc_page_log_text(const CavDiscCase *c, const CavDiscHearing *h)
{
	GString *s = g_string_new(NULL);

	log_header(s, c, h, FALSE);
	log_intervals(s, h->manifest, FALSE);
	log_marks(s, h->manifest, FALSE);
	log_faults(s, h->manifest, FALSE);
	log_footer(s, h, FALSE);
	return g_string_free(s, FALSE);
}

char *
cav_disc_page_log_html(const CavDiscCase *c, const CavDiscHearing *h)
{
	GString *s = g_string_new(NULL);
	g_autofree char *num = g_markup_escape_text(h->manifest->case_number, -1);

	g_string_append_printf(
		s,
		"<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<title>%s 庭审 %" G_GINT64_FORMAT " 录制记录</title>\n"
		"<link rel=\"stylesheet\" href=\"../player/player.css\">\n</head>\n"
		"<body class=\"page\">\n<p class=\"noprint\"><a href=\"../index.html\">← "
		"返回播放器 "
		"Back to the player</a> · <a href=\"javascript:print()\">打印 Print</a></p>\n",
		num, h->row->id);
	log_header(s, c, h, TRUE);
	log_intervals(s, h->manifest, TRUE);
	log_marks(s, h->manifest, TRUE);
	log_faults(s, h->manifest, TRUE);
	log_footer(s, h, TRUE);
	return g_string_free(s, FALSE);
}

/* ---- player data --------------------------------------------------------- */

static void
add_str(JsonBuilder *b, const char *key, const char *value)
{
	json_builder_set_member_name(b, key);
	if (value != NULL)
		json_builder_add_string_value(b, value);
	else
		json_builder_add_null_value(b);
}

static void
add_int(JsonBuilder *b, const char *key, gint64 v)
{
	json_builder_set_member_name(b, key);
	json_builder_add_int_value(b, v);
}

static void
data_hearing(JsonBuilder *b, const CavDiscHearing *h, const CavDiscSetPart *part)
{
	const CavManifest *m = h->manifest;
	g_autoptr(GPtrArray) tracks = g_ptr_array_new();

	json_builder_begin_object(b);
	add_str(b, "dir", h->dir);
	add_int(b, "id", m->hearing_id);
	add_int(b, "opened_us", m->opened_us);
	add_int(b, "closed_us", m->closed_us);
	json_builder_set_member_name(b, "split");
	json_builder_add_boolean_value(b, part->files != NULL);
	json_builder_set_member_name(b, "intervals");
	json_builder_begin_array(b);
	for (guint i = 0; i < m->intervals->len; i++) {
		const CavManifestInterval *iv = m->intervals->pdata[i];

		json_builder_begin_object(b);
		add_str(b, "kind", iv->kind);
		add_str(b, "reason", iv->reason);
		add_str(b, "reason_zh", iv->reason ? cav_pause_reason_zh(iv->reason) : NULL);
		add_int(b, "start_us", iv->start_us);
		add_int(b, "end_us", iv->end_us);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "marks");
	json_builder_begin_array(b);
	for (guint i = 0; i < m->marks->len; i++) {
		const CavManifestMark *mk = m->marks->pdata[i];

		json_builder_begin_object(b);
		add_int(b, "at_us", mk->at_us);
		add_str(b, "label", mk->label);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	/* Tracks in the order they first appear; segments by start. */
	for (guint i = 0; i < m->segments->len; i++) {
		const CavManifestSegment *s = m->segments->pdata[i];

		if (!g_ptr_array_find_with_equal_func(tracks, s->track, g_str_equal, NULL))
			g_ptr_array_add(tracks, s->track);
	}
	json_builder_set_member_name(b, "tracks");
	json_builder_begin_array(b);
	for (guint t = 0; t < tracks->len; t++) {
		json_builder_begin_object(b);
		add_str(b, "name", tracks->pdata[t]);
		json_builder_set_member_name(b, "segments");
		json_builder_begin_array(b);
		for (guint i = 0; i < m->segments->len; i++) {
			const CavManifestSegment *s = m->segments->pdata[i];
			gboolean here = part->files == NULL ||
					g_ptr_array_find_with_equal_func(part->files, s->file,
									 g_str_equal, NULL);

			if (!g_str_equal(s->track, tracks->pdata[t]))
				continue;
			json_builder_begin_object(b);
			add_str(b, "file", s->file);
			add_int(b, "start_us", s->start_us);
			add_int(b, "end_us", s->end_us);
			json_builder_set_member_name(b, "here");
			json_builder_add_boolean_value(b, here);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
}

char *
cav_disc_page_data_js(const CavDiscCase *c, const CavDiscSet *set)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree char *json = NULL;
	const CavDiscSetDisc *disc = cav_disc_set_disc(set, set->disc);

	json_builder_begin_object(b);
	add_str(b, "court", c->court);
	add_str(b, "room", c->room_name);
	add_str(b, "case_number", c->kase->number);
	add_str(b, "case_title", c->kase->title);
	add_int(b, "disc", set->disc);
	add_int(b, "discs", set->layout->len);
	json_builder_set_member_name(b, "hearings");
	json_builder_begin_array(b);
	for (guint i = 0; disc != NULL && i < disc->parts->len; i++) {
		const CavDiscSetPart *p = disc->parts->pdata[i];
		const CavDiscHearing *h = cav_disc_case_hearing(c, p->dir);

		if (h != NULL && h->manifest != NULL)
			data_hearing(b, h, p);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	json = json_generator_to_data(gen, NULL);
	/* A script, not JSON fetched at run time: browsers refuse fetch() on
	 * file:// pages, but load <script src> from the same disc. "</" is
	 * escaped so no label can close the script element. */
	{
		g_autoptr(GString) out =
			g_string_new("/* generated by courtav */\nwindow.COURTAV_DISC = ");

		for (const char *p = json; *p; p++) {
			if (p[0] == '<' && p[1] == '/')
				g_string_append(out, "<\\");
			else
				g_string_append_c(out, *p);
		}
		g_string_append(out, ";\n");
		return g_string_free(g_steal_pointer(&out), FALSE);
	}
}
