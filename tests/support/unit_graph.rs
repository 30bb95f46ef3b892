//! Normalisation and comparison of `--unit-graph` JSON (cargo's format,
//! version 1), for the oracle suite in `tests/oracle.rs`.
//!
//! Both sides — `cargo build/test --unit-graph` and `crateplan unit-graph` —
//! go through [`normalize`], and [`compare`] reports every difference.
//!
//! What normalisation does, and why:
//! - Unit indices mean nothing across two graphs. Every unit gets a canonical
//!   key: package (name, version, source kind), target kind and name,
//!   platform (`host` for `null`), mode, sorted features, and a hash of its
//!   dependency edges `(extern_crate_name, key of the dependency)`. So two
//!   units that look alike but depend on different things stay distinct, and
//!   the key of a unit changes when anything below it changes.
//! - `pkg_id` is compared as (name, version, source kind) because cargo's
//!   spelling of it varies (`url#name@ver`, `url#ver`, the old
//!   `name ver (url)`, `registry+` or `sparse+`). The source kind is
//!   `registry`, `path`, or `git <url>` (with the `?branch=`/`?tag=`/`?rev=`
//!   query, without the `#` fragment), since one workspace can have the same
//!   crate name and version from two git references.
//! - `src_path` becomes relative: for path packages to the directory in
//!   `pkg_id`; for registry packages to the `NAME-VERSION` directory (so
//!   `$CARGO_HOME/registry/src/*/serde-1.0.0/src/lib.rs` and
//!   `/anywhere/serde-1.0.0/src/lib.rs` agree); for git packages to the
//!   repository root (so the package's subdirectory counts): the part after
//!   `git/checkouts/<db>/<rev>/`, or after a leading `<placeholder>/`
//!   component; failing those, to the nearest ancestor directory on disk
//!   that holds a `Cargo.toml`; failing that the path stays as it is.
//! - `profile` is compared field for field (as compact JSON values) and is
//!   part of a unit's identity: cargo emits two units of one target that
//!   differ only in profile (a root proc-macro on an Apple target), and so
//!   must crateplan. Units equal in every compared field are merged.
//! - Units not reachable from a root are dropped (neither side emits any
//!   today; this keeps a stray unit from counting). Doctest units are
//!   compared like every other unit.
//! - `is_std`, `public`, `noprelude` and the target's `doc`/`doctest`/`test`
//!   flags are not compared.
#![allow(dead_code)]

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;

/// A package as the comparison sees it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PkgKey {
    pub name: String,
    pub version: String,
    /// `registry`, `path`, or `git <url?query>`.
    pub source: String,
}

impl std::fmt::Display for PkgKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{} ({})", self.name, self.version, self.source)
    }
}

/// One normalised unit.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unit {
    /// Human-readable identity without the dependencies.
    pub descriptor: String,
    /// `descriptor` plus a hash of the dependency edges: the canonical key.
    pub key: String,
    pub pkg: PkgKey,
    pub target_kind: Vec<String>,
    pub target_name: String,
    /// `None` is cargo's `null`: a unit built for the host.
    pub platform: Option<String>,
    pub mode: String,
    pub features: Vec<String>,
    pub crate_types: Vec<String>,
    pub src_path: String,
    pub edition: String,
    /// The `profile` object: field -> compact JSON value.
    pub profile: BTreeMap<String, String>,
    /// `(extern_crate_name, key of the dependency)`, sorted.
    pub deps: BTreeSet<(String, String)>,
    /// `(extern_crate_name, descriptor of the dependency)`, sorted.
    pub dep_descriptors: BTreeSet<(String, String)>,
}

/// A normalised unit graph: units sorted by key, roots as keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Graph {
    pub units: Vec<Unit>,
    pub roots: Vec<String>,
}

impl Graph {
    pub fn len(&self) -> usize {
        self.units.len()
    }
}

/// Parses and normalises a unit graph in cargo's JSON format (version 1).
pub fn normalize(json: &str) -> Result<Graph, String> {
    let v: Value = serde_json::from_str(json.trim()).map_err(|e| {
        format!(
            "unit graph is not valid JSON: {e}; starts with: {:.200}",
            json.trim()
        )
    })?;
    normalize_value(&v)
}

struct RawUnit {
    pkg: PkgKey,
    target_kind: Vec<String>,
    target_name: String,
    crate_types: Vec<String>,
    src_path: String,
    edition: String,
    profile: BTreeMap<String, String>,
    platform: Option<String>,
    mode: String,
    features: Vec<String>,
    deps: Vec<(usize, String)>,
}

fn strings(v: Option<&Value>, what: &str) -> Result<Vec<String>, String> {
    v.and_then(Value::as_array)
        .ok_or_else(|| format!("`{what}` is missing or not an array"))?
        .iter()
        .map(|s| {
            s.as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("`{what}` holds a non-string"))
        })
        .collect()
}

fn string(v: Option<&Value>, what: &str) -> Result<String, String> {
    v.and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("`{what}` is missing or not a string"))
}

pub fn normalize_value(v: &Value) -> Result<Graph, String> {
    match v.get("version").and_then(Value::as_u64) {
        Some(1) => {}
        other => return Err(format!("unit graph `version` is {other:?}, expected 1")),
    }
    let units_json = v
        .get("units")
        .and_then(Value::as_array)
        .ok_or("unit graph has no `units` array")?;
    let mut raw = Vec::with_capacity(units_json.len());
    for (i, u) in units_json.iter().enumerate() {
        raw.push(parse_unit(u).map_err(|e| format!("unit {i}: {e}"))?);
    }
    let n = raw.len();
    for (i, u) in raw.iter().enumerate() {
        for (d, _) in &u.deps {
            if *d >= n {
                return Err(format!(
                    "unit {i} depends on index {d}, but there are {n} units"
                ));
            }
        }
    }
    let mut roots = Vec::new();
    for r in v
        .get("roots")
        .and_then(Value::as_array)
        .ok_or("unit graph has no `roots` array")?
    {
        let r = r.as_u64().ok_or("a root is not an index")? as usize;
        if r >= n {
            return Err(format!("root {r} out of range ({n} units)"));
        }
        roots.push(r);
    }

    // Keep what the roots reach.
    let mut live = vec![false; n];
    let mut stack: Vec<usize> = roots.clone();
    while let Some(i) = stack.pop() {
        if live[i] {
            continue;
        }
        live[i] = true;
        stack.extend(raw[i].deps.iter().map(|(d, _)| *d));
    }

    // Keys, bottom up (memoised; the graph must be acyclic).
    let mut keys: Vec<Option<String>> = vec![None; n];
    let mut state = vec![0u8; n]; // 0 new, 1 in progress, 2 done
    for i in 0..n {
        if live[i] {
            key_of(i, &raw, &live, &mut keys, &mut state)?;
        }
    }

    let mut units = Vec::new();
    for i in 0..n {
        if !live[i] {
            continue;
        }
        let u = &raw[i];
        let mut deps = BTreeSet::new();
        let mut dep_descriptors = BTreeSet::new();
        for (d, name) in &u.deps {
            if live[*d] {
                deps.insert((name.clone(), keys[*d].clone().unwrap()));
                dep_descriptors.insert((name.clone(), descriptor(&raw[*d])));
            }
        }
        units.push(Unit {
            descriptor: descriptor(u),
            key: keys[i].clone().unwrap(),
            pkg: u.pkg.clone(),
            target_kind: u.target_kind.clone(),
            target_name: u.target_name.clone(),
            platform: u.platform.clone(),
            mode: u.mode.clone(),
            features: u.features.clone(),
            crate_types: u.crate_types.clone(),
            src_path: u.src_path.clone(),
            edition: u.edition.clone(),
            profile: u.profile.clone(),
            deps,
            dep_descriptors,
        });
    }
    units.sort();
    // Units equal in every compared field are one unit.
    units.dedup();
    let mut roots: Vec<String> = roots
        .into_iter()
        .map(|r| keys[r].clone().unwrap())
        .collect();
    roots.sort();
    roots.dedup();
    Ok(Graph { units, roots })
}

fn parse_unit(u: &Value) -> Result<RawUnit, String> {
    let pkg_id = string(u.get("pkg_id"), "pkg_id")?;
    let pkg = parse_pkg_id(&pkg_id)?;
    let t = u.get("target").ok_or("no `target`")?;
    let target_kind = strings(t.get("kind"), "target.kind")?;
    let target_name = string(t.get("name"), "target.name")?;
    let crate_types = strings(t.get("crate_types"), "target.crate_types")?;
    let src_path_abs = string(t.get("src_path"), "target.src_path")?;
    let edition = string(t.get("edition"), "target.edition")?;
    let platform = match u.get("platform") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => return Err(format!("`platform` is neither null nor a string: {other}")),
    };
    let mode = string(u.get("mode"), "mode")?;
    let mut features = strings(u.get("features"), "features")?;
    features.sort();
    features.dedup();
    let mut deps = Vec::new();
    for d in u
        .get("dependencies")
        .and_then(Value::as_array)
        .ok_or("no `dependencies` array")?
    {
        let index = d
            .get("index")
            .and_then(Value::as_u64)
            .ok_or("a dependency has no `index`")? as usize;
        let name = string(
            d.get("extern_crate_name"),
            "dependencies[].extern_crate_name",
        )?;
        deps.push((index, name));
    }
    let src_path = relative_src_path(&pkg, &pkg_id, &src_path_abs);
    let profile = match u.get("profile") {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(Value::Object(m)) => m.iter().map(|(k, v)| (k.clone(), v.to_string())).collect(),
        Some(other) => return Err(format!("`profile` is not an object: {other}")),
    };
    Ok(RawUnit {
        profile,
        pkg,
        target_kind,
        target_name,
        crate_types,
        src_path,
        edition,
        platform,
        mode,
        features,
        deps,
    })
}

fn descriptor(u: &RawUnit) -> String {
    format!(
        "{} | {}:{} | {} | {} | [{}] | profile {}",
        u.pkg,
        u.target_kind.join(","),
        u.target_name,
        u.platform.as_deref().unwrap_or("host"),
        u.mode,
        u.features.join(","),
        profile_text(&u.profile)
    )
}

/// A profile in one line, cargo's field order where known.
fn profile_text(p: &BTreeMap<String, String>) -> String {
    const ORDER: &[&str] = &[
        "name",
        "opt_level",
        "lto",
        "codegen_backend",
        "codegen_units",
        "debuginfo",
        "split_debuginfo",
        "debug_assertions",
        "overflow_checks",
        "rpath",
        "incremental",
        "panic",
        "strip",
    ];
    let known = ORDER
        .iter()
        .filter_map(|k| p.get(*k).map(|v| format!("{k}={v}")));
    let rest = p
        .iter()
        .filter(|(k, _)| !ORDER.contains(&k.as_str()))
        .map(|(k, v)| format!("{k}={v}"));
    format!("{{{}}}", known.chain(rest).collect::<Vec<_>>().join(" "))
}

fn key_of(
    i: usize,
    raw: &[RawUnit],
    live: &[bool],
    keys: &mut Vec<Option<String>>,
    state: &mut Vec<u8>,
) -> Result<String, String> {
    match state[i] {
        2 => return Ok(keys[i].clone().unwrap()),
        1 => {
            return Err(format!(
                "dependency cycle through unit {i} ({})",
                descriptor(&raw[i])
            ))
        }
        _ => {}
    }
    state[i] = 1;
    let mut edges = Vec::new();
    for (d, name) in &raw[i].deps {
        if live[*d] {
            edges.push((name.clone(), key_of(*d, raw, live, keys, state)?));
        }
    }
    edges.sort();
    edges.dedup();
    let mut h = Fnv::new();
    for (name, key) in &edges {
        h.write(name.as_bytes());
        h.write(&[0]);
        h.write(key.as_bytes());
        h.write(&[1]);
    }
    let key = format!("{} | deps#{:016x}", descriptor(&raw[i]), h.0);
    keys[i] = Some(key.clone());
    state[i] = 2;
    Ok(key)
}

/// FNV-1a, 64 bit: stable across runs and Rust versions.
struct Fnv(u64);
impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// Parses cargo's package id spellings into (name, version, source kind).
///
/// - `registry+https://github.com/rust-lang/crates.io-index#serde@1.0.0`
/// - `path+file:///work/foo#0.1.0` (name = last path segment)
/// - `git+file:///repo?branch=main#git-core@0.4.0`
/// - `serde 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)`
pub fn parse_pkg_id(id: &str) -> Result<PkgKey, String> {
    let bad = || format!("cannot parse pkg_id `{id}`");
    if let Some((head, rest)) = id.split_once(" (") {
        // Old spelling: "name version (source)".
        let (name, version) = head.split_once(' ').ok_or_else(bad)?;
        let source = rest.strip_suffix(')').ok_or_else(bad)?;
        let (kind, url) = source.split_once('+').ok_or_else(bad)?;
        return Ok(PkgKey {
            name: name.into(),
            version: version.into(),
            source: source_kind(kind, url)?,
        });
    }
    let (kind, rest) = id.split_once('+').ok_or_else(bad)?;
    let (url, frag) = rest.split_once('#').ok_or_else(bad)?;
    let (name, version) = match frag.split_once('@') {
        Some((n, v)) => (n.to_owned(), v.to_owned()),
        None if frag.contains(':') => {
            let (n, v) = frag.split_once(':').unwrap();
            (n.to_owned(), v.to_owned())
        }
        None => {
            let path = url.split('?').next().unwrap().trim_end_matches('/');
            let last = path.rsplit('/').next().ok_or_else(bad)?;
            (last.trim_end_matches(".git").to_owned(), frag.to_owned())
        }
    };
    if name.is_empty() || version.is_empty() {
        return Err(bad());
    }
    Ok(PkgKey {
        name,
        version,
        source: source_kind(kind, url)?,
    })
}

fn source_kind(kind: &str, url: &str) -> Result<String, String> {
    Ok(match kind {
        "registry" | "sparse" => "registry".to_owned(),
        "path" => "path".to_owned(),
        "git" => format!("git {}", url.split('#').next().unwrap()),
        other => return Err(format!("unknown source kind `{other}` in `{kind}+{url}`")),
    })
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Some(x) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(x);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `src_path` relative to the package root (see the module docs).
pub fn relative_src_path(pkg: &PkgKey, pkg_id: &str, src_path: &str) -> String {
    let src = src_path.replace('\\', "/");
    if pkg.source == "path" {
        // The root is the path in the pkg_id's file:// URL.
        let url = pkg_id.split_once(" (").map_or(pkg_id, |(_, r)| r);
        if let Some(p) = url.split_once("file://").map(|(_, p)| p) {
            let root = percent_decode(p.split(['#', ')', '?']).next().unwrap());
            let root = root.trim_end_matches('/');
            if let Some(rel) = src.strip_prefix(root).and_then(|r| r.strip_prefix('/')) {
                return rel.to_owned();
            }
        }
    }
    if pkg.source == "registry" {
        let dir = format!("/{}-{}/", pkg.name, pkg.version);
        if let Some(pos) = src.rfind(&dir) {
            return src[pos + dir.len()..].to_owned();
        }
    }
    if pkg.source.starts_with("git ") {
        // Relative to the repository root.
        let parts: Vec<&str> = src.split('/').collect();
        if let Some(i) = parts.windows(2).position(|w| w == ["git", "checkouts"]) {
            if parts.len() > i + 4 {
                return parts[i + 4..].join("/");
            }
        }
        if src.starts_with('<') {
            if let Some((_, rest)) = src.split_once(">/") {
                return rest.to_owned();
            }
        }
    }
    // Anything else: the nearest ancestor on disk with a Cargo.toml.
    let mut dir = Path::new(&src).parent();
    while let Some(d) = dir {
        if d.join("Cargo.toml").is_file() {
            if let Ok(rel) = Path::new(&src).strip_prefix(d) {
                return rel.to_string_lossy().replace('\\', "/");
            }
        }
        dir = d.parent();
    }
    src
}

// ---------------------------------------------------------------------------
// Comparison

/// Compares two normalised graphs. `Ok(())` when they agree on every unit,
/// edge and root; otherwise a readable report of every difference.
pub fn compare(cargo: &Graph, crateplan: &Graph) -> Result<(), String> {
    compare_named(cargo, crateplan, "cargo", "crateplan")
}

pub fn compare_named(a: &Graph, b: &Graph, an: &str, bn: &str) -> Result<(), String> {
    if a == b {
        return Ok(());
    }
    let mut out = String::new();
    let (ka, kb) = (by_key(a), by_key(b));

    // 1. Same identity (key), different attributes.
    let mut attr_diffs = Vec::new();
    for (k, ua) in &ka {
        if let Some(ub) = kb.get(k) {
            if ua.len() != ub.len() {
                attr_diffs.push(format!(
                    "  {}\n    appears {} times in {an}, {} times in {bn}\n",
                    ua[0].descriptor,
                    ua.len(),
                    ub.len()
                ));
            }
            let fields = attribute_diff(ua[0], ub[0], an, bn);
            if !fields.is_empty() {
                attr_diffs.push(format!("  {}\n{fields}", ua[0].descriptor));
            }
        }
    }

    // 2. Units whose key is on one side only, grouped by descriptor.
    let (oa, ob) = (only(&ka, &kb), only(&kb, &ka));
    let group = |v: &[&Unit]| {
        let mut m: BTreeMap<String, Vec<Unit>> = BTreeMap::new();
        for u in v {
            m.entry(u.descriptor.clone())
                .or_default()
                .push((*u).clone());
        }
        m
    };
    let (mut ga, mut gb) = (group(&oa), group(&ob));

    // 2a. Same descriptor on both sides: the dependency edges differ. Pair
    // them up now, report them after the near matches are known.
    let mut pairs: Vec<(Unit, Unit)> = Vec::new();
    let shared: Vec<String> = ga.keys().filter(|d| gb.contains_key(*d)).cloned().collect();
    for d in shared {
        let mut ua = ga.remove(&d).unwrap();
        let mut ub = gb.remove(&d).unwrap();
        while !ua.is_empty() && !ub.is_empty() {
            // Pair the two units with the smallest edge difference.
            let mut best = (usize::MAX, 0, 0);
            for (i, x) in ua.iter().enumerate() {
                for (j, y) in ub.iter().enumerate() {
                    let n = x
                        .dep_descriptors
                        .symmetric_difference(&y.dep_descriptors)
                        .count();
                    if n < best.0 {
                        best = (n, i, j);
                    }
                }
            }
            let x = ua.remove(best.1);
            let y = ub.remove(best.2);
            pairs.push((x, y));
        }
        if !ua.is_empty() {
            ga.insert(d.clone(), ua);
        }
        if !ub.is_empty() {
            gb.insert(d.clone(), ub);
        }
    }

    // 2b. Descriptor on one side only: look for a near match (same package
    // name, target kind and name, mode) and name the fields that differ.
    let flat =
        |g: &BTreeMap<String, Vec<Unit>>| g.values().flatten().cloned().collect::<Vec<Unit>>();
    let (ra0, rb0) = (flat(&ga), flat(&gb));
    // Pair globally, best (smallest difference) pairs first.
    let mut cands: Vec<(usize, usize, usize)> = Vec::new();
    for (i, x) in ra0.iter().enumerate() {
        for (j, y) in rb0.iter().enumerate() {
            if y.pkg.name == x.pkg.name
                && y.target_kind == x.target_kind
                && y.target_name == x.target_name
                && y.mode == x.mode
            {
                cands.push((near_score(x, y), i, j));
            }
        }
    }
    cands.sort();
    let (mut used_a, mut used_b) = (vec![false; ra0.len()], vec![false; rb0.len()]);
    let mut near_units: Vec<(Unit, Unit)> = Vec::new();
    let mut near_pairs: BTreeSet<(String, String)> = BTreeSet::new();
    for (_, i, j) in cands {
        if !used_a[i] && !used_b[j] {
            used_a[i] = true;
            used_b[j] = true;
            near_pairs.insert((ra0[i].descriptor.clone(), rb0[j].descriptor.clone()));
            near_units.push((ra0[i].clone(), rb0[j].clone()));
        }
    }
    near_units.sort_by(|p, q| p.0.descriptor.cmp(&q.0.descriptor));
    let ra: Vec<Unit> = ra0
        .iter()
        .zip(&used_a)
        .filter(|(_, u)| !**u)
        .map(|(x, _)| x.clone())
        .collect();
    let rb: Vec<Unit> = rb0
        .iter()
        .zip(&used_b)
        .filter(|(_, u)| !**u)
        .map(|(x, _)| x.clone())
        .collect();

    // Edge differences of the pairs from 2a. An edge that differs only
    // because its target is a near match listed above (same extern name) is
    // a consequence, not a cause: a unit with only such differences is just
    // counted.
    let near: Vec<String> = near_units
        .iter()
        .map(|(x, y)| {
            format!(
                "  {an}:  {}\n  {bn}: {}\n{}{}",
                x.descriptor,
                y.descriptor,
                near_diff(x, y, an, bn),
                edge_diff(x, y, &near_pairs, an, bn)
            )
        })
        .collect();
    let mut edge_diffs = Vec::new();
    let mut deeper_only = 0;
    for (x, y) in &pairs {
        let s = edge_diff(x, y, &near_pairs, an, bn) + &attribute_diff(x, y, an, bn);
        if s.is_empty() {
            deeper_only += 1;
        } else {
            edge_diffs.push(format!("  {}\n{s}", x.descriptor));
        }
    }

    // 3. Roots.
    let root_set = |g: &Graph| {
        g.roots
            .iter()
            .map(|k| strip_hash(k))
            .collect::<BTreeSet<_>>()
    };
    let (rsa, rsb) = (root_set(a), root_set(b));
    let roots_a: Vec<_> = rsa.difference(&rsb).collect();
    let roots_b: Vec<_> = rsb.difference(&rsa).collect();

    let _ = writeln!(
        out,
        "unit graphs differ ({an}: {} units, {bn}: {} units)",
        a.units.len(),
        b.units.len()
    );
    let mut section = |title: String, items: Vec<String>| {
        if !items.is_empty() {
            let _ = writeln!(out, "{title} ({}):", items.len());
            for it in items {
                out.push_str(&it);
                if !it.ends_with('\n') {
                    out.push('\n');
                }
            }
        }
    };
    section(
        format!("units only in {an}"),
        ra.iter()
            .map(|u| format!("  {}\n{}", u.descriptor, edges_text(u)))
            .collect(),
    );
    section(
        format!("units only in {bn}"),
        rb.iter()
            .map(|u| format!("  {}\n{}", u.descriptor, edges_text(u)))
            .collect(),
    );
    section(
        "near matches (same package, target and mode; fields differ)".into(),
        near,
    );
    section("same unit, different dependency edges".into(), edge_diffs);
    section(
        "same unit and edges, different target fields".into(),
        attr_diffs,
    );
    section(
        format!("roots only in {an}"),
        roots_a.iter().map(|r| format!("  {r}")).collect(),
    );
    section(
        format!("roots only in {bn}"),
        roots_b.iter().map(|r| format!("  {r}")).collect(),
    );
    if deeper_only > 0 {
        let _ = writeln!(
            out,
            "({deeper_only} more units agree at their own level and differ only through the units listed above)"
        );
    }
    if !a.roots.iter().eq(b.roots.iter()) && roots_a.is_empty() && roots_b.is_empty() {
        let _ = writeln!(
            out,
            "(roots have the same descriptors but depend on different units, see above)"
        );
    }
    Err(out)
}

fn by_key(g: &Graph) -> BTreeMap<&str, Vec<&Unit>> {
    let mut m: BTreeMap<&str, Vec<&Unit>> = BTreeMap::new();
    for u in &g.units {
        m.entry(u.key.as_str()).or_default().push(u);
    }
    m
}

fn only<'a>(ka: &BTreeMap<&str, Vec<&'a Unit>>, kb: &BTreeMap<&str, Vec<&Unit>>) -> Vec<&'a Unit> {
    let mut v: Vec<&Unit> = Vec::new();
    for (k, us) in ka {
        if !kb.contains_key(k) {
            v.extend(us.iter().copied());
        }
    }
    v
}

fn strip_hash(key: &str) -> String {
    key.rsplit_once(" | deps#")
        .map_or(key, |(d, _)| d)
        .to_owned()
}

fn edges_text(u: &Unit) -> String {
    let mut s = String::new();
    for (name, d) in &u.dep_descriptors {
        let _ = writeln!(s, "    -> {name}: {d}");
    }
    s
}

fn attribute_diff(x: &Unit, y: &Unit, an: &str, bn: &str) -> String {
    let mut s = String::new();
    let mut field = |name: &str, a: String, b: String| {
        if a != b {
            let _ = writeln!(s, "    {name}: {an} {a}, {bn} {b}");
        }
    };
    field(
        "crate_types",
        format!("{:?}", x.crate_types),
        format!("{:?}", y.crate_types),
    );
    field(
        "src_path",
        format!("{:?}", x.src_path),
        format!("{:?}", y.src_path),
    );
    field(
        "edition",
        format!("{:?}", x.edition),
        format!("{:?}", y.edition),
    );
    s
}

fn profile_fields_differing<'a>(x: &'a Unit, y: &'a Unit) -> Vec<&'a str> {
    x.profile
        .keys()
        .chain(y.profile.keys())
        .filter(|k| x.profile.get(*k) != y.profile.get(*k))
        .map(String::as_str)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

fn near_score(x: &Unit, y: &Unit) -> usize {
    let mut n = profile_fields_differing(x, y).len();
    n += usize::from(x.pkg != y.pkg) * 4;
    n += usize::from(x.platform != y.platform) * 2;
    let fa: BTreeSet<_> = x.features.iter().collect();
    let fb: BTreeSet<_> = y.features.iter().collect();
    n += fa.symmetric_difference(&fb).count();
    n += x
        .dep_descriptors
        .symmetric_difference(&y.dep_descriptors)
        .count();
    n
}

fn near_diff(x: &Unit, y: &Unit, an: &str, bn: &str) -> String {
    let mut s = String::new();
    if x.pkg.version != y.pkg.version {
        let _ = writeln!(
            s,
            "    version: {an} {}, {bn} {}",
            x.pkg.version, y.pkg.version
        );
    }
    if x.pkg.source != y.pkg.source {
        let _ = writeln!(
            s,
            "    source: {an} {}, {bn} {}",
            x.pkg.source, y.pkg.source
        );
    }
    for k in profile_fields_differing(x, y) {
        let v = |u: &Unit| {
            u.profile
                .get(k)
                .cloned()
                .unwrap_or_else(|| "(absent)".into())
        };
        let _ = writeln!(s, "    profile.{k}: {an} {}, {bn} {}", v(x), v(y));
    }
    if x.platform != y.platform {
        let p = |p: &Option<String>| p.clone().unwrap_or_else(|| "host (null)".into());
        let _ = writeln!(
            s,
            "    platform: {an} {}, {bn} {}",
            p(&x.platform),
            p(&y.platform)
        );
    }
    let fa: BTreeSet<_> = x.features.iter().cloned().collect();
    let fb: BTreeSet<_> = y.features.iter().cloned().collect();
    let only_a: Vec<_> = fa.difference(&fb).cloned().collect();
    let only_b: Vec<_> = fb.difference(&fa).cloned().collect();
    if !only_a.is_empty() {
        let _ = writeln!(s, "    features only in {an}: {}", only_a.join(", "));
    }
    if !only_b.is_empty() {
        let _ = writeln!(s, "    features only in {bn}: {}", only_b.join(", "));
    }
    s.push_str(&attribute_diff(x, y, an, bn));
    s
}

/// The edges of two paired units that differ. An edge that differs only
/// because its target is itself a reported near match (same extern name) is
/// a consequence, not a cause, and is left out.
fn edge_diff(
    x: &Unit,
    y: &Unit,
    near_pairs: &BTreeSet<(String, String)>,
    an: &str,
    bn: &str,
) -> String {
    let ea: Vec<_> = x.dep_descriptors.difference(&y.dep_descriptors).collect();
    let eb: Vec<_> = y.dep_descriptors.difference(&x.dep_descriptors).collect();
    let mut s = String::new();
    for e in &ea {
        if !eb
            .iter()
            .any(|o| o.0 == e.0 && near_pairs.contains(&(e.1.clone(), o.1.clone())))
        {
            let _ = writeln!(s, "    edge only in {an}: {} -> {}", e.0, e.1);
        }
    }
    for e in &eb {
        if !ea
            .iter()
            .any(|o| o.0 == e.0 && near_pairs.contains(&(o.1.clone(), e.1.clone())))
        {
            let _ = writeln!(s, "    edge only in {bn}: {} -> {}", e.0, e.1);
        }
    }
    s
}

/// A short summary, for logs: units per mode and platform.
pub fn summary(g: &Graph) -> String {
    let mut m: HashMap<(String, String), usize> = HashMap::new();
    for u in &g.units {
        *m.entry((
            u.mode.clone(),
            u.platform.clone().unwrap_or_else(|| "host".into()),
        ))
        .or_default() += 1;
    }
    let mut v: Vec<_> = m.into_iter().collect();
    v.sort();
    let parts: Vec<String> = v
        .into_iter()
        .map(|((m, p), n)| format!("{n} {m}/{p}"))
        .collect();
    format!(
        "{} units ({}), {} roots",
        g.units.len(),
        parts.join(", "),
        g.roots.len()
    )
}

// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A graph shaped like cargo's output for a package `app` with a build
    /// script, a proc-macro dependency and a registry library, plus a
    /// doctest unit.
    fn sample() -> Value {
        json!({
          "version": 1,
          "units": [
            {"pkg_id": "path+file:///ws/app#0.1.0",
             "target": {"kind": ["lib"], "crate_types": ["lib"], "name": "app", "src_path": "/ws/app/src/lib.rs", "edition": "2021", "doc": true, "doctest": true, "test": true},
             "profile": {"name": "dev"}, "platform": "x86_64-unknown-linux-gnu", "mode": "build", "features": ["default", "std"],
             "dependencies": [
               {"index": 1, "extern_crate_name": "build_script_build", "public": false, "noprelude": false},
               {"index": 3, "extern_crate_name": "serde", "public": false, "noprelude": false},
               {"index": 4, "extern_crate_name": "macros", "public": false, "noprelude": false}]},
            {"pkg_id": "path+file:///ws/app#0.1.0",
             "target": {"kind": ["custom-build"], "crate_types": ["bin"], "name": "build-script-build", "src_path": "/ws/app/build.rs", "edition": "2021"},
             "platform": "x86_64-unknown-linux-gnu", "mode": "run-custom-build", "features": ["std", "default"],
             "dependencies": [{"index": 2, "extern_crate_name": "build_script_build"}]},
            {"pkg_id": "path+file:///ws/app#0.1.0",
             "target": {"kind": ["custom-build"], "crate_types": ["bin"], "name": "build-script-build", "src_path": "/ws/app/build.rs", "edition": "2021"},
             "platform": null, "mode": "build", "features": ["default", "std"], "dependencies": []},
            {"pkg_id": "registry+https://github.com/rust-lang/crates.io-index#serde@1.0.200",
             "target": {"kind": ["lib"], "crate_types": ["lib"], "name": "serde", "src_path": "/home/u/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/serde-1.0.200/src/lib.rs", "edition": "2018"},
             "platform": "x86_64-unknown-linux-gnu", "mode": "build", "features": ["std"], "dependencies": []},
            {"pkg_id": "path+file:///ws/app/macros#app-macros@0.1.0",
             "target": {"kind": ["proc-macro"], "crate_types": ["proc-macro"], "name": "app_macros", "src_path": "/ws/app/macros/src/lib.rs", "edition": "2021"},
             "platform": null, "mode": "build", "features": [], "dependencies": []},
            {"pkg_id": "path+file:///ws/app#0.1.0",
             "target": {"kind": ["lib"], "crate_types": ["lib"], "name": "app", "src_path": "/ws/app/src/lib.rs", "edition": "2021"},
             "platform": "x86_64-unknown-linux-gnu", "mode": "doctest", "features": ["default", "std"],
             "dependencies": [{"index": 0, "extern_crate_name": "app"}, {"index": 6, "extern_crate_name": "only_for_doctest"}]},
            {"pkg_id": "registry+https://github.com/rust-lang/crates.io-index#itoa@1.0.0",
             "target": {"kind": ["lib"], "crate_types": ["lib"], "name": "itoa", "src_path": "/x/itoa-1.0.0/src/lib.rs", "edition": "2018"},
             "platform": "x86_64-unknown-linux-gnu", "mode": "build", "features": [], "dependencies": []}
          ],
          "roots": [0, 5]
        })
    }

    fn graph(v: &Value) -> Graph {
        normalize(&v.to_string()).unwrap()
    }

    /// The same graph with the units in another order and cargo's other
    /// spellings of pkg_id and paths.
    fn shuffled_respelled(v: &Value) -> Value {
        let mut v = v.clone();
        let units = v["units"].as_array().unwrap().clone();
        let order = [6usize, 4, 3, 2, 1, 0, 5];
        let pos = |old: usize| order.iter().position(|&o| o == old).unwrap();
        let mut new_units = Vec::new();
        for &old in &order {
            let mut u = units[old].clone();
            for d in u["dependencies"].as_array_mut().unwrap() {
                let i = d["index"].as_u64().unwrap() as usize;
                d["index"] = json!(pos(i));
            }
            let id = u["pkg_id"].as_str().unwrap().to_owned();
            let id = id
                .replace(
                    "registry+https://github.com/rust-lang/crates.io-index#serde@1.0.200",
                    "serde 1.0.200 (sparse+https://index.crates.io/)",
                )
                .replace(
                    "path+file:///ws/app#0.1.0",
                    "path+file:///elsewhere/app#app@0.1.0",
                );
            u["pkg_id"] = json!(id);
            let p = u["target"]["src_path"]
                .as_str()
                .unwrap()
                .replace("/ws/app/src", "/elsewhere/app/src")
                .replace("/ws/app/build.rs", "/elsewhere/app/build.rs")
                .replace(
                    "/home/u/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f",
                    "/nix/store/abc-crates",
                );
            u["target"]["src_path"] = json!(p);
            new_units.push(u);
        }
        v["units"] = json!(new_units);
        v["roots"] = json!([pos(5), pos(0)]);
        v
    }

    #[test]
    fn pkg_id_spellings() {
        let k = parse_pkg_id("registry+https://github.com/rust-lang/crates.io-index#serde@1.0.219")
            .unwrap();
        assert_eq!(
            (k.name.as_str(), k.version.as_str(), k.source.as_str()),
            ("serde", "1.0.219", "registry")
        );
        let k = parse_pkg_id("path+file:///tmp/ug/demo#0.1.0").unwrap();
        assert_eq!(
            (k.name.as_str(), k.version.as_str(), k.source.as_str()),
            ("demo", "0.1.0", "path")
        );
        let k = parse_pkg_id("git+file:///tmp/g/gitws?branch=main#git-core@0.4.0").unwrap();
        assert_eq!(
            (k.name.as_str(), k.source.as_str()),
            ("git-core", "git file:///tmp/g/gitws?branch=main")
        );
        let k = parse_pkg_id("toml 1.2.2+spec-1.1.0 (sparse+https://index.crates.io/)").unwrap();
        assert_eq!(
            (k.name.as_str(), k.version.as_str(), k.source.as_str()),
            ("toml", "1.2.2+spec-1.1.0", "registry")
        );
        assert!(parse_pkg_id("nonsense").is_err());
        assert!(parse_pkg_id("svn+file:///x#a@1").is_err());
    }

    #[test]
    fn src_paths_become_relative() {
        let g = graph(&sample());
        let paths: BTreeSet<_> = g.units.iter().map(|u| u.src_path.as_str()).collect();
        assert_eq!(paths, ["build.rs", "src/lib.rs"].into_iter().collect());
    }

    #[test]
    fn git_src_paths_are_relative_to_the_repository() {
        let k = parse_pkg_id("git+file:///tmp/g/gitws?branch=main#git-core@0.4.0").unwrap();
        let id = "git+file:///tmp/g/gitws?branch=main#git-core@0.4.0";
        let cargo = relative_src_path(
            &k,
            id,
            "/root/.cargo/git/checkouts/gitws-8576c319c8ec1475/91a5f9e/crates/git-core/build.rs",
        );
        assert_eq!(cargo, "crates/git-core/build.rs");
        assert_eq!(
            relative_src_path(&k, id, "<git>/crates/git-core/build.rs"),
            cargo
        );
    }

    #[test]
    fn units_differing_only_in_profile_stay_apart() {
        let mut v = sample();
        let mut twin = v["units"][4].clone();
        twin["profile"] = json!({"name": "dev", "split_debuginfo": "unpacked"});
        v["units"].as_array_mut().unwrap().push(twin.clone());
        v["roots"].as_array_mut().unwrap().push(json!(7));
        let g = graph(&v);
        assert_eq!(
            g.units
                .iter()
                .filter(|u| u.pkg.name == "app-macros")
                .count(),
            2
        );
        // app's lib, its doctest, and the twin proc-macro.
        assert_eq!(g.roots.len(), 3);
        // An identical twin is merged.
        let mut v = sample();
        let same = v["units"][4].clone();
        v["units"].as_array_mut().unwrap().push(same);
        v["roots"].as_array_mut().unwrap().push(json!(7));
        let g = graph(&v);
        assert_eq!((g.len(), g.roots.len()), (7, 3));
    }

    #[test]
    fn profile_difference_is_reported_field_by_field() {
        let mut a = sample();
        a["units"][3]["profile"] =
            json!({"name": "dev", "opt_level": "0", "strip": {"deferred": "None"}});
        let mut b = a.clone();
        b["units"][3]["profile"]["opt_level"] = json!("3");
        let err = compare(&graph(&a), &graph(&b)).unwrap_err();
        assert!(
            err.contains("profile.opt_level: cargo \"0\", crateplan \"3\""),
            "{err}"
        );
        assert!(!err.contains("profile.strip"), "{err}");
    }

    #[test]
    fn doctests_are_kept_with_what_they_reach() {
        let g = graph(&sample());
        assert_eq!(g.len(), 7, "{g:#?}");
        assert!(g.units.iter().any(|u| u.mode == "doctest"));
        assert!(g.units.iter().any(|u| u.pkg.name == "itoa"));
        assert_eq!(g.roots.len(), 2);
    }

    #[test]
    fn unreachable_units_are_dropped() {
        let mut v = sample();
        v["roots"] = json!([0]);
        let g = graph(&v);
        assert_eq!(g.len(), 5, "{g:#?}");
        assert!(g
            .units
            .iter()
            .all(|u| u.mode != "doctest" && u.pkg.name != "itoa"));
    }

    #[test]
    fn missing_doctest_unit_is_reported() {
        let a = graph(&sample());
        let mut v = sample();
        v["roots"] = json!([0]);
        let err = compare(&a, &graph(&v)).unwrap_err();
        assert!(err.contains("doctest"), "{err}");
        assert!(err.contains("roots only in cargo"), "{err}");
    }

    #[test]
    fn graph_equals_itself_reordered_and_respelled() {
        let a = graph(&sample());
        let b = graph(&shuffled_respelled(&sample()));
        compare(&a, &b).unwrap();
    }

    #[test]
    fn changed_feature_is_reported() {
        let a = graph(&sample());
        let mut v = sample();
        v["units"][3]["features"] = json!(["std", "derive"]);
        let err = compare(&a, &graph(&v)).unwrap_err();
        assert!(err.contains("features only in crateplan: derive"), "{err}");
        assert!(err.contains("serde@1.0.200"), "{err}");
    }

    #[test]
    fn dropped_edge_is_reported() {
        let a = graph(&sample());
        let mut v = sample();
        v["units"][0]["dependencies"]
            .as_array_mut()
            .unwrap()
            .remove(2);
        let err = compare(&a, &graph(&v)).unwrap_err();
        assert!(err.contains("edge only in cargo: macros -> app-macros@0.1.0 (path) | proc-macro:app_macros | host"), "{err}");
        // The proc-macro is now unreachable, so it is gone from crateplan's side.
        assert!(err.contains("units only in cargo (1)"), "{err}");
    }

    #[test]
    fn renamed_edge_is_reported() {
        let a = graph(&sample());
        let mut v = sample();
        v["units"][0]["dependencies"][1]["extern_crate_name"] = json!("serde_renamed");
        let err = compare(&a, &graph(&v)).unwrap_err();
        assert!(err.contains("edge only in cargo: serde ->"), "{err}");
        assert!(
            err.contains("edge only in crateplan: serde_renamed ->"),
            "{err}"
        );
    }

    #[test]
    fn platform_and_version_are_reported() {
        let a = graph(&sample());
        let mut v = sample();
        v["units"][4]["platform"] = json!("x86_64-unknown-linux-gnu");
        v["units"][3]["pkg_id"] =
            json!("registry+https://github.com/rust-lang/crates.io-index#serde@1.0.201");
        v["units"][3]["target"]["src_path"] = json!("/r/serde-1.0.201/src/lib.rs");
        let err = compare(&a, &graph(&v)).unwrap_err();
        assert!(
            err.contains("platform: cargo host (null), crateplan x86_64-unknown-linux-gnu"),
            "{err}"
        );
        assert!(
            err.contains("version: cargo 1.0.200, crateplan 1.0.201"),
            "{err}"
        );
    }

    #[test]
    fn extra_unit_mode_and_root_are_reported() {
        let a = graph(&sample());
        let mut v = sample();
        // A build unit of the lib becomes a test unit: different mode, different root.
        v["units"][0]["mode"] = json!("test");
        let err = compare(&a, &graph(&v)).unwrap_err();
        assert!(err.contains("units only in cargo"), "{err}");
        assert!(err.contains("units only in crateplan"), "{err}");
        assert!(err.contains("roots only in cargo"), "{err}");
    }

    #[test]
    fn src_path_and_crate_types_are_reported() {
        let a = graph(&sample());
        let mut v = sample();
        v["units"][4]["target"]["src_path"] = json!("/ws/app/macros/lib.rs");
        v["units"][3]["target"]["crate_types"] = json!(["rlib"]);
        let err = compare(&a, &graph(&v)).unwrap_err();
        assert!(
            err.contains("src_path: cargo \"src/lib.rs\", crateplan \"lib.rs\""),
            "{err}"
        );
        assert!(
            err.contains("crate_types: cargo [\"lib\"], crateplan [\"rlib\"]"),
            "{err}"
        );
    }

    #[test]
    fn deep_difference_changes_the_keys_above_it() {
        // Units differing only in a dependency's dependency get different keys.
        let a = graph(&sample());
        let mut v = sample();
        v["units"][3]["dependencies"] = json!([{"index": 6, "extern_crate_name": "itoa"}]);
        let b = graph(&v);
        let root_a = a
            .units
            .iter()
            .find(|u| u.pkg.name == "app" && u.mode == "build" && u.target_name == "app")
            .unwrap();
        let root_b = b
            .units
            .iter()
            .find(|u| u.pkg.name == "app" && u.mode == "build" && u.target_name == "app")
            .unwrap();
        assert_eq!(root_a.descriptor, root_b.descriptor);
        assert_ne!(root_a.key, root_b.key);
        let err = compare(&a, &b).unwrap_err();
        assert!(
            err.contains("edge only in crateplan: itoa -> itoa@1.0.0"),
            "{err}"
        );
    }

    #[test]
    fn malformed_input_is_an_error() {
        assert!(normalize("not json").is_err());
        assert!(normalize(r#"{"version": 2, "units": [], "roots": []}"#).is_err());
        let mut v = sample();
        v["units"][0]["dependencies"][0]["index"] = json!(99);
        assert!(normalize(&v.to_string()).is_err());
        let mut v = sample();
        v["units"][2]["dependencies"] = json!([{"index": 1, "extern_crate_name": "cycle"}]);
        assert!(normalize(&v.to_string()).unwrap_err().contains("cycle"));
    }
}
