#!/usr/bin/env bash
# Real published crates built per crate (issue 13): each crate of
# tests/corpus/crates.txt named in CRATEPLAN_CORPUS_BUILD (comma-separated;
# default: hexyl, the cheapest, which CI builds) is downloaded as published
# (tests/corpus/fetch.sh), built with lib.nix and the native builder with no
# crate overrides, its binary run (`--version` and one real invocation), its
# tests run through tests.<member> (or build.override with testCrateFlags
# when tests must be skipped) with the pass/fail/ignored counts compared to
# `cargo test --release` on the same sources in this chroot, and
# `cargo build --release` timed in the same run. Prints FIGURE: lines for
# docs/testing.md.
#
# sd's integration tests use assert_cmd's Command::cargo_bin("sd"), which
# finds the binary through CARGO_BIN_EXE_sd at run time (or beside the test
# executable's directory): the native builder's test runner exports it.
# ripgrep's run current_exe()/../rg: the runner puts test executables in
# deps/ with the package's binaries one directory up, as cargo does.
#
# Run it as: tests/nix/env -- /project/tests/nix/corpus.sh
#   CRATEPLAN_CORPUS_BUILD=ripgrep,fd-find tests/nix/env -- /project/tests/nix/corpus.sh
# or through tests/corpus/run build NAME...
# Prints PASS/FAIL per check; exits 1 if any check failed.
# shellcheck disable=SC2016 # the REAL snippets are evaluated later
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 2
project=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NIX_CONFIG="substitute = false"
started=$SECONDS

# shellcheck source-path=SCRIPTDIR source=lib-checks.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib-checks.sh"
# shellcheck source=SCRIPTDIR/../corpus/fetch.sh
. "$project/tests/corpus/fetch.sh"

figure() {
	echo "FIGURE: $*"
	echo "$*" >>"$tmp/figures"
}

# spec NAME: what to run for each crate that can be built here.
#   BIN    the binary; REAL a command using "$bin" (and "$src", the crate's
#   sources) whose output must contain EXPECT; SKIPS test arguments for
#   tests that need the network or a terminal (none so far).
spec() {
	SKIPS=()
	case $1 in
	hexyl) BIN=hexyl REAL='printf crateplan | "$bin" --plain' EXPECT='63 72 61 74 65 70 6c 61' ;;
	sd) BIN=sd REAL='echo "hello world" | "$bin" world nix' EXPECT='hello nix' ;;
	ripgrep) BIN=rg REAL='printf "a\nneedle here\nb\n" | "$bin" needle' EXPECT='needle here' ;;
	fd-find) BIN=fd REAL='"$bin" --glob Cargo.toml "$src"' EXPECT='Cargo.toml' ;;
	hyperfine) BIN=hyperfine REAL='"$bin" --runs 2 --shell=none true' EXPECT='Time (mean' ;;
	zoxide) BIN=zoxide REAL='"$bin" init bash' EXPECT='__zoxide' ;;
	tokei) BIN=tokei REAL='"$bin" "$src/src"' EXPECT='Rust' ;;
	du-dust) BIN=dust REAL='"$bin" -n 3 "$src"' EXPECT='src' ;;
	just) BIN=just REAL='"$bin" --justfile "$src/justfile" --summary' EXPECT='test' ;;
	bat) BIN=bat REAL='printf "fn crateplan() {}\n" | "$bin" --plain --color=never --language rust' EXPECT='fn crateplan' ;;
	# btm is a full-screen program with no batch mode: its help is what
	# runs without a terminal.
	bottom) BIN=btm REAL='"$bin" --help' EXPECT='--battery' ;;
	# delta colours words apart (escapes between `new` and `line`): strip them.
	git-delta) BIN=delta REAL='printf -- "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-old line\n+new line\n" | "$bin" --no-gitconfig --color-only | sed "s/\x1b\[[0-9;]*[mK]//g"' EXPECT='+new line' ;;
	# watchexec runs the command once at start, then watches until killed.
	watchexec-cli) BIN=watchexec REAL='timeout 10 "$bin" --no-vcs-ignore -w "$src/src" -- echo crateplan-ran; true' EXPECT='crateplan-ran' ;;
	xh) BIN=xh REAL='"$bin" --offline --ignore-stdin POST example.invalid/crateplan hello=world' EXPECT='POST /crateplan' ;;
	difftastic) BIN=difft REAL='printf "fn a() { 1 }\n" >"$tmp/old.rs"; printf "fn a() { 2 }\n" >"$tmp/new.rs"; "$bin" --color=never "$tmp/old.rs" "$tmp/new.rs"' EXPECT='new.rs' ;;
	# typos exits 2 when it finds a typo, which is what it is run for here.
	typos-cli) BIN=typos REAL='printf "teh crate\n" >"$tmp/typo.txt"; "$bin" --format brief "$tmp/typo.txt"; true' EXPECT='`teh` should be `the`' ;;
	eza) BIN=eza REAL='"$bin" -1 "$src"' EXPECT='Cargo.toml' ;;
	procs) BIN=procs REAL='"$bin" --color disable --pager disable' EXPECT='PID' ;;
	*)
		echo "corpus.sh: no build spec for $1 (every crate of tests/corpus/crates.txt has one)" >&2
		return 1
		;;
	esac
}

# counts LOG...: "passed failed ignored" summed over libtest's result lines.
counts() {
	awk '/^test result: /{
		for (i = 1; i <= NF; i++) {
			if ($(i+1) ~ /^passed/) p += $i
			if ($(i+1) ~ /^failed/) f += $i
			if ($(i+1) ~ /^ignored/) g += $i
		}
	} END { printf "%d passed, %d failed, %d ignored\n", p, f, g }' "$@"
}

# The crate's workspace through lib.nix, no overrides.
write_nix() {
	cat >"$tmp/$1.nix" <<EOF
{ src ? $2, skips ? [ ] }:
let ws = (import $project/lib.nix { }).buildWorkspace { inherit src; }; in
ws // {
  testsWithSkips = name: (ws.workspaceMembers.\${name}.build.override {
    runTests = true; testCrateFlags = skips;
  }).test;
}
EOF
}

fetch_crate() {
	local name=$1 version dir
	version=$(corpus_version "$name")
	[ -n "$version" ] || fail "$name is not in tests/corpus/crates.txt"
	dir=$(corpus_fetch "$name" "$version") || fail "fetching $name $version"
	echo "$dir" >"$tmp/$name.src"
	echo "$name-$version" >"$tmp/$name.id"
	write_nix "$name" "$dir"
	echo "  $name $version in $dir"
}

nix_build() {
	local name=$1 drv total todo t0
	need "$name.src" >/dev/null
	drv=$(nix eval --raw -f "$tmp/$name.nix" "workspaceMembers.$name.build.drvPath") || fail "nix eval of $name's drvPath"
	total=$(nix-store -qR "$drv" | grep -c -- '-rust_.*\.drv$')
	# Nothing to build (a warm store) is a count of 0, on which grep -c exits 1.
	todo=$(nix-build --dry-run "$tmp/$name.nix" -A "workspaceMembers.$name.build" 2>&1 | grep -c -- '-rust_.*\.drv$' || true)
	t0=$SECONDS
	nix-build --no-out-link "$tmp/$name.nix" -A "workspaceMembers.$name.build" >"$tmp/$name.out" 2>"$tmp/$name.log" || {
		tail -n 60 "$tmp/$name.log" >&2
		fail "nix-build of $name failed"
	}
	figure "$(need "$name.id"): $total crate derivations, $todo built in this run in $((SECONDS - t0)) s (nix-build, native builder, no overrides)"
}

run_binary() {
	local name=$1 out bin src
	out=$(need "$name.out")
	src=$(need "$name.src")
	spec "$name" || fail "no spec"
	bin=$out/bin/$BIN
	[ -x "$bin" ] || fail "no bin/$BIN in $out"
	"$bin" --version >"$tmp/$name.version" 2>&1 || fail "$BIN --version exited $?"
	echo "  $(head -n 1 "$tmp/$name.version")"
	grep -qF -- "$(need "$name.id" | sed 's/.*-//')" "$tmp/$name.version" ||
		fail "$BIN --version does not print the version: $(cat "$tmp/$name.version")"
	local status=0
	(eval "$REAL") >"$tmp/$name.real" 2>&1 || status=$?
	if [ "$status" -ne 0 ]; then
		cat "$tmp/$name.real" >&2
		fail "$REAL exited $status"
	fi
	grep -qF -- "$EXPECT" "$tmp/$name.real" || {
		head -n 20 "$tmp/$name.real" >&2
		fail "$REAL did not print '$EXPECT'"
	}
	echo "  $REAL: ok"
}

nix_tests() {
	local name=$1 out skips_nix="[ ]" s
	need "$name.src" >/dev/null
	spec "$name" || fail "no spec"
	if ((${#SKIPS[@]})); then
		skips_nix="["
		for s in "${SKIPS[@]}"; do skips_nix+=" \"$s\""; done
		skips_nix+=" ]"
		out=$(nix-build --no-out-link -E "(import $tmp/$name.nix { skips = $skips_nix; }).testsWithSkips \"$name\"" 2>"$tmp/$name.tlog")
	else
		out=$(nix-build --no-out-link "$tmp/$name.nix" -A "tests.$name" 2>"$tmp/$name.tlog")
	fi || {
		tail -n 60 "$tmp/$name.tlog" >&2
		fail "tests.$name failed"
	}
	# Test binaries' logs and the doc tests' (doc-<lib>.log), counted apart.
	: >"$tmp/$name.nixdoc"
	for s in "$out"/*.log; do
		case ${s##*/} in
		doc-*) cat "$s" >>"$tmp/$name.nixdoc" ;;
		*) cat "$s" >>"$tmp/$name.nixtests" ;;
		esac
	done
	[ -f "$tmp/$name.nixtests" ] || fail "no test logs in $out"
	counts "$tmp/$name.nixtests" >"$tmp/$name.nixcounts"
	counts "$tmp/$name.nixdoc" >"$tmp/$name.nixdoccounts"
	echo "  tests.$name: $(cat "$tmp/$name.nixcounts") (doc tests: $(cat "$tmp/$name.nixdoccounts"))"
}

# cargo build --release (timed) and cargo test --release on the same
# sources, in this chroot; the test binaries' counts and the doc tests' are
# kept apart. CRATEPLAN_CORPUS_CARGO_TARGET says where cargo builds:
#   cold    a fresh target directory, so the time compares with the Nix
#           build from an empty store (tests/corpus/run build; the figures)
#   cached  one kept per crate in the chroot (/root/.cache), so that a
#           second run only runs the tests (the default: what CI runs)
#   none    no cargo side at all: the crate is built and its binary run,
#           with no time to compare (only with CRATEPLAN_CORPUS_TESTS=skip)
cargo_mode=${CRATEPLAN_CORPUS_CARGO_TARGET:-cached}
cargo_target() {
	case $cargo_mode in
	cold) echo "$tmp/target-$1" ;;
	cached) echo "$HOME/.cache/crateplan-corpus-target/$(need "$1.id")" ;;
	*) fail "CRATEPLAN_CORPUS_CARGO_TARGET=$cargo_mode has no target directory" ;;
	esac
}

cargo_build() {
	local name=$1 src t0 target
	src=$(need "$name.src")
	target=$(cargo_target "$name")
	t0=$SECONDS
	(cd "$src" && CARGO_TARGET_DIR=$target cargo build --release --locked -q) >"$tmp/$name.cargo-build" 2>&1 || {
		tail -n 30 "$tmp/$name.cargo-build" >&2
		fail "cargo build --release failed"
	}
	figure "$(need "$name.id"): cargo build --release ($cargo_mode target directory, same chroot): $((SECONDS - t0)) s"
}

cargo_test() {
	local name=$1 src target
	src=$(need "$name.src")
	target=$(cargo_target "$name")
	spec "$name" || fail "no spec"
	(cd "$src" && CARGO_TARGET_DIR=$target cargo test --release --locked -- "${SKIPS[@]}") >"$tmp/$name.cargo-test" 2>&1
	# Only the test binaries' sections, not the doc tests'.
	awk '/^ *Running /{on=1} /^ *Doc-tests /{on=0} on' "$tmp/$name.cargo-test" >"$tmp/$name.cargo-units"
	awk '/^ *Doc-tests /{on=1} on' "$tmp/$name.cargo-test" >"$tmp/$name.cargo-doc"
	counts "$tmp/$name.cargo-units" >"$tmp/$name.cargocounts"
	counts "$tmp/$name.cargo-doc" >"$tmp/$name.cargodoccounts"
	echo "  cargo test: $(cat "$tmp/$name.cargocounts") (doc tests: $(cat "$tmp/$name.cargodoccounts"))"
}

same_counts() {
	local name=$1 a b ad bd
	spec "$name" || fail "no spec"
	a=$(need "$name.nixcounts")
	b=$(need "$name.cargocounts")
	ad=$(need "$name.nixdoccounts")
	bd=$(need "$name.cargodoccounts")
	[ "$a" = "$b" ] || fail "tests.$name: $a; cargo test: $b"
	[ "$ad" = "$bd" ] || fail "tests.$name's doc tests: $ad; cargo test's: $bd"
	figure "$(need "$name.id"): tests.$name and cargo test agree: $a; doc tests $ad${SKIPS:+ (skipped: ${SKIPS[*]})}"
}

IFS=, read -r -a names <<<"${CRATEPLAN_CORPUS_BUILD:-hexyl}"
# CRATEPLAN_CORPUS_TESTS: `run` (the default) runs tests.<member> and cargo
# test and compares their counts; `skip` builds, runs the binary and times
# cargo build only (the crates whose tests are not part of the figures).
tests_mode=${CRATEPLAN_CORPUS_TESTS:-run}
case $tests_mode in
run | skip) ;;
*)
	echo "corpus.sh: CRATEPLAN_CORPUS_TESTS=$tests_mode: use run or skip" >&2
	exit 2
	;;
esac
case $cargo_mode/$tests_mode in
cold/* | cached/* | none/skip) ;;
none/run)
	echo "corpus.sh: CRATEPLAN_CORPUS_CARGO_TARGET=none compares nothing with cargo, so it needs CRATEPLAN_CORPUS_TESTS=skip" >&2
	exit 2
	;;
*)
	echo "corpus.sh: CRATEPLAN_CORPUS_CARGO_TARGET=$cargo_mode: use cold, cached or none" >&2
	exit 2
	;;
esac
check "the planner CLI for the ifd route" nix-build --no-out-link -E "(import $project/lib.nix { }).crateplanCli"
for name in "${names[@]}"; do
	check "$name: fetched through cargo" fetch_crate "$name"
	check "$name: built per crate" nix_build "$name"
	check "$name: the binary runs" run_binary "$name"
	if [ "$cargo_mode" = none ]; then
		echo "  $name: cargo build not run (CRATEPLAN_CORPUS_CARGO_TARGET=none)"
	else
		check "$name: cargo build in the same chroot" cargo_build "$name"
	fi
	if [ "$tests_mode" = run ]; then
		check "$name: tests.$name" nix_tests "$name"
		check "$name: cargo test in the same chroot" cargo_test "$name"
		check "$name: the same test counts as cargo test" same_counts "$name"
	else
		echo "  $name: tests not run (CRATEPLAN_CORPUS_TESTS=skip)"
	fi
done

echo
echo "==== figures"
cat "$tmp/figures" 2>/dev/null
echo
echo "corpus.sh: ${#PASSED[@]} passed, ${#FAILED[@]} failed in $((SECONDS - started)) s"
for f in "${FAILED[@]}"; do echo "  FAILED: $f"; done
((${#FAILED[@]} == 0))
