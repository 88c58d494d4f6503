#!/usr/bin/env bash
# Builds the big closure (integration/big-closure/default.nix, about 790 MB: the host's shared
# libraries, LLVM and OpenJDK 17 linked into store paths) for the wrap job's speed and memory
# figures (integration/bench-wrap.sh). Same conventions as build-test-closure.sh:
#
# stdout: one "<name>\t<store path>" line per package, nothing else (logs go to stderr).
# Also writes target/big-closure/packages.tsv, roots.tsv and GC roots under
# target/big-closure/gcroots/. Idempotent: a second run finds everything built (about a second).
# The first build copies and patchelfs ~800 files: a minute or two.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
expr=$here/big-closure/default.nix
out_dir=${BIG_CLOSURE_DIR:-$repo/target/big-closure}

log() { printf 'build-big-closure: %s\n' "$*" >&2; }
fail() { log "error: $*"; exit 1; }

[[ $(uname -m) == x86_64 ]] || fail "the big closure copies x86_64 host files; this is $(uname -m)"
for tool in nix-build nix-instantiate nix-store patchelf readelf; do
  command -v "$tool" >/dev/null || fail "$tool not found: apt-get install -y nix-bin patchelf binutils"
done
[[ -d /usr/lib/jvm/java-17-openjdk-amd64 ]] || fail "OpenJDK 17 not found: apt-get install -y openjdk-17-jdk-headless"
# nix.conf (sandbox = false, build-users-group =) is set up by the test closure's script, whose
# glibc this closure shares.
"$here/build-test-closure.sh" >/dev/null

nix_options=(--option substituters '' --option sandbox false --option build-users-group '')
mkdir -p "$out_dir"

packages=$(nix-instantiate "${nix_options[@]}" --eval --strict --json \
  -E "builtins.mapAttrs (name: package: package.outPath) (import $expr).packages" \
  | tr ',' '\n' | sed -E 's/^\{?"([^"]+)":"([^"]+)"\}?$/\1\t\2/') || fail "evaluating $expr failed"
roots=$(nix-instantiate "${nix_options[@]}" --eval --strict --json -E "(import $expr).roots" | tr -d '[]"' | tr ',' '\n')

log "building $(wc -l <<<"$packages") packages from $expr"
rm -rf "$out_dir/gcroots"
mkdir -p "$out_dir/gcroots"
built=$(nix-build "${nix_options[@]}" --max-jobs 2 "$expr" -A packages --out-link "$out_dir/gcroots/package") \
  || fail "nix-build of $expr failed (see the log above)"
[[ $(sort <<<"$built") == $(cut -f2 <<<"$packages" | sort) ]] \
  || fail "nix-build produced other paths than evaluation predicted"$'\n'"built: $built"

: > "$out_dir/roots.tsv.tmp"
for root in $roots; do
  path=$(awk -F'\t' -v n="$root" '$1 == n { print $2 }' <<<"$packages")
  [[ -n $path ]] || fail "root $root is not a package of $expr"
  printf '%s\t%s\n' "$root" "$path" >> "$out_dir/roots.tsv.tmp"
done
printf '%s\n' "$packages" > "$out_dir/packages.tsv.tmp"
mv "$out_dir/roots.tsv.tmp" "$out_dir/roots.tsv"
mv "$out_dir/packages.tsv.tmp" "$out_dir/packages.tsv"

closure=$(nix-store -q --requisites $(cut -f2 "$out_dir/roots.tsv"))
log "closure of the roots: $(wc -l <<<"$closure") store paths, $(du -scb $closure | tail -1 | cut -f1) bytes"
cat "$out_dir/packages.tsv"
