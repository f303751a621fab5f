/**
 * The loss curve as a small standalone SVG: training loss per logged step (log scale),
 * validation loss per epoch, and optionally the validation landmark NME per epoch on a
 * linear right-hand axis.
 */
import { withDefaults } from '../../io/withDefaults.js';

/** Options of {@link lossCurveSvg}. */
export interface LossCurveOptions {
  width?: number;
  height?: number;
  title?: string;
  /** Validation NME ([step, nme as a fraction] at epoch ends), drawn against the right axis in %. */
  nme?: ReadonlyArray<readonly [number, number]>;
}

export const LOSS_CURVE_DEFAULTS: Required<LossCurveOptions> = { width: 800, height: 400, title: 'prnet training loss', nme: [] };

/**
 * Draws `train` ([step, loss] pairs) and `val` ([step, loss] at epoch ends).
 *
 * ```ts
 * await writeFileAtomic('run/loss.svg', lossCurveSvg(steps, epochs.map((e) => [e.step, e.valLoss])));
 * ```
 */
export function lossCurveSvg(train: ReadonlyArray<readonly [number, number]>, val: ReadonlyArray<readonly [number, number]>, options: LossCurveOptions = {}): string {
  const o = withDefaults(LOSS_CURVE_DEFAULTS, options);
  const pts = [...train, ...val].filter(([, l]) => l > 0 && Number.isFinite(l));
  const nme = o.nme.filter(([, v]) => v > 0 && Number.isFinite(v));
  const m = { l: 70, r: nme.length ? 60 : 20, t: 30, b: 40 };
  const W = o.width - m.l - m.r, H = o.height - m.t - m.b;
  const maxStep = Math.max(1, ...pts.map(([s]) => s), ...nme.map(([s]) => s));
  const logs = pts.map(([, l]) => Math.log10(l));
  const lo = pts.length ? Math.floor(Math.min(...logs)) : -2, hi = pts.length ? Math.ceil(Math.max(...logs)) : 0;
  const span = Math.max(hi - lo, 1);
  const x = (s: number) => m.l + (s / maxStep) * W;
  const y = (l: number) => m.t + H - ((Math.log10(l) - lo) / span) * H;
  const path = (list: ReadonlyArray<readonly [number, number]>) => list.filter(([, l]) => l > 0 && Number.isFinite(l))
    .map(([s, l], i) => `${i ? 'L' : 'M'}${x(s).toFixed(1)},${y(l).toFixed(1)}`).join('');
  const grid: string[] = [];
  for (let e = lo; e <= lo + span; e++) {
    const yy = y(10 ** e).toFixed(1);
    grid.push(`<line x1="${m.l}" y1="${yy}" x2="${m.l + W}" y2="${yy}" stroke="#ddd"/><text x="${m.l - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle" font-size="11">1e${e}</text>`);
  }
  // NME axis: 0 … the next 5 % above the largest value.
  const nmeTop = Math.max(5, Math.ceil((Math.max(0, ...nme.map(([, v]) => v)) * 100) / 5) * 5);
  const yn = (v: number) => m.t + H - ((v * 100) / nmeTop) * H;
  let nmeSvg = '';
  if (nme.length) {
    const ticks = Array.from({ length: nmeTop / 5 + 1 }, (_, i) => i * 5)
      .map((t) => `<text x="${m.l + W + 6}" y="${yn(t / 100).toFixed(1)}" dominant-baseline="middle" font-size="11" fill="#2ca02c">${t} %</text>`).join('');
    const line = nme.map(([st, v], i) => `${i ? 'L' : 'M'}${x(st).toFixed(1)},${yn(v).toFixed(1)}`).join('');
    const dots = nme.map(([st, v]) => `<rect x="${(x(st) - 3).toFixed(1)}" y="${(yn(v) - 3).toFixed(1)}" width="6" height="6" fill="#2ca02c"/>`).join('');
    nmeSvg = `\n${ticks}\n<path d="${line}" fill="none" stroke="#2ca02c" stroke-width="1.5"/>${dots}\n<text x="${m.l + W - 150}" y="${m.t + 40}" font-size="11" fill="#2ca02c">validation NME (right axis)</text>`;
  }
  const valDots = val.filter(([, l]) => l > 0 && Number.isFinite(l)).map(([s, l]) => `<circle cx="${x(s).toFixed(1)}" cy="${y(l).toFixed(1)}" r="3" fill="#d62728"/>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${o.width}" height="${o.height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${m.l}" y="18" font-size="14">${o.title}</text>
${grid.join('\n')}
<line x1="${m.l}" y1="${m.t + H}" x2="${m.l + W}" y2="${m.t + H}" stroke="#000"/>
<text x="${m.l + W}" y="${o.height - 10}" text-anchor="end" font-size="11">step ${maxStep}</text>
<path d="${path(train)}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>
<path d="${path(val)}" fill="none" stroke="#d62728" stroke-width="1.5" stroke-dasharray="4 3"/>${valDots}
<text x="${m.l + W - 150}" y="${m.t + 12}" font-size="11" fill="#1f77b4">train (weighted MSE)</text>
<text x="${m.l + W - 150}" y="${m.t + 26}" font-size="11" fill="#d62728">validation</text>${nmeSvg}
</svg>
`;
}
