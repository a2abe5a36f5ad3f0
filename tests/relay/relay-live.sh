#!/usr/bin/env bash
# End to end on loopback: the real courtavd (test sources) enrolls at the
# real courtav-relay with a one-time token, heartbeats, and streams its
# hearing; an internal subscriber decodes the video and keeps playing
# across a kill -9 and restart of the appliance (SSRC, sequence numbers
# and timestamps continuous); then the relay is killed and restarted: the
# appliance re-registers and the stream is live again within 10 s.
. "$(dirname "$0")/lib-relay.sh"

relay_setup relay-live
# The router's table prints without a running relay (it once dereferenced
# the relay while registering the public area).
routes=$("$RELAY_BIN" --list-routes) || fail "courtav-relay --list-routes failed"
echo "$routes" | grep -q '^GET /hls/{name}/{file} public' || fail "--list-routes lacks the HLS route: $routes"
relay_start
appliance_relay_lines court1 >>"$CAV_INI"
cav_start
ctl case create --number '（2026）兵0101刑初5号' --title '直播测试案' --cause '盗窃罪' >/dev/null
ctl hearing open 1 >/dev/null
wait_for 'relay_room_live court1/t1' 20
note "enrolled, heartbeating, live: $(relay_api GET /api/v1/appliances | json_get appliances 0 id)"
[ "$(relay_api GET /api/v1/appliances | json_get appliances 0 online)" = true ] || fail "appliance not online"

# An internal subscriber across an appliance crash and restart. Waits are
# on what the subscriber decoded, not on the clock (sanitizer builds on a
# busy machine are slow to start).
"$RT/live-sub" --api "$RELAY_URL" --token "$RELAY_TOKEN" --room court1/t1 --seconds 90 \
	--progress "$CAV_DIR/progress" >"$CAV_DIR/sub.json" &
SUB=$!
EXTRA_PIDS="$SUB"
frames_now() { tail -n 1 "$CAV_DIR/progress" 2>/dev/null | awk '{ print $3 + 0 }'; }
wait_for '[ "$(frames_now)" -ge 25 ]' 30
f_kill=$(frames_now)
note "kill -9 of courtavd after $f_kill decoded frames"
cav_kill9
cav_start
wait_for "[ \"\$(frames_now)\" -ge $((f_kill + 75)) ]" 40
kill -TERM "$SUB"
wait "$SUB" || fail "live-sub failed"
EXTRA_PIDS=""
note "subscriber: $(cat "$CAV_DIR/sub.json")"
note "progress (s packets frames): $(tr '\n' ' ' <"$CAV_DIR/progress")"
sub() { json_get "$1" <"$CAV_DIR/sub.json"; }
[ "$(sub other_ssrc)" = 0 ] || fail "the subscriber saw another SSRC"
[ "$(sub big_jumps)" = 0 ] || fail "sequence numbers jumped"
[ "$(sub ts_backwards)" = 0 ] || fail "timestamps went backwards"
[ "$(sub auth_fail)" = 0 ] || fail "SRTP failures at the subscriber"
[ "$(relay_counter publisher_switches)" -ge 1 ] || fail "no publisher switch counted"

# The relay dies and comes back: the appliance re-registers by itself.
relay_kill9
t0=$(date +%s.%N)
relay_start
wait_for 'relay_room_live court1/t1' 10
t1=$(date +%s.%N)
note "relay restarted: live again after $(awk -v a="$t0" -v b="$t1" "BEGIN { printf \"%.1f\", b - a }") s"
"$RT/live-sub" --api "$RELAY_URL" --token "$RELAY_TOKEN" --room court1/t1 --seconds 8 \
	>"$CAV_DIR/sub2.json" || fail "live-sub after the relay restart failed"
note "after the relay restart: $(cat "$CAV_DIR/sub2.json")"
[ "$(json_get frames <"$CAV_DIR/sub2.json")" -ge 30 ] || fail "no video after the relay restart"
grep -q 'renewing the live stream\|live stream [0-9]* to' "$CAV_LOG" || fail "appliance did not renew its stream"
cav_pass
