# lib-relay.sh — helpers for the relay's integration tests: a real
# courtav-relay on loopback (fixed free ports, so it can be killed and
# restarted at the same address), its operator login, counters, and the
# appliance side through tests/integration/lib.sh.
#
# Usage: . "$(dirname "$0")/lib-relay.sh"; relay_setup NAME; relay_start; ...; cav_pass

. "$CAV_SOURCE_ROOT/tests/integration/lib.sh"

RELAY_BIN=$CAV_BUILD_ROOT/relay/courtav-relay
RT=$CAV_BUILD_ROOT/tests/relay
RELAY_OP=op
RELAY_OP_PASSWORD=operator-pass-1
RELAY_PID=""
EXTRA_PIDS=""

free_port() { # free_port tcp|udp
	python3 -c "import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_STREAM if sys.argv[1]=='tcp' else socket.SOCK_DGRAM); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])" "$1"
}

relay_cleanup() {
	for p in $EXTRA_PIDS $RELAY_PID; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $EXTRA_PIDS $RELAY_PID; do
		for _ in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
	done
	cav_cleanup
}

# relay_setup NAME [extra [media] lines...]: state folder, config, operator.
relay_setup() {
	cav_setup "$1"
	trap relay_cleanup EXIT
	shift
	RELAY_DIR=$CAV_DIR/relay
	RELAY_LOG=$CAV_DIR/relay.log
	RELAY_PORT=$(free_port tcp)
	RELAY_MEDIA_PORT=$(free_port udp)
	RELAY_URL=http://127.0.0.1:$RELAY_PORT
	mkdir -p "$RELAY_DIR"
	cat >"$CAV_DIR/relay.ini" <<INI
[relay]
name = test-relay
state_dir = $RELAY_DIR/state
listen = 127.0.0.1:$RELAY_PORT
heartbeat_timeout_seconds = 5

[media]
listen = 127.0.0.1:$RELAY_MEDIA_PORT
workers = 2
INI
	for line in "$@"; do echo "$line" >>"$CAV_DIR/relay.ini"; done
	echo "$RELAY_OP_PASSWORD" | "$RELAY_BIN" --config "$CAV_DIR/relay.ini" --add-user "$RELAY_OP" \
		--role operator >>"$RELAY_LOG" 2>&1 || fail "cannot add the relay operator"
}

# relay_start: runs the relay, waits for its API, logs the operator in ($RELAY_TOKEN).
relay_start() {
	: >>"$RELAY_LOG"
	"$RELAY_BIN" --config "$CAV_DIR/relay.ini" >>"$RELAY_LOG" 2>&1 &
	RELAY_PID=$!
	for _ in $(seq 100); do
		if curl -s -o /dev/null "$RELAY_URL/api/v1/stats"; then
			RELAY_TOKEN=$(curl -s -X POST -d "{\"name\":\"$RELAY_OP\",\"password\":\"$RELAY_OP_PASSWORD\"}" \
				"$RELAY_URL/api/v1/login" | json_get token)
			[ -n "$RELAY_TOKEN" ] || fail "relay login failed"
			return 0
		fi
		kill -0 "$RELAY_PID" 2>/dev/null || fail "courtav-relay exited during start: $(tail -n 5 "$RELAY_LOG")"
		sleep 0.1
	done
	fail "courtav-relay did not start within 10 s"
}

relay_kill9() {
	kill -KILL "$RELAY_PID"
	wait "$RELAY_PID" 2>/dev/null || true
	RELAY_PID=""
}

# json_get KEY [KEY...]: a member of the JSON object on standard input.
json_get() {
	python3 -c 'import sys, json
v = json.load(sys.stdin)
for k in sys.argv[1:]:
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v if not isinstance(v, bool) else str(v).lower())' "$@"
}

relay_api() { # relay_api METHOD PATH [BODY]
	curl -s -X "$1" -H "Authorization: Bearer $RELAY_TOKEN" ${3:+-d "$3"} "$RELAY_URL$2"
}

relay_counter() { relay_api GET /api/v1/stats | json_get counters "$1"; }

# relay_room_live KEY: true when the directory says the room is live.
relay_room_live() {
	relay_api GET /api/v1/live | python3 -c 'import sys, json
rooms = json.load(sys.stdin)["rooms"]
sys.exit(0 if any(r["room_key"] == sys.argv[1] and r["live"] for r in rooms) else 1)' "$1"
}

relay_enrollment_token() {
	relay_api POST /api/v1/enrollments "{\"appliance\":\"$1\"}" | json_get token
}

# appliance_ini_relay APPLIANCE_ID: the [relay] lines of a test appliance.
appliance_relay_lines() {
	printf '%s\n' "[relay]" "url = $RELAY_URL" "enrollment_token = $(relay_enrollment_token "$1")" \
		"heartbeat_seconds = 1" "width = 640" "height = 360" "fps = 25" "video_kbps = 700"
}
