# The few nixpkgs `lib` functions the flakes under test use, with nixpkgs'
# semantics. Add one here only when a flake starts using it.
rec {
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

  /* unique [ 3 2 3 4 ] == [ 3 2 4 ]: the first of each, in order
     (quadratic, as nixpkgs' own). */
  unique = builtins.foldl' (acc: e: if builtins.elem e acc then acc else acc ++ [ e ]) [ ];

  /* makeOverridable f args: f args, with `.override` to call f again with
     changed args (an attrset, or a function of the old ones). A function
     result becomes a functor with `.override`, as in nixpkgs. */
  makeOverridable =
    f: origArgs:
    let
      result = f origArgs;
      overrideWith =
        newArgs: origArgs // (if builtins.isFunction newArgs then newArgs origArgs else newArgs);
      override = newArgs: makeOverridable f (overrideWith newArgs);
    in
    if builtins.isAttrs result then
      result // { inherit override; }
    else if builtins.isFunction result then
      {
        __functor = _: result;
        inherit override;
      }
    else
      result;

  # What crate2nix's generated Cargo.nix uses (benches/eval.sh), with
  # nixpkgs' semantics.
  inherit (builtins)
    mapAttrs
    filter
    concatStringsSep
    concatMap
    ;
  id = x: x;
  optional = cond: x: if cond then [ x ] else [ ];
  optionalString = cond: s: if cond then s else "";
  any = builtins.any;
  foldl = builtins.foldl';
  foldr =
    op: nul: list:
    let
      len = builtins.length list;
      go = n: if n == len then nul else op (builtins.elemAt list n) (go (n + 1));
    in
    go 0;
  filterAttrs =
    pred: set:
    builtins.listToAttrs (
      concatMap (
        name:
        let
          v = set.${name};
        in
        if pred name v then [ { inherit name; value = v; } ] else [ ]
      ) (builtins.attrNames set)
    );
  concatMapStringsSep = sep: f: list: concatStringsSep sep (map f list);
  hasPrefix = pref: str: builtins.substring 0 (builtins.stringLength pref) str == pref;
  hasSuffix =
    suffix: content:
    let
      lenContent = builtins.stringLength content;
      lenSuffix = builtins.stringLength suffix;
    in
    lenContent >= lenSuffix && builtins.substring (lenContent - lenSuffix) lenContent content == suffix;
  hasInfix = infix: content: builtins.match ".*${escapeRegex infix}.*" "${content}" != null;
  escapeRegex = builtins.replaceStrings ([ "\\" "[" "{" "(" ")" "^" "$" "." "|" "*" "+" "?" "]" "}" ]) (
    map (c: "\\${c}") [ "\\" "[" "{" "(" ")" "^" "$" "." "|" "*" "+" "?" "]" "}" ]
  );
  removePrefix =
    prefix: str:
    if hasPrefix prefix str then
      builtins.substring (builtins.stringLength prefix) (builtins.stringLength str) str
    else
      str;
  toLower = builtins.replaceStrings upperChars lowerChars;
  lowerChars = map (i: builtins.substring i 1 "abcdefghijklmnopqrstuvwxyz") (builtins.genList (i: i) 26);
  upperChars = map (i: builtins.substring i 1 "ABCDEFGHIJKLMNOPQRSTUVWXYZ") (builtins.genList (i: i) 26);
  groupBy = builtins.groupBy;
  foldAttrs =
    op: nul: list_of_attrs:
    foldr (
      n: a: foldr (name: o: o // { ${name} = op n.${name} (a.${name} or nul); }) a (builtins.attrNames n)
    ) { } list_of_attrs;
  findFirst =
    pred: default: list:
    let
      found = filter pred list;
    in
    if found == [ ] then default else builtins.head found;
  assertMsg = pred: msg: pred || builtins.throw msg;
  /* A filtered copy of a source tree (nixpkgs' returns more attributes). */
  cleanSourceWith =
    {
      src,
      filter ? _: _: true,
      name ? "source",
    }:
    {
      outPath = builtins.path {
        path = src;
        inherit filter name;
      };
    };
  strings = {
    inherit
      toLower
      hasInfix
      hasPrefix
      hasSuffix
      removePrefix
      concatStringsSep
      optionalString
      ;
  };
  lists = {
    inherit optional any findFirst;
  };
}
