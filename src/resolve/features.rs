//! Feature resolution, as cargo's `FeatureResolver` does it: which features
//! and which optional dependencies are active for each (package, features-for)
//! pair. Resolver "1" unifies everything; "2"/"3" keep host dependencies
//! (build scripts, proc-macros and what they use) apart, ignore inactive
//! platforms, and only see dev-dependencies when tests are built.

use super::graph::{Graph, Linked};
use crate::error::Error;
use crate::manifest::FeatureValue;
use crate::plan::DepKind;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// Whether features are resolved for the target or for the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FeaturesFor {
    NormalOrDev,
    HostDep,
}

#[derive(Debug, Clone, Copy)]
pub struct Opts {
    /// Resolver 2: host deps resolve separately.
    pub decouple_host_deps: bool,
    /// Resolver 2: target-specific deps of other platforms are ignored.
    pub ignore_inactive_targets: bool,
    /// Resolver 2 without tests: dev-dependencies are ignored.
    pub decouple_dev_deps: bool,
}

impl Opts {
    pub fn new(resolver_v2: bool, tests: bool) -> Opts {
        Opts {
            decouple_host_deps: resolver_v2,
            ignore_inactive_targets: resolver_v2,
            decouple_dev_deps: resolver_v2 && !tests,
        }
    }

    /// The key features are stored under: resolver 1 does not split them.
    pub fn apply(&self, fk: FeaturesFor) -> FeaturesFor {
        if self.decouple_host_deps {
            fk
        } else {
            FeaturesFor::NormalOrDev
        }
    }
}

type Key = (usize, FeaturesFor);

/// A package's linked dependencies, and the ones that count: (position in
/// the links, locked package, features-for it resolves under).
type DepsOf = (Rc<Vec<Linked>>, Vec<(usize, usize, FeaturesFor)>);

/// The outcome: enabled features and activated optional dependencies.
#[derive(Debug, Default)]
pub struct ResolvedFeatures {
    pub features: BTreeMap<Key, BTreeSet<String>>,
    pub activated_deps: BTreeMap<Key, BTreeSet<String>>,
}

impl ResolvedFeatures {
    pub fn features(&self, opts: &Opts, pkg: usize, fk: FeaturesFor) -> Vec<String> {
        self.features
            .get(&(pkg, opts.apply(fk)))
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }

    pub fn is_dep_activated(&self, opts: &Opts, pkg: usize, fk: FeaturesFor, dep: &str) -> bool {
        self.activated_deps
            .get(&(pkg, opts.apply(fk)))
            .is_some_and(|s| s.contains(dep))
    }
}

/// One step of the resolution. Steps go on an explicit stack instead of the
/// call stack, so a chain of 100k features (or dependencies), which anyone
/// publishing a crate can write, costs memory in proportion, not a stack
/// overflow; the order is the depth-first order of cargo's recursion.
enum Step {
    /// Activate a package with some feature values, then its dependencies.
    Pkg(usize, FeaturesFor, Vec<FeatureValue>),
    /// The non-optional dependencies of a package, once per (package, fk).
    PkgDeps(usize, FeaturesFor),
    /// One feature value of a package.
    Fv(usize, FeaturesFor, FeatureValue),
}

pub struct FeatureResolver<'g, 'a> {
    graph: &'g mut Graph<'a>,
    opts: Opts,
    out: ResolvedFeatures,
    processed: BTreeSet<Key>,
    deferred_weak: BTreeMap<(usize, FeaturesFor, String), BTreeSet<String>>,
    /// Steps still to do; the last is done next.
    stack: Vec<Step>,
}

impl<'g, 'a> FeatureResolver<'g, 'a> {
    pub fn new(graph: &'g mut Graph<'a>, opts: Opts) -> Self {
        FeatureResolver {
            graph,
            opts,
            out: ResolvedFeatures::default(),
            processed: BTreeSet::new(),
            deferred_weak: BTreeMap::new(),
            stack: Vec::new(),
        }
    }

    /// Resolves from the selected members with their requested feature values.
    pub fn resolve(
        mut self,
        roots: &[(usize, Vec<FeatureValue>)],
    ) -> Result<ResolvedFeatures, Error> {
        for (pkg, fvs) in roots {
            let is_proc_macro = self
                .graph
                .data(*pkg)?
                .is_some_and(|d| d.has_proc_macro_lib());
            let fk = if self.opts.decouple_host_deps && is_proc_macro {
                self.run(Step::Pkg(*pkg, FeaturesFor::NormalOrDev, fvs.clone()))?;
                FeaturesFor::HostDep
            } else {
                FeaturesFor::NormalOrDev
            };
            self.run(Step::Pkg(*pkg, fk, fvs.clone()))?;
        }
        Ok(self.out)
    }

    /// Does `first` and everything it leads to.
    fn run(&mut self, first: Step) -> Result<(), Error> {
        self.stack.push(first);
        while let Some(step) = self.stack.pop() {
            match step {
                Step::Pkg(pkg, fk, fvs) => self.activate_pkg(pkg, fk, fvs),
                Step::PkgDeps(pkg, fk) => self.activate_pkg_deps(pkg, fk)?,
                Step::Fv(pkg, fk, fv) => self.activate_fv(pkg, fk, fv)?,
            }
        }
        Ok(())
    }

    /// Schedules steps to run in the given order (before anything already
    /// scheduled), as the recursive calls would have run.
    fn then(&mut self, steps: Vec<Step>) {
        self.stack.extend(steps.into_iter().rev());
    }

    fn activate_pkg(&mut self, pkg: usize, fk: FeaturesFor, fvs: Vec<FeatureValue>) {
        self.out
            .features
            .entry((pkg, self.opts.apply(fk)))
            .or_default();
        let mut steps: Vec<Step> = fvs.into_iter().map(|fv| Step::Fv(pkg, fk, fv)).collect();
        steps.push(Step::PkgDeps(pkg, fk));
        self.then(steps);
    }

    fn activate_pkg_deps(&mut self, pkg: usize, fk: FeaturesFor) -> Result<(), Error> {
        if !self.processed.insert((pkg, fk)) {
            return Ok(());
        }
        let (links, deps) = self.deps(pkg, fk, None)?;
        let mut steps = Vec::new();
        for (i, dep_pkg, dep_fk) in deps {
            let dep = &links[i];
            if dep.optional {
                continue;
            }
            let fvs = self.fvs_from_dependency(dep_pkg, dep)?;
            steps.push(Step::Pkg(dep_pkg, dep_fk, fvs));
        }
        self.then(steps);
        Ok(())
    }

    fn activate_fv(&mut self, pkg: usize, fk: FeaturesFor, fv: FeatureValue) -> Result<(), Error> {
        match fv {
            FeatureValue::Feature(f) => self.activate_rec(pkg, fk, &f),
            FeatureValue::Dep(dep) => self.activate_dependency(pkg, fk, &dep),
            FeatureValue::DepFeature { dep, feature, weak } => {
                self.activate_dep_feature(pkg, fk, &dep, &feature, weak)
            }
        }
    }

    fn activate_rec(&mut self, pkg: usize, fk: FeaturesFor, feature: &str) -> Result<(), Error> {
        let enabled = self
            .out
            .features
            .entry((pkg, self.opts.apply(fk)))
            .or_default();
        if enabled.contains(feature) {
            return Ok(());
        }
        enabled.insert(feature.to_string());
        let Some(data) = self.graph.data(pkg)? else {
            return Ok(());
        };
        let Some(values) = data.feature_values(feature) else {
            return Ok(());
        };
        let steps = values.map(|fv| Step::Fv(pkg, fk, fv)).collect();
        self.then(steps);
        Ok(())
    }

    fn activate_dependency(
        &mut self,
        pkg: usize,
        fk: FeaturesFor,
        dep_name: &str,
    ) -> Result<(), Error> {
        self.out
            .activated_deps
            .entry((pkg, self.opts.apply(fk)))
            .or_default()
            .insert(dep_name.to_string());
        let to_enable = self.deferred_weak.remove(&(pkg, fk, dep_name.to_string()));
        let (links, deps) = self.deps(pkg, fk, Some(dep_name))?;
        let mut steps = Vec::new();
        for (i, dep_pkg, dep_fk) in deps {
            let dep = &links[i];
            if let Some(to_enable) = &to_enable {
                for feature in to_enable {
                    steps.push(Step::Fv(dep_pkg, dep_fk, FeatureValue::parse(feature)));
                }
            }
            let fvs = self.fvs_from_dependency(dep_pkg, dep)?;
            steps.push(Step::Pkg(dep_pkg, dep_fk, fvs));
        }
        self.then(steps);
        Ok(())
    }

    fn activate_dep_feature(
        &mut self,
        pkg: usize,
        fk: FeaturesFor,
        dep_name: &str,
        feature: &str,
        weak: bool,
    ) -> Result<(), Error> {
        let (links, deps) = self.deps(pkg, fk, Some(dep_name))?;
        let mut steps = Vec::new();
        for (i, dep_pkg, dep_fk) in deps {
            let dep = &links[i];
            if dep.optional {
                let active = self
                    .out
                    .activated_deps
                    .get(&(pkg, self.opts.apply(fk)))
                    .is_some_and(|s| s.contains(dep_name));
                if weak && !active {
                    // Weak and not (yet) active: remember it in case something enables it.
                    self.deferred_weak
                        .entry((pkg, fk, dep_name.to_string()))
                        .or_default()
                        .insert(feature.to_string());
                    continue;
                }
                steps.push(Step::Fv(pkg, fk, FeatureValue::Dep(dep_name.to_string())));
                if !weak {
                    // `dep/feat` also enables the implicit feature of the same name, if it exists.
                    let has_feature = self
                        .graph
                        .data(pkg)?
                        .is_some_and(|d| d.features.contains_key(dep_name));
                    if has_feature {
                        steps.push(Step::Fv(pkg, fk, FeatureValue::Feature(dep_name.into())));
                    }
                }
            }
            steps.push(Step::Fv(dep_pkg, dep_fk, FeatureValue::parse(feature)));
        }
        self.then(steps);
        Ok(())
    }

    fn fvs_from_dependency(
        &mut self,
        dep_pkg: usize,
        dep: &Linked,
    ) -> Result<Vec<FeatureValue>, Error> {
        let mut out: Vec<FeatureValue> = dep
            .features
            .iter()
            .map(|f| FeatureValue::parse(f))
            .collect();
        if dep.default_features {
            if let Some(d) = self.graph.data(dep_pkg)? {
                if d.features.contains_key("default") {
                    out.push(FeatureValue::Feature("default".into()));
                }
            }
        }
        Ok(out)
    }

    /// The dependencies of `pkg` that count for features-for `fk` (only those
    /// named `only` in the manifest, if given), with the features-for each
    /// resolves under. Positions into the shared links, not copies of them:
    /// this runs for every feature activation.
    fn deps(&mut self, pkg: usize, fk: FeaturesFor, only: Option<&str>) -> Result<DepsOf, Error> {
        let links = self.graph.linked(pkg)?;
        let mut out = Vec::new();
        for (i, dep) in links.iter().enumerate() {
            if only.is_some_and(|name| dep.name_in_toml != name) {
                continue;
            }
            let Some(dep_pkg) = dep.target else {
                continue;
            };
            if dep.platform.is_some() && self.opts.ignore_inactive_targets {
                let host = dep.kind == DepKind::Build || fk == FeaturesFor::HostDep;
                if !self.graph.platform_active(dep, host)? {
                    continue;
                }
            }
            if self.opts.decouple_dev_deps && dep.kind == DepKind::Dev {
                continue;
            }
            if dep.kind == DepKind::Dev && !self.graph.is_dev_root(pkg) {
                continue;
            }
            let dep_fk = if fk == FeaturesFor::NormalOrDev && self.opts.decouple_host_deps {
                let proc_macro = self
                    .graph
                    .data(dep_pkg)?
                    .is_some_and(|d| d.has_proc_macro_lib());
                if dep.kind == DepKind::Build || proc_macro {
                    FeaturesFor::HostDep
                } else {
                    fk
                }
            } else {
                fk
            };
            out.push((i, dep_pkg, dep_fk));
        }
        Ok((links, out))
    }
}
