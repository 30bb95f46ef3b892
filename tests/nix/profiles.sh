#!/usr/bin/env bash
# Profiles and config in the native builder (issue 8), against cargo: the
# workspace in tests/nix/profiles (its app prints what its profile and
# config did: a cfg from `[build] rustflags`, `env!` of plain, forced and
# relative `[env]` entries, what its build script saw in PROFILE,
# OPT_LEVEL, DEBUG, CARGO_ENCODED_RUSTFLAGS and CARGO_CFG_*, overflow
# checks in itself and in arith, set per package with
# `[profile.NAME.package.arith]`, and how a panic ends) is built with
# lib.nix (no nixpkgs, the default route) and with `cargo build --profile`
# for the profiles dev, release (Aura's table: LTO, one codegen unit,
# strip, panic = "abort") and custom (inherits release; thin LTO, unwind,
# debug = 1). The two binaries must print exactly the same lines, and be
# stripped alike. Then: the LTO flags each derivation got (bitcode-only
# libraries under LTO, `-C lto` at the final link), the member tests under
# the release profile, an unknown profile as a Nix error, and lib.nix's
# aliases release = false and codegenUnits.
#
# Run it as: tests/nix/env -- /project/tests/nix/profiles.sh
# Prints PASS/FAIL per check; exits 1 if any check failed.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 2
project=$PWD
ws=$project/tests/nix/profiles
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
started=$SECONDS
export NIX_CONFIG="substitute = false"

# shellcheck source-path=SCRIPTDIR source=lib-checks.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-checks.sh"

cat >"$tmp/ws.nix" <<EOF
{ profile }:
(import $project/lib.nix { }).buildWorkspace { src = $ws; inherit profile; }
EOF

# nix_app PROFILE: builds app with crateplan; prints its out path.
nix_app() {
  nix-build --no-out-link "$tmp/ws.nix" --argstr profile "$1" -A workspaceMembers.app.build \
    2>"$tmp/nix-$1.log" || {
    tail -n 30 "$tmp/nix-$1.log" | sed 's/^/  | /' >&2
    fail "nix-build of app with profile $1 failed"
  }
}

# cargo_app PROFILE: builds app with cargo; prints the binary's path.
cargo_app() {
  local dir=$1
  [ "$1" != dev ] || dir=debug
  [ -d "$tmp/cargo-ws" ] || {
    cp -R "$ws" "$tmp/cargo-ws"
    chmod -R u+w "$tmp/cargo-ws"
  }
  (cd "$tmp/cargo-ws" && CARGO_TARGET_DIR=$tmp/target cargo build -q --locked --offline \
    --profile "$1") 2>"$tmp/cargo-$1.log" || {
    tail -n 30 "$tmp/cargo-$1.log" | sed 's/^/  | /' >&2
    fail "cargo build --profile $1 failed"
  }
  echo "$tmp/target/$dir/app"
}

# stripped BINARY: "stripped" or "not stripped", as file(1) says.
stripped() {
  file -b "$1" | grep -o 'not stripped\|stripped' | head -n 1
}

same_as_cargo() {
  local profile=$1 nix cargo
  nix=$(nix_app "$profile")/bin/app || exit 1
  cargo=$(cargo_app "$profile") || exit 1
  "$nix" >"$tmp/nix-$profile.out" || fail "crateplan's app exited $?"
  "$cargo" >"$tmp/cargo-$profile.out" || fail "cargo's app exited $?"
  sed 's/^/  | /' "$tmp/nix-$profile.out"
  diff -u "$tmp/cargo-$profile.out" "$tmp/nix-$profile.out" | sed 's/^/  diff: /' >&2
  cmp -s "$tmp/cargo-$profile.out" "$tmp/nix-$profile.out" ||
    fail "crateplan's app (+) prints other lines than cargo's (-) for profile $profile"
  [ "$(stripped "$nix")" = "$(stripped "$cargo")" ] ||
    fail "profile $profile: cargo's binary is $(stripped "$cargo"), crateplan's $(stripped "$nix")"
  echo "  both $(stripped "$nix")"
}

# flags_of PROFILE MEMBER VARIABLE: a contract variable of a member's
# derivation, rustc arguments joined by spaces.
cat >"$tmp/flags.nix" <<EOF
{ profile, member, variable }:
let
  ws = import $tmp/ws.nix { inherit profile; };
in
{
  flags = ws.internal.crates.\${ws.workspaceMembers.\${member}.debug.instance}.\${variable};
}
EOF
flags_of() {
  nix eval --raw -f "$tmp/flags.nix" --argstr profile "$1" --argstr member "$2" \
    --argstr variable "$3" flags | tr '\n' ' '
}

lto_flags() {
  local arith app
  arith=$(flags_of release arith libFlags)
  app=$(flags_of release app binFlags)
  echo "  release: arith lib: $arith"
  echo "  release: app bins:  $app"
  case " $arith " in *" -C linker-plugin-lto "*) ;; *) fail "arith's rlib should carry bitcode only" ;; esac
  # lto = true: cargo passes -C lto, the plan spells it "fat" (the same).
  case " $app " in *" -C lto "* | *" -C lto=fat "*) ;; *) fail "app should link with -C lto" ;; esac
  case " $app " in *" -C panic=abort "*) ;; *) fail "app should be built with panic=abort" ;; esac
  app=$(flags_of custom app binFlags)
  echo "  custom: app bins:   $app"
  case " $app " in *" -C lto=thin "*) ;; *) fail "custom: app should link with -C lto=thin" ;; esac
  arith=$(flags_of dev arith libFlags)
  echo "  dev: arith lib:     $arith"
  case " $arith " in *" -C embed-bitcode=no "*) ;; *) fail "dev: no bitcode wanted" ;; esac
}

release_tests() {
  nix-build --no-out-link "$tmp/ws.nix" --argstr profile release -A tests.app -A tests.arith \
    >"$tmp/tests.out" 2>"$tmp/tests.log" || {
    tail -n 30 "$tmp/tests.log" | sed 's/^/  | /' >&2
    fail "the members' tests failed under the release profile"
  }
}

unknown_profile() {
  if nix eval --raw -f "$tmp/ws.nix" --argstr profile nosuch workspaceMembers.app.build.drvPath \
    >"$tmp/unknown.log" 2>&1; then
    fail "profile nosuch was accepted"
  fi
  grep -q 'error: crateplan: .*nosuch' "$tmp/unknown.log" ||
    fail "unexpected error: $(tail -n 5 "$tmp/unknown.log")"
  grep 'nosuch' "$tmp/unknown.log" | head -n 2 | sed 's/^/  | /'
}

# lib.nix's thin aliases: codegenUnits = N is a config line for the
# profile; release = false is profile "dev", and an error next to another.
aliases() {
  local got
  cat >"$tmp/alias.nix" <<EOF
{ args }:
let
  ws = (import $project/lib.nix { }).buildWorkspace ({ src = $ws; } // args);
  app = ws.internal.crates.\${ws.workspaceMembers.app.debug.instance};
in
{ inherit (app) binFlags; profile = app.buildScriptEnv; }
EOF
  got=$(nix eval --raw -f "$tmp/alias.nix" --arg args '{ codegenUnits = 3; }' binFlags | tr '\n' ' ')
  echo "  codegenUnits = 3: $got"
  case " $got " in *" -C codegen-units=3 "*) ;; *) fail "codegenUnits = 3 did not reach rustc" ;; esac
  got=$(nix eval --raw -f "$tmp/alias.nix" --arg args '{ release = false; }' profile)
  case "$got" in *PROFILE=debug*OPT_LEVEL=0*) ;; *) fail "release = false is not the dev profile: $got" ;; esac
  if nix eval --raw -f "$tmp/alias.nix" --arg args '{ release = false; profile = "custom"; }' binFlags \
    >"$tmp/alias.log" 2>&1; then
    fail "release = false with profile = \"custom\" was accepted"
  fi
  grep -q 'error: crateplan: release = false and profile = "custom" disagree' "$tmp/alias.log" ||
    fail "unexpected error: $(tail -n 3 "$tmp/alias.log")"
}

for profile in dev release custom; do
  check "profile $profile: crateplan's app prints what cargo's prints" same_as_cargo "$profile"
done
check "LTO and panic flags per derivation" lto_flags
check "tests.<member> under the release profile" release_tests
check "an unknown profile is a Nix error naming it" unknown_profile
check "lib.nix aliases: codegenUnits, release = false" aliases

printf '\nprofiles: %d passed, %d failed (%ss)\n' "${#PASSED[@]}" "${#FAILED[@]}" $((SECONDS - started))
for f in "${FAILED[@]}"; do printf 'FAILED: %s\n' "$f"; done
[ "${#FAILED[@]}" -eq 0 ]
