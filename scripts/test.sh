#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds with the address and
# undefined-behaviour sanitizers, runs every suite, and ends with one line
# "N passed, N failed".
#   scripts/test.sh                 unit + integration + fuzz (corpus replay) + e2e (browser)
#   CAV_SUITES="unit" scripts/test.sh   only the named suites
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh || exit 1
builddir=${CAV_TEST_BUILDDIR:-build-test}
if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" -Db_sanitize=address,undefined -Db_lundef=false \
    --buildtype=debug >/dev/null || exit 1
fi
ninja -C "$builddir" || exit 1

suites=${CAV_SUITES:-unit integration fuzz e2e}
args=()
for s in $suites; do args+=(--suite "$s"); done
meson test -C "$builddir" --print-errorlogs --num-processes 2 "${args[@]}"
status=$?

# meson's own summary is not the contract: count from its JSON log.
log="$builddir/meson-logs/testlog.json"
if [ -f "$log" ]; then
  passed=$(grep -c '"result": "OK"' "$log" || true)
  skipped=$(grep -c '"result": "SKIP"' "$log" || true)
  failed=$(grep -c -E '"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"' "$log" || true)
else
  passed=0 skipped=0 failed=1
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
