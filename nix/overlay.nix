# crateplan's packages, as a nixpkgs overlay (the flake's overlays.default):
#
#   nixpkgs.overlays = [ crateplan.overlays.default ];
#
# adds
#   crateplan          the CLI (`crateplan plan`, `unit-graph`, `answer`),
#                      built with cargo from crateplan's own Cargo.lock (the
#                      same derivation the ifd route runs: lib.nix's
#                      crateplanCli)
#   crateplan-plugin   the Nix plugin (`plugin-files`), built one derivation
#                      per crate with crateplan's own lib.nix and linked
#                      against the Nix C API of `nix` (default: final.nix);
#                      `crateplan-plugin.override { nix = ...; }` for another
#                      Nix. Load it only into that Nix (docs/routes.md).
#   crateplan-plugin-lix  the same primop for Lix (adapters/lix, C++), built
#                      against final.lix; `crateplan-plugin.override
#                      { nix = pkgs.lix; }` gives it too
#   crateplan-capi     the C ABI: lib/libcrateplan_capi.so and
#                      include/crateplan.h (docs/routes.md, "The C ABI"),
#                      built one derivation per crate with lib.nix
#   crateplan-wasm     nix/crateplan.wasm, as $out/lib/crateplan.wasm
#   crateplanLib       lib.nix for this package set:
#                      crateplanLib.buildWorkspace { src = ./.; }
#
# The flake applies it to a package set directly (`overlay pkgs pkgs`), so
# it uses nothing but what lib.nix needs from pkgs plus `pkg-config`.
final: prev:
let
  crateplanLib = import ../lib.nix { pkgs = final; };
  version = "0.1.0";

  root = ../.;

  /* crateplan's own workspace, without what no crate reads: docs,
     examples, the explorer page, the Nix and browser tests and fixtures,
     build output. */
  crateplanSource = builtins.path {
    path = root;
    name = "crateplan-source";
    filter =
      path: type:
      let
        rel = builtins.substring (builtins.stringLength (toString root) + 1) (-1) (toString path);
        top = builtins.head (builtins.split "/" rel);
        base = baseNameOf path;
      in
      builtins.elem top [
        "Cargo.toml"
        "Cargo.lock"
        "src"
        "adapters"
        "benches"
        "tests"
      ]
      && !(builtins.elem rel [
        "tests/nix"
        "tests/fixtures"
        "tests/nixpkgs-standin"
        # The browser test: its workspace and node_modules.
        "tests/explorer"
      ])
      && base != "target"
      && base != ".git"
      && !(type == "symlink" && (base == "result" || builtins.substring 0 7 base == "result-"));
  };

  inherit (crateplanLib) runShell;

  nameOf = p: p.pname or (builtins.parseDrvName (p.name or "")).name;

  isDarwin = final.stdenv.hostPlatform.isDarwin or false;

  /* A shared library's file name on the host: libNAME.so or libNAME.dylib. */
  sharedLibrary = name: "lib${name}.${if isDarwin then "dylib" else "so"}";

  /* The C ABI (adapters/capi): the library and include/crateplan.h. */
  crateplanCapi =
    let
      workspace = crateplanLib.buildWorkspace {
        src = crateplanSource;
        packages = [ "crateplan-capi" ];
      };
      fileName = sharedLibrary "crateplan_capi";
    in
    runShell "crateplan-capi-${version}"
      {
        built = workspace.workspaceMembers.crateplan-capi.build;
        header = ../include/crateplan.h;
        inherit fileName;
      }
      ''
        mkdir -p "$out/lib" "$out/include"
        # lib.nix names the library after its metadata hash (its soname,
        # so what a program linked with -lcrateplan_capi loads) and links
        # $fileName to it: keep both.
        for f in "$built/lib/"libcrateplan_capi*; do
          case $f in
            *.rlib) ;;
            *) cp -P "$f" "$out/lib/" ;;
          esac
        done
        [ -e "$out/lib/$fileName" ]
        cp "$header" "$out/include/crateplan.h"
      ''
    // {
      inherit version workspace;
      pname = "crateplan-capi";
      meta.description = "crateplan's planner behind a C ABI (include/crateplan.h), for hosts other than Nix";
    };

  isLix = nix: nameOf nix == "lix";

  /* The plugin for `nix`: the Rust one (adapters/plugin) for Nix, the C++
     one (adapters/lix) for Lix, which has no Nix C API. */
  pluginFor = { nix }: if isLix nix then lixPluginFor { lix = nix; } else nixPluginFor { inherit nix; };

  /* The Lix plugin: adapters/lix/crateplan-lix.cc compiled against the
     headers of `lix` (Lix's plugin interface is its C++ one, unstable
     across versions, so the plugin must come from the same Lix), with the
     compiler Lix is built with (clang), and linked to crateplan-capi (the
     planner behind the C ABI). It links no Lix library: the `nix` process
     that loads it provides them. */
  lixPluginFor =
    { lix }:
    let
      capi = crateplanCapi;
      fileName = sharedLibrary "crateplan_lix";
      plugin = final.clangStdenv.mkDerivation {
        pname = "crateplan-plugin-lix";
        inherit version;
        src = ../adapters/lix;
        nativeBuildInputs = [ final.pkg-config ];
        # lix-expr.pc requires kj-async (capnproto); its headers include
        # boost's and nlohmann_json's.
        buildInputs = [
          lix
          capi
          final.capnproto
          final.boost
          final.nlohmann_json
        ];
        buildPhase = ''
          runHook preBuild
          $CXX -std=c++23 -O2 -fPIC -shared -o ${fileName} crateplan-lix.cc \
            $(pkg-config --cflags lix-expr) -I${capi}/include \
            -L${capi}/lib -lcrateplan_capi -Wl,-rpath,${capi}/lib \
            ${if isDarwin then "-undefined dynamic_lookup" else ""}
          runHook postBuild
        '';
        installPhase = ''
          runHook preInstall
          install -D -m 755 ${fileName} $out/lib/${fileName}
          runHook postInstall
        '';
        passthru = {
          nix = lix;
          /* What `plugin-files` takes. */
          pluginFile = "${plugin}/lib/${fileName}";
          override = args: pluginFor ({ nix = lix; } // args);
        };
        meta = {
          description = "crateplan as a Lix plugin: builtins.crateplan, for `plugin-files`";
          license = "MIT OR Apache-2.0";
          platforms = [
            "x86_64-linux"
            "aarch64-linux"
            "x86_64-darwin"
            "aarch64-darwin"
          ];
        };
      };
    in
    plugin;

  /* The plugin, linked against the C API (libnixexprc) of `nix`. Its
     build script asks pkg-config for nix-expr-c; the .pc file given to it
     here names only libnixexprc's directory, so none of Nix's own
     dependencies (boost, ...) need to be found. */
  nixPluginFor =
    { nix }:
    let
      exprC =
        if nix ? libs && nix.libs ? nix-expr-c then
          # Modular Nix (>= 2.26).
          nix.libs.nix-expr-c
        else
          # Nix 2.24 and 2.25: one package with the C API libraries.
          nix.out or nix;

      exprCPkgConfig = runShell "nix-expr-c-pkg-config" { libdir = "${exprC}/lib"; } ''
        mkdir -p "$out/lib/pkgconfig"
        printf 'libdir=%s\n\nName: nix-expr-c\nDescription: the Nix C API, for crateplan-plugin\nVersion: %s\nLibs: -L%s -lnixexprc\n' \
          "$libdir" "${nix.version or "unknown"}" "$libdir" >"$out/lib/pkgconfig/nix-expr-c.pc"
      '';

      workspace = crateplanLib.buildWorkspace {
        src = crateplanSource;
        packages = [ "crateplan-plugin" ];
        features = [ "crateplan-plugin/link-nix-expr-c" ];
        crateOverrides.crateplan-plugin = _: {
          nativeBuildInputs = [
            final.pkg-config
            exprCPkgConfig
          ];
        };
      };

      built = workspace.workspaceMembers.crateplan-plugin.build;

      fileName = sharedLibrary "crateplan_plugin";

      plugin = runShell "crateplan-plugin-${version}" { inherit built fileName; } ''
        mkdir -p "$out/lib"
        cp "$built/lib/$fileName" "$out/lib/$fileName"
      '';
    in
    plugin
    // {
      inherit version nix workspace;
      /* What `plugin-files` takes. */
      pluginFile = "${plugin}/lib/${fileName}";
      pname = "crateplan-plugin";
      src = crateplanSource;
      /* The plugin for another Nix: `.override { nix = pkgs.nixVersions.latest; }`. */
      override = args: pluginFor ({ inherit nix; } // args);
      meta = {
        description = "crateplan as a Nix plugin: builtins.crateplan, for `plugin-files`";
        license = "MIT OR Apache-2.0";
        platforms = [
          "x86_64-linux"
          "aarch64-linux"
        ];
      };
    };
in
{
  inherit crateplanLib;

  crateplan = crateplanLib.crateplanCli // {
    inherit version;
    pname = "crateplan";
    meta = {
      description = "Cargo's resolution reproduced in Rust, for building Cargo workspaces with Nix one derivation per crate";
      mainProgram = "crateplan";
    };
  };

  crateplan-plugin = pluginFor { nix = final.nix; };

  # Only where the package set has Lix (nixpkgs does).
  ${if prev ? lix then "crateplan-plugin-lix" else null} = lixPluginFor { lix = final.lix; };

  crateplan-capi = crateplanCapi;

  crateplan-wasm =
    runShell "crateplan-wasm-${version}" { wasm = ./crateplan.wasm; } ''
      mkdir -p "$out/lib"
      cp "$wasm" "$out/lib/crateplan.wasm"
    ''
    // {
      inherit version;
      pname = "crateplan-wasm";
      meta.description = "crateplan for builtins.wasm (Determinate Nix >= 3.17, experimental feature wasm-builtin)";
    };
}
