# Helpers of the big closure's builders (POSIX sh), on top of ../test-closure/builders/common.sh.

# glibc's own libraries live in the glibc store path; hostlibs must not carry second copies.
is_glibc_lib() {
  case $1 in
    ld-linux*|libc.so*|libm.so*|libmvec.so*|libpthread.so*|libdl.so*|librt.so*|libresolv.so*|\
    libnss_*|libanl.so*|libBrokenLocale.so*|libc_malloc_debug.so*|libthread_db.so*|libutil.so*|\
    libnsl.so*|libmemusage.so*|libpcprofile.so*) return 0 ;;
  esac
  return 1
}

# Like common.sh's set_search_path, but a DT_NEEDED found in none of $2 is left unresolved (the
# host has libraries in subdirectories and optional plugins): the wrap job lists it, as it would
# in a real closure with an impure reference.
set_search_path_lenient() {
  file=$1
  candidates=$2
  path=
  for lib in $(needed_of "$file"); do
    for dir in $candidates; do
      if [ -e "$dir/$lib" ]; then
        case ":$path:" in
          *":$dir:"*) ;;
          *) path=${path:+$path:}$dir ;;
        esac
        break
      fi
    done
  done
  [ -n "$path" ] || return 0
  patchelf --set-rpath "$path" "$file"
}

# Interpreter into the store glibc and RUNPATH for every dynamic ELF object under $out.
link_tree() {
  candidates=$1
  find "$out" -type f | while read -r file; do
    is_elf "$file" || continue
    readelf -d "$file" 2>/dev/null | grep -q '(NEEDED)' || continue
    if has_interp "$file"; then
      patchelf --set-interpreter "$glibc/lib/ld-linux-x86-64.so.2" "$file"
    fi
    set_search_path_lenient "$file" "$candidates"
  done
}

# Copies top-level entries of the host lib dir whose names match $1 (a case pattern) and that
# pass $2 (a shell function name), keeping Debian's soname symlinks; drops dangling links.
copy_host_libs() {
  pattern=$1
  want=$2
  mkdir -p "$out/lib"
  for entry in "$host_libdir"/*.so*; do
    base=${entry##*/}
    case $base in $pattern) ;; *) continue ;; esac
    "$want" "$base" || continue
    if [ -L "$entry" ]; then
      cp -P "$entry" "$out/lib/$base"
    elif [ -f "$entry" ]; then
      cp "$entry" "$out/lib/$base"
      chmod u+w "$out/lib/$base"
    fi
  done
  find "$out/lib" -maxdepth 1 -type l | while read -r link; do
    [ -e "$link" ] || rm "$link"
  done
}
