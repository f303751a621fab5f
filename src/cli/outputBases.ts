/**
 * Output base names for `prnet reconstruct`, so that no two inputs can write the same file:
 *
 * - when every input's file name without extension (its stem) is unique, the base is the
 *   stem: `photos/a.jpg` → `a` (files `a.json`, `a_0.obj`, …, flat in the output folder);
 * - otherwise every input keeps its folder below the inputs' common folder, so
 *   `x/photo1.jpg` and `y/photo1.jpg` → `x/photo1` and `y/photo1` (sub-folders of the
 *   output folder); and two inputs of one folder with the same stem keep their extension
 *   (`photo1.jpg` → `photo1.jpg`, `photo1.png` → `photo1.png`).
 *
 * Standard input (`-`) has the stem `stdin`, in the current folder.
 *
 * Inputs must already be distinct files (see the de-duplication in `reconstructBatch`).
 * Bases use `/` as the separator.
 */
import path from 'node:path';
import { STDIN_ARG, STDIN_BASE } from './readStdin.js';

/** Stem used when a file name has none (e.g. `.jpg`). */
const EMPTY_STEM = 'image';

function stemOf(file: string): string {
  if (file === STDIN_ARG) return STDIN_BASE;
  return path.basename(file, path.extname(file)) || EMPTY_STEM;
}

/**
 * One base per input file, in order (see the file comment for the rule).
 *
 * ```ts
 * outputBases(['a/p.jpg', 'b/p.jpg', 'b/q.png']); // ['a/p', 'b/p', 'b/q']
 * outputBases(['a/p.jpg', 'b/q.jpg']);            // ['p', 'q']
 * ```
 */
export function outputBases(files: readonly string[]): string[] {
  const stems = files.map(stemOf);
  const count = new Map<string, number>();
  for (const s of stems) count.set(s, (count.get(s) ?? 0) + 1);
  if ([...count.values()].every((n) => n === 1)) return stems;
  const dirs = files.map((f) => path.resolve(path.dirname(f)));
  // The deepest folder that contains every input.
  let common = dirs[0]!.split(path.sep);
  for (const d of dirs) {
    const parts = d.split(path.sep);
    let k = 0;
    while (k < common.length && k < parts.length && common[k] === parts[k]) k++;
    common = common.slice(0, k);
  }
  const root = common.join(path.sep) || path.sep;
  const inDir = new Map<string, number>();
  const keyOf = (i: number) => `${dirs[i]}\u0000${stems[i]}`;
  files.forEach((_, i) => inDir.set(keyOf(i), (inDir.get(keyOf(i)) ?? 0) + 1));
  return files.map((f, i) => {
    const rel = path.relative(root, dirs[i]!).split(path.sep).filter(Boolean);
    const name = inDir.get(keyOf(i))! > 1 && f !== STDIN_ARG ? path.basename(f) : stems[i]!;
    return [...rel, name].join('/');
  });
}
