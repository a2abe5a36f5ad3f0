/* test-config.c — courtavd's config: defaults, and errors that name file,
 * line and key. Parses real text through the real loader. */
#include "appliance/config.h"

#define BASE                                                                                       \
	"[courtavd]\n"                                                                             \
	"room = 101\n"                                                                             \
	"state_dir = /var/lib/courtavd\n"                                                          \
	"[camera cam1]\n"                                                                          \
	"backend = test\n"

static CavConfig *
load(const char *text, GError **error)
{
	return cav_config_load_data("t.ini", text, strlen(text), error);
}

static void
expect_error(const char *text, int code, const char *needle)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(CavConfig) c = load(text, &error);

	g_assert_null(c);
	g_assert_error(error, CAV_CONFIG_ERROR, code);
	if (g_strstr_len(error->message, -1, needle) == NULL)
		g_error("expected “%s” in “%s”", needle, error->message);
}

static void
test_defaults(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(CavConfig) c =
		load(BASE "[microphone mic1]\nbackend = test\nfreq = 300\n", &error);
	const CavSourceSpec *mic;

	g_assert_no_error(error);
	g_assert_cmpstr(c->room_id, ==, "101");
	g_assert_cmpstr(c->room_name, ==, "101");
	g_assert_cmpstr(c->media_dir, ==, "/var/lib/courtavd/media");
	g_assert_cmpstr(c->listen_host, ==, "127.0.0.1");
	g_assert_cmpuint(c->listen_port, ==, 8780);
	g_assert_cmpuint(c->format.camera.width, ==, 1280);
	g_assert_cmpuint(c->format.program_width, ==, 1280);
	g_assert_cmpuint(c->format.segment_seconds, ==, 300);
	g_assert_cmpuint(c->format.fragment_ms, ==, 500);
	g_assert_cmpuint(c->stop_free_bytes, ==, 64u * 1024 * 1024);
	g_assert_cmpuint(c->sources->len, ==, 2);
	g_assert_cmpuint(cav_config_n_cameras(c), ==, 1);
	mic = c->sources->pdata[1];
	g_assert_cmpint(mic->kind, ==, CAV_MEDIA_AUDIO);
	g_assert_cmpstr(g_hash_table_lookup(mic->params, "freq"), ==, "300");
	/* 1 camera 2500 + program 3000 + audio 128 in 3 files: 5884 kbit/s + 2%. */
	g_assert_cmpuint(cav_config_bytes_per_hour(c), ==, 5884ull * 1000 / 8 * 3600 * 102 / 100);
}

static void
test_cameras_first(void)
{
	g_autoptr(CavConfig) c =
		load("[courtavd]\nroom=1\nstate_dir=/s\n[microphone m]\nbackend=test\n"
		     "[camera b]\nbackend=test\n[camera a]\nbackend=test\n",
		     NULL);

	g_assert_nonnull(c);
	g_assert_cmpstr(((CavSourceSpec *)c->sources->pdata[0])->id, ==, "b");
	g_assert_cmpstr(((CavSourceSpec *)c->sources->pdata[1])->id, ==, "a");
	g_assert_cmpstr(((CavSourceSpec *)c->sources->pdata[2])->id, ==, "m");
}

static void
test_errors(void)
{
	expect_error(BASE "junk\n", CAV_CONFIG_ERROR_SYNTAX, "t.ini:6: “junk” is not");
	expect_error("room = 1\n", CAV_CONFIG_ERROR_SYNTAX, "t.ini:1: a key before any [section]");
	expect_error(BASE "[recording\n", CAV_CONFIG_ERROR_SYNTAX, "t.ini:6: malformed section");
	expect_error(BASE "[recording]\nfps = 25\nfps = 30\n", CAV_CONFIG_ERROR_SYNTAX,
		     "t.ini:8: [recording] fps is set twice (first on line 7)");
	expect_error(BASE "[recording]\nfsp = 25\n", CAV_CONFIG_ERROR_UNKNOWN,
		     "t.ini:7: [recording] fsp: unknown key");
	expect_error(BASE "[recording]\nfps = 0\n", CAV_CONFIG_ERROR_VALUE,
		     "t.ini:7: [recording] fps: 0 is out of range");
	expect_error(BASE "[recording]\nfps = fast\n", CAV_CONFIG_ERROR_VALUE,
		     "not a whole number");
	expect_error(BASE "[recording]\nwidth = 641\n", CAV_CONFIG_ERROR_VALUE, "must be even");
	expect_error(BASE "[recording]\nlayout = 3x3\n", CAV_CONFIG_ERROR_VALUE,
		     "[recording] layout: “3x3” is not one of");
	expect_error(BASE "[storage]\nmin_free_hours = 5\nalarm_free_hours = 1\n",
		     CAV_CONFIG_ERROR_VALUE, "alarm must come first");
	expect_error(BASE "[bogus]\n", CAV_CONFIG_ERROR_UNKNOWN,
		     "t.ini:6: [bogus]: unknown section");
	expect_error("[courtavd]\nstate_dir = /s\n[camera c]\nbackend=test\n",
		     CAV_CONFIG_ERROR_MISSING, "[courtavd] room: required");
	expect_error("[courtavd]\nroom = a b\nstate_dir = /s\n", CAV_CONFIG_ERROR_VALUE,
		     "t.ini:2: [courtavd] room:");
	expect_error("[courtavd]\nroom = 1\nstate_dir = rel\n", CAV_CONFIG_ERROR_VALUE,
		     "[courtavd] state_dir: required, as an absolute path");
	expect_error(BASE "listen = 1.2.3.4\n", CAV_CONFIG_ERROR_VALUE, "[camera cam1] listen");
	expect_error("[courtavd]\nroom=1\nstate_dir=/s\nlisten = localhost:80\n",
		     CAV_CONFIG_ERROR_VALUE, "is not an IP address");
	expect_error("[courtavd]\nroom=1\nstate_dir=/s\n", CAV_CONFIG_ERROR_MISSING,
		     "at least one camera");
	expect_error(BASE "colour = red\n", CAV_CONFIG_ERROR_VALUE,
		     "t.ini:6: [camera cam1] colour:");
	expect_error(BASE "[camera cam2]\npattern = smpte\n", CAV_CONFIG_ERROR_MISSING,
		     "[camera cam2] backend: required");
	expect_error(BASE "[camera program]\nbackend = test\n", CAV_CONFIG_ERROR_VALUE,
		     "not “program” or “audio”");
	/* A layout with more panes than cameras (fewer is fine: the rest hide). */
	expect_error(BASE "[recording]\nlayout = 4\n[camera c2]\nbackend=test\n",
		     CAV_CONFIG_ERROR_VALUE,
		     "[recording] layout: layout “4” has 4 panes but only 2 cameras");
	expect_error(BASE "[recording]\nlayout = pip\n", CAV_CONFIG_ERROR_VALUE, "2 panes");
	expect_error("[courtavd]\nroom=1\nstate_dir=/s\n\xff\n", CAV_CONFIG_ERROR_SYNTAX,
		     "not UTF-8");
}

/* [evidence ID] (issue 3): inputs recorded while in use, not cameras. */
static void
test_evidence(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(CavConfig) c = load(BASE "[evidence doc]\nbackend = file\nfolder = /srv/ex\n"
					   "label = 证据\n[evidence hdmi]\nbackend = v4l2\n"
					   "device = /dev/video9\n",
				      &error);

	g_assert_no_error(error);
	g_assert_cmpuint(c->sources->len, ==, 1); /* not a camera of the program */
	g_assert_cmpuint(c->evidence->len, ==, 2);
	g_assert_cmpstr(cav_config_evidence(c, "doc")->label, ==, "证据");
	g_assert_cmpstr(cav_config_evidence(c, "hdmi")->backend, ==, "v4l2");
	g_assert_null(cav_config_evidence(c, "cam1"));

	expect_error(BASE "[evidence cam1]\nbackend = test\n", CAV_CONFIG_ERROR_VALUE,
		     "[evidence cam1]: source id “cam1” is used twice");
	expect_error(BASE "[evidence ip]\nbackend = rtsp\nurl = rtsp://10.0.0.9/\n",
		     CAV_CONFIG_ERROR_VALUE,
		     "t.ini:7: [evidence ip] backend: an evidence input is");
	expect_error(BASE "[evidence doc]\nbackend = file\n", CAV_CONFIG_ERROR_VALUE,
		     "[evidence doc]: Source \"doc\": invalid key \"folder\": required");
	expect_error(BASE "[evidence doc]\nbackend = file\nfolder = relative\n",
		     CAV_CONFIG_ERROR_VALUE, "t.ini:8: [evidence doc] folder:");
	expect_error(BASE "[evidence doc]\nbackend = file\nfolder = /x\ndevice = /dev/video0\n",
		     CAV_CONFIG_ERROR_VALUE, "t.ini:9: [evidence doc] device:");
	expect_error(BASE "[microphone m]\nbackend=test\nrole=x\n[evidence audio-x]\nbackend=test\n"
			  "[audio]\nrole_tracks = x\n",
		     CAV_CONFIG_ERROR_VALUE,
		     "would have the name of a camera or an evidence input");
}

#define MICS                                                                                       \
	"[camera cam2]\nbackend = test\nrole = defendant\n"                                        \
	"[microphone m1]\nbackend = test\nrole = judge\ncamera = cam1\n"                           \
	"[microphone m2]\nbackend = test\nrole = defence\ncamera = cam2\n"                         \
	"[microphone m3]\nbackend = test\nrole = witness\n"

/* [program], [voice], [audio] and the microphones' cameras (issue 3). */
static void
test_program_voice_audio(void)
{
	g_autoptr(CavConfig) c = load("[courtavd]\nroom=1\nstate_dir=/s\ncourt=某法院\n"
				      "room_name=第一法庭\n[camera cam1]\nbackend=test\n" MICS,
				      NULL);
	g_autoptr(CavConfig) d = NULL;

	g_assert_nonnull(c);
	g_assert_cmpstr(c->overlays.caption, ==, "某法院 第一法庭");
	g_assert_true(c->show_case);
	g_assert_true(c->overlays.clock);
	g_assert_cmpstr(c->overlays.clock_position, ==, "bottom-left");
	/* Voice switching is on when a microphone has a camera; the fallback
	 * is the judge's camera. */
	g_assert_true(c->voice_enabled);
	g_assert_cmpstr(c->voice_fallback, ==, "cam1");
	g_assert_cmpuint(c->voice.fallback, ==, 0);
	g_assert_cmpstr(g_hash_table_lookup(c->mic_camera, "m2"), ==, "cam2");
	g_assert_null(g_hash_table_lookup(c->mic_camera, "m3"));
	g_assert_cmpuint(g_strv_length(c->role_tracks), ==, 4);
	g_assert_cmpfloat(c->mic_watch.silent_db, ==, -60);
	g_assert_cmpuint(c->mic_watch.silent_ms, ==, 10000);

	d = load(BASE MICS "[program]\ncaption = 第二法庭\nshow_case = no\nclock = off\n"
			   "text = 庭审直播\ntext_position = top-right\nmain_camera = cam2\n"
			   "[voice]\nenabled = false\nfallback = cam2\nhold_in_ms = 300\n"
			   "[audio]\nrole_tracks = judge, witness\nsilent_seconds = 5\n",
		 NULL);
	g_assert_nonnull(d);
	g_assert_cmpstr(d->overlays.caption, ==, "第二法庭");
	g_assert_false(d->show_case);
	g_assert_false(d->overlays.clock);
	g_assert_cmpstr(d->overlays.text, ==, "庭审直播");
	g_assert_cmpstr(d->overlays.text_position, ==, "top-right");
	g_assert_cmpstr(d->main_camera, ==, "cam2");
	g_assert_false(d->voice_enabled);
	g_assert_cmpuint(d->voice.fallback, ==, 1);
	g_assert_cmpuint(d->voice.hold_in_ms, ==, 300);
	g_assert_cmpstr(d->role_tracks[1], ==, "witness");
	g_assert_cmpuint(d->mic_watch.silent_ms, ==, 5000);

	expect_error(BASE "[microphone m1]\nbackend = test\ncamera = cam9\n",
		     CAV_CONFIG_ERROR_VALUE,
		     "t.ini:8: [microphone m1] camera: “cam9” is not a configured camera");
	expect_error(BASE "camera = cam1\n", CAV_CONFIG_ERROR_VALUE,
		     "[camera cam1] camera: applies to microphones only");
	expect_error(BASE "[voice]\nenabled = yes\n", CAV_CONFIG_ERROR_MISSING,
		     "[voice] enabled: voice switching needs");
	expect_error(BASE "[voice]\nfallback = cam7\n", CAV_CONFIG_ERROR_VALUE,
		     "[voice] fallback: “cam7” is not a configured camera");
	expect_error(BASE "[program]\nclock_position = middle\n", CAV_CONFIG_ERROR_VALUE,
		     "t.ini:7: [program] clock_position: “middle” is not top-left");
	expect_error(BASE "[program]\nclock = sometimes\n", CAV_CONFIG_ERROR_VALUE,
		     "is not true or false");
	expect_error(BASE "[program]\nmain_camera = m1\n", CAV_CONFIG_ERROR_VALUE,
		     "“m1” is not a configured camera");
	expect_error(BASE "[audio]\nrole_tracks = judge, a b\n", CAV_CONFIG_ERROR_VALUE,
		     "[audio] role_tracks: “a b” is not a role name");
	expect_error(BASE "[camera audio-judge]\nbackend = test\n[microphone m]\nbackend = test\n"
			  "role = judge\n",
		     CAV_CONFIG_ERROR_VALUE, "would have the name of a camera");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/config/defaults", test_defaults);
	g_test_add_func("/config/cameras-first", test_cameras_first);
	g_test_add_func("/config/errors", test_errors);
	g_test_add_func("/config/evidence", test_evidence);
	g_test_add_func("/config/program-voice-audio", test_program_voice_audio);
	return g_test_run();
}
