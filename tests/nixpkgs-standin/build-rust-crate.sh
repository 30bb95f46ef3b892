# shellcheck shell=bash
# shellcheck disable=SC2154 # inputs arrive in the environment (build-rust-crate.nix)
# The stand-in buildRustCrate's builder: the crate's library with rustc
# (the evaluation benchmark never builds these; this keeps them real).
set -eu
mkdir -p "$out" "$lib/lib"
tar -xf "$src" --strip-components=1 2>/dev/null || cp -R "$src/." .
extern=()
for d in $completeDepsDir; do
  for f in "$d"/lib/*.rlib "$d"/lib/*.so; do
    [ -e "$f" ] && extern+=(-L "dependency=$d/lib")
  done
done
path=${libPath:-src/lib.rs}
[ -e "$path" ] || exit 0
flags=()
for f in $crateFeatures; do flags+=(--cfg "feature=\"$f\""); done
rustc --crate-name "${libName//-/_}" --edition "$edition" --crate-type lib \
  "${flags[@]}" "${extern[@]}" --out-dir "$lib/lib" "$path"
