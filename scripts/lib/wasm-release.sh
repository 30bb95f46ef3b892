# shellcheck shell=bash
# Sourced by scripts/build-wasm and scripts/build-explorer: a reproducible
# release build of one workspace package for wasm32-unknown-unknown.
#
#   wasm_release_build NAME PACKAGE TARGET_DIR   prints the target/<triple>/release dir
#
# Everything that decides the bytes is pinned here: the toolchain, the target,
# the profile (through CARGO_PROFILE_RELEASE_*, so the shared [profile.release]
# in Cargo.toml is not involved), --locked dependencies, and path remapping so
# that no absolute path of this machine (checkout, cargo registry, rustup
# toolchain, target dir) ends up in the module. The output is the same for any
# checkout location and any CARGO_HOME. Callers set $repo (the checkout, cwd).

WASM_TOOLCHAIN=1.95.0
WASM_TARGET=wasm32-unknown-unknown

wasm_release_build() {
  local name=$1 package=$2 target_dir=$3
  # The pinned toolchain is part of the build's inputs: install it if missing,
  # as a rust-toolchain.toml would (this script must not depend on the default).
  if ! command -v rustup >/dev/null; then
    echo "$name: rustup is needed to pin the toolchain (Rust $WASM_TOOLCHAIN)" >&2
    return 1
  fi
  if ! rustup run "$WASM_TOOLCHAIN" rustc --version >/dev/null 2>&1; then
    echo "$name: installing Rust $WASM_TOOLCHAIN (rustup toolchain install $WASM_TOOLCHAIN --profile minimal --target $WASM_TARGET)" >&2
    rustup toolchain install "$WASM_TOOLCHAIN" --profile minimal --target "$WASM_TARGET" >&2
  fi
  local sysroot
  sysroot=$(rustup run "$WASM_TOOLCHAIN" rustc --print sysroot)
  if [ ! -d "$sysroot/lib/rustlib/$WASM_TARGET" ]; then
    echo "$name: adding the $WASM_TARGET target to Rust $WASM_TOOLCHAIN" >&2
    rustup target add --toolchain "$WASM_TOOLCHAIN" "$WASM_TARGET" >&2
  fi

  mkdir -p "$target_dir"
  target_dir=$(cd "$target_dir" && pwd -P)
  local cargo_home=${CARGO_HOME:-$HOME/.cargo}
  cargo_home=$(cd "$cargo_home" 2>/dev/null && pwd -P || echo "$cargo_home")
  local rustup_home=${RUSTUP_HOME:-$HOME/.rustup}

  # Later prefixes win when several match, so the most specific come last.
  local remap=(
    "--remap-path-prefix=$rustup_home=/rustup"
    "--remap-path-prefix=$sysroot=/rustc/sysroot"
    "--remap-path-prefix=$cargo_home=/cargo"
    "--remap-path-prefix=$repo=/crateplan"
    "--remap-path-prefix=$target_dir=/crateplan/target"
  )
  (
    # CARGO_ENCODED_RUSTFLAGS takes precedence over RUSTFLAGS and over every
    # config file's rustflags: set it, so no user setting leaks into the build.
    CARGO_ENCODED_RUSTFLAGS=$(IFS=$'\x1f'; echo "${remap[*]}")
    export CARGO_ENCODED_RUSTFLAGS
    unset RUSTFLAGS RUSTC RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER RUSTDOCFLAGS \
      CARGO_BUILD_RUSTFLAGS CARGO_BUILD_TARGET_DIR CARGO_TARGET_DIR CARGO_BUILD_RUSTC_WRAPPER \
      CARGO_INCREMENTAL SOURCE_DATE_EPOCH

    export CARGO_PROFILE_RELEASE_OPT_LEVEL=s
    export CARGO_PROFILE_RELEASE_LTO=fat
    export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
    export CARGO_PROFILE_RELEASE_PANIC=abort
    export CARGO_PROFILE_RELEASE_DEBUG=false
    export CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS=false
    export CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=false
    export CARGO_PROFILE_RELEASE_STRIP=true
    export CARGO_PROFILE_RELEASE_INCREMENTAL=false

    echo "$name: rustup run $WASM_TOOLCHAIN cargo build --locked --release -p $package --target $WASM_TARGET" >&2
    rustup run "$WASM_TOOLCHAIN" cargo build --locked --release -p "$package" --target "$WASM_TARGET" \
      --target-dir "$target_dir" >&2
  ) || return 1
  echo "$target_dir/$WASM_TARGET/release"
}

# Fails when FILE holds an absolute path of this machine: the checkout, cargo's
# and rustup's homes, the target dir TARGET_DIR, any home directory.
wasm_check_no_leaks() {
  local name=$1 file=$2 target_dir=$3 leaks
  target_dir=$(cd "$target_dir" && pwd -P)
  local cargo_home=${CARGO_HOME:-$HOME/.cargo}
  cargo_home=$(cd "$cargo_home" 2>/dev/null && pwd -P || echo "$cargo_home")
  local patterns=(-e "$repo" -e "$cargo_home" -e "${RUSTUP_HOME:-$HOME/.rustup}" -e "$target_dir" -e "/root/" -e "/home/")
  if [ -n "${HOME:-}" ] && [ "$HOME" != / ]; then patterns+=(-e "$HOME"); fi
  leaks=$(strings -n 6 "$file" | grep -F "${patterns[@]}" || true)
  if [ -n "$leaks" ]; then
    echo "$name: $file contains absolute paths of this machine:" >&2
    echo "$leaks" | head -20 >&2
    return 1
  fi
}
