#!/usr/bin/env bash
# Throughput of StoreReferenceScanner (the reference scan behind `verify`) against grep -boaE with
# the same pattern and against cat, on one file made of the test closure's files repeated to
# about SIZE_MB (default 256) megabytes. Run from the repository root after `mvn -q -B test-compile`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
size_mb=${SIZE_MB:-256}
work=$(mktemp -d /tmp/bench-scanner.XXXXXX)
trap 'rm -rf "$work"' EXIT

roots=$(cut -f2 target/test-closure/roots.tsv 2>/dev/null || true)
if [ -z "$roots" ]; then
  integration/build-test-closure.sh >/dev/null
  roots=$(cut -f2 target/test-closure/roots.tsv)
fi
# shellcheck disable=SC2086
find $(nix-store -qR $roots) -type f -print0 | xargs -0 cat >"$work/one"
while [ "$(stat -c %s "$work/big" 2>/dev/null || echo 0)" -lt $((size_mb * 1000000)) ]; do
  cat "$work/one" >>"$work/big"
done
bytes=$(stat -c %s "$work/big")
cat "$work/big" >/dev/null # page cache

# Output to a file, not /dev/null: GNU grep stops at the first match when it sees /dev/null.
seconds() { local start end; start=$(date +%s.%N); "$@" >"$work/out"; end=$(date +%s.%N); awk "BEGIN { print $end - $start }"; }
rate() { awk "BEGIN { printf \"%.0f\", $1 / $2 / 1000000 }"; }
cp=$(mvn -q -B dependency:build-classpath -Dmdep.outputFile=/dev/stdout 2>/dev/null || true)
java_run() { java -cp "target/classes:target/test-classes:$cp" dev.closurewrap.rewrite.ScannerBenchmark "$work/big"; }

echo "file: $bytes bytes"
java_line=$(java_run)
java_wall=$(seconds java_run)
grep_wall=$(seconds env LC_ALL=C grep -boaE '/nix/store/[0-9a-df-np-sv-z]{32}-[A-Za-z0-9+._?=-]+' "$work/big")
grep_count=$(LC_ALL=C grep -oaE '/nix/store/[0-9a-df-np-sv-z]{32}-[A-Za-z0-9+._?=-]+' "$work/big" | wc -l)
cat_wall=$(seconds cat "$work/big")
echo "closure-wrap scanner (in JVM): $java_line"
echo "closure-wrap scanner, whole JVM run of 5 scans: ${java_wall} s"
printf 'grep -boaE (same pattern):       %.3f s, %s MB/s, %d references\n' "$grep_wall" "$(rate "$bytes" "$grep_wall")" "$grep_count"
printf 'cat:                             %.3f s, %s MB/s\n' "$cat_wall" "$(rate "$bytes" "$cat_wall")"
