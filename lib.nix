# crateplan's Nix entry point: build a Cargo workspace one derivation per
# crate, with no generated file.
#
#   let
#     crateplan = import ./lib.nix { inherit pkgs; };   # or { } without nixpkgs
#     ws = crateplan.buildWorkspace { src = ./.; };
#   in ws.workspaceMembers.my-cli.build
#
# The result has crate2nix's shape (rootCrate, workspaceMembers.<name>.build,
# allWorkspaceMembers, overridable build) plus tests.<member> and plan.
# docs/lib-nix.md documents every argument; nix/ holds the parts:
#   route.nix      how the planner runs during evaluation, and its rounds
#   bootstrap.nix  the crateplan CLI built by Nix (for the ifd route)
#   sources.nix    fetching registry, git and path sources
#   toolchain.nix  the tools and platforms the builds use
#   native.nix     the native builder (plain derivations calling rustc)
#   build-rust-crate.nix   the same plan onto nixpkgs' buildRustCrate
#   workspace.nix  assembling the results
{
  # A nixpkgs package set, or null to build with the host's tools.
  pkgs ? null,
  # The system derivations build on (without pkgs); needed in pure
  # evaluation, where builtins.currentSystem does not exist.
  system ? null,
}:
let
  outerPkgs = pkgs;
  outerSystem = system;
  util = import ./nix/util.nix;
  sources = import ./nix/sources.nix { inherit util; };
  toolchains = import ./nix/toolchain.nix { inherit util; };
  native = import ./nix/native.nix { inherit util; };
  buildRustCrateBuilder = import ./nix/build-rust-crate.nix { inherit util; };
  assemble = import ./nix/workspace.nix { inherit util; };
  routeWith = import ./nix/route.nix { inherit util sources; };
  bootstrapWith = import ./nix/bootstrap.nix { inherit util sources; };

  /* What depends on nixpkgs (or its absence): the system, the toolchain,
     and the platforms the code runs on (target) and builds on (host). */
  defaultsFor =
    pkgs: system:
    let
      havePkgs = pkgs != null;
      theSystem =
        if system != null then
          system
        else if havePkgs then
          pkgs.stdenv.buildPlatform.system
        else
          builtins.currentSystem;
    in
    {
      inherit havePkgs;
      system = theSystem;
      toolchain =
        if havePkgs then (toolchains.pairFromPkgs pkgs).build else toolchains.host { system = theSystem; };
      target =
        if havePkgs then
          toolchains.tripleOfPlatform pkgs.stdenv.hostPlatform
        else
          toolchains.tripleOfSystem theSystem;
      host =
        if havePkgs then
          toolchains.tripleOfPlatform pkgs.stdenv.buildPlatform
        else
          toolchains.tripleOfSystem theSystem;
    };

  outer = defaultsFor pkgs system;
in
{
  /* Builds a Cargo workspace; see docs/lib-nix.md. */
  buildWorkspace =
    {
      # As lib.nix's own arguments, for this call (flake users pass pkgs here).
      pkgs ? outerPkgs,
      system ? outerSystem,
      # The workspace: a path (copied to the store once, without target/ and
      # .git) or a store path.
      src,
      # Default: Cargo.lock beside the root manifest.
      lockFile ? null,
      # Selection, as cargo's -p / --features / --all-features /
      # --no-default-features; no packages means the whole workspace.
      packages ? [ ],
      features ? [ ],
      allFeatures ? false,
      noDefaultFeatures ? false,
      # Platforms: a triple, or { triple; cfg = [ lines of rustc --print cfg ]; }.
      target ? (defaultsFor pkgs system).target,
      host ? (defaultsFor pkgs system).host,
      # Per crate name, as pkgs.defaultCrateOverrides.
      crateOverrides ? null,
      # "native" or "buildRustCrate".
      builder ? "native",
      # How the planner runs: null (plugin, then wasm, then ifd), "plugin",
      # "wasm", "ifd" or "exec".
      mode ? null,
      # For mode = "exec": the crateplan CLI (default: looked up on PATH).
      crateplan ? "crateplan",
      # Alternative registries: index URL -> download URL template.
      registries ? { },
      # Which sources a planner round asks for: "lock-closure" (everything
      # the lock says a missing crate may need: two rounds, and possibly a
      # few .crate files of other platforms fetched but never built) or
      # "needed" (only what the plan uses: one round per dependency level).
      prefetch ? "lock-closure",
      # Replaces parts of the toolchain (see nix/toolchain.nix): attributes
      # for the build machine's tools (and the target's, natively), and
      # `target` = { cc; cxx; ar; linker; ... } for the target's alone.
      toolchain ? { },
      # The cargo profile to build ("dev", "release", "test", "bench" or a
      # custom [profile.NAME]), resolved by the planner from Cargo.toml and
      # .cargo/config.toml as cargo resolves it.
      profile ? "release",
      # Extra cargo config: a list of TOML strings, above the workspace's
      # .cargo/config.toml files (like `cargo --config`).
      cargoConfig ? [ ],
      # Thin aliases, kept for crate2nix users (docs/lib-nix.md):
      # release = false is profile = "dev"; codegenUnits = N adds
      # `profile.<profile>.codegen-units = N` to cargoConfig.
      release ? null,
      codegenUnits ? null,
      # For buildRustCrate.
      buildRustCrateForPkgs ? (p: p.buildRustCrate),
      # A plan to use instead of asking the planner (debugging, tests), and
      # the plan for tests (default: the same plan, or the planner's answer
      # with tests selected).
      plan ? null,
      testPlan ? null,
    }:
    let
      defaults = defaultsFor pkgs system;
      havePkgs = defaults.havePkgs;
      tripleOf = p: if builtins.isString p then p else p.triple;
      # The build machine's tools (build scripts, proc-macros, the planner's
      # CLI) and the target's (see nix/toolchain.nix).
      toolchainPair = toolchains.withOverrides (
        if havePkgs then
          toolchains.pairForPkgs pkgs (tripleOf target)
        else
          toolchains.pairFromHost {
            system = defaults.system;
            targetTriple = tripleOf target;
            hostTriple = tripleOf host;
          }
      ) toolchain;
      tools = toolchainPair.build;

      workspace = sources.workspaceSource src;

      theProfile =
        if release == null || release then
          profile
        else if profile == "release" then
          "dev"
        else
          util.crateplanError "release = false and profile = \"${profile}\" disagree: pass profile only (release = false is an alias of profile = \"dev\")";
      codegenUnitsConfig = util.optional (
        codegenUnits != null
      ) "profile.${theProfile}.codegen-units = ${toString codegenUnits}";

      request = {
        workspace = workspace;
        lockFile =
          if lockFile == null then
            null
          else if builtins.isPath lockFile then
            toString (builtins.path {
              path = lockFile;
              name = "Cargo.lock";
            })
          else
            sources.realisedStorePath lockFile;
        inherit target host registries prefetch;
        profile = theProfile;
        config = cargoConfig ++ codegenUnitsConfig;
        selection = {
          workspace = packages == [ ];
          inherit
            packages
            features
            allFeatures
            noDefaultFeatures
            ;
          tests = false;
        };
      };

      route = routeWith {
        inherit mode;
        execCli = crateplan;
        bootstrapCli =
          _:
          bootstrapWith {
            toolchain = tools;
            flavour = "answer";
          };
        inherit (tools) system shell;
      };

      requestFor = selection: request // { selection = request.selection // selection; };
      planFor = selection: route.plan (requestFor selection);

      mainRun = route.run (requestFor { });
      thePlan = if plan != null then plan else mainRun.plan;
      theTestPlan =
        if testPlan != null then
          testPlan
        else if plan != null then
          plan
        else
          planFor { tests = true; };

      builderFor =
        p: overrides:
        let
          packageSources = sources.packageSources {
            inherit src;
            plan = p;
          };
          packageSource = key: packageSources.${key};
        in
        if builder == "native" then
          native {
            toolchains = toolchainPair;
            plan = p;
            inherit packageSource workspace;
            crateOverrides = if overrides == null then { } else overrides;
          }
        else if builder == "buildRustCrate" then
          if !havePkgs then
            util.crateplanError "builder = \"buildRustCrate\" needs nixpkgs: import lib.nix { inherit pkgs; }"
          else
            buildRustCrateBuilder {
              inherit pkgs packageSource workspace buildRustCrateForPkgs;
              plan = p;
              crateOverrides = if overrides == null then pkgs.defaultCrateOverrides else overrides;
            }
        else
          util.crateplanError "unknown builder \"${builder}\"; use \"native\" or \"buildRustCrate\"";
    in
    assemble {
      plan = thePlan;
      testPlan = theTestPlan;
      inherit planFor builderFor crateOverrides;
      inherit (tools) system shell path;
    }
    // {
      /* The route the planner runs through (null when a plan was given). */
      route = if plan != null then null else route.route;
      /* The last request sent to the planner for `plan` (JSON text) and the
         route's raw answer to it, to compare routes and the CLI (`crateplan
         answer`); null when a plan was given. */
      planner = if plan != null then null else { inherit (mainRun) request answer; };
    };

  /* The crateplan CLI built from this checkout (plan, unit-graph, answer). */
  crateplanCli = bootstrapWith { toolchain = outer.toolchain; };

  /* `crateplan-answer`, the answer-only binary the ifd route builds and
     runs (no clap, opt-level 1: the fastest first evaluation). */
  crateplanAnswer = bootstrapWith {
    toolchain = outer.toolchain;
    flavour = "answer";
  };

  /* The toolchain buildWorkspace uses by default. */
  toolchain = outer.toolchain;

  /* A small derivation: SCRIPT run with `set -eu` by the default
     toolchain's shell, with its tools on PATH and ATTRS as environment. */
  runShell =
    name: attrs: script:
    derivation (
      {
        inherit name;
        inherit (outer.toolchain) system;
        builder = outer.toolchain.shell;
        PATH = outer.toolchain.path;
        args = [
          "-c"
          ''
            set -eu
            ${script}
          ''
        ];
      }
      // attrs
    );
}
