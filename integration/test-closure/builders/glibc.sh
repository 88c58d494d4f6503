# The C library and its loader, copied unchanged: the loader and libc locate their own _DYNAMIC
# PC-relatively and must not be edited, and they need nothing outside this store path.
. "$common"
for soname in $libs; do
  copy_host_lib "$soname"
done
run_check
