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
    pub fn graph(&self) -> Result<String, JsError> {
        to_json(&self.loaded.graph())
    }

    /// Why the crate `name` is built, as JSON ([`views::WhyView`]); an
    /// unknown name throws the CLI's message (with "did you mean").
    pub fn why(&self, name: &str) -> Result<String, JsError> {
        let why = self
            .loaded
            .why(name)
            .map_err(|e| JsError::new(&e.to_string()))?;
        to_json(&why)
    }

    /// What rebuilds from `old` to this plan, as JSON ([`views::DiffView`]).
    #[wasm_bindgen(js_name = diffFrom)]
    pub fn diff_from(&self, old: &Plan) -> Result<String, JsError> {
        to_json(&self.loaded.diff_from(&old.loaded))
    }

    /// The name the plan was loaded under.
    #[wasm_bindgen(getter)]
    pub fn file(&self) -> String {
        self.loaded.file.clone()
    }
}

/// The views hold only strings, numbers, booleans and lists, so this does
/// not fail; if it did, the page would show the message, not trap.
fn to_json<T: serde::Serialize>(value: &T) -> Result<String, JsError> {
    serde_json::to_string(value).map_err(|e| JsError::new(&format!("crateplan explorer: {e}")))
}
