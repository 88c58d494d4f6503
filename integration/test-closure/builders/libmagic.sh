# libmagic plus its compiled database, which the file wrapper names through $MAGIC.
. "$common"
install_host_package
mkdir -p "$out/share/misc"
cp /usr/lib/file/magic.mgc "$out/share/misc/magic.mgc"
