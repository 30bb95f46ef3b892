# The plan mapped onto nixpkgs' buildRustCrate, argument by argument the
# way crate2nix's generated Cargo.nix passes them, so pkgs.defaultCrateOverrides
# and existing overrides apply unchanged. Same interface as nix/native.nix:
# `built.<instKey>` and `tests <instKey> { ... }`.
#
# Differences from crate2nix: features and dependency edges come resolved
# from the plan (nothing is resolved in Nix), and host instances (build
# dependencies, proc-macros) use buildRustCrate of pkgs.buildPackages, as
# crate2nix does since its cross fix.
{ util }:

{
  pkgs,
  plan,
  # pkgKey -> the package's sources (nix/sources.nix); registry crates are
  # fetched with pkgs.fetchurl instead, under the name crate2nix gives them.
  packageSource,
  release ? true,
  crateOverrides ? pkgs.defaultCrateOverrides,
  buildRustCrateForPkgs ? pkgs: pkgs.buildRustCrate,
}:
let
  inherit (builtins) filter map elem listToAttrs;
  inherit (util) optionalAttrs;

  pkgsFor = platform: if platform == "host" then pkgs.buildPackages or pkgs else pkgs;

  /* The arguments crate2nix would pass for this instance (exposed so that
     tests can check their shape without nixpkgs). */
  crateArgs =
    key: inst:
    let
      pkg = plan.packages.${inst.package};
      lib = pkg.lib;
      source = pkg.source;
      md = pkg.metadata;
      edgesOf = kind: filter (d: d.kind == kind) inst.deps;
      depsOf = kind: map (d: built.${d.instance}) (edgesOf kind);
      libNameOf = d: (plan.packages.${plan.instances.${d.instance}.package}.lib or { name = null; }).name;
      renamed = filter (d: d.extern != libNameOf d) (edgesOf "normal" ++ edgesOf "build");
      crateRenames = builtins.foldl' (
        acc: d:
        let
          depPkg = plan.packages.${plan.instances.${d.instance}.package};
        in
        acc
        // {
          ${depPkg.name} = (acc.${depPkg.name} or [ ]) ++ [
            {
              rename = d.extern;
              inherit (depPkg) version;
            }
          ];
        }
      ) { } renamed;
      bins = filter (b: elem b.name inst.bins) pkg.bins;
    in
    {
      crateName = pkg.name;
      inherit (pkg) version edition;
      src =
        if source.type == "registry" then
          pkgs.fetchurl {
            name = "${pkg.name}-${pkg.version}.tar.gz";
            inherit (source) url sha256;
          }
        else
          packageSource inst.package;
      features = inst.features;
      dependencies = depsOf "normal";
      buildDependencies = depsOf "build";
      inherit crateRenames release crateOverrides;
      authors = md.authors;
    }
    // optionalAttrs (source.type == "registry") { inherit (source) sha256; }
    // optionalAttrs (md.description != null) { inherit (md) description; }
    // optionalAttrs (md.homepage != null) { inherit (md) homepage; }
    // optionalAttrs (md.license != null) { inherit (md) license; }
    // optionalAttrs (md.repository != null) { inherit (md) repository; }
    // optionalAttrs (pkg.links != null) { inherit (pkg) links; }
    // optionalAttrs (pkg.build != null) { inherit (pkg) build; }
    // optionalAttrs (bins != [ ]) {
      crateBin = map (b: {
        inherit (b) name path requiredFeatures;
      }) bins;
    }
    // optionalAttrs (lib != null) {
      libName = lib.name;
      libPath = lib.path;
      type = map (t: if t == "lib" then "rlib" else t) lib.crateTypes;
    }
    // optionalAttrs (lib != null && lib.procMacro) { procMacro = true; };

  instanceArgs = builtins.mapAttrs crateArgs plan.instances;

  built = builtins.mapAttrs (
    key: args: buildRustCrateForPkgs (pkgsFor plan.instances.${key}.platform) args
  ) instanceArgs;

  /* As crate2nix's runTests: the crate built with buildTests and its
     dev-dependencies, then every test binary run. */
  testCrate =
    key:
    {
      testCrateFlags ? [ ],
      testInputs ? [ ],
      testPreRun ? "",
      testPostRun ? "",
    }:
    let
      inst = plan.instances.${key};
      args = instanceArgs.${key};
      devDeps = map (d: built.${d.instance}) (filter (d: d.kind == "dev") inst.deps);
      testBuild = buildRustCrateForPkgs pkgs (
        args
        // {
          buildTests = true;
          dependencies = args.dependencies ++ devDeps;
        }
      );
    in
    pkgs.runCommand "run-tests-${args.crateName}"
      {
        inherit testCrateFlags;
        buildInputs = testInputs;
      }
      ''
        set -eo pipefail
        export RUST_BACKTRACE=1
        touch "$out"
        ${testPreRun}
        for file in ${testBuild}/tests/*; do
          (cd ${args.src} && "$file" $testCrateFlags) 2>&1 | tee -a "$out"
        done
        ${testPostRun}
      ''
    // {
      inherit testBuild;
    };
in
{
  inherit built instanceArgs;
  tests = testCrate;
}
