#!/usr/bin/env bash
# Memory under subscriber churn: 10,000 subscribe/latch/unsubscribe cycles
# against a running relay; its RSS (from /proc) after the warm-up and at
# the end must stay flat, and no subscriber object may be left behind.
# Then 2,000 connections dropped by their clients must not leave open
# descriptors behind.
. "$(dirname "$0")/lib-relay.sh"

relay_setup relay-churn
relay_start
# A room to subscribe to, as an appliance's heartbeat would have made it.
sqlite3 "$RELAY_DIR/state/registry.db" \
	"INSERT INTO appliances (id, sig_alg, public_key, key_id, enrolled_us) VALUES ('a1', 'ed25519', 'x', 'k1', 1);
	 INSERT INTO rooms (key, appliance_id, room_id) VALUES ('a1/r1', 'a1', 'r1');"
# 2,000 cycles of warm-up (caches, allocator arenas), then 10,000 measured.
"$RT/sub-churn" --api "$RELAY_URL" --token "$RELAY_TOKEN" --room a1/r1 --pid "$RELAY_PID" \
	--cycles $((2000 + ${CHURN_CYCLES:-10000})) --warmup 2000 >"$CAV_DIR/churn.json" \
	2>"$CAV_DIR/churn.log" || fail "churn failed: $(cat "$CAV_DIR/churn.json")"
note "churn: $(cat "$CAV_DIR/churn.json")"
note "RSS by cycle: $(sed -n 's/^cycle \([0-9]*\): RSS \([0-9]*\) KiB.*/\1:\2/p' "$CAV_DIR/churn.log" | tr '\n' ' ')"
warm=$(json_get rss_warm_kb <"$CAV_DIR/churn.json")
end=$(json_get rss_end_kb <"$CAV_DIR/churn.json")
# (A here-string, not "ldd | grep -q": with pipefail, grep -q quitting at the
# first match can kill ldd with SIGPIPE and turn a match into a failure.)
if grep -q libasan <<<"$(ldd "$RELAY_BIN")"; then
	# AddressSanitizer keeps freed memory in quarantine: RSS means nothing
	# here; the run still checks for crashes, leaks (at exit) and failures.
	note "sanitizer build: RSS not judged"
else
	[ $((end - warm)) -le 1024 ] || fail "RSS grew by $((end - warm)) KiB over 10,000 cycles"
fi
# Clients that drop their connections: 2,000 connections, one request
# each, closed by the client. libsoup 3.2 would keep every one open; the
# router's reaper must give the descriptors back within a few seconds.
fds_before=$(ls /proc/"$RELAY_PID"/fd | wc -l)
python3 - "$RELAY_PORT" "$RELAY_TOKEN" <<'PY'
import http.client, sys
for i in range(2000):
    c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
    c.request("GET", "/api/v1/me", headers={"Authorization": "Bearer " + sys.argv[2]})
    c.getresponse().read()
    c.close()
PY
sleep 3
fds_after=$(ls /proc/"$RELAY_PID"/fd | wc -l)
note "descriptors before $fds_before, after 2,000 dropped connections $fds_after"
[ "$fds_after" -le $((fds_before + 20)) ] || fail "$((fds_after - fds_before)) descriptors left open by dropped connections"

sleep 0.5
stats=$(relay_api GET /api/v1/stats)
[ "$(echo "$stats" | json_get subscriber_objects)" = 0 ] || fail "subscriber objects left: $stats"
[ "$(echo "$stats" | json_get subscribers)" = 0 ] || fail "subscribers left: $stats"
cav_pass
