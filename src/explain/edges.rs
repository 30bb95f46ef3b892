//! The features each dependency edge asks for: what the dependent's
//! declaration lists (`features = [...]`, and `default` unless
//! `default-features = false`) and what the dependent's enabled features
//! add through `dep/feature` (or `dep?/feature`) entries. The plan keeps
//! only the unified result per instance; this is the "why" behind it.

use crate::manifest::{FeatureValue, PackageData};
use crate::plan::{DepKind, Plan, PlatformKind};
use crate::planner::{package_id, Resolved};
use std::collections::{BTreeMap, BTreeSet};

/// One feature an edge asks for, and through which of the dependent's own
/// features (`None`: the dependency's declaration itself).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AskedFeature {
    pub feature: String,
    pub via: Option<String>,
}

/// (dependent instance key, dependency instance key, kind) → what it asks for.
pub type EdgeFeatures = BTreeMap<(String, String, DepKind), BTreeSet<AskedFeature>>;

/// The features every edge of `plan` (built from `r`) asks for.
pub fn edge_features(r: &Resolved, plan: &Plan) -> EdgeFeatures {
    let key_of_id: BTreeMap<&str, &str> = plan
        .packages
        .iter()
        .map(|(k, p)| (p.id.as_str(), k.as_str()))
        .collect();
    let instance_key = |(idx, kind): (usize, PlatformKind)| -> Option<String> {
        let pkg = key_of_id.get(package_id(r, idx).as_str())?;
        Some(match kind {
            PlatformKind::Target => pkg.to_string(),
            PlatformKind::Host => format!("{pkg}@host"),
        })
    };
    let mut out = EdgeFeatures::new();
    for (&(idx, kind), data) in &r.resolution.instances {
        let (Some(from), Some(pd)) = (instance_key((idx, kind)), r.resolution.data.get(&idx))
        else {
            continue;
        };
        for (_, dep_id, dep_kind) in &data.deps {
            let Some(to) = instance_key(*dep_id) else {
                continue;
            };
            let dep = &r.lock.packages[dep_id.0];
            let platform = match (dep_kind, kind) {
                (DepKind::Build, _) | (_, PlatformKind::Host) => &r.host,
                _ => &r.target,
            };
            let asked = out.entry((from.clone(), to, *dep_kind)).or_default();
            for decl in pd.deps.iter().filter(|d| {
                d.package == dep.name
                    && d.kind == *dep_kind
                    && d.req.as_ref().is_none_or(|req| req.matches(&dep.version))
                    && d.platform
                        .as_deref()
                        .is_none_or(|p| platform.matches_spec(p).unwrap_or(false))
            }) {
                if decl.default_features {
                    asked.insert(AskedFeature {
                        feature: "default".into(),
                        via: None,
                    });
                }
                for f in &decl.features {
                    asked.insert(AskedFeature {
                        feature: f.clone(),
                        via: None,
                    });
                }
                for (feature, via) in through_own_features(pd, &data.features, &decl.name_in_toml) {
                    asked.insert(AskedFeature {
                        feature,
                        via: Some(via),
                    });
                }
            }
        }
    }
    out
}

/// `dep/feature` entries of the dependent's enabled features naming `dep`.
fn through_own_features(pd: &PackageData, enabled: &[String], dep: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for own in enabled {
        for value in pd.feature_values(own).into_iter().flatten() {
            if let FeatureValue::DepFeature {
                dep: d, feature, ..
            } = value
            {
                if d == dep {
                    out.push((feature, own.clone()));
                }
            }
        }
    }
    out
}

/// What a plan alone tells about its edges: the features a dependent's
/// enabled features ask of a dependency through `dep/feature` entries of its
/// `[features]` table. A plan does not record the declarations themselves
/// (`features = [...]`, `default-features`), so those are not here; the
/// browser explorer, which has only the plan, shows these.
pub fn plan_edge_features(plan: &Plan) -> EdgeFeatures {
    let mut out = EdgeFeatures::new();
    for (from, inst) in &plan.instances {
        let Some(pkg) = plan.packages.get(&inst.package) else {
            continue;
        };
        // (dependency key as written in the table, feature, through which own feature)
        let mut dep_features: Vec<(String, String, &String)> = Vec::new();
        for own in &inst.features {
            for value in pkg.features.get(own).into_iter().flatten() {
                if let FeatureValue::DepFeature { dep, feature, .. } = FeatureValue::parse(value) {
                    dep_features.push((extern_spelling(&dep), feature, own));
                }
            }
        }
        for edge in &inst.deps {
            let dep_name = plan
                .instances
                .get(&edge.instance)
                .and_then(|i| plan.packages.get(&i.package))
                .map(|p| extern_spelling(&p.name));
            let asked: BTreeSet<AskedFeature> = dep_features
                .iter()
                .filter(|(dep, _, _)| *dep == edge.extern_name || Some(dep) == dep_name.as_ref())
                .map(|(_, feature, own)| AskedFeature {
                    feature: feature.clone(),
                    via: Some((*own).clone()),
                })
                .collect();
            if !asked.is_empty() {
                out.entry((from.clone(), edge.instance.clone(), edge.kind))
                    .or_default()
                    .extend(asked);
            }
        }
    }
    out
}

/// A dependency's name as `--extern` spells it (`-` as `_`).
fn extern_spelling(name: &str) -> String {
    name.replace('-', "_")
}
