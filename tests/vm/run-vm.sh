#!/usr/bin/env bash
# run-vm.sh — runs one command inside Debian 12's own kernel under QEMU, with
# the real vivid (V4L2) and snd-aloop (ALSA loopback) drivers loaded,
# v4l2loopback available (built here: build-v4l2loopback.sh), and the
# host's userland — this build tree included — visible in the guest: the
# host root is shared read-only over virtio-9p with a tmpfs overlay on
# top, and the guest chroots into it. Findings and pitfalls: README.md here.
#
# usage: run-vm.sh [-t SECONDS] [-w DIR] -- command [args...]
#   -t  overall timeout (default 300)
#   -w  a host folder shared read-write at the same path (results)
# Exit code: the command's; 124 timeout; 125 boot or setup failure; 77 when
# the machine cannot run the VM at all (no qemu and no way to install it).
# env: CAV_VM_CACHE (default ~/.cache/courtav-vm): kernel, initramfs, GStreamer
#      registry, kept between runs. Paths must not contain spaces (they go
#      on the kernel command line).
#      CAV_VM_V4L2LOOPBACK=0: no v4l2loopback module (build-v4l2loopback.sh)
set -euo pipefail

TMO=300 RWDIR=""
while getopts "t:w:h" o; do
	case $o in
	t) TMO=$OPTARG ;;
	w) RWDIR=$(realpath "$OPTARG") ;;
	*) sed -n '2,17p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || { echo "run-vm: no command" >&2; exit 2; }

CACHE=${CAV_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/courtav-vm}
mkdir -p "$CACHE"
CACHE=$(realpath "$CACHE")
log() { echo "run-vm: $*" >&2; }
die() { log "$*"; exit 125; }
T0=$(date +%s)

for tool in qemu-system-x86_64 depmod cpio xz; do
	command -v "$tool" >/dev/null || { log "missing $tool (scripts/install-deps.sh)"; exit 77; }
done
{ [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; } ||
	{ log "needs a static /bin/busybox (busybox-static)"; exit 77; }

# ---- the kernel: downloaded and unpacked into the cache, never installed ----
kpkg() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}
KPKG=${CAV_VM_KPKG:-$(kpkg)}
if [ -z "$KPKG" ]; then # a fresh machine may have no package lists yet
	SUDO=""
	[ "$(id -u)" = 0 ] || SUDO="sudo -n"
	$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 || true
	KPKG=$(kpkg)
fi
[ -n "$KPKG" ] || die "cannot name the kernel package (apt-get update first)"
KVER=${KPKG#linux-image-}
KDIR=$CACHE/$KPKG
if [ ! -f "$KDIR/.ok" ]; then
	log "fetching $KPKG"
	rm -rf "$KDIR" "$CACHE"/"$KPKG"_*.deb
	(cd "$CACHE" && { apt-get download "$KPKG" 2>/dev/null ||
		{ apt-get update -qq && apt-get download "$KPKG"; }; }) >&2 || die "download failed"
	dpkg -x "$CACHE"/"$KPKG"_*.deb "$KDIR"
	rm -f "$CACHE"/"$KPKG"_*.deb
	depmod -b "$KDIR" "$KVER" # the .deb has no modules.dep
	# An uncompressed ELF boots through PVH: no in-guest decompression (3 s under TCG).
	off=$(LC_ALL=C grep -a -b -o -m1 -P '\xfd7zXZ\x00' "$KDIR/boot/vmlinuz-$KVER" | head -1 | cut -d: -f1)
	[ -n "$off" ] && { tail -c +$((off + 1)) "$KDIR/boot/vmlinuz-$KVER" |
		xz -dc 2>/dev/null >"$KDIR/boot/vmlinux-$KVER" || true; }
	touch "$KDIR/.ok"
fi
MODDIR=$KDIR/lib/modules/$KVER

# ---- v4l2loopback: Debian's v4l2loopback-dkms built here for this kernel
# (build-v4l2loopback.sh, cached), in the module tree's extra/ so the guest's
# modprobe finds it. Not loaded at boot: the guest loads it with its own
# parameters. Without it the guest gets the reason in CAV_VM_NO_V4L2LOOPBACK.
# CAV_VM_V4L2LOOPBACK=0 leaves it out.
LBKO=$MODDIR/extra/v4l2loopback.ko NO_LB="" lb=""
if [ "${CAV_VM_V4L2LOOPBACK:-1}" = 0 ]; then
	NO_LB="left out (CAV_VM_V4L2LOOPBACK=0)"
else
	t=$(date +%s)
	lb=$("$(dirname "$0")/build-v4l2loopback.sh" "$KDIR" "$KVER") && lbrc=0 || lbrc=$?
	if [ $lbrc = 0 ] && [ -f "$lb" ]; then
		[ $(($(date +%s) - t)) -gt 2 ] && log "v4l2loopback built in $(($(date +%s) - t)) s"
	else
		NO_LB="v4l2loopback could not be built for $KVER: ${lb:-no reason given}"
		log "$NO_LB"
		lb=""
	fi
fi
if [ -n "$lb" ] && ! cmp -s "$lb" "$LBKO"; then
	mkdir -p "$MODDIR/extra"
	cp "$lb" "$LBKO.tmp" && mv "$LBKO.tmp" "$LBKO"
	depmod -b "$KDIR" "$KVER"
elif [ -z "$lb" ] && [ -f "$LBKO" ]; then
	rm -f "$LBKO"
	depmod -b "$KDIR" "$KVER"
fi
KIMG=$KDIR/boot/vmlinux-$KVER
{ [ -s "$KIMG" ] && [ "$(head -c4 "$KIMG" | tail -c3)" = ELF ] &&
	grep -q '^CONFIG_PVH=y' "$KDIR/boot/config-$KVER"; } || KIMG=$KDIR/boot/vmlinuz-$KVER

# ---- initramfs: busybox, the 9p/overlay modules, an /init ----
read -r -d '' INIT <<'INITEOF' || true
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for a in $(cat /proc/cmdline); do
	case $a in cav.*=*) k=${a%%=*}; eval "CAV_${k#cav.}=\${a#*=}" ;; esac
done
out=/dev/ttyS1
stty -F $out raw -echo 2>/dev/null
bye() { sync; poweroff -f; sleep 10; }
fail() { echo "cav-init: $*" | tee $out; dmesg | tail -8 > /dev/console; bye; }
while read -r m; do insmod "/lib/modules/$m" || fail "insmod $m"; done </load.list
o9p="trans=virtio,version=9p2000.L,msize=512000"
mkdir -p /host /newroot /rw
mount -t 9p -o "$o9p,ro,cache=loose" hostroot /host || fail "9p mount of / failed"
mount -t tmpfs -o mode=755 tmpfs /rw && mkdir -p /rw/u /rw/w
mount -t overlay -o lowerdir=/host,upperdir=/rw/u,workdir=/rw/w overlay /newroot ||
	fail "overlay failed"
R=/newroot
mount -t proc proc $R/proc; mount -t sysfs sys $R/sys; mount -t devtmpfs dev $R/dev
mkdir -p $R/dev/pts $R/dev/shm
mount -t devpts devpts $R/dev/pts; mount -t tmpfs tmpfs $R/dev/shm; mount -t tmpfs tmpfs $R/run
mount -t 9p -o "$o9p" cav_run $R$CAV_run || fail "9p mount of the run folder failed"
[ -n "$CAV_rw" ] && { mount -t 9p -o "$o9p" cav_rw $R$CAV_rw || fail "9p rw mount failed"; }
V=$(uname -r)
mkdir -p $R/lib/modules /lib/modules 2>/dev/null
ln -sfn "$CAV_moddir" $R/lib/modules/$V 2>/dev/null || mount --bind /host$CAV_moddir $R/lib/modules/$V
ln -sfn "/host$CAV_moddir" /lib/modules/$V
echo /bin/modprobe >/proc/sys/kernel/modprobe
for m in $(echo "$CAV_mods" | tr , ' '); do modprobe "$m" || fail "modprobe $m"; done
echo "cav-init: ready at $(cut -d' ' -f1 /proc/uptime)s" >/dev/console
chroot $R /bin/sh "$CAV_run/cmd.sh" </dev/null >$out 2>&1
rc=$?
echo $rc >$R$CAV_run/rc
echo "cav-init: command exited $rc at $(cut -d' ' -f1 /proc/uptime)s" >/dev/console
bye
INITEOF
IHASH=$( (echo "$INIT"; echo "$KVER"; sha1sum /bin/busybox) | sha1sum | cut -c1-12)
INITRD=$CACHE/initrd-$KVER-$IHASH.cpio.gz
if [ ! -f "$INITRD" ]; then
	log "building the initramfs"
	IR=$(mktemp -d "$CACHE/ir.XXXXXX")
	mkdir -p "$IR"/{bin,dev,proc,sys,lib/modules}
	cp /bin/busybox "$IR/bin/"
	printf '%s\n' "$INIT" >"$IR/init"
	chmod +x "$IR/init"
	for m in virtio_pci 9pnet_virtio 9p overlay; do
		modprobe -d "$KDIR" -S "$KVER" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++' | while read -r ko; do
		rel=${ko#"$MODDIR"/}
		mkdir -p "$IR/lib/modules/$(dirname "$rel")"
		cp "$ko" "$IR/lib/modules/$rel"
		echo "$rel" >>"$IR/load.list"
	done
	(cd "$IR" && find . | cpio -o -H newc --quiet | gzip -1) >"$INITRD.tmp"
	mv "$INITRD.tmp" "$INITRD"
	rm -rf "$IR"
fi

# A GStreamer registry built on the host is valid in the guest (same files,
# same mtimes); without it the guest rescans every plugin over 9p (~25 s).
GSTREG=$CACHE/gst-registry.bin
GST_REGISTRY=$GSTREG gst-inspect-1.0 coreelements >/dev/null 2>&1 || GSTREG=""

RUN=$(mktemp -d "$CACHE/run.XXXXXX")
trap 'rm -rf "$RUN"' EXIT
{
	for v in PATH HOME LANG CAV_BUILD_ROOT CAV_SOURCE_ROOT G_DEBUG ASAN_OPTIONS UBSAN_OPTIONS; do
		[ -n "${!v+x}" ] && printf 'export %s=%q\n' "$v" "${!v}"
	done
	[ -n "$GSTREG" ] && printf 'export GST_REGISTRY=%q\n' "$GSTREG"
	[ -n "$NO_LB" ] && printf 'export CAV_VM_NO_V4L2LOOPBACK=%q\n' "$NO_LB"
	printf 'cd %q || exit 125\n' "$PWD"
	printf 'exec'
	printf ' %q' "$@"
	echo
} >"$RUN/cmd.sh"

# Under TCG one vCPU: two are 2-3x slower on a 2-core host. /dev/kvm on these
# machines is not usable by QEMU, so no KVM probing.
APPEND="console=ttyS0 quiet panic=-1 cav.run=$RUN cav.moddir=$MODDIR cav.mods=vivid,snd-aloop"
[ -n "$RWDIR" ] && APPEND+=" cav.rw=$RWDIR"
fs=(-fsdev "local,id=hr,path=/,security_model=none,readonly=on,multidevs=remap"
	-device virtio-9p-pci,fsdev=hr,mount_tag=hostroot
	-fsdev "local,id=run,path=$RUN,security_model=none"
	-device virtio-9p-pci,fsdev=run,mount_tag=cav_run)
[ -n "$RWDIR" ] && fs+=(-fsdev "local,id=rw,path=$RWDIR,security_model=none"
	-device virtio-9p-pci,fsdev=rw,mount_tag=cav_rw)
log "booting $KVER (TCG, 1 vCPU)"
set +e
timeout "$TMO" qemu-system-x86_64 -nodefaults -no-user-config -display none -no-reboot \
	-machine pc -m 1536 -accel tcg,thread=multi -cpu max,-la57 -smp 1 \
	-kernel "$KIMG" -initrd "$INITRD" "${fs[@]}" \
	-chardev "file,id=con,path=$RUN/console.log" -serial chardev:con \
	-chardev stdio,id=out -serial chardev:out -append "$APPEND" </dev/null
qrc=$?
set -e
if [ -f "$RUN/rc" ]; then rc=$(cat "$RUN/rc"); elif [ $qrc = 124 ]; then rc=124; else rc=125; fi
grep -a '^cav-init:' "$RUN/console.log" >&2 || true
if [ "$rc" = 124 ] || [ "$rc" = 125 ]; then
	log "guest console (tail):"
	tail -n 30 "$RUN/console.log" >&2
fi
log "exit $rc after $(($(date +%s) - T0)) s"
exit "$rc"
