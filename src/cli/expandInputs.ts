/**
 * Turns the `prnet reconstruct` arguments (files, folders, globs) into a list of image
 * paths, keeping the arguments' order. Node 20 has no `fs.glob`, so `*`, `?` and `**` are
 * matched here.
 *
 * - A file is taken as is, whatever its extension (decoding will say if it is no image).
 * - A folder contributes its images (by extension, see {@link IMAGE_EXTENSIONS}), sorted;
 *   only its top level unless `recursive`.
 * - A glob (`*` any characters but `/`, `?` one character, `**` any number of folders)
 *   contributes the matching images (by extension, like folders), sorted.
 * - `-` is standard input ({@link STDIN_ARG}), read when its turn comes (`./-` is a file named `-`).
 * - A missing path, or a glob matching nothing, becomes an `error` entry: the batch goes on.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { withDefaults } from '../io/withDefaults.js';
import { STDIN_ARG } from './readStdin.js';

/** Extensions treated as images when scanning folders (lower case, with the dot). */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.gif', '.avif', '.heic', '.bmp', '.dib', '.ppm', '.pgm', '.pbm', '.pnm'];

/** One expanded input: a file to process, or an argument that gave nothing. */
export type InputEntry = { file: string; error?: undefined } | { file: string; error: string };

/** Options of {@link expandInputs}. */
export interface ExpandInputsOptions {
  /** Descend into sub-folders of folder arguments. */
  recursive: boolean;
}

export const EXPAND_INPUTS_DEFAULTS: ExpandInputsOptions = { recursive: false };

/** True when the argument contains glob characters. */
export function isGlob(arg: string): boolean {
  return /[*?]/.test(arg);
}

/** Compiles a glob (with `/` separators) into an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches zero or more folders; a trailing `**` matches anything.
        if (glob[i + 2] === '/') {
          re += '(?:[^/]*/)*';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function isImage(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(path.extname(name).toLowerCase());
}

async function walk(dir: string, recursive: boolean, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (recursive) await walk(p, recursive, out);
    } else out.push(p);
  }
}

async function expandGlob(pattern: string): Promise<string[]> {
  const norm = pattern.split(path.sep).join('/');
  const parts = norm.split('/');
  const firstWild = parts.findIndex(isGlob);
  const baseParts = parts.slice(0, firstWild);
  const base = baseParts.length === 0 ? '.' : baseParts.join('/') || '/';
  const rest = parts.slice(firstWild).join('/');
  const re = globToRegExp(rest);
  const deep = rest.includes('**') || rest.split('/').length > 1;
  const files: string[] = [];
  try {
    await walk(base, deep, files);
  } catch {
    return [];
  }
  const prefix = base === '.' ? '' : base.endsWith('/') ? base : `${base}/`;
  return files
    .map((f) => f.split(path.sep).join('/'))
    .filter((f) => isImage(f) && re.test(base === '.' ? f : f.slice(prefix.length)));
}

/**
 * Expands files, folders and globs into image paths (see the file comment for the rules).
 *
 * ```ts
 * const entries = await expandInputs(['photos/', 'more/**\/*.jpg', 'one.png']);
 * for (const e of entries) if (e.error) console.error(e.error);
 * ```
 */
export async function expandInputs(args: readonly string[], options: Partial<ExpandInputsOptions> = {}): Promise<InputEntry[]> {
  const { recursive } = withDefaults(EXPAND_INPUTS_DEFAULTS, options);
  const out: InputEntry[] = [];
  for (const arg of args) {
    if (arg === STDIN_ARG) {
      out.push({ file: arg });
      continue;
    }
    let info;
    try {
      info = await stat(arg);
    } catch {
      info = undefined;
    }
    if (info?.isDirectory()) {
      const files: string[] = [];
      await walk(arg, recursive, files);
      const images = files.filter(isImage);
      if (images.length === 0) out.push({ file: arg, error: 'folder holds no images' });
      for (const f of images) out.push({ file: f });
    } else if (info) {
      out.push({ file: arg });
    } else if (isGlob(arg)) {
      const matches = await expandGlob(arg);
      if (matches.length === 0) out.push({ file: arg, error: 'no image matches this pattern' });
      for (const f of matches) out.push({ file: f });
    } else {
      out.push({ file: arg, error: 'no such file or folder' });
    }
  }
  return out;
}
