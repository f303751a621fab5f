/**
 * Registers tfjs-core's own gradient functions in Node.
 *
 * tfjs-core ships its gradients (`dist/register_all_gradients.js`) only as ES-module
 * files with extensionless imports, and its Node bundle leaves them out (the
 * `@tensorflow/tfjs` umbrella normally supplies them). A two-rule loader hook lets
 * Node load those files as they are: `.js` under tfjs-core/dist is ESM, and
 * `./foo` means `./foo.js` (or `./foo/index.js`). The gradients then register
 * themselves in tfjs's global registry, shared with the CommonJS bundle we import.
 * (A browser bundler resolves `@tensorflow/tfjs-core/dist/register_all_gradients`
 * directly; this file is Node-only.)
 */
import { register } from 'node:module';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

const HOOKS = `
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const ROOT = DIST_URL;
const isFile = (u) => { try { return statSync(fileURLToPath(u)).isFile(); } catch { return false; } };
export async function resolve(specifier, context, next) {
  const parent = context.parentURL;
  if (parent && parent.startsWith(ROOT) && (specifier.startsWith('./') || specifier.startsWith('../')) && !specifier.endsWith('.js')) {
    const base = new URL(specifier, parent).href;
    if (isFile(base + '.js')) return { url: base + '.js', shortCircuit: true, format: 'module' };
    if (isFile(base + '/index.js')) return { url: base + '/index.js', shortCircuit: true, format: 'module' };
  }
  return next(specifier, context);
}
export async function load(url, context, next) {
  if (url.startsWith(ROOT) && !/tf-core[^/]*\\.js$/.test(url)) return next(url, { ...context, format: 'module' });
  return next(url, context);
}
`;

let done: Promise<void> | undefined;

/**
 * Makes `tf.grad`, `tf.variableGrads` … work in Node; idempotent.
 *
 * ```ts
 * await registerTfjsGradients();
 * const g = tf.grad((x) => tf.sum(tf.square(x)))(tf.tensor([1, 2]));   // [2, 4]
 * ```
 */
export function registerTfjsGradients(): Promise<void> {
  if (!done) done = load();
  return done;
}

async function load(): Promise<void> {
  if (tf.getGradient('Conv2D') && tf.getGradient('Mean')) return;
  const require = createRequire(import.meta.url);
  const dist = path.dirname(require.resolve('@tensorflow/tfjs-core'));
  const distUrl = pathToFileURL(dist).href + '/';
  register(`data:text/javascript,${encodeURIComponent(HOOKS.replace('DIST_URL', JSON.stringify(distUrl)))}`);
  // The ES-module copy re-registers the Node platform; keep its warning out of the output.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => { if (!String(args[0]).includes('Platform node has already been set')) warn(...args); };
  try {
    await import(`${distUrl}register_all_gradients.js`);
  } finally {
    console.warn = warn;
  }
  if (!tf.getGradient('Conv2D')) throw new Error('registering the tfjs-core gradients failed');
}
