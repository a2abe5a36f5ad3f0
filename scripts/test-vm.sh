#!/usr/bin/env bash
# The VM suite (tests/vm): the V4L2 and ALSA sources against the real vivid
# and snd-aloop drivers in Debian 12's kernel under QEMU (software emulation,
# one vCPU), about 3-5 minutes. Bounded: it gives up after CAV_VM_BUDGET
# seconds (default 600, kernel download included). Uses the build tree of
# scripts/test.sh (CAV_TEST_BUILDDIR, default build-test).
#   scripts/test-vm.sh        exit 0: every check passed or skipped (or no QEMU
#                             possible: the suite skipped); 1: something failed
# Every check the guest ran counts as a test. The results, one per line
# "vm / <check>\t<OK|FAIL|SKIP>" as scripts/test.sh counts them, are left in
# BUILDDIR/meson-logs/testlog-vm.tsv; scripts/test.sh (CAV_TEST_VM=1) folds
# them into its closing "N passed, N failed" line. Beside the checks:
#   vm / suite  SKIP  QEMU cannot run here (the only line then)
#   vm / suite  FAIL  the guest did not get to its end: budget exceeded,
#                     boot failure, or the guest script stopped
set -uo pipefail
cd "$(dirname "$0")/.."
builddir=${CAV_TEST_BUILDDIR:-build-test}
budget=${CAV_VM_BUDGET:-600}
[ -f "$builddir/build.ninja" ] || { echo "test-vm: build with scripts/test.sh first" >&2; exit 1; }
results=$builddir/tests/vm/out/results.tap # written by the guest (guest-tests.sh)
tsv=$builddir/meson-logs/testlog-vm.tsv
json=$builddir/meson-logs/testlog-vm.json
mkdir -p "$builddir/meson-logs"
rm -f "$results" "$tsv" "$json"

# QEMU's own timeout (run-vm.sh -t) a minute inside the budget, so a slow run
# still ends in the guest's partial results and the console's tail; the
# budget's timeout (whole process group: meson, QEMU) is the hard stop.
export CAV_VM_TIMEOUT=$((budget > 180 ? budget - 60 : budget * 2 / 3))
t0=$(date +%s)
# meson's own timeout for the test (600 s in tests/vm/meson.build) scaled to the budget
mult=$(awk -v b="$budget" 'BEGIN { m = b / 600; printf "%.2f", m < 1 ? 1 : m }')
timeout --kill-after=20 "$budget" meson test -C "$builddir" --suite vm --print-errorlogs \
	--logbase testlog-vm --timeout-multiplier "$mult"
rc=$?
secs=$(($(date +%s) - t0))

suite=$(sed -n 's/.*"name": "[^"]*vm-drivers".*"result": "\([A-Z]*\)".*/\1/p' "$json" 2>/dev/null | tail -1)
{
	if [ "$suite" = SKIP ]; then
		printf 'vm / suite\tSKIP\n'
	else
		[ -f "$results" ] && awk '
			/^(not )?ok - / {
				res = /^not ok/ ? "FAIL" : / # SKIP / ? "SKIP" : "OK"
				name = $0
				sub(/^(not )?ok - /, "", name)
				sub(/ # SKIP .*/, "", name)
				sub(/:.*/, "", name)
				printf "vm / %s\t%s\n", name, res
			}' "$results"
	fi
} >"$tsv"
# The suite as a whole fails when the guest did not get to its end, or when
# the run failed with no check to show for it.
if [ "$suite" != SKIP ] && { ! grep -q '^# done' "$results" 2>/dev/null ||
	{ [ $rc != 0 ] && ! grep -q 'FAIL$' "$tsv"; }; }; then
	printf 'vm / suite\tFAIL\n' >>"$tsv"
fi

echo "test-vm: $(grep -E '^(not )?ok' "$results" 2>/dev/null | wc -l) checks in ${secs} s (budget ${budget} s):"
[ -f "$results" ] && sed 's/^/  /' "$results"
if [ "$suite" = SKIP ]; then
	echo "test-vm: skipped (QEMU cannot run here)"
elif [ $rc = 124 ] || [ $rc = 137 ]; then
	echo "test-vm: over the budget of ${budget} s, stopped"
elif grep -q '^run-vm: exit 124 ' "$builddir/meson-logs/testlog-vm.txt" 2>/dev/null; then
	echo "test-vm: QEMU stopped at ${CAV_VM_TIMEOUT} s (a minute inside the ${budget} s budget) before the guest finished"
elif grep -q '^vm / suite' "$tsv"; then
	echo "test-vm: the guest did not finish (meson test status $rc; log: $builddir/meson-logs/testlog-vm.txt)"
fi
p=$(awk -F'\t' '$2 == "OK"' "$tsv" | wc -l)
f=$(awk -F'\t' '$2 == "FAIL"' "$tsv" | wc -l)
s=$(awk -F'\t' '$2 == "SKIP"' "$tsv" | wc -l)
echo "test-vm: ok ${p}, failed ${f}, skipped ${s}"
[ "$f" -eq 0 ]
