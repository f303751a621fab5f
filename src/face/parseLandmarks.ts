/**
 * Parses a landmarks text file: one point per line, `x y` (or `x,y`, or `x y z` — extra
 * columns ignored), any number of points (68 for the usual annotation). Blank lines and
 * lines starting with `#` are skipped.
 *
 * ```ts
 * const points = parseLandmarks('10 20\n30 40\n50 60'); // Float64Array [10, 20, 30, 40, 50, 60]
 * ```
 *
 * @param name used in error messages (e.g. the file name).
 * @returns x, y pairs.
 */
export function parseLandmarks(text: string, name = 'landmarks'): Float64Array {
  const out: number[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const cols = line.split(/[\s,;]+/).filter((c) => c !== '');
    const x = Number(cols[0]), y = Number(cols[1]);
    if (cols.length < 2 || !Number.isFinite(x) || !Number.isFinite(y)) throw new Error(`${name}: line ${i + 1} is not an "x y" point: ${line.slice(0, 60)}`);
    out.push(x, y);
  }
  if (out.length < 4) throw new Error(`${name}: needs at least 2 points, found ${out.length / 2}`);
  return new Float64Array(out);
}
