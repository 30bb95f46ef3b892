# Shared by the check-style Nix tests (sourced, not run: not executable).
# check NAME FUNCTION [ARGS...] records PASS/FAIL in PASSED/FAILED; fail MSG
# ends a check; need NAME reads a result an earlier check left in $tmp.
# shellcheck shell=bash disable=SC2034,SC2154 # set or used by the scripts that source this
PASSED=()
FAILED=()
# check NAME FUNCTION [ARGS...]: runs FUNCTION in a subshell with errexit;
# `fail` ends it. State shared between checks lives in files in $tmp.
check() {
  local name=$1 t0=$SECONDS rc
  shift
  printf '\n---- %s\n' "$name"
  (
    set -e
    "$@"
  )
  rc=$?
  if ((rc == 0)); then
    PASSED+=("$name")
    printf 'PASS: %s (%ss)\n' "$name" $((SECONDS - t0))
  else
    FAILED+=("$name")
    printf 'FAIL: %s (%ss)\n' "$name" $((SECONDS - t0))
  fi
}
fail() {
  printf '  FAIL: %s\n' "$*" >&2
  exit 1
}
need() {
  [ -s "$tmp/$1" ] || fail "needs the result of an earlier check ($1), which failed"
  cat "$tmp/$1"
}
