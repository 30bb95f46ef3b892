#!/usr/bin/env bash
# WebAssembly (issue 16): tests/nix/wasm (see its README.md) built per crate
# with the native builder and no nixpkgs, with its `[profile.wasm]` (as
# Aura's: opt-level "s", fat LTO, one codegen unit), in the Debian Nix of
# tests/nix/env (the host's rustc with Debian's libstd-rust-dev-wasm32,
# lld's wasm-ld as the linker, Node to run the modules):
#
#   - wasm32-unknown-unknown: wasm-lib's cdylib is $out/lib/wasm_lib.wasm;
#     Node instantiates it and its exports answer() and scale(6) return 42;
#     serde_derive (a proc-macro) is a host instance, the same derivation
#     as in the native build with the same profile;
#   - wasm32-wasip1: wasm-cli is $out/bin/wasm-cli.wasm; node:wasi runs it
#     and it prints what the native wasm-cli prints.
#
# Run it as: tests/nix/env -- /project/tests/nix/wasm.sh
# Prints PASS/FAIL per check; exits 1 if any check failed.
set -uo pipefail

cd "$(dirname "$0")/../.."
project=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
started=$SECONDS
export NIX_CONFIG="substitute = false"

# shellcheck source-path=SCRIPTDIR source=lib-checks.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-checks.sh"

# The workspace through lib.nix with the wasm profile, for `target` (null:
# natively).
cat >"$tmp/wasm.nix" <<EOF
{ target ? null }:
(import $project/lib.nix { }).buildWorkspace (
  { src = $project/tests/nix/wasm; profile = "wasm"; }
  // (if target == null then { } else { inherit target; })
)
EOF

cat >"$tmp/load.mjs" <<'EOF'
// Instantiates a wasm32-unknown-unknown module (no imports) and calls its
// exports.
import { readFileSync } from "node:fs";
const { instance } = await WebAssembly.instantiate(readFileSync(process.argv[2]), {});
console.log(`answer() = ${instance.exports.answer()}`);
console.log(`scale(6) = ${instance.exports.scale(6)}`);
EOF

cat >"$tmp/wasi.mjs" <<'EOF'
// Runs a wasm32-wasip1 command module with node:wasi.
import { readFileSync } from "node:fs";
import { WASI } from "node:wasi";
const wasi = new WASI({ version: "preview1", args: ["wasm-cli"], env: {} });
const module = await WebAssembly.compile(readFileSync(process.argv[2]));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
EOF

build_web() {
  nix-build --no-out-link "$tmp/wasm.nix" --argstr target wasm32-unknown-unknown \
    -A workspaceMembers.wasm-lib.build >"$tmp/web" || fail "nix-build (wasm32-unknown-unknown) failed"
  ls -l "$(cat "$tmp/web")/lib/"
  [ -f "$(cat "$tmp/web")/lib/wasm_lib.wasm" ] || fail "no lib/wasm_lib.wasm in $(cat "$tmp/web")"
}

# The module's first bytes: \0asm, version 1.
wasm_header() {
  local header
  header=$(od -An -tx1 -N8 "$(need web)/lib/wasm_lib.wasm" | tr -d ' \n')
  [ "$header" = 0061736d01000000 ] || fail "not a WebAssembly module (header $header)"
}

node_calls_exports() {
  node "$tmp/load.mjs" "$(need web)/lib/wasm_lib.wasm" >"$tmp/node.stdout" || fail "node exited $?"
  sed 's/^/  | /' "$tmp/node.stdout"
  [ "$(cat "$tmp/node.stdout")" = "answer() = 42
scale(6) = 42" ] || fail "the exports returned other values"
}

# attr_of TARGET ATTRPATH: a string attribute of the workspace for TARGET.
attr_of() {
  nix eval --impure --raw --expr "(import $tmp/wasm.nix { target = \"$1\"; }).$2"
}

# The wasm profile reached rustc: opt-level s, one codegen unit and debug
# info for wasm-lib (a cdylib + rlib: no LTO, as cargo), and fat LTO for
# the wasip1 binary.
wasm_profile_used() {
  local lib bin
  lib=$(attr_of wasm32-unknown-unknown workspaceMembers.wasm-lib.build.libFlags) || fail "nix eval failed"
  bin=$(attr_of wasm32-wasip1 workspaceMembers.wasm-cli.build.binFlags) || fail "nix eval failed"
  echo "  wasm-lib: $(echo "$lib" | tr '\n' ' ')"
  echo "  wasm-cli: $(echo "$bin" | tr '\n' ' ')"
  for flag in opt-level=s codegen-units=1 debuginfo=2; do
    echo "$lib" | grep -qx -- "$flag" || fail "wasm-lib is not built with -C $flag"
  done
  echo "$bin" | grep -qxE -- 'lto(=fat)?' || fail "wasm-cli is not built with -C lto=fat"
}

serde_derive_on_host() {
  local expr
  expr="let
      ws = import $tmp/wasm.nix { target = \"wasm32-unknown-unknown\"; };
      native = import $tmp/wasm.nix { };
      keys = builtins.filter (k: builtins.match \"serde_derive-.*\" k != null) (builtins.attrNames ws.plan.instances);
      k = builtins.head keys;
    in \"\${k} \${ws.plan.instances.\${k}.platform} \${ws.internal.crates.\${k}.drvPath} \${native.internal.crates.\${k}.drvPath or \"missing\"}\n\""
  nix eval --impure --raw --expr "$expr" >"$tmp/serde_derive" || fail "nix eval failed"
  read -r key platform web native <"$tmp/serde_derive" || fail "nix eval printed: $(cat "$tmp/serde_derive")"
  echo "  $key ($platform): $web"
  [ "$platform" = host ] || fail "$key is a $platform instance"
  [ "$web" = "$native" ] || fail "$key differs from the native build's ($native)"
}

build_native_cli() {
  nix-build --no-out-link "$tmp/wasm.nix" -A workspaceMembers.wasm-cli.build >"$tmp/native" ||
    fail "nix-build (native) failed"
  "$(cat "$tmp/native")/bin/wasm-cli" >"$tmp/native.stdout" || fail "native wasm-cli exited $?"
  sed 's/^/  | /' "$tmp/native.stdout"
}

build_wasi_cli() {
  nix-build --no-out-link "$tmp/wasm.nix" --argstr target wasm32-wasip1 \
    -A workspaceMembers.wasm-cli.build >"$tmp/wasi" || fail "nix-build (wasm32-wasip1) failed"
  [ -f "$(cat "$tmp/wasi")/bin/wasm-cli.wasm" ] || fail "no bin/wasm-cli.wasm in $(cat "$tmp/wasi")"
}

wasi_runs() {
  need native.stdout >/dev/null
  node --no-warnings "$tmp/wasi.mjs" "$(need wasi)/bin/wasm-cli.wasm" >"$tmp/wasi.stdout" || fail "node:wasi exited $?"
  sed 's/^/  | /' "$tmp/wasi.stdout"
  diff -u "$tmp/native.stdout" "$tmp/wasi.stdout" || fail "the wasip1 binary prints other lines than the native one"
}

check "build wasm-lib for wasm32-unknown-unknown (profile wasm)" build_web
check "lib/wasm_lib.wasm is a WebAssembly module" wasm_header
check "Node instantiates it and its exports return 42" node_calls_exports
check "the wasm profile reaches rustc" wasm_profile_used
check "serde_derive is built for the host, as natively" serde_derive_on_host
check "build wasm-cli natively (profile wasm)" build_native_cli
check "build wasm-cli for wasm32-wasip1 (profile wasm)" build_wasi_cli
check "node:wasi runs it and it prints what the native binary prints" wasi_runs

printf '\n==== wasm.sh: %s passed, %s failed, in %ss\n' "${#PASSED[@]}" "${#FAILED[@]}" $((SECONDS - started))
for n in "${FAILED[@]}"; do printf 'FAILED: %s\n' "$n"; done
if ((${#FAILED[@]} > 0)); then exit 1; fi
