// The plan explorer end to end: the page (explorer/) in headless Chromium
// through playwright-core, on plans `crateplan plan` wrote for
// tests/explorer/workspace (tests/explorer/run makes them and runs this).
//
//   node browser.mjs REPO PLANS_DIR SCREENSHOT
//
// PLANS_DIR holds plan.json (default features), plan-extra.json (with the
// root's feature `extra`) and broken.json. Every check is on what the page
// shows (text, classes), so a wrong answer fails, not only an exception.
import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";

const [repo, plans, screenshot] = process.argv.slice(2);
if (!screenshot) {
  console.error("usage: node browser.mjs REPO PLANS_DIR SCREENSHOT");
  process.exit(2);
}

// A static server: /explorer/ from the checkout, /plans/ from PLANS_DIR.
const roots = { explorer: path.join(repo, "explorer"), plans };
const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css",
  ".wasm": "application/wasm", ".json": "application/json" };
const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  const [, top, ...rest] = decodeURIComponent(url.pathname).split("/");
  const file = roots[top] && path.join(roots[top], ...rest);
  if (!file || !file.startsWith(roots[top]) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404).end("not found");
    return;
  }
  res.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" });
  fs.createReadStream(file).pipe(res);
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
page.setDefaultTimeout(15000);
const consoleErrors = [];
page.on("pageerror", (e) => consoleErrors.push(String(e)));
page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
// Nothing but the local server: the page must work offline.
const outside = [];
await page.route("**/*", (route) => {
  if (route.request().url().startsWith(base)) return route.continue();
  outside.push(route.request().url());
  return route.abort();
});

let checks = 0;
async function check(what, f) {
  try {
    await f();
    checks++;
    console.log(`ok    ${what}`);
  } catch (e) {
    console.log(`FAIL  ${what}\n${e.stack ?? e}`);
    await page.screenshot({ path: `${screenshot}.failed.png` }).catch(() => {});
    await browser.close();
    server.close();
    process.exit(1);
  }
}
const text = (sel) => page.locator(sel).innerText();
const node = (key) => page.locator(`#graph .node[data-instance="${key}"]`);
const classesOf = async (key) => (await node(key).getAttribute("class")).split(" ");

await check("the page loads its module", async () => {
  await page.goto(`${base}/explorer/index.html`);
  await page.waitForSelector("body[data-ready=true]");
  assert.equal(await text("#status"), "no plan loaded");
});

await check("opening a plan draws its six instances", async () => {
  await page.setInputFiles("#plan-file", path.join(plans, "plan.json"));
  await page.waitForSelector("#graph .node");
  assert.equal(await page.locator("#graph .node").count(), 6);
  assert.match(await text("#status"), /^plan\.json: 6 instances, target x86_64-unknown-linux-gnu$/);
  assert.equal(await page.locator("#graph .edge").count(), 6);
});

await check("zoom: + and − scale the graph, Fit brings it into a small pane, 100% restores it", async () => {
  const width = async () => Number(await page.locator("#graph").getAttribute("width"));
  const natural = await width();
  const layout = Number((await page.locator("#graph").getAttribute("viewBox")).split(" ")[2]);
  assert.equal(natural, Math.round(layout));
  assert.equal(await text("#zoom-level"), "100%");
  await page.click("#zoom-in");
  assert.equal(await width(), Math.round(layout * 1.25));
  assert.equal(await text("#zoom-level"), "125%");
  await page.click("#zoom-out");
  await page.click("#zoom-out");
  assert.equal(await width(), Math.round(layout / 1.25));
  await page.click("#zoom-level");
  assert.equal(await width(), natural);
  // In a window too narrow for the graph, Fit shrinks it into the pane.
  await page.setViewportSize({ width: 560, height: 600 });
  const pane = await page.locator("#graph-pane").evaluate((e) => e.clientWidth);
  assert.ok(pane < natural, `pane ${pane} px, graph ${natural} px: the check needs a narrower pane`);
  await page.click("#zoom-fit");
  assert.ok((await width()) <= pane && (await width()) >= pane * 0.5, `fit: ${await width()} px in ${pane} px`);
  assert.match(await text("#zoom-level"), /^\d+%$/);
  // Ctrl + wheel zooms in.
  const fitted = await width();
  await page.locator("#graph-pane").hover();
  await page.keyboard.down("Control");
  await page.mouse.wheel(0, -100);
  await page.keyboard.up("Control");
  await page.waitForFunction((w) => Number(document.getElementById("graph").getAttribute("width")) > w, fitted);
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.click("#zoom-level");
  assert.equal(await width(), natural);
});

await check("host and target instances are told apart, members and the root marked", async () => {
  const util = await classesOf("util-0.2.0@host");
  assert.ok(util.includes("host") && util.includes("member") && !util.includes("root"), util.join(" "));
  const app = await classesOf("app-0.1.0");
  assert.ok(app.includes("target") && app.includes("member") && app.includes("root"), app.join(" "));
  const leaf = await classesOf("leaf-1.0.0");
  assert.ok(leaf.includes("target") && !leaf.includes("member"), leaf.join(" "));
  assert.ok((await classesOf("macros-0.3.0@host")).includes("host"));
  // The build-dependency edge is drawn as one.
  assert.equal(await page.locator('#graph .edge.build[data-to="util-0.2.0@host"]').count(), 1);
});

await check("clicking a crate shows its features and dependencies", async () => {
  await node("util-0.2.0@host").click();
  assert.equal(await text("#crate-title"), "util v0.2.0 (host)");
  assert.match(await text("#crate-meta"), /^util-0\.2\.0@host · member at util · workspace member$/);
  assert.deepEqual(await page.locator("#features li").allInnerTexts(), ["pretty"]);
  const rows = await page.locator("#deps tbody tr").allInnerTexts();
  assert.deepEqual(rows.map((r) => r.split("\t")), [["leaf", "leaf v1.0.0 (host)", "dependencies", 'std (through "pretty")']]);
  assert.deepEqual(await page.locator("#dependents li").allInnerTexts(), ["app v0.1.0 (target)"]);
  assert.ok((await classesOf("util-0.2.0@host")).includes("selected"));
});

await check("its why paths: every instance, who turns features on, dependents up to the root", async () => {
  assert.equal(await text("#why-title"), "Why is util built?");
  const instances = page.locator("#why-body .why-instance");
  assert.equal(await instances.count(), 2);
  assert.equal(await instances.nth(0).locator("h3").innerText(), "util v0.2.0 (target)");
  assert.equal(await instances.nth(1).locator("h3").innerText(), "util v0.2.0 (host)");
  const targetFeatures = await instances.nth(0).locator(".why-features li").allInnerTexts();
  assert.deepEqual(targetFeatures, ["fast ← (not recorded in a plan)", 'simd ← feature "fast"']);
  assert.deepEqual(await instances.nth(1).locator(".why-paths li").allInnerTexts(),
    ["└── app v0.1.0 (target) [build-dependencies] (root)"]);
});

await check("a feature another instance turns on names it", async () => {
  await node("leaf-1.0.0@host").click();
  const host = page.locator('#why-body .why-instance[data-instance="leaf-1.0.0@host"]');
  assert.deepEqual(await host.locator(".why-features li").allInnerTexts(),
    ['std ← util v0.2.0 (host) through its feature "pretty"']);
  assert.deepEqual(await host.locator(".why-paths li").allInnerTexts(), [
    "└── util v0.2.0 (host) asks for: std",
    "└── app v0.1.0 (target) [build-dependencies] (root)",
  ]);
  // Following a dependent link selects it.
  await host.locator('a[data-instance="util-0.2.0@host"]').first().click();
  assert.equal(await text("#crate-title"), "util v0.2.0 (host)");
});

await check("an unknown crate name gets the planner's message", async () => {
  await page.fill("#search", "utill");
  await page.press("#search", "Enter");
  await page.waitForSelector("#error:not([hidden])");
  assert.equal(await text("#error"),
    "crateplan: no crate named `utill` is built in this plan (for this target and selection); did you mean `util`?");
});

await check("a newer plan shows what rebuilds and why", async () => {
  await page.setInputFiles("#next-file", path.join(plans, "plan-extra.json"));
  await page.waitForSelector("#diff:not([hidden])");
  assert.ok(await page.locator("#error").isHidden());
  assert.equal(await text("#diff-files"), "plan.json → plan-extra.json");
  assert.equal(await text("#diff-summary"), "0 added, 0 removed, 0 replaced, 3 rebuilt, 3 unchanged");
  assert.deepEqual(await page.locator("#diff-body .rebuilt li").allInnerTexts(), [
    "app v0.1.0 (target): features +extra; dependency util-0.2.0, util-0.2.0@host rebuilds",
    "util v0.2.0 (target): features +extra",
    "util v0.2.0 (host): features +extra",
  ]);
  assert.ok((await classesOf("util-0.2.0")).includes("diff-rebuilt"));
  assert.ok(!(await classesOf("leaf-1.0.0")).includes("diff-rebuilt"));
  assert.equal(await node("util-0.2.0").locator(".badge-mark").textContent(), "*");
  assert.equal(await page.locator("#graph .badge").count(), 3);
  await node("util-0.2.0").click();
  assert.deepEqual(await page.locator("#features li").allInnerTexts(), ["extra", "fast", "simd"]);
  // The edge from app asks for `extra` through app's own feature.
  await node("app-0.1.0").click();
  const rows = await page.locator("#deps tbody tr").allInnerTexts();
  assert.ok(rows.some((r) => r.endsWith('extra (through "extra")')), rows.join("\n"));
});

await check("screenshot", async () => {
  await node("util-0.2.0").click();
  await page.screenshot({ path: screenshot });
});

await check("a malformed plan shows the planner's message and keeps the plan shown", async () => {
  await page.setInputFiles("#plan-file", path.join(plans, "broken.json"));
  await page.waitForSelector("#error:not([hidden])");
  assert.match(await text("#error"),
    /^crateplan: broken\.json is not a crateplan plan: not JSON \(.+\); give the output of `crateplan plan` \(or `nix eval --json ….plan`\), or a Cargo\.lock$/);
  assert.equal(await page.locator("#graph .node").count(), 6);
});

await check("dropping two plans on the page shows their diff", async () => {
  await page.goto(`${base}/explorer/index.html`);
  await page.waitForSelector("body[data-ready=true]");
  const files = ["plan.json", "plan-extra.json"].map((name) =>
    ({ name, text: fs.readFileSync(path.join(plans, name), "utf8") }));
  await page.evaluate((files) => {
    const dt = new DataTransfer();
    for (const f of files) dt.items.add(new File([f.text], f.name, { type: "application/json" }));
    document.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, files);
  await page.waitForSelector("#diff:not([hidden])");
  assert.equal(await text("#diff-files"), "plan.json → plan-extra.json");
  assert.equal(await page.locator("#graph .badge").count(), 3);
});

await check("?plan=URL&next=URL loads a diff; a missing plan says so", async () => {
  await page.goto(`${base}/explorer/index.html?plan=/plans/plan.json&next=/plans/plan-extra.json`);
  await page.waitForSelector("#diff:not([hidden])");
  assert.equal(await text("#diff-summary"), "0 added, 0 removed, 0 replaced, 3 rebuilt, 3 unchanged");
  await page.goto(`${base}/explorer/index.html?plan=/plans/missing.json`);
  await page.waitForSelector("#error:not([hidden])");
  assert.equal(await text("#error"), "could not fetch the plan /plans/missing.json: HTTP 404");
});

await check("nothing outside the local server was requested, no page errors", async () => {
  assert.deepEqual(outside, []);
  // The 404 of the missing plan is the one console error expected.
  assert.deepEqual(consoleErrors.filter((e) => !e.includes("404")), []);
});

await browser.close();
server.close();
console.log(`explorer browser test: ${checks} checks passed`);
