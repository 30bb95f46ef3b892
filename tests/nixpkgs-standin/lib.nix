# The few nixpkgs `lib` functions the flakes under test use, with nixpkgs'
# semantics. Add one here only when a flake starts using it.
{
  /* genAttrs [ "a" "b" ] f == { a = f "a"; b = f "b"; } */
  genAttrs =
    names: f:
    builtins.listToAttrs (
      map (name: {
        inherit name;
        value = f name;
      }) names
    );

  optionalAttrs = cond: attrs: if cond then attrs else { };

  optionals = cond: list: if cond then list else [ ];
}
