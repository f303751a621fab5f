import { withDefaults } from '../io/withDefaults.js';

/** One curve of a CED plot. */
export interface CedSeries {
  label: string;
  /** Per-image errors, NME as fractions. */
  errors: readonly number[];
}

/** Options of {@link cedCurveSvg}. */
export interface CedCurveSvgOptions {
  /** Plot size in pixels. */
  width?: number;
  height?: number;
  /**
   * Largest NME on the x axis, in %. Default: 10, widened in steps of 5 (up to 50) until it
   * holds 95 % of every series; what lies beyond is not drawn at the edge but counted in the legend.
   */
  maxNmePercent?: number;
  title?: string;
}

export const CED_CURVE_SVG_DEFAULTS: Required<Omit<CedCurveSvgOptions, 'maxNmePercent'>> = { width: 640, height: 440, title: 'AFLW2000-3D, 68 landmarks' };

/** The default axis: 10 %, or the next multiple of 5 (≤ 50) that holds 95 % of every series. */
function autoMaxPercent(series: readonly CedSeries[]): number {
  let need = 0;
  for (const s of series) {
    const e = s.errors.filter(Number.isFinite).map((v) => v * 100).sort((a, b) => a - b);
    if (e.length) need = Math.max(need, e[Math.min(e.length - 1, Math.ceil(0.95 * e.length) - 1)]!);
  }
  return Math.min(50, Math.max(10, Math.ceil(need / 5) * 5));
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Cumulative error distribution: the fraction of images whose NME is at most x, drawn
 * as a self-contained SVG document (no fonts or scripts needed; sharp or a browser
 * renders it).
 *
 * ```ts
 * const svg = cedCurveSvg([{ label: 'NME 2D', errors: records.map((r) => r.nme2d!) }]);
 * ```
 */
export function cedCurveSvg(series: readonly CedSeries[], options: CedCurveSvgOptions = {}): string {
  const { width, height, title } = withDefaults(CED_CURVE_SVG_DEFAULTS, options);
  const maxNmePercent = options.maxNmePercent ?? autoMaxPercent(series);
  const m = { left: 60, right: 20, top: 36, bottom: 50 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const X = (pct: number) => m.left + (Math.min(pct, maxNmePercent) / maxNmePercent) * pw;
  const Y = (frac: number) => m.top + (1 - frac) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="22" font-family="sans-serif" font-size="15" text-anchor="middle">${esc(title)}</text>`);
  const xStep = maxNmePercent <= 10 ? 1 : Math.ceil(maxNmePercent / 10);
  for (let v = 0; v <= maxNmePercent + 1e-9; v += xStep) {
    out.push(`<line x1="${X(v)}" y1="${m.top}" x2="${X(v)}" y2="${m.top + ph}" stroke="#ddd"/>`);
    out.push(`<text x="${X(v)}" y="${m.top + ph + 18}" font-family="sans-serif" font-size="12" text-anchor="middle">${v}</text>`);
  }
  for (let f = 0; f <= 1 + 1e-9; f += 0.2) {
    out.push(`<line x1="${m.left}" y1="${Y(f)}" x2="${m.left + pw}" y2="${Y(f)}" stroke="#ddd"/>`);
    out.push(`<text x="${m.left - 8}" y="${Y(f) + 4}" font-family="sans-serif" font-size="12" text-anchor="end">${f.toFixed(1)}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="black"/>`);
  out.push(`<text x="${m.left + pw / 2}" y="${height - 12}" font-family="sans-serif" font-size="13" text-anchor="middle">NME (%)</text>`);
  out.push(`<text x="16" y="${m.top + ph / 2}" font-family="sans-serif" font-size="13" text-anchor="middle" transform="rotate(-90 16 ${m.top + ph / 2})">fraction of images</text>`);
  series.forEach((s, k) => {
    const e = s.errors.filter(Number.isFinite).map((v) => v * 100).sort((a, b) => a - b);
    const n = e.length;
    const color = COLORS[k % COLORS.length]!;
    if (n > 0) {
      // A step curve: the fraction jumps by 1/n at each error value; errors beyond the axis are
      // not drawn (the curve ends below 1 at the right edge, and the legend counts them).
      const pts: string[] = [`${X(0).toFixed(2)},${Y(0).toFixed(2)}`];
      e.forEach((v, i) => {
        if (v > maxNmePercent) return;
        pts.push(`${X(v).toFixed(2)},${Y(i / n).toFixed(2)}`, `${X(v).toFixed(2)},${Y((i + 1) / n).toFixed(2)}`);
      });
      pts.push(`${X(maxNmePercent).toFixed(2)},${Y(e.filter((v) => v <= maxNmePercent).length / n).toFixed(2)}`);
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.join(' ')}"/>`);
    }
    const ly = m.top + 16 + k * 18;
    const meanPct = n ? e.reduce((a, b) => a + b, 0) / n : NaN;
    out.push(`<line x1="${m.left + pw - 290}" y1="${ly - 4}" x2="${m.left + pw - 270}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`);
    const beyond = e.filter((v) => v > maxNmePercent).length;
    const clipped = beyond ? `; ${beyond} of ${n} beyond ${maxNmePercent}%` : '';
    out.push(`<text x="${m.left + pw - 264}" y="${ly}" font-family="sans-serif" font-size="12">${esc(s.label)} (mean ${meanPct.toFixed(2)}%${clipped})</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
