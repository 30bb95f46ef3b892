# shellcheck shell=sh
# shellcheck disable=SC2154 # inputs arrive in the environment (see below)
# Builds one crate instance: the package's build script (if any), its
# library and its selected binaries, the way cargo builds one unit of each.
# Run by the derivations of nix/native.nix; outputs:
#   $lib   the library and what dependents read (see common.sh)
#   $out   the binaries in bin/ (and lib/ linking to $lib/lib)
#
# Environment: the variables of `buildContract` in nix/native.nix (documented
# there, checked on entry by common.sh), plus $common, the path of common.sh.

# shellcheck source=nix/native/common.sh
. "$common"

mkdir -p "$out" "$lib/lib" "$lib/crateplan"
unpack_source
export_compile_env
run_hook "$preBuild"

collect_deps normal "$deps"
if [ -n "$buildScript" ]; then
  # OUT_DIR lives in the lib output, so that paths the build script hands
  # to dependents (links metadata, link search paths) stay valid; it is
  # removed at the end when nothing points into it.
  outDir=$lib/out
  run_build_script
fi

# What dependents read: link search paths, the closure of lib directories,
# and the links metadata. Search paths into this build's temporary directory
# (the unpacked crate, say) are copied into $lib/native with the libraries
# they hold, so the final link still finds them.
: >"$lib/crateplan/native"
if [ -s "$work/script/link-search" ] 2>/dev/null; then
  i=0
  while IFS= read -r entry; do
    case "$entry" in
      *=*) kind=${entry%%=*}; dir=${entry#*=} ;;
      *) kind=all; dir=$entry ;;
    esac
    case "$dir" in
      "$work"/*)
        i=$((i + 1))
        mkdir -p "$lib/native/$i"
        for f in "$dir"/*; do
          case "$f" in
            *.a | *.so | *.so.* | *.dylib | *.lib | *.dll | *.tbd) cp -P "$f" "$lib/native/$i/" ;;
          esac
        done
        dir=$lib/native/$i
        ;;
    esac
    printf '%s=%s\n' "$kind" "$dir" >>"$lib/crateplan/native"
  done <"$work/script/link-search"
fi
cat "$work/normal.native" >>"$lib/crateplan/native"
sort -u -o "$lib/crateplan/native" "$lib/crateplan/native"
{
  printf '%s\n' "$lib/lib"
  cat "$work/normal.deps"
} | sort -u >"$lib/crateplan/deps"
if [ -n "$links" ]; then
  printf '%s\n' "$links" >"$lib/crateplan/links"
  if [ -f "$work/script/metadata" ]; then
    cp "$work/script/metadata" "$lib/crateplan/metadata"
  else
    : >"$lib/crateplan/metadata"
  fi
fi

# The library.
if [ -n "$libName" ]; then
  set --
  cdylib=
  for t in $libCrateTypes; do
    set -- "$@" --crate-type "$t"
    [ "$t" != cdylib ] || cdylib=1
  done
  [ -z "$procMacro" ] || set -- "$@" --extern proc_macro
  if [ -n "$cdylib" ]; then
    while IFS= read -r a; do [ -z "$a" ] || set -- "$@" "$a"; done <<EOF
$(link_args all cdylib)
EOF
  fi
  CARGO_CRATE_NAME=$libName
  export CARGO_CRATE_NAME
  unitFlags=$libFlags
  run_rustc normal -- "$@" --crate-name "$libName" --edition "$libEdition" \
    "$pkgRoot/$libPath" \
    -C "metadata=$metadataHash" -C "extra-filename=-$metadataHash" \
    --out-dir "$lib/lib"

  # The file dependents pass to --extern: the rlib, or the dynamic library
  # of a proc-macro or dylib crate.
  base=$lib/lib/lib$libName-$metadataHash
  for f in "$base.rlib" "$base.so" "$base.dylib" "$lib/lib/$libName-$metadataHash.dll"; do
    if [ -f "$f" ]; then
      printf '%s\n' "$f" >"$lib/crateplan/extern"
      break
    fi
  done
  # cdylib and staticlib outputs also under the names cargo gives them.
  for f in "$base".a "$base".so "$base".dylib; do
    if [ ! -f "$f" ] || [ -n "$procMacro" ]; then
      continue
    fi
    ln -s "${f##*/}" "$lib/lib/lib$libName.${f##*.}"
  done
fi

# The binaries.
if [ -n "$bins" ]; then
  mkdir -p "$out/bin"
  while IFS="$tab" read -r binName binPath binEdition; do
    [ -n "$binName" ] || continue
    set --
    if [ -f "$lib/crateplan/extern" ] && [ -z "$procMacro" ]; then
      set -- "$@" --extern "$libName=$(cat "$lib/crateplan/extern")" -L "dependency=$lib/lib"
    fi
    while IFS= read -r a; do [ -z "$a" ] || set -- "$@" "$a"; done <<EOF
$(link_args all bins "bin:$binName")
EOF
    binCrate=$(printf '%s' "$binName" | tr - _)
    CARGO_CRATE_NAME=$binCrate CARGO_BIN_NAME=$binName
    export CARGO_CRATE_NAME CARGO_BIN_NAME
    unitFlags=$binFlags
    run_rustc normal -- "$@" --crate-name "$binCrate" --crate-type bin \
      --edition "$binEdition" "$pkgRoot/$binPath" \
      -C "metadata=$metadataHash-bin-$binName" -o "$out/bin/$binName"
  done <<EOF
$bins
EOF
elif [ -n "$libName" ]; then
  ln -s "$lib/lib" "$out/lib"
fi

if [ -d "$lib/out" ] &&
  ! grep -q -F "$lib/out" "$lib/crateplan/native" "$lib/crateplan/metadata" 2>/dev/null; then
  rm -rf "$lib/out"
fi

run_hook "$postInstall"
