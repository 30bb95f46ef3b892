# Getting the plan while Nix evaluates: route selection and the rounds loop.
#
# One JSON request in, one JSON answer out, whichever way the planner runs:
#   plugin  `builtins.crateplan`, registered by the crateplan Nix plugin
#   wasm    `builtins.wasm` on nix/crateplan.wasm (Determinate Nix)
#   ifd     a derivation runs the crateplan CLI (built by nix/bootstrap.nix)
#           and its answer is read back (import from derivation)
#   exec    `builtins.exec` of a crateplan CLI the user names
# Without `mode`, the first of plugin, wasm and ifd that is available is used;
# exec only when asked for. See docs/lib-nix.md and docs/routes.md.
#
# The planner answers with a plan, an error, or a list of sources to fetch
# first (`{"ok":true,"fetch":[...]}`): those are fetched here and the request
# is sent again with them in `sources`, until a plan comes back. A Linux plan
# therefore never downloads the crates only Windows needs.
{ util, sources }:

{
  # "plugin" | "wasm" | "ifd" | "exec", or null for the first available.
  mode ? null,
  # For ifd: a derivation with bin/crateplan-answer (a function, so that
  # it is only built when the route is used).
  bootstrapCli,
  # For exec: the CLI's path, or "crateplan" to look it up on PATH.
  execCli ? "crateplan",
  # For the ifd derivation.
  system,
  shell,
}:
let
  inherit (builtins) fromJSON toJSON unsafeDiscardStringContext;

  wasmModule = ./crateplan.wasm;

  # The largest request the exec route passes as one argument (bytes).
  maxInlineRequest = 100000;

  routes = {
    plugin = {
      available = builtins ? crateplan;
      enable = "load the crateplan plugin: `plugin-files = /path/to/libcrateplan_plugin.so` in nix.conf, or `nix --option plugin-files /path/to/libcrateplan_plugin.so build ...` (the option before the subcommand)";
      call = json: builtins.seq json (builtins.crateplan json);
    };
    wasm = {
      available = builtins ? wasm && builtins.pathExists wasmModule;
      enable = "use a Nix with builtins.wasm (Determinate Nix >= 3.17) and enable the experimental feature `wasm-builtin`";
      call =
        json:
        builtins.wasm
          {
            path = wasmModule;
            function = "plan";
          }
          {
            request = json;
            root = /.;
            readDir = builtins.readDir;
            pathExists = builtins.pathExists;
          };
    };
    ifd = {
      # Import from derivation cannot be detected; it is the last resort.
      available = true;
      enable = "allow import from derivation (`allow-import-from-derivation = true`, Nix's default; `nix flake check --no-build` and `nix flake show` turn it off)";
      # Nix's error when IFD is disabled cannot be caught, so the list of
      # routes is added to it as context (shown above the error). The
      # request is forced first: its fetches' errors are not the route's.
      call =
        json:
        builtins.seq json (
          builtins.addErrorContext
            "crateplan: the planner could not run through the ifd route (import from derivation). If import from derivation is disabled, enable one of:\n${howToEnable}"
            (
              builtins.readFile (derivation {
                name = "crateplan-answer.json";
                inherit system;
                builder = shell;
                cli = "${bootstrapCli null}/bin/crateplan-answer";
                request = json;
                passAsFile = [ "request" ];
                # `crateplan answer` answers every planner error itself;
                # if it ever crashes, the crash becomes an error answer too,
                # so it is not shown under the note about disabled IFD.
                args = [
                  "-c"
                  ''
                    "$cli" answer "$requestPath" > "$out" && exit 0
                    status=$?
                    printf '{"ok":false,"error":"crateplan: internal error: the planner crashed (exit status %s) in the ifd route; its output is in the build log of %s. Please report this as a bug"}' "$status" "$out" > "$out"
                  ''
                ];
              })
            )
        );
    };
    exec = {
      available = builtins ? exec;
      enable = "set `allow-unsafe-native-code-during-evaluation = true` and pass `crateplan` (the CLI's path) unless crateplan is on PATH";
      # The request goes on the command line when it fits in one argument
      # (Linux allows 128 KiB), so nothing is written to the store; a
      # larger one goes through a file, which a read-only evaluation (plain
      # `nix-instantiate --eval`) cannot write: that is said, not hidden
      # behind "No such file or directory".
      call =
        json:
        let
          text = unsafeDiscardStringContext json;
          file = unsafeDiscardStringContext (builtins.toFile "crateplan-request.json" json);
        in
        if builtins.stringLength text <= maxInlineRequest then
          builtins.exec [
            (toString execCli)
            "answer"
            "--nix"
            "--inline"
            text
          ]
        else if builtins.pathExists file then
          builtins.exec [
            (toString execCli)
            "answer"
            "--nix"
            file
          ]
        else
          util.crateplanError "the exec route must write its ${toString (builtins.stringLength text)}-byte request to the Nix store, and this evaluation is read-only: use `nix eval`, or `nix-instantiate --eval --read-write-mode`";
    };
  };

  order = [
    "plugin"
    "wasm"
    "ifd"
  ];

  howToEnable = util.concatMapStringsSep "\n" (n: "  - ${n}: ${routes.${n}.enable}") (order ++ [ "exec" ]);

  chosen =
    if mode == null then
      let
        usable = builtins.filter (n: routes.${n}.available) order;
      in
      if usable == [ ] then
        util.crateplanError "no way to run the planner during evaluation; enable one of:\n${howToEnable}"
      else
        builtins.head usable
    else if !(routes ? ${mode}) then
      util.crateplanError "unknown mode \"${mode}\"; use one of plugin, wasm, ifd, exec"
    else if !routes.${mode}.available then
      util.crateplanError "mode \"${mode}\" is not available in this Nix: ${routes.${mode}.enable}"
    else
      mode;

  /* One request through the chosen route: the request's JSON text, the
     answer's text as the route gave it, and the answer decoded. */
  exchange =
    request:
    let
      json = toJSON request;
      answer = routes.${chosen}.call json;
      text = if builtins.isString answer then unsafeDiscardStringContext answer else null;
    in
    {
      request = json;
      answer = text;
      decoded =
        if text == null then
          util.crateplanError "the ${chosen} route answered with a ${builtins.typeOf answer}, not a JSON string"
        else
          fromJSON text;
    };

  ask = request: (exchange request).decoded;

  maxRounds = 64;

  /* The plan format this lib.nix reads (src/plan.rs PLAN_VERSION). */
  planVersion = 2;

  /* Asks until the planner has all it needs. `have` maps fetch keys to
     local paths (strings with their store context); `learned` is the text
     the previous answer carried (the manifests the planner already read,
     handed back so that it reads no `.crate` twice), or null. Returns the
     last exchange (see `exchange`) with its plan. */
  rounds =
    request: round: have: learned:
    let
      last = exchange (
        request // { sources = have; } // (if learned == null then { } else { inherit learned; })
      );
      answer = last.decoded;
      missing = builtins.filter (f: !(have ? ${f.key})) answer.fetch;
    in
    if !(answer.ok or false) then
      util.crateplanError (answer.error or "the planner answered without a plan or an error")
    else if answer ? plan then
      if (answer.plan.version or null) == planVersion then
        {
          inherit (last) request answer;
          inherit (answer) plan;
        }
      else
        util.crateplanError "the planner answered with plan format version ${
          toString (answer.plan.version or "unknown")
        }; this lib.nix reads version ${toString planVersion}"
    else if !(answer ? fetch) then
      util.crateplanError "the planner answered with neither a plan nor sources to fetch"
    else if missing == [ ] then
      util.crateplanError "the planner asked again for sources it was given: ${
        util.concatMapStringsSep ", " (f: f.key) answer.fetch
      }"
    else if round >= maxRounds then
      util.crateplanError "no plan after ${toString maxRounds} rounds of fetching sources"
    else
      rounds request (round + 1) (
        have
        // builtins.listToAttrs (
          map (f: {
            name = f.key;
            value = sources.fetchForPlanner f;
          }) missing
        )
      ) (answer.learned or null);
in
rec {
  /* The route that will be used (for debugging and tests). */
  route = chosen;

  /* request (with paths as strings) -> { plan; request; answer; }: the
     plan, and the last request sent (JSON text) with the route's raw answer
     to it (for debugging and the route tests), or a Nix error carrying the
     planner's message. */
  run = request: rounds request 1 (request.sources or { }) (request.learned or null);

  /* request -> plan. */
  plan = request: (run request).plan;

  /* request -> the first raw answer, without fetching (for tests). */
  answer = ask;
}
