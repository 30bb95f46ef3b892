# Shared by the step-style Nix tests (sourced, not run: not executable).
# fail MSG: stops the test. step TITLE: a header, with the previous step's
# time. run LOG CMD...: runs CMD with its output in LOG; on failure shows the
# end of LOG and fails with the command line.
# shellcheck shell=bash disable=SC2034,SC2154 # set or used by the scripts that source this
fail() {
  printf 'FAIL: %s\n' "$*" >&2
  exit 1
}
started=$(date +%s)
step_started=
step() {
  local now
  now=$(date +%s)
  [ -z "$step_started" ] || printf '   (%ss)\n' "$((now - step_started))"
  step_started=$now
  printf '== %s\n' "$*"
}
# run LOG CMD...: runs CMD with its output in LOG; on failure shows the end
# of LOG and fails with the command line.
run() {
  local log=$1
  shift
  if ! "$@" >"$log" 2>&1; then
    echo "---- last lines of $log ----" >&2
    grep -v '^\s*$' "$log" | tail -n 40 >&2
    echo "----" >&2
    fail "$*"
  fi
}
