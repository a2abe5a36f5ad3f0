#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds with the address and
# undefined-behaviour sanitizers, runs every suite, and ends with one line
# "N passed, N failed".
#   scripts/test.sh                 unit + integration + fuzz (corpus replay) + e2e (browser)
#   CAV_SUITES="unit" scripts/test.sh   only the named suites
#   CAV_TEST_VM=1 scripts/test.sh       and then the VM suite (tests/vm), bounded
#                                       by CAV_VM_BUDGET s (600); CI does this
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

# meson's own summary is not the contract: count from its JSON log, one line
# per test: "<name>\t<result>".
log="$builddir/meson-logs/testlog.json"
results() {
  sed -n 's/.*"name": "\([^"]*\)".*"result": "\([A-Z]*\)".*/\1\t\2/p' "$1"
}
if [ ! -f "$log" ]; then
  echo "0 passed, 1 failed"
  exit 1
fi
first="$builddir/meson-logs/testlog-first.tsv"
results "$log" >"$first"

# Timing-bound tests (real pipelines, real processes on loopback) can miss a
# deadline on a machine busy with other work. A test that failed is run once
# more, alone; it counts as passed only if that second run passes, and both
# runs are reported so a flaky test stays visible.
retry=$(awk -F'\t' '$2 != "OK" && $2 != "SKIP" { sub(/^courtav:[a-z0-9-]* \/ /, "", $1); print $1 }' "$first")
final="$first"
if [ -n "$retry" ]; then
  echo "retrying once, one at a time: $(echo $retry)"
  # shellcheck disable=SC2086
  meson test -C "$builddir" --print-errorlogs --num-processes 1 $retry
  again="$builddir/meson-logs/testlog-retry.tsv"
  results "$log" >"$again"
  final="$builddir/meson-logs/testlog-final.tsv"
  awk -F'\t' 'NR == FNR { r[$1] = $2; next } { if ($1 in r) $2 = r[$1]; print $1 "\t" $2 }' \
    OFS='\t' "$again" "$first" >"$final"
  echo "passed on retry: $(awk -F'\t' 'NR == FNR { if ($2 == "OK") ok[$1] = 1; next } ($1 in ok) { print $1 }' "$again" "$first" | tr '\n' ' ')"
fi

# The VM suite (tests/vm: the capture backends against the real vivid and
# snd-aloop drivers under QEMU, 3-5 minutes): opt-in with CAV_TEST_VM=1, as
# .ci/run does. It runs after the other suites, alone, bounded by
# CAV_VM_BUDGET seconds (default 600), and each check the guest ran counts as
# a test below; a machine that cannot run QEMU adds one skipped, a run that
# overruns the budget or does not finish adds one failed (scripts/test-vm.sh).
if [ "${CAV_TEST_VM:-0}" = 1 ]; then
  CAV_TEST_BUILDDIR="$builddir" scripts/test-vm.sh
  vm="$builddir/meson-logs/testlog-vm.tsv"
  [ -s "$vm" ] || printf 'vm / suite\tFAIL\n' >"$vm"
  all="$builddir/meson-logs/testlog-all.tsv"
  cat "$final" "$vm" >"$all"
  final="$all"
fi
passed=$(awk -F'\t' '$2 == "OK"' "$final" | wc -l)
skipped=$(awk -F'\t' '$2 == "SKIP"' "$final" | wc -l)
failed=$(awk -F'\t' '$2 != "OK" && $2 != "SKIP"' "$final" | wc -l)
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$failed" -eq 0 ]
