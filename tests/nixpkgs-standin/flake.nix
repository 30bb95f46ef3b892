# A stand-in for nixpkgs, for crateplan's tests only: see README.md.
# It is never used outside tests/ (the real flakes take the real nixpkgs);
# tests/nix/aura-flake.sh and tests/nix/project-flake.sh pass it with
#   --override-input nixpkgs path:/project/tests/nixpkgs-standin
{
  description = "crateplan test stand-in for nixpkgs: the test chroot's own tools as derivations (x86_64-linux only)";

  outputs =
    { self }:
    {
      lib = import ./lib.nix;
      legacyPackages.x86_64-linux = import ./pkgs.nix {
        system = "x86_64-linux";
        lib = self.lib;
      };
    };
}
