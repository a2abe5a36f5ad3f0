#!/usr/bin/env bash
# Installs every Debian 12 package courtav needs to build, run and test.
# Idempotent: installs only what is missing. Uses sudo when not root.
set -euo pipefail

packages=(
  # build
  gcc meson ninja-build pkg-config
  libglib2.0-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  libgstreamer-plugins-bad1.0-dev libsoup-3.0-dev libjson-glib-dev libsqlite3-dev
  libssl-dev libsystemd-dev
  # the live path (issue 5): SRTP for the streamer and the relay
  libsrtp2-dev
  # discs: ISO 9660 authoring, burning, multi-session (drivers/burner-libburn.c)
  libisofs-dev libburn-dev libisoburn-dev
  # run: capture, compose, encode, mux
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-x gstreamer1.0-tools
  gstreamer1.0-alsa gstreamer1.0-rtsp
  fonts-noto-cjk
  # discs: the libraries' runtime packages (pulled in by the -dev ones) and
  # xorriso/osirrox, which the disc tests use to check images independently
  libisofs6 libburn4 libisoburn1 xorriso
  # test and bench: probes, database shell, reference encoder
  gstreamer1.0-plugins-base-apps ffmpeg sqlite3 curl util-linux procps
  # capture tests: our RTSP test camera, the VM suite with vivid and snd-aloop (tests/vm)
  libgstrtspserver-1.0-dev python3 qemu-system-x86 busybox-static kmod cpio xz-utils
  v4l-utils alsa-utils
  # the VM suite's v4l2loopback (MJPEG camera), built against the guest's kernel
  # headers (tests/vm/build-v4l2loopback.sh): make, with gcc above (gcc-12)
  make
  # browser tests of the web UI (tests/e2e): Chromium driven by playwright-core
  # (Node.js and npm: see below)
  chromium
  # the relay's public HLS is tested behind Debian's nginx (relay/nginx/; bench/relay-hls.sh adds wrk)
  nginx
)

# Node.js and npm only run the browser tests' driver and fetch pinned front-end
# packages. Many machines already have a Node.js that is not Debian's (and
# Debian's nodejs package conflicts with a separately installed npm), so
# Debian's are installed only when no node/npm is on the PATH.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
