#!/usr/bin/env bash
# The house format (.clang-format) holds for every C file of the tree, so a
# diff is about what changed, never about spacing. Run clang-format -i on
# the files it names to fix them. Skipped (77) without clang-format.
set -uo pipefail
cd "${CAV_SOURCE_ROOT:?run through meson test}" || exit 1
command -v clang-format >/dev/null || { echo "SKIP: clang-format is not installed"; exit 77; }
mapfile -d '' files < <(find appliance common drivers pipelines relay tools tests bench \
	\( -name '*.c' -o -name '*.h' \) -print0 2>/dev/null)
# One process for all files; it names each file and line that differs.
if ! out=$(clang-format --dry-run -Werror "${files[@]}" 2>&1); then
	echo "not in the house format (fix with clang-format -i FILE):"
	echo "$out" | grep -o '^[^:]*\.[ch]' | sort -u
	exit 1
fi
echo "${#files[@]} C files, all in the house format"
