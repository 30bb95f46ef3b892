# Cargo profiles and config (plan format v2, docs/plan-format.md) turned
# into what rustc and build scripts get, the way cargo does it. Shared by
# both builders: nix/native.nix passes these flags itself, and
# nix/build-rust-crate.nix hands what buildRustCrate cannot express through
# extraRustcOpts.
#
# A profile is the plan's profile object: { name, optLevel, debuginfo,
# splitDebuginfo, strip, debugAssertions, overflowChecks, lto, panic,
# codegenUnits, rpath, incremental, root } (`root`: "release" or "debug",
# what the profile inherits from in the end).
{ util }:
let
  inherit (builtins)
    all
    any
    concatStringsSep
    elem
    fromJSON
    ;
  inherit (util) optional optionals;
in
rec {
  /* The profiles of a plan instance: of its lib and bins, of its build
     script and of its test targets (null without a build script or test
     targets). A plan with tests selected is built the way `cargo test`
     builds everything: its instances have a testProfile, which then is
     their lib's and bins' profile as well (cargo builds the libraries
     that tests link with the test profile, always unwinding). */
  instanceProfiles =
    inst:
    if inst ? profile then
      let
        testProfile = inst.testProfile or null;
      in
      {
        profile = if testProfile != null then testProfile else inst.profile;
        buildScriptProfile = inst.buildScriptProfile or null;
        inherit testProfile;
      }
    else
      util.crateplanError "instance ${inst.package} (${inst.platform}) has no profile: the builders read plans of format 2 (docs/plan-format.md)";

  /* What a build script's `PROFILE` says: "release" for profiles rooted in
     release (release, bench, and custom profiles inheriting from them),
     else "debug". */
  profileRoot =
    p:
    if (p.root or null) != null then
      (if p.root == "release" then "release" else "debug")
    else if elem p.name [ "release" "bench" ] then
      "release"
    else
      "debug";

  /* -C debug-assertions / -C overflow-checks as cargo's build_base_args
     spells them: overflow checks follow debug assertions unless told
     otherwise, and nothing is passed that rustc's default for the
     opt-level already says. */
  assertionFlags =
    p:
    let
      on = b: if b then "on" else "off";
      overflow = [ "-C" "overflow-checks=${on p.overflowChecks}" ];
    in
    if p.optLevel != "0" then
      if p.debugAssertions then
        [ "-C" "debug-assertions=on" ] ++ optionals (!p.overflowChecks) overflow
      else
        optionals p.overflowChecks overflow
    else if !p.debugAssertions then
      [ "-C" "debug-assertions=off" ] ++ optionals p.overflowChecks overflow
    else
      optionals (!p.overflowChecks) overflow;

  /* rustc's flags for a unit built with profile `p`, LTO aside (see
     ltoFlags): each only where cargo passes it. */
  profileFlags =
    p:
    optionals (p.optLevel != "0") [ "-C" "opt-level=${p.optLevel}" ]
    ++ optionals (p.panic == "abort") [ "-C" "panic=abort" ]
    ++ optionals (p.codegenUnits != null) [ "-C" "codegen-units=${toString p.codegenUnits}" ]
    ++ optionals (p.debuginfo != "0") (
      [ "-C" "debuginfo=${p.debuginfo}" ]
      ++ optionals (p.splitDebuginfo != null) [ "-C" "split-debuginfo=${p.splitDebuginfo}" ]
    )
    ++ assertionFlags p
    ++ optionals p.rpath [ "-C" "rpath" ]
    ++ optionals (p.strip != "none") [ "-C" "strip=${p.strip}" ];

  /* Whether profile `p` runs LTO at the final link. */
  runsLto = p: elem p.lto [ "true" "fat" "thin" ];

  /* cargo's LTO decision (core/compiler/lto.rs) for one unit, made per
     derivation. `crateTypes`: rustc's crate types of the unit ("bin" for
     bins and test harnesses); `isHost`: build scripts and the crates they
     and proc-macros use, which cargo never optimises across (only object
     code); `libsNeedObjects`: some final link of the plan does not run LTO
     or needs object code from its libraries (a cdylib/rlib mix, a dylib,
     a test profile without LTO). Cargo decides that per library from the
     units that reach it; a library derivation is shared by all of them,
     so here the plan decides: libraries then carry object code and
     bitcode (rustc's default), which every link accepts. Returns rustc
     arguments. */
  ltoFlags =
    {
      profile,
      crateTypes,
      isHost,
      libsNeedObjects,
    }:
    let
      canLto = t: elem t [ "bin" "staticlib" "cdylib" ];
      isDynamic = t: elem t [ "dylib" "cdylib" "proc-macro" ];
      needsObject = any (t: canLto t || isDynamic t) crateTypes;
      onlyObject = [ "-C" "embed-bitcode=no" ];
      run =
        if profile.lto == "true" then
          [ "-C" "lto" ]
        else
          [ "-C" "lto=${profile.lto}" ];
    in
    if isHost || profile.lto == "false" then
      onlyObject
    else if profile.lto == "off" then
      [ "-C" "lto=off" ] ++ onlyObject
    else if !(runsLto profile) then
      util.crateplanError "unknown lto setting \"${profile.lto}\" in profile ${profile.name}"
    else if all canLto crateTypes then
      run
    else if needsObject then
      (if all (t: t == "dylib") crateTypes then onlyObject else [ ])
    else if libsNeedObjects then
      [ ]
    else
      [ "-C" "linker-plugin-lto" ];

  /* Whether the libraries of `plan` must carry object code next to
     bitcode (ltoFlags' `libsNeedObjects`): some target instance links
     without LTO (its profile, or its test profile), or needs object code
     from its own library (a dylib, or a cdylib or staticlib next to other
     crate types). */
  libsNeedObjects =
    plan:
    let
      linkable = t: elem t [ "bin" "staticlib" "cdylib" ];
      needs =
        inst:
        let
          ps = instanceProfiles inst;
          lib = plan.packages.${inst.package}.lib;
          types = if lib == null then [ ] else lib.crateTypes;
        in
        !(runsLto ps.profile)
        || (ps.testProfile != null && !(runsLto ps.testProfile))
        || (any (t: elem t [ "dylib" "cdylib" "staticlib" ]) types && !(all linkable types));
    in
    any (inst: inst.platform == "target" && needs inst) (builtins.attrValues plan.instances);

  /* The platform's config flags (plan `platforms.<p>`): `-C linker` and
     the rustflags, after the profile's, as cargo appends them. */
  platformFlags =
    platform:
    optionals ((platform.linker or null) != null) [ "-C" "linker=${platform.linker}" ]
    ++ (platform.rustflags or [ ]);

  /* The cfg lines `--cfg X` (or `--cfg=X`) in rustflags add to what
     `rustc --print cfg` says: cargo asks rustc with the rustflags, so
     build scripts see them as CARGO_CFG_*. */
  rustflagsCfg =
    flags:
    let
      go =
        fs:
        if fs == [ ] then
          [ ]
        else
          let
            f = builtins.head fs;
            rest = builtins.tail fs;
            joined = builtins.match "--cfg=(.*)" f;
          in
          if f == "--cfg" && rest != [ ] then
            [ (builtins.head rest) ] ++ go (builtins.tail rest)
          else if joined != null then
            [ (builtins.head joined) ] ++ go rest
          else
            go rest;
    in
    go flags;

  /* The unit separator cargo joins CARGO_ENCODED_RUSTFLAGS with. */
  unitSeparator = fromJSON ''"\u001f"'';

  /* What cargo tells a build script about the profile and config of the
     unit it runs for (NAME=VALUE): PROFILE, OPT_LEVEL, DEBUG,
     CARGO_ENCODED_RUSTFLAGS and, with a configured linker, RUSTC_LINKER. */
  buildScriptProfileEnv =
    p: platform:
    [
      "PROFILE=${profileRoot p}"
      "OPT_LEVEL=${p.optLevel}"
      "DEBUG=${if p.debuginfo == "0" then "false" else "true"}"
      "CARGO_ENCODED_RUSTFLAGS=${concatStringsSep unitSeparator (platform.rustflags or [ ])}"
    ]
    ++ optional ((platform.linker or null) != null) "RUSTC_LINKER=${platform.linker}";

  /* The plan's `[env]` (plan.env) as two lists of NAME=VALUE: `forced`
     (set whatever the environment holds) and `defaults` (only where the
     variable is not set yet, cargo's rule; the builder decides what is
     set). Relative values are joined with `workspace`, the workspace's
     source. */
  configEnv =
    env: workspace:
    let
      names = builtins.attrNames env;
      valid = n: builtins.match "[A-Za-z_][A-Za-z0-9_]*" n != null;
      assignment =
        n:
        let
          e = env.${n};
          value = if e.relative or false then "${workspace}/${e.value}" else e.value;
        in
        if valid n then
          "${n}=${value}"
        else
          util.crateplanError "[env] ${n}: the native builder can only set variables named like shell variables ([A-Za-z_][A-Za-z0-9_]*)";
      pick = forced: map assignment (builtins.filter (n: (env.${n}.force or false) == forced) names);
    in
    {
      forced = pick true;
      defaults = pick false;
    };
}
