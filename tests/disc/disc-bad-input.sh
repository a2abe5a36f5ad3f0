#!/usr/bin/env bash
# Discs and bad input, with the real courtavd: a case with an unsealed
# hearing (burning only the sealed ones while the next hearing records), no
# drive, a drive with no medium, a closed disc, a disc of another case, a
# medium too small, and discs whose manifests, signatures or files do not
# match. Each refusal must be clear in English and Chinese, and nothing may
# be reported good that is not.
. "$(dirname "$0")/../integration/lib.sh"
CAV_SEGMENT_SECONDS=2 cav_setup disc-bad
# Configured for 4 Mbit/s per video track (the static test pictures use far
# less): an hour of this room no longer fits the DVD-5 the case fits today.
sed -i -e 's/^camera_kbps = .*/camera_kbps = 4000/' -e 's/^program_kbps = .*/program_kbps = 4000/' "$CAV_INI"
cav_start
KEY=$CAV_STATE/device-key.pub

# expect_job_fail WANT cmd...: the command fails, says WANT, in two languages,
# and does not claim a good disc.
expect_job_fail() {
	local want=$1 out
	shift
	if out=$("$CTL_BIN" "$@" 2>&1); then fail "courtavctl $* succeeded but should fail ($want)"; fi
	grep -q -- "$want" <<<"$out" || fail "courtavctl $*: expected '$want' in: $out"
	grep -q '错误' <<<"$out" || fail "courtavctl $*: no Chinese message in: $out"
	if grep -q "Done: every copy" <<<"$out"; then fail "courtavctl $* claimed success: $out"; fi
}

ctl case create --number '（2026）兵0101民初8号' --title '王某侵权案' >/dev/null
ctl hearing open 1 >/dev/null
sleep 3
ctl hearing close 1 >/dev/null
ctl hearing seal 1 >/dev/null
ctl hearing open 1 >/dev/null # hearing 2 records through what follows

# ---- the warning when a case is about to outgrow its medium -------------------
grep -q "disc-capacity" <<<"$(ctl events)" || fail "no disc-capacity warning at hearing open: $(ctl events)"
grep -q "DVD-9" <<<"$(ctl events)" || fail "the warning does not name the next medium: $(ctl events)"

# ---- a case with an unsealed hearing ------------------------------------------
ctl_expect_fail "not sealed: 2 (recording)" disc author 1 -o "$CAV_DIR/x.iso"
ctl_expect_fail "not sealed" disc burn 1 --drive "stdio:$CAV_DIR/a.iso"
ctl_expect_fail "not sealed" disc burn 1 --sealed-only --close --drive "stdio:$CAV_DIR/a.iso"
[ ! -e "$CAV_DIR/x.iso" ] || fail "a refused author left an image behind"
# Burning while recording: the sealed hearing only, disc left open.
out=$(ctl disc burn 1 --sealed-only --drive "stdio:$CAV_DIR/a.iso") || fail "sealed-only burn: $out"
grep -q "hearings written: h1$" <<<"$out" || fail "sealed-only burn wrote: $out"
grep -q "hearing 2 is recording" <<<"$(ctl disc plan 1)" || fail "plan does not name the unsealed hearing"

# ---- drives: none given, none there, no medium ----------------------------------
ctl_expect_fail "No drive given" disc burn 1 --sealed-only
expect_job_fail "No drive at /dev/sr97" disc burn 1 --sealed-only --drive /dev/sr97
expect_job_fail "holds no disc" disc burn 1 --sealed-only --drive stdio:
expect_job_fail "No drive at" disc burn 1 --sealed-only --drive "stdio:$CAV_DIR/no/such/dir/d.iso"
[ "$(sql "SELECT count(*) FROM disc_copies WHERE state = 'failed' AND error IS NOT NULL")" -ge 3 ] ||
	fail "failed copies not recorded: $(sql 'SELECT * FROM disc_copies')"

ctl hearing close 2 >/dev/null
ctl hearing seal 2 >/dev/null

# ---- a closed disc, then another case's disc ------------------------------------
ctl disc burn 1 --close --drive "stdio:$CAV_DIR/closed.iso" >/dev/null || fail "burn --close failed"
expect_job_fail "was closed when the case ended" disc burn 1 --drive "stdio:$CAV_DIR/closed.iso"
grep -q ", closed" <<<"$(ctl disc verify "$CAV_DIR/closed.iso")" || fail "verify does not show the disc closed"
ctl case create --number '（2026）兵0101民初9号' --title '赵某案' >/dev/null
ctl hearing open 2 >/dev/null
sleep 2
ctl hearing close 3 >/dev/null
ctl hearing seal 3 >/dev/null
expect_job_fail "belongs to case （2026）兵0101民初8号" disc burn 2 --drive "stdio:$CAV_DIR/a.iso"

# ---- a medium too small (a 256 KiB file system) -----------------------------------
mkdir -p "$CAV_DIR/small"
if mount -t tmpfs -o size=256k tmpfs "$CAV_DIR/small" 2>/dev/null; then
	trap 'umount "$CAV_DIR/small" 2>/dev/null; cav_cleanup' EXIT # unmounted even on failure
	expect_job_fail "too small" disc burn 1 --drive "stdio:$CAV_DIR/small/d.iso"
	umount "$CAV_DIR/small"
	trap cav_cleanup EXIT
else
	note "cannot mount a tmpfs here: the too-small medium is not checked"
fi

# ---- discs that do not match their manifests ------------------------------------
ctl disc author 1 -o "$CAV_DIR/case.iso" >/dev/null || fail "author failed"
ctl disc verify "$CAV_DIR/case.iso" --public-key "$KEY" >/dev/null || fail "fresh image does not verify"
# Another device's key: the signatures are valid, but not this device's.
openssl genpkey -algorithm ed25519 -out "$CAV_DIR/other.pem" 2>/dev/null
openssl pkey -in "$CAV_DIR/other.pem" -pubout -out "$CAV_DIR/other.pub" 2>/dev/null
if out=$(ctl disc verify "$CAV_DIR/case.iso" --public-key "$CAV_DIR/other.pub" 2>&1); then
	fail "verify accepted another device's key"
fi
grep -q "key other than the device key given" <<<"$out" || fail "wrong key not named: $out"

X=$CAV_DIR/copy
osirrox -indev "$CAV_DIR/case.iso" -extract / "$X" >/dev/null 2>&1 || fail "osirrox could not extract"
chmod -R u+w "$X"
check() { # check WHAT KIND PATH: verify of the copy fails naming KIND at PATH
	local out
	if out=$(ctl disc verify "$X" 2>&1); then fail "verify passed with $1"; fi
	grep "^$2" <<<"$out" | grep -q "$3" || fail "verify did not name $3 ($2) for $1: $out"
	grep -q "不可作为完好证据" <<<"$out" || fail "no Chinese verdict for $1: $out"
}
# An edited hearing manifest: its signature, and the set's record of it, disagree.
cp "$X/h1/manifest.json" "$CAV_DIR/m.bak"
sed -i '0,/"case_title"/s/王某侵权案/王某某侵权案/' "$X/h1/manifest.json"
check "an edited manifest" SIGNATURE "h1/manifest.json"
check "an edited manifest" MANIFEST "h1/manifest.json"
cp "$CAV_DIR/m.bak" "$X/h1/manifest.json"
# An edited set manifest.
cp "$X/disc-set.json" "$CAV_DIR/s.bak"
sed -i 's/"closed" : false/"closed" : true/' "$X/disc-set.json"
check "an edited set manifest" SIGNATURE "disc-set.json"
cp "$CAV_DIR/s.bak" "$X/disc-set.json"
# A missing recording, an extra file, an altered page.
victim=$(find "$X/h2/cam2" -name '*.mp4' | sort | head -n 1)
mv "$victim" "$CAV_DIR/moved.mp4"
check "a missing file" MISSING "${victim#"$X"/}"
mv "$CAV_DIR/moved.mp4" "$victim"
echo junk >"$X/h1/cam1/extra.mp4"
check "an extra file in a hearing" EXTRA "h1/cam1/extra.mp4"
rm "$X/h1/cam1/extra.mp4"
echo junk >"$X/autorun.inf"
check "an extra file at the root" EXTRA "autorun.inf"
rm "$X/autorun.inf"
echo '<script>alert(1)</script>' >>"$X/pages/h1-log.html"
check "an altered page" ALTERED "pages/h1-log.html"
# Not a courtav disc at all.
mkdir -p "$CAV_DIR/plain"
echo hello >"$CAV_DIR/plain/a.txt"
xorriso -as mkisofs -quiet -o "$CAV_DIR/plain.iso" "$CAV_DIR/plain" 2>/dev/null
if out=$(ctl disc verify "$CAV_DIR/plain.iso" 2>&1); then fail "a plain ISO verified"; fi
grep -q "not a courtav disc" <<<"$out" || fail "plain ISO: $out"
ctl_expect_fail "does not exist" disc verify "$CAV_DIR/none.iso"
cav_pass
