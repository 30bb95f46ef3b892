#!/usr/bin/env bash
# crateplan's own flake, for real, with nixpkgs replaced by the stand-in in
# tests/nixpkgs-standin: its packages (the CLI, the plugin linked against a
# stand-in Nix C API, the wasm module, the C ABI library and header) build; `nix flake check` builds
# crateplan per crate with its own lib.nix and runs its offline tests; the
# template (`nix flake init -t`) builds and passes its tests; the overlay
# and the NixOS module evaluate to what they promise.
#
# Runs inside the test environment:
#   tests/nix/env -- /project/tests/nix/project-flake.sh
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib-steps.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-steps.sh"

command -v nix >/dev/null || fail "nix not found; run this through tests/nix/env"
project=${CRATEPLAN_PROJECT:-/project}
repo=/tmp/crateplan
logs=/tmp/project-flake-logs
mkdir -p "$logs"
standin="path:$project/tests/nixpkgs-standin"
flake_args=(--override-input nixpkgs "$standin")

step "a git tree with /project's working tree at $repo"
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
git -C "$repo" commit -q -m "crateplan working tree for tests/nix/project-flake.sh"
cd "$repo"

step "the flake's outputs evaluate"
# output ATTR APPLY: the JSON of APPLY applied to the flake output ATTR.
output() {
  run "$logs/output.log" nix eval --json "${flake_args[@]}" ".#$1" --apply "$2"
  tail -n 1 "$logs/output.log"
}
expect_output() {
  local got
  got=$(output "$1" "$2")
  echo "$1: $got"
  [ "$got" = "$3" ] || fail "$1: expected $3"
}
expect_output packages.x86_64-linux builtins.attrNames '["crateplan","crateplan-capi","crateplan-plugin","crateplan-wasm","default"]'
expect_output checks.x86_64-linux builtins.attrNames '["crateplan-per-crate","crateplan-plugin","crateplan-tests"]'
expect_output lib 'l: [ (builtins.isFunction l.buildWorkspace) (builtins.isFunction l.x86_64-linux.buildWorkspace) ]' '[true,true]'
expect_output templates.default 't: builtins.pathExists (t.path + "/flake.nix")' true
expect_output overlays.default builtins.isFunction true
expect_output nixosModules.default 'm: builtins.isPath m || builtins.isFunction m' true

step "nix build .#crateplan .#crateplan-wasm .#crateplan-plugin"
run "$logs/build.log" nix build --print-build-logs --no-link --print-out-paths "${flake_args[@]}" \
  .#crateplan .#crateplan-wasm .#crateplan-plugin
cli=$(grep '^/nix/store/.*-crateplan-cli$' "$logs/build.log" | head -n 1)
wasm=$(grep '^/nix/store/.*-crateplan-wasm-' "$logs/build.log" | head -n 1)
plugin=$(grep '^/nix/store/.*-crateplan-plugin-' "$logs/build.log" | head -n 1)
"$cli/bin/crateplan" --version
cmp "$wasm/lib/crateplan.wasm" "$project/nix/crateplan.wasm" || fail "the wasm package is not nix/crateplan.wasm"
so=$plugin/lib/libcrateplan_plugin.so
readelf -d "$so" | grep 'NEEDED.*libnixexprc' || fail "the plugin does not link libnixexprc"
readelf -d "$so" | grep -E 'RUNPATH|RPATH' | grep -q 'nix-expr-c-standin/lib' ||
  fail "no RUNPATH to the stand-in's nix-expr-c: $(readelf -d "$so" | grep -E 'RUNPATH|RPATH')"
[ "$(nm -D --defined-only "$so" | awk '$2 == "T" { print $3 }')" = nix_plugin_entry ] ||
  fail "the plugin exports more than nix_plugin_entry: $(nm -D --defined-only "$so")"
echo "plugin: $so"

step "nix build .#crateplan-capi: a C program linked to it answers like the CLI"
run "$logs/capi.log" nix build --print-build-logs --no-link --print-out-paths "${flake_args[@]}" \
  .#crateplan-capi
capi=$(grep '^/nix/store/.*-crateplan-capi-' "$logs/capi.log" | head -n 1)
cmp "$capi/include/crateplan.h" "$project/include/crateplan.h" || fail "the package's header is not include/crateplan.h"
nm -D --defined-only "$capi/lib/libcrateplan_capi.so" | grep -q ' T crateplan_plan_json$' ||
  fail "libcrateplan_capi.so does not export crateplan_plan_json"
cc -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -I "$capi/include" \
  "$project/tests/c/capi_test.c" -L "$capi/lib" -lcrateplan_capi -Wl,-rpath,"$capi/lib" -o /tmp/capi_test
[ "$(/tmp/capi_test version)" = "$("$cli/bin/crateplan" --version | awk '{print $2}')" ] ||
  fail "crateplan_version() is not the CLI's version"
/tmp/capi_test misuse | tee "$logs/capi-misuse.log"
grep -q FAILED "$logs/capi-misuse.log" && fail "a careless call did not get an error answer"
printf '{"workspace":"%s","target":"x86_64-unknown-linux-gnu"}' "$repo" >/tmp/capi-request.json
/tmp/capi_test answer /tmp/capi-request.json >/tmp/capi-answer.json
"$cli/bin/crateplan" answer /tmp/capi-request.json >/tmp/cli-answer.json
cmp /tmp/capi-answer.json /tmp/cli-answer.json || fail "the C ABI answers differently from the CLI"
echo "the C ABI answers like the CLI ($(wc -c </tmp/cli-answer.json) bytes)"

step "nix flake check (crateplan per crate, its tests, the plugin)"
run "$logs/check.log" nix flake check --print-build-logs "${flake_args[@]}"
grep -E 'test result:|running [0-9]+ flake checks|all checks passed' "$logs/check.log" | sed 's/^[^>]*> //' || true
grep -q 'running lib-crateplan of crateplan' "$logs/check.log" ||
  grep -q 'test result: ok' "$logs/check.log" ||
  echo "(the checks were already built: no test output this time)"

step "a project from the template (nix flake init -t)"
# `nix flake init -t` locks the template's flake (crateplan's) first, and
# takes no --override-input: lock nixpkgs to the stand-in in the copy.
run "$logs/lock.log" nix flake lock "${flake_args[@]}"
git add flake.lock
git commit -q -m "lock nixpkgs to the stand-in (test copy only)"
mkdir -p /tmp/hello
cd /tmp/hello
run "$logs/init.log" nix flake init -t "git+file://$repo#default"
if [ ! -f Cargo.lock ] || [ ! -f src/main.rs ]; then fail "the template did not give Cargo.lock and src/main.rs"; fi
git init -q
git add -A
tpl_args=("${flake_args[@]}" --override-input crateplan "git+file://$repo")
run "$logs/hello.log" nix build --no-link --print-out-paths "${tpl_args[@]}" .#default
hello=$(grep '^/nix/store/.*-rust_hello-0.1.0$' "$logs/hello.log" | tail -n 1)
[ "$("$hello/bin/hello" nix)" = "hello, nix, from a crate built by crateplan" ] ||
  fail "hello printed: $("$hello/bin/hello" nix)"
echo "hello (one crate derivation): $("$hello/bin/hello" nix)"
run "$logs/hello-check.log" nix flake check --print-build-logs "${tpl_args[@]}"
grep -E 'test result:|all checks passed' "$logs/hello-check.log" | sed 's/^[^>]*> //' || true

step "the overlay and the NixOS module"
cd "$repo"
# The module, called as the module system would, with a minimal stand-in
# for the module system's lib; the stand-in package set imported directly.
pkgs_expr="import $project/tests/nixpkgs-standin/pkgs.nix { system = \"x86_64-linux\"; lib = import $project/tests/nixpkgs-standin/lib.nix; }"
module_lib_expr="{
      mkEnableOption = d: { type = \"bool\"; default = false; description = d; };
      mkOption = o: o;
      mkIf = cond: v: { _if = cond; content = v; };
      types.package = \"package\";
      literalExpression = s: s;
    }"
# module_plugin_file PKGS NIX: the one plugin-files entry the module sets
# when enabled on a system whose nix.package is NIX (Nix expressions).
module_plugin_file() {
  echo "
  let
    pkgs = $1;
    lib = $module_lib_expr;
    module = import $repo/nix/nixos-module.nix;
    config = { nix.package = $2; programs.crateplan = { }; };
    plugin = (module { inherit lib pkgs config; }).options.programs.crateplan.plugin.default;
    on = module { inherit lib pkgs; config = config // { programs.crateplan = { enable = true; inherit plugin; }; }; };
    files = on.config.content.nix.settings.plugin-files;
  in
  if on.config._if && builtins.length files == 1 then builtins.head files else throw (builtins.toJSON on.config)"
}
run "$logs/module.log" nix eval --impure --raw --expr "$(module_plugin_file "$pkgs_expr" pkgs.nix)"
module_file=$(tail -n 1 "$logs/module.log")
echo "the module sets plugin-files = [ $module_file ]"
[ "$module_file" = "$so" ] || fail "the module's plugin ($module_file) is not the flake's ($so)"
run "$logs/overlay.log" nix eval --impure --json --expr "
  let
    pkgs = $pkgs_expr;
    o = (import $repo/nix/overlay.nix) pkgs pkgs;
  in
  [ o.crateplan.name o.crateplan-plugin.name o.crateplan-wasm.name o.crateplan-capi.name
    (builtins.isFunction o.crateplanLib.buildWorkspace)
    ((o.crateplan-plugin.override { nix = pkgs.nix; }).outPath == o.crateplan-plugin.outPath) ]
"
[ "$(tail -n 1 "$logs/overlay.log")" = '["crateplan-cli","crateplan-plugin-0.1.0","crateplan-wasm-0.1.0","crateplan-capi-0.1.0",true,true]' ] ||
  fail "overlay: $(tail -n 1 "$logs/overlay.log")"
echo "the overlay adds crateplan, crateplan-plugin (overridable with nix = ...), crateplan-wasm, crateplan-capi, crateplanLib"

# With Lix in the package set, the overlay adds the C++ plugin (adapters/lix)
# and `crateplan-plugin.override { nix = lix; }` gives it. The stand-in has
# no Lix (nor Lix's headers, so nothing here can build it: that was checked
# by hand, docs/routes.md): a Lix-named package and an mkDerivation that
# returns its arguments (with an outPath, and its passthru as a real one
# has) check the evaluation side only.
lix_pkgs_expr="let base = $pkgs_expr; in base // {
      lix = { pname = \"lix\"; version = \"2.95.3\"; };
      clangStdenv = base.stdenv // {
        mkDerivation = attrs: attrs // attrs.passthru // {
          outPath = \"/nix/store/00000000000000000000000000000000-\${attrs.pname}-\${attrs.version}\";
        };
      };
      capnproto = null; boost = null; nlohmann_json = null;
    }"
run "$logs/overlay-lix.log" nix eval --impure --json --expr "
  let
    base = $pkgs_expr;
    pkgs = $lix_pkgs_expr;
    o = (import $repo/nix/overlay.nix) pkgs pkgs;
    viaOverride = o.crateplan-plugin.override { nix = pkgs.lix; };
    without = (import $repo/nix/overlay.nix) base base;
  in
  [ o.crateplan-plugin-lix.pname viaOverride.pname (viaOverride.buildInputs == o.crateplan-plugin-lix.buildInputs)
    (builtins.elem pkgs.lix o.crateplan-plugin-lix.buildInputs)
    (builtins.match \".*crateplan-lix[.]cc.*-lcrateplan_capi.*\" o.crateplan-plugin-lix.buildPhase != null)
    (without ? crateplan-plugin-lix) o.crateplan-plugin.pname ]
"
[ "$(tail -n 1 "$logs/overlay-lix.log")" = '["crateplan-plugin-lix","crateplan-plugin-lix",true,true,true,false,"crateplan-plugin"]' ] ||
  fail "overlay with Lix: $(tail -n 1 "$logs/overlay-lix.log")"
echo "with Lix in the package set: crateplan-plugin-lix, also through crateplan-plugin.override { nix = lix; }"
# On a system whose Nix is Lix, the NixOS module's default plugin is the Lix one.
run "$logs/module-lix.log" nix eval --impure --raw --expr "$(module_plugin_file "$lix_pkgs_expr" pkgs.lix)"
[ "$(tail -n 1 "$logs/module-lix.log")" = /nix/store/00000000000000000000000000000000-crateplan-plugin-lix-0.1.0/lib/libcrateplan_lix.so ] ||
  fail "the module on a Lix system: $(tail -n 1 "$logs/module-lix.log")"
echo "the NixOS module with nix.package = lix loads the Lix plugin: $(tail -n 1 "$logs/module-lix.log")"

step "done"
echo "project-flake: all checks passed in $(($(date +%s) - started))s"
