#!/usr/bin/env bash
# Smoke test of the Nix test environment: evaluation works and
# builtins.fetchurl fetches a real crate from static.crates.io, checking its
# sha256 (the same check crateplan relies on for Cargo.lock checksums).
# Run it as: tests/nix/env -- /project/tests/nix/smoke.sh
set -euo pipefail

fail() {
	echo "FAIL: $*" >&2
	exit 1
}
command -v nix >/dev/null || fail "nix not found; run this through tests/nix/env"

# 1. Evaluation.
got=$(nix eval --expr '1 + 1')
[[ $got == 2 ]] || fail "nix eval '1 + 1' gave '$got', expected 2"
echo "ok: nix eval '1 + 1' = 2"

# 2. builtins.fetchurl of a real crate, with the checksum Cargo.lock records.
url=https://static.crates.io/crates/itoa/itoa-1.0.11.crate
sha=49f1f14873335454500d59611f1cf4a4b0f786f9ac11f4312a78e4cf2566695b
path=$(nix eval --raw --expr "builtins.fetchurl { url = \"$url\"; sha256 = \"$sha\"; name = \"itoa-1.0.11.crate\"; }")
[[ -f $path ]] || fail "fetchurl gave '$path', which is not a file"
actual=$(sha256sum "$path" | cut -d' ' -f1)
[[ $actual == "$sha" ]] || fail "$path has sha256 $actual, expected $sha"
listing=$(tar -tzf "$path") || fail "$path is not a gzipped tarball"
grep -qx 'itoa-1.0.11/Cargo.toml' <<<"$listing" || fail "$path is not the itoa crate tarball"
echo "ok: builtins.fetchurl $url -> $path"

# 3. A wrong checksum must be refused (a different name, so nothing cached answers).
bad=0000000000000000000000000000000000000000000000000000000000000000
if err=$(nix eval --raw --expr "builtins.fetchurl { url = \"$url\"; sha256 = \"$bad\"; name = \"itoa-bad.crate\"; }" 2>&1); then
	fail "fetchurl with a wrong sha256 succeeded: $err"
fi
grep -q 'hash mismatch' <<<"$err" || fail "fetchurl with a wrong sha256 failed, but not with a hash mismatch: $err"
echo "ok: builtins.fetchurl with a wrong sha256 fails with a hash mismatch"
