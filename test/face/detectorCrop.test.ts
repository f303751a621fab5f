import test from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDetector } from '../../src/node/inference/detector.js';
import { decodeImage } from '../../src/node/inference/decodeImage.js';
import { parseMatAsync } from '../../src/io/matAsync.js';
import { aflw2000GroundTruth } from '../../src/eval/aflw2000GroundTruth.js';
import { cropFromDetection } from '../../src/face/cropFromDetection.js';

const dir = fileURLToPath(new URL('../../../shared/fixtures/aflw2000-sample/', import.meta.url));

test('detector crops match ground-truth landmark crops (box × 1.6) on the AFLW2000-3D sample', async () => {
  const detector = await loadDetector();
  try {
    const mats = (await readdir(dir)).filter((f) => f.endsWith('.mat')).sort();
    assert.equal(mats.length, 31);
    let found = 0;
    const centre: number[] = [], size: number[] = [];
    for (const f of mats) {
      const gt = aflw2000GroundTruth(await parseMatAsync(new Uint8Array(await readFile(path.join(dir, f))), f), f);
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (let i = 0; i < 68; i++) {
        x0 = Math.min(x0, gt.landmarks[3 * i]); x1 = Math.max(x1, gt.landmarks[3 * i]);
        y0 = Math.min(y0, gt.landmarks[3 * i + 1]); y1 = Math.max(y1, gt.landmarks[3 * i + 1]);
      }
      // Official landmark crop, written out: centre of the box, side 1.6 × mean side.
      const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, side = 1.6 * ((x1 - x0) + (y1 - y0)) / 2;
      const faces = await detector.detect(await decodeImage(path.join(dir, f.replace('.mat', '.jpg'))));
      if (faces.length === 0) continue;
      found++;
      const crops = faces.map((d) => cropFromDetection(d.box));
      const best = crops.reduce((a, b) => (Math.hypot(b.center[0] - cx, b.center[1] - cy) < Math.hypot(a.center[0] - cx, a.center[1] - cy) ? b : a));
      centre.push(Math.hypot(best.center[0] - cx, best.center[1] - cy) / side);
      size.push(best.size / side);
    }
    assert.ok(found >= 30, `faces found in ${found}/31 images`);
    const rms = (xs: number[]) => Math.sqrt(xs.reduce((a, b) => a + b * b, 0) / xs.length);
    // Calibrated: centres within ~4 % of the crop side, sizes unbiased within 2 %, every face roughly framed.
    assert.ok(rms(centre) < 0.05, `rms centre error ${rms(centre)}`);
    const meanSize = size.reduce((a, b) => a + b, 0) / size.length;
    assert.ok(Math.abs(meanSize - 1) < 0.03, `mean size ratio ${meanSize}`);
    assert.ok(size.every((s) => s > 0.75 && s < 1.3), `size ratios ${size.map((s) => s.toFixed(2))}`);
  } finally {
    detector.dispose();
  }
});
