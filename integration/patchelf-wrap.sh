#!/usr/bin/env bash
# The peer of the wrap job for integration/bench-wrap.sh: copy a closure and make the same kind of
# edits with patchelf, one patchelf process per file (two where names must be added, see below),
# as a shell script would do it.
#
#   patchelf-wrap.sh prepare DIR (--relative|--absolute) ROOT...  # DIR/edits.sh from the job's plan
#   patchelf-wrap.sh apply DIR OUT                                # cp -a the closure, run DIR/edits.sh
#   patchelf-wrap.sh OUT (--relative|--absolute) ROOT...          # both
#
# The edits are not worked out here: `prepare` takes them from `closure-wrap --dry-run --json`
# (the job's own plan; a shell script has no loader model) and the old DT_NEEDED names from
# `closure-wrap inspect --json`, and writes one command per file. `apply` is the part a
# patchelf-based tool has to do for every file:
#   * cp -a of every store path of the closure into OUT/store, chmod -R u+w;
#   * an exec shim's program renamed (mv) and the shim written (printf; shell built-ins), launchers too;
#   * per edited ELF object: `patchelf --set-rpath|--remove-rpath`, then
#     `patchelf --remove-needed OLD... --add-needed NEW...`: two processes per file, because
#     patchelf cannot set the whole DT_NEEDED list, and patchelf 0.14 corrupts files when
#     --set-rpath is combined with --add-needed (facts.md) or with --replace-needed (seen here:
#     RUNPATH became a NEEDED string). --replace-needed + --add-needed is no way out either: the
#     added sonames go first and the programs then abort in glibc's version check. patchelf adds
#     names in sorted order, so $ORIGIN paths still come before the sonames, but the paths are
#     sorted by store hash, not in the job's (load) order;
#   * symlinks whose target changes: ln -sfn; scripts with a store #!: sed -i on the first line
#     (to OUT's absolute path: less than the job's relocatable script, and cheaper).
# Nothing is hashed, no manifest is written, nothing is fsynced: the cheapest honest script.
# Made for --relative (what bench-wrap.sh runs). With --absolute, set-interpreter maps to
# --set-interpreter, but the job's rename-version-need-file edits have no patchelf equivalent and
# are skipped, so that output would fail glibc's version checks.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cw=${CLOSURE_WRAP:-$here/../target/closure-wrap}

prepare() {
  local dir=$1 mode=$2; shift 2
  mkdir -p "$dir"
  "$cw" "$mode" --dry-run --json "$@" 2>/dev/null > "$dir/plan.json"
  nix-store -q --requisites "$@" > "$dir/closure.txt"
  python3 - "$dir/plan.json" > "$dir/sources.txt" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
for f in plan["files"]:
    if f["action"]["kind"] == "edit-elf":
        print(f["source"])
PY
  if [[ -s $dir/sources.txt ]]; then
    xargs -d '\n' "$cw" inspect --json < "$dir/sources.txt" > "$dir/inspect.json"
  else
    echo '[]' > "$dir/inspect.json"
  fi
  python3 - "$dir/plan.json" "$dir/inspect.json" > "$dir/edits.sh" <<'PY'
import json, os, shlex, sys
plan = json.load(open(sys.argv[1]))
needed = {e["file"]: e.get("needed") or [] for e in json.load(open(sys.argv[2]))}
store = plan["storeDir"].rstrip("/") + "/"
q = shlex.quote
out = ['set -e', 'cd "$OUT"']
shims, edits, links, scripts, launchers = [], [], [], [], []
for f in plan["files"]:
    a, target = f["action"], f["target"]
    kind = a["kind"]
    if kind == "exec-shim":
        shim, real = "store/" + a["shim"], "store/" + a["realFile"]
        shims.append(f"mv {q(shim)} {q(real)}")
        shims.append(f"printf '#!/bin/sh\\nd=${{0%%/*}}\\nexec \"$d/%s\" --argv0 \"$0\" \"$d/%s\" \"$@\"\\n' "
                     f"{q(os.path.relpath('store/' + a['loader']['path'], os.path.dirname(shim)))} "
                     f"{q(os.path.basename(real))} > {q(shim)}; chmod 555 {q(shim)}")
    elif kind == "launcher" and "loader" not in a:
        launchers.append(f"printf '#!/bin/sh\\nexec \"${{0%%/*}}/../store/%s\" \"$@\"\\n' {q(a['program'])} > {q(target)}; chmod 555 {q(target)}")
    elif kind == "launcher":
        launchers.append(f"printf '#!/bin/sh\\nd=${{0%%/*}}/../store\\nexec \"$d/%s\" --argv0 \"$d/%s\" \"$d/%s\" \"$@\"\\n' "
                         f"{q(a['loader']['path'])} {q(a['argv0'])} {q(a['program'])} > {q(target)}; chmod 555 {q(target)}")
    elif kind == "symlink":
        source = store + target[len("store/"):]
        if os.readlink(source) != a["linkTarget"]:
            links.append(f"ln -sfn {q(a['linkTarget'])} {q(target)}")
    elif kind == "relocate-script":
        scripts.append(f"sed -i \"1s|{store}|$OUT/store/|\" {q(target)}")
    elif kind == "edit-elf":
        old = list(needed.get(f["source"], []))
        args, path_args, add = [], [], []
        for e in a["edits"]:
            if e["edit"] == "set-needed":
                # patchelf cannot set the list: remove every old name, add every new one (it
                # inserts them sorted, so the $ORIGIN paths come before the plain names).
                for o in old:
                    args += ["--remove-needed", o]
                for n in e["names"]:
                    args += ["--add-needed", n]
            elif e["edit"] == "replace-needed":
                args += ["--replace-needed", e["from"] if "from" in e else e["old"], e["to"] if "to" in e else e["new"]]
            elif e["edit"] == "set-search-path":
                if e.get("tag") == "rpath":
                    path_args.append("--force-rpath")
                path_args += ["--set-rpath", e["path"]]
            elif e["edit"] == "remove-search-path":
                path_args.append("--remove-rpath")
            elif e["edit"] == "set-interpreter":
                args += ["--set-interpreter", e["path"] if "path" in e else e["interpreter"]]
        for call in (path_args, args):
            if call:
                edits.append("patchelf " + " ".join(q(x) for x in call) + " " + q(target))
print("\n".join(out + shims + edits + links + scripts + (["mkdir -p bin"] if launchers else []) + launchers))
PY
  echo "prepared $(grep -c '^patchelf' "$dir/edits.sh") patchelf calls in $dir/edits.sh" >&2
}

apply() {
  local dir=$1 out
  out=$(realpath -m "$2")
  rm -rf "$out"
  mkdir -p "$out/store"
  xargs -d '\n' cp -a -t "$out/store" < "$dir/closure.txt"
  chmod -R u+w "$out/store"
  OUT=$out bash "$dir/edits.sh"
}

case ${1:-} in
  prepare) shift; prepare "$@" ;;
  apply) shift; apply "$@" ;;
  ''|-*) echo "usage: $0 OUT (--relative|--absolute) ROOT... | prepare DIR MODE ROOT... | apply DIR OUT" >&2; exit 2 ;;
  *) out=$1; shift; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT; prepare "$tmp" "$@"; apply "$tmp" "$out" ;;
esac
