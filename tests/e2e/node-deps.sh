# node-deps.sh — playwright-core for the browser tests, exactly as locked by
# tests/e2e/package-lock.json, installed once into the build tree (the
# source tree stays clean) and reused while the lock file is unchanged.
# Several browser tests start at once under `meson test`: the install is
# serialised with flock, so one never removes the tree another is filling.
#
# Usage:  . tests/e2e/node-deps.sh; deps=$(cav_node_deps) || fail "npm ci failed"
cav_node_deps() {
	local src
	src=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	local deps=$CAV_BUILD_ROOT/tests/e2e-node
	mkdir -p "$CAV_BUILD_ROOT/tests"
	(
		flock 9
		if ! cmp -s "$src/package-lock.json" "$deps/installed.lock" 2>/dev/null; then
			rm -rf "$deps" && mkdir -p "$deps" &&
				cp "$src/package.json" "$src/package-lock.json" "$deps/" &&
				(cd "$deps" && npm ci --no-audit --no-fund --loglevel=error >&2) &&
				cp "$src/package-lock.json" "$deps/installed.lock" # last: a complete install
		fi
	) 9>"$CAV_BUILD_ROOT/tests/e2e-node.lock" || return 1
	echo "$deps"
}
