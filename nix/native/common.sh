# shellcheck shell=sh
# shellcheck disable=SC2154 # inputs arrive in the environment (see below)
# Functions shared by build-crate.sh and test-crate.sh: the steps cargo takes
# for one package, written for a POSIX shell (dash, bash, busybox sh).
#
# Every input comes from the environment that nix/native.nix sets up; see the
# list at the top of build-crate.sh. Lists arrive one item per line.
#
# Files under $work while building:
#   src/            the unpacked .crate (registry crates only)
#   out/            OUT_DIR, unless the caller sets $outDir
#   script/         the compiled build script, its stdout and the parsed
#                   directives (one file per kind, one entry per line)
#   <set>.externs   --extern NAME=PATH for a set of dependencies
#   <set>.deps      -L dependency=DIR for their transitive closure
#   <set>.native    -L KIND=PATH from their build scripts, transitively
#
# What a dependency's lib output holds (read by its dependents):
#   lib/                    the compiled library (rlib, proc-macro, ...)
#   out/                    OUT_DIR, kept when the links metadata or a link
#                           search path points into it
#   native/N/               native libraries found in other temporary places
#   crateplan/extern        the file to pass to --extern
#   crateplan/deps          lib directories of itself and everything below it
#   crateplan/native        link search paths (KIND=PATH) of the same closure
#   crateplan/links         the `links` value, when the package has one
#   crateplan/metadata      KEY=VALUE from cargo::metadata, for DEP_<LINKS>_<KEY>

set -eu

work=${NIX_BUILD_TOP:-$PWD}
tab=$(printf '\t')

die() {
  printf 'crateplan: %s: %s\n' "${crateName:-crate}" "$*" >&2
  exit 1
}

# export_assignment NAME=VALUE
export_assignment() {
  # shellcheck disable=SC2163 # the argument is the assignment itself
  export "$1"
}

# Cargo's spelling of a name inside an environment variable name.
env_name() {
  printf '%s' "$1" | tr 'abcdefghijklmnopqrstuvwxyz-' 'ABCDEFGHIJKLMNOPQRSTUVWXYZ_'
}

# Puts the package's sources where the build can read them and sets pkgRoot.
# A .crate file is unpacked; a directory (git checkout or filtered path
# source) is used in place unless the first argument is "copy".
unpack_source() {
  case "$src" in
    *.crate)
      mkdir -p "$work/src"
      tar -xzf "$src" -C "$work/src"
      set -- "$work/src"/*
      if [ "$#" -ne 1 ] || [ ! -d "$1" ]; then
        die "$src does not hold exactly one directory"
      fi
      pkgRoot=$1
      ;;
    *)
      pkgRoot=$src
      if [ "${1:-}" = copy ]; then
        mkdir -p "$work/src"
        cp -R "$src/." "$work/src/"
        chmod -R u+w "$work/src"
        pkgRoot=$work/src
      fi
      ;;
  esac
  CARGO_MANIFEST_DIR=$pkgRoot
  CARGO_MANIFEST_PATH=$pkgRoot/Cargo.toml
  export CARGO_MANIFEST_DIR CARGO_MANIFEST_PATH
}

# collect_deps SET LINES: for dependency lines "EXTERN LIBOUTPUT", writes
# $work/SET.externs, $work/SET.deps and $work/SET.native (see the top).
collect_deps() {
  set_name=$1
  : >"$work/$set_name.externs"
  : >"$work/$set_name.deps.tmp"
  : >"$work/$set_name.native.tmp"
  while read -r ext dir; do
    [ -n "$ext" ] || continue
    if [ -f "$dir/crateplan/extern" ]; then
      printf '%s=%s\n' "$ext" "$(cat "$dir/crateplan/extern")" >>"$work/$set_name.externs"
    fi
    cat "$dir/crateplan/deps" >>"$work/$set_name.deps.tmp"
    cat "$dir/crateplan/native" >>"$work/$set_name.native.tmp"
  done <<EOF
$2
EOF
  sort -u "$work/$set_name.deps.tmp" >"$work/$set_name.deps"
  sort -u "$work/$set_name.native.tmp" >"$work/$set_name.native"
  rm -f "$work/$set_name.deps.tmp" "$work/$set_name.native.tmp"
}

# Exports DEP_<LINKS>_<KEY> for every direct dependency that has `links`.
export_links_metadata() {
  while read -r ext dir; do
    if [ -z "$ext" ] || [ ! -f "$dir/crateplan/links" ]; then
      continue
    fi
    links=$(env_name "$(cat "$dir/crateplan/links")")
    while IFS= read -r kv; do
      [ -n "$kv" ] || continue
      export "DEP_${links}_$(env_name "${kv%%=*}")=${kv#*=}"
    done <"$dir/crateplan/metadata"
  done <<EOF
$1
EOF
}

# The profile's code generation flags, appended to the caller's "$@" by
# printing one argument per line (none of them contains a newline).
profile_args() {
  printf '%s\n' -C "opt-level=$optLevel" -C "debuginfo=$debugInfo" \
    -C "debug-assertions=$debugAssertions" -C "overflow-checks=$overflowChecks" \
    -C "codegen-units=$codegenUnits"
  if [ "$debugInfo" = 0 ] && [ "$profile" = release ]; then
    printf '%s\n' -C strip=debuginfo
  fi
}

# run_rustc SETS... -- ARGS...: runs rustc with ARGS plus everything common to
# this package's targets: the profile, features, check-cfg, the build
# script's directives, and the externs and search paths of each dependency
# set named before `--`.
run_rustc() {
  sets=
  while [ "$1" != -- ]; do
    sets="$sets $1"
    shift
  done
  shift
  while IFS= read -r a; do set -- "$@" "$a"; done <<EOF
$(profile_args)
EOF
  for f in $crateFeatures; do set -- "$@" --cfg "feature=\"$f\""; done
  set -- "$@" --check-cfg 'cfg(docsrs,test)' --check-cfg "cfg(feature, values($checkCfgFeatures))"
  [ -z "$capLints" ] || set -- "$@" --cap-lints "$capLints"
  [ -z "$targetTriple" ] || set -- "$@" --target "$targetTriple"
  set -- "$@" --remap-path-prefix "$work=/build"
  for s in $sets; do
    while IFS= read -r e; do [ -z "$e" ] || set -- "$@" --extern "$e"; done <"$work/$s.externs"
    while IFS= read -r d; do [ -z "$d" ] || set -- "$@" -L "dependency=$d"; done <"$work/$s.deps"
    while IFS= read -r n; do [ -z "$n" ] || set -- "$@" -L "$n"; done <"$work/$s.native"
  done
  if [ -d "$work/script" ]; then
    while IFS= read -r c; do set -- "$@" --cfg "$c"; done <"$work/script/cfg"
    while IFS= read -r c; do set -- "$@" --check-cfg "$c"; done <"$work/script/check-cfg"
    while IFS= read -r l; do set -- "$@" -l "$l"; done <"$work/script/link-lib"
    while IFS= read -r l; do set -- "$@" -L "$l"; done <"$work/script/link-search"
  fi
  while IFS= read -r o; do [ -z "$o" ] || set -- "$@" "$o"; done <<EOF
$extraRustcOpts
EOF
  if [ -n "${NIX_DEBUG:-}" ]; then
    printf 'rustc' >&2
    printf ' %s' "$@" >&2
    printf '\n' >&2
  fi
  if [ -s "$work/rustc-env" ]; then
    # Variables whose names the shell cannot export (CARGO_BIN_EXE_<bin>
    # with a dash) go through env(1): append them and rustc to the
    # arguments, then rotate the original arguments to the end.
    n=$#
    while IFS= read -r kv; do set -- "$@" "$kv"; done <"$work/rustc-env"
    set -- "$@" "$RUSTC"
    while [ "$n" -gt 0 ]; do
      a=$1
      shift
      set -- "$@" "$a"
      n=$((n - 1))
    done
    env "$@"
  else
    "$RUSTC" "$@"
  fi
}

# link_args SCOPE...: prints -C link-arg=... for the build script's
# rustc-link-arg directives of the given scopes (all, bins, bin:NAME, tests,
# examples, benches, cdylib), plus the override's extraLinkFlags.
link_args() {
  [ -f "$work/script/link-arg" ] || return 0
  while IFS= read -r line; do
    scope=${line%%"$tab"*}
    for want in "$@"; do
      if [ "$scope" = "$want" ]; then
        printf '%s\n' "-Clink-arg=${line#*"$tab"}"
      fi
    done
  done <"$work/script/link-arg"
  while IFS= read -r f; do
    [ -z "$f" ] || printf '%s\n' "-Clink-arg=$f"
  done <<EOF
$extraLinkFlags
EOF
}

# Records one build script directive; $1 is "new" for `cargo::`, "old" for
# `cargo:`, $2 the key and $3 the value.
record_directive() {
  d=$work/script
  case "$2" in
    rustc-link-lib) printf '%s\n' "$3" >>"$d/link-lib" ;;
    rustc-link-search) printf '%s\n' "$3" >>"$d/link-search" ;;
    rustc-flags) record_rustc_flags "$3" ;;
    rustc-cfg) printf '%s\n' "$3" >>"$d/cfg" ;;
    rustc-check-cfg) printf '%s\n' "$3" >>"$d/check-cfg" ;;
    rustc-env) printf '%s\n' "$3" >>"$d/env" ;;
    rustc-link-arg) printf 'all\t%s\n' "$3" >>"$d/link-arg" ;;
    rustc-link-arg-bins) printf 'bins\t%s\n' "$3" >>"$d/link-arg" ;;
    rustc-link-arg-bin) printf 'bin:%s\t%s\n' "${3%%=*}" "${3#*=}" >>"$d/link-arg" ;;
    rustc-link-arg-tests) printf 'tests\t%s\n' "$3" >>"$d/link-arg" ;;
    rustc-link-arg-examples) printf 'examples\t%s\n' "$3" >>"$d/link-arg" ;;
    rustc-link-arg-benches) printf 'benches\t%s\n' "$3" >>"$d/link-arg" ;;
    rustc-link-arg-cdylib | rustc-cdylib-link-arg) printf 'cdylib\t%s\n' "$3" >>"$d/link-arg" ;;
    warning) printf 'warning: %s: %s\n' "$crateName" "$3" >&2 ;;
    error) printf 'error: %s: %s\n' "$crateName" "$3" >&2; printf '%s\n' "$3" >>"$d/errors" ;;
    rerun-if-changed | rerun-if-env-changed) ;;
    metadata)
      if [ "$1" = new ]; then
        printf '%s\n' "$3" >>"$d/metadata"
      else
        printf 'metadata=%s\n' "$3" >>"$d/metadata"
      fi
      ;;
    *)
      if [ "$1" = new ]; then
        die "the build script printed an unknown directive: cargo::$2=$3"
      fi
      # Legacy `cargo:KEY=VALUE`: metadata for dependents' DEP_* variables.
      printf '%s=%s\n' "$2" "$3" >>"$d/metadata"
      ;;
  esac
}

# cargo:rustc-flags allows only -l and -L, split or joined.
record_rustc_flags() {
  pending=
  set -f
  # shellcheck disable=SC2086 # split on blanks, as cargo does
  set -- $1
  set +f
  for tok in "$@"; do
    case "$pending$tok" in
      -l) pending=-l ;;
      -L) pending=-L ;;
      -l*) printf '%s\n' "${tok#-l}" >>"$work/script/link-lib"; pending= ;;
      -L*) printf '%s\n' "${tok#-L}" >>"$work/script/link-search"; pending= ;;
      *) die "rustc-flags allows only -l and -L, got: $tok" ;;
    esac
  done
  [ -z "$pending" ] || die "rustc-flags ends with $pending and no value"
}

# Reads the build script's stdout and records every directive.
parse_directives() {
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
      cargo::*) syntax=new; kv=${line#cargo::} ;;
      cargo:*) syntax=old; kv=${line#cargo:} ;;
      *) continue ;;
    esac
    case "$kv" in
      *=*) record_directive "$syntax" "${kv%%=*}" "${kv#*=}" ;;
      *) [ "$syntax" = old ] || die "malformed build script directive: $line" ;;
    esac
  done <"$work/script/output"
}

# Compiles the build script for the host with its build dependencies, runs it
# with cargo's environment, and parses what it printed into $work/script.
run_build_script() {
  OUT_DIR=${outDir:-$work/out}
  mkdir -p "$work/script" "$OUT_DIR"
  for f in cfg check-cfg env link-lib link-search link-arg metadata; do
    : >"$work/script/$f"
  done
  collect_deps build "$buildDeps"
  (
    # The build script itself is built like a host crate: no --target, and
    # with cargo's build-override profile.
    # shellcheck disable=SC2030 # meant for this subshell only
    optLevel=0 debugInfo=0 codegenUnits=256 targetTriple=
    CARGO_CRATE_NAME=build_script_build
    export CARGO_CRATE_NAME
    run_rustc build -- --crate-name build_script_build --crate-type bin \
      --edition "$crateEdition" "$pkgRoot/$buildScript" \
      -C "metadata=$metadataHash-build-script" -o "$work/script/build-script-build"
  )
  (
    NUM_JOBS=${NIX_BUILD_CORES:-1}
    [ "$NUM_JOBS" != 0 ] || NUM_JOBS=1
    # shellcheck disable=SC2031 # the instance's profile, not the build script's
    DEBUG=$([ "$debugInfo" = 0 ] && echo false || echo true)
    # shellcheck disable=SC2031
    OPT_LEVEL=$optLevel PROFILE=$profile TARGET=$targetPlatform HOST=$hostPlatform
    CARGO_ENCODED_RUSTFLAGS=
    export OUT_DIR NUM_JOBS DEBUG OPT_LEVEL PROFILE TARGET HOST CARGO_ENCODED_RUSTFLAGS
    [ -z "$CARGO" ] || export CARGO
    [ -z "$links" ] || export CARGO_MANIFEST_LINKS="$links"
    unset RUSTC_LINKER RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER CARGO_CRATE_NAME
    while IFS= read -r kv; do [ -z "$kv" ] || export_assignment "$kv"; done <<EOF
$cargoCfg
EOF
    for f in $crateFeatures; do export "CARGO_FEATURE_$(env_name "$f")=1"; done
    export_links_metadata "$deps"
    cd "$pkgRoot"
    if ! "$work/script/build-script-build" >"$work/script/output"; then
      cat "$work/script/output" >&2
      die "the build script failed"
    fi
  )
  parse_directives
  if [ -s "$work/script/errors" ]; then
    die "the build script reported errors"
  fi
  while IFS= read -r kv; do [ -z "$kv" ] || export_assignment "$kv"; done <"$work/script/env"
  export OUT_DIR
}

# Environment every rustc call of this package sees (cargo sets these for
# the lib, bins and tests alike).
export_compile_env() {
  [ -z "$primaryPackage" ] || export CARGO_PRIMARY_PACKAGE=1
  unset RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER
}

# Shell snippets from overrides, evaluated in the builder's shell.
run_hook() {
  hook=$1
  [ -n "$hook" ] || return 0
  eval "$hook"
}
