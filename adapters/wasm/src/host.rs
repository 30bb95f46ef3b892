//! The part of Nix's `builtins.wasm` host interface ("env" imports) that
//! crateplan uses, as a trait: the real imports on wasm32 (`crate::wasm`),
//! anything else (a mock) in native unit tests.

/// Value types as `get_type` reports them (it forces the value first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    Int,
    Float,
    Bool,
    String,
    Path,
    Null,
    Attrs,
    List,
    Function,
    /// A code this module does not know (a newer host).
    Unknown(u32),
}

impl ValueType {
    pub fn from_code(code: u32) -> ValueType {
        match code {
            1 => ValueType::Int,
            2 => ValueType::Float,
            3 => ValueType::Bool,
            4 => ValueType::String,
            5 => ValueType::Path,
            6 => ValueType::Null,
            7 => ValueType::Attrs,
            8 => ValueType::List,
            9 => ValueType::Function,
            other => ValueType::Unknown(other),
        }
    }

    /// How Nix users name the type, for error messages.
    pub fn describe(self) -> &'static str {
        match self {
            ValueType::Int => "an integer",
            ValueType::Float => "a float",
            ValueType::Bool => "a Boolean",
            ValueType::String => "a string",
            ValueType::Path => "a path",
            ValueType::Null => "null",
            ValueType::Attrs => "a set",
            ValueType::List => "a list",
            ValueType::Function => "a function",
            ValueType::Unknown(_) => "a value of an unknown type",
        }
    }
}

/// Host calls. Every failure inside the host (a missing file, a forbidden
/// path in pure evaluation, a type error) traps and becomes a Nix evaluation
/// error, exactly as with Nix's own builtins; these methods therefore return
/// plain values.
pub trait Host {
    /// A ValueId: an index into the host's per-call value table.
    type Value: Copy;

    fn get_type(&self, v: Self::Value) -> ValueType;
    /// `None` when the attribute is missing (the host answers ValueId 0).
    fn get_attr(&self, attrs: Self::Value, name: &str) -> Option<Self::Value>;
    /// Every attribute, in the host's order (not sorted).
    fn attrs(&self, attrs: Self::Value) -> Vec<(Vec<u8>, Self::Value)>;
    /// The bytes of a string (context is dropped).
    fn string(&self, v: Self::Value) -> Vec<u8>;
    /// The absolute path of a path value.
    fn path(&self, v: Self::Value) -> Vec<u8>;
    fn get_bool(&self, v: Self::Value) -> bool;
    /// A strict call: `f a b ...`.
    fn call(&self, f: Self::Value, args: &[Self::Value]) -> Self::Value;
    /// Like `builtins.readFile`, binary-safe.
    fn read_file(&self, path: Self::Value) -> Vec<u8>;

    fn make_string(&self, s: &[u8]) -> Self::Value;
    /// A path in the same source accessor as `base`: `base` + `rel`, or
    /// `rel` itself when it is absolute.
    fn make_path(&self, base: Self::Value, rel: &str) -> Self::Value;
    fn make_int(&self, n: i64) -> Self::Value;
    fn make_bool(&self, b: bool) -> Self::Value;
    fn make_attrset(&self, attrs: &[(&str, Self::Value)]) -> Self::Value;

    /// Aborts the call with a Nix evaluation error.
    fn fail(&self, message: &str) -> !;
}
