#!/usr/bin/env bash
# Benchmark: closure-wrap nar dump/restore against nix-store --dump/--restore, same run, same data.
#
#   integration/bench-nar.sh [REPS] [BIG_FILE_GB]      (defaults: 3 repetitions, a 3 GB file)
#
# Builds (once, idempotently) a closure of host directories with nix-store --add:
# /usr/lib/x86_64-linux-gnu (~680 MB, big libraries) and /usr/share/doc (~125 MB, many small files
# and symlinks). Then, for each tool and each repetition, dumps every path of it to a pipe and
# restores the dumps; and does the same for one multi-GB file to show that memory stays flat.
# The closure is dumped twice: every path into one pipe (one process per path, as a shell loop
# over nix-store --dump does) and into one file per path (Nix: a loop; ours: one process,
# nar dump -d DIR PATH...); the dumps are restored by a loop over nix-store --restore and by one
# process of ours (nar restore -d DIR ARCHIVE...). Reports the median wall time, the ratio ours/nix (below 1 = we are
# faster), the median CPU time (user + system, which load from other jobs disturbs less than
# wall time) and peak RSS (/usr/bin/time -v), with the load average before and after.
# Needs a built tree (mvn -q -B package -DskipTests) and nix-bin as root.
set -euo pipefail

reps=${1:-3}
big_gb=${2:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
cw="$here/target/closure-wrap"
work=${BENCH_DIR:-/tmp/closure-wrap-bench}
mkdir -p "$work"
[ -x "$cw" ] || { echo "build first: mvn -q -B package -DskipTests" >&2; exit 2; }

# --- the closure ---------------------------------------------------------------------------
paths_file="$work/paths"
if [ ! -s "$paths_file" ] || ! xargs -a "$paths_file" nix-store --check-validity 2>/dev/null; then
  rm -rf "$work/src"; mkdir -p "$work/src"
  cp -a /usr/lib/x86_64-linux-gnu "$work/src/host-lib"
  cp -a /usr/share/doc "$work/src/host-doc"
  for d in "$work/src"/*; do nix-store --add "$d"; done > "$paths_file"
  rm -rf "$work/src"
fi
mapfile -t paths < "$paths_file"
total=0
for p in "${paths[@]}"; do total=$((total + $(nix-store -q --size "$p"))); done
echo "closure: ${#paths[@]} paths, $((total / 1000000)) MB of NAR"

big="$work/big.bin"
if [ ! -f "$big" ] || [ "$(stat -c %s "$big")" -ne $((big_gb * 1024 * 1024 * 1024)) ]; then
  # Incompressible and not sparse: both tools really read every byte.
  head -c $((big_gb * 1024 * 1024 * 1024)) /dev/urandom > "$big"
fi

# --- measurement helpers ---------------------------------------------------------------------
# run LABEL CMD...: runs CMD under /usr/bin/time -v, appends "LABEL seconds maxrss_kB" to results.
results="$work/results"
: > "$results"
run() {
  local label=$1; shift
  local t="$work/time.out"
  /usr/bin/time -v -o "$t" "$@"
  local secs rss cpu
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$t")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$t")
  cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {print s}' "$t")
  echo "$label $secs $rss $cpu" >> "$results"
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

nars="$work/nars"; mkdir -p "$nars"
i=0
for p in "${paths[@]}"; do nix-store --dump "$p" > "$nars/$i.nar"; i=$((i + 1)); done
nix-store --dump "$big" > "$work/big.nar"

for r in $(seq "$reps"); do
  for tool in nix ours; do
    paths_str="${paths[*]}"
    run "dump-closure-$tool" bash -c "paths=($paths_str); for p in \"\${paths[@]}\"; do
        if [ $tool = nix ]; then nix-store --dump \"\$p\"; else \"$cw\" nar dump \"\$p\"; fi; done | cat > /dev/null"
    rm -rf "$work/files"; mkdir -p "$work/files"
    if [ $tool = nix ]; then
      run "dump-files-nix" bash -c "for p in $paths_str; do nix-store --dump \$p > $work/files/\$(basename \$p).nar; done"
    else
      run "dump-files-ours" "$cw" nar dump -d "$work/files" "${paths[@]}"
    fi
    rm -rf "$work/files"
    rm -rf "$work/out"; mkdir -p "$work/out"; sync
    if [ $tool = nix ]; then
      run "restore-closure-nix" bash -c "for n in $nars/*.nar; do nix-store --restore $work/out/\$(basename \$n .nar) < \$n; done"
    else
      run "restore-closure-ours" "$cw" nar restore -d "$work/out" "$nars"/*.nar
    fi
    rm -rf "$work/out"
    if [ $tool = nix ]; then run "dump-big-$tool" bash -c "nix-store --dump $big | cat > /dev/null"
    else run "dump-big-$tool" bash -c "$cw nar dump $big | cat > /dev/null"; fi
    rm -f "$work/big.out"; sync
    if [ $tool = nix ]; then run "restore-big-$tool" bash -c "nix-store --restore $work/big.out < $work/big.nar"
    else run "restore-big-$tool" bash -c "$cw nar restore $work/big.out < $work/big.nar"; fi
    rm -f "$work/big.out"
    if [ $tool = ours ]; then run "hash-big-ours" "$cw" nar dump --hash "$big" >/dev/null
    else run "hash-big-nix" nix --extra-experimental-features nix-command hash path "$big" >/dev/null; fi
  done
done

# --- report ------------------------------------------------------------------------------------
echo
printf '%-16s %7s %7s %6s %9s %9s %6s %7s %7s\n' case "nix s" "ours s" ratio "nix cpu" "ours cpu" ratio "nix MB" "ours MB"
for c in dump-closure dump-files restore-closure dump-big restore-big hash-big; do
  med() { grep "^$c-$1 " "$results" | awk -v f="$2" '{print $f}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  rss() { grep "^$c-$1 " "$results" | awk '{print $3}' | sort -n | tail -1; }
  n=$(med nix 2); o=$(med ours 2); nc=$(med nix 4); oc=$(med ours 4)
  printf '%-16s %7.2f %7.2f %6.2f %9.2f %9.2f %6.2f %7d %7d\n' "$c" "$n" "$o" "$(echo "$o / $n" | bc -l)" \
    "$nc" "$oc" "$(echo "$oc / $nc" | bc -l)" "$(( $(rss nix) / 1024 ))" "$(( $(rss ours) / 1024 ))"
done
echo "(median of $reps runs; s = wall, cpu = user + system seconds; ratio = ours / nix;"
echo " MB = largest peak RSS over the runs; big file: $big_gb GiB)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
