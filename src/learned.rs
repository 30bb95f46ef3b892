//! What the planner learned in earlier rounds of one evaluation: the
//! normalised manifests of the `.crate` files it read, keyed by the lock's
//! sha256 of each file. An answer that asks for more sources carries them
//! (`learned`), the next request hands them back, and the planner uses them
//! instead of reading, checking and inflating the same `.crate` again.
//!
//! A checksum names the file's bytes, so an entry can only stand for the
//! crate the lock pins; one whose name or version differs from the lock's
//! package is ignored and the `.crate` is read instead.

use crate::error::Error;
use crate::manifest::PackageData;
use std::collections::BTreeMap;

/// Manifests by the lock's sha256 of their `.crate` file.
#[derive(Debug, Clone, Default)]
pub struct Learned {
    pub manifests: BTreeMap<String, PackageData>,
}

impl Learned {
    /// Decodes a request's `learned` text (what an earlier answer carried).
    pub fn decode(text: &str) -> Result<Learned, Error> {
        let manifests = serde_json::from_str(text).map_err(|e| {
            Error::msg(format!(
                "crateplan: malformed request: `learned` is not what an earlier answer carried ({e}). \
                 Pass back the answer's `learned` text unchanged, or leave it out"
            ))
        })?;
        Ok(Learned { manifests })
    }

    /// The text an answer carries: compact JSON, keys sorted.
    pub fn encode(&self) -> String {
        serde_json::to_string(&self.manifests).expect("manifests always serialize")
    }

    /// The manifest learned for a checksum, if it is the named package's.
    pub fn get(
        &self,
        checksum: &str,
        name: &str,
        version: &semver::Version,
    ) -> Option<&PackageData> {
        self.manifests
            .get(checksum)
            .filter(|d| d.name == name && d.version == *version)
    }
}

/// Serde as text, for the semver types (`Display` and `FromStr`).
pub(crate) mod as_text {
    use serde::{de::Error as _, Deserialize, Deserializer, Serializer};
    use std::fmt::Display;
    use std::str::FromStr;

    pub fn serialize<T: Display, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(value)
    }

    pub fn deserialize<'de, T, D>(d: D) -> Result<T, D::Error>
    where
        T: FromStr,
        T::Err: Display,
        D: Deserializer<'de>,
    {
        let text = String::deserialize(d)?;
        text.parse().map_err(D::Error::custom)
    }

    /// The same for an `Option`.
    pub mod option {
        use super::*;

        pub fn serialize<T: Display, S: Serializer>(
            value: &Option<T>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(v) => s.collect_str(v),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, T, D>(d: D) -> Result<Option<T>, D::Error>
        where
            T: FromStr,
            T::Err: Display,
            D: Deserializer<'de>,
        {
            match Option::<String>::deserialize(d)? {
                Some(text) => text.parse().map(Some).map_err(D::Error::custom),
                None => Ok(None),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_learned_text_is_a_clear_error() {
        let e = Learned::decode("{\"abc\": 1}").unwrap_err();
        assert!(e.to_string().contains("`learned`"), "{e}");
    }

    #[test]
    fn empty_round_trips() {
        let l = Learned::decode("{}").unwrap();
        assert!(l.manifests.is_empty());
        assert_eq!(l.encode(), "{}");
    }
}
