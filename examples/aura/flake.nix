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
      workspaces = forAllSystems (
        system:
        let
          pkgs = nixpkgs.legacyPackages.${system};
        in
        crateplan.lib.buildWorkspace {
          inherit pkgs;
          src = ./.;
          # Native libraries, per crate name, as Aura's crate overrides
          # gave them (and as pkgs.defaultCrateOverrides does).
          crateOverrides = {
            openssl-sys = attrs: {
              nativeBuildInputs = [ pkgs.pkg-config ];
              buildInputs = [ pkgs.openssl ];
            };
          };
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
