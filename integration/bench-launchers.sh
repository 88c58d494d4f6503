#!/usr/bin/env bash
# Start-up cost of the relative bundle's launchers and exec shims: each program run N times
# (default 300) directly from /nix/store, through its bundled loader called by hand (the floor of
# the strategy), through the launcher OUT/bin/<name>, and through the exec shim at its store path;
# plus the failed lookups (ENOENT) strace sees at start-up. Run from the repository root after
# `mvn -q -B test-compile`; needs strace.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
n=${N:-300}
work=$(mktemp -d /tmp/bench-launchers.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp=$(mvn -q -B dependency:build-classpath -Dmdep.outputFile=/dev/stdout 2>/dev/null || true)
java -cp "target/classes:target/test-classes:$cp" dev.closurewrap.rewrite.TestBundleMain "$work/b" >/dev/null
b=$work/b
pkg() { awk -v n="$1" '$1 == n { print $2 }' target/test-closure/packages.tsv; }
inb() { echo "$b/store/$(basename "$(pkg "$1")")"; }
libs=$(for d in "$b"/store/*/lib; do printf '%s:' "$d"; done)

per_run() { # prints milliseconds per run of "$@"
  local start end i
  start=$(date +%s%N)
  for ((i = 0; i < n; i++)); do "$@" >/dev/null; done
  end=$(date +%s%N)
  awk "BEGIN { printf \"%.2f\", ($end - $start) / $n / 1000000 }"
}
enoent() { # failed lookups at start-up, less /etc/ld.so.preload
  strace -f -e trace=openat,open,stat,newfstatat,access,execve -o "$work/trace" "$@" >/dev/null 2>&1
  grep ENOENT "$work/trace" | grep -vc ld.so.preload || true
}
row() { # name, then the command
  local name=$1; shift
  local ms; ms=$(per_run "$@")
  printf '%-44s %8s ms %6s ENOENT\n' "$name" "$ms" "$(enoent "$@")"
  echo "$ms" >"$work/last"
}
ratio() { awk "BEGIN { printf \"%.2f\", $1 / $2 }"; }

echo "runs per row: $n"
row "hello-musl, store" "$(pkg hello-musl)/bin/hello-musl"; base=$(cat "$work/last")
row "hello-musl, bundled loader by hand" "$(inb musl)/lib/libc.so" --library-path "$libs" "$(inb hello-musl)/bin/.hello-musl-real"
row "hello-musl, launcher OUT/bin" "$b/bin/hello-musl"; echo "  launcher / store: $(ratio "$(cat "$work/last")" "$base")"
row "hello-musl, exec shim" "$(inb hello-musl)/bin/hello-musl"; echo "  shim / store: $(ratio "$(cat "$work/last")" "$base")"
row "curl --version, store" "$(pkg curl)/bin/curl" --version; base=$(cat "$work/last")
row "curl --version, bundled loader by hand" "$(inb glibc)/lib/ld-linux-x86-64.so.2" --library-path "$libs" "$(inb curl)/bin/.curl-real" --version
row "curl --version, launcher OUT/bin" "$b/bin/curl" --version; echo "  launcher / store: $(ratio "$(cat "$work/last")" "$base")"
row "curl --version, exec shim" "$(inb curl)/bin/curl" --version; echo "  shim / store: $(ratio "$(cat "$work/last")" "$base")"
row "file --version (wrapper), store" "$(pkg file)/bin/file" --version; base=$(cat "$work/last")
row "file --version (wrapper), launcher OUT/bin" "$b/bin/file" --version; echo "  launcher / store: $(ratio "$(cat "$work/last")" "$base")"
