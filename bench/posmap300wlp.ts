/**
 * Time per sample of the 300W-LP position-map generator on a BFM-sized synthetic model
 * (53,361 vertices, 199 shape + 29 expression components, 105,800 triangles; the real
 * Basel model cannot be shipped) and a 450×450 photo, as 300W-LP's.
 *
 *   node --import tsx bench/posmap300wlp.ts
 */
import { modelVertices } from '../src/labels/posmap300wlp/modelVertices.js';
import type { MorphableModel } from '../src/labels/posmap300wlp/morphableModel.js';
import { posmap300wlp } from '../src/labels/posmap300wlp/posmap300wlp.js';
import { uvPositionMap } from '../src/labels/posmap300wlp/uvPositionMap.js';
import { encodeNpy } from '../src/io/encodeNpy.js';
import { createTrainRandom } from '../src/train/loop/trainRandom.js';

const G = 231, n = G * G, KS = 199, KE = 29;
const rng = createTrainRandom(1);
const mean = new Float64Array(3 * n), uvCoords = new Float32Array(3 * n);
for (let j = 0; j < G; j++) for (let i = 0; i < G; i++) {
  const v = j * G + i, x = (i / (G - 1) - 0.5) * 160000, y = (0.5 - j / (G - 1)) * 180000;
  mean[3 * v] = x; mean[3 * v + 1] = y; mean[3 * v + 2] = 70000 * Math.exp(-(x * x + y * y) / 6e9);
  uvCoords[3 * v] = (i / (G - 1)) * 255; uvCoords[3 * v + 1] = 255 - (j / (G - 1)) * 255;
}
const tris: number[] = [];
for (let j = 0; j + 1 < G; j++) for (let i = 0; i + 1 < G; i++) { const a = j * G + i; tris.push(a, a + G, a + 1, a + 1, a + G, a + G + 1); }
const model: MorphableModel = {
  vertexCount: n, mean, shapeCount: KS, expressionCount: KE,
  shapeBasis: new Float64Array(3 * n * KS).map(() => (rng() - 0.5) * 50),
  expressionBasis: new Float64Array(3 * n * KE).map(() => (rng() - 0.5) * 50),
  triangles: Uint32Array.from(tris), uvSize: 256, uvCoords,
  keypointIndices: Uint32Array.from({ length: 68 }, (_, k) => (40 + (k % 8) * 20) * G + 40 + Math.floor(k / 8) * 18),
};
const photo = { width: 450, height: 450, data: new Uint8Array(450 * 450 * 3).map(() => Math.floor(rng() * 256)) };
const params = {
  pose: [0.1, -0.3, 0.05, 225, 225, 0, 1.3e-3] as const,
  shape: new Float64Array(KS).map(() => rng() - 0.5), expression: new Float64Array(KE).map(() => rng() - 0.5),
};

function median(f: () => void, runs = 9): number {
  const t: number[] = [];
  for (let r = 0; r < runs; r++) { const t0 = performance.now(); f(); t.push(performance.now() - t0); }
  return t.sort((a, b) => a - b)[runs >> 1]!;
}
let sample = posmap300wlp(photo, params, model, { rng: createTrainRandom(2) });
console.log(`vertices ${n}, triangles ${tris.length / 3}, components ${KS}+${KE}`);
console.log(`modelVertices      ${median(() => modelVertices(model, params.shape, params.expression)).toFixed(1)} ms (median of 9)`);
console.log(`uvPositionMap      ${median(() => uvPositionMap(model.uvCoords, model.triangles, sample.position, 256)).toFixed(1)} ms`);
console.log(`encodeNpy          ${median(() => encodeNpy(sample.positionMap, [256, 256, 3])).toFixed(1)} ms`);
console.log(`posmap300wlp total ${median(() => { sample = posmap300wlp(photo, params, model, { rng: createTrainRandom(2) }); }).toFixed(1)} ms per sample (without decode / encode / IO)`);

// End to end through the Node writer (decode photo + .mat, generate, JPEG + .npy atomic writes).
{
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
  const os = await import('node:os');
  const path = await import('node:path');
  const sharp = (await import('sharp')).default;
  const { generatePosmapDataset, listPosmapSources } = await import('../src/node/train/posmapDataset.js');
  const { encodeMat } = await import('../test/labels/posmap300wlp/matWriter.js');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'prnet-bench-300wlp-'));
  const count = 9;
  for (let s = 0; s < count; s++) {
    await sharp(photo.data, { raw: { width: 450, height: 450, channels: 3 } }).jpeg().toFile(path.join(dir, `s${s}.jpg`));
    await writeFile(path.join(dir, `s${s}.mat`), encodeMat({
      Pose_Para: { shape: [1, 7], data: params.pose }, Shape_Para: { shape: [KS, 1], data: params.shape }, Exp_Para: { shape: [KE, 1], data: params.expression },
    }));
  }
  const sources = (await listPosmapSources([dir])).slice(0, count);
  const times: number[] = [];
  let last = performance.now();
  await generatePosmapDataset(sources, model, {
    outDir: path.join(dir, 'out'),
    onSample: () => { const t = performance.now(); times.push(t - last); last = t; },
  });
  times.sort((a, b) => a - b);
  console.log(`generatePosmapDataset ${times[times.length >> 1]!.toFixed(1)} ms per sample end to end (median of ${count})`);
  await rm(dir, { recursive: true, force: true });
}
