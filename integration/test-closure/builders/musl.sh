# musl's libc.so is also its dynamic loader; ld-musl-x86_64.so.1 links to it as in nixpkgs.
. "$common"
src=/usr/lib/x86_64-linux-musl/libc.so
[ -f "$src" ] || die "$src not found (install musl)"
mkdir -p "$out/lib"
cp "$src" "$out/lib/libc.so"
ln -s libc.so "$out/lib/ld-musl-x86_64.so.1"
run_check
