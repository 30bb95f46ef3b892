#!/usr/bin/env bash
# Hostile and broken input through lib.nix (issue 11), on the ifd and exec
# routes, in the Debian Nix of tests/nix/env. Each case: the exit status of
# `nix eval` (1: an evaluation error, never a crash), the planner's message,
# nothing that reads like a crash, and the peak resident memory of the
# evaluation (polled from /proc), which must stay under MAX_RSS_KB.
#
#   - .crate files from a registry (a `file://` download template): a GNU
#     long name declaring 900 MB, two Cargo.toml entries;
#   - a chain of 40000 features (a plan, no stack overflow);
#   - cyclic path dependencies (cargo's message, not "infinite recursion");
#   - a Cargo.lock that links to /dev/zero;
#   - `features = [ "typo" ]`;
#   - the exec route under `nix-instantiate --eval` (read-only): a small
#     request goes on the command line and works; one too large for that
#     says to use `nix eval` or `--read-write-mode`.
#
# tests/bad_input.rs covers the same inputs and more through the CLI; the
# plugin and wasm harnesses have their own cases (docs/testing.md).
#
# Run it as: tests/nix/env -- /project/tests/nix/bad-input.sh
# shellcheck disable=SC2016 # expected messages quote `code` literally
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 2
project=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
started=$SECONDS
MAX_RSS_KB=$((400 * 1024))

# shellcheck source-path=SCRIPTDIR source=lib-checks.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-checks.sh"
contains() {
  grep -qF -- "$2" "$1" || {
    head -c 3000 "$1" | sed 's/^/  | /' >&2
    fail "expected the output above to contain: $2"
  }
}
unsafe=(--option allow-unsafe-native-code-during-evaluation true)

# measured OUT ERR CMD...: runs CMD, records its exit status in $tmp/rc and
# its peak resident memory (kB, the largest VmHWM seen) in $tmp/rss.
measured() {
  local out=$1 err=$2 pid peak=0 hwm
  shift 2
  "$@" >"$out" 2>"$err" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
    if [ -n "$hwm" ] && [ "$hwm" -gt "$peak" ]; then peak=$hwm; fi
    sleep 0.05
  done
  local rc=0
  wait "$pid" || rc=$? # (errexit would end the check here)
  echo "$rc" >"$tmp/rc"
  echo "$peak" >"$tmp/rss"
}

# A workspace directory: app depending on `leaf = "1"` from a registry whose
# download template points at $tmp/crates.
registry_ws() {
  local dir=$1 crate=$2 name=$3 sum
  mkdir -p "$dir/src" "$tmp/crates"
  : >"$dir/src/lib.rs"
  cp "$crate" "$tmp/crates/$name-1.0.0.crate"
  sum=$(sha256sum "$crate" | cut -d' ' -f1)
  cat >"$dir/Cargo.toml" <<EOF
[package]
name = "app"
version = "0.1.0"
edition = "2021"
[dependencies]
$name = { version = "1", registry-index = "https://r.example/index" }
EOF
  cat >"$dir/Cargo.lock" <<EOF
version = 4
[[package]]
name = "app"
version = "0.1.0"
dependencies = ["$name"]

[[package]]
name = "$name"
version = "1.0.0"
source = "registry+https://r.example/index"
checksum = "$sum"
EOF
}

path_ws() {
  local dir=$1 tail=$2
  mkdir -p "$dir/src"
  : >"$dir/src/lib.rs"
  printf '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n%b' "$tail" >"$dir/Cargo.toml"
  printf 'version = 4\n[[package]]\nname = "app"\nversion = "0.1.0"\n' >"$dir/Cargo.lock"
}

cat >"$tmp/ws.nix" <<EOF
{ src, mode, cli, features ? [ ] }:
(import $project/lib.nix { }).buildWorkspace {
  inherit src mode features;
  crateplan = cli;
  registries."https://r.example/index" = "file://$tmp/crates/{crate}-{version}.crate";
}
EOF

setup() {
  local out
  out=$(nix-build --no-out-link -E "(import $project/lib.nix { }).crateplanCli") ||
    fail "building crateplanCli"
  echo "$out/bin/crateplan" >"$tmp/cli"
  registry_ws "$tmp/longname" "$project/fuzz/seeds/crate_archive/longname-bomb.crate" leaf
  registry_ws "$tmp/twomanifests" "$project/fuzz/seeds/crate_archive/two-manifests.crate" foo
  local i
  {
    printf '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n[features]\ndefault = ["f0"]\n'
    for ((i = 0; i < 40000; i++)); do printf 'f%d = ["f%d"]\n' "$i" $((i + 1)); done
    printf 'f40000 = []\n'
  } >"$tmp/chain.toml"
  path_ws "$tmp/chain" ""
  cp "$tmp/chain.toml" "$tmp/chain/Cargo.toml"
  path_ws "$tmp/cycle" '[dependencies]\nb = { path = "b" }\n'
  mkdir -p "$tmp/cycle/b/src"
  : >"$tmp/cycle/b/src/lib.rs"
  printf '[package]\nname = "b"\nversion = "0.1.0"\n[dependencies]\napp = { path = ".." }\n' >"$tmp/cycle/b/Cargo.toml"
  printf 'version = 4\n[[package]]\nname = "app"\nversion = "0.1.0"\ndependencies = ["b"]\n\n[[package]]\nname = "b"\nversion = "0.1.0"\ndependencies = ["app"]\n' >"$tmp/cycle/Cargo.lock"
  path_ws "$tmp/devzero" ""
  ln -sf /dev/zero "$tmp/devzero/Cargo.lock"
  path_ws "$tmp/typo" '[features]\nx = []\n'
}

# expect MODE CASE STATUS TEXT [extra nix eval args]: evaluates the plan's
# version of workspace CASE through MODE.
expect() {
  local mode=$1 case=$2 status=$3 text=$4 rc rss
  shift 4
  measured "$tmp/$case.$mode.out" "$tmp/$case.$mode.err" \
    nix eval "${unsafe[@]}" -f "$tmp/ws.nix" --arg src "$tmp/$case" --argstr mode "$mode" \
    --argstr cli "$(need cli)" "$@" plan.version
  rc=$(cat "$tmp/rc")
  rss=$(cat "$tmp/rss")
  [ "$rc" = "$status" ] || {
    head -c 3000 "$tmp/$case.$mode.err" >&2
    fail "expected exit status $status, got $rc"
  }
  [ -z "$text" ] || contains "$tmp/$case.$mode.err" "$text"
  if grep -qiE 'panicked|SIGSEGV|Segmentation fault|Aborted|core dumped|stack overflow|infinite recursion' "$tmp/$case.$mode.err"; then
    head -c 3000 "$tmp/$case.$mode.err" | sed 's/^/  | /' >&2
    fail "something crashed"
  fi
  local size
  size=$(wc -c <"$tmp/$case.$mode.err")
  [ "$size" -lt 20000 ] || fail "a $size-byte error"
  [ "$rss" -lt "$MAX_RSS_KB" ] || fail "nix eval peaked at $rss kB (limit $MAX_RSS_KB kB)"
  echo "  $mode/$case: exit $rc, peak RSS $((rss / 1024)) MB, $(grep -m1 -F 'error:' "$tmp/$case.$mode.err" | cut -c1-160)"
}

check "setup: the CLI (built by lib.nix) and the workspaces" setup
for mode in ifd exec; do
  check "$mode: a .crate with a 900 MB GNU long name" \
    expect "$mode" longname 1 "an entry name is 900000000 bytes long (at most 4096)"
  check "$mode: a .crate with two Cargo.toml" \
    expect "$mode" twomanifests 1 'two `foo-1.0.0/Cargo.toml` entries'
  check "$mode: 40000 chained features plan" expect "$mode" chain 0 ""
  check "$mode: cyclic path dependencies" \
    expect "$mode" cycle 1 "cyclic package dependency: package \`app v0.1.0\` depends on itself"
  check "$mode: a Cargo.lock linked to /dev/zero" \
    expect "$mode" devzero 1 "a symbolic link to /dev/zero, outside the workspace"
  check "$mode: features = [ \"typo\" ]" \
    expect "$mode" typo 1 "does not contain this feature: typo" --arg features '[ "typo" ]'
done

# The exec route in a read-only evaluation (plain nix-instantiate --eval).
readonly_exec() {
  local out rc=0
  out=$(nix-instantiate --eval "${unsafe[@]}" "$tmp/ws.nix" --arg src "$tmp/typo" \
    --argstr mode exec --argstr cli "$(need cli)" -A plan.version 2>"$tmp/ro.err") || rc=$?
  [ "$rc" = 0 ] || {
    cat "$tmp/ro.err" >&2
    fail "a small request failed in a read-only evaluation (exit $rc)"
  }
  [ "$out" = 2 ] || fail "plan.version is $out, not 2 (the plan format of src/plan.rs)"
  # A request too long for one argument needs the store, which is read-only.
  # (The long feature name comes from a file: one command-line argument of
  # nix-instantiate itself may not exceed 128 KiB either.)
  printf '[ "%s" ]\n' "$(head -c 150000 /dev/zero | tr '\0' x)" >"$tmp/large-features.nix"
  rc=0
  nix-instantiate --eval "${unsafe[@]}" "$tmp/ws.nix" --arg src "$tmp/typo" \
    --argstr mode exec --argstr cli "$(need cli)" \
    --arg features "import $tmp/large-features.nix" -A plan.version \
    >/dev/null 2>"$tmp/ro-large.err" || rc=$?
  [ "$rc" = 1 ] || fail "expected exit 1, got $rc"
  contains "$tmp/ro-large.err" "this evaluation is read-only: use \`nix eval\`, or \`nix-instantiate --eval --read-write-mode\`"
}
check "exec under nix-instantiate --eval (read-only)" readonly_exec

printf '\n==== bad-input.sh: %s passed, %s failed, in %ss\n' "${#PASSED[@]}" "${#FAILED[@]}" $((SECONDS - started))
for n in "${FAILED[@]}"; do printf 'FAILED: %s\n' "$n"; done
((${#FAILED[@]} == 0))
