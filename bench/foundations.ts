/**
 * Foundations and evaluation costs: .npy and .mat parsing, UV asset loading, triangle
 * generation, crop warping and restoring, pose fitting on 43,867 vertices, and the
 * mean-face AFLW2000-3D evaluation over the 31 sample images. Prints median ms.
 * Run: `npm run bench -- foundations` (needs ../shared).
 */
import { performance } from 'node:perf_hooks';
import { readFileSync, readdirSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpy } from '../src/io/npy.js';
import { parseMat } from '../src/io/mat.js';
import { loadUvAssets } from '../src/node/inference/uvAssets.js';
import { decodeImage } from '../src/node/inference/decodeImage.js';
import { faceTriangles } from '../src/uv/faceTriangles.js';
import { positionMapVertices } from '../src/uv/positionMapVertices.js';
import { cropTransform } from '../src/face/cropTransform.js';
import { warpImage, restorePositionMap } from '../src/face/warpImage.js';
import { estimatePose } from '../src/geometry/estimatePose.js';
import { applySimilarity3d } from '../src/geometry/umeyama.js';
import { eulerToRotation } from '../src/geometry/rotationToEuler.js';
import { aflw2000GroundTruth } from '../src/eval/aflw2000GroundTruth.js';
import { evaluateAflw2000, type Aflw2000Sample } from '../src/eval/evaluateAflw2000.js';
import { meanFacePredictor } from '../src/eval/meanFaceBaseline.js';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const shared = path.resolve(root, '../shared');
const uvDir = path.join(shared, 'prnet-data/uv-data');
const aflw = path.join(shared, 'fixtures/aflw2000-sample');

async function median(label: string, runs: number, fn: () => unknown): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(`${label.padEnd(48)} ${times[Math.floor(runs / 2)]!.toFixed(2).padStart(9)} ms  (median of ${runs})`);
}

const npyBytes = new Uint8Array(readFileSync(path.join(uvDir, 'canonical_vertices.npy')));
const ptsBytes = new Uint8Array(readFileSync(path.join(shared, 'datasets/aflw21/pts21.npy')));
const matBytes = new Uint8Array(readFileSync(path.join(aflw, 'image00002.mat')));
const assets = await loadUvAssets({ dataDir: uvDir });
const image = await decodeImage(path.join(aflw, 'image00002.jpg'));

await median('readNpy canonical_vertices (43867×3 f8)', 21, () => readNpy(npyBytes));
await median('readNpy pts21 (19080×2×21 f4)', 21, () => readNpy(ptsBytes));
await median('parseMat AFLW2000 .mat (zlib)', 51, () => parseMat(matBytes, { inflate: (d) => inflateSync(d) }));
await median('loadUvAssets (read, sha256, PNG decode, triangles)', 5, () => loadUvAssets({ dataDir: uvDir }));
await median('faceTriangles (86,907)', 11, () => faceTriangles(assets.faceIndices));
const T256 = cropTransform([225, 240], 300, 256);
await median('warpImage 450×450 → 256×256', 21, () => warpImage(image, T256, 256));
const map = new Float32Array(256 * 256 * 3).map((_, i) => (i % 251) * 1.3);
await median('restorePositionMap 256×256', 21, () => restorePositionMap(map, T256));
const verts = Float32Array.from(applySimilarity3d({ scale: 0.9, rotation: eulerToRotation({ yaw: 30, pitch: 10, roll: -5 }), translation: Float64Array.of(200, 220, 10) }, assets.canonicalVertices));
await median('positionMapVertices', 21, () => positionMapVertices(map, assets));
await median('estimatePose similarity (43,867 vertices)', 21, () => estimatePose(verts, assets.canonicalVertices));
await median('estimatePose affine (43,867 vertices)', 21, () => estimatePose(verts, assets.canonicalVertices, { method: 'affine' }));
const names = readdirSync(aflw).filter((f) => f.endsWith('.mat')).map((f) => f.slice(0, -4));
const samples: Aflw2000Sample[] = names.map((n) => ({
  name: n,
  load: async () => ({ groundTruth: aflw2000GroundTruth(parseMat(new Uint8Array(readFileSync(path.join(aflw, `${n}.mat`))), { inflate: (d) => inflateSync(d) })) }),
}));
await median('mean-face evaluation, 31 images (incl. .mat reads)', 5, () => evaluateAflw2000(samples, meanFacePredictor(assets)));
