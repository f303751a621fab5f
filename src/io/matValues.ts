import type { MatFile, MatNumeric } from './mat.js';

/**
 * A numeric variable of a MAT-file as float64 in C order, with a check of its shape
 * (`-1` in `expectedShape` accepts any size). Errors name the file and variable.
 *
 * ```ts
 * const { data } = matNumericVariable(mat, 'pt3d_68', [3, 68]); // data[r · 68 + c]
 * ```
 */
export function matNumericVariable(
  mat: MatFile,
  variable: string,
  expectedShape?: readonly number[],
  fileName = 'MAT-file',
): { shape: number[]; data: Float64Array } {
  const v = mat.variables[variable];
  if (!v) throw new Error(`${fileName}: variable '${variable}' is missing`);
  if (v.kind !== 'numeric') throw new Error(`${fileName}: variable '${variable}' is a ${v.kind} array, not numeric`);
  const num = v as MatNumeric;
  if (expectedShape) {
    const ok = expectedShape.length === num.shape.length && expectedShape.every((d, i) => d < 0 || d === num.shape[i]);
    if (!ok) throw new Error(`${fileName}: variable '${variable}' is ${num.shape.join('×')}, expected ${expectedShape.map((d) => (d < 0 ? 'n' : d)).join('×')}`);
  }
  const data = new Float64Array(num.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Number(num.data[i]);
  return { shape: [...num.shape], data };
}
