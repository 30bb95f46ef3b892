//! `crateplan diff OLD NEW`: which instances (one Nix derivation each)
//! appear, disappear or rebuild between two plans, and why. A derivation
//! rebuilds when its own inputs change (version, source, features,
//! dependencies, profile) or when a dependency's derivation does.

use crate::plan::{Instance, Plan, PlatformKind};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PlanDiff {
    /// Plan-wide settings that change every derivation (platforms, `[env]`).
    pub everything: Vec<String>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// A package whose version (or source) changed, as (old key, new key).
    pub replaced: Vec<Replaced>,
    /// Instances in both plans that rebuild, with the reasons.
    pub rebuilt: Vec<Rebuilt>,
    /// Instances in both plans whose derivation stays the same.
    pub unchanged: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Replaced {
    pub name: String,
    pub platform: PlatformKind,
    pub old: String,
    pub new: String,
    pub old_version: String,
    pub new_version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rebuilt {
    pub instance: String,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Reason {
    /// The package entry changed (source hash, targets, edition, …).
    Package {
        fields: Vec<String>,
    },
    Features {
        added: Vec<String>,
        removed: Vec<String>,
    },
    Dependencies {
        added: Vec<String>,
        removed: Vec<String>,
    },
    Profile,
    /// A dependency's derivation changes (the first few named).
    DependencyRebuilds {
        dependencies: Vec<String>,
    },
}

pub fn diff(old: &Plan, new: &Plan) -> PlanDiff {
    let mut d = PlanDiff::default();
    if old.platforms != new.platforms {
        d.everything
            .push("the platforms (triples, cfg, rustflags or linker) changed".into());
    }
    if old.env != new.env {
        d.everything.push("the cargo config's [env] changed".into());
    }
    let only_old: Vec<&String> = old
        .instances
        .keys()
        .filter(|k| !new.instances.contains_key(*k))
        .collect();
    let only_new: Vec<&String> = new
        .instances
        .keys()
        .filter(|k| !old.instances.contains_key(*k))
        .collect();
    // A name built once per platform in both plans under other keys: the
    // same crate at another version (or from another source).
    let identity = |plan: &Plan, key: &str| {
        let i = &plan.instances[key];
        (plan.packages[&i.package].name.clone(), i.platform)
    };
    let mut old_by_id: BTreeMap<_, Vec<&String>> = BTreeMap::new();
    for k in &only_old {
        old_by_id.entry(identity(old, k)).or_default().push(*k);
    }
    let mut new_by_id: BTreeMap<_, Vec<&String>> = BTreeMap::new();
    for k in &only_new {
        new_by_id.entry(identity(new, k)).or_default().push(*k);
    }
    let mut paired: BTreeSet<&String> = BTreeSet::new();
    for (id, olds) in &old_by_id {
        if let (1, Some(news)) = (olds.len(), new_by_id.get(id)) {
            if news.len() == 1 {
                let (o, n) = (olds[0], news[0]);
                paired.insert(o);
                paired.insert(n);
                d.replaced.push(Replaced {
                    name: id.0.clone(),
                    platform: id.1,
                    old: o.clone(),
                    new: n.clone(),
                    old_version: old.packages[&old.instances[o].package].version.clone(),
                    new_version: new.packages[&new.instances[n].package].version.clone(),
                });
            }
        }
    }
    d.removed = only_old
        .iter()
        .filter(|k| !paired.contains(*k))
        .map(|k| k.to_string())
        .collect();
    d.added = only_new
        .iter()
        .filter(|k| !paired.contains(*k))
        .map(|k| k.to_string())
        .collect();

    // Own changes of the instances in both plans.
    let mut own: BTreeMap<&str, Vec<Reason>> = BTreeMap::new();
    for (key, n) in &new.instances {
        let Some(o) = old.instances.get(key) else {
            continue;
        };
        let reasons = own_reasons(old, o, new, n);
        if !reasons.is_empty() {
            own.insert(key.as_str(), reasons);
        }
    }
    // Rebuilds propagate to dependents: an instance whose dependency is new,
    // replaced or rebuilt rebuilds too. A worklist over the new plan's
    // reverse edges, so a long chain costs one visit per edge.
    let mut dependents: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (key, n) in &new.instances {
        if old.instances.contains_key(key) {
            for dep in &n.deps {
                dependents
                    .entry(dep.instance.as_str())
                    .or_default()
                    .push(key.as_str());
            }
        }
    }
    let mut changed: BTreeSet<&str> = only_new.iter().map(|k| k.as_str()).collect();
    changed.extend(own.keys().copied());
    let mut work: Vec<&str> = changed.iter().copied().collect();
    let mut because: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    while let Some(dep) = work.pop() {
        for &key in dependents.get(dep).into_iter().flatten() {
            because.entry(key).or_default().insert(dep);
            if changed.insert(key) {
                work.push(key);
            }
        }
    }
    for key in new.instances.keys() {
        if !old.instances.contains_key(key) {
            continue;
        }
        let mut reasons = own.remove(key.as_str()).unwrap_or_default();
        if let Some(deps) = because.get(key.as_str()) {
            reasons.push(Reason::DependencyRebuilds {
                dependencies: deps.iter().map(|d| d.to_string()).collect(),
            });
        }
        if reasons.is_empty() && d.everything.is_empty() {
            d.unchanged += 1;
        } else {
            d.rebuilt.push(Rebuilt {
                instance: key.clone(),
                reasons,
            });
        }
    }
    d
}

fn own_reasons(old: &Plan, o: &Instance, new: &Plan, n: &Instance) -> Vec<Reason> {
    let mut reasons = Vec::new();
    let (op, np) = (&old.packages[&o.package], &new.packages[&n.package]);
    if op != np {
        let (ov, nv) = (
            serde_json::to_value(op).unwrap_or_default(),
            serde_json::to_value(np).unwrap_or_default(),
        );
        let fields = match (ov.as_object(), nv.as_object()) {
            (Some(a), Some(b)) => a
                .keys()
                .chain(b.keys())
                .filter(|k| a.get(*k) != b.get(*k))
                .cloned()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            _ => Vec::new(),
        };
        reasons.push(Reason::Package { fields });
    }
    let (added, removed) = set_diff(&o.features, &n.features);
    if !added.is_empty() || !removed.is_empty() {
        reasons.push(Reason::Features { added, removed });
    }
    let edge = |e: &crate::plan::DepEdge| format!("{} as {}", e.instance, e.extern_name);
    let od: Vec<String> = o.deps.iter().map(edge).collect();
    let nd: Vec<String> = n.deps.iter().map(edge).collect();
    let (added, removed) = set_diff(&od, &nd);
    if !added.is_empty() || !removed.is_empty() {
        reasons.push(Reason::Dependencies { added, removed });
    }
    if o.profile != n.profile
        || o.build_script_profile != n.build_script_profile
        || o.test_profile != n.test_profile
        || o.bins != n.bins
    {
        reasons.push(Reason::Profile);
    }
    reasons
}

fn set_diff(old: &[String], new: &[String]) -> (Vec<String>, Vec<String>) {
    let o: BTreeSet<&String> = old.iter().collect();
    let n: BTreeSet<&String> = new.iter().collect();
    (
        n.difference(&o).map(|s| s.to_string()).collect(),
        o.difference(&n).map(|s| s.to_string()).collect(),
    )
}

impl PlanDiff {
    /// `1 added, 0 removed, 0 replaced, 2 rebuilt, 5 unchanged`.
    pub fn summary(&self) -> String {
        format!(
            "{} added, {} removed, {} replaced, {} rebuilt, {} unchanged",
            self.added.len(),
            self.removed.len(),
            self.replaced.len(),
            self.rebuilt.len(),
            self.unchanged
        )
    }
}

impl Replaced {
    /// `serde (target): 1.0.1 → 1.0.2`.
    pub fn text(&self) -> String {
        format!(
            "{} ({}): {} → {}",
            self.name,
            super::platform_word(self.platform),
            self.old_version,
            self.new_version
        )
    }
}

impl Rebuilt {
    /// Its reasons, worded; a rebuild with no reason of its own comes from
    /// the plan-wide settings.
    pub fn reason_texts(&self) -> Vec<String> {
        if self.reasons.is_empty() {
            vec!["plan-wide settings".to_string()]
        } else {
            self.reasons.iter().map(reason_text).collect()
        }
    }
}

/// The text `crateplan diff` prints.
pub fn render(d: &PlanDiff) -> String {
    let mut out = String::new();
    for e in &d.everything {
        out.push_str(&format!("! every derivation rebuilds: {e}\n"));
    }
    for r in &d.replaced {
        out.push_str(&format!("~ {} ({} → {})\n", r.text(), r.old, r.new));
    }
    for k in &d.added {
        out.push_str(&format!("+ {k}\n"));
    }
    for k in &d.removed {
        out.push_str(&format!("- {k}\n"));
    }
    for r in &d.rebuilt {
        out.push_str(&format!(
            "* {} rebuilds: {}\n",
            r.instance,
            r.reason_texts().join("; ")
        ));
    }
    out.push_str(&d.summary());
    out.push('\n');
    out
}

/// One reason of a rebuild, as `diff` prints it.
fn reason_text(r: &Reason) -> String {
    let changes = |added: &[String], removed: &[String]| {
        added
            .iter()
            .map(|a| format!("+{a}"))
            .chain(removed.iter().map(|r| format!("-{r}")))
            .collect::<Vec<_>>()
            .join(" ")
    };
    match r {
        Reason::Package { fields } => format!("package changed ({})", fields.join(", ")),
        Reason::Features { added, removed } => format!("features {}", changes(added, removed)),
        Reason::Dependencies { added, removed } => {
            format!("dependencies {}", changes(added, removed))
        }
        Reason::Profile => "profile or bins changed".to_string(),
        Reason::DependencyRebuilds { dependencies } => {
            let shown: Vec<&str> = dependencies.iter().take(3).map(String::as_str).collect();
            let more = dependencies.len().saturating_sub(3);
            if more > 0 {
                format!("dependency {} (and {more} more) rebuilds", shown.join(", "))
            } else {
                format!("dependency {} rebuilds", shown.join(", "))
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A plan whose instances form one chain `c0 <- c1 <- ... <- cN-1`
    /// (each depends on the previous one), `c{N-1}` the root.
    pub(crate) fn chain(n: usize, first_features: &[&str]) -> Plan {
        let platform = serde_json::json!({"triple": "x86_64-unknown-linux-gnu", "cfg": [],
                                          "rustflags": [], "rustdocflags": [], "linker": null});
        let mut plan: Plan = serde_json::from_value(serde_json::json!({
            "version": crate::plan::PLAN_VERSION, "workspaceRoot": "/ws",
            "platforms": {"target": platform, "host": platform},
            "members": {}, "roots": [format!("c{}-1.0.0", n - 1)],
            "packages": {}, "instances": {}, "env": {}
        }))
        .unwrap();
        let package: crate::plan::Package = serde_json::from_value(serde_json::json!({
            "name": "c", "version": "1.0.0", "id": "c",
            "source": {"type": "path", "path": "c", "member": false},
            "edition": "2021", "links": null, "rustVersion": null,
            "metadata": {"authors": [], "description": null, "homepage": null,
                         "repository": null, "license": null, "licenseFile": null,
                         "readme": null},
            "lib": null, "bins": [], "tests": [], "examples": [], "benches": [],
            "build": null, "features": {"a": [], "b": []}
        }))
        .unwrap();
        let instance: Instance = serde_json::from_value(serde_json::json!({
            "package": "c", "platform": "target", "features": [], "deps": [],
            "bins": [], "buildScriptProfile": null, "testProfile": null,
            "profile": {
                "name": "dev", "root": "debug", "optLevel": "0", "debuginfo": "2",
                "splitDebuginfo": null, "strip": "none", "debugAssertions": true,
                "overflowChecks": true, "lto": "false", "panic": "unwind",
                "codegenUnits": null, "rpath": false, "incremental": false
            }
        }))
        .unwrap();
        for i in 0..n {
            let key = format!("c{i}-1.0.0");
            let mut p = package.clone();
            p.name = format!("c{i}");
            p.id = key.clone();
            plan.packages.insert(key.clone(), p);
            let mut inst = instance.clone();
            inst.package = key.clone();
            if i == 0 {
                inst.features = first_features.iter().map(|f| f.to_string()).collect();
            } else {
                inst.deps.push(crate::plan::DepEdge {
                    extern_name: format!("c{}", i - 1),
                    instance: format!("c{}-1.0.0", i - 1),
                    kind: crate::plan::DepKind::Normal,
                });
            }
            plan.instances.insert(key, inst);
        }
        plan
    }

    #[test]
    fn a_change_at_the_bottom_of_a_long_chain_rebuilds_it_all() {
        // Deep enough that a recursive walk would overflow a test thread's stack.
        let n = 20_000;
        let d = diff(&chain(n, &["a"]), &chain(n, &["b"]));
        assert_eq!(d.rebuilt.len(), n);
        assert_eq!(
            d.rebuilt[0].reasons,
            [Reason::Features {
                added: vec!["b".into()],
                removed: vec!["a".into()]
            }]
        );
        assert_eq!(d.unchanged, 0);
    }
}
