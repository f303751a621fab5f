/**
 * `npm run bench -- serve`: load on `prnet serve` with autocannon against 127.0.0.1 —
 * throughput and p50 / p99 latency at 1, 4 and 16 connections, POSTing the 31 AFLW2000-3D
 * fixture photos (JSON answers) — next to `prnet reconstruct`'s per-image time on the
 * same photos and outputs (JSON), measured as the marginal time per image between a batch
 * of 31 and a batch of 124 (so model loading drops out). Both use the default model and
 * the default threads (one network worker thread, cores − 1 ONNX Runtime threads).
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const repo = fileURLToPath(new URL('../', import.meta.url));
const main = path.join(repo, 'src/cli/main.ts');
const photos = path.resolve(repo, '../shared/fixtures/aflw2000-sample');
/** Seconds of load per connection count (after a warm-up of the same length / 3). */
const DURATION_S = 15;
const CONNECTIONS = [1, 4, 16];
/** Room for every connection: the bench measures throughput, not refusals. */
const QUEUE_SIZE = 16;

const files = (await readdir(photos)).filter((f) => f.endsWith('.jpg')).sort().map((f) => path.join(photos, f));
const bodies = await Promise.all(files.map((f) => readFile(f)));

/** Wall seconds of `prnet reconstruct` on `n` photos (the fixtures repeated, as links). */
async function cliSeconds(n: number): Promise<number> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'prnet-bench-serve-'));
  try {
    const input = path.join(work, 'in');
    await mkdir(input);
    // Copies, not links: the batch processes a file given twice once.
    for (let i = 0; i < n; i++) await copyFile(files[i % files.length]!, path.join(input, `p${String(i).padStart(4, '0')}.jpg`));
    const t0 = performance.now();
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', main, 'reconstruct', input, '-o', path.join(work, 'out'), '--outputs', 'json', '--quiet'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
      child.on('exit', resolve);
    });
    if (code !== 0 && code !== 1) throw new Error(`prnet reconstruct exited with ${code}`);
    return (performance.now() - t0) / 1000;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function startServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'serve', '--host', '127.0.0.1', '--port', '0', '--queue-size', String(QUEUE_SIZE)], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d) => {
      err += d;
      const m = /listening on (\S+)/.exec(err);
      if (m && /ready: model/.test(err)) resolve(m[1]!);
    });
    child.on('exit', () => reject(new Error(err)));
  });
  return {
    url,
    stop: () => new Promise((resolve) => {
      child.on('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

function load(url: string, connections: number, duration: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}/v1/reconstruct`,
    connections,
    duration,
    requests: bodies.map((body) => ({ method: 'POST', path: '/v1/reconstruct', headers: { 'content-type': 'image/jpeg' }, body })),
  });
}

/**
 * Waits until the server holds no admitted request. autocannon ends a run by dropping its
 * connections with requests in flight; the server still finishes those (their slots are
 * held until the work ends), so a run started at once would meet a full queue.
 */
async function settle(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const text = await (await fetch(`${url}/metrics`)).text();
    if (/^prnet_requests_in_flight 0$/m.test(text)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the server did not settle within 10 s');
}

const rows: string[] = [];
const server = await startServer();
try {
  for (const c of CONNECTIONS) {
    await load(server.url, c, Math.max(2, Math.round(DURATION_S / 3))); // warm-up
    await settle(server.url);
    const r = await load(server.url, c, DURATION_S);
    // Answered images only: a 503 is fast and would inflate the rate.
    const rps = r['2xx'] / DURATION_S;
    if (r.non2xx) console.error(`serve c=${c}: status codes ${JSON.stringify(r.statusCodeStats)}`);
    await settle(server.url);
    rows.push(`| \`prnet serve\`, ${c} connection${c === 1 ? '' : 's'} | ${rps.toFixed(1)} | ${(1000 / rps).toFixed(0)} | ${r.latency.p50} | ${r.latency.p99} | ${r.non2xx} non-2xx, ${r.errors} errors |`);
    console.error(`serve c=${c}: ${rps.toFixed(1)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, non2xx ${r.non2xx}, errors ${r.errors}`);
  }
} finally {
  await server.stop();
}
const small = await cliSeconds(files.length);
const large = await cliSeconds(files.length * 4);
const perImage = (large - small) / (files.length * 3);
console.error(`reconstruct: ${files.length} images ${small.toFixed(1)} s, ${files.length * 4} images ${large.toFixed(1)} s`);
rows.push(`| \`prnet reconstruct --outputs json\` (marginal, ${files.length} vs ${files.length * 4} images) | ${(1 / perImage).toFixed(1)} | ${(perImage * 1000).toFixed(0)} | | | |`);

console.log(`POST /v1/reconstruct, ${files.length} AFLW2000-3D photos (450×450) in turn, JSON answers, ${os.availableParallelism()} cores, ${DURATION_S} s per row:\n`);
console.log('| | images/s | ms per image | p50 ms | p99 ms | |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);
