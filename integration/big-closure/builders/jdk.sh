# A copy of the host's OpenJDK 17 with its symlinks out of it resolved (copies) or dropped (dangling), linked into the
# store: interpreter → glibc, RUNPATH → its own lib dirs, hostlibs, glibc.
. "$common"
. "$big"
jdk=/usr/lib/jvm/java-17-openjdk-amd64
[ -d "$jdk" ] || die "$jdk not found: apt-get install -y openjdk-17-jdk-headless"
mkdir -p "$out"
cp -a "$jdk"/. "$out"/
chmod -R u+w "$out"
# Debian links config files into /etc and src.zip to a package that may be absent.
find "$out" -type l | while read -r link; do
  if [ -e "$link" ]; then
    target=$(readlink -f "$link")
    case $target in "$out"/*) continue ;; esac
    rm "$link"
    cp -L "$target" "$link"
    chmod u+w "$link"
  else
    rm "$link"
  fi
done
link_tree "$out/lib $out/lib/server $hostlibs/lib $glibc/lib"
check="$out/bin/java -version"
run_check
