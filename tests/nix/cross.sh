#!/usr/bin/env bash
# Cross-compilation (issue 10): tests/nix/cross (see its README.md) built
# per crate with the native builder and no nixpkgs, natively and for
# aarch64-unknown-linux-gnu, in the Debian Nix of tests/nix/env (the host's
# rustc with Debian's libstd-rust-dev:arm64, gcc-aarch64-linux-gnu, and
# qemu-user to run the result):
#
#   - the aarch64 cross-app is an aarch64 ELF (checked from its header),
#     runs under qemu and prints what the native one prints, except the
#     lines naming the platform, which name aarch64: Rust, the C compiled
#     through the cc crate, the target-specific dependency, and the TARGET
#     and CARGO_CFG_TARGET_ARCH its build script saw;
#   - every host instance (the proc-macro, cc, what they use) is the same
#     derivation as in the native build, and target instances are not;
#   - a target without its standard library, and a missing cross linker,
#     fail with what to install.
#
# Run it as: tests/nix/env -- /project/tests/nix/cross.sh
# Prints PASS/FAIL per check; exits 1 if any check failed.
set -uo pipefail

cd "$(dirname "$0")/../.."
project=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
started=$SECONDS
export NIX_CONFIG="substitute = false"
triple=aarch64-unknown-linux-gnu

# shellcheck source-path=SCRIPTDIR source=lib-checks.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-checks.sh"

# The workspace through lib.nix, for `target` (null: natively) and with a
# `toolchain` argument (Nix text).
cat >"$tmp/cross.nix" <<EOF
{ target ? null, toolchain ? { } }:
(import $project/lib.nix { }).buildWorkspace (
  { src = $project/tests/nix/cross; inherit toolchain; }
  // (if target == null then { } else { inherit target; })
)
EOF

build_native() {
  nix-build --no-out-link "$tmp/cross.nix" -A workspaceMembers.cross-app.build >"$tmp/native" ||
    fail "nix-build (native) failed"
  "$(cat "$tmp/native")/bin/cross-app" >"$tmp/native.stdout" || fail "native cross-app exited $?"
  sed 's/^/  | /' "$tmp/native.stdout"
}

build_cross() {
  nix-build --no-out-link "$tmp/cross.nix" --argstr target "$triple" -A workspaceMembers.cross-app.build \
    >"$tmp/cross" || fail "nix-build (--argstr target $triple) failed"
  [ -f "$(cat "$tmp/cross")/bin/cross-app" ] || fail "no bin/cross-app in $(cat "$tmp/cross")"
}

# The ELF header: magic, 64-bit class, little endian, e_machine 183 (AArch64).
elf_header() {
  local bin header
  bin=$(need cross)/bin/cross-app
  header=$(od -An -tx1 -N20 "$bin" | tr -d ' \n')
  echo "  header: $header"
  [ "${header:0:8}" = 7f454c46 ] || fail "not an ELF file"
  [ "${header:8:2}" = 02 ] || fail "not a 64-bit ELF (class ${header:8:2})"
  [ "${header:10:2}" = 01 ] || fail "not little endian"
  [ "${header:36:4}" = b700 ] || fail "e_machine is ${header:36:4}, expected b700 (AArch64)"
}

run_under_qemu() {
  local bin
  bin=$(need cross)/bin/cross-app
  qemu-aarch64 -L /usr/aarch64-linux-gnu "$bin" >"$tmp/cross.stdout" || fail "cross-app under qemu exited $?"
  sed 's/^/  | /' "$tmp/cross.stdout"
}

same_output() {
  need native.stdout >/dev/null
  need cross.stdout >/dev/null
  grep -v '^arch' "$tmp/native.stdout" >"$tmp/native.common"
  grep -v '^arch' "$tmp/cross.stdout" >"$tmp/cross.common"
  [ "$(wc -l <"$tmp/native.common")" -ge 4 ] || fail "the native build printed too little"
  diff -u "$tmp/native.common" "$tmp/cross.common" || fail "the aarch64 build prints other lines than the native one"
}

# arch_lines FILE ARCH TRIPLE: every `arch` line names ARCH (TRIPLE for TARGET).
arch_lines() {
  local file=$1 arch=$2 want=$3 expected
  expected="arch (rust): $arch
arch (c): $arch
arch (target-specific dependency): $arch
arch (build script TARGET): $want
arch (build script CARGO_CFG_TARGET_ARCH): $arch"
  [ "$(grep '^arch' "$tmp/$file")" = "$expected" ] || {
    grep '^arch' "$tmp/$file" >&2
    fail "expected:
$expected"
  }
}

# instance_drvs TARGET_ARGS...: "KEY PLATFORM DRVPATH" per plan instance.
instance_drvs() {
  nix eval --impure --raw --expr "
    let ws = import $tmp/cross.nix { $1 };
    in builtins.concatStringsSep \"\" (map (k:
      \"\${k} \${ws.plan.instances.\${k}.platform} \${ws.internal.crates.\${k}.drvPath}\\n\")
      (builtins.attrNames ws.plan.instances))"
}

host_instances_unchanged() {
  instance_drvs "" >"$tmp/native.drvs" || fail "nix eval (native) failed"
  instance_drvs "target = \"$triple\";" >"$tmp/cross.drvs" || fail "nix eval (cross) failed"
  local hosts targets
  hosts=$(awk '$2 == "host" { print $1 }' "$tmp/cross.drvs")
  targets=$(awk '$2 == "target" { print $1 }' "$tmp/cross.drvs")
  echo "  host instances: $(echo "$hosts" | tr '\n' ' ')"
  echo "$hosts" | grep -qx 'cross-macros-0.1.0@host' || fail "the proc-macro is not a host instance"
  echo "$hosts" | grep -qx 'cross-shared-0.1.0@host' || fail "cross-shared under the proc-macro is not a host instance"
  echo "$hosts" | grep -q '^cc-' || fail "cc (a build dependency) is not a host instance"
  local key native_drv cross_drv
  for key in $hosts; do
    native_drv=$(awk -v k="$key" '$1 == k { print $3 }' "$tmp/native.drvs")
    cross_drv=$(awk -v k="$key" '$1 == k { print $3 }' "$tmp/cross.drvs")
    [ -n "$native_drv" ] || fail "$key is not in the native plan"
    [ "$native_drv" = "$cross_drv" ] || fail "$key: $cross_drv in the cross build, $native_drv natively"
  done
  for key in $targets; do
    native_drv=$(awk -v k="$key" '$1 == k { print $3 }' "$tmp/native.drvs")
    cross_drv=$(awk -v k="$key" '$1 == k { print $3 }' "$tmp/cross.drvs")
    [ "$native_drv" != "$cross_drv" ] || fail "$key (a target instance) is the same derivation in both builds"
  done
}

# app_deps TARGET_ARGS...: the instances cross-app depends on, one line.
app_deps() {
  nix eval --impure --raw --expr "
    let ws = import $tmp/cross.nix { $1 };
    in builtins.concatStringsSep \" \" (map (d: d.instance) ws.plan.instances.\"cross-app-0.1.0\".deps)"
}

# The target-specific dependency follows the target (both arch crates are
# members, so both are in each plan; only the platform's one is a dependency).
target_specific_dependency() {
  local native cross
  native=$(app_deps "") || fail "nix eval (native) failed"
  cross=$(app_deps "target = \"$triple\";") || fail "nix eval (cross) failed"
  echo "  native: $native"
  echo "  cross:  $cross"
  [[ " $native " == *" arch-x86-64-0.1.0 "* && " $native " != *" arch-aarch64-"* ]] ||
    fail "natively, cross-app should depend on arch-x86-64 only"
  [[ " $cross " == *" arch-aarch64-0.1.0 "* && " $cross " != *" arch-x86-64-"* ]] ||
    fail "for aarch64, cross-app should depend on arch-aarch64 only"
}

# A musl target: the planner knows it, the chroot has no standard library
# for it.
missing_std() {
  if nix-build --no-out-link "$tmp/cross.nix" --argstr target aarch64-unknown-linux-musl \
    -A workspaceMembers.cross-app.build >"$tmp/musl.log" 2>&1; then
    fail "building for aarch64-unknown-linux-musl succeeded"
  fi
  grep -F 'has no standard library for aarch64-unknown-linux-musl' "$tmp/musl.log" ||
    fail "no error about the standard library: $(tail -n 20 "$tmp/musl.log")"
  grep -qF 'rustup target add aarch64-unknown-linux-musl' "$tmp/musl.log" || fail "the error does not say what to install"
}

missing_linker() {
  if nix-build --no-out-link "$tmp/cross.nix" --argstr target "$triple" -A workspaceMembers.cross-app.build \
    --arg toolchain '{ target = { linker = "/nonexistent/aarch64-linux-gnu-gcc"; }; }' >"$tmp/linker.log" 2>&1; then
    fail "building with a missing linker succeeded"
  fi
  grep -F 'the linker for aarch64-unknown-linux-gnu, /nonexistent/aarch64-linux-gnu-gcc, is missing' "$tmp/linker.log" ||
    fail "no error about the linker: $(tail -n 20 "$tmp/linker.log")"
  grep -qF 'apt-get install gcc-aarch64-linux-gnu' "$tmp/linker.log" || fail "the error does not say what to install"
}

check "build natively (no nixpkgs)" build_native
check "build for $triple" build_cross
check "the binary is an aarch64 ELF" elf_header
check "it runs under qemu-aarch64" run_under_qemu
check "it prints what the native build prints" same_output
check "natively, the platform lines name x86_64" arch_lines native.stdout x86_64 x86_64-unknown-linux-gnu
check "cross, the platform lines name aarch64" arch_lines cross.stdout aarch64 "$triple"
check "host instances are the same derivations as natively" host_instances_unchanged
check "the target-specific dependency follows the target" target_specific_dependency
check "a target without its standard library says what to install" missing_std
check "a missing cross linker says what to install" missing_linker

printf '\n==== cross.sh: %s passed, %s failed, in %ss\n' "${#PASSED[@]}" "${#FAILED[@]}" $((SECONDS - started))
for n in "${FAILED[@]}"; do printf 'FAILED: %s\n' "$n"; done
if ((${#FAILED[@]} > 0)); then exit 1; fi
