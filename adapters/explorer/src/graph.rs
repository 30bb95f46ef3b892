//! The instance graph as the page draws it: one node per instance (host and
//! target apart, members and roots marked), its features and dependencies
//! with the features each edge asks for, and where it sits in the layout.

use crate::layout::{self, Position};
use crateplan::explain::edges::EdgeFeatures;
use crateplan::explain::{describe, why::kind_word};
use crateplan::plan::{DepKind, Plan, PlatformKind, Source};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Graph {
    pub target_triple: String,
    pub host_triple: String,
    pub nodes: Vec<Node>,
    /// The drawing's size, in the units of the nodes' positions.
    pub width: f64,
    pub height: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    /// The instance's key in the plan.
    pub id: String,
    pub name: String,
    pub version: String,
    pub platform: PlatformKind,
    /// A workspace member.
    pub member: bool,
    /// One of the plan's roots (what the selection asked for).
    pub root: bool,
    /// `serde v1.0.200 (target)`.
    pub label: String,
    /// Where the package comes from: `crates.io`, `git`, `path`.
    pub source: String,
    pub features: Vec<String>,
    pub deps: Vec<Dep>,
    /// The instances that depend on this one directly.
    pub dependents: Vec<String>,
    pub position: Position,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dep {
    /// The dependency's instance key.
    pub instance: String,
    pub label: String,
    /// The name the dependent uses in `--extern`.
    pub extern_name: String,
    pub kind: DepKind,
    /// `dependencies`, `build-dependencies`, `dev-dependencies`.
    pub table: String,
    /// The features this edge turns on, as `feature` or `feature (through "own")`.
    pub asks: Vec<String>,
}

pub fn graph(plan: &Plan, edges: &EdgeFeatures) -> Graph {
    let layout = layout::layered(plan);
    let mut dependents: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for (key, inst) in &plan.instances {
        for d in &inst.deps {
            dependents
                .entry(d.instance.as_str())
                .or_default()
                .push(key.clone());
        }
    }
    let nodes = plan
        .instances
        .iter()
        .map(|(key, inst)| {
            let pkg = plan.packages.get(&inst.package);
            Node {
                id: key.clone(),
                name: pkg.map_or_else(|| inst.package.clone(), |p| p.name.clone()),
                version: pkg.map(|p| p.version.clone()).unwrap_or_default(),
                platform: inst.platform,
                member: pkg.is_some_and(|p| matches!(p.source, Source::Path { member: true, .. })),
                root: plan.roots.contains(key),
                label: describe(plan, key),
                source: pkg.map_or_else(String::new, |p| source_word(&p.source)),
                features: inst.features.clone(),
                deps: inst
                    .deps
                    .iter()
                    .map(|d| Dep {
                        instance: d.instance.clone(),
                        label: describe(plan, &d.instance),
                        extern_name: d.extern_name.clone(),
                        kind: d.kind,
                        table: kind_word(d.kind).to_string(),
                        asks: edges
                            .get(&(key.clone(), d.instance.clone(), d.kind))
                            .into_iter()
                            .flatten()
                            .map(|a| match &a.via {
                                Some(via) => format!("{} (through \"{via}\")", a.feature),
                                None => a.feature.clone(),
                            })
                            .collect(),
                    })
                    .collect(),
                dependents: dependents.remove(key.as_str()).unwrap_or_default(),
                position: layout.positions.get(key).copied().unwrap_or_default(),
            }
        })
        .collect();
    Graph {
        target_triple: plan.platforms.target.triple.clone(),
        host_triple: plan.platforms.host.triple.clone(),
        nodes,
        width: layout.width,
        height: layout.height,
    }
}

fn source_word(source: &Source) -> String {
    match source {
        Source::Registry { registry, .. } if registry.contains("crates.io") => "crates.io".into(),
        Source::Registry { registry, .. } => format!("registry {registry}"),
        Source::Git { url, .. } => format!("git {url}"),
        Source::Path { path, member: true } => format!("member at {path}"),
        Source::Path {
            path,
            member: false,
        } => format!("path {path}"),
    }
}
