/**
 * Synthetic reconstructed faces: the canonical mean face under a known rotation,
 * scale and translation, written into a position map exactly as a network would.
 */
import type { UvAssets } from '../../src/uv/uvAssets.js';

export interface SyntheticFace { positionMap: Float32Array; vertices: Float32Array }

/** Rotation from yaw (about y), pitch (about x), roll (about z), in degrees. */
export function rotationMatrix(yawDeg: number, pitchDeg = 0, rollDeg = 0): number[] {
  const [a, b, c] = [yawDeg, pitchDeg, rollDeg].map((d) => (d * Math.PI) / 180) as [number, number, number];
  const ry = [Math.cos(a), 0, Math.sin(a), 0, 1, 0, -Math.sin(a), 0, Math.cos(a)];
  const rx = [1, 0, 0, 0, Math.cos(b), -Math.sin(b), 0, Math.sin(b), Math.cos(b)];
  const rz = [Math.cos(c), -Math.sin(c), 0, Math.sin(c), Math.cos(c), 0, 0, 0, 1];
  const mul = (p: number[], q: number[]) => Array.from({ length: 9 }, (_, i) => {
    const r = Math.floor(i / 3), col = i % 3;
    return p[r * 3]! * q[col]! + p[r * 3 + 1]! * q[3 + col]! + p[r * 3 + 2]! * q[6 + col]!;
  });
  return mul(rz, mul(ry, rx));
}

/**
 * Poses the canonical face: v = scale · R · (c − centre) + [tx, ty, tz], where the
 * centre is the mean face's own centre (it lies around (0, 258, 90) in its units).
 */
export function syntheticFace(assets: UvAssets, options: { scale: number; tx: number; ty: number; tz?: number; yaw?: number; pitch?: number; roll?: number }): SyntheticFace {
  const R = rotationMatrix(options.yaw ?? 0, options.pitch ?? 0, options.roll ?? 0);
  const cv = assets.canonicalVertices;
  const n = cv.length / 3;
  const centre = [0, 0, 0];
  for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) centre[k] += cv[3 * i + k]! / n;
  const vertices = new Float32Array(n * 3);
  const positionMap = new Float32Array(assets.uvSize * assets.uvSize * 3);
  const t = [options.tx, options.ty, options.tz ?? 100];
  for (let i = 0; i < n; i++) {
    const c = [cv[3 * i]! - centre[0]!, cv[3 * i + 1]! - centre[1]!, cv[3 * i + 2]! - centre[2]!];
    for (let r = 0; r < 3; r++) {
      const v = options.scale * (R[3 * r]! * c[0]! + R[3 * r + 1]! * c[1]! + R[3 * r + 2]! * c[2]!) + t[r]!;
      vertices[3 * i + r] = v;
      positionMap[3 * assets.faceIndices[i]! + r] = v;
    }
  }
  return { positionMap, vertices };
}
