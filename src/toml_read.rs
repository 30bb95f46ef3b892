//! Reading TOML documents without serde.
//!
//! `toml::from_str::<T>` instantiates the toml crate's serde deserializer for
//! every target type. For the manifest and lock types those copies were the
//! largest part of the wasm module, which every Nix process compiles before it
//! plans anything (issue 15). Here the toml crate only parses, into its
//! spanned tree ([`DeTable`]), and these small non-generic readers take values
//! out of it, with serde's wording in their errors so messages stay what
//! cargo users know.

use std::collections::BTreeMap;
use std::ops::Range;
use toml::de::{DeInteger, DeTable, DeValue};
use toml::Spanned;

/// A value of a parsed document, with its byte range.
pub type Item<'i> = Spanned<DeValue<'i>>;

/// What is wrong and where: a byte range of the document and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub span: Option<Range<usize>>,
    pub message: String,
}

impl ReadError {
    fn at(span: Range<usize>, message: String) -> ReadError {
        ReadError {
            span: Some(span),
            message,
        }
    }

    /// `:LINE:COLUMN: message` (or `: message` without a position), the
    /// form errors take after the name of the file `text` came from. The
    /// message is quoted (control characters escaped, long ones cut): the
    /// parser's messages may quote the document, which may be hostile.
    pub fn located(&self, text: &str) -> String {
        let message = crate::tarball::quote_long(&self.message);
        match &self.span {
            Some(span) => {
                let (line, col) = line_col(text, span.start);
                format!(":{line}:{col}: {message}")
            }
            None => format!(": {message}"),
        }
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    (line, before[line_start..].chars().count() + 1)
}

/// Parses a whole document.
pub fn parse(text: &str) -> Result<Spanned<DeTable<'_>>, ReadError> {
    DeTable::parse(text).map_err(|e| ReadError {
        span: e.span(),
        message: e.message().trim_end().to_string(),
    })
}

/// serde's name for what a value is (`invalid type: <this>, expected …`).
fn unexpected(value: &DeValue<'_>) -> String {
    match value {
        DeValue::String(s) => format!("string {:?}", s.as_ref()),
        DeValue::Integer(i) => match integer(i) {
            Some(v) => format!("integer `{v}`"),
            None => format!("integer `{i}`"),
        },
        DeValue::Float(f) => format!("floating point `{f}`"),
        DeValue::Boolean(b) => format!("boolean `{b}`"),
        DeValue::Datetime(_) | DeValue::Table(_) => "map".to_string(),
        DeValue::Array(_) => "sequence".to_string(),
    }
}

/// An integer's value, whatever its radix (`None` beyond 128 bits).
fn integer(i: &DeInteger<'_>) -> Option<i128> {
    i128::from_str_radix(i.as_str(), i.radix()).ok()
}

/// The error for `item` not being `expected` (serde's wording).
pub fn invalid_type(item: &Item<'_>, expected: &str) -> ReadError {
    ReadError::at(
        item.span(),
        format!(
            "invalid type: {}, expected {expected}",
            unexpected(item.get_ref())
        ),
    )
}

/// The error for a required key missing from the table spanning `span`.
pub fn missing_field(span: Range<usize>, key: &str) -> ReadError {
    ReadError::at(span, format!("missing field `{key}`"))
}

/// The error for a value of the right type that is out of range.
pub fn invalid_value(item: &Item<'_>, expected: &str) -> ReadError {
    ReadError::at(
        item.span(),
        format!(
            "invalid value: {}, expected {expected}",
            unexpected(item.get_ref())
        ),
    )
}

pub fn table<'a, 'i>(item: &'a Item<'i>) -> Result<&'a DeTable<'i>, ReadError> {
    match item.get_ref() {
        DeValue::Table(t) => Ok(t),
        _ => Err(invalid_type(item, "a map")),
    }
}

pub fn array<'a, 'i>(item: &'a Item<'i>) -> Result<&'a [Item<'i>], ReadError> {
    match item.get_ref() {
        DeValue::Array(a) => Ok(a),
        _ => Err(invalid_type(item, "a sequence")),
    }
}

pub fn string(item: &Item<'_>) -> Result<String, ReadError> {
    match item.get_ref() {
        DeValue::String(s) => Ok(s.to_string()),
        _ => Err(invalid_type(item, "a string")),
    }
}

pub fn boolean(item: &Item<'_>) -> Result<bool, ReadError> {
    match item.get_ref() {
        DeValue::Boolean(b) => Ok(*b),
        _ => Err(invalid_type(item, "a boolean")),
    }
}

/// A non-negative integer that fits a `u32`.
pub fn u32_value(item: &Item<'_>) -> Result<u32, ReadError> {
    match item.get_ref() {
        DeValue::Integer(i) => integer(i)
            .and_then(|v| u32::try_from(v).ok())
            .ok_or_else(|| invalid_value(item, "u32")),
        _ => Err(invalid_type(item, "u32")),
    }
}

/// An array of `read` values (`[[bin]]`, `[[package]]`, a list of strings).
pub fn list<T>(
    item: &Item<'_>,
    read: impl Fn(&Item<'_>) -> Result<T, ReadError>,
) -> Result<Vec<T>, ReadError> {
    array(item)?.iter().map(read).collect()
}

pub fn strings(item: &Item<'_>) -> Result<Vec<String>, ReadError> {
    list(item, string)
}

/// A table of `read` values, by key.
pub fn map<T>(
    item: &Item<'_>,
    read: impl Fn(&Item<'_>) -> Result<T, ReadError>,
) -> Result<BTreeMap<String, T>, ReadError> {
    let mut map = BTreeMap::new();
    // Inserted one by one: collecting into a map would sort the entries (they
    // are sorted already), and a sort is a sizeable copy of code per type.
    for (key, value) in table(item)? {
        map.insert(key.get_ref().to_string(), read(value)?);
    }
    Ok(map)
}

/// The value under the first of `keys` the table has (a key and its
/// aliases, most preferred first).
pub fn field<'a, 'i>(t: &'a DeTable<'i>, keys: &[&str]) -> Option<&'a Item<'i>> {
    keys.iter().find_map(|k| t.get(*k))
}

/// `read` of the value under `keys`, if the table has one.
pub fn optional<T>(
    t: &DeTable<'_>,
    keys: &[&str],
    read: impl FnOnce(&Item<'_>) -> Result<T, ReadError>,
) -> Result<Option<T>, ReadError> {
    field(t, keys).map(read).transpose()
}

/// The value as a `toml::Value`, for the readers that walk tables
/// themselves (profiles, cargo configuration).
pub fn to_value(item: &Item<'_>) -> Result<toml::Value, ReadError> {
    Ok(match item.get_ref() {
        DeValue::String(s) => toml::Value::String(s.to_string()),
        DeValue::Integer(i) => toml::Value::Integer(
            integer(i)
                .and_then(|v| i64::try_from(v).ok())
                .ok_or_else(|| ReadError::at(item.span(), "integer number overflowed".into()))?,
        ),
        DeValue::Float(f) => toml::Value::Float(parse_float(f.as_str()).ok_or_else(|| {
            ReadError::at(item.span(), "floating-point number overflowed".into())
        })?),
        DeValue::Boolean(b) => toml::Value::Boolean(*b),
        DeValue::Datetime(d) => toml::Value::Datetime(*d),
        DeValue::Array(a) => toml::Value::Array(a.iter().map(to_value).collect::<Result<_, _>>()?),
        DeValue::Table(t) => toml::Value::Table(to_table(t)?),
    })
}

/// A table as a `toml::Table` (see [`to_value`]).
pub fn to_table(t: &DeTable<'_>) -> Result<toml::Table, ReadError> {
    let mut table = toml::Table::new();
    for (key, value) in t {
        table.insert(key.get_ref().to_string(), to_value(value)?);
    }
    Ok(table)
}

/// A TOML float as written (`1e3`, `inf`, `-nan`); `None` if it overflows.
fn parse_float(text: &str) -> Option<f64> {
    let f: f64 = text.parse().ok()?;
    (f.is_finite() || text.contains("inf") || text.contains("nan")).then_some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Spanned<DeTable<'_>> {
        parse(text).unwrap()
    }

    #[test]
    fn a_syntax_error_has_its_position_and_the_parser_message() {
        let text = "a = 1\nb = [1,\n";
        let e = parse(text).unwrap_err();
        assert_eq!(e.located(text), ":2:8: unclosed array, expected `]`");
        // The same position as the toml crate's own report.
        let theirs = toml::from_str::<toml::Table>(text).unwrap_err().to_string();
        assert!(
            theirs.starts_with("TOML parse error at line 2, column 8"),
            "{theirs}"
        );
    }

    #[test]
    fn type_errors_use_serde_wording_at_the_value() {
        let text = "name = 1\nflag = \"yes\"\nlist = [\"a\", 2]\nt = [1]\n";
        let d = doc(text);
        let t = d.get_ref();
        let e = string(t.get("name").unwrap()).unwrap_err();
        assert_eq!(
            e.located(text),
            ":1:8: invalid type: integer `1`, expected a string"
        );
        let e = boolean(t.get("flag").unwrap()).unwrap_err();
        assert_eq!(
            e.located(text),
            ":2:8: invalid type: string \"yes\", expected a boolean"
        );
        let e = strings(t.get("list").unwrap()).unwrap_err();
        assert_eq!(
            e.located(text),
            ":3:14: invalid type: integer `2`, expected a string"
        );
        let e = table(t.get("t").unwrap()).unwrap_err();
        assert_eq!(e.message, "invalid type: sequence, expected a map");
    }

    #[test]
    fn u32_values_are_range_checked() {
        let d = doc("a = 4\nb = -1\nc = 4294967296\nd = \"4\"\n");
        let t = d.get_ref();
        assert_eq!(u32_value(t.get("a").unwrap()), Ok(4));
        for (key, message) in [
            ("b", "invalid value: integer `-1`, expected u32"),
            ("c", "invalid value: integer `4294967296`, expected u32"),
            ("d", "invalid type: string \"4\", expected u32"),
        ] {
            assert_eq!(u32_value(t.get(key).unwrap()).unwrap_err().message, message);
        }
    }

    #[test]
    fn aliases_prefer_the_first_key() {
        let d = doc("dev-dependencies = 1\ndev_dependencies = 2\n");
        let t = d.get_ref();
        let v = optional(t, &["dev-dependencies", "dev_dependencies"], |i| {
            Ok(to_value(i)?.as_integer())
        });
        assert_eq!(v, Ok(Some(Some(1))));
        assert_eq!(optional(t, &["nothing"], boolean), Ok(None));
    }

    #[test]
    fn values_convert_like_toml_from_str() {
        let text = "i = 0x1f\nf = 1e3\ninf = -inf\nb = true\nd = 1979-05-27\n\
                    a = [1, \"x\"]\n[t.u]\nv = 'w'\n";
        let ours = to_table(doc(text).get_ref()).unwrap();
        let theirs: toml::Table = toml::from_str(text).unwrap();
        assert_eq!(ours, theirs);
        let e = to_value(doc("i = 0x7fffffffffffffff1\n").get_ref().get("i").unwrap());
        assert_eq!(e.unwrap_err().message, "integer number overflowed");
    }

    #[test]
    fn missing_fields_point_at_the_table() {
        let e = missing_field(4..9, "name");
        assert_eq!(e.located("[a]\n[[b]]\n"), ":2:1: missing field `name`");
    }

    #[test]
    fn messages_are_quoted() {
        let e = ReadError {
            span: None,
            message: format!("bad \u{1b}[31m{}", "x".repeat(2000)),
        };
        let located = e.located("");
        assert!(
            !located.contains('\u{1b}') && located.len() < 600,
            "{located}"
        );
    }

    #[test]
    fn columns_count_characters() {
        // `x`, `é` (two bytes) and then the offset: the third character.
        assert_eq!(line_col("é = 1\nxé = \"", 10), (2, 3));
        assert_eq!(line_col("é", 1), (1, 1));
    }
}
