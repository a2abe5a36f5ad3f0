#!/usr/bin/env bash
# The live path through the project's own UDP impairment proxy (both the
# appliance and the subscriber reach the relay through it): 3% loss, 2%
# duplicates (replayed SRTP), 2% corrupted (tampered SRTP), 2% reordered,
# 0–20 ms jitter. Replayed and tampered packets are rejected and counted;
# losses are repaired by NACK and retransmission; the video still decodes;
# after a media outage the stream resumes by itself within 5 s.
. "$(dirname "$0")/lib-relay.sh"

PROXY_PORT=$(free_port udp)
relay_setup relay-impair "advertise = 127.0.0.1:$PROXY_PORT"
relay_start
"$RT/udp-impair" --listen "$PROXY_PORT" --to "127.0.0.1:$RELAY_MEDIA_PORT" --loss 3 --dup 2 \
	--corrupt 2 --reorder 2 --jitter 20 --seed 7 >"$CAV_DIR/proxy.json" &
PROXY=$!
EXTRA_PIDS="$PROXY"
appliance_relay_lines court2 >>"$CAV_INI"
cav_start
ctl case create --number '（2026）兵0101刑初6号' --title '弱网测试案' >/dev/null
ctl hearing open 1 >/dev/null
wait_for 'relay_room_live court2/t1' 20
"$RT/live-sub" --api "$RELAY_URL" --token "$RELAY_TOKEN" --room court2/t1 --seconds 10 \
	>"$CAV_DIR/sub.json" || fail "live-sub failed"

# A network outage on the media path: the proxy stops forwarding for 5 s
# (the relay sees the stream stop and the room leave the air), then the
# link comes back and the stream must resume by itself within 5 s.
kill -STOP "$PROXY"
wait_for '! relay_room_live court2/t1' 10
kill -CONT "$PROXY"
t0=$(date +%s.%N)
wait_for 'relay_room_live court2/t1' 5
note "media outage over: live again after $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
kill -TERM "$PROXY"
wait "$PROXY" || true
EXTRA_PIDS=""
note "proxy: $(cat "$CAV_DIR/proxy.json")"
note "subscriber: $(cat "$CAV_DIR/sub.json")"
stats=$(relay_api GET /api/v1/stats)
note "relay: $(echo "$stats" | python3 -c 'import sys, json; c = json.load(sys.stdin)["counters"]; print({k: v for k, v in c.items() if v})')"
counter() { echo "$stats" | json_get counters "$1"; }
[ "$(counter srtp_replay)" -ge 1 ] || fail "no replayed SRTP counted"
[ "$(counter srtp_auth_fail)" -ge 1 ] || fail "no tampered SRTP counted"
[ "$(counter retransmit)" -ge 1 ] || fail "no retransmission to the subscriber"
[ "$(counter nack_in)" -ge 1 ] || fail "no NACK from the subscriber"
[ "$(json_get big_jumps <"$CAV_DIR/sub.json")" = 0 ] || fail "sequence numbers jumped"
frames=$(json_get frames <"$CAV_DIR/sub.json")
[ "$frames" -ge 150 ] || fail "only $frames frames decoded in 10 s through the impaired link"
health=$(relay_api GET /api/v1/appliances | json_get appliances 0 health stream)
note "appliance streamer: $health"
echo "$health" | python3 -c 'import sys, ast; s = ast.literal_eval(sys.stdin.read()); sys.exit(0 if s["retransmits"] > 0 else 1)' ||
	fail "the appliance answered no NACK with a retransmission"
cav_pass
