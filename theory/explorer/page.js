// The explorer's face: controls, URL state, outputs and what each plot shows. The numbers come from kernels.js,
// the number formatting and the SVG drawing from chart.js.
"use strict";

const state = {};     // key -> number (or string for the family)
const raw = {};       // key -> the text the user gave (written back to the URL as is)
const problems = {};  // key -> message shown beside the field
let crossProblems = {};  // key -> a valid value that does not fit the others (a budget below one sample, ...)

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseParam(p, text) {
  const t = String(text).trim();
  if (p.rule === "choice") {
    return p.choices.includes(t) ? {value: t} : {error: `${p.key} must be one of ${p.choices.join(", ")}, got "${t}"`};
  }
  if (p.rule === "horizon" && /^(inf|infinity|oo)$/i.test(t)) return {value: Infinity};
  if (!NUMBER.test(t)) return {error: `${p.key} must be a number, got "${t}"`};
  const v = Number(t);
  if (!Number.isFinite(v)) return {error: `${p.key} must be finite, got "${t}"`};
  if (p.rule === "unit" && !(v >= 0 && v <= 1)) return {error: `${p.key} must be in [0, 1], got ${t}`};
  if (p.rule === "nonneg" && !(v >= 0)) return {error: `${p.key} must be >= 0, got ${t}`};
  if (p.rule === "pos" && !(v > 0)) return {error: `${p.key} must be > 0, got ${t}`};
  if (p.rule === "horizon" && !(Number.isInteger(v) && v >= 1)) {
    return {error: `${p.key} must be a whole number >= 1 or inf, got ${t}`};
  }
  return {value: v};
}

function show(id, v, text) {  // an output with its full-precision value in data-value, four digits on screen
  const el = document.getElementById(id);
  el.dataset.value = v === null || v === undefined ? "NaN" : String(v);
  el.textContent = text === undefined ? fmt(v, 4) : text;
}

function say(id, text) { document.getElementById(id).textContent = text || ""; }

// ---------------------------------------------------------------- controls
function sliderToValue(p, pos) {
  const [lo, hi, scale] = p.slider;
  const t = pos / 1000;
  const v = scale === "log" ? Math.pow(10, Math.log10(lo) + t * (Math.log10(hi) - Math.log10(lo))) : lo + t * (hi - lo);
  if (p.rule === "horizon") return Math.max(1, Math.round(v));
  return Number(v.toPrecision(3));
}

function valueToSlider(p, v) {
  const [lo, hi, scale] = p.slider;
  if (!Number.isFinite(v)) return 1000;
  const t = scale === "log" ? (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))
                            : (v - lo) / (hi - lo);
  return Math.round(1000 * Math.min(Math.max(t, 0), 1));
}

function buildControls() {
  for (const p of PARAMETERS) {
    const host = document.getElementById(`controls-${p.panel}`);
    const row = document.createElement("div");
    row.className = "control";
    row.id = `row-${p.key}`;
    if (p.family) row.dataset.family = p.family;
    const label = document.createElement("label");
    label.htmlFor = `in-${p.key}`;
    label.innerHTML = p.label;
    row.appendChild(label);
    if (p.rule === "choice") {
      const sel = document.createElement("select");
      sel.id = `in-${p.key}`;
      for (const ch of p.choices) {
        const o = document.createElement("option");
        o.value = ch; o.textContent = ch;
        sel.appendChild(o);
      }
      sel.addEventListener("change", () => setParam(p, sel.value));
      row.appendChild(sel);
    } else {
      const slider = document.createElement("input");
      slider.type = "range"; slider.min = "0"; slider.max = "1000"; slider.step = "1";
      slider.id = `sl-${p.key}`;
      slider.setAttribute("aria-label", `${p.key} slider`);
      slider.addEventListener("input", () => setParam(p, String(sliderToValue(p, Number(slider.value)))));
      const box = document.createElement("input");
      box.type = "text"; box.inputMode = "decimal"; box.id = `in-${p.key}`; box.size = 9;
      box.setAttribute("aria-describedby", `msg-${p.key}`);
      box.addEventListener("change", () => setParam(p, box.value));
      row.appendChild(slider);
      row.appendChild(box);
      if (p.rule === "horizon") {
        const inf = document.createElement("input");
        inf.type = "checkbox"; inf.id = "in-horizon-inf";
        const il = document.createElement("label");
        il.htmlFor = "in-horizon-inf"; il.textContent = "H = ∞";
        inf.addEventListener("change", () => setParam(p, inf.checked ? "inf" : String(sliderToValue(p, Number(slider.value)))));
        row.appendChild(inf); row.appendChild(il);
      }
    }
    const msg = document.createElement("span");
    msg.className = "message"; msg.id = `msg-${p.key}`; msg.setAttribute("role", "alert");
    row.appendChild(msg);
    if (p.help) row.title = p.help;
    host.appendChild(row);
  }
}

function syncControl(p) {
  const box = document.getElementById(`in-${p.key}`);
  if (p.rule === "choice") { box.value = state[p.key]; return; }
  if (document.activeElement !== box) box.value = raw[p.key];
  document.getElementById(`sl-${p.key}`).value = String(valueToSlider(p, state[p.key]));
  if (p.rule === "horizon") document.getElementById("in-horizon-inf").checked = state.horizon === Infinity;
}

function setParam(p, text) {
  const parsed = parseParam(p, text);
  if (parsed.error) {
    problems[p.key] = parsed.error;
  } else {
    delete problems[p.key];
    state[p.key] = parsed.value;
    raw[p.key] = String(text).trim();
  }
  syncControl(p);
  update();
  writeQuery();
}

function readQuery() {
  const q = new URLSearchParams(window.location.search);
  for (const [oldKey, newKey] of Object.entries(RENAMED)) {  // an old link keeps working for this release
    if (q.has(oldKey) && !q.has(newKey)) q.set(newKey, q.get(oldKey));
  }
  for (const p of PARAMETERS) {
    const given = q.get(p.key);
    state[p.key] = parseParam(p, p.default).value;
    raw[p.key] = p.default;
    if (given === null) continue;
    const parsed = parseParam(p, given);
    if (parsed.error) {
      problems[p.key] = `${parsed.error}; using the default ${p.default}`;
    } else {
      state[p.key] = parsed.value;
      raw[p.key] = given.trim();
    }
  }
  const known = new Set(PARAMETERS.map((p) => p.key));
  const old = [...q.keys()].filter((key) => !known.has(key) && key in RENAMED);
  const unknown = [...q.keys()].filter((key) => !known.has(key) && !(key in RENAMED));
  say("query-message", [
    ...old.map((key) => `query key ${key} is deprecated; use ${RENAMED[key]}`),
    ...(unknown.length ? [`ignored unknown query parameter(s): ${unknown.join(", ")}`] : []),
  ].join("; "));
}

function writeQuery() {
  const q = new URLSearchParams();
  for (const p of PARAMETERS) {
    if (p.family && !p.family.split(" ").includes(state.noise)) continue;
    q.set(p.key, raw[p.key]);
  }
  try {
    window.history.replaceState(null, "", `${window.location.pathname}?${q.toString()}`);
  } catch (e) {
    // some browsers refuse to rewrite file:// addresses; the link below still carries the state
  }
  const link = document.getElementById("share-link");
  link.href = `?${q.toString()}`;
}

// ---------------------------------------------------------------- the three panels
let lastBound = null;

function boundPanel() {
  const s = state;
  const crossField = s.horizon === Infinity && s.gamma >= 1
    ? "gamma must be < 1 when the horizon is infinite (the discounted return diverges at gamma = 1)" : "";
  if (crossField) {
    crossProblems.horizon = crossField;
    for (const id of ["bound", "c_rew", "c_dyn", "reward_term", "dynamics_term"]) show(id, NaN);
    show("L", closedLoopL(s.lip_dyn, s.lip_pi));
    show("K_rpi", closedLoopK(s.lip_rew, s.lip_pi));
    say("bound_reason", crossField);
    lastBound = null;
    elasticities(null);
    plotBoundVsH(null);
    return;
  }
  const r = returnBound(s.gamma, s.horizon, s.eps_dyn, s.eps_rew, s.lip_dyn, s.lip_rew, s.lip_pi);
  lastBound = r;
  for (const id of ["bound", "c_rew", "c_dyn", "L", "K_rpi", "reward_term", "dynamics_term"]) show(id, r[id]);
  const gl = r.L * s.gamma;
  say("bound_reason", r.reason ? `B = ∞: ${r.reason}` : `finite; γL = ${fmt(gl, 4)}${gl >= 1 ? " ≥ 1 (finite only because H is finite)" : ""}`);
  say("bound_branch", `the formula that applies: ${branchOf(s.gamma, s.horizon, r.L)}`);
  elasticities(Number.isFinite(r.bound) ? sensitivity(s.gamma, s.horizon, s.eps_dyn, s.eps_rew, s.lip_dyn, s.lip_rew, s.lip_pi) : null);
  plotBoundVsH(r);
}

function branchOf(gamma, H, L) {  // which closed form of E3 applies (the removable points are their own branches)
  const near = (a, b) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));
  if (H === Infinity) return gamma * L < 1 ? "H = ∞ with γL < 1: C_dyn = γK_rπ / ((1 − γ)(1 − γL))" : "H = ∞ with γL ≥ 1: B = ∞";
  if (near(gamma, 1) && near(L, 1)) return "γ = 1 and L = 1: C_dyn = K_rπ H(H − 1)/2";
  if (near(gamma, 1)) return "γ = 1: C_dyn = K_rπ (L^H − 1 − H(L − 1))/(L − 1)²";
  if (near(L, 1)) return "L = 1: the limit of the general form at L = 1";
  if (near(gamma * L, 1)) return "γL = 1: the limit of the general form at γL = 1";
  return "the general finite-H form (γ ≠ 1, L ≠ 1, γL ≠ 1)";
}

function elasticities(sens) {
  for (const name of ["lip_dyn", "lip_rew", "lip_pi", "gamma", "horizon"]) {
    show(`elasticity_${name}`, sens ? sens.elasticity[name] : NaN);
    show(`partial_${name}`, sens ? sens.partials[name] : NaN);
  }
  say("lower_first", !sens ? "no sensitivities: the bound is not finite here"
    : sens.lowerFirst ? `lowering ${sens.lowerFirst} (${{lip_dyn: "K_f", lip_rew: "K_r", lip_pi: "K_pi"}[sens.lowerFirst]}) by 1% lowers the bound most (${fmt(100 * sens.drops[sens.lowerFirst], 3)}%)`
      : "no Lipschitz constant changes the bound here: the dynamics term is zero");
}

function splitPanel() {
  const s = state;
  const ids = ["share_dyn", "n_dyn", "n_rew", "split_bound", "split_ratio"];
  let why = "";
  if (!lastBound) why = "needs a valid bound panel";
  else if (!(lastBound.c_dyn > 0)) why = "C_dyn = 0 (γ = 0, H = 1 or K_r = 0): the dynamics error does not enter the bound, so every unit of money after one dynamics sample buys reward labels";
  else if (!Number.isFinite(lastBound.c_dyn)) why = "C_dyn = ∞ (γL ≥ 1 with H = ∞): no finite bound to minimise; choose a finite H or γL < 1";
  let split = null;
  if (!why) {
    try {
      split = optimalSplit(s.budget, s.price_dyn, s.price_rew, s.a_dyn, s.alpha_dyn, s.a_rew, s.alpha_rew, lastBound.c_dyn, lastBound.c_rew);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      why = e.message;
      blame(e);
    }
  }
  say("split_status", why || (split.corner ? `corner: the one-sample limit binds (${split.corner})` : "interior optimum (E9 holds with equality)"));
  if (!split) {
    for (const id of ids) show(id, NaN);
    plotSplit(null); plotShareVsRatio(null); plotShareVsBudget(null);
    return;
  }
  show("share_dyn", split.share); show("n_dyn", split.n_d); show("n_rew", split.n_r);
  show("split_bound", split.bound); show("split_ratio", split.n_d / split.n_r);
  plotSplit(split); plotShareVsRatio(split); plotShareVsBudget(split);
}

function noisePanel() {
  const s = state;
  const params = {};
  for (const name of NOISE_FAMILIES[s.noise]) params[name] = s[name];
  for (const row of document.querySelectorAll("[data-family]")) row.hidden = !row.dataset.family.split(" ").includes(s.noise);
  let out = null, why = "";
  try {
    out = solveNoiseBudget(s.noise, params, s.v0, s.w, s.rollout_budget, s.c0, s.price_min, s.price_max);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    why = e.message;
    blame(e);
  }
  if (!out) {
    for (const id of ["price_full", "price_paper", "mse_full", "mse_paper", "rollouts", "sigma2_at"]) show(id, NaN);
    say("noise_note", why);
    plotNoise(null, params);
    return;
  }
  show("price_full", out.price); show("price_paper", out.price_paper);
  show("mse_full", out.mse); show("mse_paper", out.mse_paper);
  show("rollouts", out.rollouts); show("sigma2_at", out.sigma2);
  const corner = (c) => (Math.abs(c - s.price_min) <= 1e-7 * Math.max(Math.abs(c), Math.abs(s.price_min)) ? " (cheapest)"
    : Math.abs(c - s.price_max) <= 1e-7 * Math.max(Math.abs(c), Math.abs(s.price_max)) ? " (dearest)" : " (interior)");
  const agree = Math.abs(out.price - out.price_paper) <= 1e-3 * Math.max(Math.abs(out.price), Math.abs(out.price_paper));
  say("noise_note", (out.flat ? "c σ²(c) is flat here: the paper's reduction is indifferent (shown at the cheapest price). " : "")
    + `full objective: price ${fmt(out.price)}${corner(out.price)}; paper's noise-only reduction: ${fmt(out.price_paper)}`
    + `${out.flat ? "" : corner(out.price_paper)}. `
    + (agree ? "They agree." : `They differ: at the paper's price the MSE is ${fmt(out.mse_paper / out.mse, 3)}× the optimum.`));
  plotNoise(out, params);
}

// ---------------------------------------------------------------- the panels' plots (drawn with chart.js)
function horizonsUpTo(hmax) {
  const out = [];
  if (hmax <= 300) { for (let h = 1; h <= hmax; h++) out.push(h); return out; }
  let last = 0;
  for (const v of geomspace(1, hmax, 300)) { const h = Math.round(v); if (h > last) { out.push(h); last = h; } }
  return out;
}

let previousBoundCurve = null;  // the last setting's curve, drawn faint so a change can be seen

function plotBoundVsH(r) {
  const s = state;
  const logY = document.getElementById("bound-log") && document.getElementById("bound-log").checked;
  if (!r) { plot("plot-bound", {series: [], xlabel: "horizon H", ylabel: "bound B", note: "no bound at these values"}); return; }
  const hmax = s.horizon === Infinity ? 200 : Math.min(Math.max(2 * s.horizon, 20), 1e6);
  const hs = horizonsUpTo(hmax);
  const rs = hs.map((h) => returnBound(s.gamma, h, s.eps_dyn, s.eps_rew, s.lip_dyn, s.lip_rew, s.lip_pi));
  const curve = {x: hs, y: rs.map((q) => q.bound)};
  const series = [];
  if (previousBoundCurve && JSON.stringify(previousBoundCurve.x) !== "" ) series.push({...previousBoundCurve, faint: true});
  series.push(curve,
              {x: hs, y: rs.map((q) => q.dynamics_term), dash: "2 4", label: "dynamics term"},
              {x: hs, y: rs.map((q) => q.reward_term), dash: "8 4", label: "reward term"});
  const spec = {series, xlog: hmax > 300, ylog: logY, xlabel: "horizon H",
                ylabel: logY ? "B(H) and its terms (log)" : "B(H) and its terms", ymin: logY ? undefined : 0};
  if (s.horizon === Infinity) {
    if (Number.isFinite(r.bound)) { spec.hline = r.bound; spec.hlineLabel = `H = ∞: B = ${fmt(r.bound, 4)}`; }
    else spec.note = "H = ∞: B = ∞ (γL ≥ 1)";
  } else {
    spec.marks = [{x: s.horizon, y: r.bound, label: `H = ${s.horizon}`}];
  }
  plot("plot-bound", spec);
  previousBoundCurve = curve;
}

function plotSplit(split) {
  const s = state;
  if (!split) { plot("plot-split", {series: [], xlabel: "dynamics share x", ylabel: "bound B(x)", note: "no split"}); return; }
  const lo = s.price_dyn / s.budget, hi = 1 - s.price_rew / s.budget;
  const xs = [];
  for (let i = 0; i <= 240; i++) {  // dense near both ends, where B(x) turns up steeply
    const t = i / 240, u = Math.log(lo / (1 - lo)) + t * (Math.log(hi / (1 - hi)) - Math.log(lo / (1 - lo)));
    xs.push(1 / (1 + Math.exp(-u)));
  }
  const cd = lastBound.c_dyn, cr = lastBound.c_rew;
  const ys = xs.map((x) => boundOnLine(x, s.budget, s.price_dyn, s.price_rew, cd, cr, s.a_dyn, s.alpha_dyn, s.a_rew, s.alpha_rew));
  plot("plot-split", {series: [{x: xs, y: ys}], ylog: true, xlabel: "dynamics share of the budget x = κ_d n_d / N",
                      ylabel: "bound on the budget line", marks: [{x: split.share, y: split.bound, label: `x* = ${fmt(split.share, 4)}`}]});
}

function plotShareVsRatio(split) {
  const s = state;
  if (!split) { plot("plot-ratio", {series: [], xlabel: "price ratio κ_r / κ_d", ylabel: "x*", note: "no split"}); return; }
  const r0 = s.price_rew / s.price_dyn;
  const rs = geomspace(r0 / 1000, r0 * 1000, 121);
  const xs = [], ys = [];
  for (const r of rs) {
    try {
      ys.push(optimalSplit(s.budget, s.price_dyn, r * s.price_dyn, s.a_dyn, s.alpha_dyn, s.a_rew, s.alpha_rew, lastBound.c_dyn, lastBound.c_rew).share);
      xs.push(r);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
    }
  }
  plot("plot-ratio", {series: [{x: xs, y: ys}], xlog: true, xlabel: "price ratio κ_r / κ_d (reward label / dynamics sample)",
                      ylabel: "optimal share x*", ymin: 0, marks: [{x: r0, y: split.share, label: "these prices"}]});
}

function plotShareVsBudget(split) {  // E11: the optimal share against the budget, prices and laws fixed
  const s = state;
  if (!split) { plot("plot-budget", {series: [], xlabel: "budget N", ylabel: "x*", note: "no split"}); return; }
  const lo = Math.max((s.price_dyn + s.price_rew) * 1.01, s.budget / 1e6), hi = s.budget * 1e6;
  const xs = [], ys = [];
  for (const n of geomspace(lo, hi, 121)) {
    try {
      ys.push(optimalSplit(n, s.price_dyn, s.price_rew, s.a_dyn, s.alpha_dyn, s.a_rew, s.alpha_rew, lastBound.c_dyn, lastBound.c_rew).share);
      xs.push(n);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
    }
  }
  plot("plot-budget", {series: [{x: xs, y: ys}], xlog: true, xlabel: "budget N", ylabel: "optimal share x*", ymin: 0,
                       marks: [{x: s.budget, y: split.share, label: "this budget"}]});
}

function plotNoise(out, params) {
  const s = state;
  if (!out) { plot("plot-noise", {series: [], xlabel: "price per rollout c", ylabel: "MSE(c)", note: "no solution"}); return; }
  const fam = NOISE_FUNCTIONS[s.noise], args = NOISE_FAMILIES[s.noise].map((n) => params[n]);
  const cs = s.noise === "averaging" ? priceCandidates("averaging", params, s.price_min, s.price_max).filter((_, i, a) => a.length <= 400 || i % Math.ceil(a.length / 400) === 0)
    : (s.price_max > s.price_min ? geomspace(s.price_min, s.price_max, 240) : [s.price_min]);
  const ys = cs.map((c) => fam[1](c, s.c0, s.v0, s.w, s.rollout_budget, ...args));
  plot("plot-noise", {series: [{x: cs, y: ys}], xlog: true, ylog: true, xlabel: "price of one rollout's labels c",
                      ylabel: "gradient MSE(c) (E18)",
                      marks: [{x: out.price, y: out.mse, label: "full objective"},
                              {x: out.price_paper, y: out.mse_paper, shape: "square", label: "paper's reduction"}]});
}

// ---------------------------------------------------------------- main loop
function showProblems() {
  for (const p of PARAMETERS) say(`msg-${p.key}`, problems[p.key] || crossProblems[p.key] || "");
}

// a refusal of the solvers is shown beside the parameter it names (InputError.param), whatever its wording
function blame(err) {
  if (err.param) crossProblems[err.param] = err.message;
}

function update() {
  crossProblems = {};
  boundPanel();
  splitPanel();
  noisePanel();
  showProblems();
  document.body.dataset.ready = "true";
}

// ---------------------------------------------------------------- scenes for the lecture hall
const SCENES = [
  {name: "A contracting model", panel: "bound", values: {gamma: "0.9", horizon: "inf", lip_dyn: "0.5", lip_pi: "0.2"},
   question: "γL = 0.54: which term of the bound dominates, and which constant would you lower first?"},
  {name: "γL close to 1", panel: "bound", values: {gamma: "0.99", horizon: "inf", lip_dyn: "1", lip_pi: "0"},
   question: "γL = 0.99: how much does a 1% cut of K_f buy, and why is its elasticity so large?"},
  {name: "A vacuous bound that a finite horizon rescues", panel: "bound", values: {gamma: "0.99", horizon: "20", lip_dyn: "1.2", lip_pi: "0"},
   question: "With H = ∞ the bound is infinite here; how long an imagination horizon keeps it below 1?"},
  {name: "Cheap reward labels", panel: "split", values: {price_dyn: "1", price_rew: "0.1", alpha_dyn: "0.11", alpha_rew: "0.96"},
   question: "Labels cost a tenth of a transition: does the budget move towards reward labels, and by how much?"},
  {name: "A noise floor", panel: "noise", values: {noise: "floor", sigma2_floor: "0.5", A: "2", c0: "0"},
   question: "Labels never get cleaner than σ_f² = 0.5: why does the paper's reduction buy the cheapest labels?"},
];

function buildScenes() {
  const box = document.getElementById("scenes");
  if (!box) return;
  for (const [i, scene] of SCENES.entries()) {
    const b = document.createElement("button");
    b.type = "button";
    b.id = `scene-${i}`;
    b.textContent = scene.name;
    b.addEventListener("click", () => applyScene(i));
    box.appendChild(b);
  }
}

function applyScene(i) {  // sets exactly the values the scene names, and asks its question
  const scene = SCENES[i];
  for (const [key, text] of Object.entries(scene.values)) {
    const p = PARAMETERS.find((q) => q.key === key);
    setParam(p, text);
  }
  say("scene-question", `${scene.name}: ${scene.question}`);
  update();
  writeQuery();
  document.getElementById(`panel-${scene.panel}`).scrollIntoView({block: "start"});
}

function main() {
  buildScenes();
  const toggle = document.getElementById("bound-log");
  if (toggle) toggle.addEventListener("change", () => { previousBoundCurve = null; update(); });
  buildControls();
  readQuery();
  for (const p of PARAMETERS) syncControl(p);
  update();
  writeQuery();
}

main();
