#!/usr/bin/env bash
# One case, one disc, end to end with the real courtavd: two ~4 s hearings
# of one case; the first burned as session 1 on a stdio: pseudo-drive (the
# same libburn path a burner takes) while the second is still to come; an
# image authored of both and checked by courtavctl and independently
# (xorriso's recorded MD5s, osirrox extraction + sha256sum against each
# manifest, openssl against each signature); the second hearing appended as
# session 2 and both sessions shown by xorriso -toc; a flipped byte named by
# verify; the database and audit rows; and the disc's own index.html played
# from a mark in headless Chromium with no network.
. "$(dirname "$0")/../integration/lib.sh"
CAV_SEGMENT_SECONDS=2 cav_setup disc
cav_start
for tool in xorriso osirrox sha256sum openssl; do
	command -v $tool >/dev/null || fail "$tool is needed (scripts/install-deps.sh)"
done
KEY=$CAV_STATE/device-key.pub
DISC=$CAV_DIR/disc.iso   # the stdio: pseudo-drive: a "disc" that grows by sessions
COPY=$CAV_DIR/copy.iso   # a second drive in the same burns: the second copy
IMAGE=$CAV_DIR/case.iso  # a plain image authored in one go

ctl case create --number '（2026）兵0101民初7号' --title '李某合同纠纷案' >/dev/null
record() { # record HEARING MARK: ~4 s with a mark 1.5 s in; closed and sealed
	ctl hearing open 1 >/dev/null
	sleep 1.5
	ctl mark "$1" "$2" >/dev/null
	sleep 2.5
	ctl hearing close "$1" >/dev/null
	ctl hearing seal "$1" >/dev/null
}
record 1 开庭

# ---- session 1: the first sealed hearing, burned while the case goes on -----
# Two drives at once: two copies, each read back on its own.
out=$(ctl disc burn 1 --drive "stdio:$DISC" --drive "stdio:$COPY") || fail "burn of hearing 1 failed: $out"
[ "$(grep -c "verified, read-back ok" <<<"$out")" = 2 ] || fail "burn did not report two verified copies: $out"
note "session 1 burned to two drives and read back"

record 2 法庭调查

# ---- author an image of the whole case; verify it ---------------------------
grep -q "h1 h2" <<<"$(ctl disc plan 1)" || fail "plan: $(ctl disc plan 1)"
out=$(ctl disc author 1 -o "$IMAGE") || fail "author failed: $out"
out=$(ctl disc verify "$IMAGE" --public-key "$KEY") || fail "verify of the image failed: $out"
grep -q "2 hearing(s), .* 0 problem(s)" <<<"$out" || fail "verify: $out"
note "image: $(echo "$out" | tail -2 | head -1)"

# ---- independently: xorriso's MD5s, osirrox + sha256sum, openssl ------------
# (Here-strings rather than "cmd | grep -q": with pipefail, grep -q quitting
# early would fail the pipeline by SIGPIPE.)
out=$(xorriso -md5 on -indev "$IMAGE" -check_md5_r FAILURE / -- 2>&1) || fail "xorriso -check_md5_r: $out"
grep -q "File contents and their MD5 checksums match" <<<"$out" || fail "xorriso -check_md5_r failed: $out"
out=$(xorriso -md5 on -indev "$IMAGE" -check_md5 FAILURE -- 2>&1) || fail "xorriso -check_md5: $out"
grep -q "session data match recorded md5" <<<"$out" || fail "xorriso -check_md5 of the session failed: $out"
X=$CAV_DIR/extracted
osirrox -indev "$IMAGE" -extract / "$X" >/dev/null 2>&1 || fail "osirrox could not extract"
n_sums=0
for m in "$X"/h*/manifest.json; do
	h=$(dirname "$m")
	# The manifest is canonical: "file" comes before its "sha256".
	awk -F'"' '/"file" *:/ { f = $4 } /"sha256" *:/ { print $4 "  " f }' "$m" >"$CAV_DIR/sums"
	(cd "$h" && sha256sum --quiet -c "$CAV_DIR/sums") || fail "sha256sum disagrees with $m"
	n_sums=$((n_sums + $(wc -l <"$CAV_DIR/sums")))
	base64 -d "$h/manifest.sig" >"$CAV_DIR/sig.bin"
	openssl pkeyutl -verify -pubin -inkey "$X/device-key.pub" -rawin -in "$m" \
		-sigfile "$CAV_DIR/sig.bin" >/dev/null || fail "openssl rejects the signature of $m"
done
[ "$n_sums" -ge 8 ] || fail "only $n_sums recordings checked"
cmp -s "$X/device-key.pub" "$KEY" || fail "the disc's device-key.pub is not the device's key"
base64 -d "$X/disc-set.sig" >"$CAV_DIR/sig.bin"
openssl pkeyutl -verify -pubin -inkey "$KEY" -rawin -in "$X/disc-set.json" \
	-sigfile "$CAV_DIR/sig.bin" >/dev/null || fail "openssl rejects disc-set.sig"
ctl verify "$X" --public-key "$KEY" >/dev/null || fail "courtavctl verify of the extracted hearings"
ctl disc verify "$X" --public-key "$KEY" >/dev/null || fail "disc verify of the extracted folder"
note "independent checks: xorriso MD5s, $n_sums sha256sums, 3 signatures"

# ---- session 2: the second hearing appended; both sessions in the TOC --------
out=$(ctl disc burn 1 --drive "stdio:$DISC" --drive "stdio:$COPY") || fail "append of hearing 2 failed: $out"
grep -q "hearings written: h2$" <<<"$out" || fail "session 2 should add only h2: $out"
toc=$(xorriso -indev "$DISC" -toc 2>&1)
grep -q "ISO session  :   1 ," <<<"$toc" || fail "no session 1 in the TOC: $toc"
grep -q "ISO session  :   2 ," <<<"$toc" || fail "no session 2 in the TOC: $toc"
for d in "$DISC" "$COPY"; do
	grep -q "2 hearing(s), .* 0 problem(s)" <<<"$(ctl disc verify "$d" --public-key "$KEY")" ||
		fail "the two-session disc $d does not verify"
done
note "$(echo "$toc" | grep 'ISO session' | tr -s ' ' | paste -sd';')"
if ctl disc burn 1 --drive "stdio:$DISC" >"$CAV_DIR/out" 2>&1; then
	fail "a third burn with nothing new succeeded"
fi
grep -q "nothing new to burn" "$CAV_DIR/out" || fail "nothing-to-burn not explained: $(cat "$CAV_DIR/out")"

# ---- database and audit -------------------------------------------------------
# The attempt with nothing new is on record too, as a failed job saying why.
[ "$(sql "SELECT group_concat(kind || ':' || state, ',') FROM (SELECT * FROM disc_jobs ORDER BY id)")" = \
	"burn:done,author:done,burn:done,burn:failed" ] || fail "disc_jobs: $(sql 'SELECT * FROM disc_jobs')"
[ "$(sql "SELECT hearings FROM disc_jobs WHERE id = 3")" = '["h2"]' ] ||
	fail "session 2 should record h2: $(sql 'SELECT id, hearings FROM disc_jobs')"
[ "$(sql "SELECT count(*) FROM disc_copies WHERE state = 'verified' AND verify = 'ok'")" = 5 ] ||
	fail "disc_copies: $(sql 'SELECT * FROM disc_copies')"
# Who burned which case, when: a row when each job starts and one with its result.
[ "$(sql "SELECT count(*) FROM audit WHERE action IN ('disc.burn', 'disc.author') AND object = 'case/1' AND actor = 't-clerk'")" = 4 ] ||
	fail "audit rows: $(sql "SELECT action, object, actor FROM audit WHERE action LIKE 'disc.%'")"
ctl audit verify --db "$CAV_STATE/courtav.db" >/dev/null || fail "audit chain broken"

# ---- a flipped byte is named --------------------------------------------------
victim=$(find "$X/h2/cam1" -name '*.mp4' | sort | head -n 1)
rel=${victim#"$X"/}
lba=$(xorriso -indev "$IMAGE" -find "/$rel" -exec report_lba -- 2>/dev/null |
	awk -F, '/File data lba:/ { gsub(/ /, "", $2); print $2 }')
[ -n "$lba" ] || fail "no LBA for /$rel"
printf '\xff' | dd of="$IMAGE" bs=1 seek=$((lba * 2048 + 4000)) conv=notrunc status=none
if out=$(ctl disc verify "$IMAGE" 2>&1); then fail "verify passed a flipped byte"; fi
grep "ALTERED" <<<"$out" | grep -q "$rel" || fail "verify did not name $rel: $out"
note "flipped byte named: $(echo "$out" | grep ALTERED | cut -c1-90)"

# ---- the disc's player, offline, in headless Chromium -------------------------
if command -v chromium >/dev/null; then
	run=(chromium --headless --no-sandbox --disable-gpu --disable-background-networking
		--disable-component-update --disable-sync --no-first-run --mute-audio
		--autoplay-policy=no-user-gesture-required --enable-logging=stderr --v=0
		"--user-data-dir=$CAV_DIR/chromium" "--proxy-server=127.0.0.1:9"
		"--host-resolver-rules=MAP * ~NOTFOUND")
	# No network at all when we may make a namespace for it.
	if unshare -rn true 2>/dev/null; then run=(unshare -rn "${run[@]}"); fi
	# Hearing 2 (index 1), its mark, on camera 1: the file holding the mark
	# is found and played from the mark's offset.
	timeout 40 "${run[@]}" "file://$X/index.html#autotest=1,0,cam1" >"$CAV_DIR/chromium.log" 2>&1 || true
	line=$(grep -ao 'CAVTEST {.*}' "$CAV_DIR/chromium.log" | head -n 1 | sed 's/^CAVTEST //' || true)
	grep -q '"ok":true' <<<"$line" || fail "the player did not play from the mark: ${line:-$(tail -5 "$CAV_DIR/chromium.log")}"
	# The first seek landed on the mark's offset in its file (within a frame or two).
	awk -v l="$line" 'BEGIN { match(l, /"offset":[0-9.e-]+/); o = substr(l, RSTART + 9, RLENGTH - 9);
		match(l, /"seeked":[0-9.e-]+/); s = substr(l, RSTART + 9, RLENGTH - 9);
		d = o - s; if (d < 0) d = -d; exit !(RLENGTH > 0 && d < 0.25) }' ||
		fail "the player did not start at the mark's offset: $line"
	note "player: $line"
else
	fail "chromium is needed (scripts/install-deps.sh)"
fi
cav_pass
