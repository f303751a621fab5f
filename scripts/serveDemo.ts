/**
 * The built demo page on Vite's preview server, with the cross-origin isolation headers
 * onnxruntime-web needs for threads, and the routes of `demoAssets.ts` (the package's UV
 * asset pack, models). `npm run demo` builds the page and starts it.
 *
 * ```sh
 * npm run demo                 # http://127.0.0.1:5173/
 * PORT=8080 npm run demo
 * ```
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { preview } from 'vite';
import { ISOLATION_HEADERS, REPO_ROOT, demoRoutes, type DemoRoute } from './demoAssets.js';
import { prnetDemoAssets } from '../vite.config.js';

/** The demo's port unless `PORT` says otherwise. */
export const DEMO_PORT = 5173;

/** Options of {@link serveDemo}. */
export interface ServeDemoOptions {
  /** The built page (`vite build` output). */
  root: string;
  /** Port; 0 picks a free one. */
  port?: number;
  /** Interface to listen on (local only by default). */
  host?: string;
  /** Extra static routes (default: {@link demoRoutes}). */
  routes?: DemoRoute[];
}

/**
 * Serves the built demo with Vite's own preview server (static files, the isolation
 * headers, and the demo's routes through the same plugin as `vite dev`). Resolves once
 * listening, with its URL and a `close()`.
 *
 * ```ts
 * const { url, close } = await serveDemo({ root: '.cache/web', port: 0 });
 * ```
 */
export async function serveDemo(options: ServeDemoOptions): Promise<{ url: string; close: () => Promise<void> }> {
  const server = await preview({
    configFile: false,
    root: path.join(REPO_ROOT, 'web'),
    base: './',
    logLevel: 'silent',
    // 'mpa': an unknown path is a 404, not the page (no single-page fallback).
    appType: 'mpa',
    plugins: [prnetDemoAssets(options.routes ?? demoRoutes())],
    build: { outDir: path.resolve(options.root) },
    preview: { port: options.port ?? 0, strictPort: true, host: options.host ?? '127.0.0.1', headers: ISOLATION_HEADERS, open: false },
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('prnet demo: the preview server has no TCP address');
  return {
    url: `http://${address.address}:${address.port}/`,
    close: () => server.close(),
  };
}

/** One line for a port the demo cannot listen on (taken, or not allowed), naming `PORT=`; undefined for other errors. */
export function listenErrorMessage(err: unknown, port: number): string | undefined {
  const code = (err as NodeJS.ErrnoException).code;
  // Vite's strictPort reports a taken port as "Port N is already in use" without a code.
  if (code === 'EADDRINUSE' || /is already in use/.test((err as Error)?.message ?? '')) return `prnet demo: port ${port} is already in use; choose another one: PORT=8080 npm run demo`;
  if (code === 'EACCES') return `prnet demo: not allowed to listen on port ${port}; choose another one: PORT=8080 npm run demo`;
  return undefined;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { buildDemo } = await import('./buildDemo.js');
  const { makeDemoModel } = await import('./makeDemoModel.js');
  const outDir = path.join(REPO_ROOT, '.cache', 'web');
  if (!existsSync(path.join(REPO_ROOT, 'models', 'default.onnx'))) {
    const file = await makeDemoModel('resfcn128-light');
    console.warn(`models/default.onnx is missing: serving a RANDOM-weight light model (${path.relative(REPO_ROOT, file)}) in its place`);
  }
  await buildDemo(outDir);
  const port = Number(process.env.PORT ?? DEMO_PORT);
  try {
    const { url } = await serveDemo({ root: outDir, port, host: process.env.HOST ?? '127.0.0.1' });
    console.log(`prnet demo: ${url}  (Ctrl-C to stop)`);
  } catch (err) {
    const message = listenErrorMessage(err, port);
    if (!message) throw err;
    console.error(message);
    process.exitCode = 1;
  }
}
