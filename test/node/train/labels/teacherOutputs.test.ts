import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { teacherOutputs } from '../../../../src/node/train/labels/labelFaces.js';
import type { LabelSource } from '../../../../src/node/train/labels/labelSource.js';
import type { TddfaTeacher } from '../../../../src/node/inference/tddfaTeacher.js';

/** A source of n small synthetic faces; face `bad` cannot be read. */
function source(n: number, bad: number): LabelSource {
  return {
    dataset: 'synthetic', dir: '/nowhere', names: Array.from({ length: n }, (_, i) => `face${i}.jpg`), pointCount: 1,
    human: new Float64Array(n * 2), weights: new Float64Array(n), frame: 'pixels',
    async teacherCrop(i) {
      if (i === bad) throw new Error('cannot decode face: truncated\nsecond line');
      const data = new Uint8Array(16 * 16 * 3).fill((i * 37) % 256);
      return { image: { width: 16, height: 16, data } as never, crop: [0, 0, 16, 16], frameRoi: [i, 0, i + 16, 16] };
    },
    correspondence: { start: Uint32Array.of(0), learn: false, how: 'test' },
  };
}

/** A fake teacher whose output row is the mean input value, counting the faces it sees. */
function fakeTeacher(): TddfaTeacher & { seen: number } {
  const t = {
    inputSize: 120, sha256: 'f'.repeat(64), seen: 0,
    async predict(input: Float32Array, n: number) {
      t.seen += n;
      const out = new Float32Array(n * 62);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = 0; k < 3 * 120 * 120; k++) s += input[i * 3 * 120 * 120 + k]!;
        out.fill(s / (3 * 120 * 120), i * 62, (i + 1) * 62);
      }
      return out;
    },
  };
  return t;
}

test('teacher outputs resume from finished chunks, and an unreadable face is NaN with its one-line reason', async () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'prnet-work-'));
  const src = source(1500, 1234);
  const first = fakeTeacher();
  const a = await teacherOutputs(src, first, 1500, work);
  assert.equal(first.seen, 1500);
  assert.equal(readdirSync(work).filter((f) => f.endsWith('.json')).length, 2, 'two chunks of at most 1,000 faces');
  assert.ok(Number.isNaN(a.raw[1234 * 62]!));
  assert.equal(a.skipped.get(1234), 'cannot decode face: truncated');
  // Face 5 is filled with 5·37 = 185 → (185 − 127.5) / 128.
  assert.ok(Math.abs(a.raw[5 * 62]! - (185 - 127.5) / 128) < 1e-5);
  assert.deepEqual(Array.from(a.frameRoi.subarray(5 * 4, 6 * 4)), [5, 0, 21, 16]);

  // Interrupted after the first chunk: only the second is computed again.
  for (const f of readdirSync(work).filter((f) => f.includes('-1000-1500'))) rmSync(path.join(work, f));
  const second = fakeTeacher();
  const b = await teacherOutputs(src, second, 1500, work);
  assert.equal(second.seen, 500);
  assert.deepEqual(Array.from(b.raw.subarray(0, 62 * 10)), Array.from(a.raw.subarray(0, 62 * 10)));
  assert.equal(b.skipped.get(1234), 'cannot decode face: truncated');
});
