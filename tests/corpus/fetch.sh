# corpus_fetch NAME VERSION: a published crate as published, unpacked from its
# .crate into $CARGO_HOME/crateplan-corpus/NAME-VERSION (or
# $CRATEPLAN_CORPUS_DIR), its dependencies fetched; prints that directory.
# The download goes through cargo itself: a throwaway manifest depending on
# NAME = "=VERSION" and `cargo fetch` put the .crate into cargo's cache.
# The same steps as tests/corpus.rs; sourced, not run.
# shellcheck shell=bash
corpus_fetch() {
	local name=$1 version=$2
	local home=${CARGO_HOME:-$HOME/.cargo}
	local root=${CRATEPLAN_CORPUS_DIR:-$home/crateplan-corpus}
	local dir=$root/$name-$version crate fetchdir tmp
	mkdir -p "$root" || return 1
	if [ ! -f "$dir/Cargo.lock" ]; then
		crate=$(corpus_cached_crate "$home" "$name-$version")
		if [ -z "$crate" ]; then
			fetchdir=$root/.fetch/$name-$version
			mkdir -p "$fetchdir/src" && : >"$fetchdir/src/lib.rs" || return 1
			printf '[package]\nname = "corpus-fetch"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\n%s = "=%s"\n\n[workspace]\n' \
				"$name" "$version" >"$fetchdir/Cargo.toml"
			(cd "$fetchdir" && CARGO_TARGET_DIR=$fetchdir/target cargo fetch -q) >&2 || {
				echo "corpus_fetch: cargo fetch of $name $version failed" >&2
				return 1
			}
			crate=$(corpus_cached_crate "$home" "$name-$version")
			[ -n "$crate" ] || {
				echo "corpus_fetch: cargo fetch left no $name-$version.crate in $home/registry/cache" >&2
				return 1
			}
		fi
		tmp=$(mktemp -d "$root/.unpack-XXXXXX") || return 1
		tar -xzf "$crate" -C "$tmp" || return 1
		[ -f "$tmp/$name-$version/Cargo.lock" ] || {
			echo "corpus_fetch: $crate ships no Cargo.lock" >&2
			rm -rf "$tmp"
			return 1
		}
		rm -rf "$dir"
		mv "$tmp/$name-$version" "$dir" && rm -rf "$tmp" || return 1
	fi
	(cd "$dir" && { cargo fetch --locked --offline -q 2>/dev/null || cargo fetch --locked -q; }) >&2 || {
		echo "corpus_fetch: cargo fetch --locked in $dir failed" >&2
		return 1
	}
	echo "$dir"
}

# corpus_cached_crate CARGO_HOME NAME-VERSION: the .crate in cargo's cache.
corpus_cached_crate() {
	local f
	for f in "$1"/registry/cache/*/"$2.crate"; do
		[ -f "$f" ] && {
			echo "$f"
			return 0
		}
	done
	return 0
}

# corpus_version NAME: the pinned version in crates.txt.
corpus_version() {
	sed 's/#.*//' "$(dirname "${BASH_SOURCE[0]}")/crates.txt" | awk -v n="$1" '$1 == n { print $2; exit }'
}
