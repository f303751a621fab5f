/**
 * `prnet enqueue` / `prnet worker` / `prnet jobs status` against a real redis-server on
 * 127.0.0.1 (issue 17): outputs, permanent failures recorded with their reasons and not
 * retried, transient failures retried with backoff, no duplicate jobs, a worker
 * killed mid-job whose job returns to the queue and is done exactly once in the output,
 * and a worker stopped by SIGTERM that finishes its job in hand and leaves the rest queued.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { prnetProcess, REPO } from '../support/prnetProcess.js';
import { testRedis, type TestRedis } from '../support/redisServer.js';
import type { JobsStatus } from '../../src/server/jobsStatus.js';

const PHOTO = path.resolve(REPO, '../shared/fixtures/photos/photo1.jpg');
/** Short locks, so a killed worker's job comes back within seconds. */
const LOCK_MS = '1500';
/** Queue names of this run: a shared Redis ($PRNET_TEST_REDIS_URL) may hold earlier runs' queues. */
const RUN = `${process.pid}-${Date.now().toString(36)}`;

let redis: TestRedis;
test.before(async () => { redis = await testRedis(); });
test.after(async () => { await redis?.stop(); });

async function run(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const p = prnetProcess([...args, '--redis', redis.url]);
  let stdout = '';
  p.child.stdout.on('data', (d) => { stdout += d; });
  const { code } = await p.exited;
  return { code, stderr: p.stderr(), stdout };
}

/** Sends `signal` to a worker as soon as it logs the start of a job after this call; resolves with that job's id. */
function signalAtNextJob(worker: ReturnType<typeof prnetProcess>, signal: NodeJS.Signals): Promise<string> {
  const seen = worker.stderr().length;
  return new Promise<string>((resolve, reject) => {
    const poll = setInterval(() => {
      const m = /job (\w+) \S+: started/.exec(worker.stderr().slice(seen));
      if (m) {
        clearInterval(poll);
        worker.child.kill(signal);
        resolve(m[1]!);
      } else if (worker.child.exitCode !== null) {
        clearInterval(poll);
        reject(new Error(worker.stderr()));
      }
    }, 1);
  });
}

async function status(queue: string): Promise<JobsStatus> {
  const r = await run(['jobs', 'status', '--queue', queue, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as JobsStatus;
}

test('enqueue → worker → status: outputs, bad images failed for good with reasons (not retried), no duplicates', { timeout: 180_000 }, async () => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'prnet-queue-'));
  try {
    const input = path.join(work, 'in');
    const out = path.join(work, 'out');
    await (await import('node:fs/promises')).mkdir(input);
    for (const n of ['a', 'b', 'c']) await copyFile(PHOTO, path.join(input, `${n}.jpg`));
    await writeFile(path.join(input, 'text.jpg'), 'not an image');
    await writeFile(path.join(input, 'cut.jpg'), (await readFile(PHOTO)).subarray(0, 4000));
    await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toFile(path.join(input, 'grey.png'));
    const queue = `q-basic-${RUN}`;
    const enq = ['enqueue', input, '--queue', queue, '-o', out, '--outputs', 'obj,json', '--attempts', '3', '--backoff', '50'];
    const first = await run(enq);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /6 jobs added/);
    const again = await run(enq);
    assert.match(again.stderr, /0 jobs added, 6 already queued/);
    let s = await status(queue);
    assert.equal(s.counts.waiting, 6);

    const worker = await run(['worker', '--queue', queue, '--until-empty', '--lock-duration', LOCK_MS]);
    assert.equal(worker.code, 0, worker.stderr);
    s = await status(queue);
    assert.deepEqual(s.counts, { waiting: 0, active: 0, delayed: 0, completed: 3, failed: 3 });
    assert.equal(s.faces, 3);
    const reasons = Object.fromEntries(s.failed.map((f) => [path.basename(f.input), f]));
    assert.match(reasons['text.jpg']!.reason, /^not_an_image: /);
    assert.match(reasons['cut.jpg']!.reason, /^corrupt_image: .*truncated/);
    assert.equal(reasons['grey.png']!.reason, 'no_face: no face found');
    for (const f of s.failed) assert.equal(f.attempts, 1, `${f.input} was not retried`);
    assert.doesNotMatch(worker.stderr, /will retry/);
    const files = (await readdir(out)).sort();
    assert.deepEqual(files, ['a.json', 'a_0.obj', 'b.json', 'b_0.obj', 'c.json', 'c_0.obj', 'grey.json']);
    const doc = JSON.parse(await readFile(path.join(out, 'a.json'), 'utf8')) as { faces: Array<{ landmarks: unknown[] }>; model: { sha256: string }; image: { file: string } };
    assert.equal(doc.faces[0]!.landmarks.length, 68);
    assert.match(doc.model.sha256, /^[0-9a-f]{64}$/);
    assert.equal(doc.image.file, path.join(input, 'a.jpg'));
    const grey = JSON.parse(await readFile(path.join(out, 'grey.json'), 'utf8')) as { faces: unknown[]; reason: string };
    assert.deepEqual(grey.faces, []);
    assert.equal(grey.reason, 'no face found');
    const text = await run(['jobs', 'status', '--queue', queue]);
    assert.match(text.stdout, /6 of 6 finished \(100 %\): 3 completed, 3 failed/);
    assert.match(text.stdout, /failed: .*grey\.png: no_face: no face found \(1 try\)/);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

test('transient failures are retried with backoff, then recorded', { timeout: 120_000 }, async () => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'prnet-queue-'));
  try {
    const out = path.join(work, 'out');
    // The output folder is a file: writing fails, which retrying could fix, so it is retried.
    await writeFile(out, 'in the way');
    const queue = `q-retry-${RUN}`;
    assert.equal((await run(['enqueue', PHOTO, '--queue', queue, '-o', out, '--attempts', '3', '--backoff', '100'])).code, 0);
    const worker = await run(['worker', '--queue', queue, '--until-empty', '--lock-duration', LOCK_MS]);
    assert.equal(worker.code, 0, worker.stderr);
    assert.equal(worker.stderr.match(/started \(attempt \d of 3\)/g)?.length, 3, worker.stderr);
    assert.match(worker.stderr, /will retry \(2 tries left\)/);
    assert.match(worker.stderr, /will retry \(1 try left\)/);
    const s = await status(queue);
    assert.equal(s.counts.failed, 1);
    assert.equal(s.failed[0]!.attempts, 3);
    assert.match(s.failed[0]!.reason, /EEXIST|ENOTDIR|not a directory|exists/i);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

test('a worker killed mid-job: the job returns to the queue and is done exactly once in the output', { timeout: 240_000 }, async () => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'prnet-queue-'));
  try {
    const input = path.join(work, 'in');
    const out = path.join(work, 'out');
    await (await import('node:fs/promises')).mkdir(input);
    const COUNT = 12;
    for (let i = 0; i < COUNT; i++) await copyFile(PHOTO, path.join(input, `img${String(i).padStart(2, '0')}.jpg`));
    const KINDS = ['obj', 'glb', 'ply', 'json', 'texture', 'aligned'];
    /** Files per image: .obj, .mtl (textured OBJ), .glb, .ply, .json, _texture.png, _aligned.png. */
    const PER_IMAGE = 7;
    const queue = `q-kill-${RUN}`;
    assert.equal((await run(['enqueue', input, '--queue', queue, '-o', out, '--outputs', KINDS.join(','), '--align', 'ffhq', '--align-size', '64', '--fov', '50', '--camera-space'])).code, 0);

    const a = prnetProcess(['worker', '--queue', queue, '--concurrency', '1', '--lock-duration', LOCK_MS, '--redis', redis.url]);
    // Let two jobs finish, then kill the worker as soon as it starts the next one.
    await a.waitFor(/(done, 1 face[\s\S]*){2}/);
    const started = await signalAtNextJob(a, 'SIGKILL');
    const killed = await a.exited;
    assert.equal(killed.signal, 'SIGKILL');
    assert.doesNotMatch(a.stderr(), new RegExp(`job ${started} \\S+: done`), 'the job was cut off mid-way');
    let s = await status(queue);
    assert.equal(s.counts.active, 1, 'the killed job is still held by its lock');

    const b = await run(['worker', '--queue', queue, '--until-empty', '--lock-duration', LOCK_MS]);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stderr, new RegExp(`job ${started} \\S+: done, 1 face`), 'the second worker did the killed job');
    s = await status(queue);
    assert.deepEqual(s.counts, { waiting: 0, active: 0, delayed: 0, completed: COUNT, failed: 0 });
    const files = await readdir(out);
    assert.deepEqual(files.filter((f) => f.startsWith('.') || f.endsWith('.tmp')), [], 'no temporary files left');
    assert.equal(files.length, COUNT * PER_IMAGE);
    for (let i = 0; i < COUNT; i++) {
      const base = `img${String(i).padStart(2, '0')}`;
      assert.equal(files.filter((f) => f.startsWith(`${base}.`) || f.startsWith(`${base}_`)).length, PER_IMAGE, base);
      const doc = JSON.parse(await readFile(path.join(out, `${base}.json`), 'utf8')) as { faces: unknown[] };
      assert.equal(doc.faces.length, 1, `${base}: one face, written once`);
    }
    // The job carried its alignment, its camera and its mesh frame to the worker.
    const aligned = await (await import('sharp')).default(path.join(out, 'img00_0_aligned.png')).metadata();
    assert.deepEqual([aligned.width, aligned.height], [64, 64]);
    const record = JSON.parse(await readFile(path.join(out, 'img00.json'), 'utf8')) as { faces: { camera: { fovY: number; matrix: number[] } }[] };
    assert.equal(record.faces[0]!.camera.fovY, 50);
    const { NodeIO } = await import('@gltf-transform/core');
    const glbPositions = (await new NodeIO().readBinary(new Uint8Array(await readFile(path.join(out, 'img00_0.glb'))))).getRoot().listMeshes()[0]!.listPrimitives()[0]!.getAttribute('POSITION')!;
    assert.ok(glbPositions.getMax([0, 0, 0])[2]! < 0, 'the mesh in camera space: in front of the camera');
    // Each job completed once: one "done" line per job across both workers.
    const done = [...(a.stderr() + b.stderr).matchAll(/job (\w+) \S+: done/g)].map((m) => m[1]);
    assert.equal(done.length, COUNT);
    assert.equal(new Set(done).size, COUNT);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

test('an unreachable Redis is one line and exit 2, not a hang', { timeout: 60_000 }, async () => {
  const net = await import('node:net');
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  for (const args of [['jobs', 'status', '--queue', 'x'], ['enqueue', PHOTO, '--queue', 'x', '-o', os.tmpdir()], ['worker', '--queue', 'x']]) {
    const p = prnetProcess([...args, '--redis', `redis://127.0.0.1:${port}`]);
    const { code } = await p.exited;
    assert.equal(code, 2, p.stderr());
    assert.match(p.stderr(), new RegExp(`^prnet: queue x at redis://127\\.0\\.0\\.1:${port}: connect ECONNREFUSED`));
    assert.equal(p.stderr().trim().split('\n').length, 1, p.stderr());
  }
});

test('SIGTERM to a worker: the job in hand is finished and written, the rest stay queued, exit 0', { timeout: 240_000 }, async () => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'prnet-queue-'));
  try {
    const input = path.join(work, 'in');
    const out = path.join(work, 'out');
    await (await import('node:fs/promises')).mkdir(input);
    const COUNT = 8;
    for (let i = 0; i < COUNT; i++) await copyFile(PHOTO, path.join(input, `img${i}.jpg`));
    const queue = `q-term-${RUN}`;
    assert.equal((await run(['enqueue', input, '--queue', queue, '-o', out, '--outputs', 'obj,json'])).code, 0);
    const w = prnetProcess(['worker', '--queue', queue, '--concurrency', '1', '--lock-duration', LOCK_MS, '--redis', redis.url]);
    // SIGTERM as soon as the second job starts: that job is in hand.
    await w.waitFor(/done, 1 face/);
    const started = await signalAtNextJob(w, 'SIGTERM');
    const { code, signal } = await w.exited;
    assert.deepEqual([code, signal], [0, null], w.stderr());
    assert.match(w.stderr(), new RegExp(`job ${started} \\S+: done, 1 face`), 'the job in hand was finished');
    const finished = [...w.stderr().matchAll(/job (\w+) \S+: done/g)].length;
    assert.match(w.stderr(), new RegExp(`worker stopped: ${finished} done, 0 failed`));
    assert.ok(finished < COUNT, 'it stopped before the queue was empty');
    const s = await status(queue);
    assert.deepEqual(s.counts, { waiting: COUNT - finished, active: 0, delayed: 0, completed: finished, failed: 0 }, 'nothing held, nothing lost');
    const files = (await readdir(out)).sort();
    assert.equal(files.length, 2 * finished, files.join(' '));
    assert.deepEqual(files.filter((f) => f.startsWith('.') || f.endsWith('.tmp')), [], 'no temporary files left');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
