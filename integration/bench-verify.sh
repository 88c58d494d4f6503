#!/usr/bin/env bash
# verify, NAR output and file:// output against their peers, side by side in one run:
#   closure-wrap verify BUNDLE --json   vs  lddtree -l on every ELF file + grep -roba for store paths
#   NAR sink (SinkTool --store P x.nar)  vs  nix-store --dump P          (bytes compared)
#   NAR sink, .nar.zst                    vs  nix-store --dump P | zstd -T1 -3
#   file:// sink (xz), whole closure      vs  nix copy --to file://DIR  (Nix 2.8, xz)
# Usage: integration/bench-verify.sh        (needs the test closure: integration/build-test-closure.sh)
# Env: RUNS (default 3; the median is shown), NAR_PATH (default: the test closure's curl's libcurl).
set -euo pipefail

repo=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
runs=${RUNS:-3}
work=$(mktemp -d /var/tmp/bench-verify.XXXXXX)
trap 'rm -rf "$work"' EXIT

if [ ! -x "$repo/target/closure-wrap" ] || [ ! -d "$repo/target/lib" ]; then
  (cd "$repo" && mvn -q -B package -DskipTests)
fi
"$repo/integration/build-test-closure.sh" > "$work/packages.tsv"
pkg() { awk -v n="$1" '$1 == n { print $2 }' "$work/packages.tsv"; }
closure=$(nix-store -qR $(pkg app) $(pkg file))
nar_path=${NAR_PATH:-$(pkg libcurl)}
sink_tool() {
  java -XX:+UseSerialGC -cp "$repo/target/classes:$repo/target/lib/*" dev.closurewrap.bundle.SinkTool "$@" 2>/dev/null
}
seconds() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  end=$(date +%s%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# The bundle: a plain copy of the closure (the worst case: every library resolves to /nix/store).
mkdir -p "$work/bundle/store"
cp -a $closure "$work/bundle/store/"
elfs=$(find "$work/bundle/store" -type f -exec sh -c 'head -c4 "$1" | grep -q ELF && echo "$1"' sh {} \; | wc -l)
peer_verify() {
  find "$1/store" -type f -exec sh -c 'head -c4 "$1" | grep -q ELF && lddtree -l "$1"' sh {} \; >/dev/null 2>&1
  grep -roba -E '/nix/store/[0-9a-df-np-sv-z]{32}-[A-Za-z0-9+._?=-]+' "$1/store" >/dev/null
}
echo "bundle: $(echo "$closure" | wc -l) store paths, $(find "$work/bundle" -type f | wc -l) files, $elfs ELF files, $(du -sm "$work/bundle" | cut -f1) MB"
echo "NAR path: $nar_path ($(nix-store --dump "$nar_path" | wc -c) NAR bytes)"
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(nix --version), $(zstd --version | head -1)"
echo

declare -a ov pv on pn oz pz oc pc
for run in $(seq "$runs"); do
  ov+=("$(seconds "$repo/target/closure-wrap" verify --json "$work/bundle")")
  pv+=("$(seconds peer_verify "$work/bundle")")

  on+=("$(seconds sink_tool --no-fsync --store "$nar_path" "$work/ours.nar")")
  pn+=("$(seconds sh -c "nix-store --dump '$nar_path' > '$work/peer.nar'")")
  cmp -s "$work/ours.nar" "$work/peer.nar" && same_nar=identical || same_nar=DIFFERENT
  oz+=("$(seconds sink_tool --no-fsync --level 3 --store "$nar_path" "$work/ours.nar.zst")")
  pz+=("$(seconds sh -c "nix-store --dump '$nar_path' | zstd -q -T1 -3 -o '$work/peer.nar.zst'")")
  zsize="$(stat -c %s "$work/ours.nar.zst") vs $(stat -c %s "$work/peer.nar.zst")"
  rm -f "$work"/*.nar "$work"/*.nar.zst

  oc+=("$(seconds sink_tool --no-fsync --cache-compression xz --store $closure "file://$work/ours-cache")")
  pc+=("$(seconds nix --extra-experimental-features nix-command copy --to "file://$work/peer-cache" $closure)")
  csize="$(du -sb "$work/ours-cache" | cut -f1) vs $(du -sb "$work/peer-cache" | cut -f1)"
  rm -rf "$work/ours-cache" "$work/peer-cache"
done
a=$(median "${ov[@]}"); b=$(median "${pv[@]}")
c=$(median "${on[@]}"); d=$(median "${pn[@]}")
e=$(median "${oz[@]}"); f=$(median "${pz[@]}")
g=$(median "${oc[@]}"); h=$(median "${pc[@]}")
echo "median of $runs runs, seconds (JVM start-up included in ours)"
printf '| case | closure-wrap (s) | peer (s) | ratio | note |\n|---|---|---|---|---|\n'
printf '| verify, plain copy of the closure | %s | %s | %s | peer: lddtree -l per ELF + grep -roba |\n' "$a" "$b" "$(ratio "$a" "$b")"
printf '| NAR of one store path | %s | %s | %s | bytes %s |\n' "$c" "$d" "$(ratio "$c" "$d")" "$same_nar"
printf '| NAR, zstd -3 | %s | %s | %s | sizes %s bytes |\n' "$e" "$f" "$(ratio "$e" "$f")" "$zsize"
printf '| file:// cache, xz, whole closure | %s | %s | %s | sizes %s bytes |\n' "$g" "$h" "$(ratio "$g" "$h")" "$csize"
