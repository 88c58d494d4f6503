# file, wrapped the way nixpkgs' makeWrapper does it: bin/file is a bash script that exports
# variables naming other store paths and execs bin/.file-wrapped.
. "$common"
install_host_package
mv "$out/bin/file" "$out/bin/.file-wrapped"
{
  printf "export MAGIC='%s'\n" "$libmagic/share/misc/magic.mgc"
  prefix_path_lines "$xz/bin"
} | make_wrapper "$out/bin/.file-wrapped" "$out/bin/file"
run_check
