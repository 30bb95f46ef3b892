# shellcheck shell=sh
# shellcheck disable=SC2154 # inputs arrive in the environment (see below)
# Builds a package's test targets with its dev-dependencies and runs them,
# as `cargo test` does (doc tests excepted); any failing test fails the
# derivation. $out receives one log per test binary.
#
# Environment: the variables of `buildContract` and `testContract` in
# nix/native.nix (documented there, checked on entry by common.sh), plus
# $common, the path of common.sh.

# shellcheck source=nix/native/common.sh
. "$common"

mkdir -p "$out" "$work/tests"
# Tests may write next to their sources, so they get a writable copy.
unpack_source copy
export_compile_env
run_hook "$preBuild"

collect_deps normal "$deps"
collect_deps dev "$devDeps"
if [ -n "$buildScript" ]; then
  run_build_script
fi

# Every test unit is built with the test profile.
unitFlags=$testUnitFlags

# The library's unit tests.
if [ -n "$libName" ] && [ -n "$libTest" ]; then
  set --
  [ -z "$procMacro" ] || set -- --extern proc_macro
  CARGO_CRATE_NAME=$libName
  export CARGO_CRATE_NAME
  run_rustc normal dev -- "$@" --test --crate-name "$libName" --edition "$libEdition" \
    "$pkgRoot/$libPath" -C "metadata=$metadataHash-test" -o "$work/tests/lib-$libName"
fi

# The rest link the library as cargo does, and see the bins' paths.
selfArgs=
if [ -n "$selfLib" ] && [ -f "$selfLib/crateplan/extern" ] && [ -z "$procMacro" ]; then
  selfArgs=1
fi
# CARGO_BIN_EXE_<name> for integration tests (through env(1), see run_rustc).
: >"$work/rustc-env"
while IFS="$tab" read -r binName binPath binEdition; do
  [ -n "$binName" ] || continue
  printf 'CARGO_BIN_EXE_%s=%s\n' "$binName" "$selfOut/bin/$binName" >>"$work/rustc-env"
done <<EOF
$bins
EOF
# Cargo gives integration tests a scratch directory of their own.
mkdir -p "$work/target-tmp"
printf 'CARGO_TARGET_TMPDIR=%s\n' "$work/target-tmp" >>"$work/rustc-env"

# compile_test NAME PATH EDITION HARNESS SCOPE...
compile_test() {
  name=$1 path=$2 edition=$3 harness=$4
  shift 4
  crate=$(printf '%s' "$name" | tr - _)
  scopes=$*
  if [ "$harness" = 1 ]; then
    set -- --test
  else
    set -- --crate-type bin
  fi
  if [ -n "$selfArgs" ]; then
    set -- "$@" --extern "$libName=$(cat "$selfLib/crateplan/extern")" -L "dependency=$selfLib/lib"
  fi
  # shellcheck disable=SC2086 # scopes are single words
  while IFS= read -r a; do [ -z "$a" ] || set -- "$@" "$a"; done <<EOF
$(link_args all $scopes)
EOF
  CARGO_CRATE_NAME=$crate
  export CARGO_CRATE_NAME
  run_rustc normal dev -- "$@" --crate-name "$crate" --edition "$edition" \
    "$pkgRoot/$path" -C "metadata=$metadataHash-test-$name" -o "$work/tests/$name"
}

while IFS="$tab" read -r binName binPath binEdition; do
  [ -n "$binName" ] || continue
  CARGO_BIN_NAME=$binName
  export CARGO_BIN_NAME
  compile_test "bin-$binName" "$binPath" "$binEdition" 1 bins "bin:$binName"
  unset CARGO_BIN_NAME
done <<EOF
$binTests
EOF

while IFS="$tab" read -r testName testPath testEdition testHarness; do
  [ -n "$testName" ] || continue
  compile_test "$testName" "$testPath" "$testEdition" "$testHarness" tests
done <<EOF
$testTargets
EOF

# Run every test binary from the package root, as cargo does.
run_hook "$testPreRun"
failed=
for t in "$work/tests"/*; do
  [ -f "$t" ] || continue
  name=${t##*/}
  printf 'crateplan: running %s of %s\n' "$name" "$crateName" >&2
  set --
  while IFS= read -r a; do [ -z "$a" ] || set -- "$@" "$a"; done <<EOF
$testFlags
EOF
  if (cd "$pkgRoot" && "$t" "$@") >"$out/$name.log" 2>&1; then
    cat "$out/$name.log"
  else
    cat "$out/$name.log"
    printf 'crateplan: %s of %s failed\n' "$name" "$crateName" >&2
    failed=1
  fi
done
run_hook "$testPostRun"
[ -z "$failed" ] || die "tests failed"
