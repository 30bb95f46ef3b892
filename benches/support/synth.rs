//! Synthetic workspaces for the planner benchmark: a deterministic DAG of
//! fake crates.io crates, written both as `.crate` files (what crateplan
//! reads, through the request's `sources`) and as a vendored directory
//! (what cargo reads, through `[source.crates-io] replace-with`), so that
//! cargo itself writes the `Cargo.lock` and gives the baseline unit graph.
//!
//! The shape, per crate `i` (edges only go from lower to higher indices):
//! - about 5 normal dependencies (3 to 7) within a window below it, most
//!   with `default-features = false, features = ["alloc"]` and `d/std`
//!   forwarded from its own `std` feature; some ask for the dependency's
//!   `extra` feature or for one of its optional dependencies;
//! - an optional dependency enabled by `extra = ["dep:opt"]` and forwarded
//!   weakly (`opt?/std`); another optional one with an implicit feature;
//! - every 10th a build script with a build-dependency (a `cc`-like leaf),
//!   some with `links`;
//! - every 25th a proc-macro (on three `syn`-like leaves); every 4th crate
//!   uses one;
//! - every 7th a `cfg(unix)` dependency (a `libc`-like leaf), every 6th a
//!   `cfg(windows)` dependency into a cluster of Windows-only crates that a
//!   Linux plan never loads;
//! - every 16th also exists as an older `0.9.0`, and about half of its
//!   dependents use that one (two versions of one crate in the lock);
//! - a few renamed dependencies (`package = ...`) and dev-dependencies;
//! - the bottom 12% are leaves.
//!
//! The workspace is virtual (`members = ["crates/*"]`, resolver 2) with one
//! member per 100 crates; `member-0` has a bin and depends on the others.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Bumped whenever the generator's output changes, so cached copies are remade.
const GENERATOR_VERSION: u32 = 1;

const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Regular,
    Leaf,
    ProcMacro,
    Windows,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Section {
    Normal,
    Build,
    Dev,
    Unix,
    Windows,
}

#[derive(Clone, Debug)]
struct Dep {
    to: usize,
    /// Depend on the `0.9.0` release instead of `1.x`.
    old: bool,
    section: Section,
    optional: bool,
    /// Optional deps only: enabled through `extra = ["dep:..."]` (else implicit feature).
    via_dep_syntax: bool,
    default_features: bool,
    renamed: bool,
    /// Features asked of the dependency (filled in the second pass).
    features: Vec<String>,
}

struct Krate {
    kind: Kind,
    has_old: bool,
    build_script: bool,
    links: bool,
    deps: Vec<Dep>,
}

/// splitmix64: small, deterministic, good enough to shape a graph.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn name(kind: Kind, i: usize) -> String {
    match kind {
        Kind::Regular | Kind::Leaf => format!("synth-{i:04}"),
        Kind::ProcMacro => format!("synth-{i:04}-derive"),
        Kind::Windows => format!("synth-win-{i:04}"),
    }
}

fn version(i: usize, old: bool) -> String {
    if old {
        "0.9.0".to_string()
    } else {
        format!("1.{}.{}", i % 7, i % 3)
    }
}

/// The crate graph for `n` registry crates and `members` workspace members.
struct Model {
    crates: Vec<Krate>,
    members: Vec<Vec<Dep>>,
}

fn model(n: usize, seed: u64) -> Model {
    assert!(n >= 40, "synthetic workspaces need at least 40 crates");
    let mut rng = Rng(seed ^ (n as u64).wrapping_mul(0x1000_0001));
    let leaf_from = n * 88 / 100;
    let kinds: Vec<Kind> = (0..n)
        .map(|i| {
            if i % 20 == 19 {
                Kind::Windows
            } else if i >= leaf_from {
                Kind::Leaf
            } else if i % 25 == 12 && i > n * 15 / 100 {
                Kind::ProcMacro
            } else {
                Kind::Regular
            }
        })
        .collect();
    let leaves: Vec<usize> = (0..n).filter(|&i| kinds[i] == Kind::Leaf).collect();
    let cc_like = [leaves[0], leaves[1]];
    let syn_like = [leaves[2], leaves[3], leaves[4]];
    let libc_like = *leaves.last().unwrap();
    let usable = |k: Kind| matches!(k, Kind::Regular | Kind::Leaf);

    let mut crates: Vec<Krate> = (0..n)
        .map(|i| {
            let has_old = usable(kinds[i]) && i % 16 == 5;
            let build_script = kinds[i] == Kind::Regular && i % 10 == 3;
            Krate {
                kind: kinds[i],
                has_old,
                build_script,
                links: build_script && i % 30 == 3 && !has_old,
                deps: Vec::new(),
            }
        })
        .collect();
    let plain = |to: usize, section: Section| Dep {
        to,
        old: false,
        section,
        optional: false,
        via_dep_syntax: false,
        default_features: true,
        renamed: false,
        features: Vec::new(),
    };

    let window = (n / 6).max(12);
    for i in 0..n {
        let mut deps: Vec<Dep> = Vec::new();
        match kinds[i] {
            Kind::Leaf => {}
            Kind::ProcMacro => {
                for &s in &syn_like {
                    deps.push(plain(s, Section::Normal));
                }
            }
            Kind::Windows => {
                // A couple of edges inside the Windows-only cluster.
                let later: Vec<usize> = (i + 1..n).filter(|&j| kinds[j] == Kind::Windows).collect();
                for j in later.iter().take(2) {
                    deps.push(plain(*j, Section::Normal));
                }
            }
            Kind::Regular => {
                let k = 3 + rng.below(5);
                let span = window.min(n - i - 1);
                let mut picked: Vec<usize> = Vec::new();
                let mut tries = 0;
                while picked.len() < k && tries < 8 * k {
                    tries += 1;
                    let j = i + 1 + rng.below(span);
                    if usable(kinds[j]) && !picked.contains(&j) {
                        picked.push(j);
                    }
                }
                for (m, &j) in picked.iter().enumerate() {
                    let mut d = plain(j, Section::Normal);
                    if m == 0 && picked.len() >= 4 {
                        d.optional = true;
                        d.via_dep_syntax = true;
                    } else if m == 1 && picked.len() >= 5 {
                        d.optional = true;
                    } else {
                        d.default_features = rng.chance(40);
                        d.old = crates[j].has_old && rng.chance(50);
                        d.renamed = rng.chance(3);
                    }
                    deps.push(d);
                }
                if i % 4 == 0 {
                    let pm = (i + 1..n.min(i + 1 + window)).find(|&j| kinds[j] == Kind::ProcMacro);
                    if let Some(j) = pm {
                        deps.push(plain(j, Section::Normal));
                    }
                }
                if crates[i].build_script {
                    deps.push(plain(cc_like[i % 2], Section::Build));
                }
                if i % 7 == 0 {
                    deps.push(plain(libc_like, Section::Unix));
                }
                if i % 6 == 0 {
                    let start = i + 1 + rng.below(window);
                    if let Some(j) = (start..n).find(|&j| kinds[j] == Kind::Windows) {
                        deps.push(plain(j, Section::Windows));
                    }
                }
                if rng.chance(30) {
                    let j = i + 1 + rng.below(span);
                    if usable(kinds[j]) {
                        deps.push(plain(j, Section::Dev));
                    }
                }
            }
        }
        crates[i].deps = deps;
    }

    // Every crate gets a non-optional dependent, so the lock holds (nearly) all of them.
    let members = (n / 100).max(2);
    let mut member_deps: Vec<Vec<Dep>> = vec![Vec::new(); members];
    let mut has_parent = vec![false; n];
    for k in &crates {
        for d in &k.deps {
            if !d.optional && d.section != Section::Dev {
                has_parent[d.to] = true;
            }
        }
    }
    for j in 0..n {
        if has_parent[j] {
            continue;
        }
        let parent = (j.saturating_sub(30)..j)
            .rev()
            .find(|&i| kinds[i] == Kind::Regular && !crates[i].deps.iter().any(|d| d.to == j));
        let section = if kinds[j] == Kind::Windows {
            Section::Windows
        } else {
            Section::Normal
        };
        match parent {
            Some(i) if j >= n / 10 => crates[i].deps.push(plain(j, section)),
            _ => member_deps[j % members].push(plain(j, section)),
        }
    }
    for (m, deps) in member_deps.iter_mut().enumerate() {
        for _ in 0..5 {
            let j = rng.below(n / 10);
            if usable(kinds[j]) && !deps.iter().any(|d| d.to == j) {
                let mut d = plain(j, Section::Normal);
                d.old = crates[j].has_old && m % 2 == 1;
                deps.push(d);
            }
        }
        if m == 1 {
            deps.push(plain(cc_like[0], Section::Build));
        }
        let j = n / 10 + rng.below(n / 2);
        if usable(kinds[j]) {
            deps.push(plain(j, Section::Dev));
        }
    }

    // Second pass: which features each edge asks for (needs the target's optional deps).
    let opt_implicit: Vec<Option<String>> = crates
        .iter()
        .map(|k| {
            k.deps
                .iter()
                .find(|d| d.optional && !d.via_dep_syntax)
                .map(|d| dep_key(&crates, d))
        })
        .collect();
    let ask = |d: &mut Dep, rng: &mut Rng| {
        if !usable(kinds[d.to]) || d.section == Section::Windows {
            return;
        }
        if !d.default_features {
            d.features.push("alloc".into());
        }
        if rng.chance(15) {
            d.features.push("extra".into());
        }
        if let Some(f) = &opt_implicit[d.to] {
            if rng.chance(25) {
                d.features.push(f.clone());
            }
        }
    };
    for k in crates.iter_mut() {
        for d in &mut k.deps {
            ask(d, &mut rng);
        }
    }
    for deps in &mut member_deps {
        for d in deps.iter_mut() {
            ask(d, &mut rng);
        }
    }
    Model {
        crates,
        members: member_deps,
    }
}

/// The key a dependent uses for `d` in its manifest.
fn dep_key(crates: &[Krate], d: &Dep) -> String {
    let base = name(crates[d.to].kind, d.to);
    if d.renamed {
        format!("{base}-alias")
    } else if d.old {
        format!("{base}-old")
    } else {
        base
    }
}

fn dep_line(crates: &[Krate], d: &Dep, path: Option<&str>) -> String {
    let key = dep_key(crates, d);
    let pkg = name(crates[d.to].kind, d.to);
    let mut parts: Vec<String> = Vec::new();
    if key != pkg {
        parts.push(format!("package = \"{pkg}\""));
    }
    match path {
        Some(p) => parts.push(format!("path = \"{p}\"")),
        None => parts.push(format!("version = \"{}\"", if d.old { "0.9" } else { "1" })),
    }
    if d.optional {
        parts.push("optional = true".into());
    }
    if !d.default_features {
        parts.push("default-features = false".into());
    }
    if !d.features.is_empty() {
        let f: Vec<String> = d.features.iter().map(|f| format!("\"{f}\"")).collect();
        parts.push(format!("features = [{}]", f.join(", ")));
    }
    format!("{key} = {{ {} }}\n", parts.join(", "))
}

fn deps_sections(crates: &[Krate], deps: &[Dep]) -> String {
    let mut out = String::new();
    for (section, header) in [
        (Section::Normal, "[dependencies]"),
        (Section::Build, "[build-dependencies]"),
        (Section::Dev, "[dev-dependencies]"),
        (Section::Unix, "[target.'cfg(unix)'.dependencies]"),
        (Section::Windows, "[target.'cfg(windows)'.dependencies]"),
    ] {
        let lines: Vec<String> = deps
            .iter()
            .filter(|d| d.section == section)
            .map(|d| dep_line(crates, d, None))
            .collect();
        if !lines.is_empty() {
            let _ = writeln!(out, "\n{header}");
            for l in lines {
                out.push_str(&l);
            }
        }
    }
    out
}

/// The manifest of registry crate `i` (as `version`).
fn manifest(crates: &[Krate], i: usize, version: &str) -> String {
    let k = &crates[i];
    let mut m = format!(
        "[package]\nname = \"{}\"\nversion = \"{version}\"\nedition = \"2021\"\n\
         description = \"synthetic crate for the crateplan benchmark\"\nlicense = \"MIT\"\n",
        name(k.kind, i)
    );
    if k.build_script {
        m.push_str("build = \"build.rs\"\n");
    }
    if k.links {
        let _ = writeln!(m, "links = \"native{i}\"");
    }
    if k.kind == Kind::ProcMacro {
        m.push_str("\n[lib]\nproc-macro = true\n");
    }
    m.push_str(&deps_sections(crates, &k.deps));
    m.push_str("\n[features]\n");
    match k.kind {
        Kind::ProcMacro | Kind::Windows => m.push_str("default = []\n"),
        Kind::Leaf | Kind::Regular => {
            let normal: Vec<&Dep> = k
                .deps
                .iter()
                .filter(|d| {
                    d.section == Section::Normal
                        && matches!(crates[d.to].kind, Kind::Regular | Kind::Leaf)
                })
                .collect();
            let required: Vec<String> = normal
                .iter()
                .filter(|d| !d.optional)
                .map(|d| dep_key(crates, d))
                .collect();
            let dep_opt = normal
                .iter()
                .find(|d| d.optional && d.via_dep_syntax)
                .map(|d| dep_key(crates, d));
            let mut std = vec!["\"alloc\"".to_string()];
            std.extend(required.iter().take(2).map(|d| format!("\"{d}/std\"")));
            if let Some(o) = &dep_opt {
                std.push(format!("\"{o}?/std\""));
            }
            let alloc: Vec<String> = required
                .iter()
                .take(1)
                .map(|d| format!("\"{d}/alloc\""))
                .collect();
            let extra: Vec<String> = dep_opt.iter().map(|o| format!("\"dep:{o}\"")).collect();
            let _ = writeln!(m, "default = [\"std\"]");
            let _ = writeln!(m, "std = [{}]", std.join(", "));
            let _ = writeln!(m, "alloc = [{}]", alloc.join(", "));
            let _ = writeln!(m, "extra = [{}]", extra.join(", "));
        }
    }
    m
}

fn crate_file(name: &str, version: &str, files: &[(String, String)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (rel, text) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        header
            .set_path(format!("{name}-{version}/{rel}"))
            .expect("short synthetic paths");
        header.set_cksum();
        builder.append(&header, text.as_bytes()).unwrap();
    }
    let tar = builder.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).unwrap();
    gz.finish().unwrap()
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// A generated workspace.
pub struct Synthetic {
    pub dir: PathBuf,
    /// Fetch key -> `.crate` path, for the request's `sources`.
    pub sources: BTreeMap<String, String>,
}

/// Writes (or reuses) the synthetic workspace of `n` registry crates under
/// `root/synth-<n>` and has cargo lock it (`cargo generate-lockfile --offline`
/// against the vendored copy).
pub fn generate(root: &Path, n: usize, cargo: &str) -> Result<Synthetic, String> {
    let dir = root.join(format!("synth-{n}"));
    let stamp = dir.join(".generated");
    let stamp_text = format!("generator {GENERATOR_VERSION} n {n}\n");
    let store = dir.join("store");
    let mut sources = BTreeMap::new();
    let model = model(n, 0x5eed);
    let crates = &model.crates;
    let mut releases: Vec<(usize, String)> = Vec::new();
    for (i, k) in crates.iter().enumerate() {
        releases.push((i, version(i, false)));
        if k.has_old {
            releases.push((i, version(i, true)));
        }
    }
    for (i, v) in &releases {
        let nm = name(crates[*i].kind, *i);
        sources.insert(
            format!("{CRATES_IO}#{nm}@{v}"),
            store
                .join(format!("{nm}-{v}.crate"))
                .to_string_lossy()
                .into_owned(),
        );
    }
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(stamp_text.as_str())
        && dir.join("Cargo.lock").is_file()
    {
        return Ok(Synthetic { dir, sources });
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;

    for (i, v) in &releases {
        let k = &crates[*i];
        let nm = name(k.kind, *i);
        let mut files = vec![
            ("Cargo.toml".to_string(), manifest(crates, *i, v)),
            ("src/lib.rs".to_string(), "//! synthetic\n".to_string()),
        ];
        if k.build_script {
            files.push(("build.rs".to_string(), "fn main() {}\n".to_string()));
        }
        let bytes = crate_file(&nm, v, &files);
        let sha = crateplan::tarball::sha256_hex(&bytes);
        write(&store.join(format!("{nm}-{v}.crate")), &bytes);
        let vendored = dir.join("vendor").join(format!("{nm}-{v}"));
        for (rel, text) in &files {
            write(&vendored.join(rel), text);
        }
        write(
            &vendored.join(".cargo-checksum.json"),
            format!("{{\"files\":{{}},\"package\":\"{sha}\"}}"),
        );
    }

    write(
        &dir.join("Cargo.toml"),
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n",
    );
    write(
        &dir.join(".cargo/config.toml"),
        format!(
            "[source.crates-io]\nreplace-with = \"synthetic\"\n\n[source.synthetic]\ndirectory = \"{}\"\n",
            dir.join("vendor").display()
        ),
    );
    let members = model.members.len();
    for (m, deps) in model.members.iter().enumerate() {
        let mdir = dir.join(format!("crates/member-{m}"));
        let mut t = format!(
            "[package]\nname = \"member-{m}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n"
        );
        if m == 0 {
            t.push_str("\n[[bin]]\nname = \"synth-app\"\npath = \"src/main.rs\"\n");
        }
        t.push_str(&deps_sections(crates, deps));
        if m == 0 {
            // The other members, as path dependencies.
            let mut lines = String::new();
            for o in 1..members {
                let _ = writeln!(lines, "member-{o} = {{ path = \"../member-{o}\" }}");
            }
            t = t.replacen("[dependencies]\n", &format!("[dependencies]\n{lines}"), 1);
            if !t.contains("[dependencies]") {
                t.push_str(&format!("\n[dependencies]\n{lines}"));
            }
            write(&mdir.join("src/main.rs"), "fn main() {}\n");
        }
        if m == 1 {
            write(&mdir.join("build.rs"), "fn main() {}\n");
        }
        write(&mdir.join("Cargo.toml"), t);
        write(&mdir.join("src/lib.rs"), "//! member\n");
    }

    let out = std::process::Command::new(cargo)
        .args(["generate-lockfile", "--offline"])
        .current_dir(&dir)
        .output()
        .map_err(|e| format!("cannot run {cargo}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`cargo generate-lockfile --offline` failed for the synthetic workspace {}:\n{}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    write(&stamp, stamp_text);
    Ok(Synthetic { dir, sources })
}

// ------------------------------------------------------------------------
// The evaluation benchmark's workspace (benches/eval.sh): Aura-sized, with
// real crates.io crates and a real Cargo.lock, since crateplan and crate2nix
// both fetch what they plan.

/// Members of the Aura-sized workspace (Aura has 36).
pub const AURA_MEMBERS: usize = 36;

/// The external dependencies every member shares (as most of Aura's do).
const SHARED_DEPS: [&str; 3] = ["serde", "anyhow", "tracing"];

/// Writes a 36-member virtual workspace under `dir` whose external
/// dependencies are those of `base` (a committed benchmark workspace, e.g.
/// benches/workspaces/kitchen-sink, ~1000 crates in its lock), and locks it
/// with `base`'s Cargo.lock as the starting point (`cargo metadata
/// --offline` keeps its versions), so the lock is real and reproducible.
///
/// The shape, per member `i` (`aura-NN`; edges only go from lower to higher
/// numbers, so the path graph is about 12 members deep):
/// - path dependencies on members `i+1` and `i+3`, inherited from
///   `[workspace.dependencies]` as Aura does;
/// - `serde`, `anyhow`, `tracing` and one or two of `base`'s other
///   dependencies (each of them used by some member), with `base`'s
///   features;
/// - members 9, 19 and 29 are proc-macros (syn, quote, proc-macro2); every
///   5th (from 2) has a build script with `cc` as build-dependency; every
///   4th has `cfg(unix)` (`libc`) and `cfg(windows)` (`windows-sys`)
///   dependencies; every 3rd a dev-dependency (`serde_json`);
/// - `aura-00` is the application: a lib and a bin.
///
/// Returns the number of packages in the lock.
pub fn aura_sized(dir: &Path, base: &Path, cargo: &str) -> Result<usize, String> {
    let base_manifest = std::fs::read_to_string(base.join("Cargo.toml"))
        .map_err(|e| format!("{}: {e}", base.display()))?;
    let external = dependency_lines(&base_manifest);
    if external.len() < 10 {
        return Err(format!(
            "{}: expected a [dependencies] table with many entries",
            base.display()
        ));
    }
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;

    let member = |i: usize| format!("aura-{i:02}");
    let mut root = String::from(
        "# Generated by benches/support/synth.rs (aura_sized) for benches/eval.sh.\n\
         [workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n\n\
         [workspace.package]\nversion = \"0.1.0\"\nedition = \"2021\"\nrust-version = \"1.85\"\n\n\
         [workspace.dependencies]\n",
    );
    for i in 0..AURA_MEMBERS {
        let _ = writeln!(
            root,
            "{} = {{ path = \"crates/{}\" }}",
            member(i),
            member(i)
        );
    }
    for (name, spec) in &external {
        let _ = writeln!(root, "{name} = {spec}");
    }
    for (name, spec) in [
        ("cc", "\"1\""),
        ("syn", "{ version = \"2\", features = [\"full\"] }"),
        ("quote", "\"1\""),
        ("proc-macro2", "\"1\""),
        ("libc", "\"0.2\""),
        (
            "windows-sys",
            "{ version = \"0.59\", features = [\"Win32_Foundation\"] }",
        ),
    ] {
        if !external.iter().any(|(n, _)| n == name) {
            let _ = writeln!(root, "{name} = {spec}");
        }
    }
    write(&dir.join("Cargo.toml"), root);

    let others: Vec<&str> = external
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| !SHARED_DEPS.contains(n))
        .collect();
    for i in 0..AURA_MEMBERS {
        let proc_macro = i % 10 == 9;
        let build_script = i % 5 == 2;
        let mut t = format!(
            "[package]\nname = \"{}\"\nversion.workspace = true\nedition.workspace = true\n\
             rust-version.workspace = true\npublish = false\n",
            member(i)
        );
        if proc_macro {
            t.push_str("\n[lib]\nproc-macro = true\n");
        }
        if i == 0 {
            t.push_str("\n[[bin]]\nname = \"aura\"\npath = \"src/main.rs\"\n");
        }
        t.push_str("\n[dependencies]\n");
        for j in [i + 1, i + 3] {
            if j < AURA_MEMBERS {
                let _ = writeln!(t, "{}.workspace = true", member(j));
            }
        }
        if proc_macro {
            t.push_str(
                "syn.workspace = true\nquote.workspace = true\nproc-macro2.workspace = true\n",
            );
        } else {
            for d in SHARED_DEPS {
                let _ = writeln!(t, "{d}.workspace = true");
            }
            // Every external dependency lands in some member.
            let mut mine: Vec<&str> = others
                .iter()
                .enumerate()
                .filter(|(k, _)| k % AURA_MEMBERS == i)
                .map(|(_, n)| *n)
                .collect();
            mine.push(others[(i * 7 + 3) % others.len()]);
            mine.sort();
            mine.dedup();
            for d in mine {
                let _ = writeln!(t, "{d}.workspace = true");
            }
        }
        if i % 4 == 1 {
            t.push_str("\n[target.'cfg(unix)'.dependencies]\nlibc.workspace = true\n");
            t.push_str("\n[target.'cfg(windows)'.dependencies]\nwindows-sys.workspace = true\n");
        }
        if build_script {
            t.push_str("\n[build-dependencies]\ncc.workspace = true\n");
            write(
                &dir.join(format!("crates/{}/build.rs", member(i))),
                "fn main() {}\n",
            );
        }
        if i % 3 == 0 && !proc_macro {
            t.push_str("\n[dev-dependencies]\nserde_json.workspace = true\n");
        }
        let mdir = dir.join(format!("crates/{}", member(i)));
        write(&mdir.join("Cargo.toml"), t);
        write(&mdir.join("src/lib.rs"), "//! generated member\n");
        if i == 0 {
            write(&mdir.join("src/main.rs"), "fn main() {}\n");
        }
    }

    std::fs::copy(base.join("Cargo.lock"), dir.join("Cargo.lock"))
        .map_err(|e| format!("{}: {e}", base.join("Cargo.lock").display()))?;
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--offline", "--format-version", "1"])
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run {cargo}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`cargo metadata --offline` failed for {} (run `cargo fetch --locked` in {} first):\n{}",
            dir.display(),
            base.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let lock = std::fs::read_to_string(dir.join("Cargo.lock")).map_err(|e| e.to_string())?;
    Ok(lock.matches("[[package]]").count())
}

/// The `name = spec` lines of a manifest's `[dependencies]` table.
fn dependency_lines(manifest: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == "[dependencies]";
            continue;
        }
        if !inside || line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some((name, spec)) = line.split_once('=') {
            out.push((name.trim().to_string(), spec.trim().to_string()));
        }
    }
    out
}
