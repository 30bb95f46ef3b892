# The native builder: one plain derivation per crate instance of a plan,
# calling rustc directly (the shell is in nix/native/), with a toolchain
# from nixpkgs or from the host (nix/toolchain.nix). No stdenv is needed.
#
# Each instance's derivation has two outputs: `lib` (the library and the
# small files its dependents read, see nix/native/common.sh) and `out` (the
# binaries). `tests` builds one member's test targets and runs them.
#
# Overrides work like nixpkgs' defaultCrateOverrides: for a crate named N,
# `crateOverrides.N` gets the crate's arguments (listed in `crateArgs`) and
# returns attributes to replace or add. Besides the arguments themselves,
# the builder understands buildInputs, nativeBuildInputs (bin/ on PATH,
# headers, pkg-config files and libraries found), extraRustcOpts,
# extraLinkFlags, preBuild and postInstall; any other string attribute is
# put into the build's environment.
{ util }:

{
  # See nix/toolchain.nix.
  toolchain,
  # The plan, as parsed from the planner's answer.
  plan,
  # pkgKey -> the package's sources: a .crate file or a directory.
  packageSource,
  release ? true,
  # Codegen units of target crates; cargo's default when null.
  codegenUnits ? null,
  crateOverrides ? { },
  # Extra rustdoc arguments for doc tests (config rustdocflags; plan v2's
  # platforms.target.rustdocflags when the plan has them).
  rustdocFlags ? plan.platforms.target.rustdocflags or [ ],
}:
let
  inherit (builtins)
    attrNames
    concatStringsSep
    elem
    filter
    hashString
    isFunction
    map
    substring
    ;
  inherit (util)
    concatMapStringsSep
    envName
    optionalAttrs
    unique
    ;

  platforms = plan.platforms;
  cross = platforms.target.triple != platforms.host.triple;

  /* cargo's profiles: release or dev for target crates, and the
     build-override defaults for build scripts, proc-macros and their deps. */
  profileFor =
    platform:
    let
      checks = if release then "off" else "on";
      cgu = if codegenUnits != null then toString codegenUnits else null;
    in
    {
      profile = if release then "release" else "debug";
      debugAssertions = checks;
      overflowChecks = checks;
    }
    // (
      if platform == "host" then
        {
          optLevel = "0";
          debugInfo = "0";
          codegenUnits = "256";
        }
      else if release then
        {
          optLevel = "3";
          debugInfo = "0";
          codegenUnits = if cgu != null then cgu else "16";
        }
      else
        {
          optLevel = "0";
          debugInfo = "2";
          codegenUnits = if cgu != null then cgu else "256";
        }
    );

  /* CARGO_CFG_<KEY>=<values joined by commas>, one line per key, from the
     platform's `rustc --print cfg` lines. debug_assertions follows the
     profile, as with cargo. */
  cargoCfgFor =
    platformName: debugAssertions:
    let
      parse =
        line:
        let
          m = builtins.match ''([^=]+)="(.*)"'' line;
        in
        if m == null then
          {
            key = line;
            value = null;
          }
        else
          {
            key = builtins.elemAt m 0;
            value = builtins.elemAt m 1;
          };
      cfg =
        map parse (filter (l: l != "debug_assertions") platforms.${platformName}.cfg)
        ++ util.optional (debugAssertions == "on") {
          key = "debug_assertions";
          value = null;
        };
      keys = unique (map (c: c.key) cfg);
      valuesOf = k: map (c: c.value) (filter (c: c.key == k && c.value != null) cfg);
    in
    concatMapStringsSep "\n" (k: "CARGO_CFG_${envName k}=${concatStringsSep "," (valuesOf k)}") keys;

  /* Computed once per platform and assertion setting. */
  cargoCfgLines =
    let
      memo = builtins.mapAttrs (platformName: _: {
        on = cargoCfgFor platformName "on";
        off = cargoCfgFor platformName "off";
      }) platforms;
    in
    platformName: debugAssertions: memo.${platformName}.${debugAssertions};

  /* CARGO_PKG_VERSION_* from a semver string. */
  versionParts =
    version:
    let
      m = builtins.match "([0-9]+)\\.([0-9]+)\\.([0-9]+)(-([^+]*))?(\\+.*)?" version;
      at = i: if m == null then "" else toString (builtins.elemAt m i);
    in
    {
      CARGO_PKG_VERSION_MAJOR = at 0;
      CARGO_PKG_VERSION_MINOR = at 1;
      CARGO_PKG_VERSION_PATCH = at 2;
      CARGO_PKG_VERSION_PRE = if m == null || builtins.elemAt m 4 == null then "" else builtins.elemAt m 4;
    };

  orEmpty = v: if v == null then "" else toString v;

  /* The arguments of one instance, before overrides: what crateOverrides
     functions receive (names follow buildRustCrate where one exists). */
  crateArgs =
    key: inst:
    let
      pkg = plan.packages.${inst.package};
      depsOf =
        kind:
        map (d: {
          inherit (d) extern;
          crate = built.${d.instance};
        }) (filter (d: d.kind == kind) inst.deps);
      md = pkg.metadata;
    in
    {
      crateName = pkg.name;
      inherit (pkg)
        version
        edition
        links
        build
        ;
      packageId = inst.package;
      instance = key;
      inherit (inst) platform features;
      featureNames = attrNames pkg.features;
      src = packageSource inst.package;
      lib = pkg.lib;
      crateBin = filter (b: elem b.name inst.bins) pkg.bins;
      tests = pkg.tests;
      dependencies = depsOf "normal";
      buildDependencies = depsOf "build";
      devDependencies = depsOf "dev";
      member = pkg.source.type == "path" && pkg.source.member;
      authors = md.authors;
      inherit (md)
        description
        homepage
        repository
        license
        readme
        ;
      licenseFile = md.licenseFile;
      rustVersion = pkg.rustVersion or null;
      buildInputs = [ ];
      nativeBuildInputs = [ ];
      extraRustcOpts = [ ];
      extraLinkFlags = [ ];
      preBuild = "";
      postInstall = "";
    };

  /* Every argument name above: what is not among them goes to the environment. */
  knownArgs = [
    "crateName" "version" "edition" "links" "build" "packageId" "instance"
    "platform" "features" "featureNames" "src" "lib" "crateBin" "tests"
    "dependencies" "buildDependencies" "devDependencies" "member" "authors"
    "description" "homepage" "repository" "license" "readme" "licenseFile"
    "rustVersion" "buildInputs" "nativeBuildInputs" "extraRustcOpts"
    "extraLinkFlags" "preBuild" "postInstall"
  ];

  applyOverrides =
    args:
    let
      override = util.attrOr args.crateName null crateOverrides;
    in
    if override == null then args else args // override args;

  depLines = deps: concatMapStringsSep "\n" (d: "${d.extern} ${d.crate.lib}") deps;

  /* Search paths for buildInputs and nativeBuildInputs, as the C compiler,
     pkg-config and build scripts look for them. */
  inputsEnv =
    inputs:
    let
      dev = p: p.dev or p;
      libOf = p: p.out or p;
      join = f: concatStringsSep ":" (map f inputs);
    in
    optionalAttrs (inputs != [ ]) {
      PKG_CONFIG_PATH = join (p: "${dev p}/lib/pkgconfig:${dev p}/share/pkgconfig");
      CPATH = join (p: "${dev p}/include");
      LIBRARY_PATH = join (p: "${libOf p}/lib");
    };

  /* The derivation attributes shared by a crate's build and its tests. */
  derivationAttrs =
    args:
    let
      lib = args.lib;
      hasLib = lib != null;
      isHost = args.platform == "host";
      prof = profileFor args.platform;
      inputs = args.nativeBuildInputs ++ args.buildInputs;
      extraEnv = util.filterAttrs (n: v: !(elem n knownArgs) && !(isFunction v)) args;
    in
    {
      system = toolchain.system;
      builder = toolchain.shell;
      common = ./native/common.sh;
      PATH = concatStringsSep ":" (map (p: "${p}/bin") inputs ++ [ toolchain.path ]);
      RUSTC = toolchain.rustc;
      CC = toolchain.cc;
      AR = toolchain.ar;
      CARGO = toolchain.cargo or "";
      inherit (args) src;
      inherit (args) crateName;
      crateVersion = args.version;
      crateEdition = args.edition;
      libName = if hasLib then lib.name else "";
      libPath = if hasLib then lib.path else "";
      libEdition = if hasLib then lib.edition else "";
      libCrateTypes =
        if hasLib then
          concatStringsSep " " (map (t: if t == "lib" then "rlib" else t) lib.crateTypes)
        else
          "";
      procMacro = if hasLib && lib.procMacro then "1" else "";
      buildScript = orEmpty args.build;
      bins = concatMapStringsSep "\n" (b: "${b.name}\t${b.path}\t${b.edition}") args.crateBin;
      crateFeatures = concatStringsSep " " args.features;
      checkCfgFeatures = concatMapStringsSep ", " (f: ''"${f}"'') args.featureNames;
      deps = depLines args.dependencies;
      buildDeps = depLines args.buildDependencies;
      links = orEmpty args.links;
      metadataHash = substring 0 16 (hashString "sha256" "${args.instance} ${prof.profile}");
      capLints = if args.member then "" else "allow";
      primaryPackage = if args.member then "1" else "";
      targetTriple = if cross && !isHost then platforms.target.triple else "";
      targetPlatform = platforms.${args.platform}.triple;
      hostPlatform = platforms.host.triple;
      cargoCfg = cargoCfgLines args.platform prof.debugAssertions;
      extraRustcOpts = concatStringsSep "\n" args.extraRustcOpts;
      extraLinkFlags = concatStringsSep "\n" args.extraLinkFlags;
      inherit (args) preBuild postInstall;

      CARGO_PKG_NAME = args.crateName;
      CARGO_PKG_VERSION = args.version;
      CARGO_PKG_AUTHORS = concatStringsSep ":" args.authors;
      CARGO_PKG_DESCRIPTION = orEmpty args.description;
      CARGO_PKG_HOMEPAGE = orEmpty args.homepage;
      CARGO_PKG_REPOSITORY = orEmpty args.repository;
      CARGO_PKG_LICENSE = orEmpty args.license;
      CARGO_PKG_LICENSE_FILE = orEmpty args.licenseFile;
      CARGO_PKG_RUST_VERSION = orEmpty args.rustVersion;
      CARGO_PKG_README = orEmpty args.readme;
    }
    // prof
    // versionParts args.version
    // inputsEnv inputs
    // extraEnv;

  hostSuffix = args: if args.platform == "host" then "-host" else "";

  buildCrate =
    args:
    derivation (
      derivationAttrs args
      // {
        name = "rust_${args.crateName}-${args.version}${hostSuffix args}";
        outputs = [
          "out"
          "lib"
        ];
        args = [ ./native/build-crate.sh ];
      }
    );

  /* The instance's arguments after overrides, kept for tests and debugging. */
  instanceArgs = builtins.mapAttrs (key: inst: applyOverrides (crateArgs key inst)) plan.instances;

  built = builtins.mapAttrs (key: args: buildCrate args) instanceArgs;

  /* Builds and runs the test targets of instance `key` (a member, normally). */
  testCrate =
    key:
    {
      testCrateFlags ? [ ],
      testInputs ? [ ],
      testPreRun ? "",
      testPostRun ? "",
    }:
    let
      args = instanceArgs.${key};
      self = built.${key};
      lib = args.lib;
      pkg = plan.packages.${plan.instances.${key}.package};
      hasFeatures = t: builtins.all (f: elem f args.features) t.requiredFeatures;
      binTests = filter (b: b.test) args.crateBin;
      testTargets = filter (t: t.test && hasFeatures t) args.tests;
      # cargo test builds every example it can (required-features enabled)
      # and runs benches only with `test = true`.
      examples = filter hasFeatures (pkg.examples or [ ]);
      benchTargets = filter (t: t.test && hasFeatures t) (pkg.benches or [ ]);
      targetLine =
        t: "${t.name}\t${t.path}\t${t.edition}\t${if t.harness then "1" else "0"}";
      bool01 = b: if b then "1" else "0";
    in
    derivation (
      derivationAttrs (args // { nativeBuildInputs = args.nativeBuildInputs ++ testInputs; })
      // {
        name = "rust_${args.crateName}-${args.version}-test";
        args = [ ./native/test-crate.sh ];
        devDeps = depLines args.devDependencies;
        selfLib = self.lib;
        selfOut = self.out;
        libTest = if lib != null && lib.test then "1" else "";
        binTests = concatMapStringsSep "\n" (b: "${b.name}\t${b.path}\t${b.edition}") binTests;
        testTargets = concatMapStringsSep "\n" targetLine testTargets;
        benchTargets = concatMapStringsSep "\n" targetLine benchTargets;
        exampleTargets = concatMapStringsSep "\n" (
          t: "${t.name}\t${t.path}\t${t.edition}\t${bool01 t.test}\t${concatStringsSep " " t.crateTypes}"
        ) examples;
        testFlags = concatStringsSep "\n" testCrateFlags;
        doctestLib = ./native/doctest.sh;
        summaryLib = ./native/test-summary.sh;
        # Older plans (no `doctest` field): a lib rustdoc can test.
        docTest =
          if lib != null && (lib.doctest or (builtins.any (t: elem t [ "lib" "rlib" "proc-macro" ]) lib.crateTypes)) then
            "1"
          else
            "";
        RUSTDOC = toolchain.rustdoc or "${dirOf toolchain.rustc}/rustdoc";
        docTestDir = if pkg.source.type == "path" then pkg.source.path else "";
        rustdocFlags = concatStringsSep "\n" rustdocFlags;
        inherit testPreRun testPostRun;
      }
    );
in
{
  /* instKey -> derivation (outputs out and lib). */
  inherit built;
  /* instKey -> the arguments it was built with, after overrides. */
  inherit instanceArgs;
  /* instKey -> { testCrateFlags, testInputs, testPreRun, testPostRun } -> derivation. */
  tests = testCrate;
}
