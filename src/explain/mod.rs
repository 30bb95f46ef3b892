//! Looking at a plan: why an instance is in it ([`why`]) and what changes
//! between two plans ([`diff`]). Pure functions over [`crate::plan::Plan`]
//! (plus, for `why`, the features each edge asks for, which the plan does
//! not record: [`edges::edge_features`] computes them from a resolution), so
//! the CLI and a browser explorer can share them.

pub mod diff;
pub mod edges;
pub mod why;

use crate::plan::{Plan, PlatformKind};
use std::fmt;

/// Why a question about a plan has no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExplainError {
    /// No instance of a package with that name is in the plan.
    UnknownCrate {
        name: String,
        /// Packages of the plan whose names are close (for "did you mean").
        similar: Vec<String>,
    },
    /// A plan file that is not a plan.
    BadPlan { file: String, problem: String },
}

impl fmt::Display for ExplainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExplainError::UnknownCrate { name, similar } => {
                write!(
                    f,
                    "crateplan: no crate named `{name}` is built in this plan (for this target and \
                     selection)"
                )?;
                if !similar.is_empty() {
                    write!(f, "; did you mean {}?", similar.join(", "))?;
                }
                Ok(())
            }
            ExplainError::BadPlan { file, problem } => write!(
                f,
                "crateplan: {file} is not a crateplan plan: {problem}; give the output of \
                 `crateplan plan` (or `nix eval --json ….plan`), or a Cargo.lock"
            ),
        }
    }
}

impl std::error::Error for ExplainError {}

/// How an instance is shown to people: `serde v1.0.200` plus where it runs.
pub fn describe(plan: &Plan, instance: &str) -> String {
    let Some(i) = plan.instances.get(instance) else {
        return instance.to_string();
    };
    let name = plan
        .packages
        .get(&i.package)
        .map(|p| format!("{} v{}", p.name, p.version))
        .unwrap_or_else(|| i.package.clone());
    format!("{name} ({})", platform_word(i.platform))
}

pub fn platform_word(p: PlatformKind) -> &'static str {
    match p {
        PlatformKind::Target => "target",
        PlatformKind::Host => "host",
    }
}

/// Parses a plan (the `crateplan plan` output, or a whole `{"ok":true,
/// "plan":…}` answer) from `file`'s text.
pub fn parse_plan(file: &str, text: &[u8]) -> Result<Plan, ExplainError> {
    let bad = |problem: String| ExplainError::BadPlan {
        file: file.to_string(),
        problem,
    };
    let value: serde_json::Value =
        serde_json::from_slice(text).map_err(|e| bad(format!("not JSON ({e})")))?;
    if value.get("ok") == Some(&serde_json::Value::Bool(false)) {
        let error = value.get("error").and_then(|e| e.as_str()).unwrap_or("");
        return Err(bad(format!(
            "it is an error answer ({})",
            crate::tarball::quote_long(error)
        )));
    }
    let value = match value.get("plan") {
        Some(plan) if value.get("ok").is_some() => plan.clone(),
        _ => value,
    };
    let version = value.get("version").and_then(|v| v.as_u64());
    if version != Some(u64::from(crate::plan::PLAN_VERSION)) {
        return Err(bad(match version {
            Some(v) => format!(
                "its format version is {v}, this crateplan reads version {}",
                crate::plan::PLAN_VERSION
            ),
            None => "it has no `version` field".to_string(),
        }));
    }
    let plan: Plan = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
    dangling_reference(&plan).map_or(Ok(plan), |problem| Err(bad(problem)))
}

/// The first key a plan names but does not hold (an instance's package, a
/// dependency's instance, a root): `why` and `diff` look them up.
fn dangling_reference(plan: &Plan) -> Option<String> {
    for (key, inst) in &plan.instances {
        if !plan.packages.contains_key(&inst.package) {
            return Some(format!(
                "the instance `{key}` names the package `{}`, which is not in `packages`",
                inst.package
            ));
        }
        if let Some(dep) = inst
            .deps
            .iter()
            .find(|d| !plan.instances.contains_key(&d.instance))
        {
            return Some(format!(
                "the instance `{key}` depends on `{}`, which is not in `instances`",
                dep.instance
            ));
        }
    }
    plan.roots
        .iter()
        .find(|r| !plan.instances.contains_key(*r))
        .map(|r| format!("the root `{r}` is not in `instances`"))
}
