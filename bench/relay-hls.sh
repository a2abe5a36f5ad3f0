#!/bin/bash
# relay-hls.sh — the public HLS through nginx, measured with wrk on loopback:
# requests/s and latency (p50, p99) of live playlist and segment fetches,
# straight from the relay, through nginx with caching off, and through nginx
# with the shipped configuration (relay/nginx/courtav-relay.conf: cache on),
# one after the other in the same run.
#
# The relay is tests/relay-public/relay-harness (the real CavRelay with a
# simulated publisher: 640x360 test bars, 600 kbit/s public output, 1 s
# segments); nginx runs the shipped file with only addresses and folders
# replaced, "caching off" being that file with proxy_cache off everywhere
# (every request then also costs its auth_request round trip).
#
# Usage: bench/relay-hls.sh [SECONDS per measurement, default 10]
#   BUILD=<meson build dir> (default: build)   CONNECTIONS=50   THREADS=2
# Needs nginx and wrk (Debian packages; installed here if missing).
set -euo pipefail
DURATION=${1:-10}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CAV_BUILD_ROOT=${BUILD:-$ROOT/build} CAV_SOURCE_ROOT=$ROOT
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
for tool in nginx wrk; do
	if ! command -v "$tool" >/dev/null; then
		pkg=$tool; [ "$tool" = nginx ] && pkg=nginx-light
		echo "relay-hls: installing $pkg" >&2
		${SUDO:-$([ "$(id -u)" = 0 ] || echo sudo)} apt-get install -y --no-install-recommends "$pkg" >&2
	fi
done
. "$ROOT/tests/relay-public/lib.sh"
[ -x "$HARNESS" ] || fail "build first: $HARNESS is missing (ninja -C $CAV_BUILD_ROOT)"

pub_setup bench
pub_start
pub_cmd 'set t1/pub public=1 live=1 hearing=1'
list() { curl -sf "$PUB_URL/api/v1/public/hearings"; }
wait_for '[ "$(list | json "len(d[\"live\"])")" = 1 ]' 20
PL=$(list | json 'd["live"][0]["playlist"]')
wait_for '[ "$(curl -sf "$PUB_URL$PL" | grep -c "^s")" -ge 3 ]' 20
SEG=${PL%/*}/$(curl -sf "$PUB_URL$PL" | grep '^s' | head -n 1)
SEG_BYTES=$(curl -sf "$PUB_URL$SEG" | wc -c)

NGINX_NAME=cached nginx_start
CACHED=$NGINX_URL
sed 's/proxy_cache courtav_[a-z]*;/proxy_cache off;/' "$ROOT/relay/nginx/courtav-relay.conf" >"$PUB_DIR/nocache.conf"
NGINX_NAME=nocache NGINX_CONF=$PUB_DIR/nocache.conf nginx_start
NOCACHE=$NGINX_URL

# run NAME URL: one wrk measurement → a table row.
run() {
	local out
	out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$2" 2>&1)
	local rps p50 p99 errs
	rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
	p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
	p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
	errs=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
	printf '| %s | %s | %s | %s | %s |\n' "$1" "$rps" "$p50" "$p99" "${errs:-0}"
}

echo "# public HLS on loopback: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, segment $SEG_BYTES bytes, $(nproc) cores"
echo "| fetch | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
run "live playlist, relay direct" "$PUB_URL$PL"
run "live playlist, nginx, cache off" "$NOCACHE$PL"
run "live playlist, nginx, cache on" "$CACHED$PL"
run "segment, relay direct" "$PUB_URL$SEG"
run "segment, nginx, cache off" "$NOCACHE$SEG"
run "segment, nginx, cache on" "$CACHED$SEG"
