/**
 * `prnet serve`: the HTTP API (`src/server/createServer.ts`). Listens first, then loads
 * the model (`/readyz` turns 200 when it is loaded). SIGTERM or Ctrl-C: stop accepting,
 * finish the requests in flight, exit 0.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import { createServer, CREATE_SERVER_DEFAULTS } from '../../server/createServer.js';
import { apiKeyCheck, parseApiKeys, API_KEY_MIN_LENGTH } from '../../server/apiKeyCheck.js';
import { DECODE_MAX_PIXELS_LIMIT } from '../../node/inference/decodeImage.js';
import { EXIT_USAGE } from '../exitCodes.js';

/** Address and port `prnet serve` listens on by default (local only: expose it on purpose with --host). */
export const SERVE_DEFAULTS = { host: '127.0.0.1', port: 8080 };

/** How often a shutdown still running says what it waits for. */
const STILL_STOPPING_EVERY_MS = 5000;

function intOption(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    return n;
  };
}

/** `10485760`, `512k`, `10m`, `1g` → bytes. */
function sizeOption(v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)i?b?$/i.exec(v.trim());
  if (!m) throw new InvalidArgumentError('expected a size in bytes, e.g. 10485760, 512k, 10m');
  const n = Math.round(Number(m[1]) * 1024 ** ['', 'k', 'm', 'g'].indexOf(m[2]!.toLowerCase()));
  if (!(n >= 1)) throw new InvalidArgumentError('the size must be at least 1 byte');
  return n;
}

/** Addresses only this machine reaches. */
const LOOPBACK = /^(?:127\.\d+\.\d+\.\d+|::1|localhost)$/i;

/** The API keys: `--api-key-file`, then `$PRNET_API_KEYS`; each checked (see `apiKeyCheck`). */
async function serveApiKeys(file: string | undefined, env: NodeJS.ProcessEnv): Promise<string[]> {
  const keys: string[] = [];
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new Error(`--api-key-file ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (err as Error).message}`);
    }
    const fromFile = parseApiKeys(text);
    if (fromFile.length === 0) throw new Error(`--api-key-file ${file}: no keys in it (one per line)`);
    keys.push(...fromFile);
  }
  keys.push(...parseApiKeys(env['PRNET_API_KEYS'] ?? ''));
  apiKeyCheck(keys);
  return keys;
}

/** `--cors`: `*`, or origins as browsers send them (scheme, host, optional port; no path). */
function corsOriginList(v: string): string[] {
  const origins = v.split(',').map((o) => o.trim()).filter(Boolean);
  if (origins.length === 0) throw new Error('--cors needs * or at least one origin (https://app.example.org)');
  for (const o of origins) {
    if (o === '*') continue;
    let u: URL | undefined;
    try {
      u = new URL(o);
    } catch { /* reported below */ }
    if (!u || !/^https?:$/.test(u.protocol) || u.origin !== o.replace(/\/$/, '')) throw new Error(`--cors: ${o} is not an origin (scheme://host[:port], e.g. https://app.example.org)`);
  }
  return origins.map((o) => o.replace(/\/$/, ''));
}

/** Registers `prnet serve`. */
export function register(program: Command): void {
  program
    .command('serve')
    .description('serve 3D face reconstruction over HTTP (POST /v1/reconstruct, POST /v1/paint; see /openapi.json)')
    .option('--host <address>', 'address to listen on', SERVE_DEFAULTS.host)
    .option('--port <n>', 'port (0 = any free port)', intOption('--port', 0, 65535), SERVE_DEFAULTS.port)
    .option('--model <onnx>', 'ONNX model (default: $PRNET_MODEL, else the official model from `prnet weights download`, else the shipped one)')
    .option('--workers <n>', 'network worker threads, each with its own ONNX Runtime session', intOption('--workers', 1, 64), CREATE_SERVER_DEFAULTS.workers)
    .option('--threads <n>', 'ONNX Runtime threads per worker (default: (cores − 1) / workers, at least 1; 0 = one per core)', intOption('--threads', 0, 256))
    .option('--queue-size <n>', 'requests admitted beyond those running on a worker; when full, 503 with Retry-After', intOption('--queue-size', 0, 10_000), CREATE_SERVER_DEFAULTS.queueSize)
    .addOption(new Option('--body-limit <size>', 'largest request body (raw or multipart file), e.g. 10m; 413 beyond it').default(CREATE_SERVER_DEFAULTS.bodyLimit, '10m').argParser(sizeOption))
    .option('--max-pixels <n>', `largest image in pixels, checked before decoding (at most ${DECODE_MAX_PIXELS_LIMIT}); 422 beyond it`, intOption('--max-pixels', 1, DECODE_MAX_PIXELS_LIMIT), CREATE_SERVER_DEFAULTS.maxPixels)
    .option('--timeout <ms>', 'longest time for one request, in milliseconds (504 beyond it; 0 = none)', intOption('--timeout', 0), CREATE_SERVER_DEFAULTS.timeoutMs)
    .option('--retry-after <s>', 'seconds a 503 asks clients to wait', intOption('--retry-after', 1, 3600), CREATE_SERVER_DEFAULTS.retryAfterSeconds)
    .option('--flip-average', 'test-time flip augmentation (2× network time, more accurate)')
    .option('--data-dir <dir>', 'folder with the official PRNet uv-data files (default: the copy shipped in the package)')
    .option('--force', 'run a model that has no prnet metadata')
    .option('--api-key-file <file>', `API keys, one per line (# comments): /v1/ requests then need Authorization: Bearer <key> or X-API-Key: <key> (401 otherwise; at least ${API_KEY_MIN_LENGTH} characters each). Also $PRNET_API_KEYS (comma-separated). Keys never go on the command line, where ps shows them`)
    .option('--cors <origins>', 'let pages of these origins call the API from a browser: comma-separated (https://app.example.org), or * for any')
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE))
    .addHelpText('after', `
Open without a key: /healthz, /readyz, /metrics, /openapi.json. Exit status: 0 after SIGTERM or Ctrl-C, 2 usage or setup errors.`)
    .action(async (opts: { host: string; port: number; model?: string; workers: number; threads?: number; queueSize: number; bodyLimit: number; maxPixels: number; timeout: number; retryAfter: number; flipAverage?: boolean; dataDir?: string; force?: boolean; apiKeyFile?: string; cors?: string }) => {
      let apiKeys: string[];
      let corsOrigins: string[] | undefined;
      try {
        apiKeys = await serveApiKeys(opts.apiKeyFile, process.env);
        corsOrigins = opts.cors === undefined ? undefined : corsOriginList(opts.cors);
      } catch (err) {
        process.stderr.write(`prnet: ${(err as Error).message}\n`);
        process.exit(EXIT_USAGE);
      }
      const server = createServer({
        model: opts.model, workers: opts.workers, threads: opts.threads, queueSize: opts.queueSize, bodyLimit: opts.bodyLimit, maxPixels: opts.maxPixels,
        timeoutMs: opts.timeout, retryAfterSeconds: opts.retryAfter, flipAverage: Boolean(opts.flipAverage), dataDir: opts.dataDir, force: Boolean(opts.force),
        apiKeys, corsOrigins,
      });
      let url: string;
      try {
        url = await server.app.listen({ host: opts.host, port: opts.port });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        process.stderr.write(`prnet: cannot listen on ${opts.host}:${opts.port}: ${e.code === 'EADDRINUSE' ? 'the port is taken (choose another with --port)' : e.message}\n`);
        await server.close();
        process.exit(EXIT_USAGE);
      }
      process.stderr.write(`prnet: listening on ${url} (loading the model…)${apiKeys.length ? `; ${apiKeys.length} API key${apiKeys.length === 1 ? '' : 's'}` : ''}${corsOrigins ? `; CORS for ${corsOrigins.join(', ')}` : ''}\n`);
      if (!apiKeys.length && !LOOPBACK.test(opts.host)) process.stderr.write(`prnet: warning: listening on ${opts.host} without API keys: anyone who reaches the port can use it (--api-key-file or $PRNET_API_KEYS)\n`);
      let stopping = false;
      const stop = (sig: NodeJS.Signals): void => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`prnet: ${sig}: finishing the requests in flight…\n`);
        // A shutdown that takes a while says what it waits for (a deploy's logs show why).
        setInterval(() => {
          const stage = server.closeStage();
          if (stage) process.stderr.write(`prnet: still stopping: ${stage}\n`);
        }, STILL_STOPPING_EVERY_MS).unref();
        server.close().then(() => {
          process.stderr.write('prnet: stopped\n');
          process.exit(0);
        }, (err: unknown) => {
          process.stderr.write(`prnet: ${(err as Error).message}\n`);
          process.exit(1);
        });
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
      try {
        await server.loaded;
      } catch (err) {
        process.stderr.write(`prnet: ${(err as Error).message}\n`);
        await server.close();
        process.exit(EXIT_USAGE);
      }
      const m = server.service()?.model;
      if (m) process.stderr.write(`prnet: ready: model ${m.name} (${[m.variant, m.weights].filter(Boolean).join(', ')}, sha256 ${m.sha256.slice(0, 12)}…), ${opts.workers} worker${opts.workers === 1 ? '' : 's'}, queue ${opts.queueSize}\n`);
    });
}
