#!/usr/bin/env bash
# The VM suite (tests/vm): the V4L2 and ALSA sources against the real vivid
# and snd-aloop drivers in Debian 12's kernel under QEMU (software emulation,
# one vCPU). Bounded: it gives up after CAV_VM_BUDGET seconds (default 900,
# kernel download included). Uses the build tree of scripts/test.sh.
#   scripts/test-vm.sh        exit 0 passed or skipped (no QEMU possible), 1 failed
set -uo pipefail
cd "$(dirname "$0")/.."
builddir=${CAV_TEST_BUILDDIR:-build-test}
[ -f "$builddir/build.ninja" ] || { echo "test-vm: build with scripts/test.sh first" >&2; exit 1; }
timeout "${CAV_VM_BUDGET:-900}" meson test -C "$builddir" --suite vm --print-errorlogs
rc=$?
log="$builddir/meson-logs/testlog.json"
if grep -q '"result": "SKIP"' "$log" 2>/dev/null; then
	echo "test-vm: skipped (QEMU cannot run here)"
	exit 0
fi
[ $rc -eq 0 ] && echo "test-vm: passed" || echo "test-vm: FAILED (status $rc)"
[ $rc -eq 0 ]
