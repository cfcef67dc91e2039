// Number formatting and SVG charts for the explorer, independent of its state: plot(id, spec) draws a spec into
// the <svg id> element. Loaded before page.js, which decides what each chart shows.
"use strict";

// ---------------------------------------------------------------- formatting
function fmt(v, digits = 6) {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  if (v === Infinity) return "∞";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e-4 && a < 1e7) return String(Number(v.toPrecision(digits)));
  const [m, e] = v.toExponential(digits - 1).split("e");
  return `${Number(m)}×10${superscript(e)}`;
}

function superscript(e) {
  const map = {"-": "⁻", "+": "", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹"};
  return [...String(e)].map((ch) => map[ch]).join("");
}

// ---------------------------------------------------------------- plots (inline SVG, no library)
const SVG = "http://www.w3.org/2000/svg";
const W_PLOT = 460, H_PLOT = 276, M = {l: 62, r: 14, t: 30, b: 44};

function el(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function ticks(lo, hi, log) {
  if (log) {
    const out = [];
    const few = Math.log10(hi / lo) < 2;  // less than two decades: 1, 2 and 5 times each power of ten
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      for (const m of few ? [1, 2, 5] : [1]) {
        const v = m * Math.pow(10, e);
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
      }
    }
    const stride = Math.ceil(out.length / 7);
    return out.filter((_, i) => i % stride === 0);
  }
  const span = hi - lo || 1;
  const step0 = Math.pow(10, Math.floor(Math.log10(span / 5)));
  const step = [1, 2, 5, 10].map((m) => m * step0).find((s) => span / s <= 6);
  const out = [];
  const first = Math.ceil(lo / step);
  for (let i = 0; i <= 12; i++) {  // counted, so that a span at the rounding level of the values cannot loop forever
    const v = (first + i) * step;
    if (v > hi + 1e-9 * span) break;
    out.push(Math.abs(v) < 1e-12 * span ? 0 : v);
  }
  return out;
}

function tickLabel(v, log) {
  if (log) {
    const e = Math.floor(Math.log10(v) + 1e-9), m = Math.round(v / Math.pow(10, e));
    if (e >= -2 && e <= 3) return String(Number(v.toPrecision(1)));
    return m === 1 ? `10${superscript(e)}` : `${m}×10${superscript(e)}`;
  }
  return fmt(v, 3);
}

function plot(id, spec) {
  // spec: {series: [{x, y, dash, label}], marks: [{x, y, shape, label}], xlog, ylog, xlabel, ylabel, hline, note}
  const svg = document.getElementById(id);
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${W_PLOT} ${H_PLOT}`);
  const pts = [];
  for (const s of spec.series) s.x.forEach((x, i) => { if (Number.isFinite(s.y[i]) && Number.isFinite(x)) pts.push([x, s.y[i]]); });
  for (const m of spec.marks || []) if (Number.isFinite(m.x) && Number.isFinite(m.y)) pts.push([m.x, m.y]);
  if (spec.hline !== undefined && Number.isFinite(spec.hline)) pts.push([pts.length ? pts[0][0] : 1, spec.hline]);
  // on a log axis the points at or below 0 (a term that is 0 at H = 1) are left out of the range, not the axis
  const ylog = spec.ylog && pts.some(([, y]) => y > 0);
  if (ylog) pts.splice(0, pts.length, ...pts.filter(([, y]) => y > 0));
  if (!pts.length) {
    svg.appendChild(el("text", {x: W_PLOT / 2, y: H_PLOT / 2, "text-anchor": "middle", class: "empty"}, spec.note || "nothing to plot"));
    return;
  }
  let [x0, x1] = [Math.min(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[0]))];
  let [y0, y1] = [Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[1]))];
  if (spec.ymin !== undefined) y0 = Math.min(y0, spec.ymin);
  const flat = (a, b) => b - a <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  if (flat(x0, x1)) { x0 = spec.xlog ? x0 / 2 : x0 - 1; x1 = spec.xlog ? x1 * 2 : x1 + 1; }
  if (flat(y0, y1)) { y0 = ylog ? y0 / 2 : y0 - 1; y1 = ylog ? y1 * 2 : y1 + 1; }
  if (!ylog) { const pad = 0.05 * (y1 - y0); y1 += pad; if (y0 !== 0 || spec.ymin === undefined) y0 -= pad; }
  const fx = spec.xlog ? Math.log10 : (v) => v, fy = ylog ? Math.log10 : (v) => v;
  const X = (v) => M.l + (fx(v) - fx(x0)) / (fx(x1) - fx(x0)) * (W_PLOT - M.l - M.r);
  const Y = (v) => H_PLOT - M.b - (fy(v) - fy(y0)) / (fy(y1) - fy(y0)) * (H_PLOT - M.t - M.b);
  const axes = el("g", {class: "axes"});
  axes.appendChild(el("rect", {x: M.l, y: M.t, width: W_PLOT - M.l - M.r, height: H_PLOT - M.t - M.b, class: "frame"}));
  for (const v of ticks(x0, x1, spec.xlog)) {
    axes.appendChild(el("line", {x1: X(v), x2: X(v), y1: H_PLOT - M.b, y2: H_PLOT - M.b + 4, class: "tick"}));
    axes.appendChild(el("text", {x: X(v), y: H_PLOT - M.b + 16, "text-anchor": "middle"}, tickLabel(v, spec.xlog)));
  }
  for (const v of ticks(y0, y1, ylog)) {
    axes.appendChild(el("line", {x1: M.l - 4, x2: M.l, y1: Y(v), y2: Y(v), class: "tick"}));
    axes.appendChild(el("text", {x: M.l - 7, y: Y(v) + 4, "text-anchor": "end"}, tickLabel(v, ylog)));
  }
  axes.appendChild(el("text", {x: (M.l + W_PLOT - M.r) / 2, y: H_PLOT - 8, "text-anchor": "middle", class: "label"}, spec.xlabel));
  axes.appendChild(el("text", {x: 14, y: (M.t + H_PLOT - M.b) / 2, "text-anchor": "middle", class: "label",
                               transform: `rotate(-90 14 ${(M.t + H_PLOT - M.b) / 2})`}, spec.ylabel));
  svg.appendChild(axes);
  if (spec.hline !== undefined && Number.isFinite(spec.hline)) {
    svg.appendChild(el("line", {x1: M.l, x2: W_PLOT - M.r, y1: Y(spec.hline), y2: Y(spec.hline), class: "series", "stroke-dasharray": "6 4"}));
    const below = Y(spec.hline) - M.t < 20;  // keep the label inside the frame
    svg.appendChild(el("text", {x: W_PLOT - M.r - 4, y: Y(spec.hline) + (below ? 15 : -5), "text-anchor": "end", class: "note"},
                       spec.hlineLabel));
  }
  for (const s of spec.series) {
    let d = "", pen = false;
    s.x.forEach((x, i) => {
      const y = s.y[i];
      if (!Number.isFinite(y) || !Number.isFinite(x) || (ylog && !(y > 0))) { pen = false; return; }
      d += `${pen ? "L" : "M"}${X(x).toFixed(2)},${Y(y).toFixed(2)}`;
      pen = true;
    });
    svg.appendChild(el("path", {d, class: s.faint ? "series faint" : "series", "stroke-dasharray": s.dash || "none"}));
  }
  const labelled = spec.series.filter((q) => q.label);
  labelled.forEach((q, i) => {  // line legend above the frame, right, by dash pattern (reads in greyscale)
    const y = 18, x = W_PLOT - M.r - 130 * (labelled.length - i);
    svg.appendChild(el("line", {x1: x, x2: x + 26, y1: y - 4, y2: y - 4, class: "series", "stroke-dasharray": q.dash || "none"}));
    svg.appendChild(el("text", {x: x + 32, y, class: "note"}, q.label));
  });
  let legendX = M.l;  // the legend sits above the frame, in a row, so it never hides a curve or a mark
  for (const m of spec.marks || []) {
    if (!Number.isFinite(m.x) || !Number.isFinite(m.y)) continue;
    const [cx, cy] = [X(m.x), Y(m.y)];
    svg.appendChild(m.shape === "square"
      ? el("rect", {x: cx - 6, y: cy - 6, width: 12, height: 12, class: "mark open"})
      : el("circle", {cx, cy, r: 6, class: "mark"}));
    if (m.label) {
      svg.appendChild(m.shape === "square" ? el("rect", {x: legendX, y: 9, width: 10, height: 10, class: "mark open"})
                                           : el("circle", {cx: legendX + 5, cy: 14, r: 5, class: "mark"}));
      svg.appendChild(el("text", {x: legendX + 15, y: 18, class: "note"}, m.label));
      legendX += 30 + 7 * m.label.length;
    }
  }
  if (spec.note) svg.appendChild(el("text", {x: M.l + 6, y: M.t + 14, class: "note"}, spec.note));
}
