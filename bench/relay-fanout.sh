#!/usr/bin/env bash
# relay-fanout.sh — the relay's fan-out beside Janus's streaming plugin, in
# the same run, on loopback: one synthetic 2 Mbit/s stream (1200-byte RTP
# packets carrying their send time) goes to courtav-relay (SRTP, as an
# enrolled appliance sends it) and, as plain RTP, to a Janus RTP mountpoint;
# N subscribers of each: courtav-relay's internal SRTP subscribers
# (tests/relay/fanout-load), Janus's WebRTC viewers (bench/janus-viewers.py,
# webrtcbin). Reported: the relay's CPU (% of one core, over the measured
# window) and so CPU per subscriber, and the added latency from the
# publisher's send to a subscriber's decrypted packet (p50/p99, 10 probes).
#
#   bench/relay-fanout.sh [BUILD_DIR]      (default /tmp/build-relay)
#   COUNTS="1 25 100" SECONDS_EACH=8 bench/relay-fanout.sh
#
# Installs Debian's janus, python3-gi and gir1.2-gst-plugins-bad-1.0 when missing.
set -euo pipefail

BUILD=${1:-/tmp/build-relay}
SRC=$(cd "$(dirname "$0")/.." && pwd)
COUNTS=${COUNTS:-"1 25 100"}
SECONDS_EACH=${SECONDS_EACH:-8}
export CAV_BUILD_ROOT=$BUILD CAV_SOURCE_ROOT=$SRC

need=()
for p in janus python3-gi gir1.2-gst-plugins-bad-1.0 gstreamer1.0-nice; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
	$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${need[@]}" >&2
fi

. "$SRC/tests/relay/lib-relay.sh"
relay_setup bench-fanout "max_subscribers = 5000"
relay_start

# Janus: HTTP API on 127.0.0.1, the streaming plugin with one RTP mountpoint.
JDIR=$CAV_DIR/janus
JPORT=$(free_port tcp)
MPORT=$(free_port udp)
mkdir -p "$JDIR"
LIB=/usr/lib/x86_64-linux-gnu/janus
cat >"$JDIR/janus.jcfg" <<JCFG
general: { configs_folder = "$JDIR" plugins_folder = "$LIB/plugins" transports_folder = "$LIB/transports"
	events_folder = "$LIB/events" loggers_folder = "$LIB/loggers" debug_level = 3 }
media: { rtp_port_range = "30000-40000" }
nat: { ice_enforce_list = "lo" }
plugins: { disable = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_echotest.so,libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_videoroom.so,libjanus_voicemail.so" }
transports: { disable = "libjanus_websockets.so,libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so" }
loggers: { disable = "libjanus_jsonlog.so" }
JCFG
cat >"$JDIR/janus.transport.http.jcfg" <<JCFG
general: { base_path = "/janus" http = true port = $JPORT ip = "127.0.0.1" https = false }
admin: { admin_http = false }
JCFG
cat >"$JDIR/janus.plugin.streaming.jcfg" <<JCFG
general: { string_ids = false }
bench: { type = "rtp" id = 1 description = "bench"
	media = ( { type = "video" mid = "v" port = $MPORT pt = 96 codec = "h264" } ) }
JCFG
janus -F "$JDIR" -C "$JDIR/janus.jcfg" >"$JDIR/janus.log" 2>&1 &
JANUS_PID=$!
EXTRA_PIDS="$JANUS_PID"
for _ in $(seq 100); do
	curl -s -o /dev/null -X POST -d '{"janus":"info","transaction":"x"}' "http://127.0.0.1:$JPORT/janus" && break
	sleep 0.1
done

row() { printf '| %s | %s | %s | %s | %s | %s |\n' "$@"; }
# CPU per subscriber: the slope from the first count (the stream's own cost
# is in both), so (cpu(n) - cpu(first)) / (n - first).
per_sub() { awk -v c="$1" -v c0="$2" -v n="$3" -v n0="$4" 'BEGIN { if (n == n0) print "–"; else printf "%.3f", (c - c0) / (n - n0) }'; }
echo "| relay | subscribers | relay CPU (% of a core) | added CPU per subscriber | latency p50 | latency p99 |"
echo "|---|---|---|---|---|---|"
first=""
c0_courtav=0
c0_janus=0
for n in $COUNTS; do
	out=$("$RT/fanout-load" --api "$RELAY_URL" --token "$RELAY_TOKEN" --subscribers "$n" \
		--seconds "$SECONDS_EACH" --pid "$RELAY_PID" --mirror "127.0.0.1:$MPORT")
	cpu=$(json_get relay_cpu_pct <<<"$out")
	[ -n "$first" ] || { first=$n; c0_courtav=$cpu; }
	row courtav-relay "$n" "$cpu" "$(per_sub "$cpu" "$c0_courtav" "$n" "$first")" \
		"$(json_get latency_p50_us <<<"$out") µs" "$(json_get latency_p99_us <<<"$out") µs"
	echo "courtav $n: $out" >&2

	# The same stream for Janus, for as long as its viewers take to set up.
	"$RT/fanout-load" --api "$RELAY_URL" --token "$RELAY_TOKEN" --subscribers 0 \
		--seconds 600 --mirror "127.0.0.1:$MPORT" >/dev/null &
	pub=$!
	EXTRA_PIDS="$JANUS_PID $pub"
	out=$(/usr/bin/python3 "$SRC/bench/janus-viewers.py" --janus "http://127.0.0.1:$JPORT/janus" \
		--viewers "$n" --seconds "$SECONDS_EACH" --pid "$JANUS_PID" --probe 10)
	kill "$pub"
	wait "$pub" 2>/dev/null || true
	EXTRA_PIDS="$JANUS_PID"
	cpu=$(json_get janus_cpu_pct <<<"$out")
	[ "$n" != "$first" ] || c0_janus=$cpu
	row "Janus streaming" "$n" "$cpu" "$(per_sub "$cpu" "$c0_janus" "$n" "$first")" \
		"$(json_get latency_p50_us <<<"$out") µs" "$(json_get latency_p99_us <<<"$out") µs"
	echo "janus $n: $out" >&2
done
