//! The whole planning step for one request: load the workspace and lock,
//! resolve, and either answer the plan or the sources still to fetch.

use crate::config::{self, CargoConfig, Role};
use crate::error::{Error, ErrorKind};
use crate::fs::{self as files, Confined, FileKind, Fs};
use crate::learned::Learned;
use crate::loader::{LocalSources, SourceLoader};
use crate::lockfile::{Lock, LockedSource};
use crate::plan::{self, Plan, PlatformInfo, Platforms};
use crate::platform::Platform;
use crate::profile::{self, resolve::test_profile_name, PackageInfo, Profiles, UnitFor};
use crate::request::{Answer, PlatformSpec, Prefetch, Request, Selection, True};
use crate::resolve::{
    self,
    graph::{Graph, Loader},
    InstanceId, Resolution,
};
use crate::workspace::{self, Workspace};
use std::collections::BTreeMap;

pub fn platform(spec: &PlatformSpec) -> Result<Platform, Error> {
    match spec {
        PlatformSpec::Triple(t) => Platform::builtin(t),
        PlatformSpec::Explicit { triple, cfg } => Platform::from_cfg_lines(triple, cfg.clone()),
    }
}

/// What a finished resolution needs besides the resolution itself.
pub struct Resolved {
    pub ws: Workspace,
    pub lock: Lock,
    pub resolution: Resolution,
    pub target: Platform,
    pub host: Platform,
    /// Lock index -> directory of path packages / subdirectory in git checkouts.
    pub path_dirs: BTreeMap<usize, String>,
    pub git_subdirs: BTreeMap<usize, String>,
    /// Member name -> lock index.
    pub members: BTreeMap<String, usize>,
    pub registries: BTreeMap<String, String>,
    /// The profiles of the requested build, and of its `cargo test`.
    pub profiles: Profiles,
    pub test_profiles: Profiles,
    pub config: CargoConfig,
    /// Whether the selection asked for tests (the plan then has test profiles).
    pub tests: bool,
}

/// Runs a request; `local` lets the CLI find sources in cargo's cache.
pub fn run(fs: &dyn Fs, req: &Request, local: Option<&dyn LocalSources>) -> Result<Answer, Error> {
    match resolve_request(fs, req, local)? {
        Outcome::Fetch { fetch, learned } => Ok(Answer::Fetch {
            ok: True,
            fetch,
            learned: Some(learned.encode()),
        }),
        Outcome::Resolved(r) => Ok(Answer::Plan {
            ok: True,
            plan: Box::new(build_plan(&r)?),
        }),
    }
}

pub enum Outcome {
    /// Sources still to fetch, and the manifests read so far.
    Fetch {
        fetch: Vec<crate::request::Fetch>,
        learned: Learned,
    },
    Resolved(Box<Resolved>),
}

/// The workspace, lock and platforms of a request, before resolution.
pub struct Prepared {
    pub ws: Workspace,
    pub lock: Lock,
    pub target: Platform,
    pub host: Platform,
    /// Member name -> lock index.
    pub members: BTreeMap<String, usize>,
    /// Lock indices of the default members.
    pub default_members: Vec<usize>,
    pub profiles: Profiles,
    pub test_profiles: Profiles,
    pub config: CargoConfig,
    pub tests: bool,
}

/// Reads the workspace and the lock, and checks that every member is locked.
pub fn prepare(fs: &dyn Fs, req: &Request) -> Result<Prepared, Error> {
    let workspace_dir = req.workspace.trim_end_matches('/');
    let manifest_path = req
        .manifest_path
        .clone()
        .unwrap_or_else(|| format!("{workspace_dir}/Cargo.toml"));
    let ws = workspace::load(fs, &manifest_path)?;
    let lock_path = req
        .lock_file
        .clone()
        .unwrap_or_else(|| format!("{}/Cargo.lock", ws.root));
    let lock_bytes = files::read_file(fs, &lock_path, FileKind::Lock).map_err(|e| {
        let fix = format!(
            "Run `cargo generate-lockfile` in {} and commit Cargo.lock",
            ws.root
        );
        let missing = matches!(e, crate::fs::FsError::NotFound(_));
        Error::unreadable("lock file", e, missing.then_some(fix))
    })?;
    let lock_text = String::from_utf8(lock_bytes).map_err(|_| {
        Error::new(ErrorKind::NotUtf8 {
            what: "lock file",
            file: lock_path.clone(),
        })
    })?;
    let lock = Lock::parse(&lock_path, &lock_text)?;
    let target = platform(&req.target)?;
    let host = platform(req.host.as_ref().unwrap_or(&req.target))?;

    // Every member must be in the lock, with its current version.
    let mut members: BTreeMap<String, usize> = BTreeMap::new();
    let mut member_dirs: BTreeMap<String, usize> = BTreeMap::new();
    let locked_paths = lock.path_index();
    for p in ws.members() {
        let idx = locked_paths
            .get(&(p.data.name.as_str(), &p.data.version))
            .copied()
            .ok_or_else(|| {
                Error::stale_lock(
                    format!(
                        "the workspace member `{} {}` ({}/Cargo.toml) is not in {lock_path}",
                        p.data.name, p.data.version, p.dir
                    ),
                    "Run `cargo generate-lockfile` (or any cargo build) and commit Cargo.lock",
                )
            })?;
        members.insert(p.data.name.clone(), idx);
        member_dirs.insert(p.dir.clone(), idx);
    }
    let default_members: Vec<usize> = ws
        .default_members
        .iter()
        .filter_map(|d| member_dirs.get(d).copied())
        .collect();

    // Config files: the root manifest's directory and its ancestors, up to
    // the request's workspace directory ("/" reads every ancestor).
    let files = config::find_files(fs, &ws.root, workspace_dir);
    let config = config::load(fs, &files, &req.config)?;
    // `--cfg` in the target's rustflags counts for `cfg(..)` dependencies.
    let target = target.with_rustflags(&config.platform_flags(&target, Role::Target)?.rustflags)?;
    let profiles = Profiles::new(
        &ws.profiles,
        &config.profiles,
        &req.profile,
        config.build_incremental,
        &host.triple,
    )?;
    let test_profiles = profiles.with_requested(test_profile_name(&req.profile))?;
    let locked: Vec<(String, String)> = lock
        .packages
        .iter()
        .map(|p| (p.name.clone(), p.version.to_string()))
        .collect();
    Profiles::validate_packages(&ws.profiles, &config.profiles, &locked)?;
    Ok(Prepared {
        ws,
        lock,
        target,
        host,
        members,
        default_members,
        profiles,
        test_profiles,
        config,
        tests: req.selection.tests,
    })
}

/// Resolves a prepared workspace with manifests from `loader`.
pub fn resolve_with(
    p: &Prepared,
    loader: &mut dyn Loader,
    selection: &Selection,
) -> Result<Resolution, Error> {
    let mut graph = Graph::new(&p.lock, loader, &p.target, &p.host);
    graph.members = p.members.values().copied().collect();
    let roots = resolve::select_roots(&mut graph, &p.members, &p.default_members, selection)?;
    resolve::resolve(&mut graph, &roots, p.ws.resolver_v2, selection.tests)
}

impl Resolved {
    /// Puts a resolution together with what it was resolved from.
    pub fn new(
        p: Prepared,
        resolution: Resolution,
        path_dirs: BTreeMap<usize, String>,
        git_subdirs: BTreeMap<usize, String>,
        registries: BTreeMap<String, String>,
    ) -> Resolved {
        Resolved {
            ws: p.ws,
            lock: p.lock,
            resolution,
            target: p.target,
            host: p.host,
            path_dirs,
            git_subdirs,
            members: p.members,
            registries,
            profiles: p.profiles,
            test_profiles: p.test_profiles,
            config: p.config,
            tests: p.tests,
        }
    }
}

pub fn resolve_request(
    fs: &dyn Fs,
    req: &Request,
    local: Option<&dyn LocalSources>,
) -> Result<Outcome, Error> {
    let roots = request_roots(req);
    let confined = Confined::new(fs, roots.iter().map(String::as_str));
    let fs: &dyn Fs = &confined;
    let prepared = prepare(fs, req)?;
    let learned = match &req.learned {
        Some(text) => Learned::decode(text)?,
        None => Learned::default(),
    };
    let mut loader = SourceLoader::new(fs, &prepared.ws, &req.sources, &req.registries, local)
        .with_learned(learned);
    let resolution = resolve_with(&prepared, &mut loader, &req.selection)?;
    if !loader.fetch.is_empty() {
        if req.prefetch == Prefetch::LockClosure {
            loader.prefetch_lock_closure(&prepared.lock);
        }
        return Ok(Outcome::Fetch {
            fetch: loader.fetch.into_iter().collect(),
            learned: loader.learned,
        });
    }
    let (path_dirs, git_subdirs) = (loader.path_dirs, loader.git_subdirs);
    Ok(Outcome::Resolved(Box::new(Resolved::new(
        prepared,
        resolution,
        path_dirs,
        git_subdirs,
        req.registries.clone(),
    ))))
}

/// The directories a request may read through symlinks: the workspace,
/// the manifest's and the lock's directories, the sources and the store.
pub fn request_roots(req: &Request) -> Vec<String> {
    let mut roots = vec![
        req.workspace.trim_end_matches('/').to_string(),
        "/nix/store".to_string(),
    ];
    for file in req.manifest_path.iter().chain(&req.lock_file) {
        roots.push(workspace::parent_dir(file));
    }
    roots.extend(req.sources.values().cloned());
    roots.retain(|r| r.starts_with('/'));
    roots
}

/// Cargo's package id spec for a locked package, spelled as cargo spells it:
/// the name is left out when the URL's last path segment already says it.
pub fn package_id(r: &Resolved, idx: usize) -> String {
    let p = &r.lock.packages[idx];
    let url = match &p.source {
        LockedSource::Registry { index } => index.clone(),
        LockedSource::Git { id, .. } => id.clone(),
        LockedSource::Path => {
            let dir = r.path_dirs.get(&idx).cloned().unwrap_or_default();
            format!("path+file://{dir}")
        }
    };
    let path = url.split(['?', '#']).next().unwrap_or(&url);
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    if last == p.name {
        format!("{url}#{}", p.version)
    } else {
        format!("{url}#{}@{}", p.name, p.version)
    }
}

fn package_keys(r: &Resolved) -> BTreeMap<usize, String> {
    let mut count: BTreeMap<(&str, String), usize> = BTreeMap::new();
    let used: std::collections::BTreeSet<usize> = r
        .resolution
        .instances
        .keys()
        .map(|(i, _)| *i)
        .chain(r.members.values().copied())
        .collect();
    for &i in &used {
        let p = &r.lock.packages[i];
        *count
            .entry((p.name.as_str(), p.version.to_string()))
            .or_default() += 1;
    }
    used.iter()
        .map(|&i| {
            let p = &r.lock.packages[i];
            let base = format!("{}-{}", p.name, p.version);
            let key = if count[&(p.name.as_str(), p.version.to_string())] > 1 {
                let h = crate::tarball::sha256_hex(package_id(r, i).as_bytes());
                format!("{base}-{}", &h[..8])
            } else {
                base
            };
            (i, key)
        })
        .collect()
}

pub fn instance_key(pkg_keys: &BTreeMap<usize, String>, (idx, kind): InstanceId) -> String {
    match kind {
        plan::PlatformKind::Target => pkg_keys[&idx].clone(),
        plan::PlatformKind::Host => format!("{}@host", pkg_keys[&idx]),
    }
}

pub fn build_plan(r: &Resolved) -> Result<Plan, Error> {
    let keys = package_keys(r);
    let mut packages = BTreeMap::new();
    for (&idx, key) in &keys {
        packages.insert(key.clone(), package_entry(r, idx)?);
    }
    let profiles = instance_profiles(r)?;
    let mut instances = BTreeMap::new();
    for (id, inst) in &r.resolution.instances {
        let mut deps: Vec<plan::DepEdge> = inst
            .deps
            .iter()
            .map(|(name, dep, kind)| plan::DepEdge {
                extern_name: name.clone(),
                instance: instance_key(&keys, *dep),
                kind: *kind,
            })
            .collect();
        deps.sort();
        instances.insert(
            instance_key(&keys, *id),
            plan::Instance {
                package: keys[&id.0].clone(),
                platform: id.1,
                features: inst.features.clone(),
                deps,
                bins: inst.bins.clone(),
                profile: profiles.build[id].to_plan(),
                build_script_profile: profiles.build_script.get(id).map(|p| p.to_plan()),
                test_profile: profiles.test.get(id).map(|p| p.to_plan()),
            },
        );
    }
    let target_flags = r.config.platform_flags(&r.target, Role::Target)?;
    let host_flags = r.config.platform_flags(&r.host, Role::Host)?;
    Ok(Plan {
        version: plan::PLAN_VERSION,
        workspace_root: r.ws.root.clone(),
        platforms: Platforms {
            target: PlatformInfo {
                triple: r.target.triple.clone(),
                cfg: r.target.lines.clone(),
                rustflags: target_flags.rustflags,
                rustdocflags: target_flags.rustdocflags,
                linker: target_flags.linker,
            },
            host: PlatformInfo {
                triple: r.host.triple.clone(),
                cfg: r.host.lines.clone(),
                rustflags: host_flags.rustflags,
                rustdocflags: host_flags.rustdocflags,
                linker: host_flags.linker,
            },
        },
        members: r
            .members
            .iter()
            .map(|(n, i)| (n.clone(), keys[i].clone()))
            .collect(),
        roots: r
            .resolution
            .roots
            .iter()
            .map(|id| instance_key(&keys, *id))
            .collect(),
        packages,
        instances,
        env: plan_env(r),
    })
}

/// `[env]` for the plan; relative paths rebased onto the workspace root.
fn plan_env(r: &Resolved) -> BTreeMap<String, plan::EnvVar> {
    r.config
        .env
        .iter()
        .map(|(name, e)| {
            let value = if e.relative {
                let abs = crate::manifest::join_path(&e.def.root(&r.ws.root), &e.value);
                relative_to(&r.ws.root, &abs)
            } else {
                e.value.clone()
            };
            (
                name.clone(),
                plan::EnvVar {
                    value,
                    force: e.force,
                    relative: e.relative,
                },
            )
        })
        .collect()
}

/// What the profile rules need to know about a locked package.
pub fn package_info(r: &Resolved, idx: usize) -> PackageInfo<'_> {
    let p = &r.lock.packages[idx];
    PackageInfo {
        name: &p.name,
        version: p.version.to_string(),
        member: r.members.values().any(|&m| m == idx),
        local: p.source == LockedSource::Path,
    }
}

/// The triple of a platform of the resolution.
pub fn triple(r: &Resolved, kind: plan::PlatformKind) -> &str {
    match kind {
        plan::PlatformKind::Target => &r.target.triple,
        plan::PlatformKind::Host => &r.host.triple,
    }
}

struct InstanceProfiles {
    build: BTreeMap<InstanceId, profile::Profile>,
    build_script: BTreeMap<InstanceId, profile::Profile>,
    test: BTreeMap<InstanceId, profile::Profile>,
}

/// Each instance's profiles. Host instances are what cargo builds for build
/// scripts and proc-macros (build-override applies, always unwind); target
/// instances are normal units. A deferred `strip` is settled against the
/// instance's direct dependencies, as cargo settles it per unit.
fn instance_profiles(r: &Resolved) -> Result<InstanceProfiles, Error> {
    let unit_for = |kind: plan::PlatformKind, tests: bool| match (kind, tests) {
        (plan::PlatformKind::Host, _) => UnitFor::HOST,
        (plan::PlatformKind::Target, false) => UnitFor::NORMAL,
        (plan::PlatformKind::Target, true) => UnitFor::TEST,
    };
    let raw = |profiles: &Profiles, tests: bool| -> BTreeMap<InstanceId, profile::Profile> {
        r.resolution
            .instances
            .keys()
            .map(|&id| {
                let p = profiles.get(
                    &package_info(r, id.0),
                    unit_for(id.1, tests),
                    triple(r, id.1),
                );
                (id, p)
            })
            .collect()
    };
    let settle = |raw: &BTreeMap<InstanceId, profile::Profile>, kinds: &[plan::DepKind]| {
        raw.iter()
            .map(|(id, p)| {
                let deps_debug = r.resolution.instances[id]
                    .deps
                    .iter()
                    .filter(|(_, _, k)| kinds.contains(k))
                    .any(|(_, d, _)| raw.get(d).is_some_and(|dp| dp.debuginfo_on()));
                let mut p = p.clone();
                p.settle_strip(deps_debug);
                (*id, p)
            })
            .collect::<BTreeMap<_, _>>()
    };
    let build_raw = raw(&r.profiles, false);
    let build = settle(&build_raw, &[plan::DepKind::Normal]);
    let mut build_script = BTreeMap::new();
    for &id in r.resolution.instances.keys() {
        if resolved_data(r, id.0)?.targets.build.is_some() {
            let mut p = r
                .profiles
                .get(&package_info(r, id.0), UnitFor::HOST, &r.host.triple);
            let deps_debug = r.resolution.instances[&id]
                .deps
                .iter()
                .filter(|(_, _, k)| *k == plan::DepKind::Build)
                .any(|(_, d, _)| build_raw.get(d).is_some_and(|dp| dp.debuginfo_on()));
            p.settle_strip(deps_debug);
            build_script.insert(id, p);
        }
    }
    let test = if r.tests {
        settle(
            &raw(&r.test_profiles, true),
            &[plan::DepKind::Normal, plan::DepKind::Dev],
        )
    } else {
        BTreeMap::new()
    };
    Ok(InstanceProfiles {
        build,
        build_script,
        test,
    })
}

fn package_entry(r: &Resolved, idx: usize) -> Result<plan::Package, Error> {
    let locked = &r.lock.packages[idx];
    let data = resolved_data(r, idx)?;
    let source = match &locked.source {
        LockedSource::Registry { index } => {
            let sha = locked.checksum.clone().unwrap_or_default();
            match crate::loader::registry_fetch(
                &r.registries,
                index,
                &locked.name,
                &locked.version.to_string(),
                &sha,
            )? {
                crate::request::Fetch::Crate {
                    key, url, sha256, ..
                } => plan::Source::Registry {
                    registry: index.clone(),
                    url,
                    sha256,
                    fetch_key: key,
                },
                crate::request::Fetch::Git { .. } => unreachable!("registry fetches are crates"),
            }
        }
        LockedSource::Git {
            url,
            reference,
            rev,
            spelled,
            ..
        } => plan::Source::Git {
            url: url.clone(),
            rev: rev.clone(),
            reference: reference.clone(),
            subdir: r.git_subdirs.get(&idx).cloned().unwrap_or_default(),
            fetch_key: spelled.clone(),
        },
        LockedSource::Path => {
            let dir = r.path_dirs.get(&idx).cloned().unwrap_or_default();
            let rel = relative_to(&r.ws.root, &dir);
            let member = r.ws.packages.get(&dir).is_some_and(|p| p.member);
            plan::Source::Path { path: rel, member }
        }
    };
    Ok(plan::Package {
        name: data.name.clone(),
        version: data.version.to_string(),
        id: package_id(r, idx),
        source,
        edition: data.edition.clone(),
        links: data.links.clone(),
        rust_version: data.rust_version.clone(),
        metadata: data.metadata.clone(),
        lib: data.targets.lib.clone(),
        bins: data.targets.bins.clone(),
        tests: data.targets.tests.clone(),
        examples: data.targets.examples.clone(),
        benches: data.targets.benches.clone(),
        build: data.targets.build.clone(),
        features: data.features.clone(),
    })
}

/// The manifest data of a package that resolution loaded.
pub fn resolved_data(
    r: &Resolved,
    idx: usize,
) -> Result<std::rc::Rc<crate::manifest::PackageData>, Error> {
    r.resolution
        .data
        .get(&idx)
        .cloned()
        .ok_or_else(|| Error::internal(format!("no manifest for `{}`", r.lock.packages[idx].name)))
}

/// `dir` relative to `root` (`.` for the root itself, `../x` outside it).
pub fn relative_to(root: &str, dir: &str) -> String {
    if dir == root {
        return ".".to_string();
    }
    if let Some(rest) = dir.strip_prefix(&format!("{root}/")) {
        return rest.to_string();
    }
    let r: Vec<&str> = root.split('/').filter(|s| !s.is_empty()).collect();
    let d: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let common = r.iter().zip(&d).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; r.len() - common];
    parts.extend(&d[common..]);
    parts.join("/")
}
