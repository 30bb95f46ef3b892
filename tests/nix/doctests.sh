#!/usr/bin/env bash
# tests.<member> runs what `cargo test -p <member>` runs (issue 9), on the
# workspace in tests/nix/doctests (see its README.md): doc tests of every
# kind (plain, hidden lines, ignore, should_panic, no_run, compile_fail,
# edition2015, test_harness, fn main, a proc-macro's, edition 2024's merged
# ones), lib and bin unit tests, integration tests, a harness = false test,
# examples (one run with test = true, one gated), a bench with test = true,
# required-features, `test = false`/`doctest = false`, a bin-only package.
#
# For each member, the passed/failed/ignored/filtered counts per test binary
# and for the doc tests, read from $out/summary.json, must equal those cargo
# prints for `cargo test -p <member>` on the same workspace in this chroot;
# also with test arguments (`.override { testCrateFlags = [ ... ]; }`
# against `cargo test -p dt-core -- ...`). A failing doc test fails
# tests.dt-broken, naming the test, with cargo's counts.
#
# Run it as: tests/nix/env -- /project/tests/nix/doctests.sh
# Prints PASS/FAIL per check; exits 1 if any check failed.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 2
project=$PWD
ws=$project/tests/nix/doctests
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NIX_CONFIG="substitute = false"

# shellcheck source-path=SCRIPTDIR source=lib-checks.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-checks.sh"

members=(dt-core dt-helper dt-macros dt-cli)

cat >"$tmp/ws.nix" <<EOF
{ src ? $ws }:
(import $project/lib.nix { }).buildWorkspace { inherit src; }
EOF

# cargo_counts LOG: one line per test binary of cargo's output, in
# summary_counts' format: "SRC PASSED FAILED IGNORED FILTERED" (or "SRC
# none" without libtest's result line), "doctest ..." for the doc tests.
# Several result lines in one section (edition 2024's merged doc tests) are
# summed.
cargo_counts() {
  awk '
    function flush() {
      if (key == "") return
      if (seen) print key, p, f, g, o
      else print key, "none"
    }
    /^ +Running / {
      flush()
      key = ($2 == "unittests") ? $3 : $2
      p = f = g = o = seen = 0
      next
    }
    /^ +Doc-tests / {
      flush()
      key = "doctest"
      p = f = g = o = seen = 0
      next
    }
    /^test result: / && key != "" {
      for (i = 1; i < NF; i++) {
        if ($i !~ /^[0-9]+$/) continue
        w = $(i + 1); sub(/[;,.]$/, "", w)
        if (w == "passed") p += $i
        else if (w == "failed") f += $i
        else if (w == "ignored") g += $i
        else if (w == "filtered") o += $i
      }
      seen = 1
    }
    END { flush() }
  ' "$1" | LC_ALL=C sort
}

# summary_counts OUT: the same lines from OUT/summary.json.
summary_counts() {
  jq -r '.binaries[]
    | (if .kind == "doctest" then "doctest" else .src end) + " "
      + (if .harness then "\(.passed) \(.failed) \(.ignored) \(.filteredOut)" else "none" end)' \
    "$1/summary.json" | LC_ALL=C sort
}

# cargo_test NAME ARGS...: `cargo test ARGS` on a copy of the workspace;
# the output in $tmp/cargo-NAME.log, the exit status in $tmp/cargo-NAME.rc.
cargo_test() {
  local name=$1 rc=0
  shift
  [ -d "$tmp/cargo-ws" ] || { cp -R "$ws" "$tmp/cargo-ws" && chmod -R u+w "$tmp/cargo-ws"; }
  (cd "$tmp/cargo-ws" && CARGO_TARGET_DIR=$tmp/cargo-target cargo test --offline --locked "$@") \
    >"$tmp/cargo-$name.log" 2>&1 || rc=$?
  echo "$rc" >"$tmp/cargo-$name.rc"
}

# compare NAME OUT: cargo's counts for NAME equal those of test output OUT.
compare() {
  local name=$1 out=$2
  [ "$(need "cargo-$name.rc")" = 0 ] || {
    tail -n 30 "$tmp/cargo-$name.log" >&2
    fail "cargo test failed for $name"
  }
  cargo_counts "$tmp/cargo-$name.log" >"$tmp/$name.cargo"
  summary_counts "$out" >"$tmp/$name.nix"
  echo "  cargo:"
  sed 's/^/  | /' "$tmp/$name.cargo"
  diff -u "$tmp/$name.cargo" "$tmp/$name.nix" || fail "tests.$name counts differ from cargo's (- cargo, + nix)"
}

build_tests() {
  local m out
  for m in "${members[@]}"; do
    out=$(nix-build --no-out-link "$tmp/ws.nix" -A "tests.$m" 2>"$tmp/build-$m.log") || {
      tail -n 40 "$tmp/build-$m.log" >&2
      fail "nix-build tests.$m failed"
    }
    echo "$out" >"$tmp/out-$m"
  done
}

run_cargo() {
  local m
  for m in "${members[@]}"; do
    cargo_test "$m" -p "$m"
  done
  cargo_test dt-core-args -p dt-core -- --skip add --test-threads 1
  cargo_test dt-broken -p dt-broken
  echo "  cargo: $(cargo --version)"
}

member_counts() {
  local m=$1
  need "out-$m" >/dev/null
  compare "$m" "$(cat "$tmp/out-$m")"
}

logs_and_summary() {
  local out
  out=$(need out-dt-core)
  for f in lib-dt_core bin-dt-tool it plain with-std bench-quick example-tested doc-dt_core; do
    [ -s "$out/$f.log" ] || fail "no $f.log in $out"
  done
  grep -q 'plain harness-less test ran' "$out/plain.log" || fail "plain.log lacks the test's output"
  jq -e '.status == "ok" and .crate == "dt-core" and (.binaries | length) == 8' "$out/summary.json" >/dev/null ||
    fail "unexpected summary.json: $(cat "$out/summary.json")"
  jq -e '[.binaries[] | select(.kind == "doctest")] | length == 1' "$(need out-dt-macros)/summary.json" >/dev/null ||
    fail "dt-macros (a proc-macro) has no doc tests in its summary"
  jq -e '.binaries == []' "$(need out-dt-helper)/summary.json" >/dev/null ||
    fail "dt-helper (test = false, doctest = false) ran something"
  jq -e '[.binaries[] | select(.kind == "doctest")] == []' "$(need out-dt-cli)/summary.json" >/dev/null ||
    fail "dt-cli (bin only) has doc tests"
}

test_args() {
  local out
  out=$(nix-build --no-out-link -E \
    "(import $tmp/ws.nix { }).tests.dt-core.override { testCrateFlags = [ \"--skip\" \"add\" \"--test-threads\" \"1\" ]; }" \
    2>"$tmp/build-args.log") || {
    tail -n 40 "$tmp/build-args.log" >&2
    fail "nix-build tests.dt-core with testCrateFlags failed"
  }
  compare dt-core-args "$out"
  grep -q 'filtered out' "$out/doc-dt_core.log" || fail "no doc test was filtered"
}

failing_doctest() {
  local rc
  rc=$(need cargo-dt-broken.rc)
  [ "$rc" != 0 ] || fail "cargo test -p dt-broken passed"
  if nix-build --no-out-link "$tmp/ws.nix" -A tests.dt-broken >"$tmp/broken.log" 2>&1; then
    fail "tests.dt-broken passed"
  fi
  local line
  for line in 'dt-broken/src/lib.rs - two (line 10) ... FAILED' 'dt-broken fails on purpose' \
    'the doc tests of dt-broken failed'; do
    grep -qF -- "$line" "$tmp/broken.log" || {
      tail -n 40 "$tmp/broken.log" >&2
      fail "the failure does not say: $line"
    }
  done
  # The same counts as cargo's doc-test run.
  local want got
  want=$(cargo_counts "$tmp/cargo-dt-broken.log" | grep '^doctest ')
  {
    echo "   Doc-tests dt_broken"
    sed -n '/running the doc tests of dt-broken/,$p' "$tmp/broken.log" | grep -o 'test result: .*'
  } >"$tmp/broken-doc.log"
  got=$(cargo_counts "$tmp/broken-doc.log")
  [ "$want" = "$got" ] || fail "doc-test counts: cargo [$want], nix [$got]"
  echo "  both: $got"
}

# A copy of the workspace whose example does not compile.
broken_example() {
  cp -R "$ws" "$tmp/broken-ws"
  chmod -R u+w "$tmp/broken-ws"
  echo 'fn main() { let _: u32 = "broken example"; }' >"$tmp/broken-ws/dt-core/examples/demo.rs"
  if (cd "$tmp/broken-ws" && CARGO_TARGET_DIR=$tmp/cargo-target cargo test --offline --locked -p dt-core) \
    >"$tmp/cargo-broken-example.log" 2>&1; then
    fail "cargo test passed with a broken example"
  fi
  if nix-build --no-out-link "$tmp/ws.nix" --arg src "$tmp/broken-ws" -A tests.dt-core \
    >"$tmp/broken-example.log" 2>&1; then
    fail "tests.dt-core passed with a broken example"
  fi
  grep -q 'examples/demo.rs' "$tmp/broken-example.log" || {
    tail -n 30 "$tmp/broken-example.log" >&2
    fail "the failure does not name examples/demo.rs"
  }
}

check "tests.<member> build and pass" build_tests
check "cargo test -p <member> in the same chroot" run_cargo
for m in "${members[@]}"; do
  check "$m: counts per binary and for doc tests equal cargo's" member_counts "$m"
done
check "logs per binary, doc-test log and summary.json" logs_and_summary
check "test arguments reach every binary and the doc tests" test_args
check "a failing doc test fails tests.<member>, named" failing_doctest
check "a broken example fails tests.<member>, as cargo test" broken_example

echo
echo "${#PASSED[@]} passed, ${#FAILED[@]} failed"
((${#FAILED[@]} == 0))
