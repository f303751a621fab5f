/**
 * `prnet reconstruct --refine N`: each pass re-crops every face from its predicted landmarks
 * and runs the network again, so the landmarks move (and a second pass moves them again);
 * a bad count is a usage error that writes nothing.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const photo = path.resolve(repo, '../shared/fixtures/aflw2000-sample/image00002.jpg');
const work = await mkdtemp(path.join(os.tmpdir(), 'prnet-refine-'));
test.after(() => rm(work, { recursive: true, force: true }));

function prnet(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(repo, 'src/cli/main.ts'), ...args], { cwd: work, timeout: 120_000 }, (err, _stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
}

async function landmarksOf(image: string, dir: string, args: string[]): Promise<number[]> {
  const out = path.join(work, dir);
  const r = await prnet(['reconstruct', image, '--outputs', 'json', '-o', out, '-q', ...args]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(await readFile(path.join(out, `${path.basename(image, '.jpg')}.json`), 'utf8')) as { faces: { landmarks: number[][] }[] };
  assert.equal(doc.faces.length, 1);
  return doc.faces[0]!.landmarks.flat();
}

/** Landmarks after `refine` passes over every face (no yaw gate). */
const landmarks = (refine: number) => landmarksOf(photo, `r${refine}`, ['--refine', String(refine), '--refine-min-yaw', '0']);

test('--refine moves the landmarks by a re-crop, each pass again, within a few pixels', async () => {
  const [l0, l1, l2] = [await landmarks(0), await landmarks(1), await landmarks(2)];
  const move = (a: number[], b: number[]) => {
    let m = 0;
    for (let i = 0; i < a.length; i += 3) m += Math.hypot(a[i]! - b[i]!, a[i + 1]! - b[i + 1]!) / (a.length / 3);
    return m;
  };
  // A real second run (not the same map twice), and not a different face: the face is ~160 px wide.
  assert.ok(move(l0, l1) > 0.05 && move(l0, l1) < 8, `pass 1 moved the landmarks ${move(l0, l1)} px on average`);
  assert.ok(move(l1, l2) > 0.01 && move(l1, l2) < 8, `pass 2 moved them ${move(l1, l2)} px`);
});

test('--refine with a negative or fractional count is a usage error that writes nothing', async () => {
  for (const bad of ['-1', '1.5', 'x']) {
    const out = path.join(work, `bad${bad}`);
    const r = await prnet(['reconstruct', photo, '--outputs', 'json', '-o', out, '--refine', bad]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--refine/);
    assert.deepEqual(await readdir(out).catch(() => []), []);
  }
});

test('--refine 1 re-runs turned faces only (the yaw gate); the default and --no-refine are one plain pass', async () => {
  // image00002 is near frontal, image00004 turned about 60° (first-pass yaw).
  const turned = path.resolve(repo, '../shared/fixtures/aflw2000-sample/image00004.jpg');
  const plainFrontal = await landmarks(0);
  assert.deepEqual(await landmarksOf(photo, 'gated-frontal', ['--refine', '1']), plainFrontal, 'a frontal face is not re-run');
  const plainTurned = await landmarksOf(turned, 'plain-turned', ['--no-refine']);
  assert.deepEqual(await landmarksOf(turned, 'default-turned', []), plainTurned, 'no refinement by default');
  const refinedTurned = await landmarksOf(turned, 'ref-turned', ['--refine', '1', '--refine-min-yaw', '0']);
  assert.notDeepEqual(plainTurned, refinedTurned);
  assert.deepEqual(await landmarksOf(turned, 'gated-turned', ['--refine', '1']), refinedTurned, 'a turned face is refined under the default gate');
  assert.deepEqual(await landmarksOf(turned, 'gate-high', ['--refine', '1', '--refine-min-yaw', '80']), plainTurned, 'a gate above its yaw leaves it alone');
});
