# Argument-shape test of the buildRustCrate builder (nix/build-rust-crate.nix).
#
# There is no nixpkgs here, so this does NOT build anything with
# buildRustCrate: a stand-in `pkgs` records the arguments each crate's
# buildRustCrate call receives, and the assertions below check their names
# and values against what crate2nix's generated Cargo.nix passes. Evaluates
# to true, or fails naming the first mismatch.
#
#   nix-instantiate --eval --strict tests/nix/native-smoke/buildrustcrate-argument-shape.nix
let
  fakeDrv = name: attrs: attrs // {
    inherit name;
    outPath = "/fake/${name}";
  };
  recordingBuildRustCrate =
    platform: args:
    fakeDrv "rust_${args.crateName}-${args.version}" {
      inherit platform args;
      lib = "/fake/rust_${args.crateName}-${args.version}-lib";
    };
  pkgs = {
    buildRustCrate = recordingBuildRustCrate "target";
    buildPackages.buildRustCrate = recordingBuildRustCrate "host";
    defaultCrateOverrides = {
      marker = "the default overrides";
    };
    fetchurl = args: fakeDrv args.name { fetchurl = args; };
    runCommand = name: env: script: fakeDrv name { inherit env script; };
  };

  handPlan = builtins.fromJSON (builtins.readFile ./plan.json);
  # One registry crate next to the path crates, to check its source.
  plan = handPlan // {
    packages = handPlan.packages // {
      "itoa-1.0.11" = handPlan.packages."smoke-util 0.1.0" // {
        name = "itoa";
        version = "1.0.11";
        id = "registry+https://github.com/rust-lang/crates.io-index#itoa@1.0.11";
        source = {
          type = "registry";
          registry = "https://github.com/rust-lang/crates.io-index";
          url = "https://static.crates.io/crates/itoa/itoa-1.0.11.crate";
          sha256 = "49f1f14873335454500d59611f1cf4a4b0f786f9ac11f4312a78e4cf2566695b";
          fetchKey = "itoa-1.0.11";
        };
        lib = handPlan.packages."smoke-util 0.1.0".lib // {
          name = "itoa";
        };
      };
    };
    instances = handPlan.instances // {
      "itoa-1.0.11" = handPlan.instances."smoke-util 0.1.0 target" // {
        package = "itoa-1.0.11";
      };
    };
  };

  # The same plan with an LTO profile, rustflags and [env].
  ltoPlan = plan // {
    instances = builtins.mapAttrs (
      _: inst:
      if inst.platform == "target" then
        inst
        // {
          profile = inst.profile // {
            lto = "fat";
            panic = "abort";
          };
        }
      else
        inst
    ) plan.instances;
    platforms = plan.platforms // {
      target = plan.platforms.target // {
        rustflags = [
          "--cfg"
          "from_config"
        ];
      };
    };
    env = {
      GREETING = {
        value = "hi";
        force = false;
        relative = false;
      };
    };
  };

  crateplan = import ../../../lib.nix { inherit pkgs; };
  ws = crateplan.buildWorkspace {
    src = ./.;
    inherit plan;
    builder = "buildRustCrate";
  };
  crates = ws.internal.crates;
  argsOf = key: crates.${key}.args;

  check =
    what: actual: expected:
    if actual == expected then
      true
    else
      throw "argument shape: ${what}: expected ${builtins.toJSON expected}, got ${builtins.toJSON actual}";
  names = map (d: d.args.crateName);

  cli = argsOf "smoke-cli 0.1.0 target";
  mid = argsOf "smoke-mid 0.2.0 target";
  sys = argsOf "smoke-sys 0.1.0 target";
  macro = argsOf "smoke-macro 0.1.0 host";
  itoa = argsOf "itoa-1.0.11";
  cliTest = ws.tests.smoke-cli;
  ltoCrates =
    (crateplan.buildWorkspace {
      src = ./.;
      plan = ltoPlan;
      builder = "buildRustCrate";
    }).internal.crates;
  ltoCli = ltoCrates."smoke-cli 0.1.0 target".args;
  ltoMid = ltoCrates."smoke-mid 0.2.0 target".args;
in
builtins.all (x: x) [
  # The member's build is buildRustCrate's result for the target platform.
  (check "workspaceMembers.smoke-cli.build" ws.workspaceMembers.smoke-cli.build.args cli)
  (check "smoke-cli platform" crates."smoke-cli 0.1.0 target".platform "target")
  (check "smoke-cli crateName" cli.crateName "smoke-cli")
  (check "smoke-cli version" cli.version "0.1.0")
  (check "smoke-cli edition" cli.edition "2021")
  (check "smoke-cli crateBin" cli.crateBin [
    {
      name = "smoke";
      path = "src/main.rs";
      requiredFeatures = [ ];
    }
  ])
  (check "smoke-cli build" cli.build "build.rs")
  (check "smoke-cli has no lib" (cli ? libName) false)
  (check "smoke-cli dependencies" (names cli.dependencies) [
    "smoke-macro"
    "smoke-mid"
    "smoke-sys"
  ])
  (check "smoke-cli dev-dependencies stay out of the build" (names cli.dependencies != [ ]) true)
  (check "smoke-cli buildDependencies" cli.buildDependencies [ ])
  (check "smoke-cli crateRenames" cli.crateRenames { })
  (check "smoke-cli features" cli.features [ ])
  (check "release" cli.release true)

  # The plan's profiles (format 2): what buildRustCrate cannot express
  # itself goes through extraRustcOpts, after its own flags.
  (check "release profile flags" cli.extraRustcOpts [
    "-C opt-level=3"
    "-C debuginfo=0"
    "-C opt-level=3"
    "-C strip=debuginfo"
    "-C embed-bitcode=no"
  ])
  (check "codegenUnits: rustc's default when the profile has none" cli.codegenUnits 16)
  (check "build script profile" cli.extraRustcOptsForBuildRs [
    "-C opt-level=0"
    "-C debuginfo=0"
    "-C codegen-units=256"
    "-C debug-assertions=off"
    "-C embed-bitcode=no"
  ])
  (check "no build script, no build script flags" (macro ? extraRustcOptsForBuildRs) false)
  (check "host crates: build-override profile" macro.extraRustcOpts [
    "-C opt-level=0"
    "-C debuginfo=0"
    "-C codegen-units=256"
    "-C debug-assertions=off"
    "-C embed-bitcode=no"
  ])
  (check "CARGO_ENCODED_RUSTFLAGS" cli.CARGO_ENCODED_RUSTFLAGS "")
  (check "LTO at the link of a package without a library" ltoCli.extraRustcOpts [
    "-C opt-level=3"
    "-C debuginfo=0"
    "-C opt-level=3"
    "-C panic=abort"
    "-C strip=debuginfo"
    "-C lto=fat"
    "--cfg"
    "from_config"
  ])
  (check "libraries keep object code and bitcode under LTO" ltoMid.extraRustcOpts [
    "-C opt-level=3"
    "-C debuginfo=0"
    "-C opt-level=3"
    "-C panic=abort"
    "-C strip=debuginfo"
    "--cfg"
    "from_config"
  ])
  (check "[env] in the environment" ltoCli.GREETING "hi")
  (check "CARGO_ENCODED_RUSTFLAGS from the config" ltoCli.CARGO_ENCODED_RUSTFLAGS (
    "--cfg" + builtins.fromJSON ''"\u001f"'' + "from_config"
  ))
  (check "crateOverrides default to pkgs.defaultCrateOverrides" cli.crateOverrides.marker
    "the default overrides"
  )
  (check "smoke-cli src name" (builtins.match ".*-smoke-cli-0.1.0-source" (toString cli.src) != null) true)

  # Proc-macros and build dependencies come from pkgs.buildPackages.
  (check "proc-macro platform" crates."smoke-macro 0.1.0 host".platform "host")
  (check "proc-macro procMacro" macro.procMacro true)
  (check "proc-macro type" macro.type [ "proc-macro" ])
  (check "proc-macro libName" macro.libName "smoke_macro")

  # A renamed dependency, a build dependency, a library.
  (check "smoke-mid crateRenames" mid.crateRenames {
    smoke-sys = [
      {
        rename = "sys";
        version = "0.1.0";
      }
    ];
  })
  (check "smoke-mid buildDependencies" (names mid.buildDependencies) [ "smoke-util" ])
  (check "smoke-mid build dependency platform" (map (d: d.platform) mid.buildDependencies) [ "host" ])
  (check "smoke-mid libName" mid.libName "smoke_mid")
  (check "smoke-mid libPath" mid.libPath "src/lib.rs")
  (check "smoke-mid type" mid.type [ "rlib" ])
  (check "smoke-mid no crateBin" (mid ? crateBin) false)

  # links, features, package metadata.
  (check "smoke-sys links" sys.links "smokec")
  (check "smoke-sys features" sys.features [
    "default"
    "fast-path"
  ])
  (check "smoke-sys authors" sys.authors [
    "Ada <ada@example.org>"
    "Bob <bob@example.org>"
  ])
  (check "smoke-sys description" sys.description "C code compiled by a build script with plain cc and ar")
  (check "smoke-sys license" sys.license "MIT")
  (check "smoke-sys has no sha256 (path source)" (sys ? sha256) false)

  # A registry crate: sha256 from the lock and src fetched as crate2nix does.
  (check "registry sha256" itoa.sha256 "49f1f14873335454500d59611f1cf4a4b0f786f9ac11f4312a78e4cf2566695b")
  (check "registry src" itoa.src.fetchurl {
    name = "itoa-1.0.11.tar.gz";
    url = "https://static.crates.io/crates/itoa/itoa-1.0.11.crate";
    sha256 = "49f1f14873335454500d59611f1cf4a4b0f786f9ac11f4312a78e4cf2566695b";
  })

  # Tests: buildTests with the dev-dependencies added, run by runCommand.
  (check "tests runner" cliTest.name "run-tests-smoke-cli")
  (check "tests run the test build" (builtins.match ".*/fake/rust_smoke-cli-0.1.0/tests/.*" cliTest.script != null) true)
  (check "tests buildTests" cliTest.testBuild.args.buildTests true)
  (check "tests dependencies" (names cliTest.testBuild.args.dependencies) [
    "smoke-macro"
    "smoke-mid"
    "smoke-sys"
    "smoke-util"
  ])

  # User overrides replace the defaults.
  (check "crateOverrides argument"
    ((crateplan.buildWorkspace {
      src = ./.;
      inherit plan;
      builder = "buildRustCrate";
      crateOverrides = {
        mine = true;
      };
    }).internal.crates."smoke-cli 0.1.0 target".args.crateOverrides
    )
    { mine = true; }
  )
]
