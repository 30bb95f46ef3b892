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
  # { build; target; }: the build machine's tools, for host instances, and
  # the target's (see nix/toolchain.nix).
  toolchains,
  # The plan, as parsed from the planner's answer.
  plan,
  # pkgKey -> the package's sources: a .crate file or a directory.
  packageSource,
  # The workspace's source (a store path): `[env]` entries with
  # `relative = true` are joined with it.
  workspace ? plan.workspaceRoot,
  crateOverrides ? { },
  # Extra rustdoc arguments for doc tests: the config's rustdocflags
  # (plan format 2: platforms.target.rustdocflags).
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
  profiles = import ./profile.nix { inherit util; };

  cross = plan.platforms.target.triple != plan.platforms.host.triple;

  /* The tools that build an instance of `platform` ("target" or "host"). */
  toolchainFor = platform: if platform == "host" then toolchains.build else toolchains.target;

  /* The plan's platforms, each with the linker rustc uses for its code:
     `[target.<triple>] linker` from the config, else the toolchain's (a
     cross compiler's driver, lld's wasm-ld), else null (rustc's default). */
  platforms = builtins.mapAttrs (
    name: platform:
    platform
    // {
      linker =
        if (platform.linker or null) != null then platform.linker else (toolchainFor name).linker or null;
    }
  ) plan.platforms;

  /* cargo's spelling of a triple in CC_<triple> and friends. */
  tripleVar = triple: builtins.replaceStrings [ "-" "." ] [ "_" "_" ] triple;

  /* The C tools as build scripts see them (the cc crate reads CC_<target>,
     then TARGET_CC or HOST_CC, then CC): the instance's platform's as
     CC/CXX/AR and TARGET_*, the build machine's as HOST_*, and both under
     their triples. A host instance sees only the build machine's, so its
     derivation does not depend on the target. */
  cToolsEnv =
    platform:
    let
      tc = toolchainFor platform;
      build = toolchains.build;
      tools = prefix: suffix: t: {
        "${prefix}CC${suffix}" = orEmpty t.cc;
        "${prefix}CXX${suffix}" = orEmpty (t.cxx or null);
        "${prefix}AR${suffix}" = orEmpty t.ar;
      };
    in
    tools "" "" tc
    // tools "TARGET_" "" tc
    // tools "HOST_" "" build
    // tools "" "_${tripleVar platforms.host.triple}" build
    // tools "" "_${tripleVar platforms.${platform}.triple}" tc;

  /* File name suffix of executables on a platform. */
  exeSuffixFor =
    platform:
    let
      cfg = platforms.${platform}.cfg;
    in
    if elem ''target_family="wasm"'' cfg then
      ".wasm"
    else if elem ''target_os="windows"'' cfg then
      ".exe"
    else
      "";

  /* The profiles of an instance, and whether libraries carry object code
     next to bitcode (nix/profile.nix). */
  profilesOf = profiles.instanceProfiles;
  libsNeedObjects = profiles.libsNeedObjects plan;

  /* CARGO_CFG_<KEY>=<values joined by commas>, one line per key, from the
     platform's `rustc --print cfg` lines and the `--cfg` of its rustflags.
     debug_assertions follows the profile, as with cargo. */
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
      platform = platforms.${platformName};
      fromFlags = profiles.rustflagsCfg (platform.rustflags or [ ]);
      cfgLines = platform.cfg ++ filter (l: !(elem l platform.cfg)) fromFlags;
      cfg =
        map parse (filter (l: l != "debug_assertions") cfgLines)
        ++ util.optional debugAssertions {
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
        on = cargoCfgFor platformName true;
        off = cargoCfgFor platformName false;
      }) platforms;
    in
    platformName: debugAssertions: memo.${platformName}.${if debugAssertions then "on" else "off"};

  /* `[env]` of the config (profiles.configEnv). */
  configEnv = profiles.configEnv (plan.env or { }) workspace;

  /* The `[env]` assignments a crate's build exports. Cargo lets a variable
     already in its environment win over an entry without `force`; the
     environment a user gives a crate here is what its override sets. A
     name the builder itself uses is refused rather than silently lost. */
  configEnvOf =
    args:
    let
      user = userEnv args;
      nameOf = kv: builtins.head (builtins.match "([^=]*)=.*" kv);
      reserved = kv: elem (nameOf kv) contractNames;
      check =
        kv:
        if reserved kv then
          util.crateplanError "[env] ${nameOf kv}: this name is one of the native builder's own variables (nix/native.nix, buildContract); choose another"
        else
          kv;
    in
    map check (configEnv.forced ++ filter (kv: !(user ? ${nameOf kv})) configEnv.defaults);

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
  lines = concatStringsSep "\n";

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
      ps = profilesOf inst;
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
      # Profile objects (docs/plan-format.md); overrides may replace them.
      inherit (ps) profile buildScriptProfile testProfile;
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

  /* Every argument name above (attrNames does not evaluate the values):
     what an override adds beyond them goes to the environment. */
  knownArgs = attrNames (crateArgs "" { });

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

  /* rustc's crate types of a library, as the plan names them. */
  libCrateTypesOf = lib: map (t: if t == "lib" then "rlib" else t) lib.crateTypes;

  /* rustc's flags for one kind of unit of an instance: its profile, LTO
     as cargo decides it for that kind, then the platform's linker and
     rustflags (nix/profile.nix). One item per line. */
  unitFlags =
    {
      profile,
      crateTypes,
      platform,
    }:
    lines (
      profiles.profileFlags profile
      ++ profiles.ltoFlags {
        inherit profile crateTypes libsNeedObjects;
        isHost = platform == "host";
      }
      ++ profiles.platformFlags platforms.${platform}
    );

  /* The per-crate build contract: every variable the scripts in
     nix/native/ read, each documented here and nowhere else. The
     derivations' environment is made from it, and the scripts source
     `contractChecks`, generated from the same names, so a variable
     missing on either side stops the build at its first line. Lists are
     one item per line. */
  buildContract =
    args:
    let
      lib = args.lib;
      hasLib = lib != null;
      isHost = args.platform == "host";
      platform = platforms.${args.platform};
      prof = args.profile;
      version = versionParts args.version;
    in
    {
      # A .crate file or the package's source directory.
      inherit (args) src;
      # The package's name, version and edition.
      inherit (args) crateName;
      crateVersion = args.version;
      crateEdition = args.edition;
      # The library target (all empty without one): crate name, source
      # path, edition, rustc crate types (space separated), 1 for a proc-macro.
      libName = if hasLib then lib.name else "";
      libPath = if hasLib then lib.path else "";
      libEdition = if hasLib then lib.edition else "";
      libCrateTypes = if hasLib then concatStringsSep " " (libCrateTypesOf lib) else "";
      procMacro = if hasLib && lib.procMacro then "1" else "";
      # Build script path relative to the package root, or empty.
      buildScript = orEmpty args.build;
      # NAME<TAB>PATH<TAB>EDITION per selected binary.
      bins = concatMapStringsSep "\n" (b: "${b.name}\t${b.path}\t${b.edition}") args.crateBin;
      # Enabled features, space separated; every feature, quoted for --check-cfg.
      crateFeatures = concatStringsSep " " args.features;
      checkCfgFeatures = concatMapStringsSep ", " (f: ''"${f}"'') args.featureNames;
      # EXTERN LIBOUTPUT per normal and per build dependency.
      deps = depLines args.dependencies;
      buildDeps = depLines args.buildDependencies;
      # The package's `links`, or empty.
      links = orEmpty args.links;
      # Unique per instance and profile: -C metadata and -C extra-filename.
      metadataHash = substring 0 16 (hashString "sha256" "${args.instance} ${prof.name}");
      # "allow" outside the workspace, else empty; 1 for workspace members.
      capLints = if args.member then "" else "allow";
      primaryPackage = if args.member then "1" else "";
      # --target for cross builds, else empty; TARGET and HOST for the build script.
      targetTriple = if cross && !isHost then platforms.target.triple else "";
      targetPlatform = platform.triple;
      hostPlatform = platforms.host.triple;
      # rustc flags of the library, of the binaries, and of the build
      # script (its profile, on the host), from profiles and config.
      libFlags = unitFlags {
        profile = prof;
        crateTypes = if hasLib then libCrateTypesOf lib else [ ];
        inherit (args) platform;
      };
      binFlags = unitFlags {
        profile = prof;
        crateTypes = [ "bin" ];
        inherit (args) platform;
      };
      buildScriptFlags =
        if args.buildScriptProfile == null then
          ""
        else
          unitFlags {
            profile = args.buildScriptProfile;
            crateTypes = [ "bin" ];
            platform = "host";
          };
      # NAME=VALUE the build script runs with: TARGET, HOST, PROFILE,
      # OPT_LEVEL, DEBUG, CARGO_ENCODED_RUSTFLAGS, RUSTC_LINKER, CARGO_CFG_*.
      buildScriptEnv = lines (
        [
          "TARGET=${platform.triple}"
          "HOST=${platforms.host.triple}"
        ]
        ++ profiles.buildScriptProfileEnv prof platform
        ++ [ (cargoCfgLines args.platform prof.debugAssertions) ]
      );
      # NAME=VALUE from the config's [env] (see configEnvOf).
      configEnv = lines (configEnvOf args);
      # The toolchain of the instance's platform (its C tools: cToolsEnv),
      # and the build machine's rustc, which compiles build scripts (as it
      # compiled their build dependencies).
      RUSTC = (toolchainFor args.platform).rustc;
      buildRustc = toolchains.build.rustc;
      CARGO = (toolchainFor args.platform).cargo or "";
      # .wasm, .exe or empty: the file names of the binaries.
      exeSuffix = exeSuffixFor args.platform;
      # What to install when rustc has no standard library for the
      # platform, or its C compiler or linker is missing (error messages).
      missingStd = (toolchainFor args.platform).missing.std or "";
      missingCc = (toolchainFor args.platform).missing.cc or "";
      # The linker (for the check before linking), or empty.
      linker = orEmpty platform.linker;
      # From overrides: rustc options and link flags (one per line), shell snippets.
      extraRustcOpts = lines args.extraRustcOpts;
      extraLinkFlags = lines args.extraLinkFlags;
      inherit (args) preBuild postInstall;
      # What cargo sets for rustc (env!) and build scripts alike.
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
      CARGO_PKG_VERSION_MAJOR = version.CARGO_PKG_VERSION_MAJOR;
      CARGO_PKG_VERSION_MINOR = version.CARGO_PKG_VERSION_MINOR;
      CARGO_PKG_VERSION_PATCH = version.CARGO_PKG_VERSION_PATCH;
      CARGO_PKG_VERSION_PRE = version.CARGO_PKG_VERSION_PRE;
    };

  /* What test derivations read besides the build contract. */
  testContract =
    {
      args,
      testCrateFlags,
      testPreRun,
      testPostRun,
    }:
    let
      lib = args.lib;
      self = built.${args.instance};
      pkg = plan.packages.${plan.instances.${args.instance}.package};
      hasFeatures = t: builtins.all (f: elem f args.features) t.requiredFeatures;
      harness01 = t: if t.harness then "1" else "0";
      targetLine = t: "${t.name}\t${t.path}\t${t.edition}\t${harness01 t}";
      # Plans without `doctest` (hand-written, older): a lib rustdoc can test.
      doctestable =
        lib.doctest or (builtins.any (t: elem t [ "lib" "rlib" "proc-macro" ]) lib.crateTypes);
    in
    {
      # EXTERN LIBOUTPUT per dev-dependency.
      devDeps = depLines args.devDependencies;
      # The lib and out outputs of this instance's build (integration tests
      # link the library and run the bins).
      selfLib = self.lib;
      selfOut = self.out;
      # 1 when the library's unit tests are built.
      libTest = if lib != null && lib.test then "1" else "";
      # NAME<TAB>PATH<TAB>EDITION of bins whose unit tests are built.
      binTests = concatMapStringsSep "\n" (b: "${b.name}\t${b.path}\t${b.edition}") (
        filter (b: b.test) args.crateBin
      );
      # NAME<TAB>PATH<TAB>EDITION<TAB>HARNESS (1 or 0) per test target.
      testTargets = concatMapStringsSep "\n" targetLine (filter (t: t.test && hasFeatures t) args.tests);
      # The same for benches cargo test runs (`test = true`).
      benchTargets = concatMapStringsSep "\n" targetLine (
        filter (t: t.test && hasFeatures t) (pkg.benches or [ ])
      );
      # NAME<TAB>PATH<TAB>EDITION<TAB>TEST (1 or 0)<TAB>CRATE TYPES (space
      # separated) per example cargo test builds: all whose
      # required-features are enabled (run when `test = true`).
      exampleTargets = concatMapStringsSep "\n" (
        t: "${t.name}\t${t.path}\t${t.edition}\t${if t.test then "1" else "0"}\t${concatStringsSep " " t.crateTypes}"
      ) (filter hasFeatures (pkg.examples or [ ]));
      # 1 when the library's doc tests run (the plan's lib.doctest).
      docTest = if lib != null && doctestable then "1" else "";
      # The toolchain's rustdoc, and the config's rustdocflags (one per line).
      RUSTDOC = toolchains.target.rustdoc or "${dirOf toolchains.target.rustc}/rustdoc";
      rustdocFlags = lines rustdocFlags;
      # The package's directory relative to the workspace root (path
      # packages), or empty: cargo runs rustdoc from the workspace root,
      # which names the doc tests (`dt-core/src/lib.rs - add (line 18)`).
      docTestDir = if pkg.source.type == "path" then pkg.source.path else "";
      # rustc flags of the test units (the test profile; built as bins).
      testUnitFlags = unitFlags {
        profile = if args.testProfile != null then args.testProfile else args.profile;
        crateTypes = [ "bin" ];
        inherit (args) platform;
      };
      # Arguments for every test binary, one per line; shell snippets
      # around the runs.
      testFlags = lines testCrateFlags;
      inherit testPreRun testPostRun;
    };

  /* `: "${NAME?}"` for every contract variable: the scripts source this
     first (see buildContract). */
  contractChecks =
    name: names:
    builtins.toFile name (
      "# Generated by nix/native.nix: the variables of its contract.\n"
      + concatMapStringsSep "\n" (n: '': "''${${n}?}"'') names
      + "\n"
    );
  contractNames = attrNames (buildContract { });
  buildChecks = contractChecks "crateplan-build-contract.sh" contractNames;
  testChecks = contractChecks "crateplan-test-contract.sh" (
    attrNames (buildContract { } // testContract { args = { }; testCrateFlags = [ ]; testPreRun = ""; testPostRun = ""; })
  );

  /* What an override adds to a crate's environment: the attributes that
     are no arguments (and no functions). */
  userEnv = args: util.filterAttrs (n: v: !(elem n knownArgs) && !(isFunction v)) args;

  /* The derivation attributes shared by a crate's build and its tests:
     the contract, plus PATH, search paths for inputs, and what overrides
     add to the environment. */
  derivationAttrs =
    args:
    let
      inputs = args.nativeBuildInputs ++ args.buildInputs;
      # nixpkgs' convention: nativeBuildInputs run on the build machine,
      # buildInputs are for the platform built for; cross-compiling, the
      # latter's programs cannot run, so only the former are on PATH.
      runnable = if cross && args.platform == "target" then args.nativeBuildInputs else inputs;
      extraEnv = userEnv args;
    in
    {
      system = toolchains.build.system;
      builder = toolchains.build.shell;
      common = ./native/common.sh;
      PATH = concatStringsSep ":" (map (p: "${p}/bin") runnable ++ [ (toolchainFor args.platform).path ]);
    }
    // buildContract args
    // cToolsEnv args.platform
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
        contract = buildChecks;
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
    in
    derivation (
      derivationAttrs (args // { nativeBuildInputs = args.nativeBuildInputs ++ testInputs; })
      // testContract {
        inherit
          args
          testCrateFlags
          testPreRun
          testPostRun
          ;
      }
      // {
        name = "rust_${args.crateName}-${args.version}-test";
        contract = testChecks;
        args = [ ./native/test-crate.sh ];
        doctestLib = ./native/doctest.sh;
        summaryLib = ./native/test-summary.sh;
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
