#!/bin/sh
# guest-tests.sh — runs INSIDE the VM (tests/vm/run-vm.sh): the project's
# V4L2 and ALSA sources against the real vivid and snd-aloop drivers, through
# the real recorder (tests/pipelines/record-forever), one boot for all.
#   1. vivid's webcam input in YUYV, and in MJPEG when vivid offers it
#   2. vivid's HDMI input (input 3)
#   3. two tones, one per channel, played into the ALSA loopback: the
#      microphone on channel 1 records channel 1's tone and not channel 2's
#   4. the webcam stops delivering mid-recording (vivid drops every buffer
#      for 4 s): lost, slate, rebuilt, restored, and no gap in the track
# usage: guest-tests.sh OUTDIR     (OUTDIR shared read-write with the host)
set -eu
OUT=$1
RF=$CAV_BUILD_ROOT/tests/pipelines/record-forever
HERE=$(cd "$(dirname "$0")" && pwd)
PY=python3
fails=0
# Each result is one line, on the console and in OUT/results.tap (read by
# scripts/test-vm.sh, which counts every check as a test): "ok - NAME: what",
# "not ok - NAME: why", "ok - NAME # SKIP why"; the last line "# done: ..."
# says the guest got to the end.
result() { printf '%s\n' "$(printf '%s' "$*" | tr '\n' ' ')" | tee -a "$OUT/results.tap"; }
ok() { result "ok - $*"; }
bad() { result "not ok - $*"; fails=$((fails + 1)); }
skip() { result "ok - $1 # SKIP $2"; }

frames() { ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$1"; }
max_gap() {
	ffprobe -v error -select_streams v:0 -show_entries packet=pts_time -of csv=p=0 "$1" |
		sort -g | awk 'NR > 1 { d = $1 - p; if (d > m) m = d } { p = $1 } END { print m + 0 }'
}
record() { # NAME SECONDS SOURCE...
	name=$1 secs=$2
	shift 2
	set -- "$RF" --dir "$OUT/$name" --seconds "$secs" --cameras 0 --mics 0 --segment 60 \
		--preset ultrafast --width 320 --height 240 "$@"
	"$@" >"$OUT/$name.log" 2>&1
}

echo "# kernel $(uname -r); $(grep -c . /proc/asound/cards) ALSA card lines"
v4l2-ctl -d /dev/video0 -i 0 >/dev/null
v4l2-ctl -d /dev/video0 -p 30 >/dev/null
formats=$(v4l2-ctl -d /dev/video0 --list-formats)

# ---- 1. webcam: YUYV, MJPEG -------------------------------------------------
for fmt in yuyv mjpeg; do
	if [ $fmt = mjpeg ] && ! echo "$formats" | grep -q MJPG; then
		skip "vivid webcam mjpeg" "vivid offers no MJPEG (its formats: $(echo "$formats" | grep -o "'[A-Z0-9 ]*'" | tr '\n' ' '))"
		continue
	fi
	record "webcam-$fmt" 6 --source "camera:cv:v4l2:device=vivid,format=$fmt,width=640,height=360" || true
	f=$(ls "$OUT/webcam-$fmt/cv/"*.mp4 2>/dev/null | head -1)
	n=$([ -n "$f" ] && frames "$f" || echo 0)
	if [ "${n:-0}" -ge 25 ] && [ "$(max_gap "$f")" != "" ] && awk -v g="$(max_gap "$f")" 'BEGIN { exit !(g <= 0.045) }' &&
		! grep -q '^health cv lost' "$OUT/webcam-$fmt.log"; then
		ok "vivid webcam $fmt: $n frames in 4 s"
	else
		bad "vivid webcam $fmt: ${n:-0} frames; log: $(tail -3 "$OUT/webcam-$fmt.log")"
	fi
done

# ---- 2. HDMI input -------------------------------------------------------------
record hdmi 6 --source "camera:hd:v4l2:device=vivid,input=3,format=auto" || true
f=$(ls "$OUT/hdmi/hd/"*.mp4 2>/dev/null | head -1)
n=$([ -n "$f" ] && frames "$f" || echo 0)
# vivid's HDMI input is 1920x1080: under TCG a few frames per second is all
# the guest converts; any steady picture proves the input.
if [ "${n:-0}" -ge 10 ] && ! grep -q '^health hd lost' "$OUT/hdmi.log"; then ok "vivid HDMI input: $n frames"; else bad "vivid HDMI input: ${n:-0} frames; $(tail -3 "$OUT/hdmi.log")"; fi
v4l2-ctl -d /dev/video0 -i 0 >/dev/null

# ---- 3. channel mapping through the ALSA loopback --------------------------------
# A steady 1000 Hz on channel 1 and 440 Hz on channel 2 of hw:Loopback,0,0; the
# microphone is channel 1 of hw:Loopback,1,0 (the capture side of the same
# substream). The recording must hold 1000 Hz and no 440 Hz: the right channel.
# aplay plays a generated file through a 2 s buffer, so the busy guest cannot
# starve it into underruns (which the loopback turns into silence); it opens
# the cable first, so 48 kHz S16LE stereo is what the microphone must ask for.
# The loopback copies silence until its playback side runs, so the recorder
# starts once the cable reports it running (at most 30 s: slow TCG start).
# The device is written hw:{CARD Loopback DEV 1 SUBDEV 0}: record-forever's
# --source splits its key=value pairs on every comma, so "hw:Loopback,1,0"
# reached the backend as "hw:Loopback" (device 0, whose capture side nobody
# plays into): the silence of the earlier runs.
playing() { # the playback side of cable 0, substream 0 runs
	awk '/^Cable 0 substream 0:/ { s = 1; next } /^Cable/ { s = 0 }
		s && $1 == "running:" { r = $2 } END { exit !(r % 2) }' "/proc/asound/Loopback/cable#0"
}
tones=$(mktemp /tmp/tones.XXXXXX)
$PY -c '
import array, math, sys
a = array.array("h")
for i in range(48000):
	a.append(int(16384 * math.sin(2 * math.pi * 1000 * i / 48000)))  # channel 1
	a.append(int(16384 * math.sin(2 * math.pi * 440 * i / 48000)))   # channel 2
open(sys.argv[1], "wb").write(a.tobytes() * 60)' "$tones"
aplay -q -D hw:Loopback,0,0 -t raw -f S16_LE -r 48000 -c 2 --buffer-time=2000000 "$tones" \
	>"$OUT/tone-player.log" 2>&1 &
player=$!
i=0
until playing || [ $i -ge 300 ]; do sleep 0.1; i=$((i + 1)); done
if ! playing; then
	bad "ALSA loopback, microphone on channel 1 of 2: the player did not start in 30 s: $(tail -3 "$OUT/tone-player.log")"
else
	# audiobasesrc's warnings say how much the capture dropped (read too late).
	GST_DEBUG=audiobasesrc:2 GST_DEBUG_NO_COLOR=1
	export GST_DEBUG GST_DEBUG_NO_COLOR
	record tone 6 --source "microphone:m1:alsa:device=hw:{CARD Loopback DEV 1 SUBDEV 0},channels=2,channel=1,role=judge" || true
	unset GST_DEBUG GST_DEBUG_NO_COLOR
	f=$(ls "$OUT/tone/audio/"*.mp4 2>/dev/null | head -1)
	res=$([ -n "$f" ] && ffmpeg -v error -i "$f" -f s16le -ac 1 -ar 48000 - |
		$PY "$HERE/tone-check.py" 1000 440) && tone_ok=1 || tone_ok=0
	dropped=$(awk '/warning: Dropped [0-9]+ samples/ {
		for (i = 1; i < NF; i++) if ($i == "Dropped") n += $(i + 1) }
		END { printf "%.1f", n / 48000 }' "$OUT/tone.log")
	if [ $tone_ok = 1 ] && ! grep -q '^health m1 lost' "$OUT/tone.log"; then
		ok "ALSA loopback, microphone on channel 1 of 2: ${res}; alsasrc dropped ${dropped} s (read too late)"
	else
		bad "ALSA loopback, microphone on channel 1 of 2: ${res:-no recording}; alsasrc dropped ${dropped} s; $(grep '^health' "$OUT/tone.log" | tr '\n' ';') $(grep -v WARN "$OUT/tone.log" | tail -2)"
	fi
fi
kill $player 2>/dev/null || true
wait $player 2>/dev/null || true
rm -f "$tones"

# ---- 4. the webcam stops delivering mid-recording -------------------------------
(sleep 5; v4l2-ctl -d /dev/video0 -c percentage_of_dropped_buffers=100; sleep 4;
 v4l2-ctl -d /dev/video0 -c percentage_of_dropped_buffers=0) &
record stall 16 --source "camera:cv:v4l2:device=vivid,format=yuyv,width=640,height=360,lost_after_ms=1000" || true
wait || true
f=$(ls "$OUT/stall/cv/"*.mp4 2>/dev/null | head -1)
gap=$([ -n "$f" ] && max_gap "$f" || echo 99)
if grep -q '^health cv lost' "$OUT/stall.log" && grep -q '^health cv ok' "$OUT/stall.log" &&
	awk -v g="$gap" 'BEGIN { exit !(g <= 0.045) }'; then
	ok "vivid stops delivering: lost, restored, largest gap ${gap}s"
else
	bad "vivid stops delivering: $(grep '^health' "$OUT/stall.log" | tr '\n' ';') gap ${gap}s"
fi

echo "# done: $fails failed" | tee -a "$OUT/results.tap"
[ $fails = 0 ]
