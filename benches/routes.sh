#!/usr/bin/env bash
# The route benchmark (issue 4, "Performance"; docs/performance.md): the
# planner call for examples/aura through
#   exec  `nix eval` of lib.nix's plan, mode = "exec" (warm store)
#   ifd   the same, mode = "ifd": warm (answer derivations already built)
#         and cold (a new, unused `registries` entry per run, so every
#         round's answer derivation is new and is built)
#   wasm  nix/crateplan.wasm in a wasmtime host (adapters/wasm/examples/
#         route_bench.rs, release build), with the same requests and sources
#   CLI   `crateplan answer` on the final round's request, and on every
#         round's request in turn (the baseline)
# exec, ifd and the CLI run in the Debian Nix of tests/nix/env; the wasm
# host runs on the host, reading the env's store. Not a test: it prints a
# table (median (min) ms) and the load average.
#
#   benches/routes.sh [RUNS]        # RUNS per figure, default 5
# shellcheck disable=SC2317 # functions run through `timeit`
set -euo pipefail

runs=${1:-5}

# ------------------------------------------------------------ inside the env
if [ "${CRATEPLAN_ROUTES_INSIDE:-}" = 1 ]; then
  out=/out
  cd /project
  tmp=$(mktemp -d)
  unsafe=(--option allow-unsafe-native-code-during-evaluation true)
  bash examples/aura/git-deps/make-repos >/dev/null
  cli=$(nix-build --no-out-link -E '(import /project/lib.nix { }).crateplanCli')/bin/crateplan
  cat >"$tmp/ws.nix" <<'NIX'
{ mode, cli, nonce ? null }:
(import /project/lib.nix { }).buildWorkspace {
  src = /project/examples/aura;
  inherit mode;
  crateplan = cli;
  # A registry nothing uses: changes the request, not the plan.
  registries = if nonce == null then { } else {
    "sparse+https://bench-${nonce}.invalid/index/" = "https://bench-${nonce}.invalid/{crate}/{version}/download";
  };
}
NIX
  ev() { # ev MODE [args]
    local mode=$1
    shift
    nix eval "${unsafe[@]}" -f "$tmp/ws.nix" --argstr mode "$mode" --argstr cli "$cli" "$@"
  }
  now() { date +%s%N; }
  # timeit NAME COMMAND...: RUNS timed runs (after the caller warmed up),
  # one line "NAME ms ms ms ..." in results.
  timeit() {
    local name=$1 t0 t1 line
    shift
    line=$name
    for _ in $(seq "$runs"); do
      t0=$(now)
      "$@" >/dev/null
      t1=$(now)
      line+=" $(((t1 - t0) / 1000))"
    done
    echo "$line" >>"$out/results"
  }
  : >"$out/results"
  echo "load_start $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/meta"

  # Warm-up: fetch every source, build the CLI and the ifd answers.
  ev exec --raw planner.request >"$out/final.json"
  ev ifd --json plan >"$tmp/ifd.plan"
  ev exec --json plan >"$tmp/exec.plan"
  cmp "$tmp/ifd.plan" "$tmp/exec.plan"
  ev ifd --json plan --argstr nonce check >"$tmp/nonce.plan"
  cmp "$tmp/ifd.plan" "$tmp/nonce.plan" # the nonce changes nothing planned
  # Nix + lib.nix + copying the workspace, without a planner call (`route`
  # would not do: the result's attribute names come from the plan).
  nix_base() {
    nix eval --impure --raw --expr 'let u = import /project/nix/util.nix; in builtins.seq (import /project/lib.nix { }).toolchain ((import /project/nix/sources.nix { util = u; }).workspaceSource /project/examples/aura)'
  }
  nix_base >/dev/null

  # The CLI's rounds: the requests Nix sends, rebuilt from the final one.
  jq -c '.sources = {} | del(.learned)' "$out/final.json" >"$tmp/round1.json"
  n=1
  while :; do
    "$cli" answer "$tmp/round$n.json" >"$tmp/answer$n.json"
    jq -e '.plan' "$tmp/answer$n.json" >/dev/null && break
    jq -c --slurpfile a "$tmp/answer$n.json" --slurpfile f "$out/final.json" \
      '.sources += ([$a[0].fetch[].key | {(.): $f[0].sources[.]}] | add) | .learned = $a[0].learned' \
      "$tmp/round$n.json" >"$tmp/round$((n + 1)).json"
    n=$((n + 1))
    ((n < 64))
  done
  cmp <(jq -S . "$tmp/round$n.json") <(jq -S . "$out/final.json") # same final request
  {
    echo "rounds $n"
    echo "sources $(jq '.sources | length' "$out/final.json")"
    echo "instances $(jq '.instances | length' "$tmp/ifd.plan")"
    echo "nix $(nix --version)"
  } >>"$out/meta"
  cli_rounds() { for i in $(seq "$n"); do "$cli" answer "$tmp/round$i.json"; done; }

  timeit cli_call "$cli" answer "$tmp/round$n.json"
  timeit cli_full cli_rounds
  timeit nix_base nix_base
  timeit exec ev exec --json plan
  timeit ifd_warm ev ifd --json plan
  # Cold answers: a new nonce per run (every round's derivation is new).
  ifd_cold() { ev ifd --json plan --argstr nonce "$(now)"; }
  timeit ifd_cold ifd_cold
  echo "load_end $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/meta"
  exit 0
fi

# ------------------------------------------------------------------ the host
cd "$(dirname "$0")/.."
env_dir=${CRATEPLAN_ENV_DIR:-/var/cache/crateplan-env/sid}
res=$(mktemp -d)
trap 'rm -rf "$res"' EXIT
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

cargo build --quiet --release -p crateplan-wasm --example route_bench
CRATEPLAN_ROUTES_INSIDE=1 tests/nix/env --mount "$res:/out" -- \
  env CRATEPLAN_ROUTES_INSIDE=1 bash /project/benches/routes.sh "$runs"

# The wasm leg reads the env's store from the host; git and crate sources
# are store paths there too.
target=$(cargo metadata --format-version 1 --no-deps | jq -r .target_directory)
"$target/release/examples/route_bench" "$res/final.json" \
  --prefix "/nix/store=$env_dir/nix/store" --runs $((runs * 4)) >"$res/wasm"
echo "load_end_host $(cut -d' ' -f1-3 /proc/loadavg)" >>"$res/meta"

cat "$res/meta" "$res/wasm" | sed 's/^/# /'
# median (min) of microsecond lists -> ms
awk -v rounds="$(awk '$1=="rounds"{print $2}' "$res/meta")" '
  function med(a, n,   i, j, t) {
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    lo = a[1]; return a[int((n + 1) / 2)]
  }
  FILENAME ~ /results$/ {
    n = 0; delete a
    for (i = 2; i <= NF; i++) a[++n] = $i / 1000
    m[$1] = med(a, n); mn[$1] = lo
  }
  FILENAME ~ /wasm$/ && ($1 == "wasm_full" || $1 == "wasm_call" || $1 == "native_full" || $1 == "native_call") {
    x = $2; y = $3; gsub(/[()]/, "", y); m[$1] = x; mn[$1] = y
  }
  END {
    base_full = m["cli_full"]; base_call = m["cli_call"]
    printf "| route | what is timed | ms, median (min) | / CLI full (%d rounds) | per round, ms | per round over the CLI, ms |\n", rounds
    printf "|---|---|---:|---:|---:|---:|\n"
    row("cli_full", "CLI: `crateplan answer` on each round'"'"'s request, in turn")
    row("cli_call", "CLI: `crateplan answer` on the final request (one call)")
    row("nix_base", "`nix eval`: import lib.nix, copy the workspace, no planner call")
    row("exec", "`nix eval` plan, mode = exec, warm store")
    row("ifd_warm", "`nix eval` plan, mode = ifd, answers already built")
    row("ifd_cold", "`nix eval` plan, mode = ifd, answers built (new request)")
    row("wasm_full", "wasm in wasmtime: all rounds (host process)")
    row("wasm_call", "wasm in wasmtime: the final request (one call)")
    row("native_full", "native `plan_json` in the same process: all rounds")
    row("native_call", "native `plan_json`: the final request (one call)")
  }
  function row(k, what,   per, over) {
    if (k == "cli_call" || k == "wasm_call" || k == "native_call") { per = "-"; over = "-" }
    else if (k == "nix_base") { per = "-"; over = "-" }
    else if (k == "exec" || k == "ifd_warm" || k == "ifd_cold") {
      per = sprintf("%.0f", (m[k] - m["nix_base"]) / rounds)
      over = sprintf("%.0f", (m[k] - m["nix_base"] - base_full) / rounds)
    } else {
      per = sprintf("%.1f", m[k] / rounds); over = sprintf("%.1f", (m[k] - base_full) / rounds)
    }
    printf "| %s | %s | %.1f (%.1f) | %.2f | %s | %s |\n", k, what, m[k], mn[k], m[k] / base_full, per, over
  }
' "$res/results" "$res/wasm"
