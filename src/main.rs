//! The `crateplan` command line: plans and unit graphs for humans and for
//! diffing against cargo, and the `answer` entry the ifd and exec routes use.

use clap::{Args, Parser, Subcommand};
use crateplan::answer::RequestInput;
use crateplan::cargo_home::{CargoHome, Chain, CrateDir};
use crateplan::explain::{self, edges::EdgeFeatures};
use crateplan::fs::RealFs;
use crateplan::loader::LocalSources;
use crateplan::plan::Plan;
use crateplan::planner::{self, Outcome};
use crateplan::request::{PlatformSpec, Prefetch, Request, Selection};
use std::io::Write;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "crateplan",
    version,
    about = "Cargo's resolution, reproduced for Nix"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the plan (JSON) for a workspace.
    Plan(PlanArgs),
    /// Print the resolution in the format of `cargo build --unit-graph`.
    UnitGraph(PlanArgs),
    /// Why a crate is built: each instance (host and target apart), who turns
    /// on each of its features, and its dependents up to the roots.
    Why(WhyArgs),
    /// What rebuilds between two plans (JSON files from `crateplan plan`) or
    /// two lock files of the workspace: instances added, removed, replaced
    /// and rebuilt, and why.
    Diff(DiffArgs),
    /// Answer a JSON request (the boundary every route shares).
    Answer {
        /// Print the answer as a Nix string literal (for `builtins.exec`).
        #[arg(long)]
        nix: bool,
        /// REQUEST is the JSON text itself, not a file (the exec route
        /// uses this, so a read-only evaluation needs no request file).
        #[arg(long)]
        inline: bool,
        /// The request file; `-` reads standard input.
        request: String,
    },
}

#[derive(Args)]
struct WhyArgs {
    /// The package name, as in Cargo.lock.
    #[arg(value_name = "CRATE")]
    name: String,
    /// Explain this plan file (`crateplan plan` output) instead of planning
    /// the workspace; it records no per-edge features, so `why` shows only
    /// each instance's features and its dependents.
    #[arg(long, value_name = "FILE")]
    plan: Option<String>,
    /// Print the explanation as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    workspace: PlanArgs,
}

#[derive(Args)]
struct DiffArgs {
    /// The old plan (JSON) or lock file.
    old: String,
    /// The new plan (JSON) or lock file.
    new: String,
    /// Print the differences as JSON.
    #[arg(long)]
    json: bool,
    /// With two lock files: how to plan the workspace (its manifest, target, selection…).
    #[command(flatten)]
    workspace: PlanArgs,
}

#[derive(Args)]
struct PlanArgs {
    /// Path to Cargo.toml.
    #[arg(long, default_value = "Cargo.toml")]
    manifest_path: String,
    /// Target triple (a built-in one, or give --target-cfg).
    #[arg(long)]
    target: Option<String>,
    /// A file with `rustc --print cfg --target T` output for a triple without a built-in cfg set.
    #[arg(long)]
    target_cfg: Option<String>,
    /// Host triple (where build scripts and proc-macros run).
    #[arg(long)]
    host: Option<String>,
    #[arg(long)]
    workspace: bool,
    #[arg(short = 'p', long = "package")]
    packages: Vec<String>,
    #[arg(short = 'F', long)]
    features: Vec<String>,
    #[arg(long)]
    all_features: bool,
    #[arg(long)]
    no_default_features: bool,
    /// Resolve as `cargo test` does.
    #[arg(long)]
    tests: bool,
    /// Cargo's home, for registry crates and git checkouts (default: $CARGO_HOME or ~/.cargo).
    #[arg(long)]
    cargo_home: Option<String>,
    /// A directory of NAME-VERSION.crate files, searched before cargo's cache (repeatable).
    #[arg(long)]
    crate_dir: Vec<String>,
    /// Build with the `release` profile (as cargo's --release).
    #[arg(long, short = 'r')]
    release: bool,
    /// Build with this profile (as cargo's --profile).
    #[arg(long, value_name = "NAME", conflicts_with = "release")]
    profile: Option<String>,
    /// Cargo config: a TOML document (`KEY=VALUE` is one) or a file holding
    /// one, above the `.cargo/config.toml` files (as cargo's --config; repeatable).
    #[arg(long, value_name = "TOML")]
    config: Vec<String>,
}

/// The machine's own triple, for the default host.
fn native_triple() -> &'static str {
    match (std::env::consts::ARCH, std::env::consts::OS) {
        ("x86_64", "linux") => "x86_64-unknown-linux-gnu",
        ("aarch64", "linux") => "aarch64-unknown-linux-gnu",
        ("x86_64", "macos") => "x86_64-apple-darwin",
        ("aarch64", "macos") => "aarch64-apple-darwin",
        ("x86_64", "windows") => "x86_64-pc-windows-msvc",
        _ => "x86_64-unknown-linux-gnu",
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Answer {
            nix,
            inline,
            request,
        } => crateplan::answer::answer(
            nix,
            if inline {
                RequestInput::Inline(&request)
            } else {
                RequestInput::Path(&request)
            },
        ),
        Command::Plan(args) => {
            let (req, home) = request_from(&args)?;
            let resolved = resolve(&req, &home)?;
            let plan = planner::build_plan(&resolved).map_err(|e| e.to_string())?;
            print_json(&plan)
        }
        Command::Why(args) => why(args),
        Command::Diff(args) => diff(args),
        Command::UnitGraph(args) => {
            let (req, home) = request_from(&args)?;
            let resolved = resolve(&req, &home)?;
            let graph = crateplan::unit_graph::unit_graph(&resolved, args.tests)
                .map_err(|e| e.to_string())?;
            print_json(&graph)
        }
    }
}

fn why(args: WhyArgs) -> Result<(), String> {
    let (plan, edges) = match &args.plan {
        Some(file) => (read_plan(file)?, EdgeFeatures::new()),
        None => {
            let (req, home) = request_from(&args.workspace)?;
            let resolved = resolve(&req, &home)?;
            let plan = planner::build_plan(&resolved).map_err(|e| e.to_string())?;
            let edges = explain::edges::edge_features(&resolved, &plan);
            (plan, edges)
        }
    };
    let why = explain::why::why(&plan, &edges, &args.name).map_err(|e| e.to_string())?;
    if args.json {
        print_json(&why)
    } else {
        print_text(&explain::why::render(&plan, &why))
    }
}

fn diff(args: DiffArgs) -> Result<(), String> {
    let old = plan_or_lock(&args.old, &args.workspace)?;
    let new = plan_or_lock(&args.new, &args.workspace)?;
    let d = explain::diff::diff(&old, &new);
    if args.json {
        print_json(&d)
    } else {
        print_text(&explain::diff::render(&d))
    }
}

/// A plan file as it is; a lock file (anything not starting with `{`)
/// planned with the workspace of `--manifest-path`.
fn plan_or_lock(file: &str, args: &PlanArgs) -> Result<Plan, String> {
    let text = std::fs::read(file).map_err(|e| format!("crateplan: {file}: {e}"))?;
    if text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
        return explain::parse_plan(file, &text).map_err(|e| e.to_string());
    }
    let lock = std::fs::canonicalize(file).map_err(|e| format!("crateplan: {file}: {e}"))?;
    let (mut req, home) = request_from(args)?;
    req.lock_file = Some(lock.to_string_lossy().into_owned());
    let resolved =
        resolve(&req, &home).map_err(|e| format!("{e}\n(while planning with {file})"))?;
    planner::build_plan(&resolved).map_err(|e| e.to_string())
}

fn read_plan(file: &str) -> Result<Plan, String> {
    let text = std::fs::read(file).map_err(|e| format!("crateplan: {file}: {e}"))?;
    explain::parse_plan(file, &text).map_err(|e| e.to_string())
}

fn print_text(text: &str) -> Result<(), String> {
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|e| e.to_string())
}

fn resolve(req: &Request, local: &Chain) -> Result<planner::Resolved, String> {
    match planner::resolve_request(&RealFs, req, Some(local as &dyn LocalSources))
        .map_err(|e| e.to_string())?
    {
        Outcome::Resolved(r) => Ok(*r),
        Outcome::Fetch { fetch: missing, .. } => {
            let list: Vec<String> = missing.iter().map(|f| f.key().to_string()).collect();
            Err(format!(
                "crateplan: {} source(s) are neither in the --crate-dir directories nor in cargo's cache; run `cargo fetch` first:\n  {}",
                list.len(),
                list.join("\n  ")
            ))
        }
    }
}

fn request_from(args: &PlanArgs) -> Result<(Request, Chain), String> {
    let manifest = std::fs::canonicalize(&args.manifest_path)
        .map_err(|e| format!("crateplan: manifest {}: {e}", args.manifest_path))?;
    let manifest = manifest.to_string_lossy().into_owned();
    let triple = args
        .target
        .clone()
        .unwrap_or_else(|| native_triple().to_string());
    let target = match &args.target_cfg {
        Some(file) => {
            let text =
                std::fs::read_to_string(file).map_err(|e| format!("crateplan: {file}: {e}"))?;
            PlatformSpec::Explicit {
                triple,
                cfg: cfg_lines(&text),
            }
        }
        None => platform_spec(triple)?,
    };
    let host = platform_spec(
        args.host
            .clone()
            .unwrap_or_else(|| native_triple().to_string()),
    )?;
    let profile = match (&args.profile, args.release) {
        (Some(p), _) => p.clone(),
        (None, true) => "release".to_string(),
        (None, false) => "dev".to_string(),
    };
    let config = args
        .config
        .iter()
        .map(|c| {
            let path = std::path::Path::new(c);
            if path.is_file() {
                std::fs::read_to_string(path).map_err(|e| format!("crateplan: --config {c}: {e}"))
            } else {
                Ok(c.clone())
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let req = Request {
        // Like cargo, the CLI reads the `.cargo/config.toml` files of every
        // ancestor of the manifest's directory (not $CARGO_HOME's).
        workspace: "/".to_string(),
        manifest_path: Some(manifest),
        profile,
        config,
        target,
        host: Some(host),
        selection: Selection {
            workspace: args.workspace,
            packages: args.packages.clone(),
            features: args.features.clone(),
            all_features: args.all_features,
            no_default_features: args.no_default_features,
            tests: args.tests,
        },
        // Missing sources are an error here, not a round: name only the
        // ones the plan needs (cargo's cache may lack other platforms').
        prefetch: Prefetch::Needed,
        ..Request::default()
    };
    let mut local: Vec<Box<dyn LocalSources>> = args
        .crate_dir
        .iter()
        .map(|d| Box::new(CrateDir::at(d)) as Box<dyn LocalSources>)
        .collect();
    match &args.cargo_home {
        Some(h) => local.push(Box::new(CargoHome::at(h))),
        None => local.extend(CargoHome::from_env().map(|h| Box::new(h) as Box<dyn LocalSources>)),
    }
    Ok((req, Chain(local)))
}

fn cfg_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// A built-in triple as it is; any other through `rustc --print cfg --target T`
/// (the CLI may run rustc; the planner core never does).
fn platform_spec(triple: String) -> Result<PlatformSpec, String> {
    if crateplan::platform::builtin_triples().any(|t| t == triple) {
        return Ok(PlatformSpec::Triple(triple));
    }
    let out = std::process::Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .args(["--print", "cfg", "--target", &triple])
        .output()
        .map_err(|e| format!("crateplan: `{triple}` has no built-in cfg set and rustc could not be run ({e}); pass --target-cfg FILE"))?;
    if !out.status.success() {
        return Err(format!(
            "crateplan: `{triple}` has no built-in cfg set and `rustc --print cfg --target {triple}` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(PlatformSpec::Explicit {
        triple,
        cfg: cfg_lines(&String::from_utf8_lossy(&out.stdout)),
    })
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value).map_err(|e| e.to_string())?;
    out.write_all(b"\n").map_err(|e| e.to_string())
}
