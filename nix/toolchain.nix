# Which tools the builds use and which platforms they are for.
#
# A toolchain is an attribute set of strings:
#   system  the Nix system the derivations build on
#   shell   a POSIX shell, the derivations' builder
#   rustc rustdoc cargo   the Rust compiler, its doc tool (with the standard library of the
#           platform the toolchain produces code for) and cargo
#   cc cxx ar     the C and C++ compilers and the archiver for that platform
#   linker  what rustc links with (-C linker), or null for rustc's default
#   path    PATH for the builds: coreutils, tar and gzip, grep, sed, awk,
#           the C compiler and linker
#   missing what to install when the platform's standard library or C
#           compiler is not there: { std; cc; } (strings, for error messages)
#
# Builds use a pair of them (`pair*` below): `build`, the build machine's,
# for build scripts, proc-macros and what they depend on (the plan's "host"
# instances), and `target`, for everything else. Without cross-compilation
# both are the same set, so a host instance's derivation does not depend on
# the target.
#
# With nixpkgs they come from pkgs (nixpkgs' cross convention: a package set
# P compiles with P.buildPackages' compilers); without, from the host's /usr/bin
# and /bin, which works when the builds may see the host (sandbox = false,
# or those directories in sandbox-paths), as in tests/nix/env.
{ util }:
rec {
  /* The host's tools, for Nix without nixpkgs, producing code for the host. */
  host =
    { system }:
    {
      inherit system;
      shell = "/bin/sh";
      rustc = "/usr/bin/rustc";
      rustdoc = "/usr/bin/rustdoc";
      cargo = "/usr/bin/cargo";
      cc = "/usr/bin/cc";
      cxx = "/usr/bin/c++";
      ar = "/usr/bin/ar";
      linker = null;
      path = "/usr/bin:/bin";
      missing = {
        std = "a Rust toolchain for the build machine";
        cc = "a C compiler (Debian: apt-get install gcc)";
      };
    };

  /* The Debian architecture of a Rust triple's CPU (for package names). */
  debianArch =
    triple:
    let
      cpu = builtins.head (util.splitChar "-" triple);
      known = {
        x86_64 = "amd64";
        aarch64 = "arm64";
        i686 = "i386";
        i586 = "i386";
        armv7 = "armhf";
        arm = "armel";
        riscv64gc = "riscv64";
        powerpc64le = "ppc64el";
        s390x = "s390x";
      };
    in
    known.${cpu} or null;

  /* The GNU triple Debian's cross compilers are prefixed with
     (aarch64-unknown-linux-gnu -> aarch64-linux-gnu). */
  debianGnuTriple =
    triple:
    let
      parts = util.splitChar "-" triple;
      cpu = builtins.head parts;
      gnuCpu =
        {
          riscv64gc = "riscv64";
          armv7 = "arm";
          i686 = "i686";
        }
        .${cpu} or cpu;
      rest = builtins.filter (p: p != "unknown") (builtins.tail parts);
    in
    builtins.concatStringsSep "-" ([ gnuCpu ] ++ rest);

  isWasm = triple: util.hasPrefix "wasm32-" triple || util.hasPrefix "wasm64-" triple;

  /* The host's tools producing code for `triple`, for Nix without nixpkgs:
     the host's rustc (the target's standard library installed beside its
     own, e.g. Debian's libstd-rust-dev:arm64 or `rustup target add`) and
     Debian's cross compilers (gcc-aarch64-linux-gnu), or lld's wasm-ld for
     WebAssembly. */
  hostCross =
    { system, triple }:
    let
      base = host { inherit system; };
      arch = debianArch triple;
      gnu = debianGnuTriple triple;
      isGnuLinux = util.hasSuffix "-linux-gnu" triple || util.hasSuffix "-linux-gnueabihf" triple;
      rustupHint = "or with rustup: rustup target add ${triple}";
    in
    if isWasm triple then
      base
      // {
        # Only crates that compile C for wasm need these (clang can).
        cc = "/usr/bin/clang";
        cxx = "/usr/bin/clang++";
        ar = "/usr/bin/llvm-ar";
        # Debian's rustc has no rust-lld: link with lld's wasm-ld.
        linker = "/usr/bin/wasm-ld";
        missing = {
          std = "the ${triple} standard library (Debian: apt-get install libstd-rust-dev-wasm32; ${rustupHint})";
          cc = "lld's wasm-ld (Debian: apt-get install lld), and clang for crates that compile C";
        };
      }
    else
      base
      // {
        cc = "/usr/bin/${gnu}-gcc";
        cxx = "/usr/bin/${gnu}-g++";
        ar = "/usr/bin/${gnu}-ar";
        linker = "/usr/bin/${gnu}-gcc";
        missing = {
          std =
            "the ${triple} standard library for the host's rustc ("
            + (
              if isGnuLinux && arch != null then
                "Debian: dpkg --add-architecture ${arch} && apt-get update && apt-get install libstd-rust-dev:${arch}; "
              else
                ""
            )
            + rustupHint
            + ")";
          cc =
            "a C compiler and linker for ${triple}"
            + (
              if isGnuLinux && arch != null then
                " (Debian: apt-get install gcc-${gnu} libc6-dev-${arch}-cross)"
              else
                ""
            )
            + ", or pass toolchain.target.cc, .ar and .linker";
        };
      };

  /* The tools of a nixpkgs package set P, producing code for P's host
     platform: P.buildPackages' rustc (nixpkgs builds it with the standard
     library of P's host platform), P's stdenv.cc (a cross compiler when P
     is a cross package set), and programs that run on the build machine. */
  fromPkgs =
    pkgs:
    let
      run = pkgs.buildPackages or pkgs;
      cc = pkgs.stdenv.cc;
      bintools = cc.bintools;
      bin = p: "${p}/bin";
      ccBin = "${cc}/bin/${cc.targetPrefix}";
    in
    {
      system = pkgs.stdenv.buildPlatform.system;
      shell = "${run.bash}/bin/sh";
      rustc = "${run.rustc}/bin/rustc";
      rustdoc = "${run.rustc}/bin/rustdoc";
      cargo = "${run.cargo}/bin/cargo";
      cc = "${ccBin}cc";
      cxx = "${ccBin}c++";
      ar = "${bintools}/bin/${bintools.targetPrefix}ar";
      # rustc's default (`cc`) is the build machine's compiler.
      linker = if cc.targetPrefix == "" then null else "${ccBin}cc";
      path = builtins.concatStringsSep ":" (
        map bin [
          run.coreutils
          run.gnutar
          run.gzip
          run.gnused
          run.gnugrep
          run.findutils
          run.gawk
          cc
          bintools
          run.rustc
        ]
      );
      missing = {
        std = "a rustc with the ${tripleOfPlatform pkgs.stdenv.hostPlatform} standard library (pkgs.buildPackages.rustc)";
        cc = "a C compiler for ${tripleOfPlatform pkgs.stdenv.hostPlatform} (pkgs.stdenv.cc)";
      };
    };

  /* Whether a nixpkgs package set cross-compiles. */
  isCrossPkgs = pkgs: pkgs.stdenv.hostPlatform.config != pkgs.stdenv.buildPlatform.config;

  /* { build; target; } from a nixpkgs package set, possibly a cross one
     (pkgs.pkgsCross.aarch64-multiplatform): build-machine code with
     the native package set's tools, target code with pkgs' tools. For a native
     package set both are fromPkgs pkgs. */
  pairFromPkgs =
    pkgs:
    let
      native = fromPkgs pkgs;
      # pkgsBuildBuild: the native package set (runs on and builds for the
      # build machine), so build-machine code is built exactly as natively.
      build = fromPkgs (pkgs.pkgsBuildBuild or pkgs.buildPackages);
    in
    if isCrossPkgs pkgs then
      {
        inherit build;
        # The build machine's compiler stays on PATH (as in a nixpkgs cross
        # stdenv): rustc links a target crate's build script with `cc`.
        target = native // {
          path = "${native.path}:${build.path}";
        };
      }
    else
      {
        build = native;
        target = native;
      };

  /* { build; target; } for `targetTriple` from a nixpkgs package set: its
     own pair when the triple is its host platform's; for WebAssembly, its
     build machine's tools with lld's wasm-ld as the linker; else an error
     asking for a cross package set. */
  pairForPkgs =
    pkgs: targetTriple:
    let
      pair = pairFromPkgs pkgs;
      pkgsTriple = tripleOfPlatform pkgs.stdenv.hostPlatform;
      lld = (pkgs.buildPackages or pkgs).lld;
    in
    if targetTriple == pkgsTriple then
      pair
    else if isWasm targetTriple then
      {
        inherit (pair) build;
        target = pair.build // {
          linker = "${lld}/bin/wasm-ld";
          missing = pair.build.missing // {
            std = "a rustc with the ${targetTriple} standard library (nixpkgs' rustc has it; or pass toolchain.rustc)";
            cc = "clang for crates that compile C for ${targetTriple} (set CC in their crateOverrides)";
          };
        };
      }
    else
      util.crateplanError "target ${targetTriple} is not the platform of the given pkgs (${pkgsTriple}); pass a cross package set instead, e.g. pkgs.pkgsCross.aarch64-multiplatform, or import lib.nix without pkgs to use the host's cross compilers";

  /* { build; target; } from the host's tools (no nixpkgs). */
  pairFromHost =
    {
      system,
      targetTriple,
      hostTriple,
    }:
    let
      build = host { inherit system; };
    in
    {
      inherit build;
      target = if targetTriple == hostTriple then build else hostCross {
        inherit system;
        triple = targetTriple;
      };
    };

  /* A pair with buildWorkspace's `toolchain` argument applied: its
     attributes replace the build machine's tools, and in a native build the
     target's too; `toolchain.target` replaces only the target's. */
  withOverrides =
    pair: overrides:
    let
      common = removeAttrs overrides [ "target" ];
      build = pair.build // common;
      cross = pair.target != pair.build;
    in
    {
      inherit build;
      target = (if cross then pair.target // removeAttrs common [ "cc" "cxx" "ar" "linker" "missing" ] else build) // (overrides.target or { });
    };

  /* The Rust triple of a Nix system name, for Nix without nixpkgs. */
  tripleOfSystem =
    system:
    let
      known = {
        x86_64-linux = "x86_64-unknown-linux-gnu";
        aarch64-linux = "aarch64-unknown-linux-gnu";
        i686-linux = "i686-unknown-linux-gnu";
        armv7l-linux = "armv7-unknown-linux-gnueabihf";
        riscv64-linux = "riscv64gc-unknown-linux-gnu";
        x86_64-darwin = "x86_64-apple-darwin";
        aarch64-darwin = "aarch64-apple-darwin";
      };
    in
    known.${system}
      or (util.crateplanError "no Rust target known for system ${system}; pass `target` (a triple, or { triple; cfg; })");

  /* The Rust triple of a nixpkgs platform (stdenv.hostPlatform and friends). */
  tripleOfPlatform = platform: platform.rust.rustcTarget or platform.rust.rustcTargetSpec or platform.config;
}
