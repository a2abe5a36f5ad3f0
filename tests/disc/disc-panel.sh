#!/usr/bin/env bash
# The panel's disc screen in headless Chromium (playwright-core, as the
# panel's own e2e test): one sealed hearing burned by courtavctl to a stdio:
# pseudo-drive, then disc-panel.test.mjs opens the case's disc screen and
# finds the plan, the drives (none here) and the verified result.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../integration/lib.sh"
command -v /usr/bin/chromium >/dev/null || fail "chromium is not installed (scripts/install-deps.sh)"
command -v npm >/dev/null || fail "node and npm are needed (scripts/install-deps.sh)"
e2e=$here/../e2e
. "$e2e/node-deps.sh"
deps=$(cav_node_deps) || fail "npm ci failed"

CAV_SEGMENT_SECONDS=2 cav_setup disc-panel
sed -i -e "s|^listen = |ui_dir = $CAV_SOURCE_ROOT/ui\nlisten = |" "$CAV_INI"
cav_start
CASE='（2026）兵0101民初5号'
ctl case create --number "$CASE" --title '面板光盘测试' >/dev/null
ctl hearing open 1 >/dev/null
sleep 3
ctl hearing close 1 >/dev/null
ctl hearing seal 1 >/dev/null
ctl disc burn 1 --drive "stdio:$CAV_DIR/disc.iso" >/dev/null || fail "burn failed"

artifacts=$CAV_BUILD_ROOT/meson-logs/e2e
mkdir -p "$artifacts"
NODE_PATH=$deps/node_modules CAV_URL=$COURTAV_API CAV_USER=$CAV_CLERK CAV_PIN=$CAV_CLERK_PIN \
	CAV_CASE=$CASE CAV_ARTIFACTS=$artifacts CAV_PROFILE=$CAV_DIR/chromium \
	node "$here/disc-panel.test.mjs" || fail "browser test of the disc screen failed"
cav_pass
