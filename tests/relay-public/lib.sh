# lib.sh — helpers for the public-output tests: the relay (relay-harness:
# the real CavRelay with the appliance leg simulated in process), nginx with
# the shipped relay/nginx/courtav-relay.conf on loopback, and HTTP checks.
#
# Usage: . "$(dirname "$0")/lib.sh"; pub_setup NAME; pub_start; ...; pub_pass
set -euo pipefail
: "${CAV_BUILD_ROOT:?run through meson test}"
: "${CAV_SOURCE_ROOT:?run through meson test}"
HARNESS=$CAV_BUILD_ROOT/tests/relay-public/relay-harness
HLS_PROBE=$CAV_BUILD_ROOT/tests/relay-public/hls-probe
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

fail() {
	echo "FAIL: $*" >&2
	for f in "${PUB_DIR:-/nonexistent}/relay.log" "${PUB_DIR:-/nonexistent}/nginx/error.log"; do
		[ -f "$f" ] && { echo "---- $f (last 30 lines) ----" >&2; tail -n 30 "$f" >&2; }
	done
	exit 1
}
note() { echo "# $*"; }

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# pub_setup NAME [extra [public] lines...]
pub_setup() {
	PUB_NAME=$1
	shift
	PUB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/cav-pub-$PUB_NAME.XXXXXX")
	PUB_PORT=$(free_port)
	PUB_URL=http://127.0.0.1:$PUB_PORT
	PUB_PID="" NGINX_PID=""
	trap pub_cleanup EXIT
	cat >"$PUB_DIR/relay.ini" <<INI
[relay]
name = test-relay
state_dir = $PUB_DIR/state
listen = 127.0.0.1:$PUB_PORT
ui_dir = $CAV_SOURCE_ROOT/ui

[media]
listen = 127.0.0.1:0

[public]
hls_dir = $PUB_DIR/hls
vendor_dir = $CAV_BUILD_ROOT/ui/watch
segment_ms = 1000
width = 640
height = 360
video_kbps = 600
x264_preset = ultrafast
INI
	for line in "$@"; do echo "$line" >>"$PUB_DIR/relay.ini"; done
}

pub_cleanup() {
	exec 7>&- 2>/dev/null || true
	for pid in ${PUB_PID:-} ${NGINX_PIDS:-}; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	sleep 0.3
	for pid in ${PUB_PID:-} ${NGINX_PIDS:-}; do
		kill -KILL "$pid" 2>/dev/null || true
	done
	[ -z "${CAV_KEEP:-}" ] && [ -n "${PUB_DIR:-}" ] && rm -rf "$PUB_DIR"
	return 0
}

# pub_start: the relay in the background; commands go to fd 7.
pub_start() {
	rm -f "$PUB_DIR/cmd"
	mkfifo "$PUB_DIR/cmd"
	"$HARNESS" --config "$PUB_DIR/relay.ini" <"$PUB_DIR/cmd" >"$PUB_DIR/relay.out" 2>>"$PUB_DIR/relay.log" &
	PUB_PID=$!
	exec 7>"$PUB_DIR/cmd"
	for _ in $(seq 100); do
		grep -q '^ready' "$PUB_DIR/relay.out" 2>/dev/null && return 0
		kill -0 "$PUB_PID" 2>/dev/null || fail "relay exited during start"
		sleep 0.1
	done
	fail "relay did not start"
}

pub_kill9() {
	kill -KILL "$PUB_PID"
	wait "$PUB_PID" 2>/dev/null || true
	exec 7>&-
	PUB_PID=""
}

# pub_cmd 'set t1/pub public=1 live=1 hearing=1'
pub_cmd() {
	local n
	n=$(grep -c '^ok' "$PUB_DIR/relay.out" || true)
	echo "$*" >&7
	for _ in $(seq 50); do
		[ "$(grep -c '^ok' "$PUB_DIR/relay.out" || true)" -gt "$n" ] && return 0
		sleep 0.05
	done
	fail "relay did not take: $*"
}

# nginx_start: the shipped configuration, addresses and folders replaced.
nginx_start() {
	command -v nginx >/dev/null || fail "nginx is not installed (scripts/install-deps.sh)"
	local nd=$PUB_DIR/${NGINX_NAME:-nginx}
	NGINX_PORT=$(free_port)
	NGINX_URL=http://127.0.0.1:$NGINX_PORT
	mkdir -p "$nd/cache-hls" "$nd/cache-auth" "$nd/tmp"
	sed -e "s|/var/cache/nginx/courtav-hls|$nd/cache-hls|" \
		-e "s|/var/cache/nginx/courtav-auth|$nd/cache-auth|" \
		-e "s|server 127.0.0.1:8790;|server 127.0.0.1:$PUB_PORT;|" \
		-e "s|listen 80;|listen 127.0.0.1:$NGINX_PORT;|" -e '/listen \[::\]:80;/d' \
		"${NGINX_CONF:-$CAV_SOURCE_ROOT/relay/nginx/courtav-relay.conf}" >"$nd/courtav-relay.conf"
	cat >"$nd/nginx.conf" <<CONF
worker_processes ${NGINX_WORKERS:-1};
pid $nd/nginx.pid;
error_log $nd/error.log warn;
$([ "$(id -u)" = 0 ] && echo "user root;")
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $nd/tmp/body;
    proxy_temp_path $nd/tmp/proxy;
    fastcgi_temp_path $nd/tmp/fastcgi;
    uwsgi_temp_path $nd/tmp/uwsgi;
    scgi_temp_path $nd/tmp/scgi;
    include $nd/courtav-relay.conf;
}
CONF
	nginx -t -p "$nd" -c "$nd/nginx.conf" -e "$nd/error.log" >"$nd/check.log" 2>&1 ||
		fail "nginx -t: $(cat "$nd/check.log")"
	nginx -p "$nd" -c "$nd/nginx.conf" -e "$nd/error.log" -g 'daemon off;' &
	NGINX_PID=$!
	NGINX_PIDS="${NGINX_PIDS:-} $NGINX_PID"
	for _ in $(seq 50); do
		curl -s -o /dev/null "$NGINX_URL/api/v1/public/hearings" && return 0
		sleep 0.1
	done
	fail "nginx did not start"
}

# status URL [curl args...]: prints the HTTP status.
status() {
	local url=$1
	shift
	curl -s -o /dev/null -w '%{http_code}' "$@" "$url"
}

# header URL NAME: prints a response header's value.
header() {
	curl -s -D - -o /dev/null "$1" | tr -d '\r' | awk -v n="$2" 'BEGIN{IGNORECASE=1} index(tolower($0), tolower(n) ":")==1 {sub(/^[^:]*: */,""); print}'
}

# jq-free JSON: python3.
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

wait_for() {
	local cond=$1 limit=${2:-20}
	for _ in $(seq $((limit * 10))); do
		if eval "$cond"; then return 0; fi
		sleep 0.1
	done
	fail "timed out waiting for: $cond"
}

# fetch_hls BASE_URL PLAYLIST_PATH DIR: the playlist and all its segments.
fetch_hls() {
	local base=$1 path=$2 dir=$3
	mkdir -p "$dir"
	curl -sf "$base$path" -o "$dir/index.m3u8" || return 1
	local prefix=${path%/*}
	grep -v '^#' "$dir/index.m3u8" | while read -r seg; do
		[ -n "$seg" ] && { curl -sf "$base$prefix/$seg" -o "$dir/$seg" || return 1; }
	done
}

now_ms() { date +%s%3N; }

pub_pass() { echo "PASS: $PUB_NAME"; }

# pub_user NAME ROLE PASSWORD: an account, before the relay starts.
pub_user() {
	echo "$3" | "$CAV_BUILD_ROOT/relay/courtav-relay" --config "$PUB_DIR/relay.ini" --add-user "$1" \
		--role "$2" >>"$PUB_DIR/relay.log" 2>&1 || fail "cannot add user $1"
}

# pub_login NAME PASSWORD: prints a bearer token.
pub_login() {
	curl -sf -X POST -H 'Content-Type: application/json' \
		-d "{\"name\":\"$1\",\"password\":\"$2\"}" "$PUB_URL/api/v1/login" | json 'd["token"]' ||
		fail "login as $1 failed"
}
