# A musl program linked against libgreet, its interpreter the store musl loader.
. "$common"
mkdir -p "$out/bin"
musl-gcc -O2 -I"$libgreet/include" -o "$out/bin/hello-musl" "$src/hello-musl.c" \
  -L"$libgreet/lib" -lgreet
patchelf --set-interpreter "$musl/lib/ld-musl-x86_64.so.1" "$out/bin/hello-musl"
set_search_path "$out/bin/hello-musl" "$libgreet/lib $musl/lib"
run_check
