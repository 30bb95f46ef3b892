#!/usr/bin/env bash
# End-to-end test of lib.nix and the native builder in a real Nix, with no
# nixpkgs: the workspace in tests/nix/native-smoke (a C library built by a
# build script, links metadata read through DEP_*, a renamed dependency, a
# build-dependency, a path dependency outside the members, a proc-macro, a
# bin using them all) is built per crate and run; its tests run; a failing
# test fails; editing one member rebuilds only it and its dependents.
#
# Runs inside the test environment:
#   tests/nix/env -- tests/nix/native-smoke.sh [--quick]
# --quick skips the steps that ask the planner (the ifd and exec routes),
# which first build the crateplan CLI with Nix (a few minutes on 2 cores).
set -euo pipefail

quick=
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
  esac
done

# shellcheck source-path=SCRIPTDIR source=lib-steps.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-steps.sh"
cd "$(dirname "$0")/../.."
ws=tests/nix/native-smoke
expected='smoke: sys=42 mid=47 c=true greeting=hello from smoke-macro 0.1.0 built-by=the smoke-sys build script'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT


# build ATTR [nix-build args...]: prints the output path (the first output).
build() {
  local attr=$1
  shift
  nix-build --no-out-link "$ws" -A "$attr" "$@" | head -n 1
}

# expect_failure LOGFILE nix-build args...: the build must fail.
expect_failure() {
  local log=$1
  shift
  if nix-build --no-out-link "$@" >"$log" 2>&1; then
    cat "$log" >&2
    fail "expected nix-build $* to fail"
  fi
}

check_smoke_line() {
  local got
  got=$("$1/bin/smoke")
  [ "$got" = "$expected" ] || fail "smoke printed: $got"
}

step "build the bin (hand-written plan, release) and run it"
cli=$(build workspaceMembers.smoke-cli.build)
check_smoke_line "$cli"
grep -a -q crateplan-smoke-rpath "$cli/bin/smoke" ||
  fail "cargo::rustc-link-arg-bin did not reach the link of smoke"

step "what dependents read from the lib outputs"
sysLib=$(nix-build --no-out-link "$ws" -A internal.crates.'"smoke-sys 0.1.0 target"'.lib)
midLib=$(nix-build --no-out-link "$ws" -A internal.crates.'"smoke-mid 0.2.0 target"'.lib)
[ "$(cat "$sysLib/crateplan/links")" = smokec ] || fail "smoke-sys links"
grep -q "^include=$sysLib/out/include\$" "$sysLib/crateplan/metadata" || fail "smoke-sys metadata"
grep -q '^answer=40$' "$sysLib/crateplan/metadata" || fail "legacy cargo:KEY=VALUE metadata"
[ -f "$sysLib/out/libsmokec.a" ] || fail "OUT_DIR kept where the metadata points"
[ ! -e "$midLib/out" ] || fail "smoke-mid's OUT_DIR should be dropped (nothing points into it)"
grep -q "^native=$sysLib/out\$" "$midLib/crateplan/native" || fail "link search paths propagate"
grep -q "^$sysLib/lib\$" "$midLib/crateplan/deps" || fail "transitive dependency dirs"

step "tests.<member> build the test targets with dev-dependencies and pass"
for member in smoke-cli smoke-mid smoke-sys smoke-macro; do
  build "tests.$member" >/dev/null
done
grep -q 'test prints_the_smoke_line ... ok' "$(build tests.smoke-cli)/cli.log" ||
  fail "the integration test of smoke-cli did not run"
grep -q 'test finds_the_binary_beside_deps ... ok' "$(build tests.smoke-cli)/cli.log" ||
  fail "the integration test did not find the binary beside deps/, as in cargo's target directory"

step "a failing test fails tests.<member>"
expect_failure "$tmp/fail.log" "$ws" -A tests.smoke-mid \
  --arg crateOverrides '{ smoke-mid = _: { SMOKE_FAIL = "1"; }; }'
grep -q 'failing on purpose' "$tmp/fail.log" || fail "unexpected failure: $(tail "$tmp/fail.log")"

step "build.override { runTests = true; } needs the tests to pass"
linked=$(nix-build --no-out-link -E "(import ./$ws {}).workspaceMembers.smoke-mid.build.override { runTests = true; }")
[ -e "$linked/lib" ] || fail "runTests result does not link the crate"
expect_failure "$tmp/fail2.log" -E \
  "(import ./$ws {}).workspaceMembers.smoke-mid.build.override { runTests = true; testPreRun = \"export SMOKE_FAIL=1\"; }"
grep -q 'failing on purpose' "$tmp/fail2.log" || fail "unexpected failure: $(tail "$tmp/fail2.log")"

step "allWorkspaceMembers"
all=$(build allWorkspaceMembers)
check_smoke_line "$all"

step "debug profile"
check_smoke_line "$(build workspaceMembers.smoke-cli.build --arg release false)"

step "per-crate caching: editing one member rebuilds it and its dependents only"
cp -R "$ws" "$tmp/ws"
chmod -R u+w "$tmp/ws"
nix-build --no-out-link "$ws" --arg src "$tmp/ws" -A workspaceMembers.smoke-cli.build >/dev/null 2>&1
to_build() {
  nix-build --dry-run "$ws" --arg src "$tmp/ws" -A workspaceMembers.smoke-cli.build 2>&1 |
    sed -n 's|^ */nix/store/[a-z0-9]*-\(.*\)\.drv$|\1|p' | sort | tr '\n' ' '
}
[ "$(to_build)" = "" ] || fail "an unchanged workspace rebuilds: $(to_build)"
# Unique edits, so that no earlier run has built the edited crates already.
stamp=$(date +%s%N)
echo "// edited $stamp" >>"$tmp/ws/smoke-mid/src/lib.rs"
[ "$(to_build)" = "rust_smoke-cli-0.1.0 rust_smoke-mid-0.2.0 " ] ||
  fail "editing smoke-mid rebuilds: $(to_build)"
nix-build --no-out-link "$ws" --arg src "$tmp/ws" -A workspaceMembers.smoke-cli.build >/dev/null 2>&1
echo "// edited $stamp" >>"$tmp/ws/smoke-cli/src/main.rs"
[ "$(to_build)" = "rust_smoke-cli-0.1.0 " ] || fail "editing smoke-cli rebuilds: $(to_build)"
echo "edited $stamp" >>"$tmp/ws/notes.txt"
[ "$(to_build)" = "rust_smoke-cli-0.1.0 " ] || fail "a file outside every package rebuilds: $(to_build)"

step "buildRustCrate argument-shape test (no nixpkgs: arguments only)"
[ "$(nix-instantiate --eval --strict "$ws/buildrustcrate-argument-shape.nix")" = true ]

if [ -z "$quick" ]; then
  step "the planner through the ifd route (builds the crateplan CLI first)"
  check_smoke_line "$(build workspaceMembers.smoke-cli.build --arg planned true --argstr mode ifd)"
  build tests.smoke-cli --arg planned true --argstr mode ifd >/dev/null

  step "build.override { features } plans the member again"
  features_of() {
    nix eval --impure --raw --expr \
      "((import ./$ws { planned = true; mode = \"ifd\"; }).workspaceMembers.smoke-sys.build$1).crateFeatures"
  }
  got=$(features_of '')
  [ "$got" = "default fast-path" ] || fail "smoke-sys features: $got"
  got=$(features_of '.override { features = [ ]; }')
  [ "$got" = "" ] || fail "override { features = [ ]; } gave features: $got"
  nix-build --no-out-link -E \
    "(import ./$ws { planned = true; mode = \"ifd\"; }).workspaceMembers.smoke-sys.build.override { features = [ ]; }" \
    >/dev/null

  step "the exec route gives the same plan"
  crateplan=$(nix-build --no-out-link -E '(import ./lib.nix {}).crateplanCli')/bin/crateplan
  plan_via() {
    nix eval --impure --json --option allow-unsafe-native-code-during-evaluation true --expr \
      "(import ./$ws { planned = true; mode = \"$1\"; cli = \"$crateplan\"; }).plan"
  }
  plan_via ifd >"$tmp/ifd.json"
  plan_via exec >"$tmp/exec.json"
  cmp "$tmp/ifd.json" "$tmp/exec.json" || fail "ifd and exec plans differ"

  step "a planner error is a Nix error with the planner's message"
  if nix eval --impure --option allow-unsafe-native-code-during-evaluation true --expr \
    "(import ./$ws { planned = true; mode = \"exec\"; cli = \"$crateplan\"; src = ./$ws/smoke-util/src; }).plan" \
    >"$tmp/err.log" 2>&1; then
    fail "planning a directory without Cargo.toml succeeded"
  fi
  grep -q 'error: crateplan: ' "$tmp/err.log" || fail "unexpected error: $(cat "$tmp/err.log")"
fi

step "done"
echo "native-smoke: all checks passed in $(($(date +%s) - started))s"
