//! A lock file's source strings (`registry+URL`, `sparse+URL`,
//! `git+URL?branch=B#REV`, `path+URL`) parsed as cargo parses them, and
//! compared as cargo's lock reader compares them.
//!
//! Our own, rather than cargo-lock's `SourceId`: that one needs the `url`
//! crate and, through `idna`, about twenty ICU crates, a third of what the
//! ifd route's bootstrap compiled (docs/performance.md). Lock files are
//! written by cargo from URLs it already normalised, so the normalisation
//! here is the part of the URL standard such URLs can still differ in
//! (scheme and host case, the root path of a bare authority, a default
//! port); anything that is not an absolute `scheme:` URL is refused.

use std::fmt;

/// The part of a git source after `?`: what `cargo` was asked to follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GitReference {
    DefaultBranch,
    Branch(String),
    Tag(String),
    Rev(String),
}

/// What kind of source a string names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SourceKind {
    Registry,
    SparseRegistry,
    Git(GitReference),
    Path,
    LocalRegistry,
    Directory,
}

/// A parsed source string.
#[derive(Debug, Clone)]
pub(crate) struct SourceId {
    kind: SourceKind,
    /// The URL, normalised; for git without query and fragment.
    url: String,
    /// For git, the pinned commit (the `#` fragment).
    precise: Option<String>,
}

impl SourceId {
    /// Parses `KIND+URL`.
    pub(crate) fn parse(spelled: &str) -> Result<SourceId, String> {
        let (kind, rest) = spelled
            .split_once('+')
            .ok_or_else(|| format!("invalid source `{spelled}`"))?;
        let url = |text: &str| {
            normalise_url(text).map_err(|reason| format!("invalid url `{text}`: {reason}"))
        };
        let plain = |kind| -> Result<SourceId, String> {
            Ok(SourceId {
                kind,
                url: url(rest)?,
                precise: None,
            })
        };
        match kind {
            "registry" => plain(SourceKind::Registry),
            "sparse" => plain(SourceKind::SparseRegistry),
            "path" => plain(SourceKind::Path),
            "local-registry" => plain(SourceKind::LocalRegistry),
            "directory" => plain(SourceKind::Directory),
            "git" => {
                let (before_fragment, fragment) = match rest.split_once('#') {
                    Some((b, f)) => (b, Some(f.to_string())),
                    None => (rest, None),
                };
                let (base, query) = match before_fragment.split_once('?') {
                    Some((b, q)) => (b, Some(q)),
                    None => (before_fragment, None),
                };
                let mut reference = GitReference::DefaultBranch;
                for (key, value) in query.into_iter().flat_map(form_pairs) {
                    match key.as_str() {
                        // cargo maps the old `ref` to a branch.
                        "branch" | "ref" => reference = GitReference::Branch(value),
                        "rev" => reference = GitReference::Rev(value),
                        "tag" => reference = GitReference::Tag(value),
                        _ => {}
                    }
                }
                Ok(SourceId {
                    kind: SourceKind::Git(reference),
                    url: url(base)?,
                    precise: fragment,
                })
            }
            other => Err(format!(
                "unsupported source protocol: `{other}` from `{spelled}`"
            )),
        }
    }

    pub(crate) fn kind(&self) -> &SourceKind {
        &self.kind
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    pub(crate) fn precise(&self) -> Option<&str> {
        self.precise.as_deref()
    }

    pub(crate) fn is_path(&self) -> bool {
        self.kind == SourceKind::Path
    }

    /// The source as cargo's package id spec spells it. For git: `git+URL`,
    /// then the reference as `?branch=`, `?tag=` or `?rev=` with its value
    /// `application/x-www-form-urlencoded` (cargo's `PrettyRef` with
    /// `url_encoded`), so `hxrts/aura` is `hxrts%2Faura`. Lock format v3
    /// keeps such references raw and v4 encodes them; the id is the same for
    /// both. Other sources have no reference: their display spelling.
    pub(crate) fn package_id_spelling(&self) -> String {
        let url = &self.url;
        let (key, value) = match &self.kind {
            SourceKind::Git(GitReference::DefaultBranch) => return format!("git+{url}"),
            SourceKind::Git(GitReference::Branch(b)) => ("branch", b),
            SourceKind::Git(GitReference::Tag(t)) => ("tag", t),
            SourceKind::Git(GitReference::Rev(r)) => ("rev", r),
            _ => return self.to_string(),
        };
        format!("git+{url}?{key}={}", form_urlencode(value))
    }
}

/// Equal as cargo's lock reader matches a `dependencies` entry to a
/// package: same URL and kind; two git sources with the same URL are the
/// same unless both pin a commit and the commits differ (an entry may omit
/// the commit, or spell the reference differently from the package).
impl PartialEq for SourceId {
    fn eq(&self, other: &SourceId) -> bool {
        if self.url != other.url {
            return false;
        }
        match (&self.kind, &other.kind) {
            (SourceKind::Git(_), SourceKind::Git(_)) => match (&self.precise, &other.precise) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            },
            (a, b) => a == b,
        }
    }
}

/// The source string as cargo-lock prints it: the reference unencoded.
impl fmt::Display for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = match &self.kind {
            SourceKind::Registry => "registry",
            SourceKind::SparseRegistry => "sparse",
            SourceKind::Path => "path",
            SourceKind::LocalRegistry => "local-registry",
            SourceKind::Directory => "directory",
            SourceKind::Git(reference) => {
                write!(f, "git+{}", self.url)?;
                match reference {
                    GitReference::DefaultBranch => {}
                    GitReference::Branch(b) => write!(f, "?branch={b}")?,
                    GitReference::Tag(t) => write!(f, "?tag={t}")?,
                    GitReference::Rev(r) => write!(f, "?rev={r}")?,
                }
                if let Some(precise) = &self.precise {
                    write!(f, "#{precise}")?;
                }
                return Ok(());
            }
        };
        write!(f, "{prefix}+{}", self.url)
    }
}

/// Schemes whose URLs always have an authority and a path (the URL
/// standard's "special" schemes), with their default ports.
const SPECIAL_SCHEMES: [(&str, Option<&str>); 6] = [
    ("http", Some("80")),
    ("https", Some("443")),
    ("ws", Some("80")),
    ("wss", Some("443")),
    ("ftp", Some("21")),
    ("file", None),
];

/// An absolute URL as the `url` crate would print it, for the URLs cargo
/// writes into lock files: the scheme and a special scheme's host in lower
/// case, its default port dropped, `/` as the path of a bare authority.
fn normalise_url(text: &str) -> Result<String, &'static str> {
    if text.is_empty() {
        return Err("empty URL");
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("white space or a control character");
    }
    let (scheme, rest) = text.split_once(':').ok_or("relative URL without a base")?;
    let valid_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !valid_scheme {
        return Err("relative URL without a base");
    }
    let scheme = scheme.to_ascii_lowercase();
    let special = SPECIAL_SCHEMES.iter().find(|(s, _)| *s == scheme);
    let Some(after_slashes) = rest.strip_prefix("//") else {
        if special.is_some() && scheme != "file" {
            return Err("expected `//` after the scheme");
        }
        return Ok(format!("{scheme}:{rest}"));
    };
    let authority_end = after_slashes
        .find(['/', '?', '#'])
        .unwrap_or(after_slashes.len());
    let (authority, tail) = after_slashes.split_at(authority_end);
    let Some(&(_, default_port)) = special else {
        return Ok(format!("{scheme}://{authority}{tail}"));
    };
    if authority.is_empty() && scheme != "file" {
        return Err("empty host");
    }
    let (userinfo, host_port) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let (host, port) = match host_port.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || host_port.starts_with('[') => {
            if !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err("invalid port number");
            }
            (h, Some(p))
        }
        _ => (host_port, None),
    };
    let mut out = format!("{scheme}://");
    if let Some(userinfo) = userinfo {
        out.push_str(userinfo);
        out.push('@');
    }
    out.push_str(&host.to_ascii_lowercase());
    if let Some(port) = port.filter(|p| !p.is_empty() && Some(*p) != default_port) {
        out.push(':');
        out.push_str(port);
    }
    if !tail.starts_with('/') {
        out.push('/');
    }
    out.push_str(tail);
    Ok(out)
}

/// The `application/x-www-form-urlencoded` byte serialisation: ASCII
/// alphanumerics and `*-._` stay, a space becomes `+`, every other byte is
/// `%XX` (upper-case hex).
fn form_urlencode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `application/x-www-form-urlencoded` pairs: `+` is a space, `%XX` a byte.
fn form_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (form_decode(key), form_decode(value))
    })
}

fn form_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() && hex_pair(bytes[i + 1], bytes[i + 2]).is_some() => {
                out.extend(hex_pair(bytes[i + 1], bytes[i + 2]));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_pair(high: u8, low: u8) -> Option<u8> {
    let digit = |b: u8| (b as char).to_digit(16);
    Some((digit(high)? * 16 + digit(low)?) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> SourceId {
        SourceId::parse(s).unwrap()
    }

    #[test]
    fn registries_keep_their_spelling() {
        for s in [
            "registry+https://github.com/rust-lang/crates.io-index",
            "sparse+https://index.crates.io/",
        ] {
            assert_eq!(parse(s).to_string(), s);
        }
        assert_eq!(
            parse("sparse+https://index.crates.io/").kind(),
            &SourceKind::SparseRegistry
        );
    }

    #[test]
    fn urls_are_normalised_as_the_url_crate_does() {
        assert_eq!(
            parse("registry+HTTPS://Example.COM:443").to_string(),
            "registry+https://example.com/"
        );
        assert_eq!(
            parse("registry+https://example.com:8443/index").to_string(),
            "registry+https://example.com:8443/index"
        );
        assert_eq!(
            parse("git+ssh://git@Host.example/org/repo.git#abc").url(),
            "ssh://git@Host.example/org/repo.git"
        );
    }

    #[test]
    fn git_sources_split_into_url_reference_and_commit() {
        let id = parse("git+https://example.com/dep?branch=team%2Fslash#0123abcd");
        assert_eq!(id.url(), "https://example.com/dep");
        assert_eq!(id.precise(), Some("0123abcd"));
        assert_eq!(
            id.kind(),
            &SourceKind::Git(GitReference::Branch("team/slash".into()))
        );
        assert_eq!(
            id.to_string(),
            "git+https://example.com/dep?branch=team/slash#0123abcd"
        );
        assert_eq!(
            parse("git+https://e.com/d?ref=x").kind(),
            &SourceKind::Git(GitReference::Branch("x".into()))
        );
        assert_eq!(
            parse("git+https://e.com/d?tag=v1+rc").kind(),
            &SourceKind::Git(GitReference::Tag("v1 rc".into()))
        );
        assert_eq!(
            parse("git+https://e.com/d").kind(),
            &SourceKind::Git(GitReference::DefaultBranch)
        );
    }

    #[test]
    fn git_sources_match_without_a_commit_or_with_another_reference() {
        let pinned = parse("git+https://e.com/d?rev=0123#0123456789");
        assert_eq!(pinned, parse("git+https://e.com/d?rev=0123456789"));
        assert_eq!(pinned, parse("git+https://e.com/d#0123456789"));
        assert_ne!(pinned, parse("git+https://e.com/d#fedcba"));
        assert_ne!(pinned, parse("git+https://e.com/other#0123456789"));
        assert_ne!(
            parse("registry+https://e.com/"),
            parse("sparse+https://e.com/")
        );
    }

    #[test]
    fn malformed_sources_are_errors() {
        for (s, message) in [
            ("https://example.com", "invalid source"),
            (
                "svn+https://example.com",
                "unsupported source protocol: `svn`",
            ),
            ("registry+not a url", "white space"),
            ("registry+example.com/index", "relative URL without a base"),
            ("registry+1http://x", "relative URL without a base"),
            ("registry+https://", "empty host"),
            ("registry+https://h:port/", "invalid port number"),
            ("git+", "empty URL"),
        ] {
            let error = SourceId::parse(s).unwrap_err();
            assert!(error.contains(message), "{s}: {error}");
        }
    }

    #[test]
    fn percent_escapes_decode_and_broken_ones_stay() {
        assert_eq!(form_decode("a%2Fb%zz%4"), "a/b%zz%4");
    }
}
