#!/usr/bin/env bash
# Benchmark of the scan stage: `closure-wrap graph` over a synthetic store of hundreds of store
# paths holding thousands of real ELF files (copies of the host's libraries and programs), against
# `cat` of the same files, in the same run (and `sha256sum`, as every file's hash is taken). References are found by scanning (the store is not in
# the Nix database), so closure-wrap reads every file twice: once for references, once to classify
# and hash it; `cat` reads it once.
#
#   integration/bench-scan.sh            # PATHS=300 PER_PATH=12 PROGRAMS=2 REPEAT=5
#   COLD=1 integration/bench-scan.sh     # drop the page cache before every run (root): the bytes
#                                        # come from the disk, as in a first scan of a closure
#
# Prints one table row per command: wall seconds and CPU seconds (user + system; load from other
# jobs disturbs it less), each the median of REPEAT runs with the page cache warm, peak RSS, and
# the ratios to cat; and the load average before and after. Needs a built closure-wrap
# (mvn -q -B package -DskipTests) and GNU time.
set -euo pipefail

PATHS=${PATHS:-300}
PER_PATH=${PER_PATH:-12}
PROGRAMS=${PROGRAMS:-2}
REPEAT=${REPEAT:-5}
repo=$(cd "$(dirname "$0")/.." && pwd)
tool=${TOOL:-$repo/target/closure-wrap}
[ -x "$tool" ] || { echo "bench-scan: build first: mvn -q -B package -DskipTests" >&2; exit 2; }
work=$(mktemp -d /tmp/bench-scan.XXXXXX)
trap 'rm -rf "$work"' EXIT
store=$work/store
mkdir -p "$store"

# A store path name: 32 Nix base-32 characters (hex minus 'e', which the alphabet lacks) and a name.
hash_of() { printf '%s' "$1" | sha256sum | cut -c1-32 | tr 'e' 'g'; }

# Files under 1 MiB, so that hundreds of paths stay a few hundred MiB.
mapfile -t libs < <(find /usr/lib/x86_64-linux-gnu -maxdepth 1 -type f -name '*.so*' -size -1024k | sort)
mapfile -t bins < <(find /usr/bin -maxdepth 1 -type f -perm -u+x -size +20k -size -1024k | sort)
root=$store/$(hash_of root)-root
mkdir -p "$root"
for ((i = 0; i < PATHS; i++)); do
    p=$store/$(hash_of "pkg$i")-pkg$i
    mkdir -p "$p/lib" "$p/bin"
    for ((j = 0; j < PER_PATH; j++)); do
        cp "${libs[$(( (i * PER_PATH + j) % ${#libs[@]} ))]}" "$p/lib/"
    done
    for ((j = 0; j < PROGRAMS; j++)); do
        cp "${bins[$(( (i * PROGRAMS + j) % ${#bins[@]} ))]}" "$p/bin/"
    done
    echo "$p" >> "$root/paths"
done

files=$(find "$store" -type f | wc -l)
elf=$(find "$store" -type f -exec head -c4 {} \; -printf '\n' 2>/dev/null | grep -c $'^\x7fELF' || true)
bytes=$(du -sb "$store" | cut -f1)
echo "store: $((PATHS + 1)) store paths, $files files ($elf ELF), $((bytes / 1048576)) MiB; $(nproc) cores"

# median of REPEAT: "wall_seconds max_rss_kib cpu_seconds"
measure() {
    local walls="" cpus="" rss=0
    for ((r = 0; r < REPEAT; r++)); do
        local out t m u s
        if [ "${COLD:-0}" = 1 ]; then sync; echo 3 > /proc/sys/vm/drop_caches; fi
        out=$( { /usr/bin/time -f '%e %M %U %S' "$@" > /dev/null; } 2>&1 | tail -1)
        read -r t m u s <<< "$out"
        walls="$walls $t"
        cpus="$cpus $(awk "BEGIN{print $u + $s}")"
        [ "$m" -gt "$rss" ] && rss=$m
    done
    median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
    echo "$(echo "$walls" | median) $rss $(echo "$cpus" | median)"
}

find "$store" -type f -print0 | xargs -0 cat > /dev/null   # warm the page cache (unless COLD=1)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
read -r cat_s cat_rss cat_cpu < <(measure sh -c "find '$store' -type f -print0 | xargs -0 cat")
read -r sha_s sha_rss sha_cpu < <(measure sh -c "find '$store' -type f -print0 | xargs -0 sha256sum")
read -r cw_s cw_rss cw_cpu < <(measure "$tool" graph --scan-references --format json -o "$work/graph.json" "$root")
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$tool" graph --scan-references "$root" | head -4 | sed 's/^/  /'

ratio() { awk "BEGIN{printf \"%.2f\", $1 / $2}"; }
printf '| command | wall s | ratio to cat | CPU s | ratio to cat | peak RSS (MiB) |\n|---|---|---|---|---|---|\n'
printf '| cat (every file once) | %s | 1.00 | %s | 1.00 | %d |\n' "$cat_s" "$cat_cpu" $((cat_rss / 1024))
printf '| sha256sum (every file once) | %s | %s | %s | %s | %d |\n' "$sha_s" "$(ratio "$sha_s" "$cat_s")" \
    "$sha_cpu" "$(ratio "$sha_cpu" "$cat_cpu")" $((sha_rss / 1024))
printf '| closure-wrap graph --scan-references | %s | %s | %s | %s | %d |\n' "$cw_s" "$(ratio "$cw_s" "$cat_s")" \
    "$cw_cpu" "$(ratio "$cw_cpu" "$cat_cpu")" $((cw_rss / 1024))
echo "(median of $REPEAT runs each; CPU = user + system seconds; page cache $([ "${COLD:-0}" = 1 ] && echo 'dropped before every run' || echo warm))"
