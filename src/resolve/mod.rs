//! Resolution: selection -> features -> the instance graph, as cargo's unit
//! graph would have it (one instance per package and platform; its features
//! follow from the pair).

pub mod features;
pub mod graph;

use crate::error::Error;
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
                Error::msg(format!(
                    "crateplan: package `{name}` is not a member of the workspace (members: {})",
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
            .ok_or_else(|| Error::msg("crateplan: internal error: member manifest missing"))?;
        let mut fvs = Vec::new();
        for f in sel
            .features
            .iter()
            .flat_map(|f| f.split([' ', ',']))
            .filter(|f| !f.is_empty())
        {
            match f.split_once('/') {
                Some((pkg, feat))
                    if members.contains_key(pkg) && !data.features.contains_key(f) =>
                {
                    if names.get(&idx) == Some(&pkg) {
                        fvs.push(FeatureValue::parse(feat));
                        used.insert(f.to_string());
                    }
                }
                Some(_) => {
                    fvs.push(FeatureValue::parse(f));
                    used.insert(f.to_string());
                }
                None => {
                    if data.features.contains_key(f) {
                        fvs.push(FeatureValue::parse(f));
                        used.insert(f.to_string());
                    }
                }
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
            return Err(Error::msg(format!(
                "crateplan: none of the selected packages has the feature `{f}`"
            )));
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
