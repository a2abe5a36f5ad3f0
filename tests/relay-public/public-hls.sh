#!/usr/bin/env bash
# The public HLS output on loopback, directly and through nginx with the
# shipped configuration (relay/nginx/courtav-relay.conf):
#   - only the public, live hearing is listed and has files; the non-public
#     one, streaming at the same time, has none, and every guessed URL is
#     refused (direct and through nginx);
#   - cache headers: segments immutable, playlists 1 s; nginx serves
#     repeated segments from its cache;
#   - the cut: slate frames are in the public output within 1 s of the cut
#     instant in media time (measured by decoding the segments);
#   - revocation: a hearing that stops being public vanishes at once, from
#     the relay and from nginx's cache;
#   - the end of a hearing: listed on demand, vod.m3u8 with ENDLIST, plays;
#   - kill -9 and restart of the relay: the same broadcast resumes (same
#     URL, a discontinuity) within 10 s.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
command -v curl >/dev/null || fail "curl is needed"
pub_setup hls
pub_user op operator op-secret-123
pub_start
nginx_start
TOKEN_OP=$(pub_login op op-secret-123)
AUTH=(-H "Authorization: Bearer $TOKEN_OP")

pub_cmd 'set t1/pub public=1 live=1 hearing=1'
pub_cmd 'set t1/priv public=0 live=1 hearing=2'
list() { curl -sf "$PUB_URL/api/v1/public/hearings"; }
nseg() { curl -sf "$PUB_URL$1" 2>/dev/null | grep -c '^s.*\.ts$' || true; }
wait_for '[ "$(list | json "len(d[\"live\"])")" = 1 ]' 20
PL=$(list | json 'd["live"][0]["playlist"]')
TOKEN=$(echo "$PL" | cut -d/ -f3)
wait_for '[ "$(nseg "$PL")" -ge 3 ]' 20
note "public broadcast $PL"

# ---- only the public hearing exists anywhere ----------------------------------
listing=$(list)
echo "$listing" | grep -q '不公开' && fail "the non-public hearing is listed: $listing"
echo "$listing" | grep -q 'priv' && fail "the non-public room is named: $listing"
[ "$(ls "$PUB_DIR/hls")" = "$TOKEN" ] || fail "hls_dir holds more than the public broadcast: $(ls "$PUB_DIR/hls")"
[ "$(find "$PUB_DIR" -name '*.ts' | grep -vc "/hls/$TOKEN/" || true)" = 0 ] || fail "media outside the public broadcast"
[ "$(curl -sf "${AUTH[@]}" "$PUB_URL/api/v1/rooms/t1/priv/public" | json 'd["state"]')" = off ] ||
	fail "the non-public room has a public output state"

# ---- headers --------------------------------------------------------------------
SEG=$(curl -sf "$PUB_URL$PL" | grep '^s.*\.ts$' | head -n 1)
SEGURL=${PL%/*}/$SEG
[ "$(header "$PUB_URL$PL" Cache-Control)" = "public, max-age=1" ] || fail "live playlist cache header"
[ "$(header "$PUB_URL$PL" Content-Type)" = "application/vnd.apple.mpegurl" ] || fail "playlist type"
[ "$(header "$PUB_URL$SEGURL" Cache-Control)" = "public, max-age=31536000, immutable" ] || fail "segment cache header"
[ "$(header "$PUB_URL$SEGURL" Content-Type)" = "video/mp2t" ] || fail "segment type"
curl -s "$PUB_URL$PL" | grep -q '#EXT-X-PROGRAM-DATE-TIME' || fail "no PROGRAM-DATE-TIME"
[ "$(header "$NGINX_URL$SEGURL" X-Cache-Status)" = MISS ] || fail "first segment fetch through nginx not a MISS"
[ "$(header "$NGINX_URL$SEGURL" X-Cache-Status)" = HIT ] || fail "second segment fetch through nginx not a HIT"
cmp -s <(curl -s "$NGINX_URL$SEGURL") <(curl -s "$PUB_URL$SEGURL") || fail "nginx serves different bytes"

# ---- guessed URLs ---------------------------------------------------------------
RANDOM_TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
for path in /hls/t1/priv/live.m3u8 /hls/t1/pub/live.m3u8 "/hls/$RANDOM_TOKEN/live.m3u8" \
	"/hls/$RANDOM_TOKEN/s000001.ts" "/hls/$TOKEN/meta.json" "/hls/$TOKEN/segments.log" \
	"/hls/$TOKEN/vod.m3u8" "/hls/$TOKEN/s999999.ts" "/hls/$TOKEN/../../state/registry.db" \
	"/hls/$TOKEN/%2e%2e/meta.json" "/hls/$TOKEN/..%2fmeta.json" \
	"/hls/$(echo "$TOKEN" | tr a-f A-F)/live.m3u8" "/hls/${TOKEN}0/live.m3u8" "/hls/$TOKEN/live.m3u8.tmp" \
	/hls/1/live.m3u8 /hls/2/live.m3u8; do
	d=$(status "$PUB_URL$path" --path-as-is)
	n=$(status "$NGINX_URL$path" --path-as-is)
	case "$d:$n" in 40[04]:40[034]) ;; *) fail "$path answered $d directly, $n through nginx" ;; esac
done
note "guessed URLs refused (direct 404, nginx 403/404)"

# ---- the cut ------------------------------------------------------------------------
[ "$(status "$PUB_URL/api/v1/rooms/t1/pub/cut" -X POST)" = 401 ] || fail "cut without login not refused"
cut_ms=$(curl -sf "${AUTH[@]}" -X POST -H 'Content-Type: application/json' -d '{"reason":"test"}' \
	"$PUB_URL/api/v1/rooms/t1/pub/cut" | json 'd["at_us"] // 1000')
# Wall-clock time until a listed segment shows the slate: HLS latency.
seen_ms=""
for _ in $(seq 60); do
	rm -rf "$PUB_DIR/probe" && fetch_hls "$PUB_URL" "$PL" "$PUB_DIR/probe" || true
	if "$HLS_PROBE" "$PUB_DIR/probe/index.m3u8" 2>/dev/null >"$PUB_DIR/probe.txt" &&
		grep -q ' video slate' "$PUB_DIR/probe.txt"; then
		seen_ms=$(now_ms)
		break
	fi
	sleep 0.1
done
[ -n "$seen_ms" ] || fail "no slate in the public output after the cut"
sleep 2.5
rm -rf "$PUB_DIR/probe" && fetch_hls "$PUB_URL" "$PL" "$PUB_DIR/probe" || fail "cannot fetch the playlist"
"$HLS_PROBE" "$PUB_DIR/probe/index.m3u8" >"$PUB_DIR/probe.txt" || fail "hls-probe failed"
first_slate=$(awk '$2 == "video" && $3 == "slate" {print $1; exit}' "$PUB_DIR/probe.txt")
[ -n "$first_slate" ] || fail "no slate frame decoded"
media_ms=$((first_slate - cut_ms))
[ "$media_ms" -le 1000 ] || fail "first slate frame $media_ms ms after the cut (media time)"
late=$(awk -v c=$((cut_ms + 1000)) '$2 == "video" && $1 >= c && $3 != "slate"' "$PUB_DIR/probe.txt" | wc -l)
[ "$late" = 0 ] || fail "$late live frames more than 1 s after the cut"
loud=$(awk -v c=$((cut_ms + 1000)) '$2 == "audio" && $1 >= c && $3 > 0.001' "$PUB_DIR/probe.txt" | wc -l)
[ "$loud" = 0 ] || fail "$loud sound buffers more than 1 s after the cut"
note "cut: first slate frame at ${media_ms} ms of the cut in media time; slate listed after $((seen_ms - cut_ms)) ms wall time"
[ "$(curl -sf "${AUTH[@]}" "$PUB_URL/api/v1/rooms/t1/pub/public" | json 'd["cut"]')" = True ] || fail "room state not cut"
curl -sf "${AUTH[@]}" -X POST "$PUB_URL/api/v1/rooms/t1/pub/uncut" >/dev/null || fail "uncut failed"

# ---- revocation -------------------------------------------------------------------
curl -s -o /dev/null "$NGINX_URL$SEGURL"
pub_cmd 'set t1/pub public=0 live=1 hearing=1'
t0=$(now_ms)
[ "$(status "$PUB_URL$PL")" = 404 ] || fail "revoked playlist still served by the relay"
[ "$(status "$PUB_URL$SEGURL")" = 404 ] || fail "revoked segment still served by the relay"
[ ! -e "$PUB_DIR/hls/$TOKEN" ] || fail "revoked broadcast's files remain"
wait_for '[ "$(status "$NGINX_URL$SEGURL")" = 403 ] && [ "$(status "$NGINX_URL$PL")" = 403 ]' 3
note "revoked: refused through nginx's cache after $(($(now_ms) - t0)) ms"
[ "$(list | json 'len(d["live"]) + len(d["on_demand"])')" = 0 ] || fail "revoked broadcast still listed"

# ---- the end of a hearing: on demand --------------------------------------------
pub_cmd 'set t1/pub public=1 live=1 hearing=3'
wait_for '[ "$(list | json "len(d[\"live\"])")" = 1 ]' 10
PL3=$(list | json 'd["live"][0]["playlist"]')
wait_for '[ "$(nseg "$PL3")" -ge 3 ]' 20
pub_cmd 'set t1/pub public=1 live=0 hearing=0'
wait_for '[ "$(list | json "len(d[\"on_demand\"])")" = 1 ]' 10
VOD=$(list | json 'd["on_demand"][0]["playlist"]')
[ "$VOD" = "${PL3%/*}/vod.m3u8" ] || fail "on-demand playlist $VOD"
curl -sf "$PUB_URL$VOD" | grep -q '^#EXT-X-ENDLIST' || fail "vod.m3u8 without ENDLIST"
rm -rf "$PUB_DIR/vod" && fetch_hls "$NGINX_URL" "$VOD" "$PUB_DIR/vod" || fail "cannot fetch the recording through nginx"
"$HLS_PROBE" "$PUB_DIR/vod/index.m3u8" >"$PUB_DIR/vod.txt" || fail "recording does not decode"
grep -q ' video other' "$PUB_DIR/vod.txt" || fail "recording shows no picture"

# ---- kill -9 and restart: the broadcast resumes -----------------------------------
pub_cmd 'set t1/pub public=1 live=1 hearing=4'
wait_for '[ "$(list | json "len(d[\"live\"])")" = 1 ]' 10
PL4=$(list | json 'd["live"][0]["playlist"]')
wait_for '[ "$(nseg "$PL4")" -ge 2 ]' 20
last=$(curl -sf "$PUB_URL$PL4" | grep '^s.*\.ts$' | tail -n 1)
pub_kill9
t0=$(now_ms)
pub_start
pub_cmd 'set t1/pub public=1 live=1 hearing=4'
wait_for '[ "$(curl -sf "$PUB_URL$PL4" | grep "^s.*\.ts$" | tail -n 1)" \> "$last" ]' 10
note "after kill -9: the same playlist has new segments $(($(now_ms) - t0)) ms after the restart"
curl -sf "$PUB_URL$PL4" | grep -q '#EXT-X-DISCONTINUITY' || fail "no discontinuity after the restart"
pub_pass
