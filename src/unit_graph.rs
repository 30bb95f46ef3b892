//! The resolution in the JSON format of cargo's `--unit-graph` (version 1),
//! so it can be diffed against `cargo build --unit-graph` unit for unit.

use crate::error::Error;
use crate::plan::{DepKind, PlatformKind, Target};
use crate::planner::{self, Resolved};
use crate::profile::{Profile, Profiles, UnitFor};
use crate::resolve::{feature_enabled, InstanceId};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
pub struct UnitGraph {
    pub version: u32,
    pub units: Vec<Unit>,
    pub roots: Vec<usize>,
}

#[derive(Debug, Serialize)]
pub struct Unit {
    pub pkg_id: String,
    pub target: UnitTarget,
    /// Cargo's `profile` object (see `Profile::unit_graph_json`).
    pub profile: serde_json::Value,
    pub platform: Option<String>,
    pub mode: &'static str,
    pub features: Vec<String>,
    pub dependencies: Vec<UnitDep>,
}

#[derive(Debug, Serialize)]
pub struct UnitTarget {
    pub kind: Vec<String>,
    pub crate_types: Vec<String>,
    pub name: String,
    pub src_path: String,
    pub edition: String,
}

#[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnitDep {
    pub index: usize,
    pub extern_crate_name: String,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum TargetKind {
    Lib,
    Bin,
    Test,
    Example,
    Bench,
    BuildScript,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Mode {
    Build,
    RunCustomBuild,
    Test,
    /// `rustdoc --test` of a library: cargo's `doctest` mode.
    Doctest,
}

type UnitKey = (
    usize,
    TargetKind,
    String,
    PlatformKind,
    Mode,
    Vec<String>,
    Profile,
);

struct Builder<'r> {
    r: &'r Resolved,
    /// The profiles of this run: the build's, or `cargo test`'s.
    profiles: &'r Profiles,
    index: BTreeMap<UnitKey, usize>,
    units: Vec<Option<Unit>>,
    unit_profiles: Vec<Option<Profile>>,
    /// How deep [`Builder::unit`] recursed: bounded, so that a dependency
    /// chain thousands of crates deep is an error and not a stack overflow.
    depth: usize,
}

/// How a unit is wanted: why it is built (what its dependencies inherit),
/// and for roots the `UnitFor` and platform cargo resolves the root's own
/// profile with (cargo picks those apart for roots: a proc-macro root is
/// profiled as a normal unit for the requested target, while its
/// dependencies are built for the host).
#[derive(Clone, Copy)]
struct Want {
    unit_for: UnitFor,
    root_profile: Option<UnitFor>,
}

impl Want {
    fn dep(unit_for: UnitFor) -> Want {
        Want {
            unit_for,
            root_profile: None,
        }
    }
}

/// The deepest chain of units followed (real graphs are a few dozen deep).
pub const MAX_UNIT_DEPTH: usize = 2000;

/// Builds the unit graph of a resolution; `tests` selects `cargo test`'s units.
pub fn unit_graph(r: &Resolved, tests: bool) -> Result<UnitGraph, Error> {
    let mut b = Builder {
        r,
        profiles: if tests { &r.test_profiles } else { &r.profiles },
        index: BTreeMap::new(),
        units: Vec::new(),
        unit_profiles: Vec::new(),
        depth: 0,
    };
    // Root units: tests and what they reach always unwind; a proc-macro
    // selected for `cargo build` is cargo's "compiler" unit (not for-host).
    let root_want = |unit_for: UnitFor, profile: UnitFor| Want {
        unit_for,
        root_profile: Some(profile),
    };
    let normal_for = if tests {
        UnitFor::TEST
    } else {
        UnitFor::NORMAL
    };
    let normal = root_want(normal_for, normal_for);
    let mut roots = Vec::new();
    for &root in &r.resolution.roots {
        let data = planner::resolved_data(r, root.0)?;
        let features = &r.resolution.instances[&root].features;
        let runnable = |t: &&Target| {
            t.required_features
                .iter()
                .all(|f| feature_enabled(f, features))
        };
        let is_host = root.1 == PlatformKind::Host;
        if let Some(lib) = &data.targets.lib {
            // A proc-macro's lib is its host instance; its other targets are the target instance.
            if lib.proc_macro == is_host {
                let mode = if tests { Mode::Test } else { Mode::Build };
                let want = match (lib.proc_macro, tests) {
                    (true, false) => root_want(UnitFor::HOST, UnitFor::ROOT_PROC_MACRO),
                    (true, true) => root_want(UnitFor::HOST, UnitFor::TEST),
                    (false, _) => normal,
                };
                if !tests || lib.test {
                    roots.push(b.unit(root, TargetKind::Lib, lib, mode, want, None)?);
                }
                // `cargo test` without target filters adds the lib's doc
                // tests (cargo's `CompileFilter::Default`), for every target.
                if tests && lib.doctest {
                    roots.push(b.unit(root, TargetKind::Lib, lib, Mode::Doctest, want, None)?);
                }
            }
        }
        if is_host && data.targets.lib.as_ref().is_some_and(|l| l.proc_macro) {
            continue;
        }
        if !tests {
            for bin in data.targets.bins.iter().filter(runnable) {
                roots.push(b.unit(root, TargetKind::Bin, bin, Mode::Build, normal, None)?);
            }
            continue;
        }
        for bin in data.targets.bins.iter().filter(runnable).filter(|t| t.test) {
            roots.push(b.unit(root, TargetKind::Bin, bin, Mode::Test, normal, None)?);
        }
        for t in data
            .targets
            .tests
            .iter()
            .filter(runnable)
            .filter(|t| t.test)
        {
            roots.push(b.unit(root, TargetKind::Test, t, Mode::Test, normal, None)?);
        }
        for t in data.targets.examples.iter().filter(runnable) {
            let mode = if t.test { Mode::Test } else { Mode::Build };
            roots.push(b.unit(root, TargetKind::Example, t, mode, normal, None)?);
        }
        for t in data
            .targets
            .benches
            .iter()
            .filter(runnable)
            .filter(|t| t.test)
        {
            roots.push(b.unit(root, TargetKind::Bench, t, Mode::Test, normal, None)?);
        }
    }
    b.settle_strip();
    Ok(UnitGraph {
        version: 1,
        units: b
            .units
            .into_iter()
            .map(|u| u.expect("every unit is filled in"))
            .collect(),
        roots,
    })
}

impl Builder<'_> {
    /// The unit of `target` of `inst` in `mode`; `run_for` is the profile
    /// of the unit a build-script run is for (the run's profile derives
    /// from it).
    fn unit(
        &mut self,
        inst: InstanceId,
        kind: TargetKind,
        target: &Target,
        mode: Mode,
        want: Want,
        run_for: Option<&Profile>,
    ) -> Result<usize, Error> {
        let platform = match kind {
            TargetKind::BuildScript if mode == Mode::Build => PlatformKind::Host,
            _ => inst.1,
        };
        let profile = match run_for {
            Some(p) if mode == Mode::RunCustomBuild => self.profiles.run_custom_build(p),
            _ => {
                // A root is profiled for the requested target, even a proc-macro.
                let (unit_for, profile_platform) = match want.root_profile {
                    Some(uf) => (uf, PlatformKind::Target),
                    None => (want.unit_for, platform),
                };
                self.profiles.get(
                    &planner::package_info(self.r, inst.0),
                    unit_for,
                    planner::triple(self.r, profile_platform),
                )
            }
        };
        let features = self.r.resolution.instances[&inst].features.clone();
        // Cargo's units are identified by package, target, kind, mode,
        // features and profile: the build script of a package's target and
        // host instances is one unit when their features agree, and one
        // package can be two units that differ only in profile.
        let key: UnitKey = (
            inst.0,
            kind,
            target.name.clone(),
            platform,
            mode,
            features,
            profile.comparable(),
        );
        if let Some(&i) = self.index.get(&key) {
            return Ok(i);
        }
        let i = self.units.len();
        self.units.push(None);
        self.unit_profiles.push(Some(profile.clone()));
        self.index.insert(key, i);
        if self.depth >= MAX_UNIT_DEPTH {
            let p = &self.r.lock.packages[inst.0];
            return Err(Error::new(crate::error::ErrorKind::TooDeep {
                package: format!("`{} {}`", p.name, p.version),
                limit: MAX_UNIT_DEPTH,
            }));
        }
        self.depth += 1;
        let deps = self.deps(inst, kind, target, mode, want.unit_for, &profile);
        self.depth -= 1;
        let deps = deps?;
        let r = self.r;
        let root = self.package_root(inst.0);
        let (kinds, crate_types) = match kind {
            TargetKind::Lib => (target.crate_types.clone(), target.crate_types.clone()),
            TargetKind::Bin => (vec!["bin".into()], vec!["bin".into()]),
            TargetKind::Test => (vec!["test".into()], vec!["bin".into()]),
            TargetKind::Example => (vec!["example".into()], target.crate_types.clone()),
            TargetKind::Bench => (vec!["bench".into()], vec!["bin".into()]),
            TargetKind::BuildScript => (vec!["custom-build".into()], vec!["bin".into()]),
        };
        self.units[i] = Some(Unit {
            pkg_id: planner::package_id(r, inst.0),
            target: UnitTarget {
                kind: kinds,
                crate_types,
                name: target.name.clone(),
                src_path: format!("{root}/{}", target.path),
                edition: target.edition.clone(),
            },
            profile: serde_json::Value::Null,
            platform: match platform {
                PlatformKind::Host => None,
                PlatformKind::Target => Some(r.target.triple.clone()),
            },
            mode: match mode {
                Mode::Build => "build",
                Mode::RunCustomBuild => "run-custom-build",
                Mode::Test => "test",
                Mode::Doctest => "doctest",
            },
            features: r.resolution.instances[&inst].features.clone(),
            dependencies: deps,
        });
        Ok(i)
    }

    fn package_root(&self, idx: usize) -> String {
        let r = self.r;
        if let Some(d) = r.path_dirs.get(&idx) {
            return d.clone();
        }
        let p = &r.lock.packages[idx];
        match r.git_subdirs.get(&idx) {
            Some(sub) if !sub.is_empty() => format!("<git>/{sub}"),
            Some(_) => "<git>".to_string(),
            None => format!("<registry>/{}-{}", p.name, p.version),
        }
    }

    fn build_script_target(&self, idx: usize) -> Result<Option<Target>, Error> {
        let data = planner::resolved_data(self.r, idx)?;
        Ok(data.targets.build.as_ref().map(|path| {
            let stem = path
                .rsplit('/')
                .next()
                .unwrap_or(path)
                .trim_end_matches(".rs");
            Target {
                name: format!("build-script-{stem}"),
                path: path.clone(),
                edition: data.edition.clone(),
                crate_types: vec!["bin".into()],
                required_features: Vec::new(),
                harness: true,
                test: false,
                doctest: false,
                proc_macro: false,
            }
        }))
    }

    /// The lib unit of a dependency of a unit built for `parent`.
    fn lib_unit(&mut self, inst: InstanceId, parent: UnitFor) -> Result<Option<usize>, Error> {
        let data = planner::resolved_data(self.r, inst.0)?;
        match &data.targets.lib {
            Some(lib) => {
                let want = Want::dep(parent.with_dependency(lib.proc_macro));
                Ok(Some(self.unit(
                    inst,
                    TargetKind::Lib,
                    lib,
                    Mode::Build,
                    want,
                    None,
                )?))
            }
            None => Ok(None),
        }
    }

    /// The run of `inst`'s build script for a unit built for `unit_for`
    /// with `profile`.
    fn run_build_script(
        &mut self,
        inst: InstanceId,
        unit_for: UnitFor,
        profile: &Profile,
    ) -> Result<Option<usize>, Error> {
        match self.build_script_target(inst.0)? {
            Some(t) => Ok(Some(self.unit(
                inst,
                TargetKind::BuildScript,
                &t,
                Mode::RunCustomBuild,
                Want::dep(unit_for),
                Some(profile),
            )?)),
            None => Ok(None),
        }
    }

    /// Cargo's last pass over the graph: deferred `strip` settles against
    /// each unit's direct dependencies.
    fn settle_strip(&mut self) {
        let profiles: Vec<Profile> = self
            .unit_profiles
            .iter()
            .map(|p| p.clone().expect("every unit has a profile"))
            .collect();
        for (i, unit) in self.units.iter_mut().enumerate() {
            let unit = unit.as_mut().expect("every unit is filled in");
            let deps_debug = unit
                .dependencies
                .iter()
                .any(|d| profiles[d.index].debuginfo_on());
            let mut p = profiles[i].clone();
            p.settle_strip(deps_debug);
            unit.profile = p.unit_graph_json();
        }
    }

    fn deps(
        &mut self,
        inst: InstanceId,
        kind: TargetKind,
        target: &Target,
        mode: Mode,
        unit_for: UnitFor,
        profile: &Profile,
    ) -> Result<Vec<UnitDep>, Error> {
        let r = self.r;
        let edges = r.resolution.instances[&inst].deps.clone();
        let mut out = Vec::new();
        if kind == TargetKind::BuildScript {
            if mode == Mode::Build {
                for (name, dep, _) in edges.iter().filter(|e| e.2 == DepKind::Build) {
                    if let Some(i) = self.lib_unit(*dep, unit_for)? {
                        out.push(UnitDep {
                            index: i,
                            extern_crate_name: name.clone(),
                        });
                    }
                }
            } else {
                let compile = self.unit(
                    inst,
                    TargetKind::BuildScript,
                    target,
                    Mode::Build,
                    Want::dep(unit_for.for_custom_build()),
                    None,
                )?;
                out.push(UnitDep {
                    index: compile,
                    extern_crate_name: crate_name(&target.name),
                });
                // Build scripts run after those of direct normal deps with `links`.
                for (_, dep, _) in edges.iter().filter(|e| e.2 == DepKind::Normal) {
                    if dep.0 == inst.0 {
                        continue;
                    }
                    let dep_data = planner::resolved_data(r, dep.0)?;
                    if dep_data.links.is_some() {
                        // The run for the dependency as the unit this run is
                        // for depends on it.
                        let dep_for = unit_for.with_dependency(
                            dep_data.targets.lib.as_ref().is_some_and(|l| l.proc_macro),
                        );
                        let dep_profile = self.profiles.get(
                            &planner::package_info(r, dep.0),
                            dep_for,
                            planner::triple(r, dep.1),
                        );
                        if let Some(i) = self.run_build_script(*dep, dep_for, &dep_profile)? {
                            let t = self
                                .build_script_target(dep.0)?
                                .expect("has a build script");
                            out.push(UnitDep {
                                index: i,
                                extern_crate_name: crate_name(&t.name),
                            });
                        }
                    }
                }
            }
            out.sort();
            out.dedup();
            return Ok(out);
        }
        let with_dev = matches!(mode, Mode::Test | Mode::Doctest)
            || kind == TargetKind::Example
            || kind == TargetKind::Test;
        for (name, dep, k) in &edges {
            let wanted = match k {
                DepKind::Normal => true,
                DepKind::Dev => with_dev,
                DepKind::Build => false,
            };
            if wanted {
                if let Some(i) = self.lib_unit(*dep, unit_for)? {
                    out.push(UnitDep {
                        index: i,
                        extern_crate_name: name.clone(),
                    });
                }
            }
        }
        if let Some(i) = self.run_build_script(inst, unit_for, profile)? {
            let t = self
                .build_script_target(inst.0)?
                .expect("has a build script");
            out.push(UnitDep {
                index: i,
                extern_crate_name: crate_name(&t.name),
            });
        }
        // Doc tests link the library they document, as other targets do.
        if kind != TargetKind::Lib || mode == Mode::Doctest {
            let data = planner::resolved_data(r, inst.0)?;
            if let Some(lib) = &data.targets.lib {
                let lib_inst = if lib.proc_macro {
                    (inst.0, PlatformKind::Host)
                } else {
                    inst
                };
                if r.resolution.instances.contains_key(&lib_inst) {
                    let want = Want::dep(unit_for.with_dependency(lib.proc_macro));
                    let i = self.unit(lib_inst, TargetKind::Lib, lib, Mode::Build, want, None)?;
                    out.push(UnitDep {
                        index: i,
                        extern_crate_name: lib.name.clone(),
                    });
                }
            }
            if mode == Mode::Test && matches!(kind, TargetKind::Test | TargetKind::Bench) {
                let features = r.resolution.instances[&inst].features.clone();
                for bin in data.targets.bins.iter() {
                    if bin
                        .required_features
                        .iter()
                        .all(|f| feature_enabled(f, &features))
                    {
                        // Cargo builds these as normal units: they read `panic`.
                        let want = Want::dep(UnitFor::NORMAL);
                        let i = self.unit(inst, TargetKind::Bin, bin, Mode::Build, want, None)?;
                        out.push(UnitDep {
                            index: i,
                            extern_crate_name: crate_name(&bin.name),
                        });
                    }
                }
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

fn crate_name(target_name: &str) -> String {
    target_name.replace('-', "_")
}
