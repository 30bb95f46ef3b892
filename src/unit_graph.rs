//! The resolution in the JSON format of cargo's `--unit-graph` (version 1),
//! so it can be diffed against `cargo build --unit-graph` unit for unit.

use crate::error::Error;
use crate::plan::{DepKind, PlatformKind, Target};
use crate::planner::{self, Resolved};
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

type UnitKey = (usize, TargetKind, String, PlatformKind, Mode, Vec<String>);

struct Builder<'r> {
    r: &'r Resolved,
    index: BTreeMap<UnitKey, usize>,
    units: Vec<Option<Unit>>,
}

/// Builds the unit graph of a resolution; `tests` selects `cargo test`'s units.
pub fn unit_graph(r: &Resolved, tests: bool) -> Result<UnitGraph, Error> {
    let mut b = Builder {
        r,
        index: BTreeMap::new(),
        units: Vec::new(),
    };
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
                if !tests || lib.test {
                    roots.push(b.unit(root, TargetKind::Lib, lib, mode)?);
                }
                // `cargo test` without target filters adds the lib's doc
                // tests (cargo's `CompileFilter::Default`), for every target.
                if tests && lib.doctest {
                    roots.push(b.unit(root, TargetKind::Lib, lib, Mode::Doctest)?);
                }
            }
        }
        if is_host && data.targets.lib.as_ref().is_some_and(|l| l.proc_macro) {
            continue;
        }
        if !tests {
            for bin in data.targets.bins.iter().filter(runnable) {
                roots.push(b.unit(root, TargetKind::Bin, bin, Mode::Build)?);
            }
            continue;
        }
        for bin in data.targets.bins.iter().filter(runnable).filter(|t| t.test) {
            roots.push(b.unit(root, TargetKind::Bin, bin, Mode::Test)?);
        }
        for t in data
            .targets
            .tests
            .iter()
            .filter(runnable)
            .filter(|t| t.test)
        {
            roots.push(b.unit(root, TargetKind::Test, t, Mode::Test)?);
        }
        for t in data.targets.examples.iter().filter(runnable) {
            let mode = if t.test { Mode::Test } else { Mode::Build };
            roots.push(b.unit(root, TargetKind::Example, t, mode)?);
        }
        for t in data
            .targets
            .benches
            .iter()
            .filter(runnable)
            .filter(|t| t.test)
        {
            roots.push(b.unit(root, TargetKind::Bench, t, Mode::Test)?);
        }
    }
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
    fn unit(
        &mut self,
        inst: InstanceId,
        kind: TargetKind,
        target: &Target,
        mode: Mode,
    ) -> Result<usize, Error> {
        let platform = match kind {
            TargetKind::BuildScript if mode == Mode::Build => PlatformKind::Host,
            _ => inst.1,
        };
        let features = self.r.resolution.instances[&inst].features.clone();
        // Cargo's units are identified by package, target, kind, mode and
        // features: the build script of a package's target and host instances
        // is one unit when their features agree.
        let key: UnitKey = (inst.0, kind, target.name.clone(), platform, mode, features);
        if let Some(&i) = self.index.get(&key) {
            return Ok(i);
        }
        let i = self.units.len();
        self.units.push(None);
        self.index.insert(key, i);
        let deps = self.deps(inst, kind, target, mode)?;
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

    fn lib_unit(&mut self, inst: InstanceId) -> Result<Option<usize>, Error> {
        let data = planner::resolved_data(self.r, inst.0)?;
        match &data.targets.lib {
            Some(lib) => Ok(Some(self.unit(inst, TargetKind::Lib, lib, Mode::Build)?)),
            None => Ok(None),
        }
    }

    fn run_build_script(&mut self, inst: InstanceId) -> Result<Option<usize>, Error> {
        match self.build_script_target(inst.0)? {
            Some(t) => Ok(Some(self.unit(
                inst,
                TargetKind::BuildScript,
                &t,
                Mode::RunCustomBuild,
            )?)),
            None => Ok(None),
        }
    }

    fn deps(
        &mut self,
        inst: InstanceId,
        kind: TargetKind,
        target: &Target,
        mode: Mode,
    ) -> Result<Vec<UnitDep>, Error> {
        let r = self.r;
        let edges = r.resolution.instances[&inst].deps.clone();
        let mut out = Vec::new();
        if kind == TargetKind::BuildScript {
            if mode == Mode::Build {
                for (name, dep, _) in edges.iter().filter(|e| e.2 == DepKind::Build) {
                    if let Some(i) = self.lib_unit(*dep)? {
                        out.push(UnitDep {
                            index: i,
                            extern_crate_name: name.clone(),
                        });
                    }
                }
            } else {
                let compile = self.unit(inst, TargetKind::BuildScript, target, Mode::Build)?;
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
                        if let Some(i) = self.run_build_script(*dep)? {
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
                if let Some(i) = self.lib_unit(*dep)? {
                    out.push(UnitDep {
                        index: i,
                        extern_crate_name: name.clone(),
                    });
                }
            }
        }
        if let Some(i) = self.run_build_script(inst)? {
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
                    let i = self.unit(lib_inst, TargetKind::Lib, lib, Mode::Build)?;
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
                        let i = self.unit(inst, TargetKind::Bin, bin, Mode::Build)?;
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
