#!/usr/bin/env bash
# Benchmark: `closure-wrap inspect --json` against `readelf -h -l -d -V -W` on the same ELF files,
# side by side in one run. Usage: integration/bench-inspect.sh [DIR...] (default /usr/lib/x86_64-linux-gnu /usr/bin).
# Needs `mvn -q -B package -DskipTests` first. Prints the best of 3 wall times and the ratio.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cw="$here/target/closure-wrap"
[ -x "$cw" ] || { echo "build first: mvn -q -B package -DskipTests" >&2; exit 2; }
dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || dirs=(/usr/lib/x86_64-linux-gnu /usr/bin)
list=$(mktemp)
trap 'rm -f "$list"' EXIT
# ELF files only (magic \x7fELF), no symlinks.
find "${dirs[@]}" -type f -print0 | while IFS= read -r -d '' f; do
  [ "$(head -c 4 "$f" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 7f454c46 ] && printf '%s\0' "$f"
done > "$list"
count=$(tr -cd '\0' < "$list" | wc -c)
size=$(xargs -0 du -cb < "$list" | tail -1 | cut -f1)

best() { # best of 3 wall-clock milliseconds of "$@"
  local b=""
  for _ in 1 2 3; do
    local s e
    s=$(date +%s%N); "$@" > /dev/null 2>&1 || true; e=$(date +%s%N)
    local ms=$(( (e - s) / 1000000 ))
    if [ -z "$b" ] || [ "$ms" -lt "$b" ]; then b=$ms; fi
  done
  echo "$b"
}
ours=$(best sh -c "xargs -0 '$cw' inspect --json < '$list'")
theirs=$(best sh -c "xargs -0 readelf -h -l -d -V -W < '$list'")
theirs_nov=$(best sh -c "xargs -0 readelf -h -l -d -W < '$list'")
echo "files: $count ELF files, $(( size / 1048576 )) MiB, in: ${dirs[*]}"
echo "closure-wrap inspect --json: ${ours} ms"
echo "readelf -h -l -d -V -W:      ${theirs} ms (same facts; -V also prints every symbol's version)"
echo "readelf -h -l -d -W:         ${theirs_nov} ms (without version needs)"
awk -v a="$ours" -v b="$theirs" -v c="$theirs_nov" \
  'BEGIN { printf "ratio inspect / readelf -V: %.2f; inspect / readelf without -V: %.2f\n", a / b, a / c }'
