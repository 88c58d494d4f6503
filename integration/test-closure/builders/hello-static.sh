# Two programs with no interpreter: musl static and glibc static-pie.
. "$common"
mkdir -p "$out/bin"
musl-gcc -static -O2 -o "$out/bin/hello-static" "$src/hello-static.c"
gcc -static-pie -O2 -o "$out/bin/hello-static-pie" "$src/hello-static.c"
for program in "$out"/bin/*; do
  if has_interp "$program"; then
    die "${program#$out/} has a PT_INTERP but should be static"
  fi
done
run_check
