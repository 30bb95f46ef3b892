#!/usr/bin/env bash
# The evaluation-time routes (issue 4) in the Debian Nix of tests/nix/env:
#
#   - ifd and exec end to end: the e2e workspace (tests/nix/e2e) planned
#     through `mode = "ifd"` and `mode = "exec"`, and the same last request
#     answered by the CLI directly (`crateplan answer`): the three raw
#     answers are byte-identical, and so are the plans Nix decoded;
#   - a malformed Cargo.lock through ifd and exec is a Nix error (exit 1)
#     with the planner's message (the lock's path, "failed to parse"), never
#     a crash;
#   - plugin and wasm, which this Nix cannot run (no plugin support, no
#     builtins.wasm): forcing them fails with how to enable them; exec
#     without allow-unsafe-native-code-during-evaluation likewise;
#   - with import from derivation disabled and no plugin or wasm, the error
#     lists every route and how to enable it;
#   - `profile` and `cargoConfig` reach the planner: the cargo-config
#     fixture's config-only profile, its `.cargo/config.toml` and a
#     `cargoConfig` string end up in the plan (format version 2); an unknown
#     profile is a Nix error with the planner's message.
#
# The plugin and the wasm module themselves are tested by their harnesses
# (cargo test -p crateplan-plugin / -p crateplan-wasm; docs/routes.md).
#
# Run it as: tests/nix/env -- /project/tests/nix/routes.sh
# Prints PASS/FAIL per check; exits 1 if any check failed.
# shellcheck disable=SC2016 # expected messages quote `code` literally
set -uo pipefail

cd "$(dirname "$0")/../.."
project=$PWD
e2e=$project/tests/nix/e2e
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
started=$SECONDS

# shellcheck source-path=SCRIPTDIR source=lib-checks.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-checks.sh"
# contains FILE TEXT: FILE contains TEXT literally.
contains() {
  grep -qF -- "$2" "$1" || {
    sed 's/^/  | /' "$1" >&2
    fail "expected the output above to contain: $2"
  }
}

# The workspace through lib.nix, with the route and CLI as arguments.
cat >"$tmp/ws.nix" <<EOF
{ src ? $e2e, mode ? null, cli ? "crateplan" }:
(import $project/lib.nix { }).buildWorkspace { inherit src mode; crateplan = cli; }
EOF
unsafe=(--option allow-unsafe-native-code-during-evaluation true)

# nix_eval_via MODE [nix eval args...]: evaluates through the route MODE.
nix_eval_via() {
  local mode=$1
  shift
  local cli
  cli=$(need cli)
  nix eval "${unsafe[@]}" -f "$tmp/ws.nix" --argstr mode "$mode" --argstr cli "$cli" "$@"
}

setup() {
  bash "$project/examples/aura/git-deps/make-repos" >/dev/null
  # The CLI the ifd route runs (built by Nix from this checkout); exec and
  # the direct comparison use the same binary.
  local out
  out=$(nix-build --no-out-link -E "(import $project/lib.nix { }).crateplanCli") ||
    fail "building crateplanCli"
  [ -x "$out/bin/crateplan" ] || fail "no bin/crateplan in $out"
  echo "$out/bin/crateplan" >"$tmp/cli"
  echo "  CLI: $out/bin/crateplan"
}

default_route_is_ifd() {
  local got
  got=$(nix eval --raw -f "$tmp/ws.nix" route) || fail "nix eval route"
  [ "$got" = ifd ] || fail "the default route here is '$got', expected ifd (no plugin, no builtins.wasm)"
}

# The last request and the raw answer, through each route.
answers_via_routes() {
  local mode
  for mode in ifd exec; do
    nix_eval_via "$mode" --raw route >"$tmp/$mode.route" || fail "route via $mode"
    [ "$(cat "$tmp/$mode.route")" = "$mode" ] || fail "mode = \"$mode\" ran the $(cat "$tmp/$mode.route") route"
    nix_eval_via "$mode" --raw planner.request >"$tmp/$mode.request" || fail "planner.request via $mode"
    nix_eval_via "$mode" --raw planner.answer >"$tmp/$mode.answer" || fail "planner.answer via $mode"
    nix_eval_via "$mode" --json plan >"$tmp/$mode.plan" || fail "plan via $mode"
    [ -s "$tmp/$mode.answer" ] || fail "empty answer via $mode"
    printf '  %s: request %s bytes, answer %s bytes\n' "$mode" \
      "$(wc -c <"$tmp/$mode.request")" "$(wc -c <"$tmp/$mode.answer")"
  done
  cmp "$tmp/ifd.request" "$tmp/exec.request" || fail "ifd and exec sent different last requests"
  jq -e '.ok == true and (.plan | type) == "object"' "$tmp/ifd.answer" >/dev/null ||
    fail "the ifd answer is not a plan: $(head -c 300 "$tmp/ifd.answer")"
  # The request names fetched sources: a git checkout and .crate files.
  jq -e '[.sources | keys[] | select(startswith("git+file:///tmp/crateplan-git/aura-expr"))] | length == 1' \
    "$tmp/ifd.request" >/dev/null || fail "the last request has no git source"
  cp "$tmp/ifd.request" "$tmp/request"
}

cli_answer() {
  local cli
  cli=$(need cli)
  need request >/dev/null
  "$cli" answer "$tmp/request" >"$tmp/cli.answer" || fail "crateplan answer exited $?"
  "$cli" answer - <"$tmp/request" >"$tmp/cli-stdin.answer" || fail "crateplan answer - exited $?"
  cmp "$tmp/cli.answer" "$tmp/cli-stdin.answer" || fail "the answer differs between a file and stdin"
}

# The ifd route reads the CLI's stdout back as it is (a trailing newline);
# exec parses `answer --nix` (a Nix string literal, then a newline), so its
# string has no trailing newline. Otherwise the bytes must be identical.
ifd_equals_cli() {
  need cli.answer >/dev/null
  cmp "$tmp/ifd.answer" "$tmp/cli.answer" || fail "the ifd answer differs from the CLI's"
  echo "  ifd answer == crateplan answer ($(wc -c <"$tmp/cli.answer") bytes)"
}
exec_equals_cli() {
  need cli.answer >/dev/null
  {
    cat "$tmp/exec.answer"
    echo
  } >"$tmp/exec.answer.nl"
  cmp "$tmp/exec.answer.nl" "$tmp/cli.answer" || fail "the exec answer differs from the CLI's"
  echo "  exec answer + newline == crateplan answer"
}
plans_equal() {
  need cli.answer >/dev/null
  cmp "$tmp/ifd.plan" "$tmp/exec.plan" || fail "the plans Nix decoded differ between ifd and exec"
  # Nix's JSON (sorted keys) against the CLI's plan with keys sorted by jq.
  jq -S -c .plan "$tmp/cli.answer" >"$tmp/cli.plan"
  jq -S -c . "$tmp/ifd.plan" >"$tmp/ifd.plan.sorted"
  cmp "$tmp/ifd.plan.sorted" "$tmp/cli.plan" || fail "the plan Nix decoded differs from the CLI's plan"
  local n
  n=$(jq '.instances | length' "$tmp/cli.plan")
  [ "$n" -gt 20 ] || fail "suspiciously small plan: $n instances"
  echo "  same plan ($n instances) via ifd, exec and the CLI"
}

# A copy of the workspace with a malformed Cargo.lock.
malformed_lock_setup() {
  cp -R "$e2e" "$tmp/bad"
  chmod -R u+w "$tmp/bad"
  printf '[[package]]\nname = "broken"\nthis is not toml\n' >"$tmp/bad/Cargo.lock"
  # Where the planner sees it: the workspace as lib.nix copies it.
  nix eval --raw --impure --expr "builtins.path { path = $tmp/bad; name = \"source\"; }" \
    >"$tmp/bad.store" || fail "copying the workspace"
  # The CLI's own answer to the same request, for the message.
  local cli
  cli=$(need cli)
  need request >/dev/null
  jq --arg ws "$(cat "$tmp/bad.store")" '.workspace = $ws | .sources = {}' "$tmp/request" >"$tmp/bad.request"
  "$cli" answer "$tmp/bad.request" >"$tmp/bad.cli.answer" || fail "crateplan answer exited $?"
  jq -e '.ok == false' "$tmp/bad.cli.answer" >/dev/null || fail "the CLI accepted a malformed lock"
  jq -r '.error' "$tmp/bad.cli.answer" | head -n 1 >"$tmp/bad.cli.error"
  echo "  planner: $(cat "$tmp/bad.cli.error")"
}
malformed_lock_via() {
  local mode=$1 rc=0 ws
  ws=$(need bad.store)
  nix_eval_via "$mode" --arg src "$tmp/bad" --json plan.version >"$tmp/bad.$mode.out" 2>"$tmp/bad.$mode.err" || rc=$?
  [ "$rc" = 1 ] || {
    cat "$tmp/bad.$mode.err" >&2
    fail "expected exit status 1 (an evaluation error), got $rc"
  }
  contains "$tmp/bad.$mode.err" "error: crateplan: failed to parse $ws/Cargo.lock"
  contains "$tmp/bad.$mode.err" "$(cat "$tmp/bad.cli.error")"
  if grep -qiE 'panicked|SIGSEGV|Segmentation fault|Aborted|core dumped|builder for .* failed' "$tmp/bad.$mode.err"; then
    sed 's/^/  | /' "$tmp/bad.$mode.err" >&2
    fail "the malformed lock crashed something"
  fi
  echo "  $mode: exit 1, $(grep -m1 -F 'error: crateplan:' "$tmp/bad.$mode.err" | sed 's/^ *//')"
}

# The exec route with a CLI that Nix has yet to build: a string with the
# context of a (new) derivation must be built before builtins.exec runs it.
exec_cli_with_context() {
  local cli
  cli=$(need cli)
  need exec.answer >/dev/null
  cat >"$tmp/wrap.nix" <<EOF
{ stamp, cli }:
let
  wrapper = derivation {
    name = "crateplan-wrapper-\${stamp}";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" "/bin/mkdir -p \$out/bin && /bin/ln -s \${cli} \$out/bin/crateplan" ];
  };
in
(import $project/lib.nix { }).buildWorkspace { src = $e2e; mode = "exec"; crateplan = "\${wrapper}/bin/crateplan"; }
EOF
  nix eval "${unsafe[@]}" -f "$tmp/wrap.nix" --argstr stamp "$(date +%s%N)" --argstr cli "$cli" \
    --raw planner.answer >"$tmp/wrapped.answer" 2>"$tmp/wrapped.err" || {
    tail -n 5 "$tmp/wrapped.err" >&2
    fail "exec through a CLI built during evaluation failed"
  }
  contains "$tmp/wrapped.err" "crateplan-wrapper-"
  cmp "$tmp/wrapped.answer" "$tmp/exec.answer" || fail "a different answer"
}

# expect_eval_error NAME EXPECTED-TEXT [nix eval args...]
expect_eval_error() {
  local name=$1 text=$2 rc=0
  shift 2
  nix eval "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
  [ "$rc" = 1 ] || {
    cat "$tmp/$name.err" >&2
    fail "expected exit status 1, got $rc"
  }
  contains "$tmp/$name.err" "$text"
}

wasm_unavailable() {
  [ "$(nix eval --expr 'builtins ? wasm')" = false ] ||
    fail "this Nix has builtins.wasm: the wasm route should be tested for real here"
  expect_eval_error wasm \
    'error: crateplan: mode "wasm" is not available in this Nix: use a Nix with builtins.wasm (Determinate Nix >= 3.17) and enable the experimental feature `wasm-builtin`' \
    -f "$tmp/ws.nix" --argstr mode wasm plan.version
}
plugin_unavailable() {
  [ "$(nix eval --expr 'builtins ? crateplan')" = false ] || fail "builtins.crateplan exists here"
  expect_eval_error plugin \
    'error: crateplan: mode "plugin" is not available in this Nix: load the crateplan plugin: `plugin-files = /path/to/libcrateplan_plugin.so` in nix.conf' \
    -f "$tmp/ws.nix" --argstr mode plugin plan.version
}
exec_needs_option() {
  expect_eval_error exec-off \
    'error: crateplan: mode "exec" is not available in this Nix: set `allow-unsafe-native-code-during-evaluation = true`' \
    -f "$tmp/ws.nix" --argstr mode exec --argstr cli "$(need cli)" plan.version
}
no_route() {
  expect_eval_error no-route \
    'crateplan: the planner could not run through the ifd route (import from derivation). If import from derivation is disabled, enable one of:' \
    --option allow-import-from-derivation false -f "$tmp/ws.nix" workspaceMembers.e2e-app.build.drvPath
  local f=$tmp/no-route.err
  contains "$f" "- plugin: load the crateplan plugin: \`plugin-files = "
  contains "$f" "- wasm: use a Nix with builtins.wasm (Determinate Nix >= 3.17) and enable the experimental feature \`wasm-builtin\`"
  contains "$f" "- ifd: allow import from derivation (\`allow-import-from-derivation = true\`"
  contains "$f" "- exec: set \`allow-unsafe-native-code-during-evaluation = true\`"
  contains "$f" "because the option 'allow-import-from-derivation' is disabled"
}

# The cargo-config fixture with a profile and extra config, through exec.
cat >"$tmp/profiled.nix" <<EOF
{ cli, profile }:
(import $project/lib.nix { }).buildWorkspace {
  src = $project/tests/fixtures/cargo-config;
  mode = "exec";
  crateplan = cli;
  inherit profile;
  cargoConfig = [ "env.FROM_NIX = 'yes'" ];
}
EOF

profile_and_config_reach_the_plan() {
  nix eval "${unsafe[@]}" --json -f "$tmp/profiled.nix" --argstr cli "$(need cli)" \
    --argstr profile fromconfig plan \
    --apply 'p: { inherit (p) version env; profile = p.instances."cfg-app-0.1.0".profile; }' \
    >"$tmp/profiled.json" 2>"$tmp/profiled.err" || {
    cat "$tmp/profiled.err" >&2
    fail "nix eval of the profiled plan"
  }
  local f=$tmp/profiled.json
  contains "$f" '"version":2'
  contains "$f" '"name":"fromconfig"'
  contains "$f" '"lto":"fat"'
  contains "$f" '"optLevel":"2"'
  contains "$f" '"root":"release"'
  contains "$f" '"FROM_NIX":{"force":false,"relative":false,"value":"yes"}'
  contains "$f" '"CFG_FIXTURE_DIR":{"force":false,"relative":true,"value":"data"}'
}
unknown_profile() {
  expect_eval_error unknown-profile 'error: crateplan: profile `nope` is not defined' \
    "${unsafe[@]}" -f "$tmp/profiled.nix" --argstr cli "$(need cli)" --argstr profile nope plan.version
}

check "setup: the git dependency and the crateplan CLI (built by lib.nix)" setup
check "the default route in Debian's Nix is ifd" default_route_is_ifd
check "ifd and exec: plan the e2e workspace, the same last request" answers_via_routes
check "the CLI answers the same request (file and stdin)" cli_answer
check "ifd answer == crateplan answer, byte for byte" ifd_equals_cli
check "exec answer == crateplan answer, byte for byte" exec_equals_cli
check "the decoded plans are equal (ifd, exec, CLI)" plans_equal
check "exec runs a CLI built by Nix during evaluation (string context kept)" exec_cli_with_context
check "malformed Cargo.lock: the planner's message (CLI)" malformed_lock_setup
check "malformed Cargo.lock through ifd: a Nix error, exit 1" malformed_lock_via ifd
check "malformed Cargo.lock through exec: a Nix error, exit 1" malformed_lock_via exec
check "mode = \"wasm\" without builtins.wasm: how to enable it" wasm_unavailable
check "mode = \"plugin\" without the plugin: how to enable it" plugin_unavailable
check "mode = \"exec\" without the option: how to enable it" exec_needs_option
check "no route (IFD disabled, no plugin, no wasm): every route and how to enable it" no_route
check "profile and cargoConfig reach the plan (exec)" profile_and_config_reach_the_plan
check "an unknown profile is a Nix error with the planner's message" unknown_profile

printf '\n==== routes.sh: %s passed, %s failed, in %ss\n' "${#PASSED[@]}" "${#FAILED[@]}" $((SECONDS - started))
for n in "${FAILED[@]}"; do printf 'FAILED: %s\n' "$n"; done
((${#FAILED[@]} == 0))
