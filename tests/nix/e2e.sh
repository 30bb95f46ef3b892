#!/usr/bin/env bash
# End-to-end tests of lib.nix and the native builder (issue 3) on the
# workspace in tests/nix/e2e (see its README.md), in the Debian Nix of
# tests/nix/env, with no nixpkgs and the default route (ifd in this Nix):
#
#   - the workspace builds per crate and e2e-app prints, line by line, what
#     its code says (clap derive, serde derive, a proc-macro member, C
#     through the cc crate, DEP_NATIVESUM_ANSWER from `links` metadata, an
#     optional dependency, a path dependency outside the members, a git
#     dependency from a file:// repository that uses workspace inheritance);
#     one derivation per plan instance;
#   - tests.<member> run the members' tests, and a failing test fails it;
#   - per-crate caching: after one member's source changes, exactly that
#     member and its dependents are (to be) built;
#   - a lock that no longer matches Cargo.toml fails evaluation with the
#     planner's message; a wrong checksum fails the fetch, naming the crate;
#   - examples/aura (the largest workspace): figures for the closing note,
#     printed at the end and as `FIGURE: ...` lines: crate derivations of
#     the e2e and aura builds, the wall time of a clean per-crate build of
#     aura (fresh derivations, see aura_clean_build), `cargo build --release`
#     of aura in the same run, and a warm `nix eval` of aura-cli's drvPath.
#
# Run it as: tests/nix/env -- /project/tests/nix/e2e.sh
# CRATEPLAN_E2E_AURA=0 skips the aura part (the heaviest: two full builds of
# aura) outside CI; the script then says so loudly and exits 3, so a skipped
# run never reads as a pass. In CI (CI=true) skipping is refused.
# Prints PASS/FAIL per check; exits 1 if any check failed.
# shellcheck disable=SC2016 # expected messages quote `code` literally
set -uo pipefail

cd "$(dirname "$0")/../.."
project=$PWD
e2e=$project/tests/nix/e2e
aura=$project/examples/aura
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
started=$SECONDS
# No substituters are configured in the env; make it explicit.
export NIX_CONFIG="substitute = false"
stamp=$(date +%s%N)

# shellcheck source-path=SCRIPTDIR source=lib-checks.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-checks.sh"
# figure TEXT: a figure for the closing note (printed now and at the end).
figure() {
  echo "FIGURE: $*"
  echo "$*" >>"$tmp/figures"
}
contains() {
  grep -qF -- "$2" "$1" || {
    tail -n 40 "$1" | sed 's/^/  | /' >&2
    fail "expected the output above to contain: $2"
  }
}
load() { cut -d' ' -f1-3 /proc/loadavg; }
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# The workspace through lib.nix (no nixpkgs, default route and builder).
cat >"$tmp/e2e.nix" <<EOF
{ src ? $e2e }:
(import $project/lib.nix { }).buildWorkspace { inherit src; }
EOF

# drv_names: the derivation names in nix's "will be built" list (stdin),
# sorted, one line.
drv_names() {
  sed -n 's|^ */nix/store/[a-z0-9]\{32\}-\(.*\)\.drv$|\1|p' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}
# to_build SRC: what building e2e-app from workspace SRC would build.
to_build() {
  nix-build --dry-run "$tmp/e2e.nix" --arg src "$1" -A workspaceMembers.e2e-app.build 2>&1 >/dev/null |
    tee "$tmp/dry-run.log" | drv_names
  grep -q '^error' "$tmp/dry-run.log" && {
    cat "$tmp/dry-run.log" >&2
    return 1
  }
  return 0
}
# expect_to_build SRC EXPECTED: the dry-run list equals EXPECTED.
expect_to_build() {
  local got
  got=$(to_build "$1") || fail "dry-run failed"
  [ "$got" = "$2" ] || fail "would build [$got], expected [$2]"
  echo "  would build: [${got}]"
}

# ---------------------------------------------------------------- the e2e workspace

setup() {
  bash "$aura/git-deps/make-repos"
  git -C /tmp/crateplan-git/aura-expr rev-parse HEAD >/dev/null
  # The CLI the ifd route runs, built here so that its time (minutes when
  # crateplan's sources changed) shows up under this step.
  nix-build --no-out-link -E "(import $project/lib.nix { }).crateplanCli" >/dev/null || fail "building crateplanCli"
}

default_route() {
  local got
  got=$(nix eval --raw -f "$tmp/e2e.nix" route) || fail "nix eval route"
  [ "$got" = ifd ] || fail "the default route is '$got', expected ifd in this Nix"
}

build_e2e() {
  nix-build --no-out-link "$tmp/e2e.nix" -A workspaceMembers.e2e-app.build -A allWorkspaceMembers \
    >"$tmp/build.out" || fail "nix-build failed"
  sed -n 1p "$tmp/build.out" >"$tmp/app"
  sed -n 2p "$tmp/build.out" >"$tmp/all"
  [ -x "$(cat "$tmp/app")/bin/e2e-app" ] || fail "no bin/e2e-app in $(cat "$tmp/app")"
  [ -x "$(cat "$tmp/all")/bin/e2e-app" ] || fail "allWorkspaceMembers has no bin/e2e-app"
  "$(cat "$tmp/app")/bin/e2e-app" >"$tmp/app.stdout" || fail "e2e-app exited $?"
  sed 's/^/  | /' "$tmp/app.stdout"
}

expected_lines=(
  'clap: hello nix'
  'serde: {"x":3,"y":4} -> (3, 4)'
  'proc-macro: Point (derived by e2e-macros)'
  'cc: native_sum(40, 2) = 42'
  'links: DEP_NATIVESUM_ANSWER = 42'
  'optional: itoa 1234567'
  'path dep: [ outside the members ]'
  'git dep: 2 * (3 + 4) = 14'
)
app_line() {
  local n=$1 got
  need app.stdout >/dev/null
  got=$(sed -n "${n}p" "$tmp/app.stdout")
  [ "$got" = "${expected_lines[n - 1]}" ] || fail "line $n is '$got', expected '${expected_lines[n - 1]}'"
}
app_whole_output() {
  need app.stdout >/dev/null
  printf '%s\n' "${expected_lines[@]}" | cmp - "$tmp/app.stdout" || fail "e2e-app printed more or other lines"
}
app_clap() {
  local app
  app=$(need app)/bin/e2e-app
  [ "$("$app" --name crateplan | head -n 1)" = "clap: hello crateplan" ] || fail "--name is not parsed"
  "$app" --help >"$tmp/help" || fail "--help exited $?"
  contains "$tmp/help" "crateplan's end-to-end test program"
  contains "$tmp/help" "Who to greet"
  if "$app" --bogus >/dev/null 2>&1; then fail "an unknown flag was accepted"; fi
}

per_crate_derivations() {
  local drv instances crates
  need all >/dev/null
  drv=$(nix eval --raw -f "$tmp/e2e.nix" allWorkspaceMembers.drvPath) || fail "nix eval drvPath"
  nix-store -qR "$drv" | sed -n 's|^/nix/store/[a-z0-9]\{32\}-\(rust_.*\)\.drv$|\1|p' | LC_ALL=C sort >"$tmp/e2e.drvs"
  crates=$(wc -l <"$tmp/e2e.drvs")
  instances=$(nix eval -f "$tmp/e2e.nix" plan.instances --apply 'i: builtins.length (builtins.attrNames i)')
  [ "$crates" = "$instances" ] || fail "$crates crate derivations for $instances plan instances"
  local want
  for want in rust_e2e-app-0.2.0 rust_consumer-0.2.0 rust_native-sum-0.2.0 rust_e2e-macros-0.2.0-host \
    rust_textfmt-0.1.0 rust_aura-expr-0.3.1 rust_cc-1 rust_clap-4 rust_clap_derive-4 rust_serde_derive-1 rust_itoa-1; do
    grep -q "^$want" "$tmp/e2e.drvs" || fail "no $want* derivation: $(tr '\n' ' ' <"$tmp/e2e.drvs")"
  done
  echo "$crates" >"$tmp/e2e.count"
  figure "e2e workspace (tests/nix/e2e): $crates crate derivations (one per plan instance)"
}

members_tests() {
  local names attrs=() n
  names=$(nix eval --raw -f "$tmp/e2e.nix" tests --apply 'ts: toString (builtins.attrNames ts)') ||
    fail "nix eval tests"
  echo "  tests.<member>: $names"
  [ "$names" = "consumer e2e-app e2e-macros native-sum" ] || fail "unexpected test attributes: $names"
  for n in $names; do attrs+=(-A "tests.$n"); done
  nix-build --no-out-link "$tmp/e2e.nix" "${attrs[@]}" >"$tmp/tests.out" 2>"$tmp/tests.log" || {
    tail -n 40 "$tmp/tests.log" >&2
    fail "a test derivation failed"
  }
  local out
  : >"$tmp/test-logs"
  while read -r out; do
    cat "$out"/*.log >>"$tmp/test-logs" || fail "no test logs in $out"
  done <"$tmp/tests.out"
  contains "$tmp/test-logs" "test tests::answer_came_through ... ok"
  contains "$tmp/test-logs" "test tests::adds ... ok"
  if grep -q 'FAILED' "$tmp/test-logs"; then fail "a test failed"; fi
  echo "  $(grep -c '^test result: ok' "$tmp/test-logs") test binaries ran and passed"
}

# A copy of the workspace, edited step by step (all edits carry $stamp, so
# no earlier run has built them).
caching_setup() {
  cp -R "$e2e" "$tmp/ws"
  chmod -R u+w "$tmp/ws"
  expect_to_build "$tmp/ws" ""
}
edit_native_sum() {
  [ -d "$tmp/ws" ] || fail "needs the copy"
  echo "/* e2e.sh edit $stamp */" >>"$tmp/ws/crates/native-sum/csrc/sum.c"
  # The same member's test, made to fail (used by the next checks).
  sed -i 's/assert_eq!(super::sum(2, 3), 5);/assert_eq!(super::sum(2, 3), 6, "failing on purpose");/' \
    "$tmp/ws/crates/native-sum/src/lib.rs"
  grep -q 'failing on purpose' "$tmp/ws/crates/native-sum/src/lib.rs" || fail "the test edit did not apply"
  expect_to_build "$tmp/ws" "rust_consumer-0.2.0 rust_e2e-app-0.2.0 rust_native-sum-0.2.0"
}
rebuild_after_edit() {
  [ -d "$tmp/ws" ] || fail "needs the copy"
  local out built
  out=$(nix-build --no-out-link "$tmp/e2e.nix" --arg src "$tmp/ws" -A workspaceMembers.e2e-app.build 2>"$tmp/rebuild.log") || {
    tail -n 30 "$tmp/rebuild.log" >&2
    fail "the rebuild failed"
  }
  built=$(sed -n "s|^building '\(/nix/store/[^']*\.drv\)'.*|\1|p" "$tmp/rebuild.log" | drv_names)
  [ "$built" = "rust_consumer-0.2.0 rust_e2e-app-0.2.0 rust_native-sum-0.2.0" ] ||
    fail "the rebuild built [$built]"
  echo "  built: [$built] (3 derivations)"
  "$out/bin/e2e-app" >"$tmp/rebuilt.stdout" || fail "the rebuilt e2e-app exited $?"
  printf '%s\n' "${expected_lines[@]}" | cmp - "$tmp/rebuilt.stdout" || fail "the rebuilt e2e-app prints other lines"
  expect_to_build "$tmp/ws" ""
}
failing_test_fails() {
  [ -d "$tmp/ws" ] || fail "needs the copy"
  if nix-build --no-out-link "$tmp/e2e.nix" --arg src "$tmp/ws" -A tests.native-sum >"$tmp/fail.out" 2>"$tmp/fail.log"; then
    fail "tests.native-sum passed with a failing test: $(cat "$tmp/fail.out")"
  fi
  contains "$tmp/fail.log" "failing on purpose"
  contains "$tmp/fail.log" "test tests::adds ... FAILED"
  contains "$tmp/fail.log" "crateplan: native-sum: tests failed"
}
# edit_and_expect FILE EXPECTED: appends a comment to FILE (relative to the
# copy), checks what would be built, and restores the file.
edit_and_expect() {
  [ -d "$tmp/ws" ] || fail "needs the copy"
  local f=$tmp/ws/$1
  cp "$f" "$tmp/saved"
  echo "// e2e.sh edit $stamp" >>"$f"
  expect_to_build "$tmp/ws" "$2"
  cp "$tmp/saved" "$f"
}

stale_lock() {
  cp -R "$e2e" "$tmp/stale"
  chmod -R u+w "$tmp/stale"
  echo 'once_cell = "1"' >>"$tmp/stale/crates/consumer/Cargo.toml"
  local rc=0
  nix eval --raw -f "$tmp/e2e.nix" --arg src "$tmp/stale" workspaceMembers.e2e-app.build.drvPath \
    >/dev/null 2>"$tmp/stale.err" || rc=$?
  [ "$rc" = 1 ] || {
    cat "$tmp/stale.err" >&2
    fail "expected an evaluation error (exit 1), got exit $rc"
  }
  contains "$tmp/stale.err" 'error: crateplan: Cargo.lock is out of date: `consumer 0.2.0` depends on `once_cell` (^1), but the lock has no such dependency. Run `cargo update -p consumer` (or `cargo generate-lockfile`) and commit Cargo.lock'
}

wrong_checksum() {
  cp -R "$e2e" "$tmp/tampered"
  chmod -R u+w "$tmp/tampered"
  local lock=$tmp/tampered/Cargo.lock version sum bad rc=0
  version=$(awk '/^name = "itoa"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$lock")
  sum=$(awk '/^name = "itoa"$/ { f = 1 } f && /^checksum/ { gsub(/checksum = |"/, ""); print; exit }' "$lock")
  if [ -z "$version" ] || [ ${#sum} != 64 ]; then fail "no itoa checksum in the lock"; fi
  # Another valid-looking sha256: the first hex digit changed.
  case $sum in 0*) bad=1${sum#?} ;; *) bad=0${sum#?} ;; esac
  sed -i "s/$sum/$bad/" "$lock"
  nix eval --raw -f "$tmp/e2e.nix" --arg src "$tmp/tampered" workspaceMembers.e2e-app.build.drvPath \
    >/dev/null 2>"$tmp/tampered.err" || rc=$?
  # Nix exits 102 for a hash mismatch; anything but success or a signal.
  if [ "$rc" = 0 ] || [ "$rc" -ge 128 ]; then
    cat "$tmp/tampered.err" >&2
    fail "expected the fetch to fail, got exit $rc"
  fi
  contains "$tmp/tampered.err" "error: hash mismatch in file downloaded from 'https://static.crates.io/crates/itoa/itoa-$version.crate'"
  contains "$tmp/tampered.err" "specified: sha256:"
  # The fetch's error, not dressed up as a route failure.
  if grep -q 'could not run through the ifd route' "$tmp/tampered.err"; then
    fail "the hash mismatch is reported as a failure of the ifd route"
  fi
  echo "  itoa $version: $(grep -m1 'hash mismatch' "$tmp/tampered.err" | sed 's/^ *//')"
}

# ---------------------------------------------------------------- examples/aura

# With `fresh`, every crate derivation gets a never-built PATH entry, so all
# of them are new (a clean build without wiping the shared store); the plan
# is the default evaluation's, so the crateplan CLI is not rebuilt. The
# plan carries aura's [profile.release] (fat LTO, one codegen unit, strip,
# panic = "abort"), as cargo build --release uses it.
cat >"$tmp/aura.nix" <<EOF
{ fresh ? null }:
let
  crateplan = import $project/lib.nix { };
  base = crateplan.buildWorkspace { src = $aura; };
in
if fresh == null then
  base
else
  crateplan.buildWorkspace {
    src = $aura;
    plan = base.plan;
    toolchain.path = crateplan.toolchain.path + ":/var/empty/crateplan-fresh-\${fresh}";
  }
EOF

aura_plan() {
  local n
  n=$(nix eval -f "$tmp/aura.nix" plan.instances --apply 'i: builtins.length (builtins.attrNames i)') ||
    fail "planning examples/aura"
  echo "$n" >"$tmp/aura.instances"
  echo "  examples/aura: $n plan instances (route: $(nix eval --raw -f "$tmp/aura.nix" route))"
}

aura_clean_build() {
  local instances todo t0 secs out drv crates before after
  instances=$(need aura.instances)
  # Clean: every crate derivation is still to be built.
  nix-build --dry-run "$tmp/aura.nix" --argstr fresh "$stamp" -A allWorkspaceMembers 2>&1 >/dev/null |
    tee "$tmp/aura-dry.log" | drv_names | tr ' ' '\n' | grep '^rust_' >"$tmp/aura-todo" || true
  todo=$(wc -l <"$tmp/aura-todo")
  [ "$todo" = "$instances" ] || {
    tail -n 20 "$tmp/aura-dry.log" >&2
    fail "$todo crate derivations to build, expected all $instances (not clean)"
  }
  before=$(load)
  echo "  clean: all $todo crate derivations are to be built; load before: $before"
  t0=$(date +%s%N)
  out=$(nix-build --no-out-link "$tmp/aura.nix" --argstr fresh "$stamp" -A allWorkspaceMembers 2>"$tmp/aura-build.log") || {
    tail -n 40 "$tmp/aura-build.log" >&2
    fail "the aura build failed"
  }
  secs=$(($(ms_since "$t0") / 1000))
  after=$(load)
  echo "  built in ${secs}s; load after: $after"
  drv=$(nix eval --raw -f "$tmp/aura.nix" --argstr fresh "$stamp" allWorkspaceMembers.drvPath) || fail "nix eval drvPath"
  crates=$(nix-store -qR "$drv" | grep -c '^/nix/store/[a-z0-9]\{32\}-rust_.*\.drv$')
  [ "$crates" = "$instances" ] || fail "$crates crate derivations for $instances plan instances"
  echo "$out" >"$tmp/aura.out"
  echo "$drv" >"$tmp/aura.drv"
  figure "examples/aura: $crates crate derivations (one per plan instance)"
  figure "examples/aura clean per-crate nix-build (native builder, no nixpkgs, all $crates crates built, aura's release profile: fat LTO, codegen-units 1, panic=abort): ${secs}s wall (load average before: $before, after: $after)"
  echo "$secs" >"$tmp/aura.nix.secs"
}

aura_runs() {
  local cli
  cli=$(need aura.out)/bin/aura-cli
  [ -x "$cli" ] || fail "no bin/aura-cli"
  "$cli" eval '2 * (3 + 4)' >"$tmp/aura-eval" || fail "aura-cli eval exited $?"
  contains "$tmp/aura-eval" 14
  "$cli" tls-version >"$tmp/aura-tls" || fail "aura-cli tls-version exited $?"
  contains "$tmp/aura-tls" OpenSSL
  "$cli" demo >"$tmp/aura-demo" || fail "aura-cli demo exited $?"
  sed 's/^/  | /' "$tmp/aura-tls"
}

# The fresh outputs are of no use to anyone afterwards: delete them (best
# effort; nothing else refers to them).
aura_cleanup() {
  local drv outs
  drv=$(need aura.drv)
  outs=$(nix-store -qR "$drv" | grep -E '^/nix/store/[a-z0-9]{32}-(rust_.*|all-workspace-members)\.drv$' |
    xargs nix-store -q --outputs)
  # shellcheck disable=SC2086 # one store path per word
  if nix-store --delete $outs >"$tmp/delete.log" 2>&1; then
    echo "  deleted $(echo "$outs" | wc -l) fresh output paths"
  else
    echo "  note: could not delete the fresh outputs: $(tail -n 1 "$tmp/delete.log")"
  fi
}

aura_cargo() {
  local t0 secs before after
  mkdir -p "$tmp/aura-cargo"
  tar -C "$aura" --exclude=./target -cf - . | tar -C "$tmp/aura-cargo" -xf -
  export CARGO_TARGET_DIR=$tmp/aura-cargo-target
  (cd "$tmp/aura-cargo" && cargo fetch --locked -q) || fail "cargo fetch"
  before=$(load)
  echo "  cargo: $(cargo --version); load before: $before"
  t0=$(date +%s%N)
  (cd "$tmp/aura-cargo" && cargo build --release --locked --offline -q) 2>"$tmp/cargo.log" || {
    tail -n 30 "$tmp/cargo.log" >&2
    fail "cargo build --release failed"
  }
  secs=$(($(ms_since "$t0") / 1000))
  after=$(load)
  echo "  built in ${secs}s; load after: $after"
  "$CARGO_TARGET_DIR/release/aura-cli" eval '2 * (3 + 4)' | grep -q 14 || fail "cargo's aura-cli does not run"
  figure "examples/aura cargo build --release --locked --offline (cargo fetch first, empty target dir, same run): ${secs}s wall (load average before: $before, after: $after)"
}

aura_eval_time() {
  local i t0 ms times=() drv
  drv=$(nix eval --raw -f "$tmp/aura.nix" workspaceMembers.aura-cli.build.drvPath) || fail "nix eval"
  for i in 1 2 3; do
    t0=$(date +%s%N)
    nix eval --raw -f "$tmp/aura.nix" workspaceMembers.aura-cli.build.drvPath >/dev/null || fail "nix eval"
    times+=("$(ms_since "$t0")")
  done
  ms=$(printf '%s\n' "${times[@]}" | sort -n | head -n 1)
  echo "  $drv"
  figure "examples/aura warm nix eval of workspaceMembers.aura-cli.build.drvPath (ifd answers cached): ${ms} ms (best of ${times[*]} ms)"
}

# ---------------------------------------------------------------- run

check "setup: the git dependency (file:///tmp/crateplan-git/aura-expr), the crateplan CLI" setup
check "the default route in this Nix is ifd" default_route
check "build e2e-app and allWorkspaceMembers per crate" build_e2e
for i in "${!expected_lines[@]}"; do
  check "e2e-app prints: ${expected_lines[i]}" app_line $((i + 1))
done
check "e2e-app prints those lines and nothing else" app_whole_output
check "e2e-app: clap parses --name, --help, rejects unknown flags" app_clap
check "one derivation per plan instance (proc-macro for the host, git, path, optional)" per_crate_derivations
check "tests.<member> build and run the members' tests" members_tests
check "caching: a copy of the workspace builds nothing new" caching_setup
check "caching: editing native-sum (C and a test) rebuilds native-sum, consumer, e2e-app" edit_native_sum
check "caching: the rebuild builds exactly those 3 derivations, and the app still works" rebuild_after_edit
check "a failing test fails tests.native-sum" failing_test_fails
check "caching: editing consumer rebuilds consumer and e2e-app" \
  edit_and_expect crates/consumer/src/lib.rs "rust_consumer-0.2.0 rust_e2e-app-0.2.0"
check "caching: editing e2e-app rebuilds only e2e-app" \
  edit_and_expect crates/e2e-app/src/main.rs "rust_e2e-app-0.2.0"
check "caching: editing the proc-macro member rebuilds it and e2e-app" \
  edit_and_expect crates/e2e-macros/src/lib.rs "rust_e2e-app-0.2.0 rust_e2e-macros-0.2.0-host"
check "caching: editing the path dependency outside the members rebuilds it and e2e-app" \
  edit_and_expect third_party/textfmt/src/lib.rs "rust_e2e-app-0.2.0 rust_textfmt-0.1.0"
check "caching: a file outside every package rebuilds nothing" edit_and_expect README.md ""
check "a lock that no longer matches Cargo.toml fails evaluation with the planner's message" stale_lock
check "a wrong checksum in the lock fails the fetch, naming the crate" wrong_checksum

aura_skipped=
if [ "${CRATEPLAN_E2E_AURA:-1}" = 0 ]; then
  if [ "${CI:-}" = true ]; then
    check "examples/aura figures (CRATEPLAN_E2E_AURA=0 is not allowed in CI)" fail "CRATEPLAN_E2E_AURA=0 in CI"
  else
    aura_skipped=1
    cat <<'EOF'

!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
!!  SKIPPED: the examples/aura part (CRATEPLAN_E2E_AURA=0).                !!
!!  Not built, not measured, NOT checked: this run is NOT a pass.           !!
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
EOF
  fi
else
  check "examples/aura: plan" aura_plan
  check "examples/aura: clean per-crate build of every member (timed)" aura_clean_build
  check "examples/aura: aura-cli runs (eval via the git dependency, OpenSSL, demo)" aura_runs
  (aura_cleanup)
  check "examples/aura: cargo build --release (timed)" aura_cargo
  check "examples/aura: warm nix eval of aura-cli's drvPath (timed)" aura_eval_time
fi

printf '\n==== figures (machine: %s cores, load now %s)\n' "$(nproc)" "$(load)"
if [ -s "$tmp/figures" ]; then
  sed 's/^/  /' "$tmp/figures"
else
  echo "  (none)"
fi
printf '\n==== e2e.sh: %s passed, %s failed, in %ss\n' "${#PASSED[@]}" "${#FAILED[@]}" $((SECONDS - started))
for n in "${FAILED[@]}"; do printf 'FAILED: %s\n' "$n"; done
if ((${#FAILED[@]} > 0)); then exit 1; fi
if [ -n "$aura_skipped" ]; then
  echo "e2e.sh: examples/aura SKIPPED (CRATEPLAN_E2E_AURA=0): NOT a pass; exit 3"
  exit 3
fi
