#!/usr/bin/env bash
# build-vendor.sh SRC_DIR OUTPUT WORK_DIR — installs hls.js exactly as
# package-lock.json pins it (npm ci, in WORK_DIR inside the build tree; the
# source tree stays clean, node_modules is never committed) and copies its
# minified build to OUTPUT (the watch page's vendor/hls.min.js). The
# install is reused while the lock file is unchanged.
set -euo pipefail
src=$1 out=$2 work=$3
if ! cmp -s "$src/package-lock.json" "$work/package-lock.json" 2>/dev/null ||
	[ ! -f "$work/node_modules/hls.js/dist/hls.min.js" ]; then
	rm -rf "$work" && mkdir -p "$work"
	cp "$src/package.json" "$src/package-lock.json" "$work/"
	(cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
fi
cp "$work/node_modules/hls.js/dist/hls.min.js" "$out"
