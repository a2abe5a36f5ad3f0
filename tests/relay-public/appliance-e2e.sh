#!/usr/bin/env bash
# End to end with the real appliance: courtavd (test sources) enrolls at the
# real courtav-relay and streams its hearings (tests/relay/lib-relay.sh).
#   1. A non-public hearing: live in the relay's directory, yet not listed,
#      no file in the public folder, its guessed URLs refused.
#   2. A public hearing: listed; its HLS decodes to real pictures
#      (hls-probe: not black); it plays on the watch page in headless
#      Chromium (watch.test.mjs); the relay is killed (-9) and restarted:
#      the appliance re-registers, the stream resumes and the page plays
#      new segments within 10 s.
here=$(cd "$(dirname "$0")" && pwd)
. "$CAV_SOURCE_ROOT/tests/relay/lib-relay.sh"
command -v /usr/bin/chromium >/dev/null || fail "chromium is not installed (scripts/install-deps.sh)"
[ -f "$CAV_BUILD_ROOT/ui/watch/hls.min.js" ] || fail "hls.js was not built (ninja; needs npm)"
HLS_PROBE=$CAV_BUILD_ROOT/tests/relay-public/hls-probe
e2e=$CAV_SOURCE_ROOT/tests/e2e
. "$e2e/node-deps.sh"
deps=$(cav_node_deps) || fail "npm ci failed"

relay_setup relay-public-appliance
# [relay] lines must go before [media]: rebuild the file's head.
sed -i "s|^heartbeat_timeout_seconds = 5|heartbeat_timeout_seconds = 5\nui_dir = $CAV_SOURCE_ROOT/ui|" "$CAV_DIR/relay.ini"
cat >>"$CAV_DIR/relay.ini" <<INI

[public]
hls_dir = $CAV_DIR/hls
vendor_dir = $CAV_BUILD_ROOT/ui/watch
width = 640
height = 360
video_kbps = 600
x264_preset = ultrafast
INI
relay_start
appliance_relay_lines court1 >>"$CAV_INI"
cav_start
list() { curl -sf "$RELAY_URL/api/v1/public/hearings"; }
count_listed() { list | python3 -c 'import sys, json; d = json.load(sys.stdin); print(len(d["live"]) + len(d["on_demand"]))'; }

# ---- 1. a non-public hearing ------------------------------------------------------
ctl case create --number '（2026）兵0101刑初8号' --title '不公开审理测试案' --cause '强奸罪' --private >/dev/null
ctl hearing open 1 >/dev/null
wait_for 'relay_room_live court1/t1' 20
sleep 3
[ "$(relay_api GET /api/v1/live | json_get rooms 0 public)" = false ] || fail "directory says public"
[ "$(count_listed)" = 0 ] || fail "a non-public hearing is listed: $(list)"
[ -z "$(ls -A "$CAV_DIR/hls" 2>/dev/null)" ] || fail "files in the public folder: $(ls "$CAV_DIR/hls")"
for path in /hls/court1/t1/live.m3u8 /hls/court1/live.m3u8 "/hls/$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')/live.m3u8"; do
	s=$(curl -s -o /dev/null -w '%{http_code}' "$RELAY_URL$path")
	[ "$s" = 404 ] || fail "$path answered $s"
done
note "non-public hearing live at the relay: not listed, no files, URLs refused"
ctl hearing close 1 >/dev/null

# ---- 2. a public hearing ----------------------------------------------------------
ctl case create --number '（2026）兵0101刑初9号' --title '公开审理测试案' --cause '盗窃罪' >/dev/null
ctl hearing open 2 >/dev/null
wait_for '[ "$(count_listed)" = 1 ]' 20
PL=$(list | json_get live 0 playlist)
wait_for '[ "$(curl -sf "$RELAY_URL$PL" | grep -c "^s")" -ge 3 ]' 20
mkdir -p "$CAV_DIR/probe"
curl -sf "$RELAY_URL$PL" -o "$CAV_DIR/probe/index.m3u8"
for seg in $(grep '^s' "$CAV_DIR/probe/index.m3u8"); do curl -sf "$RELAY_URL${PL%/*}/$seg" -o "$CAV_DIR/probe/$seg"; done
"$HLS_PROBE" "$CAV_DIR/probe/index.m3u8" >"$CAV_DIR/probe.txt" || fail "the public HLS does not decode"
frames=$(awk '$2 == "video" && $4 > 100' "$CAV_DIR/probe.txt" | wc -l)
[ "$frames" -ge 25 ] || fail "only $frames non-black frames in the public HLS"
note "public hearing: $PL, $frames pictures decoded from its segments"

restart() {
	relay_kill9
	relay_start
	date +%s%3N >"$CAV_DIR/restarted"
}
trap restart USR1
artifacts=$CAV_BUILD_ROOT/meson-logs/e2e
mkdir -p "$artifacts/appliance"
NODE_PATH=$deps/node_modules CAV_URL=$RELAY_URL CAV_ARTIFACTS=$artifacts/appliance CAV_PROFILE=$CAV_DIR/chromium \
	CAV_SHELL_PID=$$ CAV_RESTARTED=$CAV_DIR/restarted CAV_NO_VOD=1 CAV_EXPECT_TITLE='公开审理测试案' \
	node "$here/watch.test.mjs" &
node_pid=$!
rc=0
while kill -0 "$node_pid" 2>/dev/null; do
	wait "$node_pid" && rc=0 || rc=$?
done
[ "$rc" = 0 ] || fail "browser test failed"
cav_pass
