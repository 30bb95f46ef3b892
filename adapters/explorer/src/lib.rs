//! crateplan's plan explorer for the browser: the page (`explorer/`) loads
//! this module through the JS glue wasm-bindgen generates (`explorer/pkg`,
//! built by scripts/build-explorer). Everything the page shows is computed
//! here, by the crateplan library's own code (plan parsing, `explain`):
//! the JS only draws the JSON these functions return.

pub mod explorer;
pub mod graph;
pub mod layout;
pub mod views;

use wasm_bindgen::prelude::*;

/// A plan loaded in the page.
#[wasm_bindgen]
pub struct Plan {
    loaded: explorer::LoadedPlan,
}

#[wasm_bindgen]
impl Plan {
    /// Parses a plan; one that is not a plan throws an `Error` whose message
    /// is the planner's (naming `file` and what to give instead).
    pub fn load(file: &str, text: &str) -> Result<Plan, JsError> {
        explorer::LoadedPlan::load(file, text.as_bytes())
            .map(|loaded| Plan { loaded })
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// The instance graph with its layout, as JSON ([`graph::Graph`]).
    pub fn graph(&self) -> String {
        to_json(&self.loaded.graph())
    }

    /// Why the crate `name` is built, as JSON ([`views::WhyView`]); an
    /// unknown name throws the CLI's message (with "did you mean").
    pub fn why(&self, name: &str) -> Result<String, JsError> {
        self.loaded
            .why(name)
            .map(|w| to_json(&w))
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// What rebuilds from `old` to this plan, as JSON ([`views::DiffView`]).
    #[wasm_bindgen(js_name = diffFrom)]
    pub fn diff_from(&self, old: &Plan) -> String {
        to_json(&self.loaded.diff_from(&old.loaded))
    }

    /// The name the plan was loaded under.
    #[wasm_bindgen(getter)]
    pub fn file(&self) -> String {
        self.loaded.file.clone()
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    // The views hold only strings, numbers and lists: they always serialize.
    serde_json::to_string(value).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
