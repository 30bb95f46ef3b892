# nixpkgs' buildRustCrate, as far as evaluation goes: the same arguments,
# the same overriding (`buildRustCrate.override { defaultCrateOverrides; }`,
# per-crate `crateOverrides`, `.override` on the result), the same
# `lib` output and the same `completeDeps`/`completeBuildDeps` closures
# nixpkgs computes per crate, and one real derivation per crate. Its
# builder compiles the crate with rustc as buildRustCrate would; the
# evaluation benchmark (benches/eval.sh) only instantiates these derivations,
# for crate2nix's Cargo.nix and crateplan's buildRustCrate builder alike.
{
  lib,
  system,
  bash,
  coreutils,
  rustc,
  cc,
}:
let
  inherit (builtins)
    concatMap
    concatStringsSep
    map
    toJSON
    ;

  /* The crate derivation for one call (nixpkgs: build-rust-crate/default.nix). */
  buildCrate =
    crate_:
    {
      crateOverrides,
      release ? true,
      features ? [ ],
      dependencies ? [ ],
      buildDependencies ? [ ],
      crateRenames ? { },
      extraRustcOpts ? [ ],
      buildTests ? false,
      ...
    }:
    let
      crate = crate_ // ((crateOverrides.${crate_.crateName} or (_: { })) crate_);
      completeDeps = lib.unique (dependencies ++ concatMap (dep: dep.completeDeps) dependencies);
      completeBuildDeps = lib.unique (
        buildDependencies
        ++ concatMap (dep: dep.completeBuildDeps ++ dep.completeDeps) buildDependencies
      );
      libName = crate.libName or crate.crateName;
      drv = derivation {
        name = "rust_${crate.crateName}-${crate.version}${if buildTests then "-test" else ""}";
        inherit system;
        builder = "${bash}/bin/bash";
        args = [ ./build-rust-crate.sh ];
        outputs = [
          "out"
          "lib"
        ];
        PATH = "${coreutils}/bin:${rustc}/bin:${cc}/bin";
        inherit (crate) crateName version src;
        inherit libName;
        edition = crate.edition or "2015";
        libPath = crate.libPath or "";
        procMacro = crate.procMacro or false;
        build = crate.build or "";
        links = crate.links or "";
        crateType = concatStringsSep " " (crate.type or [ "lib" ]);
        crateBin = toJSON (crate.crateBin or [ ]);
        crateFeatures = concatStringsSep " " features;
        crateRenames = toJSON crateRenames;
        extraRustcOpts = concatStringsSep " " extraRustcOpts;
        release = if release then "1" else "";
        buildTests = if buildTests then "1" else "";
        completeDepsDir = concatStringsSep " " (map (d: d.lib) completeDeps);
        completeBuildDepsDir = concatStringsSep " " (map (d: d.lib) completeBuildDeps);
        authors = concatStringsSep ":" (crate.authors or [ ]);
      };
    in
    drv
    // {
      inherit completeDeps completeBuildDeps crate;
    };

  /* buildRustCrate: overridable in its package-set arguments
     (`defaultCrateOverrides`) and, per call, in the crate's arguments. */
  mkBuildRustCrate =
    { defaultCrateOverrides }:
    crate_:
    lib.makeOverridable (args: buildCrate crate_ args) (
      {
        crateOverrides = defaultCrateOverrides;
      }
      // crate_
    );
in
lib.makeOverridable mkBuildRustCrate { defaultCrateOverrides = { }; }
