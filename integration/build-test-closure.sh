#!/usr/bin/env bash
# Builds the closure-wrap test closure (integration/test-closure/default.nix) with nix-build:
# real Debian programs and libraries, one store path per package, linked to each other by store
# path the way nixpkgs links them. See integration/README.md.
#
# stdout: one "<name>\t<store path>" line per package, nothing else (logs go to stderr).
# Also writes target/test-closure/packages.tsv (the same lines), roots.tsv (the top-level
# packages, same format) and GC roots under target/test-closure/gcroots/.
# Idempotent: a second run finds everything built and takes a second or two.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
expr=$here/test-closure/default.nix
out_dir=${TEST_CLOSURE_DIR:-$repo/target/test-closure}
nix_conf=/etc/nix/nix.conf

log() { printf 'build-test-closure: %s\n' "$*" >&2; }
fail() { log "error: $*"; exit 1; }

check_host() {
  [[ $(uname -m) == x86_64 ]] || fail "the test closure copies x86_64 host binaries; this is $(uname -m)"
  local tool
  for tool in nix-build nix-instantiate nix-store; do
    command -v "$tool" >/dev/null || fail "$tool not found: apt-get install -y nix-bin"
  done
  for tool in patchelf readelf gcc musl-gcc; do
    command -v "$tool" >/dev/null \
      || fail "$tool not found: apt-get install -y patchelf binutils gcc musl-tools"
  done
  [[ -x /bin/busybox ]] || fail "/bin/busybox not found: apt-get install -y busybox-static"
  [[ -x /usr/bin/curl ]] || fail "/usr/bin/curl not found: apt-get install -y curl"
  [[ -x /usr/bin/file ]] || fail "/usr/bin/file not found: apt-get install -y file"
  [[ -x /usr/bin/xz ]] || fail "/usr/bin/xz not found: apt-get install -y xz-utils"
}

# Sets "key = value" in nix.conf, replacing an existing setting of the key, adding it if absent.
ensure_nix_setting() {
  local key=$1 value=$2 line
  line="$key = $value"
  line=${line% }
  if [[ -f $nix_conf ]] && grep -Eq "^[[:space:]]*$key[[:space:]]*=[[:space:]]*$value[[:space:]]*$" "$nix_conf"; then
    return 0
  fi
  [[ -w $(dirname "$nix_conf") ]] || fail "$nix_conf needs \"$line\" and is not writable (run as root)"
  if [[ -f $nix_conf ]] && grep -Eq "^[[:space:]]*$key[[:space:]]*=" "$nix_conf"; then
    sed -i -E "s|^[[:space:]]*$key[[:space:]]*=.*$|$line|" "$nix_conf"
  else
    printf '%s\n' "$line" >> "$nix_conf"
  fi
  log "set \"$line\" in $nix_conf"
}

# Single-user Nix as root, as Debian's nix-bin installs it: builders run as root (no nixbld
# users) and outside a sandbox, since they use the host's /bin/sh, compilers and libraries.
ensure_nix_conf() {
  mkdir -p "$(dirname "$nix_conf")"
  ensure_nix_setting sandbox false
  ensure_nix_setting build-users-group ''
}

# Offline: never ask cache.nixos.org for paths that only this machine can build.
nix_options=(--option substituters '' --option sandbox false --option build-users-group '')

# Prints "<name>\t<store path>" for each attribute of (import default.nix).$1.
eval_paths() {
  local json
  json=$(nix-instantiate "${nix_options[@]}" --eval --strict --json \
    -E "builtins.mapAttrs (name: package: package.outPath) (import $expr).packages") \
    || fail "evaluating $expr failed"
  tr ',' '\n' <<<"$json" | sed -E 's/^\{?"([^"]+)":"([^"]+)"\}?$/\1\t\2/'
}

eval_roots() {
  nix-instantiate "${nix_options[@]}" --eval --strict --json -E "(import $expr).roots" \
    | tr -d '[]"' | tr ',' '\n'
}

main() {
  check_host
  ensure_nix_conf
  mkdir -p "$out_dir"

  local packages roots built
  packages=$(eval_paths)
  roots=$(eval_roots) || fail "evaluating the roots of $expr failed"
  [[ -n $packages && -n $roots ]] || fail "$expr names no packages or no roots"

  log "building $(wc -l <<<"$packages") packages from $expr"
  rm -rf "$out_dir/gcroots"
  mkdir -p "$out_dir/gcroots"
  built=$(nix-build "${nix_options[@]}" --max-jobs 2 "$expr" -A packages \
    --out-link "$out_dir/gcroots/package") || fail "nix-build of $expr failed (see the log above)"

  # nix-build and evaluation must agree, or the TSV would name paths that were not built.
  if [[ $(sort <<<"$built") != $(cut -f2 <<<"$packages" | sort) ]]; then
    fail "nix-build produced other paths than evaluation predicted"$'\n'"built: $built"
  fi

  local root path
  : > "$out_dir/roots.tsv.tmp"
  for root in $roots; do
    path=$(awk -F'\t' -v n="$root" '$1 == n { print $2 }' <<<"$packages")
    [[ -n $path ]] || fail "root $root is not a package of $expr"
    printf '%s\t%s\n' "$root" "$path" >> "$out_dir/roots.tsv.tmp"
  done
  printf '%s\n' "$packages" > "$out_dir/packages.tsv.tmp"
  mv "$out_dir/roots.tsv.tmp" "$out_dir/roots.tsv"
  mv "$out_dir/packages.tsv.tmp" "$out_dir/packages.tsv"

  log "closure of the roots: $(nix-store -q --requisites $(cut -f2 "$out_dir/roots.tsv") | wc -l) store paths; list in $out_dir/packages.tsv"
  cat "$out_dir/packages.tsv"
}

main "$@"
