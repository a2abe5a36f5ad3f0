#!/usr/bin/env bash
# The program picture and the audio of a ~50 s hearing (issue 3): 4 test
# cameras, 4 microphones by role, voice-activated switching on, per-role
# audio tracks. During the hearing the layout is switched three times through
# the API (live, "applies": "now") and the prosecution microphone goes
# digitally silent for 10 s (silence_after / silence_for of the test backend).
#
# Then: every track's files play, hold the whole recorded time, and have no
# timestamp gap longer than one frame interval (video 40 ms, AAC 21.3 ms),
# inside files and from one file to the next; the layout switches, the
# speaker switches and the silent-microphone alarm and fault are in the
# database; every segment's A/V offset is measured and within +45/-125 ms;
# `courtavctl hearing report` shows it all.
#
# Microphone levels (sine tones): judge 0.02 (-37 dBFS), prosecution 0.6
# (-7 dBFS), defence 0.05 (-29 dBFS), witness 0.02. The prosecutor dominates
# from the start (speaker switch to cam2); while the prosecutor is silent
# (20-30 s) the defence dominates the others by 8 dB (switch to cam3); then
# the prosecutor again (cam2).
. "$(dirname "$0")/lib.sh"
cav_setup program-audio

cat >"$CAV_INI" <<INI
[courtavd]
room = t1
room_name = 第一法庭
court = 测试人民法院
state_dir = $CAV_STATE
listen = 127.0.0.1:0

[recording]
width = 320
height = 180
fps = 25
program_width = 640
program_height = 360
camera_kbps = 300
program_kbps = 600
audio_kbps = 64
segment_seconds = 10
fragment_ms = 500
x264_preset = ultrafast
layout = 4

[program]
text = 测试 free text
clock_position = bottom-left

[voice]
hold_in_ms = 600
min_hold_ms = 2000
silence_ms = 3000

[audio]
role_tracks = judge, prosecution, defence
silent_seconds = 4

[storage]
min_free_hours = 0
alarm_free_hours = 0
stop_free_mb = 1

[camera cam1]
backend = test
label = 审判席
role = judge

[camera cam2]
backend = test
label = 公诉席
role = prosecution

[camera cam3]
backend = test
label = 辩护席
role = defence

[camera cam4]
backend = test
label = 证人席
role = witness

[microphone mic1]
backend = test
role = judge
camera = cam1
volume = 0.02
freq = 330

[microphone mic2]
backend = test
role = prosecution
camera = cam2
volume = 0.6
freq = 440
silence_after = 20
silence_for = 10

[microphone mic3]
backend = test
role = defence
camera = cam3
volume = 0.05
freq = 550

[microphone mic4]
backend = test
role = witness
camera = cam4
volume = 0.02
freq = 660
INI

"$COURTAVD" --check-config "$CAV_INI" >/dev/null || fail "config refused"
cav_start

api() { # METHOD PATH [BODY]: prints the answer, fails on HTTP >= 400
	local out
	out=$(curl -sS -f -X "$1" -H "Authorization: Bearer $COURTAV_TOKEN" \
		${3:+-H 'Content-Type: application/json' --data-binary "$3"} "$COURTAV_API/api/v1$2") ||
		fail "$1 $2 failed"
	echo "$out"
}

ctl case create --number '（2026）兵0101刑初30号' --title '程序画面测试' >/dev/null
ctl hearing open 1 >/dev/null
t0=$(date +%s.%N)
at() { # waits until $1 seconds after the start
	local d
	d=$(awk -v t0="$t0" -v s="$1" -v now="$(date +%s.%N)" 'BEGIN { d = t0 + s - now; print (d > 0 ? d : 0) }')
	sleep "$d"
}

at 3
levels=$(api GET /levels)
[ "$(echo "$levels" | jq '.live')" = true ] || fail "levels not live: $levels"
[ "$(echo "$levels" | jq '[.mics[] | select(.rms_db != null)] | length')" = 4 ] || fail "levels: $levels"
note "levels: $(echo "$levels" | jq -c '[.mics[] | {id, rms_db}]')"
[ "$(api GET /layout | jq -r '.applies')" = now ] || fail "layout does not apply now while recording"

at 10
r=$(api POST /layout '{"layout":"pip"}')
[ "$(echo "$r" | jq -r '.layout + " " + .applies')" = "pip now" ] || fail "switch to pip: $r"
at 17
api POST /layout '{"layout":"1"}' >/dev/null
# More panes than cameras: refused, nothing changes.
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $COURTAV_TOKEN" \
	--data-binary '{"layout":"6"}' "$COURTAV_API/api/v1/layout")
[ "$code" = 400 ] || fail "layout 6 with 4 cameras answered $code"
at 25
api GET /alarms | grep -q 'mic-silent:mic2' || fail "no silent-microphone alarm during the silence"
at 38
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $COURTAV_TOKEN" \
	--data-binary '{"layout":"5+x"}' "$COURTAV_API/api/v1/layout")
[ "$code" = 400 ] || fail "a bad layout name answered $code"
api POST /layout '{"layout":"2"}' >/dev/null
at 48
ctl hearing close 1 >/dev/null
rec_s=$(sql "SELECT sum(end_us - start_us) / 1e6 FROM intervals WHERE kind = 'recording'")
note "recorded ${rec_s}s"

# ---- every track: whole duration, no gap over one frame interval -------------
hdir=$(sql "SELECT media_dir FROM hearings WHERE id = 1")
tracks="cam1 cam2 cam3 cam4 program audio audio-judge audio-prosecution audio-defence"
[ "$(sql "SELECT group_concat(name, ' ') FROM (SELECT name FROM tracks WHERE hearing_id = 1 ORDER BY id)")" = "$tracks" ] ||
	fail "tracks: $(sql 'SELECT name FROM tracks')"
for track in $tracks; do
	files=$(find "$hdir/$track" -name '*.mp4' | sort)
	[ -n "$files" ] || fail "$track: no files"
	case $track in
	audio*) want=aac; stream=a:0; max=0.0214 ;;
	*) want="h264 aac"; stream=v:0; max=0.0401 ;;
	esac
	[ "$(media_codecs "$(echo "$files" | head -n 1)")" = "$want" ] || fail "$track: streams"
	total=0
	for f in $files; do
		# One ffprobe per file: every packet's time, then the file's duration.
		probe=$(ffprobe -v error -select_streams "$stream" -show_entries packet=pts_time:format=duration \
			-of csv=p=0 "$f") || fail "ffprobe cannot read $f"
		gap=$(echo "$probe" | sed '$d' | sort -g |
			awk 'NR > 1 { d = $1 - p; if (d > m) m = d } { p = $1 } END { printf "%.4f", m }')
		awk -v g="$gap" -v m="$max" 'BEGIN { exit !(g <= m) }' ||
			fail "$f: a timestamp gap of ${gap}s (one frame is ${max}s)"
		total=$(awk -v a="$total" -v b="$(echo "$probe" | tail -n 1)" 'BEGIN { print a + b }')
	done
	# The files hold the recorded time, less the pipeline's start and drain
	# (a few hundred ms; seconds on a loaded machine or under sanitizers);
	# the checks above and below say there is no hole in between.
	awk -v t="$total" -v r="$rec_s" 'BEGIN { exit !(t <= r + 0.5 && t >= r - 3) }' ||
		fail "$track: files hold ${total}s of ${rec_s}s"
	# From one file to the next: the next starts where the last ended.
	worst=$(sql "SELECT coalesce(max(abs(s2.start_us - s1.end_us)), 0) / 1e6 FROM segments s1
		JOIN segments s2 ON s2.track_id = s1.track_id AND s2.seq = s1.seq + 1
		JOIN tracks t ON t.id = s1.track_id WHERE t.name = '$track'")
	awk -v w="$worst" 'BEGIN { exit !(w <= 0.0401) }' || fail "$track: ${worst}s between two files"
	note "$track: $(echo "$files" | wc -l) files, ${total}s, largest gap ${gap}s"
done

# ---- database: layout and speaker switches, the silence ----------------------
layouts=$(sql "SELECT group_concat(layout, ',') FROM (SELECT layout FROM program_switches WHERE hearing_id = 1 AND kind = 'layout' AND actor = '$CAV_CLERK' ORDER BY at_us)")
[ "$layouts" = "pip,1,2" ] || fail "layout switches: $layouts"
speakers=$(sql "SELECT group_concat(camera || '/' || mic, ',') FROM (SELECT camera, mic FROM program_switches WHERE hearing_id = 1 AND kind = 'speaker' ORDER BY at_us)")
case $speakers in
cam2/mic2,cam3/mic3,cam2/mic2*) ;;
*) fail "speaker timeline: $speakers" ;;
esac
note "speaker timeline: $speakers"
silent=$(sql "SELECT (end_us - start_us) / 1e6 FROM audio_faults WHERE hearing_id = 1 AND mic = 'mic2' AND kind = 'silent'")
near "${silent:-0}" 6 1.5 || fail "mic2 silent fault lasted '${silent}' s (10 s silence, alarm after 4 s)"
[ "$(sql "SELECT count(*) FROM audio_faults WHERE mic <> 'mic2'")" = 0 ] || fail "faults on other mics: $(sql 'SELECT * FROM audio_faults')"
[ "$(sql "SELECT count(*) FROM events WHERE code = 'mic-silent:mic2' AND hearing_id = 1")" = 1 ] || fail "no stored alarm event"
[ "$(sql "SELECT count(*) FROM audit WHERE action = 'layout.set'")" = 3 ] || fail "layout changes not audited"

# ---- A/V offset of every segment ---------------------------------------------
unmeasured=$(sql "SELECT count(*) FROM segments s JOIN tracks t ON t.id = s.track_id WHERE s.av_offset_ms IS NULL")
[ "$unmeasured" = 0 ] || fail "$unmeasured segments without an A/V offset"
bad=$(sql "SELECT count(*) FROM segments WHERE av_offset_ms > 45 OR av_offset_ms < -125")
[ "$bad" = 0 ] || fail "A/V offset outside +45/-125 ms: $(sql 'SELECT path, av_offset_ms FROM segments WHERE av_offset_ms > 45 OR av_offset_ms < -125')"
note "A/V offset: $(sql "SELECT printf('%.1f .. %.1f ms over %d segments', min(av_offset_ms), max(av_offset_ms), count(*)) FROM segments")"
[ "$(sql "SELECT coalesce(sum(dropped_frames), 0) FROM segments")" = 0 ] || fail "dropped frames"

# ---- the report ----------------------------------------------------------------
[ "$(sql "SELECT count(*) FROM quality_reports WHERE hearing_id = 1")" = 1 ] || fail "report not stored on close"
json=$(ctl --json hearing report 1) || fail "hearing report --json"
echo "$json" | jq -e '.stored == true and .report.av.within_limits == true' >/dev/null || fail "report: $json"
echo "$json" | jq -e '[.report.tracks[] | select(.coverage_pct < 94 or (.gaps | length) > 0)] | length == 0' >/dev/null ||
	fail "coverage: $(echo "$json" | jq -c '[.report.tracks[] | {name, coverage_pct, gaps}]')"
echo "$json" | jq -e '.report.layout.changes == 3 and .report.speakers.switches >= 3' >/dev/null ||
	fail "report switches: $(echo "$json" | jq -c '.report.layout, .report.speakers.switches')"
echo "$json" | jq -e '.report.microphones[] | select(.id == "mic2") | .silent_s > 4 and .silent_s < 8' >/dev/null ||
	fail "report silence: $(echo "$json" | jq -c '.report.microphones')"
out=$(ctl hearing report 1) || fail "hearing report"
for want in 'Worst A/V offset' 'within' 'mic2 silent' 'audio-prosecution' 'speaker' 'pip'; do
	echo "$out" | grep -q -- "$want" || fail "report lacks '$want':
$out"
done
echo "$out" | sed -n '1,12p' | sed 's/^/# /'
cav_pass
