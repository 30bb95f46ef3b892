# legacyPackages.<system> of the stand-in: only what crateplan's lib.nix
# (nix/toolchain.nix `fromPkgs`), crateplan's flake, its overlay and the
# flakes under examples/ and templates/ take from pkgs. Every package is a
# derivation whose files are symbolic links to the test chroot's own
# programs and libraries (/usr/bin, /usr/lib, /usr/include), so builds that
# use them need `sandbox = false` (as tests/nix/env configures) or those
# directories in `sandbox-paths`. Keep it in sync with nix/toolchain.nix.
{ system, lib }:
let
  multiarch =
    {
      x86_64-linux = "x86_64-linux-gnu";
    }
    .${system} or (throw "the nixpkgs stand-in supports x86_64-linux only, not ${system}");

  /* A derivation built by the chroot's /bin/sh with the chroot's tools. */
  onHost =
    name: attrs: script:
    derivation (
      {
        inherit name system;
        builder = "/bin/sh";
        args = [
          "-c"
          ''
            set -eu
            ${script}
          ''
        ];
        PATH = "/usr/bin:/bin";
      }
      // attrs
    );

  /* A package whose bin/ links to the programs that Debian packages
     installed (dpkg-query -L), plus named extra links. */
  fromDebian =
    {
      name,
      debs,
      links ? { },
    }:
    onHost name
      {
        inherit debs;
        extraLinks = builtins.concatStringsSep " " (
          map (n: "${n}=${links.${n}}") (builtins.attrNames links)
        );
      }
      ''
        mkdir -p "$out/bin"
        for deb in $debs; do
          dpkg-query -L "$deb" | grep -E '^/(usr/)?s?bin/[^/]+$' | while read -r f; do
            if [ -x "$f" ]; then ln -sf "$f" "$out/bin/''${f##*/}"; fi
          done
        done
        for l in $extraLinks; do ln -sf "''${l#*=}" "$out/bin/''${l%%=*}"; done
        [ -n "$(ls "$out/bin")" ] || { echo "no programs found for $debs" >&2; exit 1; }
      '';

  /* bin/ with links to the named programs of /usr/bin. */
  programs =
    name: names:
    onHost name { inherit names; } ''
      mkdir -p "$out/bin"
      for p in $names; do
        [ -e "/usr/bin/$p" ] || { echo "/usr/bin/$p is missing in the test chroot" >&2; exit 1; }
        ln -s "/usr/bin/$p" "$out/bin/$p"
      done
    '';

  /* bin/ with links named PREFIX + NAME to /usr/bin/TARGET, for each
     NAME = TARGET (a cross toolchain under nixpkgs' names). */
  prefixedPrograms =
    name: prefix: links:
    onHost name
      {
        inherit prefix;
        links = builtins.concatStringsSep " " (map (n: "${n}=${links.${n}}") (builtins.attrNames links));
      }
      ''
        mkdir -p "$out/bin"
        for l in $links; do
          [ -e "/usr/bin/''${l#*=}" ] || { echo "/usr/bin/''${l#*=} is missing in the test chroot" >&2; exit 1; }
          ln -s "/usr/bin/''${l#*=}" "$out/bin/$prefix''${l%%=*}"
        done
      '';

  platform = {
    inherit system;
    config = "x86_64-unknown-linux-gnu";
    isLinux = true;
    isDarwin = false;
    isx86_64 = true;
    isAarch64 = false;
    isStatic = false;
    # For crate2nix's Cargo.nix (makeDefaultTarget), as nixpkgs' lib.systems.
    isUnix = true;
    isWindows = false;
    parsed.cpu = {
      name = "x86_64";
      bits = 64;
      significantByte.name = "littleEndian";
    };
    rust = {
      platform = {
        arch = "x86_64";
        os = "linux";
        vendor = "unknown";
        target-family = [ "unix" ];
      };
      rustcTarget = "x86_64-unknown-linux-gnu";
      rustcTargetSpec = "x86_64-unknown-linux-gnu";
      cargoShortTarget = "x86_64-unknown-linux-gnu";
      cargoEnvVarTarget = "X86_64_UNKNOWN_LINUX_GNU";
      isNoStdTarget = false;
    };
    canExecute = other: other.system == system;
  };

  bintools =
    programs "bintools-host" [
      "ar"
      "as"
      "ld"
      "nm"
      "objcopy"
      "objdump"
      "ranlib"
      "readelf"
      "size"
      "strings"
      "strip"
    ]
    // {
      targetPrefix = "";
    };

  cc =
    programs "cc-host" [
      "cc"
      "gcc"
      "cpp"
    ]
    // {
      targetPrefix = "";
      inherit bintools;
      isGNU = true;
      isClang = false;
    };

  bash = fromDebian {
    name = "bash-host";
    debs = [ "bash" ];
    # nixpkgs' bash provides sh too.
    links.sh = "/bin/bash";
  };

  coreutils = fromDebian {
    name = "coreutils-host";
    debs = [ "coreutils" ];
  };

  /* The aarch64 platform of nixpkgs' pkgsCross.aarch64-multiplatform. */
  aarch64Platform = platform // {
    system = "aarch64-linux";
    config = "aarch64-unknown-linux-gnu";
    isx86_64 = false;
    isAarch64 = true;
    rust = platform.rust // {
      rustcTarget = "aarch64-unknown-linux-gnu";
      rustcTargetSpec = "aarch64-unknown-linux-gnu";
      cargoShortTarget = "aarch64-unknown-linux-gnu";
      cargoEnvVarTarget = "AARCH64_UNKNOWN_LINUX_GNU";
    };
  };

  /* The cross compiler of pkgsCross.aarch64-multiplatform's stdenv.cc
     (programs prefixed aarch64-unknown-linux-gnu-): Debian's
     gcc-aarch64-linux-gnu. */
  aarch64Prefix = "aarch64-unknown-linux-gnu-";
  aarch64Bintools =
    prefixedPrograms "bintools-aarch64" aarch64Prefix {
      ar = "aarch64-linux-gnu-ar";
      as = "aarch64-linux-gnu-as";
      ld = "aarch64-linux-gnu-ld";
      nm = "aarch64-linux-gnu-nm";
      ranlib = "aarch64-linux-gnu-ranlib";
      readelf = "aarch64-linux-gnu-readelf";
      strip = "aarch64-linux-gnu-strip";
    }
    // {
      targetPrefix = aarch64Prefix;
    };
  aarch64Cc =
    prefixedPrograms "cc-aarch64" aarch64Prefix {
      cc = "aarch64-linux-gnu-gcc";
      gcc = "aarch64-linux-gnu-gcc";
      # No c++: the chroot has no g++-aarch64-linux-gnu (nothing here needs it).
      cpp = "aarch64-linux-gnu-cpp";
    }
    // {
      targetPrefix = aarch64Prefix;
      bintools = aarch64Bintools;
      isGNU = true;
      isClang = false;
    };

  /* pkgsCross.aarch64-multiplatform: packages for aarch64 built on x86_64.
     Its buildPackages (nixpkgs: the build-tool set whose rustc has the
     aarch64 standard library) is the native set here, since Debian's rustc
     has it (libstd-rust-dev:arm64); pkgsBuildBuild is the native set, as
     in nixpkgs. Only the target's C toolchain and OpenSSL differ. */
  aarch64Multiplatform = self // {
    stdenv = self.stdenv // {
      cc = aarch64Cc;
      hostPlatform = aarch64Platform;
      targetPlatform = aarch64Platform;
    };
    buildPackages = self;
    pkgsBuildBuild = self;
    openssl = opensslFor "aarch64-linux-gnu";
  };

  # OpenSSL as nixpkgs splits it: `bin`, `dev` (headers, pkg-config files
  # pointing at the other outputs) and `out` (the libraries), from Debian's
  # libssl-dev of one architecture (libssl-dev:arm64 for aarch64).
  opensslFor =
    multiarch:
    onHost "openssl-${multiarch}"
      {
        outputs = [
          "bin"
          "dev"
          "out"
        ];
        inherit multiarch;
      }
      ''
        mkdir -p "$bin/bin" "$out/lib" "$dev/include/openssl" "$dev/lib/pkgconfig"
        if [ -x /usr/bin/openssl ]; then ln -s /usr/bin/openssl "$bin/bin/openssl"; fi
        for f in /usr/lib/$multiarch/libssl.* /usr/lib/$multiarch/libcrypto.*; do
          ln -s "$f" "$out/lib/"
        done
        for f in /usr/include/openssl/* /usr/include/$multiarch/openssl/*; do
          ln -sf "$f" "$dev/include/openssl/"
        done
        [ -e "$dev/include/openssl/ssl.h" ] && [ -e "$out/lib/libssl.so" ] ||
          { echo "OpenSSL's headers or libraries for $multiarch are missing (libssl-dev)" >&2; exit 1; }
        version=$(sed -n 's/^Version: *//p' /usr/lib/$multiarch/pkgconfig/openssl.pc)
        pc() {
          printf 'prefix=%s\nlibdir=%s/lib\nincludedir=%s/include\n\nName: %s\nDescription: %s\nVersion: %s\n' \
            "$out" "$out" "$dev" "$2" "$3" "$version"
          shift 3
          printf '%s\n' "$@"
        }
        pc openssl OpenSSL "Secure Sockets Layer and cryptography libraries and tools" \
          "Requires: libssl libcrypto" >"$dev/lib/pkgconfig/openssl.pc"
        pc libssl OpenSSL-libssl "Secure Sockets Layer and cryptography libraries" \
          "Requires.private: libcrypto" 'Libs: -L''${libdir} -lssl' 'Cflags: -I''${includedir}' \
          >"$dev/lib/pkgconfig/libssl.pc"
        pc libcrypto OpenSSL-libcrypto "OpenSSL cryptography library" \
          'Libs: -L''${libdir} -lcrypto' 'Cflags: -I''${includedir}' \
          >"$dev/lib/pkgconfig/libcrypto.pc"
      '';

  self = {
    inherit
      lib
      bash
      coreutils
      bintools
      ;

    # nixpkgs' cross package sets; only aarch64-multiplatform here.
    pkgsCross.aarch64-multiplatform = aarch64Multiplatform;

    stdenv = {
      inherit cc system;
      buildPlatform = platform;
      hostPlatform = platform;
      targetPlatform = platform;
      isLinux = true;
      isDarwin = false;
      shell = "${bash}/bin/bash";
    };

    # A native set is its own buildPackages and pkgsBuildBuild.
    buildPackages = self;
    pkgsBuildBuild = self;

    # For crate2nix's Cargo.nix and crateplan's buildRustCrate builder
    # (benches/eval.sh, tests/nix): see build-rust-crate.nix.
    buildRustCrate = import ./build-rust-crate.nix {
      inherit lib system bash coreutils cc;
      inherit (self) rustc;
    };
    defaultCrateOverrides = { };

    /* A fixed-output download, as nixpkgs' fetchurl (curl at build time,
       nothing fetched while evaluating). */
    fetchurl =
      {
        url,
        sha256,
        name ? baseNameOf url,
      }:
      derivation {
        inherit name system url;
        builder = "${bash}/bin/bash";
        args = [
          "-c"
          ''/usr/bin/curl -fsSL --retry 3 -o "$out" "$url"''
        ];
        outputHashMode = "flat";
        outputHashAlgo = "sha256";
        outputHash = sha256;
      };

    /* runCommand name env script, as nixpkgs' (bash, coreutils on PATH):
       `passthru` and `meta` are attributes of the result, not of the
       derivation (crate2nix's runTests passes both). */
    runCommand =
      name: env: script:
      let
        drv = derivation (
          {
            inherit name system;
            builder = "${bash}/bin/bash";
            args = [
              "-c"
              script
            ];
            PATH = "${coreutils}/bin:${bash}/bin";
          }
          // removeAttrs env [
            "passthru"
            "meta"
          ]
        );
      in
      drv // (env.passthru or { }) // { meta = env.meta or { }; };

    /* stdenvNoCC.mkDerivation, as far as crate2nix's runTests uses it: the
       sources unpacked into the build directory, then `buildPhase`. */
    stdenvNoCC.mkDerivation =
      {
        name,
        src ? null,
        buildPhase ? "",
        ...
      }@args:
      self.runCommand name (removeAttrs args [
        "name"
        "buildPhase"
      ]) ''
        set -eu
        ${if src == null then "" else ''cp -r "$src"/. . && chmod -R u+w .''}
        ${buildPhase}
      '';
    rustc = programs "rustc-host" [
      "rustc"
      "rustdoc"
    ];
    cargo = programs "cargo-host" [ "cargo" ];

    gnutar = fromDebian {
      name = "gnutar-host";
      debs = [ "tar" ];
    };
    gzip = fromDebian {
      name = "gzip-host";
      debs = [ "gzip" ];
    };
    gnused = fromDebian {
      name = "gnused-host";
      debs = [ "sed" ];
    };
    gnugrep = fromDebian {
      name = "gnugrep-host";
      debs = [ "grep" ];
    };
    findutils = fromDebian {
      name = "findutils-host";
      debs = [ "findutils" ];
    };
    git = programs "git-host" [ "git" ];
    # lld, for WebAssembly's wasm-ld (Debian's lld).
    lld = programs "lld-host" [
      "wasm-ld"
      "ld.lld"
    ];
    # The chroot's awk (mawk on a minimal Debian), as bin/awk.
    gawk = onHost "gawk-host" { } ''
      mkdir -p "$out/bin"
      ln -s /usr/bin/awk "$out/bin/awk"
      if [ -x /usr/bin/gawk ]; then ln -s /usr/bin/gawk "$out/bin/gawk"; fi
    '';

    # nixpkgs' pkg-config searches PKG_CONFIG_PATH only, never /usr: so does
    # this one, so that a missing crate override shows up here as it would
    # with nixpkgs.
    pkg-config = onHost "pkg-config-host" { } ''
      mkdir -p "$out/bin"
      cat > "$out/bin/pkg-config" <<'SH'
      #!/bin/sh
      PKG_CONFIG_LIBDIR= PKG_CONFIG_SYSTEM_LIBRARY_PATH= exec /usr/bin/pkg-config "$@"
      SH
      chmod +x "$out/bin/pkg-config"
    '';

    openssl = opensslFor multiarch;

    # Nix: the chroot's nix, and `libs.nix-expr-c` as modular Nix (>= 2.26)
    # has it. Debian's Nix ships no libnixexprc, so that one is a stub that
    # exports the C API functions crateplan's plugin looks up (each fails):
    # enough to link the plugin's `link-nix-expr-c` flavour, not to load it.
    nix =
      programs "nix-host" [ "nix" ]
      // {
        version = "2.34-standin";
        libs.nix-expr-c =
          onHost "nix-expr-c-standin"
            {
              outputs = [
                "out"
                "dev"
              ];
              stub = ./nix-expr-c-stub.c;
            }
            ''
              mkdir -p "$out/lib" "$dev/lib/pkgconfig"
              cc -shared -fPIC -Wl,-soname,libnixexprc.so -o "$out/lib/libnixexprc.so" "$stub"
              printf 'libdir=%s/lib\n\nName: nix-expr-c\nDescription: stand-in\nVersion: 2.34\nLibs: -L${"$"}{libdir} -lnixexprc\n' \
                "$out" >"$dev/lib/pkgconfig/nix-expr-c.pc"
            '';
      };

    /* A development shell as nixpkgs' mkShell makes one: `nix develop`
       runs its builder (bash) to capture the environment. */
    mkShell =
      {
        name ? "nix-shell",
        packages ? [ ],
        nativeBuildInputs ? [ ],
        buildInputs ? [ ],
        shellHook ? "",
        ...
      }@args:
      let
        inputs = packages ++ nativeBuildInputs ++ buildInputs;
        dev = p: p.dev or p;
        libOf = p: p.out or p;
        join = f: builtins.concatStringsSep ":" (map f inputs);
        extra = removeAttrs args [
          "name"
          "packages"
          "nativeBuildInputs"
          "buildInputs"
          "shellHook"
          "inputsFrom"
        ];
      in
      derivation (
        {
          inherit name system shellHook;
          # `nix develop` writes the environment to each of $outputs.
          outputs = [ "out" ];
          builder = "${bash}/bin/bash";
          args = [
            "-c"
            ''echo "a development shell: use nix develop" > "$out"''
          ];
          PATH = join (p: "${p}/bin") + ":${coreutils}/bin";
          PKG_CONFIG_PATH = join (p: "${dev p}/lib/pkgconfig");
          CPATH = join (p: "${dev p}/include");
          LIBRARY_PATH = join (p: "${libOf p}/lib");
        }
        // extra
      );
  };
in
self
