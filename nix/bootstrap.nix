# The crateplan CLI built by Nix, for the ifd route: `cargo build --release
# --offline` on crateplan's own sources with a vendor directory assembled
# from its Cargo.lock. Every crate is fetched by its lock checksum with
# builtins.fetchurl; only the crates the CLI's package reaches through the
# lock are fetched (the adapters' dev-dependencies, such as wasmtime, are
# not), and the adapters are left out of the workspace for this build.
{ util, sources }:

{
  # See nix/toolchain.nix; needs `cargo` and `rustc`.
  toolchain,
  # "cli": the whole command line (`crateplan`: plan, unit-graph, answer).
  # "answer": `crateplan-answer` alone (what the ifd route runs), without
  # clap and the crates only it needs, at an opt-level that compiles fast.
  flavour ? "cli",
}:
let
  inherit (builtins)
    filter
    head
    length
    listToAttrs
    match
    ;

  root = ../.;
  lock = builtins.fromTOML (builtins.readFile (root + "/Cargo.lock"));
  packages = lock.package;

  idOf = p: "${p.name} ${p.version}";
  byId = listToAttrs (map (p: { name = idOf p; value = p; }) packages);

  /* A lock dependency entry ("name", "name version" or
     "name version (source)") -> the package's id. */
  resolveDep =
    entry:
    let
      m = match "([^ ]+)( ([^ ]+))?( \\(.*\\))?" entry;
      name = builtins.elemAt m 0;
      version = builtins.elemAt m 2;
      candidates = filter (p: p.name == name && (version == null || p.version == version)) packages;
    in
    if length candidates == 1 then
      idOf (head candidates)
    else
      util.crateplanError "bootstrap: cannot resolve lock entry `${entry}` in crateplan's Cargo.lock";

  cliPackage = head (filter (p: p.name == "crateplan" && !(p ? source)) packages);

  flavours = {
    cli = {
      name = "crateplan-cli";
      bin = "crateplan";
      features = "--features cli";
      skip = [ ];
      dropFeatures = [ ];
      optLevel = "3";
      plannerOptLevel = "3";
    };
    # Dependencies at opt-level 1 (which plans within ~1.5x of 3 and
    # compiles them in about half the time), the crateplan crate itself at
    # 0: it is the last and longest step of the build (44 CPU s at 1, 9 at
    # 0) and plans 2.2x slower at 0 (docs/performance.md); the bootstrap
    # is paid once per store, the slower planning only on new answers.
    answer = {
      name = "crateplan-answer";
      bin = "crateplan-answer";
      features = "--no-default-features --features fs";
      skip = [ "clap" ];
      dropFeatures = [ "cli" ];
      optLevel = "1";
      plannerOptLevel = "0";
    };
  };
  chosen =
    flavours.${flavour}
      or (util.crateplanError "bootstrap: unknown flavour `${flavour}` (use \"cli\" or \"answer\")");

  # The crates the build needs: the lock's closure from crateplan, without
  # the optional dependencies the flavour leaves off.
  reachable = util.closure [ (idOf cliPackage) ] (
    id:
    filter (d: !(id == idOf cliPackage && builtins.elem (builtins.head (util.splitChar " " d)) chosen.skip)) (
      map resolveDep (byId.${id}.dependencies or [ ])
    )
  );

  registryCrates = filter (p: p ? source && util.hasPrefix "registry+" p.source) (
    map (id: byId.${id}) reachable
  );

  crateFiles = map (
    p:
    "${p.checksum} ${
      sources.fetchCrate {
        inherit (p) name version;
        url = "https://static.crates.io/crates/${p.name}/${p.name}-${p.version}.crate";
        sha256 = p.checksum;
      }
    }"
  ) registryCrates;

  src = builtins.path {
    path = root;
    name = "crateplan-source";
    filter =
      path: type:
      let
        rel = util.removePrefix (toString root + "/") path;
        top = builtins.head (util.splitChar "/" rel);
      in
      builtins.elem top [
        "Cargo.toml"
        "Cargo.lock"
        "src"
      ]
      && sources.keepInWorkspace path type;
  };
in
derivation {
  inherit (chosen) name bin features optLevel plannerOptLevel;
  dropDeps = builtins.concatStringsSep " " chosen.skip;
  dropFeatures = builtins.concatStringsSep " " chosen.dropFeatures;
  inherit (toolchain) system;
  builder = toolchain.shell;
  args = [ ./bootstrap.sh ];
  inherit src;
  crates = builtins.concatStringsSep "\n" crateFiles;
  PATH = toolchain.path;
  CARGO = toolchain.cargo;
  RUSTC = toolchain.rustc;
}
