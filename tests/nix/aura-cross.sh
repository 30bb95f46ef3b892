#!/usr/bin/env bash
# examples/aura's flake across platforms (issues 10 and 16), with nixpkgs
# replaced by the stand-in in tests/nixpkgs-standin (whose
# pkgsCross.aarch64-multiplatform is Debian's gcc-aarch64-linux-gnu and
# libssl-dev:arm64 under nixpkgs' names):
#
#   - .#aura-cli-aarch64-linux: aura-cli cross-compiled per crate (ring's
#     and blake3's C and assembly, openssl-sys with an aarch64 OpenSSL
#     through its override); an aarch64 ELF that prints, under qemu, the
#     digests, signatures and simulation aura-cli prints natively
#     (tests/nix/aura-flake.sh); every build-machine crate in its graph is
#     a derivation of the native .#aura-cli's graph;
#   - .#aura-web-wasm: aura-web for wasm32-unknown-unknown with Aura's
#     [profile.wasm]; Node calls its exports.
#
#   tests/nix/env -- /project/tests/nix/aura-cross.sh
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib-steps.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-steps.sh"

command -v nix >/dev/null || fail "nix not found; run this through tests/nix/env"
project=${CRATEPLAN_PROJECT:-/project}
repo=/tmp/crateplan-cross
logs=/tmp/aura-cross-logs
mkdir -p "$logs"
flake_args=(--override-input nixpkgs "path:$project/tests/nixpkgs-standin")

step "the git dependency's repository, and a git tree with /project's working tree at $repo"
"$project/examples/aura/git-deps/make-repos"
rm -rf "$repo"
mkdir -p "$repo"
(cd "$project" && git ls-files -z --cached --others --exclude-standard) |
  (cd "$project" && while IFS= read -r -d '' f; do
    [ -e "$f" ] || continue
    mkdir -p "$repo/$(dirname "$f")"
    cp -P "$f" "$repo/$f"
  done)
git -C "$repo" init -q
git -C "$repo" add -A
git -C "$repo" commit -q -m "crateplan working tree for tests/nix/aura-cross.sh"
cd "$repo/examples/aura"

step "build machine crates of .#aura-cli-aarch64-linux are .#aura-cli's"
run "$logs/eval-native.log" nix path-info --derivation "${flake_args[@]}" .#aura-cli
run "$logs/eval-cross.log" nix path-info --derivation "${flake_args[@]}" .#aura-cli-aarch64-linux
native_drv=$(grep '^/nix/store/.*\.drv$' "$logs/eval-native.log" | tail -n 1)
cross_drv=$(grep '^/nix/store/.*\.drv$' "$logs/eval-cross.log" | tail -n 1)
if [ -z "$native_drv" ] || [ -z "$cross_drv" ] || [ "$native_drv" = "$cross_drv" ]; then
  fail "expected two different derivations, got '$native_drv' and '$cross_drv'"
fi
nix-store --query --requisites "$native_drv" | grep -- '-rust_.*\.drv$' | sort >"$logs/native.drvs"
nix-store --query --requisites "$cross_drv" | grep -- '-rust_.*\.drv$' | sort >"$logs/cross.drvs"
grep -- '-host\.drv$' "$logs/cross.drvs" >"$logs/cross-host.drvs" || fail "no host crates in the cross build"
hosts=$(wc -l <"$logs/cross-host.drvs")
missing=$(comm -23 "$logs/cross-host.drvs" "$logs/native.drvs")
[ -z "$missing" ] || fail "host crates of the cross build that the native build does not have: $missing"
for c in ring- blake3- openssl-sys- aura-cli-; do
  grep -v -- '-host\.drv$' "$logs/cross.drvs" | grep -q -- "-rust_$c" || fail "$c is not built for the target"
done
echo "$hosts build-machine crates, all shared with the native build; $(grep -vc -- '-host\.drv$' "$logs/cross.drvs") target crates"

step "nix build .#aura-cli-aarch64-linux"
t0=$(date +%s)
run "$logs/build.log" nix build --print-build-logs --no-link --print-out-paths "${flake_args[@]}" .#aura-cli-aarch64-linux
cli=$(grep '^/nix/store/.*-rust_aura-cli-[0-9.]*$' "$logs/build.log" | tail -n 1)
echo "built in $(($(date +%s) - t0))s: $cli"
[ -f "$cli/bin/aura-cli" ] || fail "$cli/bin/aura-cli is missing"
header=$(od -An -tx1 -N20 "$cli/bin/aura-cli" | tr -d ' \n')
if [ "${header:0:8}" != 7f454c46 ] || [ "${header:36:4}" != b700 ]; then
  fail "not an aarch64 ELF: $header"
fi
echo "an aarch64 ELF (e_machine ${header:36:4})"

step "run it under qemu-aarch64"
qemu=(qemu-aarch64 -L /usr/aarch64-linux-gnu -E LD_LIBRARY_PATH=/usr/lib/aarch64-linux-gnu)
"${qemu[@]}" "$cli/bin/aura-cli" >"$logs/aura-cli.out" 2>&1 || {
  cat "$logs/aura-cli.out" >&2
  fail "aura-cli under qemu exited with $?"
}
cat "$logs/aura-cli.out"
expect() {
  grep -q -E -- "$1" "$logs/aura-cli.out" || fail "aura-cli did not print a line matching: $1"
}
# The lines tests/nix/aura-flake.sh expects from the native build.
expect '^blake3\("hello, aura"\)$'
expect '^  = 7bdba815cd5e2ec3ead26126e387301e28723bbfde74d3f1056038f8a77ed9f5$'
expect '^ed25519 signature by key [0-9a-f]+: [0-9a-f]+\.\.\. verified by ed25519-dalek and ring: ok$'
expect '^signed envelope: [0-9]+ bytes of JSON, opened and checked: ok$'
expect '^simulated 3 agents for 3 rounds \(seed 42, drop 5%, tamper 2%\)$'
expect '^  agreement: yes$'
expect '^  transcript blake3: a5704439748519bee150a66921bb8dff6b5c8c6f65ae5e6ffbf16dbe53d45e37$'
expect '^eval "2 \* x \^ 2 \+ max\(3, sqrt\(16\)\) - 1" with x = 3  =>  21$'
expect '^openssl: OpenSSL [0-9]+\.[0-9]+\.[0-9]+.* \(0x[0-9a-f]+, as built\)$'
"${qemu[@]}" "$cli/bin/aura-cli" hash --algo all abc >"$logs/hash.out"
grep -q '^sha256       ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad$' "$logs/hash.out" ||
  fail "aura-cli hash: $(cat "$logs/hash.out")"
grep -q 'sha2, ring and OpenSSL agree' "$logs/hash.out" || fail "aura-cli hash: $(cat "$logs/hash.out")"

step "nix build .#aura-web-wasm, and Node calls its exports"
run "$logs/web.log" nix build --print-build-logs --no-link --print-out-paths "${flake_args[@]}" .#aura-web-wasm
web=$(grep '^/nix/store/.*-rust_aura-web-[0-9.]*$' "$logs/web.log" | tail -n 1)
[ -f "$web/lib/aura_web.wasm" ] || fail "no lib/aura_web.wasm in $web: $(ls "$web/lib/" 2>&1)"
cat >"$logs/web.mjs" <<'EOF'
import { readFileSync } from "node:fs";
const { instance } = await WebAssembly.instantiate(readFileSync(process.argv[2]), {});
console.log(`aura_leader(7, 3) = ${instance.exports.aura_leader(7, 3)}`);
console.log(`aura_wire_roundtrip(42) = ${instance.exports.aura_wire_roundtrip(42)}`);
EOF
node "$logs/web.mjs" "$web/lib/aura_web.wasm" | tee "$logs/web.out"
[ "$(cat "$logs/web.out")" = "aura_leader(7, 3) = 1
aura_wire_roundtrip(42) = 1" ] || fail "aura-web's exports returned other values"

step "done"
echo "aura-cross: all checks passed in $(($(date +%s) - started))s"
