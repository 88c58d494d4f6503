. "$common"
. "$big"
not_glibc_nor_llvm() {
  ! is_glibc_lib "$1" && case $1 in libLLVM*) return 1 ;; *) return 0 ;; esac
}
copy_host_libs '*' not_glibc_nor_llvm
link_tree "$out/lib $glibc/lib"
