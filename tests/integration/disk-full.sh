#!/usr/bin/env bash
# Records onto a small tmpfs until it is full, twice:
#  A. with the disk guard's reserve (stop_free_mb): recording stops cleanly
#     before the disk fills — every segment closed, the hearing paused(fault),
#     a clear alarm, resume refused with the hours left;
#  B. with no reserve, so the recorder hits ENOSPC for real: the daemon stays
#     up, no closed segment is corrupted, torn files are registered, the
#     database stays consistent, and after space is freed the hearing closes
#     and verifies.
# Needs root (a private mount namespace for the tmpfs); skipped otherwise.
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
	echo "SKIP: needs root and unshare to mount a tmpfs"
	exit 77
fi
if [ -z "${CAV_IN_NS:-}" ]; then
	CAV_IN_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

fill_setup() {
	local name=$1 reserve_mb=$2 size=$3
	CAV_STOP_FREE_MB=$reserve_mb CAV_CHECK_INTERVAL_MS=200 cav_setup "$name" \
		"" # keep the defaults below, then point media_dir at a tmpfs
	mkdir -p "$CAV_DIR/media"
	mount -t tmpfs -o "size=$size" tmpfs "$CAV_DIR/media" || fail "cannot mount tmpfs"
	sed -i -e "s|^listen = |media_dir = $CAV_DIR/media\nlisten = |" \
		-e 's/^camera_kbps = .*/camera_kbps = 8000/' -e 's/^program_kbps = .*/program_kbps = 8000/' \
		-e 's/^pattern = smpte/pattern = snow/' -e 's/^pattern = ball/pattern = snow/' "$CAV_INI"
}

umount_media() { umount "$CAV_DIR/media" 2>/dev/null || true; }

check_closed_intact() {
	local hdir=$1
	sql "SELECT path, sha256 FROM segments WHERE state = 'closed'" | while IFS='|' read -r path sha; do
		[ "$(sha256sum "$hdir/$path" | cut -d' ' -f1)" = "$sha" ] || fail "closed segment $path corrupted"
		media_duration "$hdir/$path" >/dev/null
	done
	[ "$(sql 'PRAGMA integrity_check')" = ok ] || fail "database integrity check failed"
}

# ---- A: the guard stops recording before the disk is full -------------------
fill_setup diskguard 4 40m
cav_start
ctl case create --number '（2026）兵0101民初3号' --title '王某合同纠纷案' >/dev/null
ctl hearing open 1 >/dev/null
wait_for "[ \"\$(sql \"SELECT state || ':' || coalesce(pause_reason, '') FROM hearings WHERE id = 1\")\" = paused:fault ]" 60
kill -0 "$CAV_PID" || fail "courtavd died"
# The state changes first; the files close and are hashed right after.
wait_for "[ \$(sql \"SELECT count(*) FROM segments WHERE state = 'open'\") = 0 ]" 30
ctl status | grep -q -i 'disk' || fail "status does not answer"
[ "$(sql "SELECT count(*) FROM events WHERE code = 'disk-full'")" -ge 1 ] || fail "no disk-full event"
[ "$(sql "SELECT count(*) FROM segments WHERE state <> 'closed'")" = 0 ] || fail "segments left open or torn: $(sql "SELECT path, state FROM segments WHERE state <> 'closed'")"
[ "$(sql "SELECT detail FROM intervals WHERE reason = 'fault'")" = "disk full" ] || fail "no fault interval for the full disk"
hdir=$(sql "SELECT media_dir FROM hearings WHERE id = 1")
check_closed_intact "$hdir"
ctl_expect_fail 'hours' hearing resume 1
ctl verify "$hdir" >/dev/null || fail "verify after a guarded stop"
note "A: stopped with $(df -k --output=avail "$CAV_DIR/media" | tail -1) KiB free, $(sql "SELECT count(*) FROM segments") segments intact"
cav_stop
umount_media
cav_cleanup

# ---- B: no reserve: the recorder itself hits ENOSPC -------------------------
fill_setup enospc 0 16m
cav_start
ctl case create --number '（2026）兵0101民初4号' --title '赵某借款纠纷案' >/dev/null
ctl hearing open 1 >/dev/null
hdir=$(sql "SELECT media_dir FROM hearings WHERE id = 1")
# Ballast: the space an operator frees afterwards.
head -c 2M /dev/zero >"$CAV_DIR/media/ballast" || fail "no room for ballast"
wait_for "[ \"\$(sql \"SELECT state FROM hearings WHERE id = 1\")\" = paused ]" 60
kill -0 "$CAV_PID" || fail "courtavd died on ENOSPC"
[ "$(df -k --output=avail "$CAV_DIR/media" | tail -1)" -lt 512 ] || fail "the disk was not actually full"
[ "$(sql "SELECT count(*) FROM events WHERE code = 'disk-full'")" -ge 1 ] || fail "no disk-full event"
[ "$(sql "SELECT pause_reason FROM hearings WHERE id = 1")" = fault ] || fail "not paused for a fault"
wait_for "[ \$(sql \"SELECT count(*) FROM segments WHERE state = 'open'\") = 0 ]" 20
check_closed_intact "$hdir"
n_partial=$(sql "SELECT count(*) FROM segments WHERE state = 'partial'")
note "B: ENOSPC hit; $(sql "SELECT count(*) FROM segments WHERE state = 'closed'") closed and $n_partial partial segment(s)"
# Free space, close, and the hearing verifies offline.
rm -f "$CAV_DIR/media/ballast"
ctl hearing close 1 >/dev/null
ctl verify "$hdir" >/dev/null || fail "verify after ENOSPC and close: $(ctl verify "$hdir" 2>&1)"
ctl audit verify --db "$CAV_STATE/courtav.db" >/dev/null || fail "audit log broken"
cav_stop
umount_media
cav_pass
