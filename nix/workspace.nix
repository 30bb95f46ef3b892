# Assembling crate2nix's result shape from plans and a builder:
# rootCrate, workspaceMembers.<name>.{packageId, build, debug},
# allWorkspaceMembers, tests.<member>, plan.
#
# `build` is overridable as in crate2nix: `features` (the member's root
# features, "default" for its default features; plans again for that member
# alone), `crateOverrides`, and `runTests` with testCrateFlags, testInputs,
# testPreRun and testPostRun (then a `<name>-linked` derivation that needs
# the tests to pass, with the test derivation as `.test`).
{ util }:

{
  # The plan of the whole selection, and the one `cargo test` would use.
  plan,
  testPlan,
  # selection attributes -> a plan (asks the planner again).
  planFor,
  # plan -> crateOverrides -> { built; tests; instanceArgs; }
  builderFor,
  crateOverrides,
  # For the small joining derivations.
  system,
  shell,
  path,
}:
let
  inherit (builtins)
    attrNames
    elem
    filter
    head
    listToAttrs
    map
    ;

  mainBuilder = builderFor plan crateOverrides;
  testBuilder = builderFor testPlan crateOverrides;

  /* The instance of member `name` in plan `p`: its root instance (a
     proc-macro member's is a host instance), else a target instance. */
  memberInstance =
    p: name:
    let
      pkgKey = p.members.${name} or (util.crateplanError "${name} is not a workspace member");
      isOurs = k: p.instances.${k}.package == pkgKey;
      roots = filter isOurs p.roots;
      targets = filter (k: isOurs k && p.instances.${k}.platform == "target") (attrNames p.instances);
      any = filter isOurs (attrNames p.instances);
    in
    if roots != [ ] then
      head roots
    else if targets != [ ] then
      head targets
    else if any != [ ] then
      head any
    else
      util.crateplanError "workspace member ${name} is not in the plan (not selected?)";

  isRoot = p: name: filter (k: p.instances.${k}.package == p.members.${name}) p.roots != [ ];

  hasInstance = p: name: filter (k: p.instances.${k}.package == p.members.${name}) (attrNames p.instances) != [ ];

  join =
    name: paths: extra:
    derivation (
      {
        inherit name system;
        builder = shell;
        args = [ ./native/join.sh ];
        PATH = path;
        paths = builtins.concatStringsSep " " (map toString paths);
      }
      // extra
    );

  testOptions = args: {
    testCrateFlags = args.testCrateFlags or [ ];
    testInputs = args.testInputs or [ ];
    testPreRun = args.testPreRun or "";
    testPostRun = args.testPostRun or "";
  };

  /* A member's build, given build's override arguments. */
  buildMember =
    name: args:
    let
      replanned = args ? features && args.features != null;
      selection = features: {
        workspace = false;
        packages = [ name ];
        features = filter (f: f != "default") features;
        noDefaultFeatures = !(elem "default" features);
        allFeatures = false;
      };
      p = if replanned then planFor (selection args.features) else plan;
      tp = if replanned then planFor (selection args.features // { tests = true; }) else testPlan;
      overridden = args ? crateOverrides;
      builder = if replanned || overridden then builderFor p (args.crateOverrides or crateOverrides) else mainBuilder;
      testBuilder' =
        if replanned || overridden then builderFor tp (args.crateOverrides or crateOverrides) else testBuilder;
      crate = builder.built.${memberInstance p name};
      test = testBuilder'.tests (memberInstance tp name) (testOptions args);
    in
    if args.runTests or false then
      join "${crate.name}-linked" [ crate ] { inherit test; } // { inherit test; }
    else
      crate;

  member = name: {
    packageId = plan.members.${name};
    build = util.makeOverridable (buildMember name) { };
    debug = {
      instance = memberInstance plan name;
      args = mainBuilder.instanceArgs.${memberInstance plan name};
    };
  };

  memberNames = filter (hasInstance plan) (attrNames plan.members);

  workspaceMembers = listToAttrs (
    map (name: {
      inherit name;
      value = member name;
    }) memberNames
  );

  rootMembers = filter (n: plan.packages.${plan.members.${n}}.source.path or null == ".") memberNames;
in
{
  inherit workspaceMembers plan testPlan;

  allWorkspaceMembers = join "all-workspace-members" (map (n: workspaceMembers.${n}.build) memberNames) { };

  /* One derivation per selected member that builds its tests and runs them
     (`cargo test -p <member>`); `.override { testCrateFlags = [ ... ]; }`
     passes arguments to every test binary and the doc tests, as after
     `cargo test -- `. */
  tests = listToAttrs (
    map (name: {
      inherit name;
      value = util.makeOverridable (
        args: testBuilder.tests (memberInstance testPlan name) (testOptions args)
      ) { };
    }) (filter (isRoot testPlan) (attrNames testPlan.members))
  );

  /* Everything per instance, for debugging (unstable, as crate2nix's). */
  internal = {
    crates = mainBuilder.built;
    crateArgs = mainBuilder.instanceArgs;
    testCrates = testBuilder.built;
  };
}
// util.optionalAttrs (rootMembers != [ ]) { rootCrate = workspaceMembers.${head rootMembers}; }
