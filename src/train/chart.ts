/**
 * Training curves as a self-contained SVG (or an HTML page holding it): one panel per
 * logged quantity, train and validation series per epoch, and the per-batch loss.
 */
import type { History } from "./history.ts";

const W = 420;
const H = 260;
const M = { left: 56, right: 16, top: 28, bottom: 36 };
const COLORS = { train: "#1f77b4", val: "#ff7f0e", batch: "#9ecae1" };

interface Series {
  label: string;
  color: string;
  points: [number, number][];
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step0 = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= step0) ?? step0;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function panel(title: string, series: Series[], x0: number, y0: number, xLabel: string): string {
  const all = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y));
  if (all.length === 0) return "";
  let [xmin, xmax] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  let [ymin, ymax] = [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  if (xmax === xmin) [xmin, xmax] = [xmin - 1, xmax + 1];
  if (ymax === ymin) [ymin, ymax] = [ymin - Math.abs(ymin || 1) * 0.1, ymax + Math.abs(ymax || 1) * 0.1];
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number): number => x0 + M.left + ((x - xmin) / (xmax - xmin)) * pw;
  const sy = (y: number): number => y0 + M.top + (1 - (y - ymin) / (ymax - ymin)) * ph;
  const out: string[] = [];
  out.push(`<text x="${x0 + W / 2}" y="${y0 + 18}" text-anchor="middle" font-weight="bold">${escapeXml(title)}</text>`);
  out.push(`<rect x="${x0 + M.left}" y="${y0 + M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  for (const t of niceTicks(ymin, ymax)) {
    out.push(`<line x1="${x0 + M.left}" x2="${x0 + M.left + pw}" y1="${sy(t).toFixed(1)}" y2="${sy(t).toFixed(1)}" stroke="#eee"/>`);
    out.push(`<text x="${x0 + M.left - 4}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${t}</text>`);
  }
  for (const t of niceTicks(xmin, xmax).filter((v) => Number.isInteger(v) || xmax - xmin < 5))
    out.push(`<text x="${sx(t).toFixed(1)}" y="${y0 + M.top + ph + 14}" text-anchor="middle">${t}</text>`);
  out.push(`<text x="${x0 + M.left + pw / 2}" y="${y0 + H - 6}" text-anchor="middle">${escapeXml(xLabel)}</text>`);
  series.forEach((s, i) => {
    const pts = s.points.filter(([, y]) => Number.isFinite(y));
    if (pts.length === 0) return;
    const d = pts.map(([x, y], j) => `${j ? "L" : "M"}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join("");
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.label === "batch" ? 1 : 2}"/>`);
    if (pts.length < 60) for (const [x, y] of pts) out.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
    out.push(`<text x="${x0 + M.left + pw - 6}" y="${y0 + M.top + 14 + 14 * i}" text-anchor="end" fill="${s.color}">${escapeXml(s.label)}</text>`);
  });
  return out.join("\n");
}

/** The curves of a fit as an SVG document. */
export function trainingChartSvg(history: History, title = "concord training"): string {
  const keys = [...new Set([...Object.keys(history.train), ...Object.keys(history.val)])];
  const panels: string[] = [];
  if (history.batches.length > 0) {
    panels.push(
      panel("loss per batch", [{ label: "batch", color: COLORS.batch, points: history.batches.map((b) => [b.step, b.loss] as [number, number]) }], 0, 0, "batch"),
    );
  }
  for (const key of keys) {
    const series: Series[] = [];
    const tr = history.train[key];
    const va = history.val[key];
    if (tr) series.push({ label: "train", color: COLORS.train, points: tr.map((v, i) => [history.epochs[i] ?? i + 1, v]) });
    if (va) series.push({ label: "validation", color: COLORS.val, points: va.map((v, i) => [history.epochs[i] ?? i + 1, v]) });
    panels.push(panel(key, series, 0, 0, "epoch"));
  }
  const cols = Math.min(2, Math.max(1, panels.length));
  const rows = Math.ceil(panels.length / cols);
  const placed = panels.map((p, i) => `<g transform="translate(${(i % cols) * W},${30 + Math.floor(i / cols) * H})">${p}</g>`);
  const width = cols * W;
  const height = 30 + rows * H;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
    ...placed,
    `</svg>`,
  ].join("\n");
}

/** The same chart inside an HTML page, with the numbers as a table below it. */
export function trainingChartHtml(history: History, title = "concord training"): string {
  const columns: { label: string; values: number[] }[] = [];
  for (const key of [...new Set([...Object.keys(history.train), ...Object.keys(history.val)])]) {
    if (history.train[key]) columns.push({ label: `train ${key}`, values: history.train[key] });
    if (history.val[key]) columns.push({ label: `val ${key}`, values: history.val[key] });
  }
  const cell = (v: number | undefined): string => `<td>${v === undefined || Number.isNaN(v) ? "" : v.toFixed(4)}</td>`;
  const table =
    `<table><tr><th>epoch</th>${columns.map((c) => `<th>${escapeXml(c.label)}</th>`).join("")}</tr>` +
    history.epochs.map((e, i) => `<tr><td>${e}</td>${columns.map((c) => cell(c.values[i])).join("")}</tr>`).join("") +
    `</table>`;
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeXml(title)}</title>` +
    `<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}</style></head>` +
    `<body>\n${trainingChartSvg(history, title)}\n${table}\n</body></html>\n`;
}
