# shellcheck shell=sh
# shellcheck disable=SC2154 # inputs arrive in the environment (see below)
# Builds the crateplan CLI with cargo, offline, from a vendor directory.
# Environment (from nix/bootstrap.nix):
#   src     crateplan's sources (Cargo.toml, Cargo.lock, src/)
#   crates  "SHA256 PATH-OF-.crate" per line
#   bin features optLevel   the binary, its cargo feature flags, opt-level
#   plannerOptLevel         the opt-level of the crateplan crate itself
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
# dev-dependencies go away; so do the other binaries, and the optional
# dependencies and features the flavour leaves off ($dropDeps,
# $dropFeatures: cargo resolves optional dependencies too, and they are
# not in the vendor directory).
cp -R "$src/." "$work/source/"
chmod -R u+w "$work/source"
cd "$work/source"
awk -v bin="$bin" -v drop_deps=" ${dropDeps:-} " -v drop_features=" ${dropFeatures:-} " '
  function dropped(list, name) { return index(list, " " name " ") > 0 }
  /^\[\[(bench|test|example)\]\]/ { skip = 1; next }
  /^\[(target\..*\.)?dev-dependencies\]/ { skip = 1; next }
  /^\[\[bin\]\]/ { skip = 0; held = $0; section = "bin"; next }
  /^\[/ {
    skip = 0; held = ""
    workspace = ($0 ~ /^\[workspace\]/)
    section = ($0 ~ /^\[dependencies\]/) ? "deps" : ($0 ~ /^\[features\]/) ? "features" : ""
  }
  skip { next }
  section == "bin" && held != "" {
    if ($0 ~ /^name *=/ && $0 !~ "\"" bin "\"") { skip = 1; held = ""; next }
    print held; held = ""
  }
  section == "deps" && match($0, /^[A-Za-z0-9_-]+/) && dropped(drop_deps, substr($0, 1, RLENGTH)) { next }
  section == "features" && match($0, /^[A-Za-z0-9_-]+/) && dropped(drop_features, substr($0, 1, RLENGTH)) { next }
  section == "features" && /^default *=/ {
    n = split(drop_features, fs, " ")
    for (i = 1; i <= n; i++) { gsub("\"" fs[i] "\", *", "", $0); gsub(", *\"" fs[i] "\"", "", $0); gsub("\"" fs[i] "\"", "", $0) }
  }
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

# shellcheck disable=SC2086 # $features is a list of flags
CARGO_PROFILE_RELEASE_OPT_LEVEL=$optLevel CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_INCREMENTAL=0 \
  "$CARGO" build --release --offline $features --bin "$bin" --target-dir "$work/target" \
  --config "profile.release.package.crateplan.opt-level=$plannerOptLevel"
mkdir -p "$out/bin"
cp "$work/target/release/$bin" "$out/bin/$bin"
