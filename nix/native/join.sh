# shellcheck shell=sh
# shellcheck disable=SC2154 # inputs arrive in the environment (see below)
# Merges directory trees into $out with symlinks, like nixpkgs' symlinkJoin:
# directories are created, files and links point into the inputs, and the
# first input wins where two provide the same path.
# Environment: paths (store paths, space separated), PATH with coreutils.
set -eu

link_tree() {
  for entry in "$1"/* "$1"/.[!.]*; do
    [ -e "$entry" ] || [ -L "$entry" ] || continue
    name=${entry##*/}
    if [ -d "$entry" ] && [ ! -L "$entry" ]; then
      [ ! -L "$2/$name" ] || continue
      mkdir -p "$2/$name"
      link_tree "$entry" "$2/$name"
    elif [ ! -e "$2/$name" ] && [ ! -L "$2/$name" ]; then
      ln -s "$entry" "$2/$name"
    fi
  done
}

mkdir -p "$out"
for p in $paths; do
  if [ -d "$p" ]; then
    link_tree "$p" "$out"
  fi
done
