#!/usr/bin/env bash
# Bad input gets a clear error (English, and Chinese where a clerk reads it)
# and changes nothing: malformed config lines, unknown keys, an invalid case
# number, a pause without a reason, a second open hearing, sealing an open
# hearing, malformed API bodies, a verify path that does not exist.
. "$(dirname "$0")/lib.sh"
cav_setup badinput

# ---- config: each error names file, line and key ----------------------------
check_config_fails() {
	local want=$1 file=$2
	local out
	if out=$("$COURTAVD" --check-config "$file" 2>&1); then fail "--check-config accepted $file"; fi
	echo "$out" | grep -q -- "$want" || fail "--check-config: expected '$want' in: $out"
}
cp "$CAV_INI" "$CAV_DIR/good.ini"
"$COURTAVD" --check-config "$CAV_DIR/good.ini" >/dev/null || fail "a good config was refused"
sed 's/^fps = 25/fps = 25\nthis line is junk/' "$CAV_INI" >"$CAV_DIR/junk.ini"
check_config_fails "junk.ini:12: “this line is junk” is not" "$CAV_DIR/junk.ini"
sed 's/^segment_seconds = /segment_second = /' "$CAV_INI" >"$CAV_DIR/typo.ini"
check_config_fails "typo.ini:[0-9]*: \[recording\] segment_second: unknown key" "$CAV_DIR/typo.ini"
sed 's/^fps = 25/fps = 250/' "$CAV_INI" >"$CAV_DIR/range.ini"
check_config_fails "\[recording\] fps: 250 is out of range" "$CAV_DIR/range.ini"
sed 's/^pattern = ball/pattern = ball\ncolour = red/' "$CAV_INI" >"$CAV_DIR/srckey.ini"
check_config_fails "\[camera cam2\] colour:" "$CAV_DIR/srckey.ini"
sed 's/^backend = test/backend = nosuch/' "$CAV_INI" >"$CAV_DIR/backend.ini"
check_config_fails "\[camera cam1\] backend:" "$CAV_DIR/backend.ini"
sed 's/^room = t1/room = t1\nroom = t2/' "$CAV_INI" >"$CAV_DIR/dup.ini"
check_config_fails "room is set twice" "$CAV_DIR/dup.ini"
check_config_fails "No such file" "$CAV_DIR/absent.ini"
# Program and audio (issue 3): more panes than cameras, a microphone mapped to
# a camera that does not exist, an overlay position that is not a corner.
sed 's/^layout = side-by-side/layout = 4/' "$CAV_INI" >"$CAV_DIR/panes.ini"
check_config_fails "panes.ini:[0-9]*: \[recording\] layout: layout “4” has 4 panes but only 2 cameras" "$CAV_DIR/panes.ini"
sed 's/^freq = 880/freq = 880\ncamera = cam9/' "$CAV_INI" >"$CAV_DIR/mic-cam.ini"
check_config_fails "\[microphone mic2\] camera: “cam9” is not a configured camera" "$CAV_DIR/mic-cam.ini"
printf '[program]\nclock_position = centre\n' | cat "$CAV_INI" - >"$CAV_DIR/corner.ini"
check_config_fails "\[program\] clock_position: “centre” is not top-left" "$CAV_DIR/corner.ini"

# ---- API: refused requests change nothing ----------------------------------
cav_start
audit_rows() { sql "SELECT count(*) FROM audit"; }
before=$(audit_rows)
ctl_expect_fail '案号' case create --number '2026-12' --title 'x'
ctl_expect_fail 'title' case create --number '（2026）兵0101刑初1号' --title ''
[ "$(sql 'SELECT count(*) FROM cases')" = 0 ] || fail "a refused case was stored"
[ "$(audit_rows)" = "$before" ] || fail "a refused request wrote audit rows"

ctl case create --number '(2026)兵0101刑初1号' --title '测试案' >/dev/null
[ "$(sql 'SELECT number FROM cases')" = '（2026）兵0101刑初1号' ] || fail "parentheses not normalised"
ctl_expect_fail 'already exists' case create --number '（2026）兵0101刑初1号' --title 'again'
ctl hearing open 1 >/dev/null
before=$(audit_rows)
ctl_expect_fail 'open hearing' hearing open 1
ctl_expect_fail 'reason' hearing pause 1 --reason ''
ctl_expect_fail 'lunch' hearing pause 1 --reason lunch
ctl_expect_fail 'Close the hearing first' hearing seal 1
ctl_expect_fail 'No hearing' mark 99 '开庭'
[ "$(sql 'SELECT count(*) FROM hearings')" = 1 ] || fail "a second hearing was stored"
[ "$(sql 'SELECT state FROM hearings')" = recording ] || fail "a refused request changed the state"
[ "$(audit_rows)" -le "$((before + 2))" ] || fail "refused requests wrote audit rows" # segment closes may add rows

# Malformed bodies straight at the API (courtavctl never sends these).
api_status() { curl -s -o "$CAV_DIR/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $COURTAV_TOKEN" -H 'Content-Type: application/json' --data "$2" "$COURTAV_API/api/v1/$1"; }
if command -v curl >/dev/null; then
	[ "$(api_status cases '{"number":')" = 400 ] || fail "truncated JSON not refused"
	[ "$(api_status cases '[1,2]')" = 400 ] || fail "a JSON array not refused"
	[ "$(api_status cases '{"number":"（2026）兵0101刑初2号","title":"t","colour":"red"}')" = 400 ] || fail "unknown field not refused"
	grep -q 'message_zh' "$CAV_DIR/body" || fail "no Chinese message in the error body"
	[ "$(api_status hearings/1/pause '{"reason":7}')" = 400 ] || fail "a non-string reason not refused"
	[ "$(api_status hearings/1/pause '{"reason":"lunch"}')" = 400 ] || fail "an unlawful reason not refused"
	grep -q '法定' "$CAV_DIR/body" || fail "the reason error has no Chinese text"
	[ "$(api_status hearings '{"case_id":-1}')" = 400 ] || fail "a negative id not refused"
	head -c 70000 /dev/zero | tr '\0' 'a' >"$CAV_DIR/big"
	[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $COURTAV_TOKEN" --data-binary @"$CAV_DIR/big" "$COURTAV_API/api/v1/cases")" = 413 ] || fail "an oversized body not refused"
	[ "$(sql 'SELECT count(*) FROM cases')" = 1 ] || fail "a malformed request stored a case"
fi

# ---- verify: a path that does not exist ------------------------------------
if out=$(ctl verify "$CAV_DIR/nowhere" 2>&1); then fail "verify of a missing path passed"; fi
echo "$out" | grep -q "nowhere" || fail "verify did not name the missing path: $out"
cav_pass
