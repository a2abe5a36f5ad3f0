#!/usr/bin/env bash
# Browser test of the public watch page (watch.test.mjs) against the real
# relay (relay-harness) with a public and a non-public hearing live and one
# finished public hearing. Chromium headless (/usr/bin/chromium) driven by
# playwright-core, installed exactly as tests/e2e/package-lock.json pins it.
# On SIGUSR1 from the browser test, the relay is killed (-9) and restarted.
# Screenshots go to $CAV_BUILD_ROOT/meson-logs/e2e/.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
command -v /usr/bin/chromium >/dev/null || fail "chromium is not installed (scripts/install-deps.sh)"
command -v node >/dev/null && command -v npm >/dev/null || fail "node and npm are needed (scripts/install-deps.sh)"
[ -f "$CAV_BUILD_ROOT/ui/watch/hls.min.js" ] || fail "hls.js was not built (ninja; needs npm)"
e2e=$CAV_SOURCE_ROOT/tests/e2e
. "$e2e/node-deps.sh"
deps=$(cav_node_deps) || fail "npm ci failed"

pub_setup watch
pub_start
pub_cmd 'set t1/old public=1 live=1 hearing=9'
pub_cmd 'set t1/pub public=1 live=1 hearing=1'
pub_cmd 'set t1/priv public=0 live=1 hearing=2'
list() { curl -sf "$PUB_URL/api/v1/public/hearings"; }
wait_for '[ "$(list | json "sum(1 for h in d[\"live\"] if h[\"duration_s\"] >= 3)")" = 2 ]' 30
pub_cmd 'set t1/old public=1 live=0 hearing=0'
wait_for '[ "$(list | json "len(d[\"on_demand\"])")" = 1 ]' 10

restart() {
	pub_kill9
	pub_start
	pub_cmd 'set t1/pub public=1 live=1 hearing=1'
	pub_cmd 'set t1/priv public=0 live=1 hearing=2'
	now_ms >"$PUB_DIR/restarted"
}
trap restart USR1

artifacts=$CAV_BUILD_ROOT/meson-logs/e2e
mkdir -p "$artifacts"
NODE_PATH=$deps/node_modules CAV_URL=$PUB_URL CAV_ARTIFACTS=$artifacts CAV_PROFILE=$PUB_DIR/chromium \
	CAV_SHELL_PID=$$ CAV_RESTARTED=$PUB_DIR/restarted node "$here/watch.test.mjs" &
node_pid=$!
# wait returns early when the trap runs; wait again until node exits.
rc=0
while kill -0 "$node_pid" 2>/dev/null; do
	wait "$node_pid" && rc=0 || rc=$?
done
[ "$rc" = 0 ] || fail "browser test failed"
note "screenshots in $artifacts"
pub_pass
