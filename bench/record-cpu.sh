#!/bin/bash
# record-cpu.sh — CPU cost of recording the demo configuration, courtav vs ffmpeg.
#
# Records, one after the other in the same run, for SECONDS each (default 60):
#   courtav: tests/pipelines/record-forever — 3 test cameras 1280x720@25 (x264
#            veryfast 2500 kb/s each), a 2x2 program 1280x720 with caption and
#            clock (3000 kb/s), 2 test microphones mixed to AAC 128 kb/s, every
#            track in 300 s fragmented-MP4 segments;
#   ffmpeg:  one command producing the same five outputs: 3 x lavfi testsrc2
#            720p25 with a label (libx264 veryfast 2500k), an xstack 2x2
#            program 720p with caption and clock (3000k), an amix of 2 sines
#            to AAC 128k, each into segmented fragmented MP4.
# CPU is utime+stime from /proc/<pid>/stat, read after SECONDS of recording
# (start-up included, the final drain excluded, for both alike).
#
# Usage: bench/record-cpu.sh [SECONDS]
#   BUILD=<meson build dir>   where record-forever was built (default: build)
#   FFMPEG_SOURCE=testsrc2    lavfi camera source (smptebars: static bars)
#   KEEP=1                    keep the recordings (printed folder)
# Caveats, printed with the table: the camera pictures differ (videotestsrc
# patterns vs lavfi testsrc2) and x264's cost depends on the picture; ffmpeg
# encodes the AAC mix once per output (5x), courtav once.
set -euo pipefail

SECONDS_TO_RECORD=${1:-60}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
FFMPEG_SOURCE=${FFMPEG_SOURCE:-testsrc2}
RECORDER=$BUILD/tests/pipelines/record-forever
CLK_TCK=$(getconf CLK_TCK)

die() {
	echo "record-cpu: $*" >&2
	exit 1
}

[ -x "$RECORDER" ] || die "$RECORDER not found; build first or set BUILD="
command -v ffmpeg >/dev/null || die "ffmpeg not installed"
command -v ffprobe >/dev/null || die "ffprobe not installed"

OUT=$(mktemp -d /tmp/record-cpu-XXXXXX)
cleanup() {
	if [ "${KEEP:-0}" = 1 ]; then
		echo "recordings kept in $OUT"
	else
		rm -rf "$OUT"
	fi
}
trap cleanup EXIT

# CPU seconds (user+system, all threads) of a running process.
cpu_seconds() {
	# Fields after the ")" of the command name: utime is the 12th, stime the 13th.
	local stat rest
	stat=$(cat "/proc/$1/stat")
	rest=${stat##*) }
	awk -v tck="$CLK_TCK" '{ printf "%.2f", ($12 + $13) / tck }' <<<"$rest"
}

# Runs "$@" in the background for SECONDS_TO_RECORD, prints its CPU seconds
# then, and stops it gracefully with SIGINT.
measure() {
	local log=$1 pid cpu
	shift
	"$@" >"$log" 2>&1 &
	pid=$!
	sleep "$SECONDS_TO_RECORD"
	kill -0 "$pid" 2>/dev/null || die "$1 exited early; see $log"
	cpu=$(cpu_seconds "$pid")
	kill -INT "$pid"
	wait "$pid" || true
	echo "$cpu"
}

duration() {
	ffprobe -v error -show_entries format=duration -of csv=p=0 "$1" 2>/dev/null || echo "?"
}

# --- courtav ---
mkdir -p "$OUT/courtav"
GST_CPU=$(measure "$OUT/courtav.log" "$RECORDER" --dir "$OUT/courtav" \
	--cameras 3 --mics 2 --width 1280 --height 720 --fps 25 \
	--program-width 1280 --program-height 720 --layout auto \
	--camera-kbps 2500 --program-kbps 3000 --audio-kbps 128 \
	--segment 300 --fragment-ms 1000 --keyframe 1 --preset veryfast \
	--overlay "Room 101 demo")
grep -q '^stopped' "$OUT/courtav.log" || die "courtav did not stop cleanly; see $OUT/courtav.log"
GST_PROGRAM=$(find "$OUT/courtav/program" -name '*.mp4' | sort | head -1)

# --- ffmpeg ---
mkdir -p "$OUT/ffmpeg"
SEG=(-f segment -segment_time 300 -segment_format mp4 -reset_timestamps 1
	-segment_format_options movflags=+frag_keyframe+empty_moov+default_base_moof)
X264=(-c:v libx264 -preset veryfast -tune zerolatency -g 25 -keyint_min 25 -sc_threshold 0
	-pix_fmt yuv420p)
AAC=(-c:a aac -b:a 128k)
CAM="$FFMPEG_SOURCE=size=1280x720:rate=25"
LABEL="drawtext=text='Camera %d':x=14:y=14:fontsize=20:fontcolor=white:box=1:boxcolor=gray"
FILTER="[0:v]$(printf "$LABEL" 1),split=2[c1][p1];"
FILTER+="[1:v]$(printf "$LABEL" 2),split=2[c2][p2];"
FILTER+="[2:v]$(printf "$LABEL" 3),split=2[c3][p3];"
FILTER+="[p1]scale=640:360[s1];[p2]scale=640:360[s2];[p3]scale=640:360[s3];"
FILTER+="[s1][s2][s3]xstack=inputs=3:layout=0_0|640_0|0_360:fill=black,"
FILTER+="drawtext=text='Room 101 demo':x=28:y=620:fontsize=32:fontcolor=white:box=1:boxcolor=gray,"
FILTER+="drawtext=text='%{localtime\\:%Y-%m-%d %H\\\\\\:%M\\\\\\:%S}':x=28:y=660:fontsize=32:"
FILTER+="fontcolor=white:box=1:boxcolor=gray[prog];"
FILTER+="[3:a][4:a]amix=inputs=2,asplit=5[a1][a2][a3][ap][aa]"
FF_CPU=$(measure "$OUT/ffmpeg.log" ffmpeg -nostdin -hide_banner -loglevel warning \
	-re -f lavfi -i "$CAM" -re -f lavfi -i "$CAM" -re -f lavfi -i "$CAM" \
	-re -f lavfi -i "sine=frequency=220:sample_rate=48000" \
	-re -f lavfi -i "sine=frequency=440:sample_rate=48000" \
	-filter_complex "$FILTER" \
	-map '[c1]' -map '[a1]' "${X264[@]}" -b:v 2500k "${AAC[@]}" "${SEG[@]}" \
	"$OUT/ffmpeg/cam1_%04d.mp4" \
	-map '[c2]' -map '[a2]' "${X264[@]}" -b:v 2500k "${AAC[@]}" "${SEG[@]}" \
	"$OUT/ffmpeg/cam2_%04d.mp4" \
	-map '[c3]' -map '[a3]' "${X264[@]}" -b:v 2500k "${AAC[@]}" "${SEG[@]}" \
	"$OUT/ffmpeg/cam3_%04d.mp4" \
	-map '[prog]' -map '[ap]' "${X264[@]}" -b:v 3000k "${AAC[@]}" "${SEG[@]}" \
	"$OUT/ffmpeg/program_%04d.mp4" \
	-map '[aa]' "${AAC[@]}" "${SEG[@]}" "$OUT/ffmpeg/audio_%04d.mp4")
FF_PROGRAM=$OUT/ffmpeg/program_0000.mp4

# --- table ---
awk -v s="$SECONDS_TO_RECORD" -v g="$GST_CPU" -v f="$FF_CPU" \
	-v gd="$(duration "$GST_PROGRAM")" -v fd="$(duration "$FF_PROGRAM")" \
	-v src="$FFMPEG_SOURCE" -v cores="$(nproc)" 'BEGIN {
	printf "Demo configuration, %d s each, %d CPU cores\n", s, cores
	printf "%-10s %12s %16s %14s\n", "recorder", "CPU s", "CPU s / rec min", "program file s"
	printf "%-10s %12.1f %16.1f %14s\n", "courtav", g, g * 60 / s, gd
	printf "%-10s %12.1f %16.1f %14s\n", "ffmpeg", f, f * 60 / s, fd
	printf "ratio courtav/ffmpeg: %.2f\n", g / f
	printf "(courtav cameras: videotestsrc patterns; ffmpeg cameras: lavfi %s;\n", src
	printf " ffmpeg encodes the AAC mix once per output, courtav once in all)\n"
}'
