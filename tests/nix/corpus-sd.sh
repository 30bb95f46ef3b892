#!/usr/bin/env bash
# The second crate CI builds from the real-world corpus (issue 13): sd 1.0.0
# through tests/nix/corpus.sh, as a script of its own so that it has its own
# time budget (CRATEPLAN_NIX_TEST_TIMEOUT applies per script; hexyl and sd
# in one script took 1577 s of the 1800 s on a fresh store).
exec env CRATEPLAN_CORPUS_BUILD=sd "$(dirname "$0")/corpus.sh"
