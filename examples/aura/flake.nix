{
  description = "Aura, built with Nix one derivation per crate by crateplan (no Cargo.nix, no generation step)";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    # This checkout of crateplan (a relative path input: Nix >= 2.26). A
    # project of its own would use github:OWNER/crateplan.
    crateplan.url = "path:../..";
    crateplan.inputs.nixpkgs.follows = "nixpkgs";
  };

  outputs =
    {
      self,
      nixpkgs,
      crateplan,
    }:
    let
      systems = [
        "x86_64-linux"
        "aarch64-linux"
        "x86_64-darwin"
        "aarch64-darwin"
      ];
      forAllSystems = nixpkgs.lib.genAttrs systems;

      # Per system: Cargo.toml, Cargo.lock and the crates' manifests are read
      # while Nix evaluates; every crate becomes its own derivation (66 for
      # aura-cli: proc-macros and build-script dependencies are built for the
      # build machine). The git dependency (aura-expr) is fetched at the
      # revision Cargo.lock pins, with no hash file: run
      # git-deps/make-repos first, which creates the repository at
      # file:///tmp/crateplan-git/aura-expr that Cargo.lock points at.
      # Native libraries, per crate name, as Aura's crate overrides gave
      # them (and as pkgs.defaultCrateOverrides does). For a cross package
      # set, buildInputs are the target's (pkgs.openssl is then an aarch64
      # OpenSSL) and nativeBuildInputs run on the build machine.
      overridesFor = pkgs: {
        openssl-sys = attrs: {
          nativeBuildInputs = [ pkgs.buildPackages.pkg-config ];
          buildInputs = [ pkgs.openssl ];
          # The pkg-config crate refuses to answer for another target
          # unless told that the paths it finds are the target's.
          PKG_CONFIG_ALLOW_CROSS = "1";
        };
      };

      workspaces = forAllSystems (
        system:
        let
          pkgs = nixpkgs.legacyPackages.${system};
        in
        crateplan.lib.buildWorkspace {
          inherit pkgs;
          src = ./.;
          crateOverrides = overridesFor pkgs;
        }
      );

      # aura-cli for aarch64 Linux, cross-compiled on x86_64 Linux with
      # nixpkgs' cross package set: build scripts and proc-macros are
      # built for x86_64 (the same derivations as in `workspaces`), the
      # rest, ring's and blake3's C and assembly included, for aarch64.
      aarch64 =
        let
          pkgs = nixpkgs.legacyPackages.x86_64-linux.pkgsCross.aarch64-multiplatform;
        in
        crateplan.lib.buildWorkspace {
          inherit pkgs;
          src = ./.;
          crateOverrides = overridesFor pkgs;
        };

      # Aura's web front end: aura-web for wasm32-unknown-unknown with
      # Aura's [profile.wasm]; $out/lib/aura_web.wasm.
      web = forAllSystems (
        system:
        crateplan.lib.buildWorkspace {
          pkgs = nixpkgs.legacyPackages.${system};
          src = ./.;
          packages = [ "aura-web" ];
          target = "wasm32-unknown-unknown";
          profile = "wasm";
        }
      );
    in
    {
      packages = forAllSystems (
        system:
        let
          members = workspaces.${system}.workspaceMembers;
        in
        {
          default = members.aura-cli.build;
          aura-cli = members.aura-cli.build;
          aura-agent = members.aura-agent.build;
          aura-simulator = members.aura-simulator.build;
          aura-web-wasm = web.${system}.workspaceMembers.aura-web.build;
        }
        // nixpkgs.lib.optionalAttrs (system == "x86_64-linux") {
          aura-cli-aarch64-linux = aarch64.workspaceMembers.aura-cli.build;
        }
      );

      # `nix flake check`: each derivation builds a member's test targets
      # with its dev-dependencies and runs them.
      checks = forAllSystems (
        system:
        let
          tests = workspaces.${system}.tests;
        in
        {
          aura-core-tests = tests.aura-core;
          aura-crypto-tests = tests.aura-crypto;
          aura-protocol-tests = tests.aura-protocol;
        }
      );

      # `nix develop`: cargo and rustc, and OpenSSL found through pkg-config,
      # for working on Aura with cargo as usual.
      devShells = forAllSystems (
        system:
        let
          pkgs = nixpkgs.legacyPackages.${system};
        in
        {
          default = pkgs.mkShell {
            nativeBuildInputs = [
              pkgs.rustc
              pkgs.cargo
              pkgs.pkg-config
            ];
            buildInputs = [ pkgs.openssl ];
          };
        }
      );
    };
}
