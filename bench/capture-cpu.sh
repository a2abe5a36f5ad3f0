#!/bin/bash
# capture-cpu.sh — capture benchmarks (issue 3), each beside a peer in the same run.
#
# A. The largest configuration that keeps real time: N test cameras 1280x720@25
#    (x264 veryfast 2500 kb/s each) + a 1920x1080@25 program (4000 kb/s) + 2
#    microphones, for N in $CAMERAS (default "2 4 6"), each for SECONDS
#    (default 30); beside ffmpeg doing the same job (N lavfi testsrc2 720p25
#    encoded, the same N scaled into an xstack grid encoded at 1080p, with the
#    same x264 settings: veryfast, tune zerolatency — no B-frames, no
#    lookahead —, which courtav uses so a crash loses at most a GOP; without
#    it ffmpeg's B-frames and frame threads do the same job for less CPU).
#    "real time" = the program track holds >= 97% of the frames due over the
#    recording's wall time (frames the live compositor had to skip are missing).
# B. RTSP passthrough: K IP cameras (our test camera, 1280x720@25 H.264
#    ~2 Mb/s, one server, K sessions) recorded by passthrough (their H.264
#    straight into their tracks; decoded for a small program), K in $RTSP
#    (default "1 4 8"): the recorder's CPU per camera track.
# CPU = utime+stime of the process from /proc/<pid>/stat over the run,
# as % of one core.
#
# Usage: bench/capture-cpu.sh [SECONDS]     BUILD=<meson build dir> (default build)
set -euo pipefail
SECS=${1:-30}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
RF=$BUILD/tests/pipelines/record-forever
CAM=$BUILD/tests/capture/rtsp-camera
TCK=$(getconf CLK_TCK)
TMP=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$TMP"' EXIT
[ -x "$RF" ] || { echo "capture-cpu: build first (BUILD=$BUILD)" >&2; exit 1; }

cpu_ticks() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# run_measured SECONDS cmd...: runs the command for SECONDS of wall time,
# stops it (SIGINT), and prints "cpu% seconds": its CPU over the run, as %
# of one core, and the run's real length (the frames due are counted on it).
run_measured() {
	local secs=$1 pid t0 t1 last=0 now
	shift
	"$@" >"$TMP/run.log" 2>&1 &
	pid=$!
	t0=$(date +%s.%N)
	while awk -v a="$t0" -v b="$(date +%s.%N)" -v s="$secs" 'BEGIN { exit !(b - a < s) }'; do
		now=$(cpu_ticks $pid)
		[ "$now" != 0 ] && last=$now
		sleep 0.1
	done
	t1=$(date +%s.%N)
	kill -INT $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	awk -v c="$last" -v k="$TCK" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f %.2f\n", 100 * c / k / (b - a), b - a }'
}
frames() { # total video packets of all files under a folder
	local n=0 f
	for f in $(find "$1" -name '*.mp4'); do
		n=$((n + $(ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$f" 2>/dev/null || echo 0)))
	done
	echo $n
}

echo "# host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "## A. N x 720p25 cameras + 1080p25 program, ${SECS}s each"
printf '%-4s %-12s %-14s %-5s %-12s %-14s %-5s\n' N courtav_cpu% program_frames rt ffmpeg_cpu% ffmpeg_frames rt
for n in ${CAMERAS:-2 4 6}; do
	rm -rf "$TMP/c"
	read -r c cs < <(run_measured "$SECS" "$RF" --dir "$TMP/c" --seconds 0 --cameras "$n" --mics 2 \
		--width 1280 --height 720 --program-width 1920 --program-height 1080 \
		--camera-kbps 2500 --program-kbps 4000 --preset veryfast --segment 300 --layout auto)
	pf=$(frames "$TMP/c/program")
	rm -rf "$TMP/c" # the next run starts clean
	inputs=() fc="" grid=""
	cols=$(( n <= 1 ? 1 : n <= 4 ? 2 : 3 )); rows=$(( (n + cols - 1) / cols ))
	for i in $(seq 0 $((n - 1))); do
		inputs+=(-f lavfi -i "testsrc2=size=1280x720:rate=25")
		fc+="[$i:v]split[e$i][p$i];[p$i]scale=$((1920 / cols)):$((1080 / rows))[s$i];"
		grid+="$((i % cols * 1920 / cols))_$((i / cols * 1080 / rows))|"
	done
	fc+="$(for i in $(seq 0 $((n - 1))); do printf '[s%d]' $i; done)xstack=inputs=$n:layout=${grid%|}:fill=black,scale=1920:1080[prog]"
	[ "$n" = 1 ] && fc="[0:v]split[e0][p0];[p0]scale=1920:1080[prog]"
	outs=()
	for i in $(seq 0 $((n - 1))); do
		outs+=(-map "[e$i]" -c:v libx264 -preset veryfast -tune zerolatency -b:v 2500k -g 25 -f mp4 -movflags frag_keyframe+empty_moov "$TMP/f-cam$i.mp4")
	done
	outs+=(-map "[prog]" -c:v libx264 -preset veryfast -tune zerolatency -b:v 4000k -g 25 -f mp4 -movflags frag_keyframe+empty_moov "$TMP/f-prog.mp4")
	read -r f fs < <(run_measured "$SECS" ffmpeg -v error -y -re "${inputs[@]}" -filter_complex "$fc" "${outs[@]}")
	ff=$(ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$TMP/f-prog.mp4" 2>/dev/null || echo 0)
	due() { awk -v s="$1" 'BEGIN { printf "%d", s * 25 }'; }
	rt() { awk -v n="$1" -v s="$2" 'BEGIN { print (n >= 0.97 * s * 25 ? "yes" : "no") }'; }
	printf '%-4s %-12s %-14s %-5s %-12s %-14s %-5s\n' "$n" "$c" "$pf/$(due "$cs")" "$(rt "$pf" "$cs")" \
		"$f" "$ff/$(due "$fs")" "$(rt "$ff" "$fs")"
done

if [ -x "$CAM" ]; then
	echo "## B. RTSP passthrough, 1280x720@25 camera H.264, ${SECS}s each"
	printf '%-4s %-12s %-14s\n' K courtav_cpu% per_track_cpu%
	"$CAM" --port 0 --log /dev/null --width 1280 --height 720 --fps 25 >"$TMP/cam.out" 2>&1 &
	sleep 1
	port=$(awk '/^ready/ { print $2 }' "$TMP/cam.out")
	for k in ${RTSP:-1 4 8}; do
		src=()
		for i in $(seq 1 "$k"); do src+=(--source "camera:ip$i:rtsp:url=rtsp://127.0.0.1:$port/cam"); done
		rm -rf "$TMP/r"
		read -r c _ < <(run_measured "$SECS" "$RF" --dir "$TMP/r" --seconds 0 --cameras 0 --mics 0 \
			--width 320 --height 180 --program-width 640 --program-height 360 --preset ultrafast \
			--program-kbps 500 --segment 300 --layout auto "${src[@]}")
		printf '%-4s %-12s %-14s\n' "$k" "$c" "$(awk -v c="$c" -v k="$k" 'BEGIN { printf "%.1f", c / k }')"
	done
fi
