//! Resolution: selection -> features -> the instance graph, as cargo's unit
//! graph would have it (one instance per package and platform; its features
//! follow from the pair).

pub mod features;
pub mod graph;

use crate::error::{Error, ErrorKind};
use crate::manifest::{FeatureValue, PackageData};
use crate::plan::{DepKind, PlatformKind};
use crate::request::Selection;
use features::{FeatureResolver, FeaturesFor, Opts, ResolvedFeatures};
use graph::Graph;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// One crate instance: a package built for the target or for the host.
pub type InstanceId = (usize, PlatformKind);

#[derive(Debug, Clone)]
pub struct InstanceData {
    pub features: Vec<String>,
    /// (extern name, dependency instance, kind).
    pub deps: Vec<(String, InstanceId, DepKind)>,
    /// Bins to build (selected members only).
    pub bins: Vec<String>,
}

#[derive(Debug)]
pub struct Resolution {
    pub instances: BTreeMap<InstanceId, InstanceData>,
    pub roots: Vec<InstanceId>,
    /// Manifests of every package in the resolution and of every member.
    pub data: BTreeMap<usize, Rc<PackageData>>,
}

/// A selected member with the feature values asked for it.
pub struct Root {
    pub index: usize,
    pub features: Vec<FeatureValue>,
}

/// Works out which members are selected and their requested features, as
/// cargo does for `-p`, `--workspace`, `--features`, `--all-features` and
/// `--no-default-features`.
pub fn select_roots(
    graph: &mut Graph<'_>,
    members: &BTreeMap<String, usize>,
    default_members: &[usize],
    sel: &Selection,
) -> Result<Vec<Root>, Error> {
    let mut chosen: Vec<usize> = if sel.workspace {
        members.values().copied().collect()
    } else if !sel.packages.is_empty() {
        let mut out = Vec::new();
        for name in &sel.packages {
            let idx = members.get(name).ok_or_else(|| {
                Error::selection(format!(
                    "package `{name}` is not a member of the workspace (members: {})",
                    members.keys().cloned().collect::<Vec<_>>().join(", ")
                ))
            })?;
            out.push(*idx);
        }
        out
    } else {
        default_members.to_vec()
    };
    chosen.sort();
    chosen.dedup();
    let names: BTreeMap<usize, &str> = members.iter().map(|(n, i)| (*i, n.as_str())).collect();

    let mut roots = Vec::new();
    let mut used = BTreeSet::new();
    for &idx in &chosen {
        let data = graph
            .data(idx)?
            .ok_or_else(|| Error::internal("member manifest missing"))?;
        let mut fvs = Vec::new();
        for f in sel
            .features
            .iter()
            .flat_map(|f| f.split([' ', ',']))
            .filter(|f| !f.is_empty())
        {
            if f.matches('/').count() > 1 {
                return Err(Error::selection(format!(
                    "multiple slashes in feature `{f}` is not allowed"
                )));
            }
            let has_dep = |d: &str| data.deps.iter().any(|dep| dep.name_in_toml == d);
            let has = match f.split_once('/') {
                // `member/feat`: a feature of that member, if it is this one.
                Some((pkg, feat))
                    if members.contains_key(pkg) && !data.features.contains_key(f) =>
                {
                    names.get(&idx) == Some(&pkg)
                        && match FeatureValue::parse(feat) {
                            FeatureValue::Feature(x) => data.features.contains_key(&x),
                            FeatureValue::Dep(_) => false,
                            FeatureValue::DepFeature { dep, .. } => has_dep(&dep),
                        }
                        && {
                            fvs.push(FeatureValue::parse(feat));
                            true
                        }
                }
                // `dep/feat`: a feature of one of this member's dependencies.
                Some((dep, _)) => {
                    has_dep(dep.trim_end_matches('?')) && {
                        fvs.push(FeatureValue::parse(f));
                        true
                    }
                }
                None => {
                    data.features.contains_key(f) && {
                        fvs.push(FeatureValue::parse(f));
                        true
                    }
                }
            };
            if has {
                used.insert(f.to_string());
            }
        }
        if sel.all_features {
            fvs.extend(
                data.features
                    .keys()
                    .map(|k| FeatureValue::Feature(k.clone())),
            );
        }
        if !sel.no_default_features && data.features.contains_key("default") {
            fvs.push(FeatureValue::Feature("default".into()));
        }
        roots.push(Root {
            index: idx,
            features: fvs,
        });
    }
    for f in sel
        .features
        .iter()
        .flat_map(|f| f.split([' ', ',']))
        .filter(|f| !f.is_empty())
    {
        if !used.contains(f) {
            // Cargo's wording, with where to fix it.
            let chosen_names: Vec<&str> = chosen
                .iter()
                .filter_map(|i| names.get(i).copied())
                .collect();
            let what = match chosen_names.as_slice() {
                [one] => format!("the package '{one}' does not contain this feature: {f}"),
                many => format!(
                    "none of the selected packages contains this feature: {f} (selected packages: {})",
                    many.join(", ")
                ),
            };
            return Err(Error::selection(what));
        }
    }
    Ok(roots)
}

fn features_for(opts: &Opts, kind: PlatformKind) -> FeaturesFor {
    match kind {
        PlatformKind::Host if opts.decouple_host_deps => FeaturesFor::HostDep,
        _ => FeaturesFor::NormalOrDev,
    }
}

/// Resolves features, then walks the instance graph from the roots.
pub fn resolve(
    graph: &mut Graph<'_>,
    roots: &[Root],
    resolver_v2: bool,
    tests: bool,
) -> Result<Resolution, Error> {
    let opts = Opts::new(resolver_v2, tests);
    graph.dev_roots = if tests || !resolver_v2 {
        roots.iter().map(|r| r.index).collect()
    } else {
        BTreeSet::new()
    };
    let root_fvs: Vec<(usize, Vec<FeatureValue>)> = roots
        .iter()
        .map(|r| (r.index, r.features.clone()))
        .collect();
    let resolved = FeatureResolver::new(graph, opts).resolve(&root_fvs)?;
    let selected: BTreeSet<usize> = roots.iter().map(|r| r.index).collect();

    let mut instances: BTreeMap<InstanceId, InstanceData> = BTreeMap::new();
    let mut root_ids = Vec::new();
    let mut queue: Vec<InstanceId> = Vec::new();
    for r in roots {
        let Some(data) = graph.data(r.index)? else {
            continue;
        };
        if data.has_proc_macro_lib() {
            root_ids.push((r.index, PlatformKind::Host));
            if !data.targets.bins.is_empty() || tests {
                root_ids.push((r.index, PlatformKind::Target));
            }
        } else {
            root_ids.push((r.index, PlatformKind::Target));
        }
    }
    queue.extend(root_ids.iter().copied());
    while let Some(id) = queue.pop() {
        if instances.contains_key(&id) {
            continue;
        }
        let inst = instance(
            graph,
            &resolved,
            &opts,
            id,
            selected.contains(&id.0) && tests,
            &selected,
        )?;
        for (_, dep, _) in &inst.deps {
            if !instances.contains_key(dep) {
                queue.push(*dep);
            }
        }
        instances.insert(id, inst);
    }
    if let Some(cycle) = find_cycle(&instances) {
        return Err(cycle_error(graph, &cycle));
    }
    let mut data = BTreeMap::new();
    for idx in instances
        .keys()
        .map(|(i, _)| *i)
        .chain(graph.members.clone())
    {
        if let Some(d) = graph.data(idx)? {
            data.insert(idx, d);
        }
    }
    Ok(Resolution {
        instances,
        roots: root_ids,
        data,
    })
}

/// A cycle among the non-dev edges of the instance graph, if there is one,
/// as the instances along it (the first repeated at the end). Cargo allows
/// cycles only through dev-dependencies. Iterative: depth costs no stack.
fn find_cycle(instances: &BTreeMap<InstanceId, InstanceData>) -> Option<Vec<InstanceId>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        OnPath,
        Done,
    }
    let mut marks: BTreeMap<InstanceId, Mark> = BTreeMap::new();
    for &start in instances.keys() {
        if marks.contains_key(&start) {
            continue;
        }
        // (instance, index of the next edge to look at)
        let mut path: Vec<(InstanceId, usize)> = vec![(start, 0)];
        marks.insert(start, Mark::OnPath);
        while let Some(&mut (id, ref mut next)) = path.last_mut() {
            let edges = &instances[&id].deps;
            let edge = edges[*next..]
                .iter()
                .position(|(_, _, kind)| *kind != DepKind::Dev)
                .map(|i| *next + i);
            let Some(e) = edge else {
                marks.insert(id, Mark::Done);
                path.pop();
                continue;
            };
            *next = e + 1;
            let dep = edges[e].1;
            match marks.get(&dep) {
                Some(Mark::Done) => {}
                Some(Mark::OnPath) => {
                    let from = path.iter().position(|(i, _)| *i == dep).unwrap_or(0);
                    let mut cycle: Vec<InstanceId> = path[from..].iter().map(|(i, _)| *i).collect();
                    cycle.push(dep);
                    return Some(cycle);
                }
                None if instances.contains_key(&dep) => {
                    marks.insert(dep, Mark::OnPath);
                    path.push((dep, 0));
                }
                None => {}
            }
        }
    }
    None
}

/// Cargo's "cyclic package dependency" error, naming every package on the cycle.
fn cycle_error(graph: &Graph<'_>, cycle: &[InstanceId]) -> Error {
    let name = |id: &InstanceId| {
        let p = &graph.lock.packages[id.0];
        format!("`{} v{}`", p.name, p.version)
    };
    let steps: Vec<String> = cycle.iter().map(name).collect();
    Error::new(ErrorKind::CyclicDependency { cycle: steps })
}

fn instance(
    graph: &mut Graph<'_>,
    resolved: &ResolvedFeatures,
    opts: &Opts,
    (pkg, kind): InstanceId,
    with_dev: bool,
    selected: &BTreeSet<usize>,
) -> Result<InstanceData, Error> {
    let ff = features_for(opts, kind);
    let features = resolved.features(opts, pkg, ff);
    let Some(data) = graph.data(pkg)? else {
        return Ok(InstanceData {
            features,
            deps: Vec::new(),
            bins: Vec::new(),
        });
    };
    let has_build_script = data.targets.build.is_some();
    let mut deps = Vec::new();
    for dep in graph.linked(pkg)?.iter() {
        let Some(target) = dep.target else { continue };
        let on_host = match dep.kind {
            DepKind::Build => {
                if !has_build_script {
                    continue;
                }
                true
            }
            DepKind::Dev if !with_dev => continue,
            _ => kind == PlatformKind::Host,
        };
        if !graph.platform_active(dep, on_host)? {
            continue;
        }
        if dep.optional && !resolved.is_dep_activated(opts, pkg, ff, &dep.name_in_toml) {
            continue;
        }
        let Some(dep_data) = graph.data(target)? else {
            continue;
        };
        let Some(lib) = &dep_data.targets.lib else {
            continue;
        };
        let dep_kind = if on_host || lib.proc_macro {
            PlatformKind::Host
        } else {
            PlatformKind::Target
        };
        let extern_name = if dep.renamed {
            dep.name_in_toml.replace('-', "_")
        } else {
            lib.name.clone()
        };
        deps.push((extern_name, (target, dep_kind), dep.kind));
    }
    deps.sort();
    deps.dedup();
    let bins = if selected.contains(&pkg) {
        buildable_bins(&data, &features)
    } else {
        Vec::new()
    };
    Ok(InstanceData {
        features,
        deps,
        bins,
    })
}

fn buildable_bins(data: &Rc<PackageData>, features: &[String]) -> Vec<String> {
    data.targets
        .bins
        .iter()
        .filter(|b| {
            b.required_features
                .iter()
                .all(|f| feature_enabled(f, features))
        })
        .map(|b| b.name.clone())
        .collect()
}

/// A required feature `f` or `dep/f` counts as enabled as cargo counts it.
pub fn feature_enabled(required: &str, features: &[String]) -> bool {
    let name = required.split('/').next().unwrap_or(required);
    features.iter().any(|f| f == required || f == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(usize, usize, DepKind)]) -> BTreeMap<InstanceId, InstanceData> {
        let mut out: BTreeMap<InstanceId, InstanceData> = BTreeMap::new();
        for &(from, to, kind) in edges {
            for i in [from, to] {
                out.entry((i, PlatformKind::Target))
                    .or_insert_with(|| InstanceData {
                        features: Vec::new(),
                        deps: Vec::new(),
                        bins: Vec::new(),
                    });
            }
            out.get_mut(&(from, PlatformKind::Target))
                .unwrap()
                .deps
                .push((format!("c{to}"), (to, PlatformKind::Target), kind));
        }
        out
    }

    #[test]
    fn cycles_are_found_and_named_in_order() {
        let g = graph(&[
            (0, 1, DepKind::Normal),
            (1, 2, DepKind::Build),
            (2, 1, DepKind::Normal),
        ]);
        let cycle: Vec<usize> = find_cycle(&g).unwrap().iter().map(|i| i.0).collect();
        assert_eq!(cycle, [1, 2, 1]);
    }

    #[test]
    fn dev_dependency_cycles_are_allowed_and_deep_chains_cost_no_stack() {
        let g = graph(&[(0, 1, DepKind::Normal), (1, 0, DepKind::Dev)]);
        assert_eq!(find_cycle(&g), None);
        let chain: Vec<(usize, usize, DepKind)> =
            (0..50_000).map(|i| (i, i + 1, DepKind::Normal)).collect();
        assert_eq!(find_cycle(&graph(&chain)), None);
    }
}
