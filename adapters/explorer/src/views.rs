//! `why` and `diff` answers shaped for the page: the explain module's
//! results with every instance named as people read it and every reason
//! already worded (the same words as `crateplan why` and `crateplan diff`).

use crateplan::explain::describe;
use crateplan::explain::diff::PlanDiff;
use crateplan::explain::why::{enabler_text, row_text, Why};
use crateplan::plan::{Plan, PlatformKind};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WhyView {
    pub name: String,
    pub instances: Vec<InstanceWhyView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceWhyView {
    pub instance: String,
    pub label: String,
    pub platform: PlatformKind,
    pub features: Vec<FeatureWhyView>,
    /// The inverted tree of dependents up to the roots, one row each.
    pub dependents: Vec<RowView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FeatureWhyView {
    pub feature: String,
    /// Who turns it on, worded; empty when the plan does not say.
    pub enabled_by: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowView {
    pub depth: usize,
    pub instance: String,
    pub text: String,
    pub root: bool,
}

pub fn why_view(plan: &Plan, why: &Why) -> WhyView {
    WhyView {
        name: why.name.clone(),
        instances: why
            .instances
            .iter()
            .map(|i| InstanceWhyView {
                instance: i.instance.clone(),
                label: describe(plan, &i.instance),
                platform: i.platform,
                features: i
                    .features
                    .iter()
                    .map(|f| FeatureWhyView {
                        feature: f.feature.clone(),
                        enabled_by: f.enabled_by.iter().map(|e| enabler_text(plan, e)).collect(),
                    })
                    .collect(),
                dependents: i
                    .dependents
                    .iter()
                    .map(|r| RowView {
                        depth: r.depth,
                        instance: r.instance.clone(),
                        text: row_text(plan, r),
                        root: r.root,
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiffView {
    /// Plan-wide changes that rebuild every derivation.
    pub everything: Vec<String>,
    pub added: Vec<Entry>,
    pub removed: Vec<Entry>,
    /// `serde (target): 1.0.1 → 1.0.2`.
    pub replaced: Vec<Entry>,
    pub rebuilt: Vec<Entry>,
    pub unchanged: usize,
    /// `1 added, 0 removed, …`, as `crateplan diff` ends.
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// The instance key (in the new plan, but for removed instances).
    pub instance: String,
    pub text: String,
    pub reasons: Vec<String>,
}

pub fn diff_view(old: &Plan, new: &Plan, d: &PlanDiff) -> DiffView {
    let entry = |plan: &Plan, key: &str| Entry {
        instance: key.to_string(),
        text: describe(plan, key),
        reasons: Vec::new(),
    };
    DiffView {
        everything: d.everything.clone(),
        added: d.added.iter().map(|k| entry(new, k)).collect(),
        removed: d.removed.iter().map(|k| entry(old, k)).collect(),
        replaced: d
            .replaced
            .iter()
            .map(|r| Entry {
                instance: r.new.clone(),
                text: r.text(),
                reasons: Vec::new(),
            })
            .collect(),
        rebuilt: d
            .rebuilt
            .iter()
            .map(|r| Entry {
                reasons: r.reason_texts(),
                ..entry(new, &r.instance)
            })
            .collect(),
        unchanged: d.unchanged,
        summary: d.summary(),
    }
}
