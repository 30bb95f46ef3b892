# shellcheck shell=sh
# shellcheck disable=SC2154 # inputs arrive in the environment (see below)
# Builds the crateplan CLI with cargo, offline, from a vendor directory.
# Environment (from nix/bootstrap.nix):
#   src     crateplan's sources (Cargo.toml, Cargo.lock, src/)
#   crates  "SHA256 PATH-OF-.crate" per line
#   CARGO RUSTC PATH
set -eu

work=${NIX_BUILD_TOP:-$PWD}
die() {
  printf 'crateplan bootstrap: %s\n' "$*" >&2
  exit 1
}
export HOME="$work/home" CARGO_HOME="$work/cargo-home"
mkdir -p "$HOME" "$CARGO_HOME" "$work/vendor" "$work/source"

# The vendor directory: each crate unpacked, with the checksum cargo checks
# a directory source against.
while read -r sha crate; do
  [ -n "$sha" ] || continue
  tar -xzf "$crate" -C "$work/vendor"
  name=${crate##*/}
  name=${name#*-}
  dir=$work/vendor/${name%.crate}
  [ -d "$dir" ] || die "unexpected layout of $crate"
  printf '{"files":{},"package":"%s"}' "$sha" >"$dir/.cargo-checksum.json"
done <<EOF
$crates
EOF

cat >"$CARGO_HOME/config.toml" <<EOF
[source.crates-io]
replace-with = "vendored"
[source.vendored]
directory = "$work/vendor"
EOF

# The CLI's package alone: the workspace shrinks to the root package (no
# default-members, which name the adapters left out here), and
# bench, test and example targets (whose files are not copied) and
# dev-dependencies go away.
cp -R "$src/." "$work/source/"
chmod -R u+w "$work/source"
cd "$work/source"
awk '
  /^\[\[(bench|test|example)\]\]/ { skip = 1; next }
  /^\[(target\..*\.)?dev-dependencies\]/ { skip = 1; next }
  /^\[/ { skip = 0; workspace = ($0 ~ /^\[workspace\]/) }
  skip { next }
  members { if ($0 ~ /\]/) members = 0; next }
  workspace && /^members *=/ {
    print "members = [\".\"]"
    if ($0 !~ /\]/) members = 1
    next
  }
  workspace && /^default-members *=/ {
    if ($0 !~ /\]/) members = 1
    next
  }
  { print }
' Cargo.toml >Cargo.toml.new
mv Cargo.toml.new Cargo.toml

"$CARGO" build --release --offline --bin crateplan --target-dir "$work/target"
mkdir -p "$out/bin"
cp "$work/target/release/crateplan" "$out/bin/crateplan"
