#!/usr/bin/env bash
# Output sinks against their peers, side by side in one run:
#   tar.zst sink            vs  tar --sort=name ... | zstd -T1 -LEVEL   (same level, reproducible tar flags)
#   directory sink (copy)   vs  cp -a
#   directory sink (link)   vs  cp -al
# Usage: integration/bench-sinks.sh [SOURCE_DIR]   (default /usr/lib/x86_64-linux-gnu, ~680 MB)
# Env: LEVEL (zstd level, default 3), RUNS (default 3; the median is shown), WORK (scratch dir, default a fresh one under /var/tmp, removed after).
# Every tool reads a private copy of SOURCE_DIR (hard links broken up) with a warm page cache; nothing is fsynced
# (the sinks run with --no-fsync, as cp and tar do not sync), except the row marked "fsync".
set -euo pipefail

repo=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
source_dir=${1:-/usr/lib/x86_64-linux-gnu}
level=${LEVEL:-3}
runs=${RUNS:-3}
work=${WORK:-$(mktemp -d /var/tmp/bench-sinks.XXXXXX)}
keep_work=${WORK:+yes}
cleanup() { [ -n "$keep_work" ] || rm -rf "$work"; }
trap cleanup EXIT

if [ ! -d "$repo/target/classes/dev/closurewrap/bundle" ] || [ ! -d "$repo/target/lib" ]; then
  (cd "$repo" && mvn -q -B package -DskipTests)
fi
sink_tool() {
  java -XX:+UseSerialGC -cp "$repo/target/classes:$repo/target/lib/*" dev.closurewrap.bundle.SinkTool "$@" 2>/dev/null
}

# Seconds (3 decimals) that "$@" takes.
seconds() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null
  end=$(date +%s%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
size_mb() { du -sm "$1" | cut -f1; }

src="$work/src"
# Without hard links: a NAR (and so our sinks) cannot express them, while tar and cp would store
# the 13 hard-linked Mesa drivers of /usr/lib/x86_64-linux-gnu/dri once.
cp -a --no-preserve=links "$source_dir" "$src"
tar -cf - -C "$src" . >/dev/null          # warm the page cache
files=$(find "$src" -type f | wc -l)
echo "source: $source_dir copied to $src: $(size_mb "$src") MB, $files files, $(find "$src" | wc -l) entries"
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(zstd --version | head -1), $(tar --version | head -1)"
echo

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
declare -a ours_zst peer_zst ours_copy peer_copy ours_link peer_link ours_fsync startup
mkdir -p "$work/empty"
for run in $(seq "$runs"); do
  ours_zst+=("$(seconds sink_tool --no-fsync --level "$level" "$src" "$work/ours.tar.zst")")
  peer_zst+=("$(seconds sh -c "tar -C '$src' --sort=name --owner=0 --group=0 --numeric-owner --mtime=@1 -cf - . | zstd -q -T1 -$level -o '$work/peer.tar.zst'")")
  ours_size=$(stat -c %s "$work/ours.tar.zst")
  peer_size=$(stat -c %s "$work/peer.tar.zst")
  ours_entries=$(zstd -dc "$work/ours.tar.zst" | tar -tf - | wc -l)
  rm -f "$work/ours.tar.zst" "$work/peer.tar.zst"

  ours_copy+=("$(seconds sink_tool --no-fsync "$src" "$work/ours-copy")")
  peer_copy+=("$(seconds cp -a "$src" "$work/peer-copy")")
  diff -r --no-dereference "$src" "$work/ours-copy" >/dev/null && same_copy=identical || same_copy=DIFFERENT
  rm -rf "$work/ours-copy" "$work/peer-copy"

  ours_link+=("$(seconds sink_tool --no-fsync --link "$src" "$work/ours-link")")
  peer_link+=("$(seconds cp -al "$src" "$work/peer-link")")
  rm -rf "$work/ours-link" "$work/peer-link"

  ours_fsync+=("$(seconds sink_tool "$src" "$work/ours-fsync")")
  rm -rf "$work/ours-fsync"
  startup+=("$(seconds sink_tool --no-fsync "$work/empty" "$work/empty-out")")
done
oz=$(median "${ours_zst[@]}"); pz=$(median "${peer_zst[@]}")
oc=$(median "${ours_copy[@]}"); pc=$(median "${peer_copy[@]}")
ol=$(median "${ours_link[@]}"); pl=$(median "${peer_link[@]}")
of=$(median "${ours_fsync[@]}"); st=$(median "${startup[@]}")

echo "median of $runs runs, seconds"
printf '| case | closure-wrap (s) | peer (s) | ratio | note |\n|---|---|---|---|---|\n'
printf '| tar.zst, level %s | %s | %s | %s | sizes %s vs %s bytes, %s entries |\n' "$level" "$oz" "$pz" \
  "$(ratio "$oz" "$pz")" "$ours_size" "$peer_size" "$ours_entries"
printf '| directory, copy | %s | %s | %s | content %s |\n' "$oc" "$pc" "$(ratio "$oc" "$pc")" "$same_copy"
printf '| directory, hard links | %s | %s | %s | peer: cp -al |\n' "$ol" "$pl" "$(ratio "$ol" "$pl")"
printf '| directory, copy + fsync per file | %s | %s | %s | peer: cp -a without sync |\n' "$of" "$pc" "$(ratio "$of" "$pc")"
printf '| JVM start-up (empty source) | %s | | | included in every row above |\n' "$st"
