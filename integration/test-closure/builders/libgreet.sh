# A musl shared library with its own symbol versions, installed as libgreet.so.1.0.0 with the
# soname libgreet.so.1 and the link-time name libgreet.so as symlinks.
. "$common"
mkdir -p "$out/lib" "$out/include"
cp "$src/greet.h" "$out/include/greet.h"
musl-gcc -shared -fPIC -O2 -Wl,-soname,libgreet.so.1 -Wl,--version-script="$src/greet.map" \
  -o "$out/lib/libgreet.so.1.0.0" "$src/greet.c"
ln -s libgreet.so.1.0.0 "$out/lib/libgreet.so.1"
ln -s libgreet.so.1 "$out/lib/libgreet.so"
set_search_path "$out/lib/libgreet.so.1.0.0" "$musl/lib"
