//! crateplan: Cargo's resolution reproduced in Rust, so Nix can build a
//! workspace one derivation per crate with no generated file.
//!
//! The core reads `Cargo.lock` and manifests through an [`fs::Fs`], resolves
//! features and dependency edges for a target platform exactly as cargo does,
//! and answers with a [`plan::Plan`]. Every route (plugin, wasm, ifd, exec,
//! CLI) goes through [`plan_json`], so they all give byte-identical answers.

#[cfg(feature = "fs")]
pub mod answer;
#[cfg(feature = "fs")]
pub mod cargo_home;
pub mod config;
pub mod error;
pub mod explain;
pub mod fs;
pub mod learned;
pub mod loader;
pub mod lockfile;
pub mod manifest;
pub mod plan;
pub mod planner;
pub mod platform;
pub mod profile;
pub mod request;
pub mod resolve;
mod source_id;
mod store_path;
pub mod tarball;
mod toml_read;
pub mod unit_graph;
pub mod workspace;

pub use error::{Error, ErrorKind};
pub use request::{Answer, Fetch, Request};

/// The one boundary: a JSON [`Request`] in, a JSON [`Answer`] out.
/// Never panics outward on bad input: every failure is an `{"ok":false}` answer.
pub fn plan_json(fs: &dyn fs::Fs, request: &[u8]) -> Vec<u8> {
    let answer = match serde_json::from_slice::<Request>(request) {
        Ok(req) => answer(fs, &req),
        Err(e) => error_answer(
            Error::new(error::ErrorKind::MalformedRequest {
                problem: tarball::quote_long(&e.to_string()),
            })
            .to_string(),
        ),
    };
    serde_json::to_vec(&answer).expect("answers always serialize")
}

/// Runs one request and wraps the outcome in the answer envelope.
pub fn answer(fs: &dyn fs::Fs, req: &Request) -> Answer {
    match plan_request(fs, req) {
        Ok(a) => a,
        Err(e) => error_answer(e.to_string()),
    }
}

fn error_answer(error: String) -> Answer {
    Answer::Error {
        ok: request::False,
        error,
    }
}

/// Plans a request: either the full plan or the sources still to fetch.
pub fn plan_request(fs: &dyn fs::Fs, req: &Request) -> Result<Answer, Error> {
    planner::run(fs, req, None)
}
