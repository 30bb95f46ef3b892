# The smoke workspace built from its hand-written plan (plan.json, format 2,
# release profile) with the native builder and the host's toolchain; used by
# tests/nix/native-smoke.sh. `release = false` swaps the plan's target
# profiles for cargo's dev profile. With planned = true the planner makes
# the plan instead (through `mode`).
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
let
  handPlan = builtins.fromJSON (builtins.readFile (src + "/plan.json"));
  dev = {
    name = "dev";
    root = "debug";
    optLevel = "0";
    debuginfo = "2";
    strip = "none";
    debugAssertions = true;
    overflowChecks = true;
  };
  devPlan = handPlan // {
    instances = builtins.mapAttrs (
      _: inst: if inst.platform == "target" then inst // { profile = inst.profile // dev; } else inst
    ) handPlan.instances;
  };
in
crateplan.buildWorkspace (
  {
    inherit src crateOverrides;
  }
  // (
    if planned then
      {
        inherit mode;
        crateplan = cli;
        profile = if release then "release" else "dev";
      }
    else
      { plan = if release then handPlan else devPlan; }
  )
)
