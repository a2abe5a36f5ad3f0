#!/usr/bin/env bash
# CPU cost of the program composite per layout, 1080p25, beside ffmpeg doing
# the same layout in the same run (docs/BENCHMARKS.md, "Program").
#
# courtav: tests/pipelines/program-bench (the real program bin: per-input
# pre-scale, compositor, caption + case + Beijing clock overlays) on N
# non-live 1280x720 test cameras, where N is the layout's number of panes,
# as fast as it can for FRAMES frames, minus a baseline run that only makes
# the same test pictures. ffmpeg: lavfi testsrc2 inputs of the same size,
# scale + xstack (grids, 1 + 4, 1 + 5) or overlay (PiP) to the same pane
# geometry, two drawtext overlays (caption, local time), to -f null; minus a
# baseline that only makes its inputs. Both as user+system CPU seconds, per
# second of program (25 frames). Neither encodes: encoding costs the same
# either way (see "Recording").
#
# Usage: BUILD=<build dir> bench/program-cpu.sh [FRAMES]   (default 500: 20 s)
set -euo pipefail
BUILD=${BUILD:?set BUILD to a meson build directory}
FRAMES=${1:-500}
BENCH=$BUILD/tests/pipelines/program-bench
FONT=$(fc-match -f '%{file}' 'Noto Sans CJK SC' 2>/dev/null || true)
[ -x "$BENCH" ] || { echo "build $BENCH first (ninja -C $BUILD)"; exit 1; }

panes() { case $1 in 1) echo 1 ;; 2 | pip) echo 2 ;; 4) echo 4 ;; 5) echo 5 ;; 6) echo 6 ;; esac; }

# ffmpeg filter graph for a layout: scale each input to its pane (fitted,
# 16:9), place them, then the two text overlays.
graph() {
	local s=""
	case $1 in
	1) s="[0:v]scale=1920:1080[v0];[v0]null[p]" ;;
	2) s="[0:v]scale=960:540[a];[1:v]scale=960:540[b];[a][b]xstack=inputs=2:layout=0_0|960_0,pad=1920:1080:0:270[p]" ;;
	4) s="[0:v]scale=960:540[a];[1:v]scale=960:540[b];[2:v]scale=960:540[c];[3:v]scale=960:540[d];"
	   s+="[a][b][c][d]xstack=inputs=4:layout=0_0|960_0|0_540|960_540[p]" ;;
	5) s="[0:v]scale=1440:810[m];[1:v]scale=480:270[a];[2:v]scale=480:270[b];[3:v]scale=480:270[c];[4:v]scale=480:270[d];"
	   s+="[m][a][b][c][d]xstack=inputs=5:layout=240_0|0_810|480_810|960_810|1440_810:fill=black[p]" ;;
	6) s="[0:v]scale=1280:720[m];[1:v]scale=640:360[a];[2:v]scale=640:360[b];[3:v]scale=640:360[c];[4:v]scale=640:360[d];[5:v]scale=640:360[e];"
	   s+="[m][a][b][c][d][e]xstack=inputs=6:layout=0_0|1280_0|1280_360|0_720|640_720|1280_720:fill=black[p]" ;;
	pip) s="[0:v]scale=1920:1080[m];[1:v]scale=480:270[i];[m][i]overlay=1404:36[p]" ;;
	esac
	s+=";[p]drawtext=fontfile=$FONT:text='测试人民法院 第一法庭':fontsize=36:x=20:y=20:box=1:boxcolor=black@0.5:fontcolor=white"
	s+=",drawtext=fontfile=$FONT:text='%{localtime}':fontsize=36:x=20:y=h-60:box=1:boxcolor=black@0.5:fontcolor=white[out]"
	echo "$s"
}

inputs() {
	local n=$1 args=()
	for i in $(seq "$n"); do
		args+=(-f lavfi -i "testsrc2=size=1280x720:rate=25")
	done
	echo "${args[@]}"
}

# user+system CPU seconds of a command.
cpu() {
	/usr/bin/time -f "%U %S" -o "$tmp/time" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
	awk '{ print $1 + $2 }' "$tmp/time"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
secs=$(awk -v f="$FRAMES" 'BEGIN { print f / 25 }')
echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $FRAMES frames ($secs s of program) per run"
printf '%-6s %6s %12s %12s %7s\n' layout panes courtav_cpu ffmpeg_cpu ratio
for layout in 1 2 4 5 6 pip; do
	n=$(panes "$layout")
	gst=$(cpu "$BENCH" --layout "$layout" --cameras "$n" --frames "$FRAMES")
	gst0=$(cpu "$BENCH" --baseline --cameras "$n" --frames "$FRAMES")
	# shellcheck disable=SC2046
	ff=$(cpu ffmpeg -hide_banner -nostdin $(inputs "$n") -filter_complex "$(graph "$layout")" \
		-map '[out]' -frames:v "$FRAMES" -f null -)
	maps=()
	for i in $(seq 0 $((n - 1))); do maps+=(-map "$i:v"); done
	# shellcheck disable=SC2046
	ff0=$(cpu ffmpeg -hide_banner -nostdin $(inputs "$n") "${maps[@]}" -frames:v "$FRAMES" -f null -)
	awk -v l="$layout" -v n="$n" -v g="$gst" -v g0="$gst0" -v f="$ff" -v f0="$ff0" -v s="$secs" 'BEGIN {
		a = (g - g0) / s; b = (f - f0) / s
		printf "%-6s %6d %12.3f %12.3f %7.2f\n", l, n, a, b, (b > 0 ? a / b : 0) }'
done
echo "# CPU seconds per second of 1080p25 program, test-picture generation subtracted"
