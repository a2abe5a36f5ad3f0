#!/usr/bin/env bash
# Evidence inputs (issue 3): recorded only while in use.
#
# A room with two evidence inputs: "doc" shows image and video files from a
# folder, "hdmi" stands in for an HDMI capture (the test backend here; the
# real V4L2 HDMI input runs in the VM suite). During one hearing: an image is
# shown for ~4 s, a 3 s video clip for ~5 s (it ends and holds its last
# frame), the HDMI input for ~3 s until the hearing is paused (which ends the
# use). Then:
#   - bad requests fail with clear bilingual errors and change nothing: an
#     unknown input, a file outside the folder (.., absolute, a symbolic link
#     out of it), no file for a file input, a file for the HDMI input, a
#     second input while one is in use, stop with nothing in use, show while
#     the hearing is paused;
#   - each use is a row with who/when/why it ended and, for a file, the
#     SHA-256 and size of exactly the file shown;
#   - the evidence tracks hold only the time in use: their files' durations
#     sum to the uses' durations, and no file starts before or ends after a use;
#   - every evidence file carries the picture (H.264) and the hearing's mix (AAC);
#   - the audit log has evidence.start / evidence.stop / evidence.digest;
#   - the sealed hearing verifies offline, evidence files included, and the
#     quality report does not count an evidence track's idle time as a gap.
. "$(dirname "$0")/lib.sh"
cav_setup evidence \
	"[evidence doc]" "backend = file" "label = 证据文件" "folder = __EXHIBITS__" \
	"[evidence hdmi]" "backend = test" "label = 笔记本 HDMI" "pattern = gamut"
EXHIBITS=$CAV_DIR/exhibits
sed -i "s|__EXHIBITS__|$EXHIBITS|" "$CAV_INI"
mkdir -p "$EXHIBITS" "$CAV_DIR/outside"
gst-launch-1.0 -q videotestsrc num-buffers=1 pattern=smpte ! video/x-raw,width=800,height=600 ! \
	pngenc ! filesink location="$EXHIBITS/exhibit1.png" || fail "cannot make the test image"
gst-launch-1.0 -q videotestsrc num-buffers=75 pattern=ball ! \
	video/x-raw,width=640,height=360,framerate=25/1 ! x264enc ! mp4mux ! \
	filesink location="$EXHIBITS/clip.mp4" || fail "cannot make the test clip"
cp "$EXHIBITS/exhibit1.png" "$CAV_DIR/outside/secret.png"
ln -s "$CAV_DIR/outside/secret.png" "$EXHIBITS/link.png"

"$COURTAVD" --check-config "$CAV_INI" >/dev/null || fail "the config with evidence inputs is refused"
cav_start

ctl case create --number '（2026）兵0101刑初31号' --title '物证展示案' >/dev/null
ctl hearing open 1 >/dev/null
sleep 1

# ---- bad requests ---------------------------------------------------------------
ctl_expect_fail "no evidence input" evidence show nope
ctl_expect_fail "inside the evidence folder" evidence show doc ../courtavd.ini
ctl_expect_fail "inside the evidence folder" evidence show doc /etc/passwd
ctl_expect_fail "leads outside the evidence folder" evidence show doc link.png
ctl_expect_fail "No such file" evidence show doc missing.png
ctl_expect_fail "Choose the file" evidence show doc
ctl_expect_fail "not a file" evidence show hdmi exhibit1.png
ctl_expect_fail "No evidence is being shown" evidence stop
[ "$(sql "SELECT count(*) FROM evidence_uses")" = 0 ] || fail "a refused request left a use row"

# ---- an image, a clip, the HDMI input -------------------------------------------------
list=$(ctl evidence list)
echo "$list" | grep -q 'exhibit1.png' || fail "evidence list does not offer exhibit1.png: $list"
echo "$list" | grep -q 'clip.mp4' || fail "evidence list does not offer clip.mp4: $list"

ctl evidence show doc exhibit1.png >/dev/null
ctl_expect_fail "still in use" evidence show hdmi
sleep 4
# The next exhibit at once: the last one's recorder may still be closing its files.
ctl evidence stop >/dev/null
ctl evidence show doc clip.mp4 >/dev/null
sleep 5
ctl evidence stop >/dev/null
ctl evidence show hdmi >/dev/null
sleep 3
ctl hearing pause 1 --reason 休庭 >/dev/null
ctl_expect_fail "only while a hearing is being recorded" evidence show hdmi
ctl hearing resume 1 >/dev/null
sleep 2
ctl hearing close 1 >/dev/null
ctl hearing seal 1 >/dev/null

# ---- the uses -------------------------------------------------------------------
[ "$(sql "SELECT count(*) FROM evidence_uses WHERE hearing_id = 1")" = 3 ] ||
	fail "expected 3 evidence uses: $(sql "SELECT * FROM evidence_uses")"
[ "$(sql "SELECT count(*) FROM evidence_uses WHERE end_us IS NULL")" = 0 ] || fail "a use was left open"
want_png=$(sha256sum "$EXHIBITS/exhibit1.png" | cut -d' ' -f1)
want_clip=$(sha256sum "$EXHIBITS/clip.mp4" | cut -d' ' -f1)
wait_for '[ "$(sql "SELECT count(*) FROM evidence_uses WHERE file_sha256 IS NOT NULL")" = 2 ]' 10
[ "$(sql "SELECT file_sha256 FROM evidence_uses WHERE file = 'exhibit1.png'")" = "$want_png" ] ||
	fail "the image's SHA-256 is not the shown file's"
[ "$(sql "SELECT file_sha256 || ' ' || file_bytes FROM evidence_uses WHERE file = 'clip.mp4'")" = \
	"$want_clip $(stat -c %s "$EXHIBITS/clip.mp4")" ] || fail "the clip's SHA-256 or size is wrong"
[ "$(sql "SELECT started_by || '/' || ended_by || '/' || end_reason FROM evidence_uses WHERE id = 1")" = \
	"$CAV_CLERK/$CAV_CLERK/stopped" ] || fail "use 1 does not say who started and stopped it"
[ "$(sql "SELECT source || '/' || ended_by || '/' || end_reason FROM evidence_uses WHERE id = 3")" = \
	"hdmi/courtavd/recording stopped" ] || fail "the pause did not end the HDMI use: $(sql "SELECT * FROM evidence_uses WHERE id = 3")"
for action in evidence.start evidence.stop; do
	[ "$(sql "SELECT count(*) FROM audit WHERE action = '$action'")" = 3 ] || fail "audit lacks 3 × $action"
done
[ "$(sql "SELECT count(*) FROM audit WHERE action = 'evidence.digest'")" = 2 ] || fail "audit lacks the digests"
shown=$(ctl hearing evidence 1)
echo "$shown" | grep -q "$want_clip" || fail "courtavctl hearing evidence does not show the clip's digest: $shown"

# ---- the evidence tracks: only the time in use ------------------------------------
[ "$(sql "SELECT group_concat(name, ',') FROM (SELECT name FROM tracks WHERE hearing_id = 1 AND kind = 'evidence' ORDER BY name)")" = "doc,hdmi" ] ||
	fail "evidence tracks: $(sql "SELECT name, kind FROM tracks")"
hdir=$(sql "SELECT media_dir FROM hearings WHERE id = 1")
for input in doc hdmi; do
	used=$(sql "SELECT sum(end_us - start_us) / 1e6 FROM evidence_uses WHERE source = '$input'")
	n=$(sql "SELECT count(*) FROM evidence_uses WHERE source = '$input'")
	rec=0
	for f in "$hdir/$input"/*.mp4; do
		[ -f "$f" ] || fail "no files on track $input"
		[ "$(media_codecs "$f")" = "h264 aac" ] || fail "$f holds $(media_codecs "$f"), not h264 + aac"
		rec=$(awk -v a="$rec" -v b="$(media_duration "$f")" 'BEGIN { print a + b }')
	done
	note "track $input: $rec s recorded for $used s in use ($n uses)"
	# Each use gains at most ~0.6 s (the first keyframe, the last fragment).
	near "$rec" "$used" "$(awk -v n="$n" 'BEGIN { print 0.7 * n }')" ||
		fail "track $input holds $rec s for $used s of use"
done
outside=$(sql "SELECT count(*) FROM segments s JOIN tracks t ON t.id = s.track_id
	WHERE t.kind = 'evidence' AND NOT EXISTS (SELECT 1 FROM evidence_uses u
	  WHERE u.source = t.name AND s.start_us >= u.start_us - 500000 AND s.end_us <= u.end_us + 1500000)")
[ "$outside" = 0 ] || fail "$outside evidence segment(s) lie outside every use"

# ---- verification and the quality report ------------------------------------------
ctl verify "$hdir" --public-key "$CAV_STATE/device-key.pub" >/dev/null || fail "verify of the sealed hearing failed"
grep -q '"doc/' "$hdir/manifest.json" || fail "the manifest does not list the evidence files"
# The signed manifest names what was shown: each exhibit with its digest.
python3 - "$hdir/manifest.json" "$want_png" "$want_clip" <<'PY' || fail "the manifest's exhibits are wrong"
import json, sys
m = json.load(open(sys.argv[1]))
ex = m["exhibits"]
assert [(e["input"], e["file"]) for e in ex] == [("doc", "exhibit1.png"), ("doc", "clip.mp4"), ("hdmi", None)], ex
assert ex[0]["sha256"] == sys.argv[2] and ex[1]["sha256"] == sys.argv[3] and ex[2]["sha256"] is None, ex
assert all(e["end_us"] > e["start_us"] for e in ex), ex
PY
report=$(ctl hearing report 1 --json)
for input in doc hdmi; do
	cov=$(echo "$report" | python3 -c "import json,sys; r=json.load(sys.stdin)
t=[t for t in r['report']['tracks'] if t['name']=='$input'][0]
print(t['coverage_pct'], len(t.get('gaps', [])))")
	note "report, track $input: coverage % and gaps: $cov"
	awk -v c="${cov% *}" 'BEGIN { exit !(c >= 90) }' || fail "track $input: coverage $cov of its time in use"
done
# ---- a crash while an exhibit is shown ----------------------------------------------
# The daemon dies (kill -9) with the HDMI input in use: after the restart the
# use is closed as of the daemon's last heartbeat, the torn evidence file is
# registered (partial, never deleted), nothing is shown until a clerk says so,
# and the hearing verifies once sealed.
ctl hearing open 1 >/dev/null
ctl evidence show hdmi >/dev/null
sleep 3
cav_kill9
cav_start
wait_for '[ "$(sql "SELECT state FROM hearings WHERE id = 2")" = recording ]' 20
[ "$(sql "SELECT ended_by || '/' || end_reason FROM evidence_uses WHERE hearing_id = 2")" = \
	"courtavd/courtavd restarted" ] || fail "the use cut by the crash: $(sql "SELECT * FROM evidence_uses WHERE hearing_id = 2")"
grep -q "No evidence is being shown" <<<"$(ctl evidence list)" || fail "an exhibit is shown again after the restart"
ctl hearing close 2 >/dev/null
ctl hearing seal 2 >/dev/null
n=$(sql "SELECT count(*) FROM segments s JOIN tracks t ON t.id = s.track_id WHERE t.hearing_id = 2 AND t.name = 'hdmi'")
[ "$n" -ge 1 ] || fail "the evidence file cut by the crash was not registered"
note "hearing 2: $n hdmi segment(s) after the crash, states: $(sql "SELECT group_concat(s.state) FROM segments s JOIN tracks t ON t.id = s.track_id WHERE t.hearing_id = 2 AND t.name = 'hdmi'")"
h2=$(sql "SELECT media_dir FROM hearings WHERE id = 2")
ctl verify "$h2" --public-key "$CAV_STATE/device-key.pub" >/dev/null || fail "verify of hearing 2 after the crash failed"
cav_stop
cav_pass
