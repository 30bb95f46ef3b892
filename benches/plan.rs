//! The planner benchmark (`cargo bench --bench plan`; see docs/performance.md).
//!
//! For each workspace — synthetic ones of ~100 to ~1600 crates, the oracle
//! fixtures, examples/aura, and the real crates.io workspaces committed under
//! benches/workspaces/ — it measures, in one run:
//!
//! - **planned**: resolution + plan building with every manifest already
//!   loaded (`resolve::select_roots` + `resolve::resolve` +
//!   `planner::build_plan`, with the manifests of a first, real run put
//!   into the graph by `Graph::preload`: no I/O, no tarball reading, no
//!   TOML parsing, no copying of manifests);
//! - **end-to-end**: one route call, `crateplan::plan_json` with a request
//!   whose `sources` name every `.crate` file (the final round of a Nix
//!   evaluation): reading the workspace, the lock and the `.crate` files,
//!   checking their sha256, inflating them, parsing the manifests, planning
//!   and writing the JSON answer;
//! - `Lock::parse` alone;
//! - the baseline: `RUSTC_BOOTSTRAP=1 cargo build --unit-graph -Z
//!   unstable-options --target x86_64-unknown-linux-gnu --offline --locked`
//!   (warm: one untimed run first), as a whole process, as a user would
//!   run it. Its unit graph is also compared with crateplan's, unit for
//!   unit and edge for edge (tests/support/unit_graph.rs), so every timed
//!   plan is known to be the right one.
//!
//! Arguments (after `--`): words select workspaces whose name contains one
//! of them (`cargo bench --bench plan -- synth aura`); `--quick` shortens
//! every measurement; `--no-cargo` skips the cargo baseline; `--sizes
//! 100,400` picks the synthetic sizes (approximate crates in the lock).
//! `--profile PHASE [--seconds S | --iters N]` runs only one phase (planned, resolve,
//! build-plan, end-to-end, lock-parse) in a loop for a profiler; `--profile
//! loads` lists the slowest manifest loads instead.
//! `--write-aura DIR` only writes the evaluation benchmark's workspace
//! (`benches/eval.sh`; `synth::aura_sized`) and exits.
//! Run without `--bench` (as `cargo test --benches` or `--all-targets` do),
//! it only makes a short smoke run of synth-100, offline.
//! Median and minimum are printed: on a shared machine the minimum is the
//! steadier figure, the median the more honest one.

#[path = "support/synth.rs"]
mod synth;
#[path = "../tests/support/unit_graph.rs"]
mod unit_graph_check;

use crateplan::cargo_home::CargoHome;
use crateplan::error::Error;
use crateplan::fs::RealFs;
use crateplan::loader::{self, LocalSources, SourceLoader};
use crateplan::lockfile::{Lock, LockedSource};
use crateplan::manifest::PackageData;
use crateplan::planner::{self, Resolved};
use crateplan::request::{PlatformSpec, Request, Selection};
use crateplan::resolve::{self, graph::Graph, graph::Loader};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::rc::Rc;
use std::time::{Duration, Instant};

const TRIPLE: &str = "x86_64-unknown-linux-gnu";

/// Synthetic sizes (approximate crates in the lock) -> registry crates to generate.
const SYNTH: &[(usize, usize)] = &[(100, 100), (200, 200), (400, 400), (800, 800), (1600, 1600)];

struct Options {
    filters: Vec<String>,
    quick: bool,
    cargo: bool,
    sizes: Vec<usize>,
    /// `--profile PHASE`: only run PHASE in a loop (for perf/callgrind).
    profile: Option<String>,
    seconds: f64,
    /// `--iters N`: run the profiled phase exactly N times (for callgrind).
    iters: Option<u64>,
}

fn options() -> Options {
    let mut o = Options {
        filters: Vec::new(),
        quick: false,
        cargo: true,
        sizes: SYNTH.iter().map(|(s, _)| *s).collect(),
        profile: None,
        seconds: 5.0,
        iters: None,
    };
    // `cargo bench` passes `--bench`; without it the binary runs under `cargo
    // test --benches` / `--all-targets`: then only a short offline smoke run.
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!(
            "plan bench: not run by `cargo bench`: smoke run only (synth-100, --quick, --no-cargo)"
        );
        o.filters.push("synth-100".into());
        o.sizes = vec![100];
        o.quick = true;
        o.cargo = false;
        return o;
    }
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--bench" => {}
            "--quick" => o.quick = true,
            "--no-cargo" => o.cargo = false,
            "--sizes" => {
                let v = args.next().expect("--sizes needs a list, e.g. 100,400");
                o.sizes = v
                    .split(',')
                    .map(|s| s.trim().parse().expect("--sizes: numbers"))
                    .collect();
            }
            "--profile" => o.profile = Some(args.next().expect("--profile needs a phase")),
            "--iters" => {
                o.iters = Some(
                    args.next()
                        .and_then(|v| v.parse().ok())
                        .expect("--iters needs a number"),
                )
            }
            "--seconds" => {
                o.seconds = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--seconds needs a number")
            }
            f if f.starts_with("--") => panic!("plan bench: unknown option {f}"),
            word => o.filters.push(word.to_string()),
        }
    }
    o
}

// ---------------------------------------------------------------------------
// Measuring

#[derive(Clone, Copy, Default)]
struct Stats {
    median_ms: f64,
    min_ms: f64,
    runs: usize,
}

/// Runs `f` a few times untimed, then until `max` runs or `budget` is spent
/// (at least `min` runs); returns the median and minimum wall time.
fn measure<T>(budget: Duration, min: usize, max: usize, mut f: impl FnMut() -> T) -> Stats {
    let first = Instant::now();
    black_box(f());
    let one = first.elapsed();
    if one < budget / 20 {
        for _ in 0..2 {
            black_box(f());
        }
    }
    let start = Instant::now();
    let mut samples: Vec<Duration> = Vec::new();
    while samples.len() < max && (samples.len() < min || start.elapsed() < budget) {
        let t = Instant::now();
        black_box(f());
        samples.push(t.elapsed());
    }
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mid = samples.len() / 2;
    let median = if samples.len() % 2 == 1 {
        ms(samples[mid])
    } else {
        (ms(samples[mid - 1]) + ms(samples[mid])) / 2.0
    };
    Stats {
        median_ms: median,
        min_ms: ms(samples[0]),
        runs: samples.len(),
    }
}

// ---------------------------------------------------------------------------
// Loaders: one that records what the real loader gave, one that replays it

/// Wraps the real loader and keeps every manifest it returns (and every
/// "not available"), so the timed runs see exactly the same answers.
struct Recording<'a> {
    inner: SourceLoader<'a>,
    seen: BTreeMap<usize, Option<Rc<PackageData>>>,
    /// How long each load took (for `--profile loads`).
    took: Vec<(Duration, usize)>,
}

impl Loader for Recording<'_> {
    fn load(&mut self, index: usize, lock: &Lock) -> Result<Option<PackageData>, Error> {
        let t = Instant::now();
        let d = self.inner.load(index, lock)?;
        self.took.push((t.elapsed(), index));
        self.seen.insert(index, d.clone().map(Rc::new));
        Ok(d)
    }
}

/// The loader of the timed runs: every manifest is already in the graph
/// (`Graph::preload`), so being asked for one is a bug in the benchmark.
struct Preloaded;

impl Loader for Preloaded {
    fn load(&mut self, index: usize, lock: &Lock) -> Result<Option<PackageData>, Error> {
        Err(Error::msg(format!(
            "plan bench: resolution asked for `{}`, which the first run never loaded",
            lock.packages[index].name
        )))
    }
}

// ---------------------------------------------------------------------------
// One workspace, prepared

struct Case {
    name: String,
    group: u8,
    dir: PathBuf,
    request: Request,
}

/// The first, real run: load everything, resolve, keep the manifests.
struct Loaded {
    resolved: Resolved,
    seen: BTreeMap<usize, Option<Rc<PackageData>>>,
    default_members: Vec<usize>,
    took: Vec<(Duration, usize)>,
}

fn load(req: &Request) -> Result<Loaded, String> {
    let fs = RealFs;
    let e = |e: Error| e.to_string();
    let prepared = planner::prepare(&fs, req).map_err(e)?;
    let default_members = prepared.default_members.clone();
    let mut rec = Recording {
        inner: SourceLoader::new(&fs, &prepared.ws, &req.sources, &req.registries, None),
        seen: BTreeMap::new(),
        took: Vec::new(),
    };
    let resolution = planner::resolve_with(&prepared, &mut rec, &req.selection).map_err(e)?;
    let Recording { inner, seen, took } = rec;
    if !inner.fetch.is_empty() {
        let keys: Vec<&str> = inner.fetch.iter().map(|f| f.key()).collect();
        return Err(format!("sources missing: {}", keys.join(", ")));
    }
    let (path_dirs, git_subdirs) = (inner.path_dirs, inner.git_subdirs);
    Ok(Loaded {
        resolved: Resolved::new(
            prepared,
            resolution,
            path_dirs,
            git_subdirs,
            req.registries.clone(),
        ),
        seen,
        default_members,
        took,
    })
}

/// Resolution with preloaded manifests.
fn resolve_preloaded(l: &Loaded, sel: &Selection) -> resolve::Resolution {
    let r = &l.resolved;
    let mut loader = Preloaded;
    let mut graph = Graph::new(&r.lock, &mut loader, &r.target, &r.host);
    for (&index, data) in &l.seen {
        graph.preload(index, data.clone());
    }
    graph.members = r.members.values().copied().collect();
    let roots = resolve::select_roots(&mut graph, &r.members, &l.default_members, sel)
        .expect("roots resolve as in the first run");
    resolve::resolve(&mut graph, &roots, r.ws.resolver_v2, sel.tests)
        .expect("resolution succeeds as in the first run")
}

// ---------------------------------------------------------------------------
// Preparing workspaces

fn cargo_bin() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}

/// `cargo fetch --locked`, offline first; fails clearly without network.
fn cargo_fetch(dir: &Path) -> Result<(), String> {
    let run = |offline: bool| {
        let mut c = Command::new(cargo_bin());
        c.args(["fetch", "--locked"]).current_dir(dir);
        if offline {
            c.arg("--offline");
        }
        c.output()
    };
    if run(true).is_ok_and(|o| o.status.success()) {
        return Ok(());
    }
    let out = run(false).map_err(|e| format!("cannot run cargo: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`cargo fetch --locked` failed in {}: the benchmark needs the crates of this workspace in \
             $CARGO_HOME, or the network (index.crates.io, static.crates.io) to fetch them:\n{}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Every locked registry/git source of `dir`'s lock, found in cargo's cache.
fn sources_from_cargo_home(dir: &Path) -> Result<BTreeMap<String, String>, String> {
    let home = CargoHome::from_env().ok_or("no $CARGO_HOME or $HOME")?;
    let lock_path = dir.join("Cargo.lock");
    let text =
        std::fs::read_to_string(&lock_path).map_err(|e| format!("{}: {e}", lock_path.display()))?;
    let lock = Lock::parse(&lock_path.to_string_lossy(), &text).map_err(|e| e.to_string())?;
    let mut sources = BTreeMap::new();
    for p in &lock.packages {
        let fetch = match &p.source {
            LockedSource::Path => continue,
            LockedSource::Registry { index } => loader::registry_fetch(
                &BTreeMap::new(),
                index,
                &p.name,
                &p.version.to_string(),
                p.checksum.as_deref().unwrap_or(""),
            )
            .map_err(|e| e.to_string())?,
            LockedSource::Git {
                url,
                reference,
                rev,
                spelled,
                ..
            } => loader::git_fetch(url, reference, rev, spelled),
        };
        if let Some(path) = home.locate(&fetch) {
            sources.insert(fetch.key().to_string(), path);
        }
    }
    Ok(sources)
}

fn request(dir: &Path, sources: BTreeMap<String, String>) -> Request {
    Request {
        workspace: dir.to_string_lossy().into_owned(),
        target: PlatformSpec::Triple(TRIPLE.into()),
        host: Some(PlatformSpec::Triple(TRIPLE.into())),
        selection: Selection::default(),
        sources,
        ..Request::default()
    }
}

fn real_case(name: String, group: u8, dir: PathBuf) -> Result<Case, String> {
    let dir = dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    cargo_fetch(&dir)?;
    let sources = sources_from_cargo_home(&dir)?;
    Ok(Case {
        name,
        group,
        request: request(&dir, sources),
        dir,
    })
}

fn cases(o: &Options, repo: &Path, scratch: &Path) -> Vec<Result<Case, (String, String)>> {
    let wanted =
        |name: &str| o.filters.is_empty() || o.filters.iter().any(|f| name.contains(f.as_str()));
    let mut out = Vec::new();
    for &(size, n) in SYNTH.iter().filter(|(s, _)| o.sizes.contains(s)) {
        let name = format!("synth-{size}");
        if !wanted(&name) {
            continue;
        }
        eprintln!("plan bench: generating {name} ({n} registry crates)");
        out.push(
            synth::generate(scratch, n, &cargo_bin())
                .map(|s| Case {
                    name: name.clone(),
                    group: 0,
                    request: request(&s.dir, s.sources),
                    dir: s.dir,
                })
                .map_err(|e| (name, e)),
        );
    }
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(repo.join("tests/fixtures"))
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.join("Cargo.lock").is_file())
                .collect()
        })
        .unwrap_or_default();
    fixtures.sort();
    for dir in fixtures {
        let name = format!("fixture/{}", dir.file_name().unwrap().to_string_lossy());
        if !wanted(&name) {
            continue;
        }
        if name.ends_with("/git-dep")
            && !Path::new("/tmp/crateplan-fixture-git/gitws/.git").is_dir()
        {
            eprintln!(
                "plan bench: skipping {name}: its repository /tmp/crateplan-fixture-git/gitws is made by \
                 `CRATEPLAN_ORACLE=git cargo test --test oracle`"
            );
            continue;
        }
        out.push(real_case(name.clone(), 1, dir).map_err(|e| (name, e)));
    }
    let aura = "examples/aura".to_string();
    if wanted(&aura) {
        let made = Command::new(repo.join("examples/aura/git-deps/make-repos"))
            .output()
            .map_err(|e| e.to_string())
            .and_then(|o| {
                if o.status.success() {
                    Ok(())
                } else {
                    Err(String::from_utf8_lossy(&o.stderr).into_owned())
                }
            });
        out.push(
            made.and_then(|()| real_case(aura.clone(), 2, repo.join("examples/aura")))
                .map_err(|e| (aura, e)),
        );
    }
    let mut real: Vec<PathBuf> = std::fs::read_dir(repo.join("benches/workspaces"))
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.join("Cargo.lock").is_file())
                .collect()
        })
        .unwrap_or_default();
    real.sort();
    for dir in real {
        let name = format!("benches/{}", dir.file_name().unwrap().to_string_lossy());
        if wanted(&name) {
            out.push(real_case(name.clone(), 3, dir).map_err(|e| (name, e)));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Running one workspace

#[derive(Default)]
struct Row {
    name: String,
    group: u8,
    lock_crates: usize,
    loaded: usize,
    instances: usize,
    planned: Stats,
    resolve: Stats,
    build_plan: Stats,
    end_to_end: Stats,
    lock_parse: Stats,
    cargo: Option<Stats>,
    units: usize,
    agrees: Option<Result<(), String>>,
}

fn run_case(case: &Case, o: &Options, scratch: &Path) -> Result<Row, String> {
    let (budget, max) = if o.quick {
        (Duration::from_millis(400), 30)
    } else {
        (Duration::from_millis(2000), 200)
    };
    let request_bytes = serde_json::to_vec(&case.request).unwrap();

    // The real first run, keeping the manifests.
    let mut l = load(&case.request)?;
    let sel = case.request.selection.clone();
    let plan = planner::build_plan(&l.resolved).map_err(|e| e.to_string())?;

    // It must be the plan a route answers, and the replayed run must agree.
    let answer: serde_json::Value =
        serde_json::from_slice(&crateplan::plan_json(&RealFs, &request_bytes)).unwrap();
    if answer["ok"] != true || answer.get("plan").is_none() {
        return Err(format!(
            "plan_json did not answer a plan: {}",
            truncate(&answer.to_string())
        ));
    }
    if answer["plan"] != serde_json::to_value(&plan).unwrap() {
        return Err("the plan of the preloaded run differs from plan_json's".into());
    }
    l.resolved.resolution = resolve_preloaded(&l, &sel);
    let replayed = planner::build_plan(&l.resolved).map_err(|e| e.to_string())?;
    if replayed != plan {
        return Err("the replayed resolution gives a different plan".into());
    }

    let mut row = Row {
        name: case.name.clone(),
        group: case.group,
        lock_crates: l.resolved.lock.packages.len(),
        loaded: l.seen.values().filter(|d| d.is_some()).count(),
        instances: l.resolved.resolution.instances.len(),
        ..Row::default()
    };

    // Planned only: resolution + plan from preloaded manifests.
    row.planned = measure(budget, 10, max, || {
        let res = resolve_preloaded(&l, &sel);
        let old = std::mem::replace(&mut l.resolved.resolution, res);
        drop(old);
        planner::build_plan(&l.resolved).unwrap()
    });
    row.resolve = measure(budget / 2, 10, max, || resolve_preloaded(&l, &sel));
    row.build_plan = measure(budget / 2, 10, max, || {
        planner::build_plan(&l.resolved).unwrap()
    });

    // End to end: one route call.
    row.end_to_end = measure(budget, 5, max / 4, || {
        crateplan::plan_json(&RealFs, &request_bytes)
    });

    let lock_path = format!("{}/Cargo.lock", l.resolved.ws.root);
    let lock_text = std::fs::read_to_string(&lock_path).unwrap();
    row.lock_parse = measure(budget / 4, 10, max, || {
        Lock::parse(&lock_path, &lock_text).unwrap()
    });

    // The baseline, and the check that crateplan planned what cargo plans.
    if o.cargo {
        let ours =
            crateplan::unit_graph::unit_graph(&l.resolved, false).map_err(|e| e.to_string())?;
        let ours = serde_json::to_string(&ours).unwrap();
        let target_dir = scratch
            .join("cargo-target")
            .join(case.name.replace('/', "-"));
        let cargo_run = || {
            let out = Command::new(cargo_bin())
                .args([
                    "build",
                    "--unit-graph",
                    "-Z",
                    "unstable-options",
                    "--target",
                    TRIPLE,
                ])
                .args(["--offline", "--locked"])
                .env("RUSTC_BOOTSTRAP", "1")
                .env("CARGO_TARGET_DIR", &target_dir)
                .current_dir(&case.dir)
                .output()
                .expect("cargo runs");
            assert!(
                out.status.success(),
                "cargo --unit-graph failed in {}: {}",
                case.dir.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            out.stdout
        };
        let theirs = String::from_utf8(cargo_run()).unwrap();
        let runs = if o.quick { 3 } else { 5 };
        row.cargo = Some(measure(Duration::ZERO, runs, runs, cargo_run));
        let agree = (|| {
            let a = unit_graph_check::normalize(&theirs)?;
            let b = unit_graph_check::normalize(&ours)?;
            unit_graph_check::compare(&a, &b)
        })();
        row.units = unit_graph_check::normalize(&ours)
            .map(|g| g.len())
            .unwrap_or(0);
        row.agrees = Some(agree);
    }
    Ok(row)
}

/// `--profile PHASE`: runs one phase over and over for `--seconds`, nothing
/// else, so a profiler sees only it. PHASE: planned, resolve, build-plan,
/// end-to-end, lock-parse.
fn profile_case(case: &Case, o: &Options, phase: &str) -> Result<(), String> {
    let request_bytes = serde_json::to_vec(&case.request).unwrap();
    let mut l = load(&case.request)?;
    let sel = case.request.selection.clone();
    let lock_path = format!("{}/Cargo.lock", l.resolved.ws.root);
    let lock_text = std::fs::read_to_string(&lock_path).unwrap();
    if phase == "loads" {
        // The slowest manifest loads of the first run (file reads, sha256, inflating, parsing).
        let mut took = l.took.clone();
        took.sort_by(|a, b| b.cmp(a));
        let total: Duration = took.iter().map(|t| t.0).sum();
        println!(
            "{}: {} loads, {:.1} ms in all; slowest:",
            case.name,
            took.len(),
            total.as_secs_f64() * 1000.0
        );
        for (t, i) in took.iter().take(15) {
            let p = &l.resolved.lock.packages[*i];
            println!(
                "  {:7.2} ms  {} {}",
                t.as_secs_f64() * 1000.0,
                p.name,
                p.version
            );
        }
        return Ok(());
    }
    let end = Instant::now() + Duration::from_secs_f64(o.seconds);
    let mut runs = 0u64;
    while o.iters.map_or(Instant::now() < end, |n| runs < n) {
        match phase {
            "planned" => {
                l.resolved.resolution = resolve_preloaded(&l, &sel);
                black_box(planner::build_plan(&l.resolved).unwrap());
            }
            "resolve" => drop(black_box(resolve_preloaded(&l, &sel))),
            "build-plan" => drop(black_box(planner::build_plan(&l.resolved).unwrap())),
            "end-to-end" => drop(black_box(crateplan::plan_json(&RealFs, &request_bytes))),
            "lock-parse" => drop(black_box(Lock::parse(&lock_path, &lock_text).unwrap())),
            other => {
                return Err(format!(
                    "unknown phase {other} (planned, resolve, build-plan, end-to-end, lock-parse)"
                ))
            }
        }
        runs += 1;
    }
    eprintln!("plan bench: {}: {phase} ran {runs} times", case.name);
    Ok(())
}

fn truncate(s: &str) -> String {
    s.chars().take(400).collect()
}

// ---------------------------------------------------------------------------
// Report

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    format!("{cores} cores, {cpu}, load average {}", loadavg())
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn ms(s: Stats) -> String {
    if s.median_ms >= 100.0 {
        format!("{:.0} ({:.0})", s.median_ms, s.min_ms)
    } else if s.median_ms >= 10.0 {
        format!("{:.1} ({:.1})", s.median_ms, s.min_ms)
    } else {
        format!("{:.2} ({:.2})", s.median_ms, s.min_ms)
    }
}

fn print_tables(rows: &[Row]) {
    println!();
    println!(
        "| workspace | crates in lock | instances planned | planned ms | end-to-end ms | cargo unit-graph ms | planned / cargo | end-to-end / cargo | Lock::parse ms | same units as cargo |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for r in rows {
        let (cargo, ratio_p, ratio_e) = match r.cargo {
            Some(c) => (
                ms(c),
                format!("{:.3}", r.planned.median_ms / c.median_ms),
                format!("{:.2}", r.end_to_end.median_ms / c.median_ms),
            ),
            None => ("—".into(), "—".into(), "—".into()),
        };
        let agrees = match &r.agrees {
            None => "—".to_string(),
            Some(Ok(())) => format!("yes ({} units)", r.units),
            Some(Err(_)) => "**NO**".to_string(),
        };
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.name,
            r.lock_crates,
            r.instances,
            ms(r.planned),
            ms(r.end_to_end),
            cargo,
            ratio_p,
            ratio_e,
            ms(r.lock_parse),
            agrees
        );
    }
    println!();
    println!("Where the planned time goes (median ms, minimum in parentheses):");
    println!();
    println!(
        "| workspace | manifests loaded | resolve | build_plan | planned µs per instance | end-to-end µs per loaded manifest | runs (planned / end-to-end) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {:.1} | {:.0} | {} / {} |",
            r.name,
            r.loaded,
            ms(r.resolve),
            ms(r.build_plan),
            r.planned.median_ms * 1000.0 / r.instances.max(1) as f64,
            r.end_to_end.median_ms * 1000.0 / r.loaded.max(1) as f64,
            r.planned.runs,
            r.end_to_end.runs,
        );
    }
}

fn main() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // `--write-aura DIR`: only write the evaluation benchmark's workspace
    // (benches/eval.sh) and say how many packages its lock has.
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--write-aura") {
        let dir = PathBuf::from(args.get(at + 1).expect("--write-aura needs a directory"));
        let base = repo.join("benches/workspaces/kitchen-sink");
        match synth::aura_sized(&dir, &base, &cargo_bin()) {
            Ok(n) => println!(
                "{} members, {n} packages in the lock: {}",
                synth::AURA_MEMBERS,
                dir.display()
            ),
            Err(e) => {
                eprintln!("plan bench: --write-aura: {e}");
                std::process::exit(1);
            }
        }
        return;
    }
    let o = options();
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("crateplan-bench");
    std::fs::create_dir_all(&scratch).unwrap();
    let profile = if cfg!(debug_assertions) {
        "debug assertions ON (not a release build)"
    } else {
        "optimized"
    };
    println!("crateplan planner benchmark: {}; {profile}", machine());
    println!("target and host {TRIPLE}; default selection (`cargo build`); times are wall clock, median (min)");

    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for case in cases(&o, &repo, &scratch) {
        let case = match case {
            Ok(c) => c,
            Err((name, e)) => {
                eprintln!("plan bench: {name}: cannot prepare: {e}");
                failures.push(name);
                continue;
            }
        };
        if let Some(phase) = &o.profile {
            if let Err(e) = profile_case(&case, &o, phase) {
                eprintln!("plan bench: {}: {e}", case.name);
                failures.push(case.name.clone());
            }
            continue;
        }
        eprintln!("plan bench: {} (load {})", case.name, loadavg());
        match run_case(&case, &o, &scratch) {
            Ok(row) => {
                if let Some(Err(diff)) = &row.agrees {
                    eprintln!(
                        "plan bench: {}: crateplan's unit graph differs from cargo's:\n{}",
                        row.name,
                        truncate(diff)
                    );
                    failures.push(row.name.clone());
                }
                rows.push(row);
            }
            Err(e) => {
                eprintln!("plan bench: {}: {e}", case.name);
                failures.push(case.name.clone());
            }
        }
    }
    if o.profile.is_none() {
        rows.sort_by_key(|r| (r.group, r.lock_crates));
        print_tables(&rows);
        println!();
        println!("load average at the end: {}", loadavg());
    }
    if !failures.is_empty() {
        eprintln!("plan bench: failed: {}", failures.join(", "));
        std::process::exit(1);
    }
}
