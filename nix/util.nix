# Small helpers in the spirit of nixpkgs' lib, so crateplan needs no nixpkgs.
#
# Only what the other files in nix/ use; each function is documented where
# its name alone does not say what it does.
let
  inherit (builtins)
    attrNames
    concatMap
    concatStringsSep
    elem
    filter
    foldl'
    genericClosure
    hasAttr
    isAttrs
    listToAttrs
    map
    stringLength
    substring
    ;
in
rec {
  hasPrefix = prefix: s: substring 0 (stringLength prefix) s == prefix;

  hasSuffix =
    suffix: s:
    let
      ls = stringLength s;
      lx = stringLength suffix;
    in
    ls >= lx && substring (ls - lx) lx s == suffix;

  removePrefix =
    prefix: s: if hasPrefix prefix s then substring (stringLength prefix) (-1) s else s;

  concatMapStringsSep = sep: f: list: concatStringsSep sep (map f list);

  /* Keeps the first occurrence of every element, in order. */
  unique = foldl' (acc: x: if elem x acc then acc else acc ++ [ x ]) [ ];

  optional = cond: x: if cond then [ x ] else [ ];
  optionals = cond: xs: if cond then xs else [ ];
  optionalString = cond: s: if cond then s else "";
  optionalAttrs = cond: as: if cond then as else { };

  /* `nameValuePair`-free mapAttrs to a new name: f returns { name; value; }. */
  mapAttrs' = f: set: listToAttrs (map (n: f n set.${n}) (attrNames set));

  filterAttrs =
    pred: set:
    listToAttrs (
      concatMap (n: if pred n set.${n} then [ { name = n; value = set.${n}; } ] else [ ]) (attrNames set)
    );

  /* Splits a string on a single-character separator. */
  splitChar =
    sep: s: filter builtins.isString (builtins.split (escapeRegex sep) s);

  escapeRegex = s: builtins.replaceStrings
    [ "\\" "." "*" "+" "?" "(" ")" "[" "]" "{" "}" "|" "^" "$" ]
    [ "\\\\" "\\." "\\*" "\\+" "\\?" "\\(" "\\)" "\\[" "\\]" "\\{" "\\}" "\\|" "\\^" "\\$" ]
    s;

  /* Upper case and `-` to `_`, as cargo spells environment variable names. */
  envName =
    s:
    builtins.replaceStrings
      (lowerChars ++ [ "-" ])
      (upperChars ++ [ "_" ])
      s;
  lowerChars = splitChars "abcdefghijklmnopqrstuvwxyz";
  upperChars = splitChars "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  splitChars = s: builtins.genList (i: substring i 1 s) (stringLength s);

  /* The values of every attribute named `name` reachable from `start` by
     following `next`, each visited once (a graph walk over string keys). */
  closure =
    start: next:
    map (x: x.key) (genericClosure {
      startSet = map (key: { inherit key; }) start;
      operator = item: map (key: { inherit key; }) (next item.key);
    });

  /* `lib.makeOverridable` for functions of one attribute set: the result
     carries `override`, which calls `f` again with some arguments replaced. */
  makeOverridable =
    f: args:
    let
      result = f args;
      override = newArgs: makeOverridable f (args // (if isAttrs newArgs then newArgs else newArgs args));
    in
    if isAttrs result then result // { inherit override; } else result;

  /* `attrs.${name}` or a default, for names computed at run time. */
  attrOr = name: default: set: if hasAttr name set then set.${name} else default;

  /* The error every route failure is reported with. */
  crateplanError =
    msg: throw (if hasPrefix "crateplan: " msg then msg else "crateplan: ${msg}");
}
