// A plain SVG bar chart for the statistics page: one horizontal bar per row, its value at the end. A suppressed
// row keeps its place and label but has no bar and no number ("fewer than 5"), so the chart never shows what
// the table may not.
import { h } from "../dom.js";

export interface Bar {
  label: string;
  value?: number;
  /** Said instead of a number when the value is suppressed. */
  hidden?: string;
}

const SVG = "http://www.w3.org/2000/svg";
const ROW = 26;
const LABEL_WIDTH = 180;
const BAR_WIDTH = 320;
const VALUE_WIDTH = 120;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

const clip = (text: string, max = 26) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function barChart(title: string, bars: Bar[], format: (n: number) => string, testid: string): HTMLElement {
  const max = Math.max(0, ...bars.map((b) => b.value ?? 0));
  const width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${bars.length * ROW + 4}`, width: "100%", role: "img", "aria-label": title, class: "stats-chart" });
  bars.forEach((bar, i) => {
    const y = i * ROW + 2;
    const row = svg("g", { "data-testid": `${testid}-bar`, "data-label": bar.label, "data-suppressed": bar.value === undefined ? "yes" : "no" });
    const label = svg("text", { x: LABEL_WIDTH - 8, y: y + ROW / 2 + 4, "text-anchor": "end", class: "stats-chart-label" }, clip(bar.label));
    label.append(svg("title", {}, bar.label));
    row.append(label);
    if (bar.value === undefined) {
      row.append(svg("text", { x: LABEL_WIDTH, y: y + ROW / 2 + 4, class: "stats-chart-hidden" }, bar.hidden ?? "hidden"));
    } else {
      const w = max ? Math.max(1, (bar.value / max) * BAR_WIDTH) : 0;
      row.append(svg("rect", { x: LABEL_WIDTH, y: y + 4, width: w, height: ROW - 8, rx: 3, class: "stats-chart-bar" }),
        svg("text", { x: LABEL_WIDTH + w + 6, y: y + ROW / 2 + 4, class: "stats-chart-value" }, format(bar.value)));
    }
    chart.append(row);
  });
  return h("figure", { class: "stats-figure", "data-testid": testid }, h("figcaption", {}, title), chart);
}
