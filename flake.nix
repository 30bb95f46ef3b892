{
  description = "crateplan: build Cargo workspaces with Nix, one derivation per crate, with no generated Cargo.nix";

  # nixpkgs only. No flake.lock is committed (it could not be made offline
  # where crateplan is developed): the first `nix build` of this flake, or of
  # a flake that uses it with `inputs.crateplan.inputs.nixpkgs.follows`,
  # locks nixpkgs.
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      systems = [
        "x86_64-linux"
        "aarch64-linux"
        "x86_64-darwin"
        "aarch64-darwin"
      ];
      forAllSystems = nixpkgs.lib.genAttrs systems;

      overlay = import ./nix/overlay.nix;

      # The overlay's packages on plain nixpkgs, per system.
      ours = forAllSystems (
        system:
        let
          pkgs = nixpkgs.legacyPackages.${system};
        in
        overlay pkgs pkgs
      );

      checksFor =
        system:
        let
          o = ours.${system};
          src = o.crateplan-plugin.src;

          # crateplan built by its own lib.nix, one derivation per crate.
          self' = o.crateplanLib.buildWorkspace {
            inherit src;
            packages = [ "crateplan" ];
            crateOverrides.crateplan = attrs: {
              # tests/oracle.rs and tests/oracle_why.rs run cargo against
              # crates.io, tests/default_members.rs runs `cargo metadata`
              # on the repository's workspace: not in a build, which has
              # no cargo and only the sources the crate needs.
              tests = builtins.filter (
                t:
                !(builtins.elem t.name [
                  "oracle"
                  "oracle_why"
                  "default_members"
                ])
              ) attrs.tests;
            };
          };

          run = o.crateplanLib.runShell;
        in
        {
          # The CLI built per crate answers exactly as the one cargo built
          # (lib.nix's crateplanCli) on a request for crateplan's own
          # workspace.
          crateplan-per-crate =
            run "crateplan-per-crate-check"
              {
                perCrate = self'.workspaceMembers.crateplan.build;
                cargoBuilt = o.crateplan;
                request = builtins.toJSON {
                  workspace = "${src}";
                  target = self'.plan.platforms.target.triple;
                  selection = {
                    workspace = true;
                  };
                };
                passAsFile = [ "request" ];
              }
              ''
                "$perCrate/bin/crateplan" --version
                "$perCrate/bin/crateplan" answer "$requestPath" >per-crate.json
                "$cargoBuilt/bin/crateplan" answer "$requestPath" >cargo-built.json
                # (coreutils only: no cmp in the toolchain's PATH)
                [ "$(sha256sum <per-crate.json)" = "$(sha256sum <cargo-built.json)" ] || {
                  echo "the per-crate CLI answers differently from the cargo-built one" >&2
                  exit 1
                }
                grep -q '"ok":true' per-crate.json
                mkdir -p "$out"
                cp per-crate.json "$out/answer.json"
              '';

          # crateplan's unit tests and tests/planner.rs (offline), built
          # and run per crate.
          crateplan-tests = self'.tests.crateplan;
        }
        // nixpkgs.lib.optionalAttrs (nixpkgs.legacyPackages.${system}.stdenv.hostPlatform.isLinux or false) {
          # The plugin links the Nix C API of the Nix it was built for and
          # exports only nix_plugin_entry (ELF tools: Linux only).
          crateplan-plugin =
            run "crateplan-plugin-check"
              {
                plugin = o.crateplan-plugin.pluginFile;
              }
              ''
                readelf -d "$plugin" | grep -q 'NEEDED.*libnixexprc'
                nm -D --defined-only "$plugin" | grep -q ' T nix_plugin_entry$'
                mkdir -p "$out"
              '';
        };
    in
    {
      # `crateplan.lib.buildWorkspace { inherit pkgs; src = ./.; }`, and per
      # system with that system's nixpkgs:
      # `crateplan.lib.x86_64-linux.buildWorkspace { src = ./.; }`.
      lib = import ./lib.nix { } // forAllSystems (system: ours.${system}.crateplanLib);

      packages = forAllSystems (
        system:
        let
          o = ours.${system};
        in
        {
          default = o.crateplan;
          inherit (o)
            crateplan
            crateplan-capi
            crateplan-plugin
            crateplan-wasm
            ;
        }
        # The plugin for Lix (adapters/lix), where nixpkgs has Lix.
        // nixpkgs.lib.optionalAttrs (o ? crateplan-plugin-lix) { inherit (o) crateplan-plugin-lix; }
      );

      checks = forAllSystems checksFor;

      overlays.default = overlay;

      # programs.crateplan.enable = true; loads the plugin into the system's
      # Nix (nix.settings.plugin-files), built against config.nix.package.
      nixosModules.default = ./nix/nixos-module.nix;

      templates.default = {
        path = ./templates/default;
        description = "A Rust workspace built one derivation per crate with crateplan";
        welcomeText = ''
          A Cargo workspace with a flake that builds it one derivation per crate.
          `nix build` builds it, `nix flake check` runs its tests. Set
          `inputs.crateplan.url` to where you get crateplan from.
        '';
      };
    };
}
