#!/usr/bin/env bash
# examples/aura's flake, for real: `nix build .#aura-cli` (and the other
# packages) and `nix flake check`, one derivation per crate, with nixpkgs
# replaced by the stand-in in tests/nixpkgs-standin (the test chroot's own
# toolchain, OpenSSL and pkg-config as derivations; nixpkgs cannot be
# downloaded here). The built binaries run and print what their code says.
#
# Runs inside the test environment:
#   tests/nix/env -- /project/tests/nix/aura-flake.sh
#
# The flake's crateplan input is `path:../..`, the checkout it sits in. A
# flake must live in a git tree whose files are added, so this copies the
# working tree of /project (tracked and untracked files, without what
# .gitignore excludes) to /tmp/crateplan, commits it there, and uses that:
# the example then builds with exactly the crateplan in /project, including
# uncommitted changes.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib-steps.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-steps.sh"

command -v nix >/dev/null || fail "nix not found; run this through tests/nix/env"
project=${CRATEPLAN_PROJECT:-/project}
repo=/tmp/crateplan
logs=/tmp/aura-flake-logs
mkdir -p "$logs"
standin="path:$project/tests/nixpkgs-standin"
flake_args=(--override-input nixpkgs "$standin")

step "the git dependency's repository (examples/aura/git-deps/make-repos)"
"$project/examples/aura/git-deps/make-repos"

step "a git tree with /project's working tree at $repo"
rm -rf "$repo"
mkdir -p "$repo"
(cd "$project" && git ls-files -z --cached --others --exclude-standard) |
  (cd "$project" && while IFS= read -r -d '' f; do
    [ -e "$f" ] || continue # deleted in the working tree
    mkdir -p "$repo/$(dirname "$f")"
    cp -P "$f" "$repo/$f"
  done)
git -C "$repo" init -q
git -C "$repo" add -A
git -C "$repo" commit -q -m "crateplan working tree for tests/nix/aura-flake.sh"
[ -f "$repo/examples/aura/flake.nix" ] || fail "examples/aura/flake.nix is missing"
if found=$(find "$repo" -name Cargo.nix -o -name crate-hashes.json | head -n 1) && [ -n "$found" ]; then
  fail "a generated file exists: $found"
fi
cd "$repo/examples/aura"

step "evaluate .#aura-cli (the planner runs during evaluation)"
t0=$(date +%s)
run "$logs/eval.log" nix path-info --derivation "${flake_args[@]}" .#aura-cli
drv=$(grep '^/nix/store/.*\.drv$' "$logs/eval.log" | tail -n 1)
[ -n "$drv" ] || fail "no derivation from nix path-info: $(cat "$logs/eval.log")"
eval_secs=$(($(date +%s) - t0))
crates=$(nix-store --query --requisites "$drv" | grep -c -- '-rust_.*\.drv$' || true)
echo "aura-cli: $drv"
echo "evaluation: ${eval_secs}s; crate derivations in its build graph: $crates"
((crates >= 30)) || fail "expected dozens of crate derivations (one per crate), got $crates"
nix-store --query --requisites "$drv" | sed -n 's|^/nix/store/[a-z0-9]*-rust_\(.*\)\.drv$|\1|p' |
  sort >"$logs/crates.txt"
for c in aura-cli-0.4.0 aura-core-0.4.0 aura-expr-0.3.1 openssl-sys- ring- blake3- clap_derive-; do
  grep -q "^$c" "$logs/crates.txt" || fail "no crate derivation for $c in: $(tr '\n' ' ' <"$logs/crates.txt")"
done
to_build=$(nix build --dry-run "${flake_args[@]}" .#aura-cli 2>&1 | grep -c -- '-rust_.*\.drv$' || true)
echo "crate derivations to build now (not yet in the store): $to_build"

step "nix build .#aura-cli"
t0=$(date +%s)
run "$logs/build.log" nix build --print-build-logs --no-link --print-out-paths "${flake_args[@]}" .#aura-cli
cli=$(grep '^/nix/store/.*-rust_aura-cli-[0-9.]*$' "$logs/build.log" | tail -n 1)
echo "built in $(($(date +%s) - t0))s: $cli"
[ -x "$cli/bin/aura-cli" ] || fail "$cli/bin/aura-cli is missing"

step "run aura-cli"
"$cli/bin/aura-cli" >"$logs/aura-cli.out" 2>&1 || {
  cat "$logs/aura-cli.out" >&2
  fail "aura-cli exited with $?"
}
cat "$logs/aura-cli.out"
expect() {
  grep -q -E -- "$1" "$logs/aura-cli.out" || fail "aura-cli did not print a line matching: $1"
}
expect '^blake3\("hello, aura"\)$'
expect '^  = 7bdba815cd5e2ec3ead26126e387301e28723bbfde74d3f1056038f8a77ed9f5$'
expect '^ed25519 signature by key [0-9a-f]+: [0-9a-f]+\.\.\. verified by ed25519-dalek and ring: ok$'
expect '^signed envelope: [0-9]+ bytes of JSON, opened and checked: ok$'
expect '^simulated 3 agents for 3 rounds \(seed 42, drop 5%, tamper 2%\)$'
expect '^  agreement: yes$'
expect '^  transcript blake3: a5704439748519bee150a66921bb8dff6b5c8c6f65ae5e6ffbf16dbe53d45e37$'
expect '^eval "2 \* x \^ 2 \+ max\(3, sqrt\(16\)\) - 1" with x = 3  =>  21$'
# DEP_OPENSSL_VERSION_NUMBER reached aura-tls's build script, and the
# OpenSSL it runs with is the one it was built against.
expect '^openssl: OpenSSL [0-9]+\.[0-9]+\.[0-9]+.* \(0x[0-9a-f]+, as built\)$'
"$cli/bin/aura-cli" hash --algo all abc >"$logs/hash.out"
grep -q '^sha256       ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad$' "$logs/hash.out" ||
  fail "aura-cli hash: $(cat "$logs/hash.out")"
grep -q 'sha2, ring and OpenSSL agree' "$logs/hash.out" || fail "aura-cli hash: $(cat "$logs/hash.out")"

step "nix build .#aura-agent .#aura-simulator, and run them"
run "$logs/build2.log" nix build --print-build-logs --no-link --print-out-paths "${flake_args[@]}" \
  .#aura-agent .#aura-simulator .#default
agent=$(grep '^/nix/store/.*-rust_aura-agent-[^/]*$' "$logs/build2.log" | head -n 1)
sim=$(grep '^/nix/store/.*-rust_aura-simulator-[^/]*$' "$logs/build2.log" | head -n 1)
[ -x "$agent/bin/aura-agent" ] || fail "no aura-agent in: $(grep '^/nix/store/' "$logs/build2.log")"
[ -x "$sim/bin/aura-simulator" ] || fail "no aura-simulator in: $(grep '^/nix/store/' "$logs/build2.log")"
"$sim/bin/aura-simulator" | tee "$logs/sim.out"
grep -q '^  transcript blake3: 253be01fbf77edc6ef9fa85fff643e26c8c91c2c9042f2699e8b1a881ac85f32$' "$logs/sim.out" ||
  fail "aura-simulator's transcript digest differs"
timeout 60 "$agent/bin/aura-agent" --once | tee "$logs/agent.out"
grep -q '^done: 3 rounds, 12 envelopes, 0 rejected$' "$logs/agent.out" || fail "aura-agent --once"

step "nix flake check (aura-core-tests, aura-crypto-tests, aura-protocol-tests)"
t0=$(date +%s)
run "$logs/check.log" nix flake check --print-build-logs "${flake_args[@]}"
grep -E 'running [0-9]+ flake checks|all checks passed' "$logs/check.log" || true
# What the checks ran (their outputs hold one log per test binary, one for
# the doc tests, and summary.json).
total=0
for member in aura-core aura-crypto aura-protocol; do
  out=$(nix build --no-link --print-out-paths "${flake_args[@]}" ".#checks.x86_64-linux.$member-tests" 2>/dev/null) ||
    fail "building the check $member-tests"
  ls "$out"/*.log >/dev/null 2>&1 || fail "no test logs in $out"
  passed=$(cat "$out"/*.log | sed -n 's/^test result: ok\. \([0-9]*\) passed.*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
  ((passed > 0)) || fail "$member-tests ran no test: $(cat "$out"/*.log)"
  # The doc tests (counted above as well), from summary.json.
  doc=$(jq '[.binaries[] | select(.kind == "doctest") | .passed] | add // 0' "$out/summary.json") ||
    fail "$member-tests has no readable summary.json"
  ((doc > 0)) || fail "$member-tests ran no doc test: $(cat "$out"/doc-*.log)"
  total=$((total + passed))
  echo "$member-tests: $passed tests passed, $doc of them doc tests ($(cd "$out" && printf '%s ' *.log))"
done
echo "flake check: $total tests passed in $(($(date +%s) - t0))s"

step "nix develop: the devShell finds OpenSSL through pkg-config"
run "$logs/develop.log" nix develop "${flake_args[@]}" -c pkg-config --modversion openssl
grep -E '^[0-9]+\.[0-9]+' "$logs/develop.log" | tail -n 1

step "done"
echo "aura-flake: all checks passed in $(($(date +%s) - started))s ($crates crate derivations for aura-cli)"
