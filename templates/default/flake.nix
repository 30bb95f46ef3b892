{
  description = "A Rust workspace, built one derivation per crate with crateplan";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    # Where you get crateplan from.
    crateplan.url = "github:OWNER/crateplan";
    crateplan.inputs.nixpkgs.follows = "nixpkgs";
  };

  outputs =
    { self, nixpkgs, crateplan }:
    let
      systems = [
        "x86_64-linux"
        "aarch64-linux"
        "x86_64-darwin"
        "aarch64-darwin"
      ];
      forAllSystems = nixpkgs.lib.genAttrs systems;

      # Cargo.toml and Cargo.lock are read while Nix evaluates: no generated
      # file, nothing to regenerate after `cargo update`.
      workspaces = forAllSystems (
        system:
        crateplan.lib.buildWorkspace {
          pkgs = nixpkgs.legacyPackages.${system};
          src = ./.;
          # Native libraries, per crate name (as pkgs.defaultCrateOverrides):
          # crateOverrides = {
          #   openssl-sys = attrs: {
          #     nativeBuildInputs = [ pkgs.pkg-config ];
          #     buildInputs = [ pkgs.openssl ];
          #   };
          # };
        }
      );
    in
    {
      packages = forAllSystems (system: {
        default = workspaces.${system}.workspaceMembers.hello.build;
      });

      # One derivation per workspace member that builds its tests and runs them.
      checks = forAllSystems (system: workspaces.${system}.tests);

      devShells = forAllSystems (
        system:
        let
          pkgs = nixpkgs.legacyPackages.${system};
        in
        {
          default = pkgs.mkShell {
            packages = [
              pkgs.rustc
              pkgs.cargo
            ];
          };
        }
      );
    };
}
