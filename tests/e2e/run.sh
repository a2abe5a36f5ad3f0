#!/usr/bin/env bash
# Browser test of the clerk's touch panel against the real courtavd with test
# sources: Chromium headless (Debian's /usr/bin/chromium) driven by
# playwright-core (pinned by package-lock.json, installed with `npm ci`).
# panel.test.mjs logs in with a PIN, creates a case, opens the hearing, adds
# marks, shows an exhibit and ends it, pauses for 休庭, switches the layout, resumes, sees the alarm banner,
# closes, and checks the in-room status page; any browser console error fails
# it. Then this script checks the database and the files.
#
# The alarms: camera cam2 stops delivering 6 s into each recording run (the
# test backend's outage), which raises source-lost:cam2; and the media folder
# is a small tmpfs that the browser test fills with a ballast file past
# alarm_free_hours, which raises disk-low.
# That needs root (a private mount namespace); skipped otherwise.
# Screenshots (zh-CN and English) go to $CAV_BUILD_ROOT/meson-logs/e2e/.
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
	echo "SKIP: needs root and unshare to mount a tmpfs"
	exit 77
fi
if [ -z "${CAV_IN_NS:-}" ]; then
	CAV_IN_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../integration/lib.sh"
command -v /usr/bin/chromium >/dev/null || fail "chromium is not installed (scripts/install-deps.sh)"
command -v node >/dev/null && command -v npm >/dev/null || fail "node and npm are needed (scripts/install-deps.sh)"

# playwright-core, exactly as locked (node-deps.sh).
. "$here/node-deps.sh"
deps=$(cav_node_deps) || fail "npm ci failed"

cav_setup e2e "[evidence doc]" "backend = file" "label = 证据文件" "folder = __EXHIBITS__"
# An exhibit for the evidence card (an image file shown, then ended).
mkdir -p "$CAV_DIR/exhibits"
sed -i "s|__EXHIBITS__|$CAV_DIR/exhibits|" "$CAV_INI"
gst-launch-1.0 -q videotestsrc num-buffers=1 pattern=smpte ! video/x-raw,width=640,height=480 ! \
	pngenc ! filesink location="$CAV_DIR/exhibits/物证1.png" || fail "cannot make the exhibit"
mkdir -p "$CAV_DIR/media"
mount -t tmpfs -o size=256m tmpfs "$CAV_DIR/media" || fail "cannot mount tmpfs"
# About 0.36 h of recording fits in 256 MB at the test bitrates: the alarm
# comes below 0.25 h, which the ballast file crosses.
sed -i -e "s|^listen = |media_dir = $CAV_DIR/media\nui_dir = $CAV_SOURCE_ROOT/ui\nlisten = |" \
	-e 's/^min_free_hours = .*/min_free_hours = 0.05/' \
	-e 's/^alarm_free_hours = .*/alarm_free_hours = 0.25/' \
	-e 's/^check_interval_ms = .*/check_interval_ms = 300/' \
	-e 's/^pattern = ball/pattern = ball\n# A camera that stops delivering 6 s into each recording run: the\n# source-lost alarm banner.\noutage = 6-3600/' "$CAV_INI"
cav_start

artifacts=$CAV_BUILD_ROOT/meson-logs/e2e
mkdir -p "$artifacts"
NODE_PATH=$deps/node_modules CAV_URL=$COURTAV_API CAV_USER=$CAV_CLERK CAV_PIN=$CAV_CLERK_PIN \
	CAV_BALLAST=$CAV_DIR/media/ballast CAV_ARTIFACTS=$artifacts CAV_PROFILE=$CAV_DIR/chromium \
	node "$here/panel.test.mjs" || fail "browser test failed"

# ---- the database: what the clicks did ---------------------------------------
[ "$(sql "SELECT state FROM hearings WHERE id = 1")" = closed ] || fail "hearing not closed"
[ "$(sql "SELECT group_concat(kind || ':' || coalesce(reason, '-'), ',') FROM (SELECT * FROM intervals WHERE hearing_id = 1 ORDER BY start_us)")" = \
	"recording:-,paused:recess,recording:-" ] || fail "intervals: $(sql 'SELECT kind, reason FROM intervals')"
[ "$(sql "SELECT group_concat(label, ',') FROM (SELECT label FROM marks ORDER BY at_us)")" = "开庭,法庭调查,证人出庭,宣判" ] ||
	fail "marks: $(sql 'SELECT label FROM marks')"
[ "$(sql "SELECT value FROM settings WHERE key = 'layout'")" = pip ] || fail "layout choice not stored"
[ "$(sql "SELECT number FROM cases")" = '（2026）兵0101刑初88号' ] || fail "case: $(sql 'SELECT number FROM cases')"
for action in case.create hearing.open hearing.start hearing.pause hearing.resume hearing.close hearing.mark layout.set auth.login; do
	[ "$(sql "SELECT count(*) FROM audit WHERE action = '$action' AND actor = '$CAV_CLERK'")" -ge 1 ] ||
		fail "no audit row $action by $CAV_CLERK: $(sql 'SELECT actor, action FROM audit')"
done
[ "$(sql "SELECT source || '/' || file || '/' || started_by || '/' || ended_by || '/' || end_reason FROM evidence_uses")" = \
	"doc/物证1.png/$CAV_CLERK/$CAV_CLERK/stopped" ] || fail "evidence use: $(sql 'SELECT * FROM evidence_uses')"
[ "$(sql "SELECT count(*) FROM audit WHERE action = 'evidence.start' AND actor = '$CAV_CLERK'")" = 1 ] ||
	fail "no evidence.start by $CAV_CLERK in the audit log"
[ "$(sql "SELECT count(*) FROM events WHERE code = 'disk-low'")" -ge 1 ] || fail "no disk-low alarm stored"
[ "$(sql "SELECT count(*) FROM events WHERE code = 'source-lost:cam2'")" -ge 1 ] || fail "no source-lost alarm stored"

# ---- the files: every track recorded, both runs, and they verify -------------
hdir=$(sql "SELECT media_dir FROM hearings WHERE id = 1")
[ "$(find "$hdir/doc" -name '*.mp4' | wc -l)" -ge 1 ] || fail "no file on the evidence track"
for track in cam1 cam2 program audio; do
	n=$(find "$hdir/$track" -name '*.mp4' | wc -l)
	[ "$n" -ge 2 ] || fail "$track: $n files for two recording runs"
done
[ "$(sql "SELECT count(*) FROM segments WHERE state <> 'closed'")" = 0 ] || fail "segments not closed"
ctl verify "$hdir" >/dev/null || fail "verify failed: $(ctl verify "$hdir" 2>&1)"
note "screenshots in $artifacts"
cav_stop
umount "$CAV_DIR/media" 2>/dev/null || true
cav_pass
