# lib.sh — shared helpers for the integration tests: a real courtavd on
# loopback with test sources, driven by the real courtavctl, checked with
# ffprobe and sqlite3 against the real files and database.
#
# Usage in a test:  . "$(dirname "$0")/lib.sh"; cav_setup NAME; ...; cav_pass
# Needs: CAV_BUILD_ROOT (set by meson), ffprobe, sqlite3.

set -euo pipefail

: "${CAV_BUILD_ROOT:?run through meson test}"
COURTAVD=$CAV_BUILD_ROOT/appliance/courtavd
CTL_BIN=$CAV_BUILD_ROOT/tools/courtavctl
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

fail() {
	echo "FAIL: $*" >&2
	if [ -n "${CAV_LOG:-}" ] && [ -f "$CAV_LOG" ]; then
		echo "---- courtavd log (last 40 lines) ----" >&2
		tail -n 40 "$CAV_LOG" >&2
	fi
	exit 1
}
note() { echo "# $*"; }

# cav_setup NAME [extra ini lines...]: a fresh state folder and config with
# small, fast test sources (2 cameras 320x240@25, 2 microphones).
cav_setup() {
	CAV_NAME=$1
	shift
	CAV_DIR=$(mktemp -d "${TMPDIR:-/tmp}/cav-$CAV_NAME.XXXXXX")
	CAV_STATE=$CAV_DIR/state
	CAV_INI=$CAV_DIR/courtavd.ini
	CAV_LOG=$CAV_DIR/courtavd.log
	CAV_PID=""
	trap cav_cleanup EXIT
	cat >"$CAV_INI" <<INI
[courtavd]
room = t1
room_name = 测试法庭
court = 测试人民法院
state_dir = $CAV_STATE
listen = 127.0.0.1:0

[recording]
width = 320
height = 240
fps = 25
program_width = 640
program_height = 240
camera_kbps = 400
program_kbps = 500
audio_kbps = 64
segment_seconds = ${CAV_SEGMENT_SECONDS:-6}
fragment_ms = 500
x264_preset = ultrafast
layout = side-by-side

[storage]
min_free_hours = ${CAV_MIN_FREE_HOURS:-0}
alarm_free_hours = ${CAV_ALARM_FREE_HOURS:-0}
stop_free_mb = ${CAV_STOP_FREE_MB:-1}
check_interval_ms = ${CAV_CHECK_INTERVAL_MS:-500}

[camera cam1]
backend = test
label = 审判席
role = judge
pattern = smpte

[camera cam2]
backend = test
label = 被告席
role = defendant
pattern = ball

[microphone mic1]
backend = test
role = judge
freq = 440

[microphone mic2]
backend = test
role = defence
freq = 880
INI
	for line in "$@"; do echo "$line" >>"$CAV_INI"; done
}

cav_cleanup() {
	if [ -n "${CAV_PID:-}" ] && kill -0 "$CAV_PID" 2>/dev/null; then
		kill -TERM "$CAV_PID" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$CAV_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$CAV_PID" 2>/dev/null || true
	fi
	if [ -n "${CAV_DIR:-}" ] && [ -d "$CAV_DIR/media" ]; then
		umount "$CAV_DIR/media" 2>/dev/null || true
	fi
	if [ -z "${CAV_KEEP:-}" ] && [ -n "${CAV_DIR:-}" ]; then
		rm -rf "$CAV_DIR"
	fi
}

# Test accounts (created before the first start with courtavd --add-user):
# the clerk runs hearings through courtavctl, the admin manages users.
CAV_CLERK=t-clerk
CAV_CLERK_PIN=246810
CAV_ADMIN=t-admin
CAV_ADMIN_PASSWORD=admin-secret-1

# cav_users: creates the test accounts once per state folder.
cav_users() {
	[ -f "$CAV_DIR/.users" ] && return 0
	echo "$CAV_CLERK_PIN" | "$COURTAVD" --config "$CAV_INI" --add-user "$CAV_CLERK" --role clerk \
		>>"$CAV_LOG" 2>&1 || fail "cannot add the test clerk"
	echo "$CAV_ADMIN_PASSWORD" | "$COURTAVD" --config "$CAV_INI" --add-user "$CAV_ADMIN" \
		--role admin --secret-kind password >>"$CAV_LOG" 2>&1 || fail "cannot add the test admin"
	touch "$CAV_DIR/.users"
}

# cav_login USER SECRET: prints a bearer token.
cav_login() {
	echo "$2" | "$CTL_BIN" login --user "$1" --print-token || fail "login as $1 failed"
}

# cav_start: runs courtavd in the background, waits for its API and logs
# courtavctl in as the test clerk ($COURTAV_TOKEN).
cav_start() {
	cav_users
	: >>"$CAV_LOG"
	local before
	before=$(wc -l <"$CAV_LOG")
	"$COURTAVD" --config "$CAV_INI" >>"$CAV_LOG" 2>&1 &
	CAV_PID=$!
	for _ in $(seq 300); do
		local url
		url=$(tail -n +"$((before + 1))" "$CAV_LOG" | sed -n 's|.*API at \(http://[0-9.:]*\)/api/v1.*|\1|p' | tail -n 1)
		if [ -n "$url" ]; then
			export COURTAV_API=$url
			unset COURTAV_TOKEN
			COURTAV_TOKEN=$(cav_login "$CAV_CLERK" "$CAV_CLERK_PIN")
			export COURTAV_TOKEN
			return 0
		fi
		kill -0 "$CAV_PID" 2>/dev/null || fail "courtavd exited during start"
		sleep 0.1
	done
	fail "courtavd did not start within 30 s"
}

# cav_stop: SIGTERM and wait (clean shutdown).
cav_stop() {
	kill -TERM "$CAV_PID"
	wait "$CAV_PID" || fail "courtavd exited with $? after SIGTERM"
	CAV_PID=""
}

# cav_kill9: SIGKILL, as a crash or power loss.
cav_kill9() {
	kill -KILL "$CAV_PID"
	wait "$CAV_PID" 2>/dev/null || true
	CAV_PID=""
}

ctl() { "$CTL_BIN" "$@"; }
sql() { sqlite3 -batch -noheader "$CAV_STATE/courtav.db" "$@"; }

# ctl_expect_fail CODE_SUBSTRING cmd...: the command must fail and print it.
ctl_expect_fail() {
	local want=$1
	shift
	local out
	if out=$("$CTL_BIN" "$@" 2>&1); then
		fail "courtavctl $* succeeded but should have failed ($want)"
	fi
	echo "$out" | grep -q -- "$want" || fail "courtavctl $*: expected '$want' in: $out"
	echo "$out" | grep -q '错误' || fail "courtavctl $*: no Chinese error line in: $out"
}

# Duration in seconds (float) of a media file, or fails.
media_duration() {
	ffprobe -v error -show_entries format=duration -of default=nw=1:nk=1 "$1" ||
		fail "ffprobe cannot read $1"
}

# Codec names of a file's streams, space-separated, in order.
media_codecs() {
	ffprobe -v error -show_entries stream=codec_name -of default=nw=1:nk=1 "$1" | tr '\n' ' ' |
		sed 's/ $//'
}

# True if the first video frame of a file is a keyframe.
first_frame_is_key() {
	local k
	k=$(ffprobe -v error -select_streams v:0 -read_intervals '%+#1' -show_entries frame=key_frame \
		-of default=nw=1:nk=1 "$1" | head -n 1)
	[ "$k" = "1" ]
}

# float comparison: abs(a-b) <= tol
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; }

# Waits until a shell condition holds (up to $2 seconds, default 20).
wait_for() {
	local cond=$1 limit=${2:-20}
	for _ in $(seq $((limit * 10))); do
		if eval "$cond"; then return 0; fi
		sleep 0.1
	done
	fail "timed out waiting for: $cond"
}

cav_pass() {
	echo "PASS: $CAV_NAME"
}
