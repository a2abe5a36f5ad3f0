#!/usr/bin/env bash
# Browser test of the relay console (console.test.mjs): login, room grid,
# the low-latency view within 1 s, the cut from a tile; then every view and
# cut is checked in the relay's audit log. Same tooling as watch-e2e.sh.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
command -v /usr/bin/chromium >/dev/null || fail "chromium is not installed (scripts/install-deps.sh)"
command -v node >/dev/null && command -v npm >/dev/null || fail "node and npm are needed (scripts/install-deps.sh)"
e2e=$CAV_SOURCE_ROOT/tests/e2e
. "$e2e/node-deps.sh"
deps=$(cav_node_deps) || fail "npm ci failed"
pub_setup console
pub_user insp inspector insp-secret-123
pub_user op operator op-secret-123
pub_start
pub_cmd 'set t1/pub public=1 live=1 hearing=1'
pub_cmd 'set t1/priv public=0 live=1 hearing=2'
artifacts=$CAV_BUILD_ROOT/meson-logs/e2e
mkdir -p "$artifacts"
NODE_PATH=$deps/node_modules CAV_URL=$PUB_URL CAV_ARTIFACTS=$artifacts CAV_PROFILE=$PUB_DIR/chromium \
	CAV_INSPECTOR_PASSWORD=insp-secret-123 CAV_OPERATOR_PASSWORD=op-secret-123 \
	node "$here/console.test.mjs" || fail "browser test failed"
sleep 0.5
db() { sqlite3 -batch -noheader "$PUB_DIR/state/registry.db" "$@"; }
starts=$(db "SELECT count(*) FROM audit WHERE actor = 'insp' AND action = 'view.start' AND object = 't1/priv' AND detail LIKE '%\"hearing_id\":2%'")
stops=$(db "SELECT count(*) FROM audit WHERE actor = 'insp' AND action = 'view.stop' AND object = 't1/priv'")
[ "$starts" -ge 3 ] || fail "view.start audit rows: $starts ($(db 'SELECT actor, action, object, detail FROM audit'))"
[ "$stops" = "$starts" ] || fail "view.stop audit rows: $stops of $starts"
[ "$(db "SELECT count(*) FROM audit WHERE actor = 'op' AND action = 'public.cut' AND object = 't1/pub'")" = 1 ] || fail "no public.cut audit row"
[ "$(db "SELECT count(*) FROM audit WHERE actor = 'op' AND action = 'public.uncut' AND object = 't1/pub'")" = 1 ] || fail "no public.uncut audit row"
note "audit: $starts views of t1/priv by insp, each with start and stop; cut and uncut by op"
pub_pass
