//! A layered drawing of the instance graph: dependents above their
//! dependencies, each instance in the layer below its deepest dependent,
//! the order within a layer following the dependents (a few barycentre
//! sweeps), without recursion and without trusting the plan to be acyclic.

use crateplan::plan::{DepKind, Plan};
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};

/// A node's box: top-left corner and size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Position {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub layer: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layout {
    pub positions: BTreeMap<String, Position>,
    pub width: f64,
    pub height: f64,
}

const NODE_HEIGHT: f64 = 28.0;
const LAYER_GAP: f64 = 64.0;
const NODE_GAP: f64 = 18.0;
const MARGIN: f64 = 20.0;
/// Roughly the width of one character of the page's 12px monospace font.
const CHAR_WIDTH: f64 = 7.3;
const SWEEPS: usize = 4;

/// The text a node shows, which decides its width.
pub fn node_text(plan: &Plan, key: &str) -> String {
    match plan
        .instances
        .get(key)
        .and_then(|i| plan.packages.get(&i.package))
    {
        Some(p) => format!("{} v{}", p.name, p.version),
        None => key.to_string(),
    }
}

pub fn layered(plan: &Plan) -> Layout {
    let keys: Vec<&str> = plan.instances.keys().map(String::as_str).collect();
    let index: BTreeMap<&str, usize> = keys.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    // Edges between instances of the plan (a dangling one is skipped).
    let mut down: Vec<Vec<(usize, DepKind)>> = vec![Vec::new(); keys.len()];
    let mut up: Vec<Vec<usize>> = vec![Vec::new(); keys.len()];
    for (from, inst) in plan.instances.values().enumerate() {
        for d in &inst.deps {
            if let Some(&to) = index.get(d.instance.as_str()) {
                if to != from {
                    down[from].push((to, d.kind));
                    up[to].push(from);
                }
            }
        }
    }
    let layers = assign_layers(&down);
    let order = order_layers(&layers, &up);
    place(plan, &keys, &layers, &order)
}

/// Each node's layer: a topological order over the normal and build edges
/// (dev edges may close a cycle: a member's dev-dependency depending on the
/// member), then one layer below the deepest dependent already placed, over
/// every edge. Nodes a cycle keeps out of the order come last, in layer 0
/// plus their placed dependents.
fn assign_layers(down: &[Vec<(usize, DepKind)>]) -> Vec<usize> {
    let n = down.len();
    let mut indegree = vec![0usize; n];
    for edges in down {
        for &(to, kind) in edges {
            if kind != DepKind::Dev {
                indegree[to] += 1;
            }
        }
    }
    let mut queue: VecDeque<usize> = (0..n).filter(|&i| indegree[i] == 0).collect();
    let mut topo = Vec::with_capacity(n);
    let mut seen = vec![false; n];
    while let Some(i) = queue.pop_front() {
        topo.push(i);
        seen[i] = true;
        for &(to, kind) in &down[i] {
            if kind != DepKind::Dev {
                indegree[to] -= 1;
                if indegree[to] == 0 {
                    queue.push_back(to);
                }
            }
        }
    }
    topo.extend((0..n).filter(|&i| !seen[i]));
    let mut layer = vec![0usize; n];
    let mut placed = vec![false; n];
    for &i in &topo {
        placed[i] = true;
        for &(to, _) in &down[i] {
            if !placed[to] {
                layer[to] = layer[to].max(layer[i] + 1);
            }
        }
    }
    layer
}

/// The nodes of each layer, left to right: first by key, then sorted by the
/// mean position of their dependents in the layers above.
fn order_layers(layers: &[usize], up: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let depth = layers.iter().max().map_or(0, |m| m + 1);
    let mut order: Vec<Vec<usize>> = vec![Vec::new(); depth];
    for (i, &l) in layers.iter().enumerate() {
        order[l].push(i);
    }
    let mut slot = vec![0.0f64; layers.len()];
    for row in &order {
        for (s, &i) in row.iter().enumerate() {
            slot[i] = s as f64;
        }
    }
    for _ in 0..SWEEPS {
        for row in order.iter_mut().skip(1) {
            let centre = |i: usize| -> f64 {
                let parents = &up[i];
                if parents.is_empty() {
                    slot[i]
                } else {
                    parents.iter().map(|&p| slot[p]).sum::<f64>() / parents.len() as f64
                }
            };
            let mut keyed: Vec<(f64, usize)> = row.iter().map(|&i| (centre(i), i)).collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            *row = keyed.into_iter().map(|(_, i)| i).collect();
            for (s, &i) in row.iter().enumerate() {
                slot[i] = s as f64;
            }
        }
    }
    order
}

fn place(plan: &Plan, keys: &[&str], layers: &[usize], order: &[Vec<usize>]) -> Layout {
    let widths: Vec<f64> = keys
        .iter()
        .map(|k| node_text(plan, k).chars().count() as f64 * CHAR_WIDTH + 20.0)
        .collect();
    let row_width = |row: &[usize]| -> f64 {
        row.iter().map(|&i| widths[i]).sum::<f64>() + NODE_GAP * row.len().saturating_sub(1) as f64
    };
    let widest = order.iter().map(|r| row_width(r)).fold(0.0, f64::max);
    let mut positions = BTreeMap::new();
    for (l, row) in order.iter().enumerate() {
        // Centre each layer under the widest one.
        let mut x = MARGIN + (widest - row_width(row)) / 2.0;
        let y = MARGIN + l as f64 * (NODE_HEIGHT + LAYER_GAP);
        for &i in row {
            positions.insert(
                keys[i].to_string(),
                Position {
                    x,
                    y,
                    width: widths[i],
                    height: NODE_HEIGHT,
                    layer: layers[i],
                },
            );
            x += widths[i] + NODE_GAP;
        }
    }
    Layout {
        positions,
        width: widest + 2.0 * MARGIN,
        height: 2.0 * MARGIN
            + (order.len() as f64 * (NODE_HEIGHT + LAYER_GAP) - LAYER_GAP).max(0.0),
    }
}
