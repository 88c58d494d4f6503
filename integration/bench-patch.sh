#!/usr/bin/env bash
# Benchmark: `closure-wrap patch` against patchelf, side by side in one run, on the same copies of
# the same dynamically linked ELF files (programs and libraries from /usr/bin and
# /usr/lib/x86_64-linux-gnu, cycled up to N files) with the same edits:
#   1. --set-rpath LONG (a string that does not fit: both tools must grow the string table),
#   2. --set-rpath LONGER on the result (a second edit of an already edited file).
# closure-wrap runs one JVM over all files; patchelf runs one process per file, as a build script
# would. Prints wall times, total growth after each pass, and the ratios.
# Usage: integration/bench-patch.sh [N] (default 1000). Needs `mvn -q -B package -DskipTests` first.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cw="$here/target/closure-wrap"
[ -x "$cw" ] || { echo "build first: mvn -q -B package -DskipTests" >&2; exit 2; }
command -v patchelf > /dev/null || { echo "patchelf not installed" >&2; exit 2; }
n=${1:-1000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Dynamically linked ELF files under 1 MiB (keeps the copies small), no symlinks.
mapfile -t pool < <(find /usr/bin /usr/lib/x86_64-linux-gnu -maxdepth 1 -type f -size -1024k -print0 |
  while IFS= read -r -d '' f; do
    [ "$(head -c 4 "$f" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 7f454c46 ] || continue
    readelf -dW "$f" 2>/dev/null | grep -q '(NEEDED)' && printf '%s\n' "$f"
  done | sort)
[ ${#pool[@]} -gt 0 ] || { echo "no dynamically linked ELF files found" >&2; exit 2; }
mkdir "$work/base"
for ((i = 0; i < n; i++)); do
  f=${pool[i % ${#pool[@]}]}
  cp "$f" "$work/base/$(printf '%04d' "$i")-$(basename "$f")"
done
chmod -R u+w "$work/base"
cp -a "$work/base" "$work/ours"
cp -a "$work/base" "$work/patchelf"

long="/nix/store/$(printf 'a%.0s' {1..32})-bench-runpath-entry/lib:/nix/store/$(printf 'b%.0s' {1..32})-another-one/lib"
longer="$long:/nix/store/$(printf 'c%.0s' {1..32})-and-a-third-directory/lib"

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
bytes() { du -sb --apparent-size "$1" | cut -f1; }
base=$(bytes "$work/base")

run_ours() { # $1 = runpath; one JVM for all files
  "$cw" patch --set-rpath "$1" "$work"/ours/* 2> "$work/ours.err" || true
}
run_patchelf() { # $1 = runpath; one process per file
  local f
  for f in "$work"/patchelf/*; do patchelf --set-rpath "$1" "$f" 2>> "$work/patchelf.err" || true; done
}

s=$(date +%s%N); run_ours "$long"; t_ours=$(ms "$s")
s=$(date +%s%N); run_patchelf "$long"; t_pe=$(ms "$s")
g1_ours=$(( $(bytes "$work/ours") - base )); g1_pe=$(( $(bytes "$work/patchelf") - base ))
s=$(date +%s%N); run_ours "$longer"; t2_ours=$(ms "$s")
s=$(date +%s%N); run_patchelf "$longer"; t2_pe=$(ms "$s")
g2_ours=$(( $(bytes "$work/ours") - base )); g2_pe=$(( $(bytes "$work/patchelf") - base ))

refused=$(grep -c 'not supported' "$work/ours.err" || true)
echo "files: $n copies of ${#pool[@]} distinct dynamically linked ELF files, $(( base / 1048576 )) MiB"
echo "closure-wrap refused $refused (loader, static-pie ...); patchelf errors: $(grep -c . "$work/patchelf.err" || true)"
echo "edit 1 (--set-rpath, $((${#long})) bytes):  closure-wrap ${t_ours} ms, patchelf ${t_pe} ms"
echo "edit 2 (--set-rpath, $((${#longer})) bytes): closure-wrap ${t2_ours} ms, patchelf ${t2_pe} ms"
echo "growth after edit 1: closure-wrap $g1_ours bytes, patchelf $g1_pe bytes"
echo "growth after edit 2: closure-wrap $g2_ours bytes, patchelf $g2_pe bytes"
awk -v a="$t_ours" -v b="$t_pe" -v c="$g1_ours" -v d="$g1_pe" -v e="$g2_ours" -v f="$g2_pe" -v n="$n" 'BEGIN {
  printf "time ratio closure-wrap / patchelf: %.2f (edit 1)\n", a / b
  printf "growth per file: closure-wrap %.0f / %.0f bytes, patchelf %.0f / %.0f bytes (after edit 1 / 2)\n", c / n, e / n, d / n, f / n
  printf "growth ratio closure-wrap / patchelf: %.2f after edit 1, %.2f after edit 2\n", c / d, e / f
}'
