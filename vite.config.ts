/**
 * Vite configuration of the demo page (`web/`): cross-origin isolation headers (so
 * onnxruntime-web gets WebAssembly threads), the static routes of `scripts/demoAssets.ts`
 * served in dev/preview and the npm-package assets emitted into the build. The UV assets
 * and models are served locally but never copied into the build.
 *
 * `npm run build:web` builds into `.cache/web` (git-ignored; `build/` belongs to node-gyp); `npm run demo` builds and serves it.
 */
import { createReadStream, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { defineConfig, type Connect, type Plugin } from 'vite';
import { CONTENT_TYPES, ISOLATION_HEADERS, REPO_ROOT, demoRoutes, resolveDemoRoute, type DemoRoute } from './scripts/demoAssets.js';

/** Serves (dev, preview) and emits (build) the demo's static routes. */
export function prnetDemoAssets(routes: DemoRoute[] = demoRoutes()): Plugin {
  const middleware: Connect.NextHandleFunction = (req, res, next) => {
    // The isolation headers on every response, 404s included (Vite's own `headers` option
    // covers only the files it serves).
    for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
    const file = resolveDemoRoute(routes, new URL(req.url ?? '/', 'http://localhost').pathname);
    if (!file) return next();
    res.setHeader('Content-Type', CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream');
    createReadStream(file).pipe(res);
  };
  return {
    name: 'prnet-demo-assets',
    configureServer(server) {
      server.middlewares.use(middleware);
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware);
    },
    generateBundle() {
      for (const route of routes) {
        if (!route.emit) continue;
        for (const dir of route.dirs) {
          for (const name of route.files ?? readdirSync(dir)) {
            this.emitFile({ type: 'asset', fileName: `${route.prefix.slice(1)}${name}`, source: readFileSync(path.join(dir, name)) });
          }
        }
      }
    },
  };
}

export default defineConfig({
  root: path.join(REPO_ROOT, 'web'),
  // Relative URLs: the built page works under any sub-path.
  base: './',
  publicDir: false,
  plugins: [prnetDemoAssets()],
  server: { headers: ISOLATION_HEADERS, host: '127.0.0.1' },
  preview: { headers: ISOLATION_HEADERS, host: '127.0.0.1' },
  resolve: {
    // The wasm-only build (SIMD + threads) instead of the default WebGPU/JSEP one: the page
    // runs the wasm execution provider only.
    alias: [{ find: /^onnxruntime-web$/, replacement: 'onnxruntime-web/wasm' }],
    // ort's "extern wasm" build loads `ort-wasm-simd-threaded.mjs` from `env.wasm.wasmPaths`
    // (served under /ort/) instead of inlining it: its worker threads then import that small
    // file, not the page bundle.
    conditions: ['onnxruntime-web-use-extern-wasm'],
  },
  // onnxruntime-web's worker (src/web/ortWebWorker.ts) imports its wasm glue dynamically:
  // only an ES-module worker can.
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web', 'onnxruntime-web/wasm'] },
  build: {
    outDir: path.join(REPO_ROOT, '.cache', 'web'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
  },
});
