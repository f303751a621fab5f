/**
 * A small synthetic morphable model in face3d's BFM.mat / BFM_UV.mat layout (the Basel
 * model cannot be fetched here) and 300W-LP-like samples for it.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { seededRandom } from '../../support/random.js';
import { encodeMat, type MatWriteValue } from './matWriter.js';

/** Grid side: G×G vertices. */
export const G = 18;

/** The raw arrays the fixture files hold (C order, MATLAB shapes), for the test's own reference. */
export interface FixtureModel {
  n: number;
  shapeMU: Float64Array; expMU: Float64Array;
  shapePC: Float64Array; shapeCount: number;
  expPC: Float64Array; expCount: number;
  /** 0-based m×3: tri then tri_mouth. */
  triangles: number[][];
  /** 0-based. */
  kptInd: number[];
  /** n×2 in [0, 1]. */
  uv: Float64Array;
  fields: Record<string, MatWriteValue>;
}

/** Builds the model: a bumpy grid "face" in BFM-like units (1e5), 3 shape and 2 expression components. */
export function makeFixtureModel(seed = 5): FixtureModel {
  const rng = seededRandom(seed);
  const n = G * G;
  const shapeMU = new Float64Array(3 * n), expMU = new Float64Array(3 * n), uv = new Float64Array(2 * n);
  for (let j = 0; j < G; j++) for (let i = 0; i < G; i++) {
    const v = j * G + i;
    const x = (i / (G - 1) - 0.5) * 160000, y = (0.5 - j / (G - 1)) * 180000;
    shapeMU[3 * v] = x; shapeMU[3 * v + 1] = y;
    shapeMU[3 * v + 2] = 70000 * Math.exp(-(x * x + y * y) / 6e9) + 3000 * rng();
    for (let c = 0; c < 3; c++) expMU[3 * v + c] = 2000 * (rng() - 0.5);
    // UV: the grid, interior points jittered so triangles are not axis-aligned.
    const inner = i > 0 && i < G - 1 && j > 0 && j < G - 1;
    // u spans [0.05, 0.95] only: the map's outer columns stay empty (0), rows 0…1 / 254…255 exercise the border rule.
    uv[2 * v] = 0.05 + 0.9 * i / (G - 1) + (inner ? (rng() - 0.5) * 0.3 / (G - 1) : 0);
    uv[2 * v + 1] = 1 - j / (G - 1) + (inner ? (rng() - 0.5) * 0.3 / (G - 1) : 0);
  }
  const shapeCount = 3, expCount = 2;
  const shapePC = new Float64Array(3 * n * shapeCount).map(() => (rng() - 0.5) * 8000);
  const expPC = new Float64Array(3 * n * expCount).map(() => (rng() - 0.5) * 6000);
  const triangles: number[][] = [];
  for (let j = 0; j + 1 < G; j++) for (let i = 0; i + 1 < G; i++) {
    const a = j * G + i, b = a + 1, c = a + G, d = c + 1;
    if ((i + j) % 2) { triangles.push([a, c, b], [b, c, d]); } else { triangles.push([a, c, d], [a, d, b]); }
  }
  // "Mouth" triangles drawn after the grid, overlapping it in UV (face3d keeps the first).
  const mid = (G >> 1) * G + (G >> 1);
  const mouth = [[mid - 2, mid + 2, mid + 2 * G], [mid - G - 3, mid + 1, mid + G - 2]];
  // 68 keypoints spread over the inner grid; their UVs snapped to integer UV pixels.
  const inner: number[] = [];
  for (let j = 2; j < G - 2; j++) for (let i = 2; i < G - 2; i++) inner.push(j * G + i);
  const kptInd = Array.from({ length: 68 }, (_, k) => inner[Math.floor((k * inner.length) / 68)]!);
  for (const v of kptInd) {
    uv[2 * v] = Math.round(uv[2 * v]! * 255) / 255;
    uv[2 * v + 1] = Math.round(uv[2 * v + 1]! * 255) / 255;
  }
  const col = (a: Float64Array) => ({ shape: [a.length, 1], data: a });
  const tri3 = (ts: number[][]) => ({ shape: [3, ts.length], data: [0, 1, 2].flatMap((k) => ts.map((t) => t[k]! + 1)) });
  const fields: Record<string, MatWriteValue> = {
    shapeMU: col(shapeMU), shapePC: { shape: [3 * n, shapeCount], data: shapePC }, shapeEV: col(new Float64Array(shapeCount).fill(1)),
    expMU: col(expMU), expPC: { shape: [3 * n, expCount], data: expPC }, expEV: col(new Float64Array(expCount).fill(1)),
    texMU: col(new Float64Array(3 * n).fill(128)),
    tri: tri3(triangles), tri_mouth: tri3(mouth),
    kpt_ind: { shape: [1, 68], data: kptInd.map((k) => k + 1) },
  };
  return { n, shapeMU, expMU, shapePC, shapeCount, expPC, expCount, triangles: [...triangles, ...mouth], kptInd, uv, fields };
}

/** One sample's parameters. */
export interface FixtureParams { pose: number[]; shape: number[]; exp: number[] }

export const SAMPLE_PARAMS: FixtureParams[] = [
  { pose: [0.15, -0.35, 0.1, 160, 150, 40, 1.1e-3], shape: [0.7, -1.2, 0.4], exp: [0.5, -0.8] },
  { pose: [-0.1, 0.5, -0.2, 140, 130, 10, 0.9e-3], shape: [-0.3, 0.6, 1.1], exp: [-0.2, 0.9] },
  { pose: [0.05, 0.1, 0.3, 150, 145, -5, 1.0e-3], shape: [0.2, 0.1, -0.9], exp: [1.0, 0.3] },
];

/** Photo size of the samples. */
export const PHOTO = { width: 300, height: 280 };

/** Writes BFM.mat, BFM_UV.mat and a 300W-LP-like folder (`lp/AFW/*.jpg + .mat`) into a temp dir. */
export async function writeFixture(model: FixtureModel, dir?: string): Promise<{ dir: string; bfm: string; uv: string; lp: string }> {
  dir ??= await mkdtemp(path.join(os.tmpdir(), 'prnet-300wlp-'));
  const bfm = path.join(dir, 'BFM.mat'), uv = path.join(dir, 'BFM_UV.mat'), lp = path.join(dir, 'lp');
  await writeFile(bfm, encodeMat({ model: { struct: model.fields } }, { compress: true }));
  await writeFile(uv, encodeMat({ UV: { shape: [model.n, 2], data: model.uv } }));
  await mkdir(path.join(lp, 'AFW'), { recursive: true });
  const rng = seededRandom(11);
  for (let s = 0; s < SAMPLE_PARAMS.length; s++) {
    const p = SAMPLE_PARAMS[s]!;
    const { width, height } = PHOTO;
    const px = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) {
      px[(y * width + x) * 3 + c] = Math.round(127 + 90 * Math.sin(x / (9 + c + s) + y / 13) + 30 * (rng() - 0.5));
    }
    const stem = path.join(lp, 'AFW', `AFW_${100 + s}_1_0`);
    await sharp(px, { raw: { width, height, channels: 3 } }).jpeg({ quality: 95 }).toFile(`${stem}.jpg`);
    await writeFile(`${stem}.mat`, encodeMat({
      Pose_Para: { shape: [1, 7], data: p.pose },
      Shape_Para: { shape: [p.shape.length, 1], data: p.shape },
      Exp_Para: { shape: [p.exp.length, 1], data: p.exp },
      roi: { shape: [1, 4], data: [0, 0, 1, 1] },
    }));
  }
  return { dir, bfm, uv, lp };
}
