/** Shared fixtures of the training-data tests: UV assets and AFLW-21 from ../shared. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadUvAssets } from '../../../src/node/inference/uvAssets.js';
import type { UvAssets } from '../../../src/uv/uvAssets.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const sharedDir = path.resolve(repoRoot, '../shared');
export const aflwDir = path.join(sharedDir, 'datasets/aflw21');
export const uvDataDir = path.join(sharedDir, 'prnet-data/uv-data');

let assets: Promise<UvAssets> | undefined;
/** The official UV assets, loaded once per test file. */
export function testAssets(): Promise<UvAssets> {
  assets ??= loadUvAssets({ dataDir: uvDataDir, download: false });
  return assets;
}

/** Row-major 3×3 product. */
export function mul3(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const o = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) o[i * 3 + j] += a[i * 3 + k]! * b[k * 3 + j]!;
  return o;
}

/** Rotation from yaw, pitch, roll in degrees (R = Rz · Rx · Ry), written out independently of the code under test. */
export function eulerRotation(yawDeg: number, pitchDeg: number, rollDeg: number): Float64Array {
  const [y, p, r] = [yawDeg, pitchDeg, rollDeg].map((d) => (d * Math.PI) / 180) as [number, number, number];
  const Ry = [Math.cos(y), 0, Math.sin(y), 0, 1, 0, -Math.sin(y), 0, Math.cos(y)];
  const Rx = [1, 0, 0, 0, Math.cos(p), -Math.sin(p), 0, Math.sin(p), Math.cos(p)];
  const Rz = [Math.cos(r), -Math.sin(r), 0, Math.sin(r), Math.cos(r), 0, 0, 0, 1];
  return mul3(Rz, mul3(Rx, Ry));
}
