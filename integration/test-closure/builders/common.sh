# Helpers shared by the test-closure builders (POSIX sh: the builder is the host's /bin/sh).
# Every derivation sets PATH to the host's /usr/bin:/bin, so readelf, patchelf and cp are the
# host's; nothing here needs nixpkgs.
set -eu

die() {
  echo "test-closure: $name: $*" >&2
  exit 1
}

host_libdir=/usr/lib/x86_64-linux-gnu

# Copies a host library by soname into $out/lib the way Debian installs it: the real file under
# its full version name, and the soname as a relative symlink to it when the two differ.
copy_host_lib() {
  soname=$1
  host_file=$host_libdir/$soname
  [ -e "$host_file" ] || die "host library $host_file not found (is its Debian 12 package installed?)"
  real=$(readlink -f "$host_file")
  base=${real##*/}
  mkdir -p "$out/lib"
  cp "$real" "$out/lib/$base"
  chmod u+w "$out/lib/$base"
  if [ "$base" != "$soname" ]; then
    ln -s "$base" "$out/lib/$soname"
  fi
}

copy_host_program() {
  host_file=$1
  [ -f "$host_file" ] || die "host program $host_file not found (is its Debian 12 package installed?)"
  mkdir -p "$out/bin"
  cp -L "$host_file" "$out/bin/${host_file##*/}"
  chmod u+w "$out/bin/${host_file##*/}"
}

needed_of() {
  readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'
}

is_elf() {
  readelf -h "$1" >/dev/null 2>&1
}

has_interp() {
  readelf -l "$1" | grep -q 'Requesting program interpreter'
}

# Sets the RUNPATH of $1 to the lib dirs (in the order given in $2) that provide its DT_NEEDED
# entries, like nixpkgs' fixup does with --set-rpath and --shrink-rpath; a needed library found
# nowhere fails the build, so the closure is complete by construction. $3 = "rpath" writes
# DT_RPATH instead of DT_RUNPATH.
set_search_path() {
  file=$1
  candidates=$2
  kind=${3:-runpath}
  path=
  for lib in $(needed_of "$file"); do
    found=
    for dir in $candidates; do
      if [ -e "$dir/$lib" ]; then
        found=$dir
        break
      fi
    done
    [ -n "$found" ] || die "${file#$out/} needs $lib, found in none of: $candidates"
    case ":$path:" in
      *":$found:"*) ;;
      *) path=${path:+$path:}$found ;;
    esac
  done
  [ -n "$path" ] || return 0
  if [ "$kind" = rpath ]; then
    patchelf --force-rpath --set-rpath "$path" "$file"
  else
    patchelf --set-rpath "$path" "$file"
  fi
}

# The lib dirs a package searches: its own first, then its dependencies' in the order given.
lib_dirs_of() {
  dirs="$out/lib"
  for dep in "$@"; do
    dirs="$dirs $dep/lib"
  done
  echo "$dirs"
}

# Copies $libs (sonames) and $programs (host paths) and links them into the closure: programs
# get the store glibc as interpreter, every dynamic object a search path naming exactly the lib
# dirs of the store paths that provide its DT_NEEDED entries ($deps, in order). $searchKind is
# "runpath" (nixpkgs' default) or "rpath".
install_host_package() {
  for soname in $libs; do
    copy_host_lib "$soname"
  done
  for program in $programs; do
    copy_host_program "$program"
  done
  search=$(lib_dirs_of $deps)
  for file in "$out"/lib/* "$out"/bin/*; do
    [ -f "$file" ] && [ ! -L "$file" ] && is_elf "$file" || continue
    if has_interp "$file"; then
      patchelf --set-interpreter "$glibc/lib/ld-linux-x86-64.so.2" "$file"
    fi
    set_search_path "$file" "$search" "$searchKind"
  done
}

# A smoke test proves the objects really run from the store, not merely look right.
run_check() {
  [ -n "${check:-}" ] || return 0
  echo "test-closure: $name: check: $check" >&2
  eval "$check" >&2 || die "check failed: $check"
}

# Writes $2 as a nixpkgs makeWrapper-style wrapper that execs $1 under the store bash; the
# environment lines come from stdin.
make_wrapper() {
  wrapped=$1
  wrapper=$2
  {
    printf '#! %s -e\n' "$bash/bin/bash"
    cat
    printf 'exec -a "$0" "%s"  "$@" \n' "$wrapped"
  } > "$wrapper"
  chmod 555 "$wrapper"
}

# The lines makeWrapper writes for --prefix PATH : $1.
prefix_path_lines() {
  cat <<WRAPPER
PATH=\${PATH:+':'\$PATH':'}
PATH=\${PATH/':''$1'':'/':'}
PATH='$1'\$PATH
PATH=\${PATH#':'}
PATH=\${PATH%':'}
export PATH
WRAPPER
}
