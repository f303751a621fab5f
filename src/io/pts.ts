/**
 * iBUG's `.pts` landmark files, the format of 300-W, HELEN, LFPW, AFW, iBUG and Menpo's
 * 68-point annotations:
 *
 * ```text
 * version: 1
 * n_points:  68
 * {
 * 241.5 310.25
 * …
 * }
 * ```
 *
 * 300-W saves them "in the Matlab convention of 1 being the first index, i.e. the
 * coordinates of the top left pixel in an image are x=1, y=1". prnet's pixel coordinates
 * put the top-left pixel's centre at 0, 0, so reading subtracts 1 and writing adds 1
 * (`origin`). Isomorphic.
 */

/** Coordinate of the top-left pixel's centre in a `.pts` file (300-W's Matlab convention). */
export const PTS_ORIGIN = 1;

/** Options of {@link parsePts} and {@link encodePts}. */
export interface PtsOptions {
  /** Coordinate of the top-left pixel's centre in the file: 1 (300-W, the default) or 0. */
  origin: number;
}

/** Defaults of {@link PtsOptions}. */
export const PTS_DEFAULTS: PtsOptions = { origin: PTS_ORIGIN };

/**
 * Reads a `.pts` file: `n × 2` points (x, y) in prnet's pixel coordinates (top-left
 * pixel's centre at 0, 0). Errors name the file and the line.
 *
 * ```ts
 * const points = parsePts(await readFile('image_001.pts', 'utf8'), 'image_001.pts'); // 136 numbers
 * ```
 */
export function parsePts(text: string, fileName = '.pts file', options: Partial<PtsOptions> = {}): Float64Array {
  const { origin } = { ...PTS_DEFAULTS, ...options };
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const fail = (line: number, why: string): never => {
    throw new Error(`${fileName}: line ${line + 1}: ${why}`);
  };
  let i = 0;
  const next = (): string | undefined => {
    while (i < lines.length && lines[i]!.trim() === '') i++;
    return i < lines.length ? lines[i]!.trim() : undefined;
  };
  let count: number | undefined;
  // Header lines ("version: 1", "n_points: 68") up to the opening brace, in any order.
  for (let line = next(); line !== '{'; line = next()) {
    if (line === undefined) fail(i - 1, count === undefined ? 'not a .pts file (no "n_points:" and "{")' : 'no "{" before the points');
    const m = /^([A-Za-z_]+)\s*:\s*(\S+)$/.exec(line!);
    if (!m) fail(i, `expected a header line ("version: 1", "n_points: 68") or "{", got "${line!.slice(0, 40)}"`);
    if (m![1] === 'n_points') {
      count = Number(m![2]);
      if (!(Number.isInteger(count) && count > 0)) fail(i, `n_points must be a positive integer, got ${m![2]}`);
    }
    i++;
  }
  if (count === undefined) fail(i, 'no "n_points:" line before "{"');
  i++;
  const points = new Float64Array(2 * count!);
  for (let k = 0; k < count!; k++) {
    const line = next();
    if (line === undefined || line === '}') fail(Math.min(i, lines.length - 1), `n_points says ${count}, the file has ${k}`);
    const xy = line!.split(/\s+/).map(Number);
    if (xy.length !== 2 || !xy.every(Number.isFinite)) fail(i, `expected "x y", got "${line!.slice(0, 40)}"`);
    points[2 * k] = xy[0]! - origin;
    points[2 * k + 1] = xy[1]! - origin;
    i++;
  }
  const close = next();
  if (close !== '}') fail(Math.min(i, lines.length - 1), close === undefined ? 'no "}" after the points' : `n_points says ${count}, the file has more (or "${close.slice(0, 40)}" where "}" belongs)`);
  return points;
}

/**
 * Writes `n × 2` points (x, y, prnet's pixel coordinates) as a `.pts` file with 3
 * decimals (a thousandth of a pixel).
 *
 * ```ts
 * await writeFile('photo_0.pts', encodePts(landmarks2d));
 * ```
 *
 * @param stride Numbers per point in `points` (3 for x, y, z landmarks: z is left out).
 */
export function encodePts(points: ArrayLike<number>, stride = 2, options: Partial<PtsOptions> = {}): string {
  const { origin } = { ...PTS_DEFAULTS, ...options };
  if (!(stride >= 2) || points.length % stride !== 0 || points.length === 0) throw new Error(`encodePts: need n×${stride} numbers, got ${points.length}`);
  const n = points.length / stride;
  const rows: string[] = ['version: 1', `n_points:  ${n}`, '{'];
  for (let k = 0; k < n; k++) {
    const x = points[k * stride]!, y = points[k * stride + 1]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new Error(`encodePts: point ${k} is not finite (${x}, ${y})`);
    rows.push(`${(x + origin).toFixed(3)} ${(y + origin).toFixed(3)}`);
  }
  rows.push('}', '');
  return rows.join('\n');
}
