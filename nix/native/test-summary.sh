# shellcheck shell=sh
# shellcheck disable=SC2154 # inputs arrive in the environment (see test-crate.sh)
# The machine-readable summary of a test derivation: $out/summary.json
# (format in docs/lib-nix.md, "What a test derivation keeps"). One entry per
# test binary and one for the doc tests, counted from libtest's
# `test result:` lines of its log (rustdoc prints the same lines; a log with
# several, as from edition 2024's merged doc tests, is summed).
#
# Sourced by test-crate.sh after common.sh.

summaryEntries=$work/summary.entries
: >"$summaryEntries"

# json_string S: S as a JSON string (names and paths: no control characters).
json_string() {
  printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"
}

# record_result NAME KIND SRC HARNESS STATUS: one entry; the log is
# $out/NAME.log. HARNESS is 1 for libtest binaries (counts are read from the
# log) and 0 for harness = false targets (counts are null: cargo prints
# none); STATUS is ok or failed (the exit status of the run).
record_result() {
  name=$1 kind=$2 srcPath=$3 harness=$4 status=$5
  if [ "$harness" = 1 ]; then
    counts=$(awk '
      /^test result: / {
        for (i = 1; i < NF; i++) {
          if ($i !~ /^[0-9]+$/) continue
          v = $i + 0
          w = $(i + 1); sub(/[;,.]$/, "", w)
          if (w == "passed") p += v
          else if (w == "failed") f += v
          else if (w == "ignored") g += v
          else if (w == "measured") m += v
          else if (w == "filtered") o += v
        }
        seen = 1
      }
      END {
        if (!seen) { print "null null null null null"; exit }
        printf "%d %d %d %d %d\n", p, f, g, m, o
      }' "$out/$name.log")
  else
    counts="null null null null null"
  fi
  # shellcheck disable=SC2086 # five words
  set -- $counts
  {
    printf '{"name": %s, "kind": %s, "src": %s, "log": %s, ' \
      "$(json_string "$name")" "$(json_string "$kind")" "$(json_string "$srcPath")" \
      "$(json_string "$name.log")"
    printf '"harness": %s, "status": %s, ' \
      "$([ "$harness" = 1 ] && echo true || echo false)" "$(json_string "$status")"
    printf '"passed": %s, "failed": %s, "ignored": %s, "measured": %s, "filteredOut": %s}\n' \
      "$1" "$2" "$3" "$4" "$5"
  } >>"$summaryEntries"
}

# write_summary STATUS: $out/summary.json from the recorded entries.
write_summary() {
  {
    printf '{"crate": %s, "version": %s, "status": %s, "binaries": [' \
      "$(json_string "$crateName")" "$(json_string "$crateVersion")" "$(json_string "$1")"
    sep=
    while IFS= read -r entry; do
      printf '%s\n  %s' "$sep" "$entry"
      sep=,
    done <"$summaryEntries"
    printf '\n]}\n'
  } >"$out/summary.json"
}
