#!/usr/bin/env bash
# build-v4l2loopback.sh — builds Debian 12's v4l2loopback (the source of
# v4l2loopback-dkms) on the host for the guest's kernel, so the VM suite has
# a real V4L2 driver that delivers MJPEG (vivid has none in 6.1). Nothing is
# installed: the kernel's headers (linux-headers-ABI, its -common and
# linux-kbuild-X.Y, at the version of the cached kernel image) and the dkms
# source are fetched with `apt-get download`, unpacked with `dpkg -x` into a
# scratch folder of the cache, their absolute paths pointed into it, and
# `make -C HEADERS M=SRC modules` builds the module. Only the .ko is kept,
# under CACHE/v4l2loopback-PKGVERSION-ABI-KERNELVERSION/ (with the build
# log); the headers are removed again (~70 MB unpacked).
#
# usage: build-v4l2loopback.sh KDIR ABI
#   KDIR  the unpacked linux-image package (run-vm.sh's cache folder)
#   ABI   its kernel release (6.1.0-56-amd64)
# Exit 0: stdout is the path of the .ko. Exit 1: stdout is one line saying
# why there is none (no compiler, package not in the registry, build error);
# the details are in CACHE/v4l2loopback.log.
# Needs make and gcc-12 (the compiler Debian built its 6.1 kernel with;
# Debian 12's gcc), kmod's modinfo, dpkg, apt.
set -uo pipefail
[ $# = 2 ] || { sed -n '2,20p' "$0" >&2; exit 2; }
KDIR=$(realpath "$1")
KVER=$2
CACHE=$(dirname "$KDIR")
LOG=$CACHE/v4l2loopback.log
why() { echo "$*"; echo "build-v4l2loopback: $*" >>"$LOG"; exit 1; }
: >"$LOG"

candidate() { apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }'; }

# The exact Debian version of the cached kernel: its banner ("... Debian
# 6.1.192-2 (date)"); the headers must be that version, not just that ABI.
# (Without the uncompressed image: the registry's version of that ABI.)
KPV=""
[ -s "$KDIR/boot/vmlinux-$KVER" ] &&
	KPV=$(LC_ALL=C grep -a -o -m1 -E "PREEMPT_DYNAMIC Debian [0-9][^ ]* \(" "$KDIR/boot/vmlinux-$KVER" |
		head -1 | awk '{ print $3 }')
[ -n "$KPV" ] || KPV=$(candidate "linux-image-$KVER")
[ -n "$KPV" ] || why "cannot tell the version of linux-image-$KVER"
LPV=$(candidate v4l2loopback-dkms)
[ -n "$LPV" ] || why "v4l2loopback-dkms is not in the package lists"

OUT=$CACHE/v4l2loopback-$LPV-$KVER-$KPV
if [ -s "$OUT/v4l2loopback.ko" ]; then
	echo "$OUT/v4l2loopback.ko"
	exit 0
fi

for tool in make gcc-12 modinfo dpkg apt-get; do
	command -v "$tool" >/dev/null || why "no $tool to build v4l2loopback (scripts/install-deps.sh: make, gcc)"
done
# Which -common and linux-kbuild-X.Y these headers need (their Depends).
deps=$(apt-cache show "linux-headers-$KVER=$KPV" 2>/dev/null | awk -F': ' '$1 == "Depends" { print $2; exit }')
[ -n "$deps" ] || why "linux-headers-$KVER $KPV is not in the registry (the cached kernel is older than the lists: remove $KDIR to fetch the current one)"
common=$(echo "$deps" | tr ',' '\n' | awk '$1 ~ /^linux-headers-.*-common$/ { print $1; exit }')
kbuild=$(echo "$deps" | tr ',' '\n' | awk '$1 ~ /^linux-kbuild-/ { print $1; exit }')
[ -n "$common" ] && [ -n "$kbuild" ] || why "cannot read the dependencies of linux-headers-$KVER: $deps"

W=$(mktemp -d "$CACHE/v4l2lb.XXXXXX")
trap 'rm -rf "$W"' EXIT
pkgs=("linux-headers-$KVER=$KPV" "$common=$KPV" "$kbuild" "v4l2loopback-dkms=$LPV")
(cd "$W" && apt-get download "${pkgs[@]}") >>"$LOG" 2>&1 ||
	why "apt-get download ${pkgs[*]} failed (see $LOG)"
for deb in "$W"/*.deb; do dpkg -x "$deb" "$W/root" || why "dpkg -x $deb failed"; done
R=$W/root
H=$R/usr/src/linux-headers-$KVER
SRC=$(ls -d "$R"/usr/src/v4l2loopback-* 2>/dev/null | head -1)
[ -f "$H/Makefile" ] && [ -n "$SRC" ] || why "the packages did not unpack as expected"
# The headers say /usr/src/... and /usr/lib/linux-kbuild-X.Y: point them here.
find "$R/usr/src" "$R/usr/lib" -type l -lname '/*' | while read -r l; do
	ln -sfn "$R$(readlink "$l")" "$l"
done
grep -rlE '/usr/(src/linux-headers|lib/linux-kbuild)' "$H/Makefile" "$R/usr/src"/linux-headers-*/Makefile |
	sort -u | xargs -r sed -i -E "s#([ =])/usr/(src/linux-headers|lib/linux-kbuild)#\\1$R/usr/\\2#g"

t0=$(date +%s)
nice make -C "$H" M="$SRC" modules >>"$LOG" 2>&1 || why "make failed ($(grep -m1 -E 'error|Error' "$LOG"))"
ko=$SRC/v4l2loopback.ko
magic=$(modinfo -F vermagic "$ko" 2>/dev/null | awk '{ print $1 }')
[ "$magic" = "$KVER" ] || why "built for \"$magic\", not $KVER"
strip --strip-debug "$ko" 2>/dev/null || true
echo "build-v4l2loopback: v4l2loopback $LPV for $KVER ($KPV) built in $(($(date +%s) - t0)) s" >>"$LOG"
mkdir -p "$W/out"
cp "$ko" "$LOG" "$W/out/"
rm -rf "$OUT"
mv "$W/out" "$OUT" # whole, or not at all
echo "$OUT/v4l2loopback.ko"
