#!/usr/bin/env bash
# vm-suite.sh — the 'vm' meson suite: boots the VM once (run-vm.sh) and runs
# guest-tests.sh in it against vivid and snd-aloop. Results land in a folder
# under the build tree shared read-write with the guest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${CAV_BUILD_ROOT:?run through meson test}"
out=$CAV_BUILD_ROOT/tests/vm/out
rm -rf "$out"
mkdir -p "$out"
# The MJPEG webcam's frames, made here: gst-launch costs ~8 s in the guest.
sh "$here/guest-tests.sh" --frames "$out/mjpeg-frames" >/dev/null 2>&1 || true
set +e
"$here/run-vm.sh" -t "${CAV_VM_TIMEOUT:-540}" -w "$out" -- sh "$here/guest-tests.sh" "$out"
rc=$?
set -e
for log in "$out"/*.log; do
	[ -f "$log" ] && { echo "---- $(basename "$log") (tail)"; tail -n 5 "$log"; }
done
exit $rc
