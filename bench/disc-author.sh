#!/usr/bin/env bash
# Disc authoring and verification throughput: courtav beside xorriso on the
# same folder in the same run (docs/BENCHMARKS.md, "Discs").
#
# A real courtavd records one hearing of SECONDS seconds with noisy test
# cameras at high bitrates (so the case weighs hundreds of MB), closes and
# seals it. Then, with the case's files warm in the page cache for both:
#   courtav author  — `courtavctl disc author`: the daemon builds the disc
#                     (libisofs via libisoburn, RR + Joliet + MD5s) into a
#                     stdio: image AND reads every file back through the
#                     "drive" and verifies it (SHA-256, manifests, signatures)
#                     before it reports success;
#   courtav verify  — `courtavctl disc verify IMAGE`: the offline check alone;
#   xorriso author  — `xorriso -as mkisofs -R -J -joliet-long --md5` of the
#                     same case folder;
#   xorriso verify  — `xorriso -md5 on -indev IMAGE -check_md5_r` (reads every
#                     file and compares its recorded MD5).
# MB/s are payload (the case folder's bytes) per wall-clock second.
#
# Usage: BUILD=<build dir> bench/disc-author.sh [SECONDS]   (default 30)
set -euo pipefail
BUILD=${BUILD:?set BUILD to a meson build directory}
SECONDS_REC=${1:-30}
export CAV_BUILD_ROOT=$BUILD
for tool in xorriso /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "needs $tool"; exit 1; }
done
# shellcheck source=../tests/integration/lib.sh
. "$(dirname "$0")/../tests/integration/lib.sh"

cav_setup disc-bench
# Bigger, noisier pictures at high bitrates: hundreds of MB in a short run.
sed -i -e 's/^width = .*/width = 640/' -e 's/^height = .*/height = 360/' \
	-e 's/^program_width = .*/program_width = 1280/' -e 's/^program_height = .*/program_height = 360/' \
	-e 's/^camera_kbps = .*/camera_kbps = 30000/' -e 's/^program_kbps = .*/program_kbps = 30000/' \
	-e 's/^segment_seconds = .*/segment_seconds = 10/' -e 's/^pattern = .*/pattern = snow/' "$CAV_INI"
cav_start
ctl case create --number '（2026）兵0101刑初99号' --title '基准测试案' >/dev/null
ctl hearing open 1 >/dev/null
sleep "$SECONDS_REC"
ctl hearing close 1 >/dev/null
ctl hearing seal 1 >/dev/null

CASE=$(dirname "$(sql "SELECT media_dir FROM hearings WHERE id = 1")")
BYTES=$(du -sb "$CASE" | cut -f1)
FILES=$(find "$CASE" -type f | wc -l)
MB=$(awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1e6 }')
warm() { find "$CASE" -type f -exec cat {} + >/dev/null; }

# secs CMD...: wall-clock seconds of one run (the command must succeed).
secs() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}
rate() { awk -v s="$1" -v mb="$MB" 'BEGIN { printf "%.0f", mb / s }'; }

warm
t_author=$(secs ctl disc author 1 -o "$CAV_DIR/courtav.iso")
t_verify=$(secs ctl disc verify "$CAV_DIR/courtav.iso" --public-key "$CAV_STATE/device-key.pub")
warm
t_xauthor=$(secs xorriso -as mkisofs -R -J -joliet-long --md5 -quiet -o "$CAV_DIR/xorriso.iso" "$CASE")
t_xverify=$(secs xorriso -md5 on -indev "$CAV_DIR/xorriso.iso" -check_md5_r FAILURE / --)
size_c=$(stat -c %s "$CAV_DIR/courtav.iso")
size_x=$(stat -c %s "$CAV_DIR/xorriso.iso")

echo "case folder: $MB MB in $FILES files (${SECONDS_REC} s of recording); $(nproc) cores"
printf '%-34s %8s %8s\n' "step" "seconds" "MB/s"
printf '%-34s %8s %8s\n' "courtav author + read-back verify" "$t_author" "$(rate "$t_author")"
printf '%-34s %8s %8s\n' "courtav verify (offline)" "$t_verify" "$(rate "$t_verify")"
printf '%-34s %8s %8s\n' "xorriso -as mkisofs" "$t_xauthor" "$(rate "$t_xauthor")"
printf '%-34s %8s %8s\n' "xorriso -check_md5_r" "$t_xverify" "$(rate "$t_xverify")"
echo "image sizes: courtav $size_c B (with player, pages, set manifest), xorriso $size_x B"
cav_stop
