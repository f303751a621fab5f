/**
 * A small static server for the built demo page, with the cross-origin isolation
 * headers onnxruntime-web needs for threads, and the routes of `demoAssets.ts` (the
 * package's UV asset pack, models). `npm run demo` builds the page and starts it.
 *
 * ```sh
 * npm run demo                 # http://127.0.0.1:5173/
 * PORT=8080 npm run demo
 * ```
 */
import { createServer, type Server } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { CONTENT_TYPES, ISOLATION_HEADERS, REPO_ROOT, demoRoutes, resolveDemoRoute, type DemoRoute } from './demoAssets.js';

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
 * Serves the built demo. Resolves once listening, with its URL and a `close()`.
 *
 * ```ts
 * const { url, close } = await serveDemo({ root: '.cache/web', port: 0 });
 * ```
 */
export async function serveDemo(options: ServeDemoOptions): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const root = path.resolve(options.root);
  const routes = options.routes ?? demoRoutes();
  const server = createServer((req, res) => {
    for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      res.writeHead(400).end('bad URL');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    let file = resolveDemoRoute(routes, pathname);
    if (!file) {
      const candidate = path.join(root, pathname.endsWith('/') ? `${pathname}index.html` : pathname);
      // Never serve outside the build folder.
      if (candidate.startsWith(root + path.sep) && existsSync(candidate) && statSync(candidate).isFile()) file = candidate;
    }
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${pathname}`);
      return;
    }
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': String(statSync(file).size),
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}/`,
    server,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** One line for a port the demo cannot listen on (taken, or not allowed), naming `PORT=`; undefined for other errors. */
export function listenErrorMessage(err: unknown, port: number): string | undefined {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return `prnet demo: port ${port} is already in use; choose another one: PORT=8080 npm run demo`;
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
