# Debian's static busybox: no PT_INTERP, no DT_NEEDED; bin/sh is a relative symlink to it.
. "$common"
mkdir -p "$out/bin"
cp /bin/busybox "$out/bin/busybox"
ln -s busybox "$out/bin/sh"
if has_interp "$out/bin/busybox"; then
  die "/bin/busybox is dynamically linked; install busybox-static"
fi
run_check
