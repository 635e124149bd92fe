/**
 * Small, dependency-free SVG charts for reports (the report must open offline, anywhere): an x/y plot with lines,
 * steps or points, nice axis ticks and labels. Text is escaped; sizes are in CSS pixels.
 */

export interface Series {
  label: string;
  points: readonly (readonly [number, number])[];
  kind: 'line' | 'step' | 'points';
  color: string;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  width?: number;
  height?: number;
  logX?: boolean;
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Round tick values (1, 2, 5 × 10^k) covering [min, max], about `count` of them. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

export function svgChart(c: ChartSpec): string {
  const W = c.width ?? 560;
  const H = c.height ?? 320;
  const m = { l: 64, r: 16, t: 32, b: 48 };
  const all = c.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const tx = (x: number): number => (c.logX ? Math.log10(x) : x);
  const xs = all.map(([x]) => tx(x)).filter(Number.isFinite);
  const ys = all.map(([, y]) => y);
  const pad = (lo: number, hi: number): [number, number] =>
    lo === hi ? [lo - (Math.abs(lo) || 1) * 0.1, hi + (Math.abs(hi) || 1) * 0.1] : [lo, hi];
  const [x0, x1] = xs.length ? pad(Math.min(...xs), Math.max(...xs)) : [0, 1];
  const [yl, yh] = ys.length ? pad(Math.min(...ys), Math.max(...ys)) : [0, 1];
  const yPad = (yh - yl) * 0.05;
  const [y0, y1] = [yl - yPad, yh + yPad];
  const px = (x: number): number => m.l + ((tx(x) - x0) / (x1 - x0)) * (W - m.l - m.r);
  const py = (y: number): number => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeXml(c.title)}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${m.l}" y="18" font-size="13" font-weight="600" fill="#111">${escapeXml(c.title)}</text>`,
  );
  const xTicks = c.logX
    ? niceTicks(x0, x1, 5)
        .filter((v) => Number.isInteger(v))
        .map((v) => 10 ** v)
    : niceTicks(x0, x1, 6);
  for (const v of xTicks) {
    const x = px(v).toFixed(1);
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${m.t}" y2="${H - m.b}" stroke="#eee"/>`,
      `<text x="${x}" y="${H - m.b + 14}" text-anchor="middle" fill="#555">${formatTick(v)}</text>`,
    );
  }
  for (const v of niceTicks(y0, y1, 5)) {
    const y = py(v).toFixed(1);
    parts.push(
      `<line x1="${m.l}" x2="${W - m.r}" y1="${y}" y2="${y}" stroke="#eee"/>`,
      `<text x="${m.l - 6}" y="${y}" dy="3.5" text-anchor="end" fill="#555">${formatTick(v)}</text>`,
    );
  }
  parts.push(
    `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#999"/>`,
    `<text x="${(m.l + W - m.r) / 2}" y="${H - 10}" text-anchor="middle" fill="#222">${escapeXml(c.xLabel)}</text>`,
    `<text transform="translate(14 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle" fill="#222">${escapeXml(c.yLabel)}</text>`,
  );
  for (const s of c.series) {
    const pts = s.points.filter(([x, y]) => Number.isFinite(px(x)) && Number.isFinite(y));
    if (pts.length === 0) continue;
    if (s.kind === 'points') {
      for (const [x, y] of pts)
        parts.push(
          `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${s.color}" fill-opacity="0.75"/>`,
        );
      continue;
    }
    const d: string[] = [];
    pts.forEach(([x, y], i) => {
      const X = px(x).toFixed(1);
      const Y = py(y).toFixed(1);
      if (i === 0) d.push(`M${X},${Y}`);
      else if (s.kind === 'step') d.push(`H${X}V${Y}`);
      else d.push(`L${X},${Y}`);
    });
    parts.push(`<path d="${d.join('')}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
  }
  const legend = c.series.filter((s) => s.label);
  legend.forEach((s, i) => {
    const x = W - m.r - 150;
    const y = m.t + 14 + i * 14;
    parts.push(
      `<rect x="${x}" y="${y - 8}" width="10" height="10" fill="${s.color}"/>`,
      `<text x="${x + 14}" y="${y}" fill="#222">${escapeXml(s.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}
