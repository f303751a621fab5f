/**
 * The loss curve as a small standalone SVG: training loss per logged step (log scale)
 * and validation loss per epoch.
 */

/** Options of {@link lossCurveSvg}. */
export interface LossCurveOptions {
  width?: number;
  height?: number;
  title?: string;
}

const DEFAULTS: Required<LossCurveOptions> = { width: 800, height: 400, title: 'prnet training loss' };

/**
 * Draws `train` ([step, loss] pairs) and `val` ([step, loss] at epoch ends).
 *
 * ```ts
 * await writeFileAtomic('run/loss.svg', lossCurveSvg(steps, epochs.map((e) => [e.step, e.valLoss])));
 * ```
 */
export function lossCurveSvg(train: ReadonlyArray<readonly [number, number]>, val: ReadonlyArray<readonly [number, number]>, options: LossCurveOptions = {}): string {
  const o = { ...DEFAULTS, ...options };
  const pts = [...train, ...val].filter(([, l]) => l > 0 && Number.isFinite(l));
  const m = { l: 70, r: 20, t: 30, b: 40 };
  const W = o.width - m.l - m.r, H = o.height - m.t - m.b;
  const maxStep = Math.max(1, ...pts.map(([s]) => s));
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
<text x="${m.l + W - 150}" y="${m.t + 26}" font-size="11" fill="#d62728">validation</text>
</svg>
`;
}
