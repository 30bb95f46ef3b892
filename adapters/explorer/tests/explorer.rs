//! The explorer's answers on a plan of tests/explorer/workspace (the same
//! workspace the browser test plans), and its error paths. What the page
//! shows is checked in headless Chromium by tests/explorer/run.

use crateplan::fs::RealFs;
use crateplan::plan::{DepEdge, DepKind};
use crateplan_explorer::explorer::LoadedPlan;
use crateplan_explorer::graph::Node;
use serde_json::json;

/// The request planning the test workspace, with `features` of the root package on.
fn request(features: &[&str]) -> String {
    let workspace = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/explorer/workspace"
    );
    json!({
        "workspace": workspace,
        "target": "x86_64-unknown-linux-gnu",
        "selection": {"features": features},
    })
    .to_string()
}

fn plan(features: &[&str]) -> LoadedPlan {
    let answer = crateplan::plan_json(&RealFs, request(features).as_bytes());
    LoadedPlan::load("answer.json", &answer).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&answer));
    })
}

fn node<'g>(nodes: &'g [Node], id: &str) -> &'g Node {
    nodes
        .iter()
        .find(|n| n.id == id)
        .unwrap_or_else(|| panic!("no node {id}"))
}

#[test]
fn the_graph_tells_host_from_target_and_members_from_the_rest() {
    let g = plan(&[]).graph();
    let ids: Vec<&str> = g.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "app-0.1.0",
            "leaf-1.0.0",
            "leaf-1.0.0@host",
            "macros-0.3.0@host",
            "util-0.2.0",
            "util-0.2.0@host"
        ]
    );
    let app = node(&g.nodes, "app-0.1.0");
    assert!(app.root && app.member);
    let util_host = node(&g.nodes, "util-0.2.0@host");
    assert_eq!(
        serde_json::to_value(util_host.platform).unwrap(),
        json!("host")
    );
    assert!(util_host.member && !util_host.root);
    assert_eq!(util_host.features, ["pretty"]);
    assert_eq!(util_host.label, "util v0.2.0 (host)");
    let leaf = node(&g.nodes, "leaf-1.0.0");
    assert!(!leaf.member, "leaf is a path crate outside the members");
    assert_eq!(leaf.source, "path vendor/leaf");
    // The build-dependency edge, and the feature util's own feature asks of leaf.
    let build = app.deps.iter().find(|d| d.instance == "util-0.2.0@host");
    assert_eq!(build.map(|d| d.table.as_str()), Some("build-dependencies"));
    assert_eq!(util_host.deps[0].asks, ["std (through \"pretty\")"]);
    assert_eq!(
        node(&g.nodes, "util-0.2.0").deps[0].asks,
        Vec::<String>::new()
    );
    assert_eq!(leaf.dependents, ["app-0.1.0", "util-0.2.0"]);
}

#[test]
fn the_layout_puts_dependencies_below_their_dependents_without_overlap() {
    let g = plan(&[]).graph();
    for n in &g.nodes {
        for d in &n.deps {
            let below = node(&g.nodes, &d.instance);
            assert!(
                below.position.y > n.position.y,
                "{} is not below {}",
                d.instance,
                n.id
            );
        }
        for m in &g.nodes {
            let (a, b) = (&n.position, &m.position);
            if n.id != m.id && a.layer == b.layer {
                assert!(
                    a.x + a.width <= b.x || b.x + b.width <= a.x,
                    "{} overlaps {}",
                    n.id,
                    m.id
                );
            }
        }
        assert!(n.position.x + n.position.width <= g.width);
        assert!(n.position.y + n.position.height <= g.height);
    }
}

#[test]
fn why_names_who_turns_each_feature_on_and_the_dependents_up_to_the_root() {
    let w = plan(&[]).why("leaf").unwrap();
    let labels: Vec<&str> = w.instances.iter().map(|i| i.label.as_str()).collect();
    assert_eq!(labels, ["leaf v1.0.0 (target)", "leaf v1.0.0 (host)"]);
    let host = &w.instances[1];
    assert_eq!(host.features.len(), 1);
    assert_eq!(host.features[0].feature, "std");
    assert_eq!(
        host.features[0].enabled_by,
        ["util v0.2.0 (host) through its feature \"pretty\""]
    );
    let rows: Vec<(usize, &str)> = host
        .dependents
        .iter()
        .map(|r| (r.depth, r.text.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            (0, "util v0.2.0 (host) asks for: std"),
            (1, "app v0.1.0 (target) [build-dependencies] (root)")
        ]
    );
}

#[test]
fn the_diff_says_what_rebuilds_and_why() {
    let (old, new) = (plan(&[]), plan(&["extra"]));
    let d = new.diff_from(&old);
    // `extra = ["util/extra"]` reaches util as a dependency and as a
    // build-dependency (cargo tree -e features -F extra agrees).
    assert_eq!(
        d.summary,
        "0 added, 0 removed, 0 replaced, 3 rebuilt, 3 unchanged"
    );
    let rebuilt: Vec<(&str, Vec<&str>)> = d
        .rebuilt
        .iter()
        .map(|e| {
            (
                e.text.as_str(),
                e.reasons.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        rebuilt,
        [
            (
                "app v0.1.0 (target)",
                vec![
                    "features +extra",
                    "dependency util-0.2.0, util-0.2.0@host rebuilds"
                ]
            ),
            ("util v0.2.0 (target)", vec!["features +extra"]),
            ("util v0.2.0 (host)", vec!["features +extra"]),
        ]
    );
}

#[test]
fn a_malformed_plan_is_refused_with_the_planners_message() {
    let err = |text: &str| {
        LoadedPlan::load("broken.json", text.as_bytes())
            .err()
            .unwrap()
            .to_string()
    };
    let not_json = err("{\"version\": 2,");
    assert!(
        not_json.starts_with("crateplan: broken.json is not a crateplan plan: not JSON"),
        "{not_json}"
    );
    assert!(
        not_json.contains("give the output of `crateplan plan`"),
        "{not_json}"
    );
    assert!(
        err("{\"version\": 1}").contains("its format version is 1"),
        "a plan of another format version"
    );
    assert!(err("{\"ok\": false, \"error\": \"no Cargo.lock\"}").contains("it is an error answer"));
    assert!(err("[]").contains("it has no `version` field"));
}

#[test]
fn why_of_an_unknown_crate_suggests_close_names() {
    let e = plan(&[]).why("utill").err().unwrap().to_string();
    assert!(e.contains("no crate named `utill`"), "{e}");
    assert!(e.contains("did you mean `util`?"), "{e}");
}

#[test]
fn a_plan_naming_what_it_does_not_hold_is_refused() {
    let good: serde_json::Value =
        serde_json::from_slice(&crateplan::plan_json(&RealFs, request(&[]).as_bytes())).unwrap();
    let good = &good["plan"];
    let broken = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut plan = good.clone();
        edit(&mut plan);
        LoadedPlan::load("edited.json", plan.to_string().as_bytes())
            .err()
            .unwrap()
            .to_string()
    };
    let e = broken(&|p| p["packages"].as_object_mut().unwrap().clear());
    assert!(
        e.contains(
            "the instance `app-0.1.0` names the package `app-0.1.0`, which is not in `packages`"
        ),
        "{e}"
    );
    let e = broken(&|p| {
        p["instances"].as_object_mut().unwrap().remove("leaf-1.0.0");
    });
    assert!(
        e.contains("the instance `app-0.1.0` depends on `leaf-1.0.0`, which is not in `instances`"),
        "{e}"
    );
    let e = broken(&|p| p["roots"] = json!(["gone-1.0.0"]));
    assert!(
        e.contains("the root `gone-1.0.0` is not in `instances`"),
        "{e}"
    );
}

/// The test workspace's plan with an edge `from` → `to` added and the edges
/// `to` → `from` turned into `back`.
fn with_cycle(from: &str, to: &str, back: DepKind) -> crateplan::plan::Plan {
    let mut plan = plan(&[]).plan;
    plan.instances.get_mut(from).unwrap().deps.push(DepEdge {
        extern_name: "app".into(),
        instance: to.into(),
        kind: DepKind::Normal,
    });
    for d in &mut plan.instances.get_mut(to).unwrap().deps {
        if d.instance == from {
            d.kind = back;
        }
    }
    plan
}

#[test]
fn the_layout_sets_a_dev_dependency_cycle_aside() {
    // A member's dev-dependency that depends on the member (cargo allows it).
    let plan = with_cycle("macros-0.3.0@host", "app-0.1.0", DepKind::Dev);
    let layout = crateplan_explorer::layout::layered(&plan);
    let layer = |k: &str| layout.positions[k].layer;
    assert_eq!(
        layer("macros-0.3.0@host"),
        0,
        "a source once the dev edge is set aside"
    );
    assert_eq!(layer("app-0.1.0"), 1);
    assert_eq!(layer("leaf-1.0.0"), 3, "below util, below app");
}

#[test]
fn the_layout_of_a_plan_with_a_real_cycle_still_places_every_instance() {
    // Not a plan cargo would give, but a file may hold anything.
    let plan = with_cycle("leaf-1.0.0", "app-0.1.0", DepKind::Normal);
    let layout = crateplan_explorer::layout::layered(&plan);
    assert_eq!(layout.positions.len(), 6);
    assert!(layout
        .positions
        .values()
        .all(|p| p.y + p.height <= layout.height));
}
