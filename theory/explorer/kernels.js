// The numerics of the explorer: a line-by-line port of the package's stable kernels.
// theory/maths/coefficients.py (C_rew, C_dyn without cancellation at L = 1, gamma = 1, gamma L = 1),
// theory/maths/bound.py (E3), theory/maths/sensitivity.py (E6), theory/maths/allocation.py (E11, the
// safeguarded Newton in the logit of the share) and theory/maths/noise_budget.py (E18, E19).
// The closed forms they call (closedLoopL, splitG, mse_power, ...) are generated from SymPy above this
// file; the tests hold every number to the Python API at 1e-9 relative, in a real browser.
"use strict";

// a refusal, with the explorer parameter (query key) it belongs beside, if any: the page routes it by that key
class InputError extends Error {
  constructor(message, param) {
    super(message);
    this.param = param;
  }
}

const REASON_INFINITE = "infinite horizon with gamma * L >= 1: the dynamics term compounds without bound (docs/theory.md E3)";
const REASON_OVERFLOW = "overflow: the exact bound exceeds the float range (about 1.8e308)";

function twoProduct(a, b) {  // Dekker: p + e == a * b exactly
  const p = a * b;
  const split = (v) => { const c = SPLIT * v; const hi = c - (c - v); return [hi, v - hi]; };
  const [ah, al] = split(a), [bh, bl] = split(b);
  const e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
  return [p, Number.isFinite(e) ? e : 0];
}

function logNearOne(v, vMinus1) {
  return Math.abs(vMinus1) < 0.5 ? Math.log1p(Math.max(vMinus1, -1)) : Math.log(v);
}

function gaps(g, Lc) {  // 1 - gamma, gamma L - 1 and the log-gaps, accurate near the branch points
  const g1 = 1 - g;
  const [p, e] = twoProduct(g, Lc);
  const gl1 = (p - 1) + e;
  const far = Math.log(p) + Math.log1p(p > 0 ? e / p : 0);
  const logGL = Math.abs(gl1) < 0.5 ? Math.log1p(Math.max(gl1, -1)) : far;
  return [g1, gl1, logNearOne(g, -g1), logNearOne(Lc, Lc - 1), logGL];
}

function geometric(delta, n) {  // sum_{k<n} e^{-k delta}, delta >= 0
  return delta === 0 ? n : Math.expm1(-n * delta) / Math.expm1(-delta);
}

function geometricSum(v, n) {  // sum_{k<n} v^k, exact near v = 1, n may be Infinity
  if (v === 0) return Math.min(n, 1);
  const vm1 = v - 1;
  if (n === Infinity) return v < 1 ? -1 / vm1 : Infinity;
  if (vm1 === 0 || n === 1) return n;
  const lv = logNearOne(v, vm1);
  const direct = Math.abs(vm1) >= 0.5 ? (Math.pow(v, n) - 1) / vm1 : Math.expm1(n * lv) / vm1;
  // v^n may overflow where the sum does not: factor out v^(n-1), as geometric_sum does
  return direct === Infinity && v > 1 ? Math.pow(v, n - 1) * -Math.expm1(-n * lv) / -Math.expm1(-lv) : direct;
}

function secondDividedDifference(d12, d23, d13, n) {
  if (n * d13 > CLUSTER) {
    const f12 = geometric(d12, n);
    const f23 = Math.exp(-(n - 1) * d12) * geometric(d23, n);
    return (f12 - f23) / -Math.expm1(-d13);
  }
  const w2 = -Math.expm1(-d12), w3 = -Math.expm1(-d13);
  let total = 0;
  for (let i = 0; i < GL_NODES.length; i++) {
    for (let j = 0; j < GL_NODES.length; j++) {
      const uu = GL_NODES[i], vv = GL_NODES[j];
      const t = uu * ((1 - vv) * w2 + vv * w3);  // Hermite-Genocchi on the Duffy-collapsed triangle
      total += uu * Math.exp((n - 2) * Math.log1p(-t)) * (GL_WEIGHTS[i] * GL_WEIGHTS[j]);
    }
  }
  return n * (n - 1) * total;
}

function cRew(g, n) { return geometricSum(g, n); }

function cDyn(g, n, Lc, K) {  // K_rpi gamma h_{H-2}(gamma L, gamma, 1): a second divided difference of t^H
  if (!(g > 0 && K > 0 && n > 1)) return 0;
  if (n === 2) return K * g;
  const [g1, gl1, lg, lL, lgL] = gaps(g, Lc);
  if (n === Infinity) return gl1 >= 0 ? Infinity : g / (g1 * -gl1) * K;
  const caseA = gl1 >= 0, caseC = Lc < 1;
  const d12 = Math.max(caseA ? lgL : (caseC ? -lg : -lgL), 0);
  const d23 = Math.max(caseA ? -lg : (caseC ? -lL : lL), 0);
  const d13 = Math.max(caseA ? lL : (caseC ? -lgL : -lg), 0);
  const h = secondDividedDifference(d12, d23, d13, n);
  if (caseA) return Math.exp((n - 2) * lgL + Math.log(h) + Math.log(K) + Math.log(g));
  return K * g * h;
}

function returnBound(gamma, H, eps_dyn, eps_rew, K_f, K_r, K_pi) {  // E3
  const L = closedLoopL(K_f, K_pi), K_rpi = closedLoopK(K_r, K_pi);
  const c_rew = cRew(gamma, H), c_dyn = cDyn(gamma, H, L, K_rpi);
  // no dynamics error means no dynamics term at all, even when C_dyn is infinite
  const bound = boundTotal(c_rew, eps_dyn === 0 ? 0 : c_dyn, eps_rew, eps_dyn);
  let reason = null;
  if (!Number.isFinite(bound)) {
    const compounding = H === Infinity && gaps(gamma, L)[1] >= 0 && eps_dyn > 0 && K_rpi > 0 && gamma > 0;
    reason = compounding ? REASON_INFINITE : REASON_OVERFLOW;
  }
  return {c_rew, c_dyn, L, K_rpi, bound, reason,
          reward_term: eps_rew === 0 ? 0 : c_rew * eps_rew, dynamics_term: eps_dyn === 0 ? 0 : c_dyn * eps_dyn};
}

function nodeScale(x, H) {  // as theory.maths.sensitivity._node_scale
  if (x <= 0) return 1;
  const lx = Math.abs(Math.log(x));
  if (H === Infinity) return Math.min(1, lx);
  return Math.min(1, x >= 1 ? 1 / H : Math.max(1 / H, lx));
}

function richardson(f, x, step, sign, central, levels) {  // as theory.maths.sensitivity._richardson
  const p = central ? 2 : 1, q = central ? 2 : 1;
  const f0 = central ? null : f(x);
  let row = [];
  for (let k = 0; k < levels; k++) {
    const s = step / 2 ** k;
    let d;
    if (central) {
      const xp = x + s, xm = x - s;
      d = (f(xp) - f(xm)) / (xp - xm);
    } else {
      const xs = x + sign * s;
      d = (f(xs) - f0) / (xs - x);
    }
    const next = [d];
    for (let j = 1; j <= k; j++) next.push(next[j - 1] + (next[j - 1] - row[j - 1]) / (2 ** (p + (j - 1) * q) - 1));
    row = next;
  }
  return row[row.length - 1];
}

const powerOfTwo = (v) => 2 ** Math.floor(Math.log2(v));

function derivative(f, x, lo, hi, scale) {  // as theory.maths.sensitivity._derivative
  let h = powerOfTwo(0.1 * scale);
  if (x - h >= lo && x + h <= hi) return richardson(f, x, h, 1, true, 4);
  h = powerOfTwo(Math.min(0.05 * scale, 0.5 * Math.max(hi - x, x - lo)));
  return richardson(f, x, h, x + h <= hi ? 1 : -1, false, 6);
}

function sensitivity(gamma, H, eps_dyn, eps_rew, K_f, K_r, K_pi) {  // E6
  const res = returnBound(gamma, H, eps_dyn, eps_rew, K_f, K_r, K_pi);
  if (!Number.isFinite(res.bound)) return null;
  const B = res.bound, Lc = K_f * (1 + K_pi), infinite = H === Infinity;
  const cUnit = (LL) => cDyn(gamma, H, LL, 1);
  const boundAt = (gg, hh) => boundTotal(cRew(gg, hh), cDyn(gg, hh, Lc, K_r * (1 + K_pi)), eps_rew, eps_dyn);
  const c = cUnit(Lc);
  const gl = gamma * Lc;
  const dc_dL = derivative(cUnit, Lc, 0, infinite ? (gamma > 0 ? 1 / gamma : Infinity) : Infinity,
                           Math.max(Lc, 1e-3) * nodeScale(gl, H));
  const gHi = infinite ? Math.min(1, Lc > 0 ? 1 / Lc : 1) : 1;
  const gScale = Math.max(gamma, 1e-3) * Math.min(nodeScale(gamma, H), nodeScale(gl, H));
  let hScale = H;  // in H a term x^H varies on 1 / |log x|; a node below 1 with x^H < e^-40 no longer counts
  for (const x of [gamma, gl]) {
    const v = x > 0 ? Math.log(x) : 0;
    if (v > 0 || (v < 0 && -v * H < 40)) hScale = Math.min(hScale, 1 / Math.abs(v));
  }
  const partials = {
    lip_dyn: partial_K_f(eps_dyn, K_f, K_r, K_pi, c, dc_dL),
    lip_rew: partial_K_r(eps_dyn, K_f, K_r, K_pi, c, dc_dL),
    lip_pi: partial_K_pi(eps_dyn, K_f, K_r, K_pi, c, dc_dL),
    gamma: derivative((gg) => boundAt(gg, H), gamma, 0, gHi, gScale),
    horizon: infinite ? null : derivative((hh) => boundAt(gamma, hh), H, 1, Infinity, hScale),
  };
  const values = {lip_dyn: K_f, lip_rew: K_r, lip_pi: K_pi, gamma, horizon: H};  // keyed by the vocabulary's names
  const elasticity = {};
  for (const name of Object.keys(partials)) {
    elasticity[name] = B === 0 || partials[name] === null ? null : partials[name] * values[name] / B;
  }
  const drops = {};
  for (const name of ["lip_dyn", "lip_rew", "lip_pi"]) {
    const kw = {lip_dyn: K_f, lip_rew: K_r, lip_pi: K_pi};
    kw[name] *= 0.99;
    drops[name] = B ? 1 - returnBound(gamma, H, eps_dyn, eps_rew, kw.lip_dyn, kw.lip_rew, kw.lip_pi).bound / B : 0;
  }
  let best = "lip_dyn";
  for (const name of ["lip_rew", "lip_pi"]) if (drops[name] > drops[best]) best = name;
  const lowerFirst = drops[best] > 0 ? best : null;
  return {bound: B, partials, elasticity, drops, lowerFirst};
}

function logaddexp0(v) {  // log(1 + e^v), as numpy.logaddexp(0, v)
  if (v === 0) return Math.LN2;
  return v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
}

function optimalSplit(N, kappa_d, kappa_r, a_d, alpha_d, a_r, alpha_r, C_dyn, C_rew, tol = 1e-12, maxIter = 200) {
  // E11: the root of g(u) = log LHS - log RHS of E9 in u = logit(x), safeguarded Newton in a bisection bracket
  if (!(C_dyn > 0) || !Number.isFinite(C_dyn)) throw new InputError(`c_dyn must be positive and finite, got ${C_dyn}`);
  if (!(C_rew > 0) || !Number.isFinite(C_rew)) throw new InputError(`c_rew must be positive and finite, got ${C_rew}`);
  if (!Number.isFinite(N / Math.min(kappa_d, kappa_r))) {
    throw new InputError("budget / price exceeds the float range (about 1.8e308 samples)", "budget");
  }
  if (N - kappa_d < kappa_r || N - kappa_r < kappa_d) {
    throw new InputError(`budget must be at least price_dyn + price_rew = ${kappa_d + kappa_r} (one sample of each kind), got ${N}`, "budget");
  }
  const g0 = splitConst(alpha_d, alpha_r, C_dyn, C_rew, a_d, a_r, kappa_d, kappa_r, N);
  const gAndSlope = (u) => {
    const logx = -logaddexp0(-u), log1mx = -logaddexp0(u);
    return [splitG(g0, alpha_d, alpha_r, logx, log1mx), splitSlope(alpha_d, alpha_r, Math.exp(logx))];
  };
  let lo = -1500, hi = 1500;
  let u = Math.min(Math.max(g0 < 0 ? g0 / (alpha_d + 1) : g0 / (alpha_r + 1), -700), 700);
  let iterations = 0;
  for (iterations = 1; iterations <= maxIter; iterations++) {
    const [g, slope] = gAndSlope(u);
    if (Math.abs(g) <= tol * (1 + Math.abs(g0))) break;
    if (g > 0) lo = u;
    if (g < 0) hi = u;
    const step = u - g / slope;
    u = step >= lo && step <= hi ? step : (lo + hi) / 2;
  }
  let n_d = Math.exp(-logaddexp0(-u)) * (N / kappa_d);
  let n_r = Math.exp(-logaddexp0(u)) * (N / kappa_r);
  const corner = n_d < 1 ? "dyn_min" : (n_r < 1 ? "rew_min" : "");
  if (corner === "dyn_min") { n_d = 1; n_r = (N - kappa_d) / kappa_r; }
  if (corner === "rew_min") { n_r = 1; n_d = (N - kappa_r) / kappa_d; }
  const share = kappa_d * n_d / N;
  return {n_d, n_r, share, corner, iterations,
          bound: boundOnLine(share, N, kappa_d, kappa_r, C_dyn, C_rew, a_d, alpha_d, a_r, alpha_r)};
}

const NOISE_FAMILIES = {
  power: ["A", "p"], floor: ["sigma2_floor", "A"], bounded: ["sigma2_0", "price_perfect"], averaging: ["sigma2_1", "k"],
};
const NOISE_FUNCTIONS = {
  power: [noiseVariance_power, mse_power, mseSlope_power, phi_power, phiSlope_power],
  floor: [noiseVariance_floor, mse_floor, mseSlope_floor, phi_floor, phiSlope_floor],
  bounded: [noiseVariance_bounded, mse_bounded, mseSlope_bounded, phi_bounded, phiSlope_bounded],
  averaging: [noiseVariance_averaging, mse_averaging, mseSlope_averaging, phi_averaging, phiSlope_averaging],
};

function geomspace(lo, hi, num) {  // as numpy.geomspace: exact end points
  const a = Math.log10(lo), b = Math.log10(hi), step = (b - a) / (num - 1);
  const out = new Array(num);
  for (let i = 0; i < num; i++) out[i] = Math.pow(10, i * step + a);
  out[0] = lo; out[num - 1] = hi;
  return out;
}

function priceCandidates(family, params, lo, hi) {
  if (family === "averaging") {
    const k = params.k;
    const first = Math.max(Math.ceil(lo / k - 1e-9), 1), last = Math.floor(hi / k + 1e-9);
    if (last < first) throw new InputError(`no whole number of labels at price ${k} each fits in [${lo}, ${hi}]`, "k");
    if (last - first + 1 > 2000000) throw new InputError("more than 2e6 label counts in the price range: narrow it", "price_max");
    const out = [];
    for (let m = first; m <= last; m++) out.push(m * k);
    return out;
  }
  return hi > lo ? geomspace(lo, hi, 4001) : [lo];
}

function bisectSlope(slope, a, b) {  // the sign change of slope in [a, b] to the last bit
  for (;;) {
    const m = 0.5 * (a + b);
    if (m <= a || m >= b) return m;
    if (slope(m) < 0) a = m; else b = m;
  }
}

function minimisePrice(objective, slope, cands, refine) {
  let j = 0;
  const vals = cands.map(objective);
  for (let i = 1; i < vals.length; i++) if (vals[i] < vals[j]) j = i;
  const best = cands[j];
  if (refine && cands.length > 2) {
    const a = cands[Math.max(j - 1, 0)], b = cands[Math.min(j + 1, cands.length - 1)];
    if (slope(a) < 0 && 0 < slope(b)) return bisectSlope(slope, a, b);
  }
  return best;
}

function solveNoiseBudget(family, params, V0, W, budget, c0, lo, hi) {  // E18 and the paper's reduction E19
  if (hi < lo) throw new InputError(`price_max must be >= price_min, got [${lo}, ${hi}]`, "price_max");
  if (budget < c0 + lo) throw new InputError(`budget must buy at least one rollout: >= c0 + price_min = ${c0 + lo}, got ${budget}`, "rollout_budget");
  if (budget / (c0 + lo) > 1e300) throw new InputError("budget / (c0 + price_min) is beyond the float range this solver works in (at most 1e300)", "rollout_budget");
  const args = NOISE_FAMILIES[family].map((name) => params[name]);
  const [sigma2, mse, mseSlope, phi, phiSlope] = NOISE_FUNCTIONS[family];
  const refine = family !== "averaging";
  const cands = priceCandidates(family, params, lo, hi);
  const price = minimisePrice((c) => mse(c, c0, V0, W, budget, ...args), (c) => mseSlope(c, c0, V0, W, budget, ...args),
                              cands, refine);
  const phis = cands.map((c) => phi(c, ...args));
  let top = 0, min = Infinity, max = -Infinity;
  for (const v of phis) { top = Math.max(top, Math.abs(v)); min = Math.min(min, v); max = Math.max(max, v); }
  const flat = max - min <= 1e-12 * Math.max(top, 1e-300);
  const pricePaper = flat ? cands[0] : minimisePrice((c) => phi(c, ...args), (c) => phiSlope(c, ...args), cands, refine);
  const out = {price, price_paper: pricePaper, flat, sigma2: sigma2(price, ...args),
               rollouts: budget / (c0 + price), mse: mse(price, c0, V0, W, budget, ...args),
               mse_paper: mse(pricePaper, c0, V0, W, budget, ...args)};
  if (!(Number.isFinite(out.mse) && Number.isFinite(out.mse_paper) && Number.isFinite(out.sigma2))) {
    throw new InputError("the gradient MSE exceeds the float range at these prices: scale V0, W or the noise down");
  }
  return out;
}
