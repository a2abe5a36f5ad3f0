#!/bin/sh
# guest-tests.sh — runs INSIDE the VM (tests/vm/run-vm.sh): the project's
# V4L2 and ALSA sources against the real vivid and snd-aloop drivers, through
# the real recorder (tests/pipelines/record-forever), one boot for all.
#   1. vivid's webcam input in YUYV; MJPEG (vivid has none in 6.1) from a
#      v4l2loopback device fed JPEG frames by a producer: the real v4l2src ─
#      image/jpeg ─ jpegdec path against a kernel driver; skipped with the
#      reason when the host could not build the module (CAV_VM_NO_V4L2LOOPBACK)
#   2. vivid's HDMI input (input 3)
#   3. two tones, one per channel, played into the ALSA loopback: the
#      microphone on channel 1 records channel 1's tone and not channel 2's
#   4. the webcam stops delivering mid-recording (vivid drops every buffer
#      for 4 s): lost, slate, rebuilt, restored, and no gap in the track
# usage: guest-tests.sh OUTDIR     (OUTDIR shared read-write with the host)
#        guest-tests.sh --frames DIR (on the host, by vm-suite.sh: the JPEG
#        frames of the MJPEG webcam, which would cost ~8 s in the guest)
set -eu
# A second of a moving ball as 25 JPEG files, 4:2:2 as UVC cameras send.
mjpeg_frames() { # DIR
	mkdir -p "$1"
	gst-launch-1.0 -q videotestsrc num-buffers=25 pattern=ball ! \
		video/x-raw,format=YUY2,width=640,height=360,framerate=25/1 ! jpegenc ! \
		multifilesink location="$1/f%02d.jpg"
}
if [ "${1:-}" = --frames ]; then
	mjpeg_frames "$2"
	exit
fi
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

# ---- 1. webcam: YUYV (vivid), MJPEG (v4l2loopback) -------------------------------
# A webcam recording passes with 25 frames or more, no timestamp gap over a
# frame (25 fps) and the source never reported lost. The recorder's output
# rate is its own (the guard's frame clock repeats the camera's latest
# frame), so the frames that differ from the one before are counted too: the
# camera's own frames that reached the track (MJPEG: 10 or more required).
video_stats() { # FILE: "FRAMES LARGEST-GAP DISTINCT" in one decode (each ffmpeg
	# start costs seconds under TCG); DISTINCT: frames mpdecimate keeps, those
	# that differ from the one before
	ffmpeg -nostdin -v info -nostats -i "$1" -an -vf showinfo,mpdecimate,showinfo -f null - 2>&1 |
		awk '/Parsed_showinfo_0/ && match($0, /pts_time:[-0-9.e]+/) { t[n++] = substr($0, RSTART + 9, RLENGTH - 9) }
			/Parsed_showinfo_2/ && /pts_time:/ { d++ }
			END { for (i = 1; i < n; i++) if (t[i] - t[i - 1] > m) m = t[i] - t[i - 1]; print n + 0, m + 0, d + 0 }'
}
webcam_ok() { # NAME ID: sets n (frames), gap (largest, s), distinct; true when it passes
	f=$(ls "$OUT/$1/$2/"*.mp4 2>/dev/null | head -1)
	set -- "$1" "$2" $([ -n "$f" ] && video_stats "$f")
	n=${3:-0} gap=${4:-99} distinct=${5:-0}
	[ "$n" -ge 25 ] && awk -v g="$gap" 'BEGIN { exit !(g <= 0.045) }' &&
		! grep -q "^health $2 lost" "$OUT/$1.log"
}
record webcam-yuyv 6 --source "camera:cv:v4l2:device=vivid,format=yuyv,width=640,height=360" || true
if webcam_ok webcam-yuyv cv; then
	ok "vivid webcam yuyv: $n frames ($distinct differ from the one before), largest gap ${gap}s"
else
	bad "vivid webcam yuyv: $n frames, largest gap ${gap}s; log: $(tail -3 "$OUT/webcam-yuyv.log")"
fi

# MJPEG: vivid offers none (6.1), so a v4l2loopback device (Debian's
# v4l2loopback-dkms, built on the host for this kernel by
# build-v4l2loopback.sh) is the camera. A producer (mjpeg-feed.c) sets it to
# MJPG and writes 640x360 JPEG frames at 25 fps into it; with exclusive_caps=1
# the device turns into a capture device offering only that format, so the
# recorder cannot fall back to raw. That it negotiated image/jpeg is read
# from v4l2src's own log (GST_DEBUG=v4l2:5: "Got format of 640x360, format
# MJPG") and the device's format while the recorder runs.
mjpeg_check() {
	check="v4l2loopback webcam mjpeg"
	if [ -n "${CAV_VM_NO_V4L2LOOPBACK:-}" ]; then
		skip "$check" "$CAV_VM_NO_V4L2LOOPBACK"
		return
	fi
	if ! modprobe v4l2loopback video_nr=10 card_label=cav-mjpeg exclusive_caps=1 >"$OUT/v4l2loopback.log" 2>&1 ||
		[ ! -e /dev/video10 ]; then
		bad "$check: modprobe v4l2loopback failed: $(tail -2 "$OUT/v4l2loopback.log") $(dmesg | grep -i v4l2loopback | tail -2)"
		return
	fi
	# The frames (mjpeg_frames, made on the host by vm-suite.sh; here only
	# when missing), played in a loop by mjpeg-feed, which sets the device to
	# MJPG: a C program, since a Python start costs ~8 s in the guest.
	jpegs=$OUT/mjpeg-frames
	[ -f "$jpegs/f00.jpg" ] || mjpeg_frames "$jpegs" >"$OUT/mjpeg-producer.log" 2>&1 || true
	"$CAV_BUILD_ROOT/tests/vm/mjpeg-feed" /dev/video10 640 360 25 "$jpegs"/f*.jpg >>"$OUT/mjpeg-producer.log" 2>&1 &
	producer=$!
	i=0 offered=""
	while [ $i -lt 120 ] && kill -0 $producer 2>/dev/null; do
		offered=$(v4l2-ctl -d /dev/video10 --list-formats 2>/dev/null | grep -o "'[A-Z0-9 ]*'" | tr -d "'" | tr '\n' ' ')
		case $offered in *MJPG*) break ;; esac
		sleep 0.5
		i=$((i + 1))
	done
	case $offered in *MJPG*) ;; *)
		bad "$check: the device offers no MJPG after $((i / 2)) s (offers: ${offered:-nothing}); producer: $(tail -2 "$OUT/mjpeg-producer.log")"
		kill $producer 2>/dev/null || true
		wait $producer 2>/dev/null || true
		return ;;
	esac
	(sleep 3; v4l2-ctl -d /dev/video10 --get-fmt-video >"$OUT/mjpeg-device-format.txt" 2>&1) &
	GST_DEBUG=v4l2:5 GST_DEBUG_NO_COLOR=1 GST_DEBUG_FILE=$OUT/webcam-mjpeg.gst.log
	export GST_DEBUG GST_DEBUG_NO_COLOR GST_DEBUG_FILE
	record webcam-mjpeg 6 --source "camera:cm:v4l2:device=/dev/video10,format=mjpeg,width=640,height=360" || true
	unset GST_DEBUG GST_DEBUG_NO_COLOR GST_DEBUG_FILE
	wait $! 2>/dev/null || true
	kill $producer 2>/dev/null || true
	wait $producer 2>/dev/null || true
	got=$(grep -o 'Got format of [0-9]*x[0-9]*, format [A-Z0-9]*' "$OUT/webcam-mjpeg.gst.log" 2>/dev/null |
		tail -1 | sed 's/Got format of //')
	devfmt=$(awk -F"'" '/Pixel Format/ { print $2; exit }' "$OUT/mjpeg-device-format.txt" 2>/dev/null)
	if webcam_ok webcam-mjpeg cm; then pass=1; else pass=0; fi
	what="$n frames ($distinct differ from the one before), largest gap ${gap}s; v4l2src got ${got:-no format}; the device offers ${offered}and is set to ${devfmt:-?}"
	case $got in *"format MJPG") ;; *) pass=0 ;; esac
	[ "${distinct:-0}" -ge 10 ] || pass=0
	if [ $pass = 1 ]; then
		ok "$check: $what"
	else
		bad "$check: $what; log: $(grep -v '^opened\|^closed' "$OUT/webcam-mjpeg.log" | tail -3)"
	fi
}
mjpeg_check

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
