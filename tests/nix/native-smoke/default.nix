# The smoke workspace built from its hand-written plan (plan.json) with the
# native builder and the host's toolchain; used by tests/nix/native-smoke.sh.
# With planned = true the planner makes the plan instead (through `mode`).
{
  system ? builtins.currentSystem,
  crateplan ? import ../../../lib.nix { inherit system; },
  src ? ./.,
  release ? true,
  crateOverrides ? null,
  planned ? false,
  mode ? null,
  cli ? "crateplan",
}:
crateplan.buildWorkspace (
  {
    inherit src release crateOverrides;
  }
  // (
    if planned then
      {
        inherit mode;
        crateplan = cli;
      }
    else
      { plan = builtins.fromJSON (builtins.readFile (src + "/plan.json")); }
  )
)
