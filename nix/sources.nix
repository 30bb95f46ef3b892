# Where crates' sources come from.
#
# - Registry crates: `builtins.fetchurl` with the lock's sha256, named
#   NAME-VERSION.crate, so the planner reads the very store path the build
#   later unpacks, and evaluation stays pure.
# - Git crates: `builtins.fetchGit` at the locked revision (no hash file),
#   plus the package's subdirectory inside the checkout.
# - Path crates: each package's own directory of `src`, filtered, so editing
#   one member changes only that member's source (and rebuilds only it and
#   what depends on it).
{ util }:
rec {
  /* A `.crate` file: { name, version, url, sha256 (hex) } -> store path. */
  fetchCrate =
    {
      name,
      version,
      url,
      sha256,
      ...
    }:
    builtins.fetchurl {
      inherit url sha256;
      name = "${name}-${version}.crate";
    };

  /* A git checkout at a locked revision: { url, rev, ref? } -> store path. */
  fetchGitCheckout =
    { url, rev, ... }:
    (builtins.fetchGit {
      inherit url rev;
      allRefs = true;
      submodules = true;
    }).outPath;

  /* A path inside the store (a string, a fetcher's result, a path value
     there) as the same string, with its store object written to disk.
     Nix >= 2.35 mounts fetchGit/fetchTree results lazily ("lazy trees") and
     writes them to the store only when their context is realised; the
     plugin route reads the real file system, so it must get realised paths.
     `builtins.path` of a store object under its own name gives that very
     store path (same name, same contents; nothing is copied when it is
     already there), so every derivation stays the same. Anything outside the
     store is returned as it is. */
  realisedStorePath =
    p:
    let
      s = toString p;
      prefix = builtins.storeDir + "/";
      parts = builtins.match "([^/]+)(/.*)?" (
        util.removePrefix prefix (builtins.unsafeDiscardStringContext s)
      );
      object = builtins.elemAt parts 0;
      rest = builtins.elemAt parts 1;
      # substring keeps the string context, so pure evaluation may read it.
      objectPath = builtins.substring 0 (builtins.stringLength prefix + builtins.stringLength object) s;
      realised = builtins.path {
        path = objectPath;
        # Store object names are HASH-NAME, the hash 32 characters long.
        name = builtins.substring 33 (builtins.stringLength object) object;
      };
    in
    if !(util.hasPrefix prefix s) || parts == null then
      s
    else
      "${realised}${if rest == null then "" else rest}";

  /* What a `fetch` answer item stands for, as the string the planner reads. */
  fetchForPlanner =
    item:
    if item.type == "crate" then
      toString (fetchCrate item)
    else if item.type == "git" then
      realisedStorePath (fetchGitCheckout item)
    else
      util.crateplanError "unknown fetch type ${item.type} for ${item.key}";

  /* Directories never taken from a workspace: VCS data, cargo's target
     directories (a `target` beside a Cargo.toml) and nix-build results. */
  keepInWorkspace =
    path: type:
    let
      base = baseNameOf path;
    in
    !(
      base == ".git"
      || (type == "directory" && base == "target" && builtins.pathExists (dirOf path + "/Cargo.toml"))
      || (type == "symlink" && (base == "result" || util.hasPrefix "result-" base))
    );

  /* The workspace as the planner sees it: a store path. A store path stays
     the same string (realised, see realisedStorePath); a local path is
     copied once, without the directories above. */
  workspaceSource =
    src:
    if builtins.isPath src then
      builtins.path {
        path = src;
        name = "source";
        filter = keepInWorkspace;
      }
    else
      realisedStorePath src;

  /* pkgKey -> the sources of that package for the builders: the `.crate`
     file, the package's directory in a git checkout, or a filtered copy of
     a path package's directory of `src`, without the directories of other
     path packages nested inside it. */
  packageSources =
    { src, plan }:
    let
      root = if builtins.isPath src then src else toString src;
      under = rel: if rel == "." || rel == "" then root else root + "/${rel}";
      pathPackages = builtins.filter (k: plan.packages.${k}.source.type == "path") (
        builtins.attrNames plan.packages
      );
      packageDirs = map (k: toString (under plan.packages.${k}.source.path)) pathPackages;

      pathSource =
        pkg:
        let
          dir = under pkg.source.path;
          self = toString dir;
          nested = builtins.filter (d: d != self && util.hasPrefix (self + "/") d) packageDirs;
        in
        builtins.path {
          path = dir;
          name = "${pkg.name}-${pkg.version}-source";
          filter = path: type: keepInWorkspace path type && !(builtins.elem path nested);
        };

      sourceOf =
        pkg:
        let
          s = pkg.source;
        in
        if s.type == "registry" then
          fetchCrate {
            inherit (pkg) name version;
            inherit (s) url sha256;
          }
        else if s.type == "git" then
          let
            checkout = fetchGitCheckout s;
          in
          if s.subdir == "" || s.subdir == "." then checkout else "${checkout}/${s.subdir}"
        else if s.type == "path" then
          pathSource pkg
        else
          util.crateplanError "unknown source type ${s.type} of ${pkg.id}";
    in
    builtins.mapAttrs (key: pkg: sourceOf pkg) plan.packages;
}
