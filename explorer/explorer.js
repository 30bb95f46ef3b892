// The page's glue: reads files, calls the explorer module (Rust, built by
// scripts/build-explorer into pkg/) and draws the JSON it returns. Every
// answer (the graph and its layout, why, diff, error messages) is computed
// by crateplan's own code in the module; nothing here interprets a plan.
import init, { Plan } from "./pkg/crateplan_explorer.js";

const SVG = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);

const state = {
  plan: null, // the Plan shown (the newer one in a diff)
  graph: null, // its graph JSON
  old: null, // the older Plan of a diff
  diff: null,
  selected: null, // instance key
  zoom: 1, // the graph's scale (a view setting: kept across plans)
};

// ---------------------------------------------------------------- helpers

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}

function svg(tag, attrs = {}) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = false;
}

function clearError() {
  $("error").hidden = true;
  $("error").textContent = "";
}

function status(text) {
  $("status").textContent = text;
}

/** A link that selects an instance of the shown plan. */
function instanceLink(key, text) {
  if (!state.graph.nodes.some((n) => n.id === key)) return el("span", {}, text);
  return el("a", { href: "#", "data-instance": key, onclick: (ev) => {
    ev.preventDefault();
    select(key);
  } }, text);
}

// ---------------------------------------------------------------- loading

/** Parses a plan in the module; a bad one throws the planner's message. */
function parse(name, text) {
  return Plan.load(name, text);
}

/** Shows `plan` (and its diff from `old`); plans no longer shown are freed. */
function show(plan, old) {
  let graph, diff;
  try {
    graph = JSON.parse(plan.graph());
    diff = old ? JSON.parse(plan.diffFrom(old)) : null;
  } catch (e) {
    for (const p of [plan, old]) if (p && p !== state.plan && p !== state.old) p.free();
    showError(e.message ?? String(e));
    return;
  }
  for (const p of [state.plan, state.old]) if (p && p !== plan && p !== old) p.free();
  state.plan = plan;
  state.old = old;
  state.graph = graph;
  state.diff = diff;
  state.selected = null;
  clearError();
  $("welcome").hidden = true;
  $("next-file").disabled = false;
  $("search").disabled = false;
  $("search").value = "";
  drawGraph();
  drawDiff();
  $("crate").hidden = true;
  $("why").hidden = true;
  const names = [...new Set(state.graph.nodes.map((n) => n.name))].sort();
  $("crate-names").replaceChildren(...names.map((n) => el("option", { value: n })));
  const g = state.graph;
  status(`${plan.file}: ${g.nodes.length} instances, target ${g.targetTriple}` +
    (g.hostTriple !== g.targetTriple ? `, host ${g.hostTriple}` : ""));
}

/** Loads one plan, or an older and a newer one for a diff. */
function load(files) {
  const parsed = [];
  try {
    for (const { name, text } of files) parsed.push(parse(name, text));
  } catch (e) {
    parsed.forEach((p) => p.free());
    showError(e.message ?? String(e));
    return;
  }
  if (parsed.length === 1) show(parsed[0], null);
  else show(parsed[1], parsed[0]);
}

async function readFile(file) {
  return { name: file.name, text: await file.text() };
}

async function fetchPlan(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not fetch the plan ${url}: HTTP ${response.status}`);
  return { name: url, text: await response.text() };
}

/** The newer plan of a diff, against the plan shown. */
function loadNext(file) {
  let next;
  try {
    next = parse(file.name, file.text);
  } catch (e) {
    showError(e.message ?? String(e));
    return;
  }
  // The shown plan becomes the old one; a previous old one is dropped.
  show(next, state.plan);
}

// ---------------------------------------------------------------- graph

function drawGraph() {
  const g = state.graph;
  const root = $("graph");
  root.replaceChildren();
  root.setAttribute("viewBox", `0 0 ${g.width} ${g.height}`);
  applyZoom();
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const changed = diffClasses();
  const edges = svg("g", { class: "edges" });
  for (const n of g.nodes) {
    for (const d of n.deps) {
      const to = byId.get(d.instance);
      if (!to) continue;
      const a = n.position, b = to.position;
      const x1 = a.x + a.width / 2, y1 = a.y + a.height;
      const x2 = b.x + b.width / 2, y2 = b.y;
      const dy = Math.max(20, (y2 - y1) / 2);
      edges.append(svg("path", {
        d: `M${x1},${y1} C${x1},${y1 + dy} ${x2},${y2 - dy} ${x2},${y2}`,
        class: `edge ${d.kind}`,
        "data-from": n.id,
        "data-to": d.instance,
      }));
    }
  }
  const nodes = svg("g", { class: "nodes" });
  for (const n of g.nodes) {
    const p = n.position;
    const classes = ["node", n.platform];
    if (n.member) classes.push("member");
    if (n.root) classes.push("root");
    if (changed.has(n.id)) classes.push(changed.get(n.id)[0]);
    const group = svg("g", {
      class: classes.join(" "),
      "data-instance": n.id,
      tabindex: "0",
      role: "button",
      "aria-label": n.label,
    });
    group.append(svg("rect", { x: p.x, y: p.y, width: p.width, height: p.height, rx: n.platform === "host" ? 13 : 3 }));
    const text = svg("text", { x: p.x + p.width / 2, y: p.y + p.height / 2 + 4 });
    text.textContent = `${n.name} v${n.version}`;
    group.append(text);
    if (changed.has(n.id)) {
      // A badge, so the fill and border keep saying host/target and member.
      const [cls, mark] = changed.get(n.id);
      group.append(svg("circle", { class: `badge ${cls}`, cx: p.x + p.width, cy: p.y, r: 8 }));
      const t = svg("text", { class: "badge-mark", x: p.x + p.width, y: p.y + 4 });
      t.textContent = mark;
      group.append(t);
    }
    const title = svg("title");
    title.textContent = n.label + (n.member ? ", member" : "") + (n.root ? ", root" : "");
    group.append(title);
    group.addEventListener("click", () => select(n.id));
    group.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" || ev.key === " ") select(n.id);
    });
    nodes.append(group);
  }
  root.append(edges, nodes);
  root.hidden = false;
  $("legend").hidden = false;
  $("zoom").hidden = false;
}

// ---------------------------------------------------------------- zoom

const ZOOM_MIN = 0.05;
const ZOOM_MAX = 4;
const ZOOM_STEP = 1.25;

/** Sizes the drawn graph at state.zoom (the viewBox keeps the layout's units). */
function applyZoom() {
  const g = state.graph;
  if (!g) return;
  $("graph").setAttribute("width", Math.round(g.width * state.zoom));
  $("graph").setAttribute("height", Math.round(g.height * state.zoom));
  $("zoom-level").textContent = `${Math.round(state.zoom * 100)}%`;
}

function setZoom(zoom) {
  state.zoom = Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, zoom));
  applyZoom();
}

/** The largest scale, at most 100 %, at which the whole graph is in view. */
function fitZoom() {
  const g = state.graph;
  const pane = $("graph-pane");
  const width = pane.clientWidth;
  const height = pane.clientHeight - $("legend").offsetHeight - $("zoom").offsetHeight;
  return Math.min(1, width / g.width, Math.max(height, 1) / g.height);
}

/** instance key -> [class, badge mark] of its diff status (as `crateplan diff` marks lines). */
function diffClasses() {
  const m = new Map();
  if (!state.diff) return m;
  for (const e of state.diff.added) m.set(e.instance, ["diff-added", "+"]);
  for (const e of state.diff.replaced) m.set(e.instance, ["diff-replaced", "~"]);
  for (const e of state.diff.rebuilt) m.set(e.instance, ["diff-rebuilt", "*"]);
  return m;
}

// ---------------------------------------------------------------- details

function select(key) {
  const node = state.graph.nodes.find((n) => n.id === key);
  if (!node) return;
  state.selected = key;
  for (const g of document.querySelectorAll("#graph .node")) {
    g.classList.toggle("selected", g.dataset.instance === key);
  }
  for (const p of document.querySelectorAll("#graph .edge")) {
    p.classList.toggle("selected", p.dataset.from === key || p.dataset.to === key);
  }
  drawCrate(node);
  explain(node.name);
}

function drawCrate(n) {
  $("crate").hidden = false;
  $("crate-title").textContent = n.label;
  const tags = [n.source];
  if (n.member) tags.push("workspace member");
  if (n.root) tags.push("root");
  $("crate-meta").textContent = `${n.id} · ${tags.join(" · ")}`;
  $("features").replaceChildren(...(n.features.length
    ? n.features.map((f) => el("li", { class: "feature" }, f))
    : [el("li", { class: "none" }, "no features")]));
  $("deps").tBodies[0].replaceChildren(...n.deps.map((d) => el("tr", { class: `dep ${d.kind}` },
    el("td", {}, d.externName),
    el("td", {}, instanceLink(d.instance, d.label)),
    el("td", {}, d.table),
    el("td", {}, d.asks.join(", ")))));
  if (n.deps.length === 0) {
    $("deps").tBodies[0].append(el("tr", {}, el("td", { colspan: "4", class: "none" }, "no dependencies")));
  }
  $("dependents").replaceChildren(...(n.dependents.length
    ? n.dependents.map((k) => el("li", {}, instanceLink(k, state.graph.nodes.find((m) => m.id === k)?.label ?? k)))
    : [el("li", { class: "none" }, "none: a root")]));
}

/** `crateplan why NAME`, drawn. */
function explain(name) {
  let why;
  try {
    why = JSON.parse(state.plan.why(name));
  } catch (e) {
    showError(e.message ?? String(e));
    return;
  }
  clearError();
  $("why").hidden = false;
  $("why-title").textContent = `Why is ${why.name} built?`;
  const body = $("why-body");
  body.replaceChildren();
  for (const inst of why.instances) {
    const section = el("div", { class: `why-instance ${inst.platform}`, "data-instance": inst.instance });
    section.append(el("h3", {}, instanceLink(inst.instance, inst.label)));
    const features = el("ul", { class: "why-features" });
    for (const f of inst.features) {
      features.append(el("li", {}, el("code", {}, f.feature), " ← ",
        f.enabledBy.length ? f.enabledBy.join("; ") : "(not recorded in a plan)"));
    }
    if (inst.features.length === 0) features.append(el("li", { class: "none" }, "no features"));
    section.append(features);
    const tree = el("ul", { class: "why-paths" });
    for (const row of inst.dependents) {
      tree.append(el("li", { style: `padding-left: ${row.depth * 1.5}em`, class: row.root ? "root" : "" },
        "└── ", instanceLink(row.instance, row.text)));
    }
    if (inst.dependents.length === 0) tree.append(el("li", { class: "none" }, "a root: nothing depends on it"));
    section.append(tree);
    body.append(section);
  }
}

// ---------------------------------------------------------------- diff

function drawDiff() {
  const d = state.diff;
  $("diff").hidden = !d;
  if (!d) return;
  $("diff-files").textContent = `${state.old.file} → ${state.plan.file}`;
  $("diff-summary").textContent = d.summary;
  const body = $("diff-body");
  body.replaceChildren();
  const list = (title, cls, entries, link) => {
    if (entries.length === 0) return;
    body.append(el("h3", {}, title));
    body.append(el("ul", { class: `diff-list ${cls}` }, ...entries.map((e) => el("li", {},
      link ? instanceLink(e.instance, e.text) : e.text,
      ...(e.reasons.length ? [": ", e.reasons.join("; ")] : [])))));
  };
  if (d.everything.length) {
    body.append(el("ul", { class: "diff-list everything" },
      ...d.everything.map((e) => el("li", {}, `every derivation rebuilds: ${e}`))));
  }
  list("Appeared", "added", d.added, true);
  list("Disappeared", "removed", d.removed, false);
  list("Another version", "replaced", d.replaced, true);
  list("Rebuilt", "rebuilt", d.rebuilt, true);
}

// ---------------------------------------------------------------- start

async function start() {
  try {
    await init();
  } catch (e) {
    showError(`the explorer module did not load (${e.message ?? e}); serve this directory ` +
      "with a file server (python3 -m http.server), file:// pages cannot load it");
    status("");
    return;
  }
  status("no plan loaded");
  document.body.dataset.ready = "true";

  $("plan-file").addEventListener("change", async (ev) => {
    const files = [...ev.target.files];
    if (files.length) load(await Promise.all(files.map(readFile)));
    ev.target.value = "";
  });
  $("next-file").addEventListener("change", async (ev) => {
    const [file] = ev.target.files;
    if (file) loadNext(await readFile(file));
    ev.target.value = "";
  });
  $("search").addEventListener("change", (ev) => {
    const name = ev.target.value.trim();
    if (!name) return;
    const node = state.graph.nodes.find((n) => n.name === name);
    if (node) select(node.id);
    else explain(name); // shows the planner's "no crate named …; did you mean"
  });
  $("zoom-in").addEventListener("click", () => setZoom(state.zoom * ZOOM_STEP));
  $("zoom-out").addEventListener("click", () => setZoom(state.zoom / ZOOM_STEP));
  $("zoom-level").addEventListener("click", () => setZoom(1));
  $("zoom-fit").addEventListener("click", () => setZoom(fitZoom()));
  // Ctrl + wheel (and a trackpad's pinch, which browsers send as one) zooms
  // the graph instead of the page.
  $("graph-pane").addEventListener("wheel", (ev) => {
    if (!ev.ctrlKey || !state.graph) return;
    ev.preventDefault();
    setZoom(state.zoom * (ev.deltaY < 0 ? 1.1 : 1 / 1.1));
  }, { passive: false });
  document.addEventListener("dragover", (ev) => ev.preventDefault());
  document.addEventListener("drop", async (ev) => {
    ev.preventDefault();
    const files = [...ev.dataTransfer.files].slice(0, 2);
    if (files.length) load(await Promise.all(files.map(readFile)));
  });

  // ?plan=URL, and ?next=URL for a diff.
  const params = new URLSearchParams(location.search);
  const urls = [params.get("plan"), params.get("next")].filter(Boolean);
  if (urls.length) {
    try {
      load(await Promise.all(urls.map(fetchPlan)));
    } catch (e) {
      showError(e.message ?? String(e));
    }
  }
}

start();
