#!/usr/bin/env bash
# The wrap job on the test closure (roots app and file), side by side with the plain copies it
# replaces: wall time of closure-wrap --relative / --absolute to a directory and to a tar.zst,
# a rerun over the finished job, `cp -a` and `tar --zstd` of the same closure; then start-up of
# the wrapped programs (ms per run over N runs, default 100, and failed lookups under strace:
# all ENOENT less /etc/ld.so.preload, and those of libraries). Run from the repository root after
# `mvn -q -B package -DskipTests` and integration/build-test-closure.sh; needs strace.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
n=${N:-100}
cw=$PWD/target/closure-wrap
work=$(mktemp -d /tmp/bench-wrap.XXXXXX)
trap 'rm -rf "$work"' EXIT
roots=$(cut -f2 target/test-closure/roots.tsv)
pkg() { awk -v n="$1" '$1 == n { print $2 }' target/test-closure/packages.tsv; }
closure=$(nix-store -qR $roots)

secs() { # seconds taken by "$@"
  local start end
  start=$(date +%s%N); "$@" >/dev/null 2>&1; end=$(date +%s%N)
  awk "BEGIN { printf \"%.2f\", ($end - $start) / 1e9 }"
}
printf '%-52s %8s\n' "job" "seconds"
printf '%-52s %8s\n' "cp -a of the closure" "$(secs cp -a $closure "$(mkdir -p "$work/cp" && echo "$work/cp")")"
printf '%-52s %8s\n' "tar --zstd of the closure" "$(secs tar --zstd -cf "$work/plain.tar.zst" $closure)"
printf '%-52s %8s\n' "closure-wrap --relative -o DIR" "$(secs "$cw" --relative -q -o "$work/rel" $roots)"
printf '%-52s %8s\n' "  again (finished job: nothing written)" "$(secs "$cw" --relative -q -o "$work/rel" $roots)"
printf '%-52s %8s\n' "closure-wrap --relative -o OUT.tar.zst" "$(secs "$cw" --relative -q -o "$work/rel.tar.zst" $roots)"
printf '%-52s %8s\n' "closure-wrap --absolute --prefix DIR/store -o DIR" \
  "$(secs "$cw" --absolute -q --prefix "$work/abs/store" -o "$work/abs" $roots)"
printf '%-52s %8s\n' "closure-wrap --relative --dry-run (scan+graph+plan)" "$(secs "$cw" --relative -q --dry-run $roots)"

per_run() {
  local start end i
  start=$(date +%s%N)
  for ((i = 0; i < n; i++)); do "$@" >/dev/null 2>&1; done
  end=$(date +%s%N)
  awk "BEGIN { printf \"%.2f\", ($end - $start) / $n / 1000000 }"
}
enoent() { # all failed lookups, and those of libraries
  strace -f -e trace=openat,open,stat,newfstatat,access -o "$work/trace" "$@" >/dev/null 2>&1 || true
  local all lib
  all=$(grep ENOENT "$work/trace" | grep -vc ld.so.preload || true)
  lib=$(grep ENOENT "$work/trace" | grep -v ld.so.preload | grep -cE '/(lib[^/"]*\.so|ld-[^/"]*\.so|glibc-hwcaps)' || true)
  echo "$all / $lib"
}
row() {
  local name=$1; shift
  printf '%-44s %8s ms   %s\n' "$name" "$(per_run "$@")" "$(enoent "$@")"
}
echo
echo "start-up, $n runs each: ms per run, failed lookups (all / libraries)"
rel=$work/rel; abs=$work/abs/store
for p in curl hello-musl file; do
  case $p in file) store=$(pkg file)/bin/file ;; *) store=$(pkg app)/bin/$p ;; esac
  row "$p, store" "$store" --version
  row "$p, relative launcher" "$rel/bin/$p" --version
  row "$p, absolute in place" "$abs/${store#/nix/store/}" --version
done
