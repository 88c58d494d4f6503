# The root package: scripts with store shebangs, a config file naming store paths and absolute
# symlinks into other store paths (as buildEnv makes them). Each of dash, busybox and libgreet is
# reachable from here only through one of these files, so each such reference is registered by
# Nix only because of that file.
. "$common"
mkdir -p "$out/bin" "$out/share/app"

cat > "$out/bin/app-info" <<SCRIPT
#!$dash/bin/dash
# Runs programs of the test closure by their store paths.
set -e
$curl/bin/curl --version | head -n 1
$helloMusl/bin/hello-musl
$helloStatic/bin/hello-static
SCRIPT

cat > "$out/bin/app-busybox" <<SCRIPT
#!$busybox/bin/sh
echo "busybox sh says hello"
SCRIPT
chmod 555 "$out/bin/app-info" "$out/bin/app-busybox"

cat > "$out/share/app/app.conf" <<CONF
# A data file naming other store paths.
greeting-library = $libgreet/lib/libgreet.so.1
CONF

ln -s "$curl/bin/curl" "$out/bin/curl"
ln -s "$helloMusl/bin/hello-musl" "$out/bin/hello-musl"
run_check
