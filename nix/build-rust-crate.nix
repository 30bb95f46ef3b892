# The plan mapped onto nixpkgs' buildRustCrate, argument by argument the
# way crate2nix's generated Cargo.nix passes them, so pkgs.defaultCrateOverrides
# and existing overrides apply unchanged. Same interface as nix/native.nix:
# `built.<instKey>` and `tests <instKey> { ... }`.
#
# Differences from crate2nix: features and dependency edges come resolved
# from the plan (nothing is resolved in Nix), and host instances (build
# dependencies, proc-macros) use buildRustCrate of pkgs.buildPackages, as
# crate2nix does since its cross fix.
#
# Profiles and config (plan format 2), field by field (see `profileArgs`):
#   opt-level, debuginfo, split-debuginfo, strip, debug-assertions,
#   overflow-checks, panic, rpath, the config's rustflags and linker:
#     extraRustcOpts (buildRustCrate's own `-C opt-level=3` or
#     `-C debuginfo=2` from `release` come first, so these win);
#     rustflags containing spaces cannot be passed (buildRustCrate splits
#     extraRustcOpts on blanks).
#   codegen-units: `codegenUnits` (rustc's default 16 when the profile
#     leaves it unset; buildRustCrate's own default would be 1).
#   build scripts: compiled with their profile's flags through
#     extraRustcOptsForBuildRs; PROFILE follows `release` (true for
#     profiles rooted in release), but buildRustCrate sets OPT_LEVEL (3 or
#     0) and DEBUG (the opposite of release) itself, so opt-level "1", "2",
#     "s", "z" and debuginfo in a release profile are not what build
#     scripts see. CARGO_ENCODED_RUSTFLAGS is set.
#   lto: a package's libraries keep object code and bitcode (rustc's
#     default); `-C lto` goes to packages without a library only, since
#     buildRustCrate passes the same extraRustcOpts to a package's library
#     (where rustc refuses it) and its bins. No bitcode-only libraries.
#   [env]: set in every crate's environment (forced or not: a Nix build has
#     no outer environment to defer to).
#   test profile: tests are built with the instance's testProfile flags.
{ util }:

{
  pkgs,
  plan,
  # pkgKey -> the package's sources (nix/sources.nix); registry crates are
  # fetched with pkgs.fetchurl instead, under the name crate2nix gives them.
  packageSource,
  # The workspace's source, for `[env]` entries with `relative = true`.
  workspace ? plan.workspaceRoot,
  crateOverrides ? pkgs.defaultCrateOverrides,
  buildRustCrateForPkgs ? pkgs: pkgs.buildRustCrate,
}:
let
  inherit (builtins) filter map elem listToAttrs;
  inherit (util) optionalAttrs;
  profiles = import ./profile.nix { inherit util; };
  profilesOf = profiles.instanceProfiles;
  configEnv = profiles.configEnv (plan.env or { }) workspace;

  /* rustc arguments as buildRustCrate takes them: one string per option. */
  pairs =
    args:
    if args == [ ] then
      [ ]
    else if builtins.head args == "-C" && builtins.length args > 1 then
      [ "-C ${builtins.elemAt args 1}" ] ++ pairs (builtins.tail (builtins.tail args))
    else
      [ (builtins.head args) ] ++ pairs (builtins.tail args);

  /* The flags of profile `p` for buildRustCrate, whose own opt-level or
     debuginfo (from `release`) they must override. */
  flagsOf =
    p: crateTypes: platformName:
    pairs (
      [ "-C" "opt-level=${p.optLevel}" "-C" "debuginfo=${p.debuginfo}" ]
      ++ profiles.profileFlags p
      ++ profiles.ltoFlags {
        profile = p;
        inherit crateTypes;
        isHost = platformName == "host";
        libsNeedObjects = true;
      }
      ++ profiles.platformFlags plan.platforms.${platformName}
    );

  /* buildRustCrate's arguments for an instance's profiles and the config. */
  profileArgs =
    inst: lib: bins:
    let
      ps = profilesOf inst;
      p = ps.profile;
      crateTypes =
        if lib != null then map (t: if t == "lib" then "rlib" else t) lib.crateTypes else [ "bin" ];
    in
    {
      release = profiles.profileRoot p == "release";
      codegenUnits = if p.codegenUnits != null then p.codegenUnits else 16;
      extraRustcOpts = flagsOf p crateTypes inst.platform;
      CARGO_ENCODED_RUSTFLAGS = builtins.concatStringsSep profiles.unitSeparator (
        plan.platforms.${inst.platform}.rustflags or [ ]
      );
    }
    // optionalAttrs (ps.buildScriptProfile != null) {
      extraRustcOptsForBuildRs = flagsOf ps.buildScriptProfile [ "bin" ] "host";
    }
    // listToAttrs (
      map (
        kv:
        let
          m = builtins.match "([^=]*)=(.*)" kv;
        in
        {
          name = builtins.elemAt m 0;
          value = builtins.elemAt m 1;
        }
      ) (configEnv.forced ++ configEnv.defaults)
    );

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
      inherit crateRenames crateOverrides;
      authors = md.authors;
    }
    // profileArgs inst lib bins
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
      testProfile = (profilesOf inst).testProfile;
      testBuild = buildRustCrateForPkgs pkgs (
        args
        // {
          buildTests = true;
          dependencies = args.dependencies ++ devDeps;
        }
        // optionalAttrs (testProfile != null) {
          extraRustcOpts = flagsOf testProfile [ "bin" ] inst.platform;
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
