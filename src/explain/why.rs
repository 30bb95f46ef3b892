//! `crateplan why CRATE`: every instance of a crate in the plan (host and
//! target apart), who turns on each of its features, and the dependents
//! leading back to the roots, as `cargo tree -i -e features` shows them.

use super::edges::EdgeFeatures;
use super::{describe, ExplainError};
use crate::manifest::FeatureValue;
use crate::plan::{DepKind, Plan, PlatformKind};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Why {
    pub name: String,
    pub instances: Vec<InstanceWhy>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstanceWhy {
    /// The instance's key in the plan.
    pub instance: String,
    pub version: String,
    pub platform: PlatformKind,
    pub features: Vec<FeatureWhy>,
    /// The inverted tree of dependents, depth first: row 0 is a direct
    /// dependent, deeper rows depend on the row above them of lower depth.
    pub dependents: Vec<DependentRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FeatureWhy {
    pub feature: String,
    pub enabled_by: Vec<Enabler>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Enabler {
    /// Another feature of the same package (its `[features]` entry).
    Feature { feature: String },
    /// A dependent instance, through its declaration (`via` none) or one of
    /// its own features (`via`: a `dep/feature` entry).
    Dependent {
        instance: String,
        kind: DepKind,
        via: Option<String>,
    },
    /// The selection asked for it (a root's default or `--features`).
    Selection,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DependentRow {
    pub depth: usize,
    pub instance: String,
    /// How it depends on the row it hangs under.
    pub kind: DepKind,
    /// The features it asks of that row's instance.
    pub asks: Vec<String>,
    /// One of the plan's roots (what the selection asked for).
    pub root: bool,
    /// Already shown above with its own dependents (cargo's `(*)`).
    pub repeated: bool,
}

/// Explains every instance of the package named `name`.
pub fn why(plan: &Plan, edges: &EdgeFeatures, name: &str) -> Result<Why, ExplainError> {
    let mut keys: Vec<&String> = plan
        .instances
        .iter()
        .filter(|(_, i)| {
            plan.packages
                .get(&i.package)
                .is_some_and(|p| p.name == name)
        })
        .map(|(k, _)| k)
        .collect();
    if keys.is_empty() {
        return Err(ExplainError::UnknownCrate {
            name: name.to_string(),
            similar: similar_names(plan, name),
        });
    }
    // Target before host, then by version.
    keys.sort_by_key(|k| (plan.instances[*k].platform, (*k).clone()));
    let dependents = reverse_edges(plan);
    let instances = keys
        .into_iter()
        .map(|key| {
            let inst = &plan.instances[key];
            InstanceWhy {
                instance: key.clone(),
                version: plan.packages[&inst.package].version.clone(),
                platform: inst.platform,
                features: feature_reasons(plan, edges, &dependents, key),
                dependents: dependent_rows(plan, edges, &dependents, key),
            }
        })
        .collect();
    Ok(Why {
        name: name.to_string(),
        instances,
    })
}

type Reverse<'a> = BTreeMap<&'a str, BTreeSet<(&'a str, DepKind)>>;

/// instance → the (dependent, kind) pairs that depend on it.
fn reverse_edges(plan: &Plan) -> Reverse<'_> {
    let mut rev: Reverse<'_> = BTreeMap::new();
    for (key, inst) in &plan.instances {
        for dep in &inst.deps {
            rev.entry(dep.instance.as_str())
                .or_default()
                .insert((key.as_str(), dep.kind));
        }
    }
    rev
}

fn asked<'e>(
    edges: &'e EdgeFeatures,
    from: &str,
    to: &str,
    kind: DepKind,
) -> impl Iterator<Item = &'e super::edges::AskedFeature> {
    edges
        .get(&(from.to_string(), to.to_string(), kind))
        .into_iter()
        .flatten()
}

fn feature_reasons(
    plan: &Plan,
    edges: &EdgeFeatures,
    rev: &Reverse<'_>,
    key: &str,
) -> Vec<FeatureWhy> {
    let inst = &plan.instances[key];
    let table = &plan.packages[&inst.package].features;
    let enabled: BTreeSet<&str> = inst.features.iter().map(String::as_str).collect();
    let mut reasons: BTreeMap<&str, BTreeSet<Enabler>> =
        enabled.iter().map(|f| (*f, BTreeSet::new())).collect();
    for (from, kind) in rev.get(key).into_iter().flatten() {
        for a in asked(edges, from, key, *kind) {
            if let Some(set) = reasons.get_mut(a.feature.as_str()) {
                set.insert(Enabler::Dependent {
                    instance: from.to_string(),
                    kind: *kind,
                    via: a.via.clone(),
                });
            }
        }
    }
    for own in &enabled {
        for value in table.get(*own).into_iter().flatten() {
            let turned_on = match FeatureValue::parse(value) {
                FeatureValue::Feature(f) => Some(f),
                // `dep/f` also turns on the implicit feature `dep`, if any.
                FeatureValue::DepFeature {
                    dep, weak: false, ..
                } => Some(dep),
                _ => None,
            };
            if let Some(set) = turned_on.and_then(|f| reasons.get_mut(f.as_str())) {
                set.insert(Enabler::Feature {
                    feature: own.to_string(),
                });
            }
        }
    }
    let is_root = plan.roots.iter().any(|r| r == key);
    reasons
        .into_iter()
        .map(|(feature, mut set)| {
            if set.is_empty() && is_root {
                set.insert(Enabler::Selection);
            }
            FeatureWhy {
                feature: feature.to_string(),
                enabled_by: set.into_iter().collect(),
            }
        })
        .collect()
}

/// The inverted dependency tree below `key`, without recursion (a plan
/// file may be deep): each instance's dependents are listed once, later
/// occurrences are marked `repeated`.
fn dependent_rows<'p>(
    plan: &'p Plan,
    edges: &EdgeFeatures,
    rev: &Reverse<'p>,
    key: &'p str,
) -> Vec<DependentRow> {
    let mut rows = Vec::new();
    let mut expanded: BTreeSet<&'p str> = BTreeSet::new();
    expanded.insert(key);
    // (depth, dependent, kind, the instance it depends on), in reverse so
    // the stack pops them in order.
    let push_children =
        |stack: &mut Vec<(usize, &'p str, DepKind, String)>, of: &str, depth: usize| {
            let children: Vec<_> = rev.get(of).into_iter().flatten().collect();
            for (from, kind) in children.into_iter().rev() {
                stack.push((depth, from, *kind, of.to_string()));
            }
        };
    let mut stack = Vec::new();
    push_children(&mut stack, key, 0);
    while let Some((depth, from, kind, to)) = stack.pop() {
        let repeated = !expanded.insert(from);
        // What the edge asks that exists: `default` of a package without
        // one asks for nothing.
        let features = &plan.instances[to.as_str()].features;
        let asks: BTreeSet<String> = asked(edges, from, &to, kind)
            .filter(|a| features.contains(&a.feature))
            .map(|a| a.feature.clone())
            .collect();
        rows.push(DependentRow {
            depth,
            instance: from.to_string(),
            kind,
            asks: asks.into_iter().collect(),
            root: plan.roots.iter().any(|r| r == from),
            repeated,
        });
        if !repeated {
            push_children(&mut stack, from, depth + 1);
        }
    }
    rows
}

/// Names of the plan's packages that contain `name` or differ little.
fn similar_names(plan: &Plan, name: &str) -> Vec<String> {
    let wanted = name.to_lowercase().replace('_', "-");
    let names: BTreeSet<&str> = plan.packages.values().map(|p| p.name.as_str()).collect();
    names
        .into_iter()
        .filter(|n| {
            let n = n.to_lowercase().replace('_', "-");
            n.contains(&wanted) || wanted.contains(&n) || edit_distance(&n, &wanted) <= 2
        })
        .take(5)
        .map(|n| format!("`{n}`"))
        .collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The text `crateplan why` prints.
pub fn render(plan: &Plan, why: &Why) -> String {
    let mut out = String::new();
    for (n, inst) in why.instances.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let role = match inst.platform {
            PlatformKind::Target => "target: built for the target platform",
            PlatformKind::Host => "host: built for build scripts and proc-macros",
        };
        out.push_str(&format!("{} v{} ({role})\n", why.name, inst.version));
        out.push_str(&format!("  instance {}\n", inst.instance));
        if inst.features.is_empty() {
            out.push_str("  features: none\n");
        } else {
            out.push_str("  features:\n");
            for f in &inst.features {
                let by: Vec<String> = f.enabled_by.iter().map(|e| enabler_text(plan, e)).collect();
                out.push_str(&format!("    \"{}\" ← {}\n", f.feature, by.join("; ")));
            }
        }
        if inst.dependents.is_empty() {
            out.push_str("  a root: nothing depends on it\n");
            continue;
        }
        out.push_str("  dependents (to the roots):\n");
        for row in &inst.dependents {
            out.push_str(&format!(
                "{}└── {}\n",
                "    ".repeat(row.depth + 1),
                row_text(plan, row)
            ));
        }
    }
    out
}

/// Who turned a feature on, as `why` prints it.
pub fn enabler_text(plan: &Plan, e: &Enabler) -> String {
    match e {
        Enabler::Feature { feature } => format!("feature \"{feature}\""),
        Enabler::Dependent {
            instance,
            kind,
            via,
        } => {
            let mut s = describe(plan, instance);
            if *kind != DepKind::Normal {
                s.push_str(&format!(" [{}]", kind_word(*kind)));
            }
            if let Some(v) = via {
                s.push_str(&format!(" through its feature \"{v}\""));
            }
            s
        }
        Enabler::Selection => "the selection (command line)".to_string(),
    }
}

/// One row of the inverted tree, as `why` prints it after the indentation.
pub fn row_text(plan: &Plan, row: &DependentRow) -> String {
    let mut line = describe(plan, &row.instance);
    if row.kind != DepKind::Normal {
        line.push_str(&format!(" [{}]", kind_word(row.kind)));
    }
    if !row.asks.is_empty() {
        line.push_str(&format!(" asks for: {}", row.asks.join(", ")));
    }
    if row.root {
        line.push_str(" (root)");
    }
    if row.repeated {
        line.push_str(" (*)");
    }
    line
}

/// The manifest table a dependency kind is declared in.
pub fn kind_word(kind: DepKind) -> &'static str {
    match kind {
        DepKind::Normal => "dependencies",
        DepKind::Build => "build-dependencies",
        DepKind::Dev => "dev-dependencies",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_chain_of_dependents_is_walked_without_recursion() {
        // Deep enough that a recursive walk would overflow a test thread's stack.
        let n = 20_000;
        let plan = crate::explain::diff::tests::chain(n, &["a"]);
        let w = why(&plan, &EdgeFeatures::new(), "c0").unwrap();
        let rows = &w.instances[0].dependents;
        assert_eq!(rows.len(), n - 1);
        assert_eq!(rows.last().unwrap().depth, n - 2);
        assert!(rows.last().unwrap().root);
        assert_eq!(
            w.instances[0].features[0].enabled_by,
            Vec::<Enabler>::new(),
            "not a root, no edge features known: nothing to name"
        );
    }
}
