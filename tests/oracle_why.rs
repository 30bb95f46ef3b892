//! `crateplan why` has the shape of `cargo tree -i NAME -e features`: the
//! same instances, each with the same features, each feature turned on by
//! the same features and dependents. Like tests/oracle.rs it runs cargo on
//! the fixtures in tests/fixtures (so it needs cargo, and their crates in
//! cargo's cache or the network), and like it, it is left out of the Nix
//! build of crateplan's tests (flake.nix).

#[path = "support/graph_runs.rs"]
#[allow(dead_code)]
mod graph_runs;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

const LINUX: &str = "x86_64-unknown-linux-gnu";

/// cargo's `tree -i NAME -e features --prefix depth` as instances: for each
/// tree, its features and, for each feature, the nodes one level deeper
/// (another feature of the package, or a dependent package).
fn cargo_tree_shape(dir: &Path, name: &str, edges: &str, extra: &[&str]) -> BTreeSet<String> {
    graph_runs::check_cargo_available();
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("explain-cargo-tree");
    let out = graph_runs::cargo_cmd(dir, &target_dir)
        .args(["tree", "--locked", "--no-dedupe", "-i", name, "-e", edges])
        .args(["--prefix", "depth", "--target", LINUX, "--charset", "ascii"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo tree: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut trees: Vec<BTreeMap<String, BTreeSet<String>>> = Vec::new();
    // The feature a depth-2 line explains; none under a depth-1 package
    // line (a dependent whose edge turns on no feature).
    let mut feature: Option<String> = None;
    for line in text.lines().filter(|l| !l.is_empty()) {
        let depth_len = line.chars().take_while(char::is_ascii_digit).count();
        let (depth, node) = line.split_at(depth_len);
        let node = node
            .trim_end_matches(" (*)")
            .trim_end_matches(" (command-line)");
        match depth {
            "0" => trees.push(BTreeMap::new()),
            "1" => {
                feature = node
                    .strip_prefix(&format!("{name} feature "))
                    .map(|f| f.trim_matches('"').to_string());
                if let Some(f) = &feature {
                    trees.last_mut().unwrap().entry(f.clone()).or_default();
                }
            }
            "2" => {
                let Some(feature) = &feature else { continue };
                let enabler = match node.split_once(" feature ") {
                    Some((pkg, f)) if pkg == name => format!("feature {}", f.trim_matches('"')),
                    Some((pkg, f)) => format!("{pkg} via {}", f.trim_matches('"')),
                    None => node.split(' ').next().unwrap().to_string(),
                };
                trees
                    .last_mut()
                    .unwrap()
                    .get_mut(feature)
                    .unwrap()
                    .insert(enabler);
            }
            _ => {}
        }
    }
    trees.iter().map(|t| format!("{t:?}")).collect()
}

/// The same shape from `crateplan why --json`.
fn why_shape(why: &Value, plan_names: &BTreeMap<String, String>) -> BTreeSet<String> {
    why["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let tree: BTreeMap<String, BTreeSet<String>> = i["features"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    let enablers = f["enabledBy"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter_map(|e| match e["type"].as_str().unwrap() {
                            "feature" => {
                                Some(format!("feature {}", e["feature"].as_str().unwrap()))
                            }
                            "dependent" => {
                                let pkg = &plan_names[e["instance"].as_str().unwrap()];
                                Some(match e["via"].as_str() {
                                    Some(v) => format!("{pkg} via {v}"),
                                    None => pkg.clone(),
                                })
                            }
                            _ => None, // cargo shows the selection one level deeper
                        })
                        .collect();
                    (f["feature"].as_str().unwrap().to_string(), enablers)
                })
                .collect();
            format!("{tree:?}")
        })
        .collect()
}

/// What cargo tree shows, feature by feature and enabler by enabler: serde
/// in build-dep-features (a host instance with `derive`, a target one with
/// dev-dependency features under `cargo test`), and in optional-features
/// with every feature on (features turned on through the root's own
/// features, `serde/derive` and the weak `serde?/std`).
#[test]
fn why_has_the_shape_of_cargo_tree_on_fixtures() {
    for (fixture, name, extra) in [
        ("build-dep-features", "serde", &[][..]),
        ("optional-features", "serde", &["--all-features"][..]),
        ("optional-features", "memchr", &["--features", "search"][..]),
    ] {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(fixture);
        let manifest = fixture.join("Cargo.toml");
        for (edges, tests) in [("features", true), ("features,no-dev", false)] {
            let cargo = cargo_tree_shape(&fixture, name, edges, extra);
            let mut args = vec![
                "--manifest-path",
                manifest.to_str().unwrap(),
                "--target",
                LINUX,
                "--host",
                LINUX,
            ];
            args.extend(extra);
            if tests {
                args.push("--tests");
            }
            // Sources from cargo's own cache, which `cargo tree` just filled.
            let run = |first: &[&str]| -> Value {
                let out = Command::new(env!("CARGO_BIN_EXE_crateplan"))
                    .args(first)
                    .args(&args)
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                serde_json::from_slice(&out.stdout).unwrap()
            };
            let why = run(&["why", name, "--json"]);
            let plan = run(&["plan"]);
            let names: BTreeMap<String, String> = plan["instances"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, i)| {
                    let p = &plan["packages"][i["package"].as_str().unwrap()];
                    (k.clone(), p["name"].as_str().unwrap().to_string())
                })
                .collect();
            assert_eq!(
                why_shape(&why, &names),
                cargo,
                "{name} in {} with {extra:?}, edges {edges}",
                fixture.display()
            );
        }
    }
}
