# Which tools the builds use and which platforms they are for.
#
# A toolchain is an attribute set of strings:
#   system  the Nix system the derivations build on
#   shell   a POSIX shell, the derivations' builder
#   rustc rustdoc cargo cc ar   the compilers and the archiver
#   path    PATH for the builds: coreutils, tar and gzip, grep, sed, awk,
#           the C compiler and linker
# With nixpkgs it comes from pkgs; without, from the host's /usr/bin and /bin,
# which works when the builds may see the host (sandbox = false, or those
# directories in sandbox-paths), as in tests/nix/env.
{ util }:
rec {
  /* The host's tools, for Nix without nixpkgs. */
  host =
    { system }:
    {
      inherit system;
      shell = "/bin/sh";
      rustc = "/usr/bin/rustc";
      rustdoc = "/usr/bin/rustdoc";
      cargo = "/usr/bin/cargo";
      cc = "/usr/bin/cc";
      ar = "/usr/bin/ar";
      path = "/usr/bin:/bin";
    };

  /* The tools of a nixpkgs package set (the compilers run on the build
     platform and produce code for pkgs' host platform). */
  fromPkgs =
    pkgs:
    let
      cc = pkgs.stdenv.cc;
      bintools = cc.bintools;
      bin = p: "${p}/bin";
    in
    {
      system = pkgs.stdenv.buildPlatform.system;
      shell = "${pkgs.bash}/bin/sh";
      rustc = "${pkgs.rustc}/bin/rustc";
      rustdoc = "${pkgs.rustc}/bin/rustdoc";
      cargo = "${pkgs.cargo}/bin/cargo";
      cc = "${cc}/bin/${cc.targetPrefix}cc";
      ar = "${bintools}/bin/${bintools.targetPrefix}ar";
      path = builtins.concatStringsSep ":" (
        map bin [
          pkgs.coreutils
          pkgs.gnutar
          pkgs.gzip
          pkgs.gnused
          pkgs.gnugrep
          pkgs.findutils
          pkgs.gawk
          cc
          bintools
          pkgs.rustc
        ]
      );
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
