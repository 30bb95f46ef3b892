# shellcheck shell=sh
# shellcheck disable=SC2154 # inputs arrive in the environment (testContract)
# The library's doc tests, as `cargo test` runs them: `rustdoc --test` on the
# lib's root file, with the arguments cargo gives rustdoc (checked against
# `cargo test -v --doc`, cargo 1.95):
#
#   rustdoc --edition=E --crate-type T... --crate-name N --test SRC
#     --test-run-directory PKGROOT [--test-args ARG]... [--target T]
#     --extern N=SELF [--extern proc_macro] --extern DEP=... (normal and dev)
#     -L dependency=...
#     -C embed-bitcode=no --cfg feature="F"... --check-cfg ...
#     --cfg/--check-cfg from the build script, RUSTDOCFLAGS
#
# Cargo passes none of the profile's codegen flags to rustdoc (doc tests
# build with rustdoc's defaults), so neither does this. The environment is
# the one the package's rustc calls see (CARGO_PKG_*, CARGO_MANIFEST_DIR,
# OUT_DIR, the build script's rustc-env), and the doc tests run in the
# package root, so file reads in doc tests resolve as under cargo.
# rustdoc itself handles every attribute (ignore, should_panic, no_run,
# compile_fail, edition20xx, test_harness, hidden `#` lines, fn main).
#
# Sourced by test-crate.sh after common.sh, collect_deps (normal, dev) and
# the build script run. Reads docTest, RUSTDOC, rustdocFlags, docTestDir and
# testFlags (each as --test-args), documented in `testContract` in
# nix/native.nix.

# run_doc_tests LOG: runs the doc tests with their output in LOG; returns
# rustdoc's status (non-zero when a doc test failed or did not compile).
run_doc_tests() {
  log=$1
  # The workspace root as cargo sees it: the package at its relative path.
  docRoot=$pkgRoot
  docSrc=$libPath
  case "$docTestDir" in
    "" | .) ;;
    *)
      docRoot=$work/doctest-root
      mkdir -p "$docRoot/$docTestDir"
      rmdir "$docRoot/$docTestDir"
      ln -s "$pkgRoot" "$docRoot/$docTestDir"
      docSrc=$docTestDir/$libPath
      ;;
  esac
  set --
  for t in $libCrateTypes; do set -- "$@" --crate-type "$t"; done
  set -- "$@" --edition="$libEdition" --crate-name "$libName" \
    --test "$docSrc" --test-run-directory "$pkgRoot"
  while IFS= read -r a; do [ -z "$a" ] || set -- "$@" --test-args "$a"; done <<EOF
$testFlags
EOF
  [ -z "$targetTriple" ] || set -- "$@" --target "$targetTriple"
  if [ -n "$selfLib" ] && [ -f "$selfLib/crateplan/extern" ]; then
    set -- "$@" --extern "$libName=$(cat "$selfLib/crateplan/extern")" -L "dependency=$selfLib/lib"
  fi
  [ -z "$procMacro" ] || set -- "$@" --extern proc_macro
  for s in normal dev; do
    while IFS= read -r e; do [ -z "$e" ] || set -- "$@" --extern "$e"; done <"$work/$s.externs"
    while IFS= read -r d; do [ -z "$d" ] || set -- "$@" -L "dependency=$d"; done <"$work/$s.deps"
    while IFS= read -r n; do [ -z "$n" ] || set -- "$@" -L "$n"; done <"$work/$s.native"
  done
  set -- "$@" -C embed-bitcode=no
  for f in $crateFeatures; do set -- "$@" --cfg "feature=\"$f\""; done
  set -- "$@" --check-cfg 'cfg(docsrs,test)' --check-cfg "cfg(feature, values($checkCfgFeatures))"
  if [ -d "$work/script" ]; then
    while IFS= read -r c; do set -- "$@" --cfg "$c"; done <"$work/script/cfg"
    while IFS= read -r c; do set -- "$@" --check-cfg "$c"; done <"$work/script/check-cfg"
    while IFS= read -r l; do set -- "$@" -L "$l"; done <"$work/script/link-search"
  fi
  while IFS= read -r a; do [ -z "$a" ] || set -- "$@" "$a"; done <<EOF
$rustdocFlags
EOF
  if [ -n "${NIX_DEBUG:-}" ]; then
    printf 'rustdoc' >&2
    printf ' %s' "$@" >&2
    printf '\n' >&2
  fi
  CARGO_CRATE_NAME=$libName
  export CARGO_CRATE_NAME
  # Doc tests compile in rustdoc's own temporary directories and run in
  # --test-run-directory.
  (cd "$docRoot" && "$RUSTDOC" "$@") >"$log" 2>&1 </dev/null
}
