#!/usr/bin/env bash
# Host mode of the wrap job: host programs (curl, ssh, git, file) with every library the host's
# loader loads for them, side by side with the plain copy it replaces (the same files copied with
# `cp -L`, as ldd lists them: no rewrite, does not run once moved); wall time of closure-wrap
# --relative / --absolute to a directory and to a tar.zst; then start-up (ms per run over N runs,
# default 100, and failed lookups under strace: all ENOENT less /etc/ld.so.preload, and those of
# libraries) of each program from the host, the relative launcher and the absolute tree.
# Run from the repository root after `mvn -q -B package -DskipTests`; needs strace.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
n=${N:-100}
cw=$PWD/target/closure-wrap
work=$(mktemp -d /tmp/bench-host.XXXXXX)
trap 'rm -rf "$work"' EXIT
programs="/usr/bin/curl /usr/bin/ssh /usr/bin/git /usr/bin/file"

secs() { # seconds taken by "$@"
  local start end
  start=$(date +%s%N); "$@" >/dev/null 2>&1; end=$(date +%s%N)
  awk "BEGIN { printf \"%.2f\", ($end - $start) / 1e9 }"
}
listed() { # the programs and every library ldd lists for them, the loader included
  { printf '%s\n' $programs; ldd $programs | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }'; } | sort -u
}
copy_ldd() { # the naive bundle: every file ldd lists, copied flat
  mkdir -p "$work/cp" && cp -L $(listed) "$work/cp"
}
echo "$(listed | wc -l) files (ldd), $(du -cshL $(listed) | tail -1 | cut -f1)"
printf '%-52s %8s\n' "job" "seconds"
printf '%-52s %8s\n' "ldd + cp -L (no rewrite)" "$(secs copy_ldd)"
printf '%-52s %8s\n' "closure-wrap --relative -o DIR" "$(secs "$cw" --relative -q -o "$work/rel" $programs)"
printf '%-52s %8s\n' "closure-wrap --relative -o OUT.tar.zst" "$(secs "$cw" --relative -q -o "$work/rel.tar.zst" $programs)"
printf '%-52s %8s\n' "closure-wrap --absolute --prefix DIR/host -o DIR" \
  "$(secs "$cw" --absolute -q --prefix "$work/abs/host" -o "$work/abs" $programs)"

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
for p in $programs; do
  name=$(basename "$p")
  case $name in ssh) arg=-V ;; *) arg=--version ;; esac
  row "$name, host" "$p" $arg
  row "$name, relative launcher" "$work/rel/bin/$name" $arg
  row "$name, absolute tree" "$work/abs/host$p" $arg
done
