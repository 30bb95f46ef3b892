# The smoke workspace built from its hand-written plan (plan.json), with the
# native builder and the host's toolchain; used by tests/nix/native-smoke.sh.
{
  system ? builtins.currentSystem,
  crateplan ? import ../../../lib.nix { inherit system; },
  release ? true,
}:
crateplan.buildWorkspace {
  src = ./.;
  plan = builtins.fromJSON (builtins.readFile ./plan.json);
  inherit release;
}
