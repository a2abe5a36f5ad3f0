#!/usr/bin/env bash
# A 60-second hearing with 4 test cameras, 1 IP camera (our own RTSP test
# camera, tests/capture/rtsp-camera.c) and 4 microphone roles. During it the
# RTSP camera goes away for 5 s and comes back. Then:
#   - every video track plays for the whole hearing with no timestamp gap
#     longer than one frame interval (ffprobe packets);
#   - the IP camera's track holds the camera's own H.264 (NAL unit hashes
#     against what the camera logged it sent), and the slate in between;
#   - a frame from the loss shows the slate (its colour);
#   - the loss and the restore are in the database: a closed fault interval
#     of cam5 and the source-lost alarm.
#
# Extending the scenario: add "SECOND command..." lines to TIMELINE (or
# CAV_EXTRA_TIMELINE in the environment); each runs once when the hearing
# has been recording that long. Checks go at the end.
. "$(dirname "$0")/lib.sh"

RTSP_CAMERA=$CAV_BUILD_ROOT/tests/capture/rtsp-camera
NAL_CHECK=$CAV_SOURCE_ROOT/tests/capture/nal-check.py
[ -x "$RTSP_CAMERA" ] || { echo "SKIP: rtsp-camera not built (libgstrtspserver-1.0-dev missing)"; exit 77; }
DURATION=${CAV_SCENARIO_SECONDS:-60}
FPS=25
# One frame interval, plus the rounding of 90 kHz / 1/10000 s timestamps.
MAX_GAP=${CAV_MAX_GAP:-0.045}

CAV_SEGMENT_SECONDS=30
cav_setup capture \
	"[camera cam3]" "backend = test" "label = 公诉席" "role = prosecution" "pattern = pinwheel" "" \
	"[camera cam4]" "backend = test" "label = 证人席" "role = witness" "pattern = spokes" "" \
	"[camera cam5]" "backend = rtsp" "label = 全景 IP" "role = overview" \
	"url = rtsp://127.0.0.1:@PORT@/cam" "transport = tcp" "latency_ms = 1000" "" \
	"[microphone mic3]" "backend = test" "role = prosecution" "freq = 660" "" \
	"[microphone mic4]" "backend = test" "role = witness" "freq = 990"
sed -i 's/^layout = side-by-side/layout = auto/' "$CAV_INI"

NAL_LOG=$CAV_DIR/camera-nal.log
CAMERA_PID=""
camera_start() { # [port]
	"$RTSP_CAMERA" --port "${1:-0}" --log "$NAL_LOG" >"$CAV_DIR/camera.out" 2>&1 &
	CAMERA_PID=$!
	wait_for "grep -q '^ready' '$CAV_DIR/camera.out'" 10
	CAMERA_PORT=$(awk '/^ready/ { print $2 }' "$CAV_DIR/camera.out")
}
camera_kill() {
	[ -n "$CAMERA_PID" ] || return 0
	kill -KILL "$CAMERA_PID"
	wait "$CAMERA_PID" 2>/dev/null || true
	CAMERA_PID=""
}
trap 'camera_kill 2>/dev/null || true; cav_cleanup' EXIT

camera_start
sed -i "s/@PORT@/$CAMERA_PORT/" "$CAV_INI"
"$COURTAVD" --check-config "$CAV_INI" >/dev/null || fail "the scenario's config does not check"

TIMELINE=(
	"15 note 'the IP camera goes away'; camera_kill"
	"20 note 'the IP camera is back'; camera_start $CAMERA_PORT"
)
if [ -n "${CAV_EXTRA_TIMELINE:-}" ]; then
	mapfile -t extra <<<"$CAV_EXTRA_TIMELINE"
	TIMELINE+=("${extra[@]}")
fi

cav_start
ctl case create --number '（2026）兵0101刑初77号' --title '采集测试' --cause '测试' >/dev/null
ctl hearing open 1 >/dev/null
t0=$(date +%s.%N)
done_steps=()
while :; do
	now=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
	for i in "${!TIMELINE[@]}"; do
		[ -n "${done_steps[$i]:-}" ] && continue
		at=${TIMELINE[$i]%% *}
		if awk -v n="$now" -v a="$at" 'BEGIN { exit !(n >= a) }'; then
			eval "${TIMELINE[$i]#* }"
			done_steps[$i]=1
		fi
	done
	awk -v n="$now" -v d="$DURATION" 'BEGIN { exit !(n >= d) }' && break
	sleep 0.2
done
ctl hearing close 1 >/dev/null
camera_kill

# ---- database: the loss, its fault interval and the alarm -------------------
faults=$(sql "SELECT count(*) FROM source_faults WHERE hearing_id = 1 AND source = 'cam5'")
[ "$faults" -ge 1 ] || fail "no fault interval for cam5"
IFS='|' read -r fstart fend < <(sql "SELECT start_us, end_us FROM source_faults WHERE source = 'cam5' ORDER BY start_us LIMIT 1")
[ -n "$fend" ] || fail "the fault interval of cam5 is still open"
fault_s=$(awk -v a="$fstart" -v b="$fend" 'BEGIN { print (b - a) / 1e6 }')
# Gone for 5 s, plus the reconnect back-off; never less than the outage.
awk -v f="$fault_s" 'BEGIN { exit !(f >= 4.5 && f <= 14) }' || fail "cam5 fault lasted ${fault_s}s"
[ "$(sql "SELECT count(*) FROM events WHERE code = 'source-lost:cam5'")" -ge 1 ] ||
	fail "no source-lost alarm for cam5: $(sql 'SELECT code FROM events')"
note "cam5 lost for ${fault_s}s: fault interval and alarm stored"

# ---- every video track: whole duration, no gap ------------------------------
hdir=$(sql "SELECT media_dir FROM hearings WHERE id = 1")
rec_s=$(sql "SELECT sum(end_us - start_us) / 1e6 FROM intervals WHERE kind = 'recording'")
for track in cam1 cam2 cam3 cam4 cam5 program; do
	total=0
	for f in $(find "$hdir/$track" -name '*.mp4' | sort); do
		gap=$(ffprobe -v error -select_streams v:0 -show_entries packet=pts_time -of csv=p=0 "$f" |
			sort -g | awk 'NR > 1 { d = $1 - p; if (d > m) m = d } { p = $1 } END { print m + 0 }')
		awk -v g="$gap" -v m="$MAX_GAP" 'BEGIN { exit !(g <= m) }' ||
			fail "$f: a gap of ${gap}s between frames (at most one frame, ${MAX_GAP}s)"
		total=$(awk -v a="$total" -v b="$(media_duration "$f")" 'BEGIN { print a + b }')
	done
	near "$total" "$rec_s" 1.5 || fail "$track: files hold ${total}s, the hearing recorded ${rec_s}s"
	note "$track: ${total}s, no gap"
done

# ---- cam5: the camera's own bitstream, the slate in between -----------------
read -r matched unmatched < <(python3 "$NAL_CHECK" "$NAL_LOG" $(find "$hdir/cam5" -name '*.mp4' | sort) 2>/dev/null |
	awk '{ m += $2; u += $3 } END { print m + 0, u + 0 }')
note "cam5 slices: $matched sent by the camera, $unmatched not (the slate)"
[ "$matched" -gt 0 ] && [ "$unmatched" -gt 0 ] || fail "cam5: $matched camera slices, $unmatched slate slices"
# About 60 - 7 s of camera picture and 7 s of slate, whatever the slices per frame.
awk -v m="$matched" -v u="$unmatched" 'BEGIN { exit !(m / (m + u) >= 0.6) }' ||
	fail "cam5: only $matched of $((matched + unmatched)) slices are the camera's own"

# A frame from the middle of the loss: the slate's colour (0x203060) in the corner.
mid_us=$(awk -v a="$fstart" -v b="$fend" 'BEGIN { printf "%.0f", (a + b) / 2 }') # %d overflows in mawk
IFS='|' read -r seg_path seg_start < <(sql "SELECT s.path, s.start_us FROM segments s JOIN tracks t ON t.id = s.track_id
	WHERE t.name = 'cam5' AND s.start_us <= $mid_us ORDER BY s.start_us DESC LIMIT 1")
[ -n "$seg_path" ] || fail "no cam5 file covers the loss"
case $seg_path in /*) ;; *) seg_path=$hdir/$seg_path ;; esac # rows hold paths below the hearing
[ -f "$seg_path" ] || fail "cam5 file $seg_path is missing"
offset=$(awk -v m="$mid_us" -v s="$seg_start" 'BEGIN { printf "%.2f", (m - s) / 1e6 }')
rgb=$(ffmpeg -v error -ss "$offset" -i "$seg_path" -frames:v 1 -vf crop=iw/8:ih/8:0:0,scale=1:1 \
	-f rawvideo -pix_fmt rgb24 - 2>/dev/null | od -An -tu1 | tr -s ' ' || true)
[ -n "$rgb" ] || fail "could not decode cam5 at ${offset}s into $seg_path"
set -- $rgb
awk -v r="${1:-0}" -v g="${2:-0}" -v b="${3:-0}" 'BEGIN { d = (r - 32)^2 + (g - 48)^2 + (b - 96)^2; exit !(d < 30 * 30) }' ||
	fail "cam5 at ${offset}s into $(basename "$seg_path") is RGB($*), not the slate"
note "cam5 shows the slate during the loss (RGB $*)"

cav_pass
