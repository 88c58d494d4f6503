#!/usr/bin/env bash
# The wrap job's speed and memory, side by side with its peers in the same run, on the test
# closure (roots app and file, 34 MB) and the big closure (integration/build-big-closure.sh,
# ~790 MB: host libraries, LLVM, OpenJDK 17). Source (/nix/store) and output (WORK, default
# /work/bench-wrap.tmp; must be on the store's file system) on one file system.
#
#   (a) directory output vs `cp -a` of the closure (the I/O floor): the job as configured by
#       default (sync-output = true: every output file fsynced), without fsync
#       (--option sync-output false --option checkpoint-sync-every 100000, like cp), and with
#       --hardlink (unchanged files linked, no fsync), that command again over its finished
#       output, another output on the same state directory (input hashes known, rewrites reused;
#       with and without --hardlink), and --absolute (no fsync);
#   (b) OUT.tar.zst (no fsync) vs `tar -c | zstd -3 -T1` with the same reproducible options;
#   (c) vs integration/patchelf-wrap.sh: `cp -a` plus the same edits with patchelf, one process
#       per file and edit group; "apply" is the copy and the edits alone, "total" adds working
#       out the edits (the job's --dry-run --json plan and an inspect of the old names).
#
# Every case runs RUNS times (default 3), cases alternating, each into a fresh directory, caches
# prepared alike before each (not timed; see prepare_run below); medians of
# wall-clock seconds and of CPU seconds (user + sys, children included: steadier than wall time on
# a shared machine) and the largest peak RSS (GNU time) are printed, with ratio = ours / peer.
# Page cache warm for the inputs, cold for earlier outputs. Then, unless STARTUP_RUNS=0, start-up of the wrapped test-closure programs.
#
# Run from the repository root after `mvn -q -B package -DskipTests`, as root (Nix builds).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=${RUNS:-3}
cw=$PWD/target/closure-wrap
work=${WORK:-/work/bench-wrap.tmp}
closures=${CLOSURES:-test big}
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
[[ $(stat -c %d "$work") == $(stat -c %d /nix/store) ]] || echo "warning: $work is not on /nix/store's file system" >&2
fast=(--option sync-output false --option checkpoint-sync-every 100000)

integration/build-test-closure.sh >/dev/null
[[ $closures == *big* ]] && integration/build-big-closure.sh >/dev/null

# This VM's ext4 has no journal, and then its inode allocator skips every inode freed in the last
# 60 s (360 s while its inode-table block is dirty) whose block is still in the page cache,
# looking at each in turn: creating files soon after deleting a big tree costs milliseconds per
# inode (find_inode_bit/recently_deleted in a profile; for cp -a as much as for the job, but not
# by the same amount in every case). Keeping every output instead fills the page cache until the
# closure itself is read from disk again. So before each run: sync, drop the clean page cache
# (as root), read the closure, the JDK and the job's jars again. Every run then starts alike:
# inputs cached, earlier outputs on disk only, no freed inode looked at. The runs of a round
# write into one directory, removed when the next round starts.
jdk=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
dropped=no
prepare_run() {
  sync
  if [[ -w /proc/sys/vm/drop_caches ]]; then
    echo 1 > /proc/sys/vm/drop_caches
    dropped=yes
  fi
  find $closure "$jdk" target/closure-wrap.jar target/closure-wrap.jsa target/lib -type f -exec cat {} + >/dev/null 2>&1 || true
}

# run NAME CMD...: one timed run, appended to $work/times as "NAME seconds maxrss_kb user sys".
run() {
  local name=$1; shift
  prepare_run
  /usr/bin/time -f '%e %M %U %S' -o "$work/time" "$@" >/dev/null 2>"$work/stderr" \
    || { echo "failed: $*" >&2; cat "$work/stderr" >&2; exit 1; }
  echo "$name $(cat "$work/time")" >> "$work/times"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
stat_of() { # prints "median_wall_seconds median_cpu_seconds max_rss_mb" of case $1
  local s c r
  s=$(awk -v n="$1" '$1 == n { print $2 }' "$work/times" | median)
  c=$(awk -v n="$1" '$1 == n { print $4 + $5 }' "$work/times" | median)
  r=$(awk -v n="$1" '$1 == n && $3 > m { m = $3 } END { printf "%.0f", m / 1024 }' "$work/times")
  echo "$s $c $r"
}
row() { # row LABEL OURS [PEER]
  local os oc orss ps pc prss
  read -r os oc orss <<<"$(stat_of "$2")"
  if [[ -n ${3:-} ]]; then
    read -r ps pc prss <<<"$(stat_of "$3")"
    printf '| %s | %.2f | %.2f | %s | %.2f | %.2f | %.2f | %.2f |\n' "$1" "$os" "$oc" "$orss" "$ps" "$pc" \
      "$(awk "BEGIN { print $os / $ps }")" "$(awk "BEGIN { print $oc / ($pc > 0 ? $pc : 0.01) }")"
  else
    printf '| %s | %.2f | %.2f | %s | | | | |\n' "$1" "$os" "$oc" "$orss"
  fi
}

for c in $closures; do
  dir=target/$c-closure
  [[ $c == test ]] && dir=target/test-closure
  roots=$(cut -f2 "$dir/roots.tsv" | tr "\n" " ")
  closure=$(nix-store -q --requisites $roots | tr "\n" " ")
  files=$(find $closure -type f | wc -l)
  bytes=$(du -scb $closure | tail -1 | cut -f1)
  : > "$work/times"
  integration/patchelf-wrap.sh prepare "$work/pw" --relative $roots 2>/dev/null
  edited=$(grep -c '"kind" : "edit-elf"' "$work/pw/plan.json" || true)
  tarpeer="tar -C /nix/store --sort=name --owner=0 --group=0 --numeric-owner --mtime=@1 -cf - $(for p in $closure; do printf '%s ' "${p#/nix/store/}"; done)| zstd -q -T1 -3 > @OUT@"
  for ((i = 0; i < runs; i++)); do
    rm -rf "$work/$c-$((i - 1))"
    r=$work/$c-$i
    mkdir -p "$r"
    run cp bash -c "mkdir -p $r/cp && cp -a $closure $r/cp/"
    run wrap-dir "$cw" --relative -q -o "$r/dir" $roots
    run wrap-dir-nosync "$cw" --relative -q "${fast[@]}" -o "$r/nosync" $roots
    run wrap-dir-hardlink "$cw" --relative -q "${fast[@]}" --hardlink -o "$r/hardlink" $roots
    run wrap-dir-again "$cw" --relative -q "${fast[@]}" --hardlink -o "$r/hardlink" $roots
    # Another output on that state directory: input hashes known, every rewrite reused.
    run wrap-dir-warm-hardlink "$cw" --relative -q "${fast[@]}" --hardlink --state "$r/hardlink.closure-wrap-state" -o "$r/warm-hardlink" $roots
    run wrap-dir-warm "$cw" --relative -q "${fast[@]}" --state "$r/hardlink.closure-wrap-state" -o "$r/warm" $roots
    run wrap-dir-absolute "$cw" --absolute -q "${fast[@]}" --prefix "$r/absolute/store" -o "$r/absolute" $roots
    run tar-zstd bash -c "${tarpeer//@OUT@/$r/peer.tar.zst}"
    run wrap-tar-zst "$cw" --relative -q "${fast[@]}" -o "$r/out.tar.zst" $roots
    run patchelf-apply integration/patchelf-wrap.sh apply "$work/pw" "$r/pw-out"
    run patchelf-total bash -c "integration/patchelf-wrap.sh prepare $r/pw2 --relative $roots 2>/dev/null && integration/patchelf-wrap.sh apply $r/pw2 $r/pw2-out"
    run dry-run "$cw" --relative -q --dry-run $roots
  done
  echo
  echo "## $c closure: $(wc -w <<<"$closure") store paths, $files files, $(awk "BEGIN { printf \"%.0f\", $bytes / 1e6 }") MB, $edited ELF files edited; $runs runs; page cache dropped before each run: $dropped; $(uptime | sed 's/.*load/load/')"
  echo
  echo "| case | ours s | ours CPU s | ours peak RSS MB | peer s | peer CPU s | ratio (wall) | ratio (CPU) |"
  echo "|---|---|---|---|---|---|---|---|"
  row "(a) directory, default (fsync every file) vs cp -a" wrap-dir cp
  row "(a) directory, no fsync vs cp -a" wrap-dir-nosync cp
  row "(a) directory, --hardlink, no fsync vs cp -a" wrap-dir-hardlink cp
  row "(a) the same again (finished job: checked, nothing written) vs cp -a" wrap-dir-again cp
  row "(a) another output, same state directory (warm), --hardlink, no fsync vs cp -a" wrap-dir-warm-hardlink cp
  row "(a) another output, same state directory (warm), no fsync vs cp -a" wrap-dir-warm cp
  row "(a) directory, --absolute, no fsync vs cp -a" wrap-dir-absolute cp
  row "(b) tar.zst, no fsync vs tar -c \\| zstd -3" wrap-tar-zst tar-zstd
  row "(c) directory, no fsync vs patchelf script (copy + edits)" wrap-dir-nosync patchelf-apply
  row "(c) directory, no fsync vs patchelf script (+ working out the edits)" wrap-dir-nosync patchelf-total
  row "--dry-run (scan, graph, plan)" dry-run
  ls -l "$work/$c-0/peer.tar.zst" "$work/$c-0/out.tar.zst" 2>/dev/null | awk '{ print $NF ": " $5 " bytes" }' || true
done

n=${STARTUP_RUNS:-50}
[[ $n -gt 0 ]] || exit 0
pkg() { awk -v n="$1" '$1 == n { print $2 }' target/test-closure/packages.tsv; }
roots=$(cut -f2 target/test-closure/roots.tsv)
"$cw" --relative -q "${fast[@]}" -o "$work/rel" $roots
"$cw" --absolute -q "${fast[@]}" --prefix "$work/abs/store" -o "$work/abs" $roots
per_run() {
  local start end i
  start=$(date +%s%N)
  for ((i = 0; i < n; i++)); do "$@" >/dev/null 2>&1; done
  end=$(date +%s%N)
  awk "BEGIN { printf \"%.2f\", ($end - $start) / $n / 1000000 }"
}
enoent() { # all failed lookups, and those of libraries
  strace -f -e trace=openat,open,stat,newfstatat,access -o "$work/trace" "$@" >/dev/null 2>&1 || true
  local all lib
  all=$(grep ENOENT "$work/trace" | grep -vc ld.so.preload || true)
  lib=$(grep ENOENT "$work/trace" | grep -v ld.so.preload | grep -cE '/(lib[^/"]*\.so|ld-[^/"]*\.so|glibc-hwcaps)' || true)
  echo "$all / $lib"
}
srow() {
  local name=$1; shift
  printf '%-44s %8s ms   %s\n' "$name" "$(per_run "$@")" "$(enoent "$@")"
}
echo
echo "start-up, $n runs each: ms per run, failed lookups (all / libraries)"
rel=$work/rel; abs=$work/abs/store
for p in curl hello-musl file; do
  case $p in file) store=$(pkg file)/bin/file ;; *) store=$(pkg app)/bin/$p ;; esac
  srow "$p, store" "$store" --version
  srow "$p, relative launcher" "$rel/bin/$p" --version
  srow "$p, absolute in place" "$abs/${store#/nix/store/}" --version
done
