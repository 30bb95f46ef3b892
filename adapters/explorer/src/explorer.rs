//! A loaded plan and the questions the page asks of it. Plain Rust (no
//! wasm-bindgen types), so it is tested natively; `lib.rs` exports it.

use crate::graph::{graph, Graph};
use crate::views::{diff_view, why_view, DiffView, WhyView};
use crateplan::explain::edges::{plan_edge_features, EdgeFeatures};
use crateplan::explain::{diff::diff, parse_plan, why::why, ExplainError};
use crateplan::plan::Plan;

pub struct LoadedPlan {
    pub file: String,
    pub plan: Plan,
    /// What the plan tells about its edges (features asked through the
    /// dependents' own features; the declarations are not in a plan).
    edges: EdgeFeatures,
}

impl LoadedPlan {
    /// Reads `text` (named `file` in messages): the `crateplan plan` output,
    /// a whole `{"ok":true,"plan":…}` answer, or `nix eval --json ….plan`.
    pub fn load(file: &str, text: &[u8]) -> Result<LoadedPlan, ExplainError> {
        let plan = parse_plan(file, text)?;
        let edges = plan_edge_features(&plan);
        Ok(LoadedPlan {
            file: file.to_string(),
            plan,
            edges,
        })
    }

    pub fn graph(&self) -> Graph {
        graph(&self.plan, &self.edges)
    }

    pub fn why(&self, name: &str) -> Result<WhyView, ExplainError> {
        let w = why(&self.plan, &self.edges, name)?;
        Ok(why_view(&self.plan, &w))
    }

    /// What changes from `old` to this plan.
    pub fn diff_from(&self, old: &LoadedPlan) -> DiffView {
        diff_view(&old.plan, &self.plan, &diff(&old.plan, &self.plan))
    }
}
