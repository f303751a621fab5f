/**
 * The static files the demo page needs besides its bundle, in one table shared by the
 * Vite dev server (`vite.config.ts`), the build, and `scripts/serveDemo.ts`:
 * onnxruntime-web's and tfjs' WebAssembly binaries, BlazeFace's model (bundled with
 * `@vladmandic/human`), the ONNX models, and the official UV assets.
 *
 * The UV assets come from the package's compact pack (`assets/uv-assets.bin`, MIT, copied
 * into the build); `?data=uv-data` reads the official files instead, served locally from
 * `../shared/prnet-data/uv-data/` (never copied), or `?data=` {@link UV_ASSET_BASE_URL}.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file lives in `scripts/`). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where `scripts/makeDemoModel.ts` writes random-weight demo models (`.cache/`, git-ignored). */
export const DEMO_MODELS_DIR = path.join(REPO_ROOT, '.cache', 'demo-models');

/** One URL prefix served from a list of folders (first hit wins). */
export interface DemoRoute {
  /** URL prefix, with leading and trailing slash, e.g. `/ort/`. */
  prefix: string;
  /** Folders searched in order. */
  dirs: string[];
  /** Only these file names are served (all files when absent). */
  files?: string[];
  /** Copied into the built page (`vite build`); false for data served only locally. */
  emit: boolean;
}

/** The demo's static routes. `uvDataDir` overrides the shared UV folder (tests). */
export function demoRoutes(uvDataDir: string = path.resolve(REPO_ROOT, '../shared/prnet-data/uv-data')): DemoRoute[] {
  const nm = path.join(REPO_ROOT, 'node_modules');
  return [
    // onnxruntime-web's runtime as separate files: its pthread workers import the `.mjs`
    // itself, which must not be the page's bundle (the page code would run in the workers).
    { prefix: '/ort/', dirs: [path.join(nm, 'onnxruntime-web', 'dist')], files: ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'], emit: true },
    { prefix: '/tfjs/', dirs: [path.join(nm, '@tensorflow', 'tfjs-backend-wasm', 'dist')], files: ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'], emit: true },
    { prefix: '/detector/', dirs: [path.join(nm, '@vladmandic', 'human', 'models')], files: ['blazeface.json', 'blazeface.bin'], emit: true },
    // The package's shipped models first, then the random-weight stand-ins.
    { prefix: '/models/', dirs: [path.join(REPO_ROOT, 'models'), DEMO_MODELS_DIR].filter((d) => existsSync(d)), emit: false },
    // The UV assets as the package ships them (MIT, copied into the build), and the official files for `?data=uv-data`.
    { prefix: '/assets/', dirs: [path.join(REPO_ROOT, 'assets')], files: ['uv-assets.bin'], emit: true },
    { prefix: '/uv-data/', dirs: [uvDataDir], emit: false },
  ];
}

/** Content types of the files the demo serves. */
export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
  '.bin': 'application/octet-stream',
};

/**
 * Headers every response carries: cross-origin isolation, so `SharedArrayBuffer` and
 * therefore WebAssembly threads are available to onnxruntime-web.
 */
export const ISOLATION_HEADERS: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * Resolves a URL path against the routes: the file to serve, or undefined.
 * Rejects `..` escapes and names outside a route's allow-list.
 */
export function resolveDemoRoute(routes: readonly DemoRoute[], urlPath: string): string | undefined {
  for (const route of routes) {
    if (!urlPath.startsWith(route.prefix)) continue;
    const rest = decodeURIComponent(urlPath.slice(route.prefix.length));
    if (!rest || rest.includes('..') || rest.includes('/') || rest.includes('\\')) return undefined;
    if (route.files && !route.files.includes(rest)) return undefined;
    for (const dir of route.dirs) {
      const file = path.join(dir, rest);
      if (existsSync(file)) return file;
    }
    // `models/default.onnx` is provided by the lead later; until then the light random model stands in.
    if (route.prefix === '/models/' && rest === 'default.onnx') {
      const fallback = path.join(DEMO_MODELS_DIR, 'resfcn128-light.onnx');
      if (existsSync(fallback)) return fallback;
    }
    return undefined;
  }
  return undefined;
}
