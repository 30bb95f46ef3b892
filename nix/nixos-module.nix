# A NixOS (or nix-darwin) module that loads the crateplan plugin into the
# system's Nix, so that crateplan's lib.nix plans during evaluation through
# `builtins.crateplan` instead of import-from-derivation:
#
#   imports = [ crateplan.nixosModules.default ];
#   programs.crateplan.enable = true;
#
# The plugin is built against `config.nix.package` (the Nix that will load
# it): a plugin linked against another Nix build's C API loads a second
# libexpr and its builtin never appears (docs/routes.md, "Version traps").
# Check with `nix eval --expr 'builtins ? crateplan'` after switching.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.programs.crateplan;
  ours = (import ./overlay.nix) pkgs pkgs;
in
{
  options.programs.crateplan = {
    enable = lib.mkEnableOption "the crateplan Nix plugin (`builtins.crateplan`) in the system's Nix, through `nix.settings.plugin-files`";

    plugin = lib.mkOption {
      type = lib.types.package;
      default = ours.crateplan-plugin.override { nix = config.nix.package; };
      defaultText = lib.literalExpression "crateplan-plugin.override { nix = config.nix.package; }";
      description = ''
        The crateplan plugin to load. It must be built for the Nix in
        `nix.package`; the default is.
      '';
    };
  };

  config = lib.mkIf cfg.enable {
    nix.settings.plugin-files = [
      (cfg.plugin.pluginFile or "${cfg.plugin}/lib/libcrateplan_plugin.${
        if pkgs.stdenv.hostPlatform.isDarwin then "dylib" else "so"
      }")
    ];
  };
}
