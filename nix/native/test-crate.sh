# shellcheck shell=sh
# shellcheck disable=SC2154 # inputs arrive in the environment (see below)
# Builds a package's test targets with its dev-dependencies and runs them,
# as `cargo test` does: the lib's and bins' unit tests, integration tests,
# examples (all built, so a broken one fails; run when `test = true`),
# benches with `test = true`, then the lib's doc tests (doctest.sh). Any
# failing test fails the derivation. $out receives one log per test binary,
# doc-<lib>.log for the doc tests, and summary.json (test-summary.sh).
#
# Environment: the variables of `buildContract` and `testContract` in
# nix/native.nix (documented there, checked on entry by common.sh), plus
# $common, $doctestLib and $summaryLib, the paths of common.sh, doctest.sh
# and test-summary.sh.

# shellcheck source=nix/native/common.sh
. "$common"
# shellcheck source=nix/native/doctest.sh
. "$doctestLib"
# shellcheck source=nix/native/test-summary.sh
. "$summaryLib"

# Test executables go where cargo puts them, in deps/ under a target
# directory that holds the package's binaries: tests that find a binary
# beside their own directory (ripgrep's `current_exe()/../rg`, assert_cmd
# without CARGO_BIN_EXE_*) find it there.
targetDir=$work/target
testDir=$targetDir/deps
mkdir -p "$out" "$testDir"
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

# The test binaries to run, in cargo's order: NAME<TAB>KIND<TAB>SRC<TAB>HARNESS.
: >"$work/tests.list"

# The library's unit tests.
if [ -n "$libName" ] && [ -n "$libTest" ]; then
  set --
  [ -z "$procMacro" ] || set -- --extern proc_macro
  CARGO_CRATE_NAME=$libName
  export CARGO_CRATE_NAME
  run_rustc normal dev -- "$@" --test --crate-name "$libName" --edition "$libEdition" \
    "$pkgRoot/$libPath" -C "metadata=$metadataHash-test" -o "$testDir/lib-$libName"
  printf 'lib-%s\tlib\t%s\t1\n' "$libName" "$libPath" >>"$work/tests.list"
fi

# The rest link the library as cargo does, and see the bins' paths.
selfArgs=
if [ -n "$selfLib" ] && [ -f "$selfLib/crateplan/extern" ] && [ -z "$procMacro" ]; then
  selfArgs=1
fi
# Integration tests and benches (only they, as with cargo) see
# CARGO_BIN_EXE_<name> and CARGO_TARGET_TMPDIR, through env(1) (see run_rustc).
: >"$work/rustc-env.integration"
while IFS="$tab" read -r binName binPath binEdition; do
  [ -n "$binName" ] || continue
  printf 'CARGO_BIN_EXE_%s=%s\n' "$binName" "$selfOut/bin/$binName" >>"$work/rustc-env.integration"
done <<EOF
$bins
EOF
# The binaries beside deps/, as in cargo's target directory.
if [ -d "$selfOut/bin" ]; then
  for b in "$selfOut"/bin/*; do
    [ ! -e "$b" ] || ln -s "$b" "$targetDir/${b##*/}"
  done
fi
# Cargo gives integration tests a scratch directory of their own.
mkdir -p "$work/target-tmp"
printf 'CARGO_TARGET_TMPDIR=%s\n' "$work/target-tmp" >>"$work/rustc-env.integration"

# compile_test NAME PATH EDITION HARNESS SCOPE...: HARNESS is 1 (--test), 0
# (a plain bin) or `crate-types T...` (an example of other crate types,
# written to $work/examples/NAME).
compile_test() {
  name=$1 path=$2 edition=$3 harness=$4
  shift 4
  crate=$(printf '%s' "$name" | tr - _)
  scopes=$*
  case " $scopes " in
    *" tests "* | *" benches "*) cp "$work/rustc-env.integration" "$work/rustc-env" ;;
    *) : >"$work/rustc-env" ;;
  esac
  output=-o
  outPath=$testDir/$name
  case "$harness" in
    1) set -- --test ;;
    0) set -- --crate-type bin ;;
    *)
      set --
      for t in ${harness#crate-types }; do
        [ "$t" != lib ] || t=rlib
        set -- "$@" --crate-type "$t"
      done
      output=--out-dir
      outPath=$work/examples/$name
      mkdir -p "$outPath"
      ;;
  esac
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
    "$pkgRoot/$path" -C "metadata=$metadataHash-test-$name" "$output" "$outPath"
}

while IFS="$tab" read -r binName binPath binEdition; do
  [ -n "$binName" ] || continue
  CARGO_BIN_NAME=$binName
  export CARGO_BIN_NAME
  compile_test "bin-$binName" "$binPath" "$binEdition" 1 bins "bin:$binName"
  unset CARGO_BIN_NAME
  printf 'bin-%s\tbin\t%s\t1\n' "$binName" "$binPath" >>"$work/tests.list"
done <<EOF
$binTests
EOF

while IFS="$tab" read -r testName testPath testEdition testHarness; do
  [ -n "$testName" ] || continue
  compile_test "$testName" "$testPath" "$testEdition" "$testHarness" tests
  printf '%s\ttest\t%s\t%s\n' "$testName" "$testPath" "$testHarness" >>"$work/tests.list"
done <<EOF
$testTargets
EOF

while IFS="$tab" read -r benchName benchPath benchEdition benchHarness; do
  [ -n "$benchName" ] || continue
  compile_test "bench-$benchName" "$benchPath" "$benchEdition" "$benchHarness" benches
  printf 'bench-%s\tbench\t%s\t%s\n' "$benchName" "$benchPath" "$benchHarness" >>"$work/tests.list"
done <<EOF
$benchTargets
EOF

# Examples: cargo test builds every one whose required-features are enabled
# and runs those with `test = true` as tests.
while IFS="$tab" read -r exName exPath exEdition exTest exTypes; do
  [ -n "$exName" ] || continue
  if [ "$exTest" = 1 ]; then
    compile_test "example-$exName" "$exPath" "$exEdition" 1 examples
    printf 'example-%s\texample\t%s\t1\n' "$exName" "$exPath" >>"$work/tests.list"
  elif [ "$exTypes" = bin ]; then
    compile_test "example-$exName" "$exPath" "$exEdition" 0 examples
    rm -f "$testDir/example-$exName"
  else
    compile_test "example-$exName" "$exPath" "$exEdition" "crate-types $exTypes" examples
  fi
done <<EOF
$exampleTargets
EOF

# Run every test binary from the package root, as cargo does, then the doc
# tests. Unlike cargo's default fail-fast, every binary runs, so one build
# reports every failure.
run_hook "$testPreRun"
failed=
while IFS="$tab" read -r name kind path harness; do
  [ -n "$name" ] || continue
  printf 'crateplan: running %s of %s\n' "$name" "$crateName" >&2
  set --
  while IFS= read -r a; do [ -z "$a" ] || set -- "$@" "$a"; done <<EOF
$testFlags
EOF
  # Integration tests and benches also get CARGO_BIN_EXE_<name> and
  # CARGO_TARGET_TMPDIR at run time: assert_cmd's cargo_bin() and the like
  # look there first, then beside the test executable (cargo's target dir,
  # which a per-crate build does not have). Store paths: no spaces.
  runEnv=/dev/null
  case "$kind" in test | bench) runEnv=$work/rustc-env.integration ;; esac
  status=ok
  # shellcheck disable=SC2046 # one NAME=VALUE word per line
  (cd "$pkgRoot" && exec env $(cat "$runEnv") "$testDir/$name" "$@") >"$out/$name.log" 2>&1 </dev/null || status=failed
  cat "$out/$name.log"
  record_result "$name" "$kind" "$path" "$harness" "$status"
  if [ "$status" = failed ]; then
    printf 'crateplan: %s of %s failed\n' "$name" "$crateName" >&2
    failed=1
  fi
done <"$work/tests.list"
if [ -n "$libName" ] && [ -n "$docTest" ]; then
  printf 'crateplan: running the doc tests of %s\n' "$crateName" >&2
  status=ok
  run_doc_tests "$out/doc-$libName.log" || status=failed
  cat "$out/doc-$libName.log"
  record_result "doc-$libName" doctest "$libPath" 1 "$status"
  if [ "$status" = failed ]; then
    printf 'crateplan: the doc tests of %s failed\n' "$crateName" >&2
    failed=1
  fi
fi
run_hook "$testPostRun"
write_summary "$([ -z "$failed" ] && echo ok || echo failed)"
[ -z "$failed" ] || die "tests failed"
