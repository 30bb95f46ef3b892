#!/usr/bin/env bash
# The evaluation benchmark (issue 12; docs/performance.md): an Aura-sized
# workspace (36 members, ~900 real crates.io crates in a real Cargo.lock;
# benches/support/synth.rs `aura_sized`) evaluated to the drvPaths of every
# member's build, by
#   crate2nix  its generated Cargo.nix (the real crate2nix, `crate2nix
#              generate`), with the nixpkgs stand-in's buildRustCrate
#              (tests/nixpkgs-standin) making the derivations;
#   crateplan  lib.nix's buildWorkspace with the same buildRustCrate
#              (builder = "buildRustCrate") and with its native builder,
#              through the exec route, the ifd route with its answers
#              already built (warm) and with new answers (cold: a new,
#              unused `registries` entry per run);
# in the Debian Nix of tests/nix/env, warm store (sources fetched, the CLI
# built, one untimed run of each first), interleaved, RUNS runs of each:
# median (min) wall time and max RSS (GNU time). The plugin's and the wasm
# module's planner calls (no Nix here can load them) are timed in-process
# on the same rounds by adapters/wasm/examples/route_bench.rs.
#
#   benches/eval.sh [RUNS]          # default 5
#
# CRATE2NIX_RUNS (default RUNS) times crate2nix fewer times than the rest:
# one crate2nix evaluation of this workspace costs about 300 CPU seconds
# (its feature resolution runs once per member), so on a loaded 2-core
# machine RUNS crate2nix runs can take hours. Ratios use crate2nix's median
# (its one run with CRATE2NIX_RUNS=1), in wall and in CPU time.
#
# CRATEPLAN_EVAL_KEEP=DIR keeps the raw results there (results, meta, the
# final request final.json, which route_bench can be run on again).
#
# Needs crate2nix (`cargo install crate2nix --root DIR`; found on PATH or
# as $CRATE2NIX) and the crates of benches/workspaces/kitchen-sink in
# cargo's cache (`cargo fetch --locked` there). Scratch files go to
# target/tmp/crateplan-eval/. Not a test: it prints tables.
# shellcheck disable=SC2317 # functions run through `measure`
set -euo pipefail

runs=${1:-5}
crate2nix_runs=${CRATE2NIX_RUNS:-$runs}

# ------------------------------------------------------------ inside the env
if [ "${CRATEPLAN_EVAL_INSIDE:-}" = 1 ]; then
  out=/out
  ws=/project/target/tmp/crateplan-eval/aura
  cd /project
  tmp=$(mktemp -d)
  # The exec route runs the CLI a user installs (`crateplanCli`, the flake's
  # crateplan package: release, opt-level 3); `answer_cli` is the binary the
  # ifd route builds for itself (crateplan-answer: the crateplan crate at
  # opt-level 0 so that the first evaluation compiles fast), timed too.
  cli=$(nix-build --no-out-link -E '(import /project/lib.nix { }).crateplanCli')/bin/crateplan
  answer_cli=$(nix-build --no-out-link -E '(import /project/lib.nix { }).crateplanAnswer')/bin/crateplan-answer
  standin='
    lib = import /project/tests/nixpkgs-standin/lib.nix;
    pkgs = import /project/tests/nixpkgs-standin/pkgs.nix { system = "x86_64-linux"; inherit lib; };'
  cat >"$tmp/crate2nix.nix" <<NIX
{ tests ? false }:
let $standin
  cargoNix = import $ws/Cargo.nix { inherit pkgs; };
  build = m: if tests then m.build.override { runTests = true; } else m.build;
in { out = map (m: (build m).drvPath) (builtins.attrValues cargoNix.workspaceMembers); }
NIX
  cat >"$tmp/crateplan.nix" <<NIX
{ mode, cli, builder ? "buildRustCrate", nonce ? null, what ? "drvPaths" }:
let $standin
  ws = (import /project/lib.nix { inherit pkgs; }).buildWorkspace {
    src = $ws;
    inherit mode builder;
    crateplan = cli;
    # A registry nothing uses: changes every request, not the plan.
    registries = if nonce == null then { } else {
      "sparse+https://bench-\${nonce}.invalid/index/" = "https://bench-\${nonce}.invalid/{crate}/{version}/download";
    };
  };
in {
  # nix eval -f calls the function in the file only when given an attribute.
  out =
    if what == "drvPaths" then map (m: m.build.drvPath) (builtins.attrValues ws.workspaceMembers)
    # Every member built and its tests run (crate2nix: runTests = true).
    else if what == "testDrvPaths" then
      map (m: m.build.drvPath) (builtins.attrValues ws.workspaceMembers)
      ++ map (t: t.drvPath) (builtins.attrValues ws.tests)
    else if what == "plan" then ws.plan
    else ws.planner.request;
}
NIX
  now() { date +%s%N; }
  c2n() { nix eval --json -f "$tmp/crate2nix.nix" out "$@"; }
  # Every round the exec route asks, through the CLI (n: the rounds, below).
  cli_rounds() { for i in $(seq "$n"); do "${1:-$cli}" answer "$tmp/round$i.json"; done; }
  # cpl_with CLI MODE BUILDER [nix eval args]: JSON unless --raw is given;
  # cpl: the same with the user's CLI.
  cpl_with() {
    local with=$1 mode=$2 builder=$3
    shift 3
    nix eval --option allow-unsafe-native-code-during-evaluation true -f "$tmp/crateplan.nix" out --argstr mode "$mode" \
      --argstr cli "$with" --argstr builder "$builder" "$@"
  }
  cpl() { cpl_with "$cli" "$@"; }
  # measure NAME COMMAND...: one timed run, "NAME wall-ms maxrss-KiB cpu-ms"
  # in results (CPU: user + sys, children included).
  # GNU time runs programs, not functions: the command runs in a bash that
  # inherits the functions and variables exported here.
  export -f c2n cpl cpl_with cli_rounds
  export tmp cli
  measure() {
    local name=$1 t0 t1
    shift
    t0=$(now)
    /usr/bin/time -f '%M %U %S' -o "$tmp/rss" bash -c '"$@"' "$name" "$@" >"$tmp/last.out"
    t1=$(now)
    read -r rss user sys < <(tail -n 1 "$tmp/rss")
    echo "$name $(((t1 - t0) / 1000000)) $rss $(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%d", (u + s) * 1000 }')" >>"$out/results"
  }
  : >"$out/results"
  echo "load_start $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/meta"

  # Warm-up: fetch every source, build the CLI and the ifd answers,
  # instantiate every derivation once. Not crate2nix's (one evaluation is
  # ~300 CPU s): its first timed run also writes its .drv files, about a
  # second of work.
  cpl exec buildRustCrate --json >"$tmp/exec.drvs"
  cpl ifd buildRustCrate --json >"$tmp/ifd.drvs"
  cmp "$tmp/exec.drvs" "$tmp/ifd.drvs"
  cpl exec native --json >/dev/null
  cpl exec buildRustCrate --json --argstr what testDrvPaths >/dev/null
  cpl exec native --json --argstr what testDrvPaths >/dev/null
  cpl exec buildRustCrate --json --argstr what plan >"$tmp/exec.plan"
  cpl ifd buildRustCrate --json --argstr what plan --argstr nonce check >"$tmp/nonce.plan"
  cmp "$tmp/exec.plan" "$tmp/nonce.plan" # the nonce changes nothing planned
  cpl exec buildRustCrate --argstr what request --raw >"$out/final.json"

  # The rounds, as the CLI answers them (what the exec route runs).
  jq -c '.sources = {} | del(.learned)' "$out/final.json" >"$tmp/round1.json"
  n=1
  export n
  while :; do
    "$cli" answer "$tmp/round$n.json" >"$tmp/answer$n.json"
    jq -e '.plan' "$tmp/answer$n.json" >/dev/null && break
    jq -c --slurpfile a "$tmp/answer$n.json" --slurpfile f "$out/final.json" \
      '.sources += ([$a[0].fetch[].key | {(.): $f[0].sources[.]}] | add) | .learned = $a[0].learned' \
      "$tmp/round$n.json" >"$tmp/round$((n + 1)).json"
    n=$((n + 1))
    ((n < 64))
  done
  {
    echo "rounds $n"
    echo "sources $(jq '.sources | length' "$out/final.json")"
    echo "lock_packages $(grep -c '^\[\[package\]\]' "$ws/Cargo.lock")"
    echo "instances $(jq '.instances | length' "$tmp/exec.plan")"
    echo "crate2nix_cargo_nix_bytes $(wc -c <"$ws/Cargo.nix")"
    echo "nix $(nix --version)"
  } >>"$out/meta"

  for i in $(seq "$runs"); do
    if ((i <= crate2nix_runs)); then
      measure crate2nix c2n
      ((i > 1)) || echo "crate2nix_members $(jq length "$tmp/last.out")" >>"$out/meta"
    fi
    measure exec cpl exec buildRustCrate --json
    measure exec_native cpl exec native --json
    measure ifd_warm cpl ifd buildRustCrate --json
    measure ifd_cold cpl ifd buildRustCrate --json --argstr nonce "$(now)"
    measure exec_answer_bin cpl_with "$answer_cli" exec buildRustCrate --json
    measure cli_rounds cli_rounds
    measure cli_rounds_answer_bin cli_rounds "$answer_cli"
    if ((i <= crate2nix_runs)); then measure crate2nix_tests c2n --arg tests true; fi
    measure exec_tests cpl exec buildRustCrate --json --argstr what testDrvPaths
    measure exec_native_tests cpl exec native --json --argstr what testDrvPaths
  done
  echo "load_end $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/meta"
  exit 0
fi

# ------------------------------------------------------------------ the host
cd "$(dirname "$0")/.."
root=$PWD
env_dir=${CRATEPLAN_ENV_DIR:-/var/cache/crateplan-env/sid}
scratch=$root/target/tmp/crateplan-eval
res=$(mktemp -d)
trap 'rm -rf "$res"' EXIT
mkdir -p "$scratch"
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

crate2nix=${CRATE2NIX:-$(command -v crate2nix || true)}
[ -x "$crate2nix" ] || {
  echo "benches/eval.sh: no crate2nix: cargo install crate2nix --root DIR, then CRATE2NIX=DIR/bin/crate2nix" >&2
  exit 1
}
(cd benches/workspaces/kitchen-sink && cargo fetch --locked --quiet)
cargo test --quiet --bench plan -- --write-aura "$scratch/aura" >&2
(cd "$scratch/aura" && "$crate2nix" generate -f Cargo.toml -o Cargo.nix >&2)

CRATEPLAN_EVAL_INSIDE=1 tests/nix/env --mount "$res:/out" -- \
  env CRATEPLAN_EVAL_INSIDE=1 CRATE2NIX_RUNS="$crate2nix_runs" bash /project/benches/eval.sh "$runs"

# The plugin's and the wasm module's planner calls, in process, on the
# same rounds (the env's store read from the host).
cargo build --quiet --release -p crateplan-wasm --example route_bench
target=$(cargo metadata --format-version 1 --no-deps | jq -r .target_directory)
"$target/release/examples/route_bench" "$res/final.json" \
  --prefix "/nix/store=$env_dir/nix/store" --runs "$runs" >"$res/inproc"

cat "$res/meta" "$res/inproc" | sed 's/^/# /'
if [ -n "${CRATEPLAN_EVAL_KEEP:-}" ]; then
  mkdir -p "$CRATEPLAN_EVAL_KEEP"
  cp "$res"/* "$CRATEPLAN_EVAL_KEEP"/
fi
awk '
  function sort(a, n,   i, j, t) {
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
  }
  function median(arr, k,   i) { delete a; for (i = 1; i <= n[k]; i++) a[i] = arr[k, i]; sort(a, n[k]); lo = a[1]; return a[int((n[k] + 1) / 2)] }
  FILENAME ~ /results$/ { k = $1; ++n[k]; t[k, n[k]] = $2; c[k, n[k]] = $4; if ($3 > rss[k]) rss[k] = $3 }
  FILENAME ~ /inproc$/ && $1 ~ /_full$|_call$/ { x = $2; y = $3; gsub(/[()]/, "", y); im[$1] = x; imin[$1] = y }
  END {
    for (k in n) { med[k] = median(t, k); low[k] = lo; cpu[k] = median(c, k) }
    print "Wall times are medians (min) of the interleaved runs; CPU is user + sys,"
    print "children included (the fair measure on a shared machine). Ratios are"
    print "against crate2nix in the same run: builds against its builds, builds and"
    print "tests against its runTests = true."
    print ""
    print "| what | wall s, median (min) | CPU s, median | / crate2nix, wall | / crate2nix, CPU | max RSS, MB |"
    print "|---|---:|---:|---:|---:|---:|"
    row("crate2nix", "crate2nix", "crate2nix: its Cargo.nix, stand-in buildRustCrate")
    row("exec", "crate2nix", "crateplan exec (the crateplan CLI), buildRustCrate builder")
    row("exec_native", "crate2nix", "crateplan exec, native builder")
    row("ifd_warm", "crate2nix", "crateplan ifd, answers built (warm), buildRustCrate")
    row("ifd_cold", "crate2nix", "crateplan ifd, new answers (cold), buildRustCrate")
    row("exec_answer_bin", "crate2nix", "crateplan exec with the ifd route'"'"'s crateplan-answer (planner at opt-level 0), buildRustCrate")
    row("cli_rounds", "crate2nix", "the exec route'"'"'s planner calls alone (CLI, every round)")
    row("cli_rounds_answer_bin", "crate2nix", "the same calls by crateplan-answer (planner at opt-level 0)")
    inproc("native_full", "plugin path: `plan_json` in process, every round")
    inproc("wasm_full", "wasm module in wasmtime, every round")
    row("crate2nix_tests", "crate2nix_tests", "with tests: crate2nix, runTests = true")
    row("exec_tests", "crate2nix_tests", "with tests: crateplan exec, buildRustCrate builder")
    row("exec_native_tests", "crate2nix_tests", "with tests: crateplan exec, native builder")
    if ("ifd_warm" in med) printf "\nifd cold / warm (wall medians): %.2f\n", med["ifd_cold"] / med["ifd_warm"]
  }
  function row(k, base, what) {
    if (!(k in med)) return
    printf "| %s | %.2f (%.2f) | %.2f | %.3f | %.3f | %.0f |\n", what, med[k] / 1000, low[k] / 1000, cpu[k] / 1000, med[k] / med[base], cpu[k] / cpu[base], rss[k] / 1024
  }
  function inproc(k, what) {
    printf "| %s | %.3f (%.3f) | - | %.4f | - | - |\n", what, im[k] / 1000, imin[k] / 1000, im[k] / med["crate2nix"]
  }
' "$res/results" "$res/inproc"
