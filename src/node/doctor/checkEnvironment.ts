/**
 * `prnet doctor`: what this installation can do, one check per part, each with what to do
 * when it fails. The essentials (Node, the model, the UV assets, ONNX Runtime, the face
 * detector) decide the verdict; the rest (ffmpeg for `prnet video`, the native training
 * kernels, Redis for the job queue) only say which commands would not work.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { resolveModelSource, SHIPPED_MODEL_PATH } from '../inference/prnet.js';
import { loadOnnxModel } from '../inference/onnxModel.js';
import { loadUvAssets } from '../inference/uvAssets.js';
import { loadDetector } from '../inference/detector.js';
import { loadNativeConv, nativeLoadError } from '../train/trainBackend.js';
import { ffmpegCommand, type FfmpegTool } from '../video/ffmpegCommand.js';
import { prnetHome } from '../weights/prnetHome.js';
import { modelKind } from '../../model/modelMetadata.js';
import { assertPrnetModel } from '../../model/assertPrnetModel.js';
import { withDefaults } from '../../io/withDefaults.js';
import { PRNET_VERSION } from '../../version.js';

/** One check's outcome: `fail` breaks an essential, `warn` only some commands. */
export interface EnvironmentCheck {
  /** What was checked (`node`, `model`, …). */
  name: string;
  status: 'ok' | 'warn' | 'fail';
  /** What was found. */
  detail: string;
  /** What to do about a warning or failure. */
  hint?: string;
  /** Whether the commands that need it fail without it (else optional). */
  essential: boolean;
}

/** Options of {@link checkEnvironment}. */
export interface CheckEnvironmentOptions {
  /** Model to check instead of the one the commands would pick. */
  model?: string;
  /** Environment (`PRNET_MODEL`, `PRNET_HOME`, `PRNET_FFMPEG`, `PRNET_REDIS_URL`, …). */
  env: NodeJS.ProcessEnv;
  /** How long to wait for Redis, milliseconds. */
  redisTimeoutMs: number;
}

/** Defaults of {@link CheckEnvironmentOptions}. */
export const CHECK_ENVIRONMENT_DEFAULTS: CheckEnvironmentOptions = { env: process.env, redisTimeoutMs: 2000 };

/** The Node versions prnet supports (package.json `engines`). */
const MIN_NODE: readonly [number, number] = [20, 19];

/**
 * Runs every check, in order; none throws.
 *
 * ```ts
 * for (const c of await checkEnvironment()) console.log(c.status, c.name, c.detail);
 * ```
 */
export async function checkEnvironment(options: Partial<CheckEnvironmentOptions> = {}): Promise<EnvironmentCheck[]> {
  const o = withDefaults(CHECK_ENVIRONMENT_DEFAULTS, options);
  const checks: EnvironmentCheck[] = [];
  const run = async (name: string, essential: boolean, check: () => Promise<Omit<EnvironmentCheck, 'name' | 'essential'>>) => {
    try {
      checks.push({ name, essential, ...(await check()) });
    } catch (err) {
      checks.push({ name, essential, status: essential ? 'fail' : 'warn', detail: oneLine((err as Error).message) });
    }
  };

  await run('node', true, async () => {
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
    return ok
      ? { status: 'ok', detail: `Node ${process.versions.node} on ${process.platform}-${process.arch}, ${os.availableParallelism()} cores; prnet ${PRNET_VERSION}` }
      : { status: 'fail', detail: `Node ${process.versions.node}`, hint: `prnet needs Node ≥ ${MIN_NODE.join('.')}` };
  });

  await run('onnxruntime', true, async () => {
    const ort = await import('onnxruntime-node');
    const version = (ort.env as { versions?: { node?: string; common?: string } }).versions;
    return { status: 'ok', detail: `onnxruntime-node ${version?.node ?? version?.common ?? '(version unknown)'}, CPU` };
  });

  const image = noiseImage(192, 160);
  await run('model', true, async () => {
    let source: string | Uint8Array;
    try {
      source = await resolveModelSource(o.model, { env: o.env });
    } catch (err) {
      return { status: 'fail', detail: oneLine((err as Error).message), hint: 'run `prnet weights download`, or reinstall prnet (it ships models/default.onnx)' };
    }
    const file = source as string;
    // From the path, as the commands load it: its errors name the file.
    const model = await loadOnnxModel(file, { threads: 1 });
    try {
      // As the commands do: a model without prnet's metadata is refused unless --force.
      assertPrnetModel(model.metadata, file);
      const S = model.inputSize;
      const input = new Float32Array(S * S * 3).map((_, i) => image.data[i % image.data.length]! / 255);
      await model.predict(input, 1); // first run: ONNX Runtime prepares its kernels
      const t0 = performance.now();
      const map = await model.predict(input, 1);
      const ms = performance.now() - t0;
      if (!map.every(Number.isFinite)) return { status: 'fail', detail: `${file}: returns NaN or ±∞ on a noise picture: the model is broken (a diverged training run, an fp16 overflow?)`, hint: 'use another model (--model, $PRNET_MODEL)' };
      const bytes = new Uint8Array(await readFile(file));
      const meta = model.metadata;
      const which = file === SHIPPED_MODEL_PATH ? 'the model shipped with prnet' : o.model ? '--model' : o.env.PRNET_MODEL ? '$PRNET_MODEL' : 'the official model from `prnet weights download`';
      const kind = modelKind(meta, S);
      const sha = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
      return { status: 'ok', detail: `${file} (${which}: ${kind}; sha256 ${sha}…); one run ${ms.toFixed(1)} ms on 1 thread` };
    } finally {
      await model.dispose();
    }
  });

  await run('uv-assets', true, async () => {
    const assets = await loadUvAssets({ env: o.env });
    const from = o.env.PRNET_DATA ? `$PRNET_DATA=${o.env.PRNET_DATA}` : 'the copy shipped with prnet';
    return { status: 'ok', detail: `${from}: ${assets.faceIndices.length.toLocaleString('en')} vertices, ${assets.keypointIndices.length} landmarks, ${(assets.triangles.length / 3).toLocaleString('en')} triangles` };
  });

  await run('face-detector', true, async () => {
    const detector = await loadDetector();
    try {
      await detector.detect(image);
      const t0 = performance.now();
      await detector.detect(image);
      return { status: 'ok', detail: `BlazeFace (from @vladmandic/human, offline), one detection ${(performance.now() - t0).toFixed(1)} ms` };
    } finally {
      detector.dispose();
    }
  });

  for (const tool of ['ffmpeg', 'ffprobe'] as FfmpegTool[]) {
    await run(tool, false, async () => {
      const command = ffmpegCommand(tool, o.env);
      const r = spawnSync(command, ['-version'], { encoding: 'utf8', timeout: 10_000 });
      if (r.error || r.status !== 0) {
        return { status: 'warn', detail: `${command}: ${r.error ? (r.error as NodeJS.ErrnoException).code ?? r.error.message : `exit ${r.status}`}`, hint: `only \`prnet video\` needs it: apt-get install ffmpeg (Debian/Ubuntu), brew install ffmpeg (macOS), or set PRNET_${tool.toUpperCase()}` };
      }
      return { status: 'ok', detail: `${command}: ${r.stdout.split('\n')[0]!.replace(/\s+Copyright.*$/, '').trim()}` };
    });
  }

  await run('training-kernels', false, async () => {
    if (loadNativeConv()) return { status: 'ok', detail: 'native convolution kernels (prnet_conv.node) loaded' };
    return { status: 'warn', detail: `not loaded: ${nativeLoadError()}`, hint: 'only `prnet train` uses them, and falls back to slower JavaScript kernels; `npm rebuild prnet` (needs python3, make and a C++17 compiler) builds them' };
  });

  await run('redis', false, async () => {
    const url = o.env.PRNET_REDIS_URL;
    if (!url) return { status: 'ok', detail: 'PRNET_REDIS_URL not set: `prnet enqueue` / `worker` / `jobs` need --redis or that variable (nothing else uses Redis)' };
    const { Redis } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: o.redisTimeoutMs, retryStrategy: () => null });
    redis.on('error', () => undefined); // reported below
    try {
      await redis.connect();
      const info = await redis.info('server');
      const version = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
      return { status: 'ok', detail: `${redactUrl(url)}: Redis ${version}` };
    } catch (err) {
      return { status: 'warn', detail: `${redactUrl(url)}: ${oneLine((err as Error).message)}`, hint: 'start redis-server, or fix PRNET_REDIS_URL (redis://[:password@]host:port/db); only the job queue needs it' };
    } finally {
      redis.disconnect();
    }
  });

  await run('cache', false, async () => {
    const home = prnetHome(o.env);
    return { status: 'ok', detail: `${home} (PRNET_HOME): official weights and their converted model go there` };
  });
  return checks;
}

/** A password in a Redis URL is not printed. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*):[^@/]*@/, '//$1:***@');
}

function oneLine(s: string): string {
  return s.split('\n').map((l) => l.trim()).filter(Boolean).join('; ');
}

/** A deterministic picture of noise (no face): enough to run the detector and the network once. */
function noiseImage(width: number, height: number): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(width * height * 3);
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = s >>> 24;
  }
  return { width, height, data };
}
