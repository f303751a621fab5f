/**
 * BlazeFace (MediaPipe's short/back-camera face detector, the 256×256 "back" model that
 * `@vladmandic/human` ships as `models/blazeface.json`) behind the {@link FaceDetector}
 * interface. Isomorphic: tfjs-core runs it on whichever backend the caller registered.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { RgbImage } from '../io/rgbImage.js';
import type { DetectedFace, FaceDetector } from './faceDetector.js';
import { tfGraph, type TfGraphModelJson } from './tfGraph.js';

/** Side of BlazeFace's square input. */
export const BLAZEFACE_INPUT_SIZE = 256;

/** Options of {@link blazeFace}. */
export interface BlazeFaceOptions {
  /** Keep at most this many faces, best first. */
  maxFaces: number;
  /** Drop detections whose score (sigmoid of the logit) is below this. */
  minScore: number;
  /** Two detections overlapping more than this (intersection over union) are one face. */
  iouThreshold: number;
}

/** Defaults of {@link BlazeFaceOptions}: MediaPipe's thresholds, up to 20 faces. */
export const BLAZEFACE_DEFAULTS: BlazeFaceOptions = { maxFaces: 20, minScore: 0.5, iouThreshold: 0.3 };

// The two output heads: stride 16 (16×16 cells, 2 anchors) then stride 32 (8×8 cells, 6 anchors).
const HEADS = [
  { scores: 'Identity', boxes: 'Identity_2', stride: 16, anchors: 2 },
  { scores: 'Identity_1', boxes: 'Identity_3', stride: 32, anchors: 6 },
];
const KEYPOINTS = 6;
const REGRESSORS = 4 + 2 * KEYPOINTS;

/** Anchor centres in input pixels, in the order of the heads' rows. */
function anchorCenters(): Float32Array {
  const out: number[] = [];
  for (const { stride, anchors } of HEADS) {
    const cells = BLAZEFACE_INPUT_SIZE / stride;
    for (let y = 0; y < cells; y++) for (let x = 0; x < cells; x++) for (let a = 0; a < anchors; a++) out.push((x + 0.5) * stride, (y + 0.5) * stride);
  }
  return new Float32Array(out);
}

/**
 * Letterboxes `image` into a black square (top-left aligned, so one scale maps back) and
 * resamples it to the network size, normalised to [−1, 1]. Downscaling averages a k×k grid
 * of bilinear samples per output pixel so large photos do not alias.
 */
function letterbox(image: RgbImage): { input: Float32Array; scale: number } {
  const n = BLAZEFACE_INPUT_SIZE;
  const side = Math.max(image.width, image.height);
  const scale = side / n;
  const k = Math.min(8, Math.max(1, Math.ceil(scale)));
  const input = new Float32Array(n * n * 3);
  const { width: w, height: h, data } = image;
  const acc = [0, 0, 0];
  for (let oy = 0; oy < n; oy++) {
    for (let ox = 0; ox < n; ox++) {
      acc[0] = acc[1] = acc[2] = 0;
      for (let sy = 0; sy < k; sy++) {
        const y = (oy + (sy + 0.5) / k) * scale - 0.5;
        for (let sx = 0; sx < k; sx++) {
          const x = (ox + (sx + 0.5) / k) * scale - 0.5;
          // Bilinear with zero (black) outside the image: the letterbox padding.
          const x0 = Math.floor(x);
          const y0 = Math.floor(y);
          const fx = x - x0;
          const fy = y - y0;
          for (let dy = 0; dy < 2; dy++) {
            const yy = y0 + dy;
            if (yy < 0 || yy >= h) continue;
            const wy = dy ? fy : 1 - fy;
            for (let dx = 0; dx < 2; dx++) {
              const xx = x0 + dx;
              if (xx < 0 || xx >= w) continue;
              const wgt = wy * (dx ? fx : 1 - fx);
              const p = (yy * w + xx) * 3;
              acc[0] += wgt * data[p];
              acc[1] += wgt * data[p + 1];
              acc[2] += wgt * data[p + 2];
            }
          }
        }
      }
      const o = (oy * n + ox) * 3;
      const norm = 1 / (k * k * 127.5);
      input[o] = acc[0] * norm - 1;
      input[o + 1] = acc[1] * norm - 1;
      input[o + 2] = acc[2] * norm - 1;
    }
  }
  return { input, scale };
}

function iou(a: number[], b: number[]): number {
  const x0 = Math.max(a[0], b[0]);
  const y0 = Math.max(a[1], b[1]);
  const x1 = Math.min(a[2], b[2]);
  const y1 = Math.min(a[3], b[3]);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Creates a BlazeFace {@link FaceDetector} from the tfjs graph model files. Register a tfjs
 * backend first (`src/node/inference/detector.ts` does, with WebAssembly in Node).
 *
 * ```ts
 * const detector = blazeFace(modelJson, weightBytes, { maxFaces: 5 });
 * const faces = await detector.detect(image); // [{ box: [x, y, w, h], score, keypoints }]
 * ```
 */
export function blazeFace(modelJson: TfGraphModelJson, weightData: Uint8Array, options: Partial<BlazeFaceOptions> = {}): FaceDetector {
  const opts = { ...BLAZEFACE_DEFAULTS, ...options };
  if (!(opts.maxFaces >= 1)) throw new Error(`maxFaces must be at least 1, got ${opts.maxFaces}`);
  const graph = tfGraph(modelJson, weightData);
  const anchors = anchorCenters();
  const count = anchors.length / 2;
  const outputs = HEADS.flatMap((h) => [h.scores, h.boxes]);

  return {
    async detect(image) {
      const { input, scale } = letterbox(image);
      const x = tf.tensor4d(input, [1, BLAZEFACE_INPUT_SIZE, BLAZEFACE_INPUT_SIZE, 3]);
      const results = graph.execute(x, outputs);
      x.dispose();
      const arrays = await Promise.all(results.map((t) => t.data() as Promise<Float32Array>));
      for (const t of results) t.dispose();
      const logits = new Float32Array(count);
      const regress = new Float32Array(count * REGRESSORS);
      logits.set(arrays[0], 0);
      regress.set(arrays[1], 0);
      logits.set(arrays[2], arrays[0].length);
      regress.set(arrays[3], arrays[1].length);

      // Decode candidates above threshold: [x0, y0, x1, y1] and keypoints, image pixels.
      const candidates: Array<{ score: number; corners: number[]; keypoints: number[] }> = [];
      for (let i = 0; i < count; i++) {
        const score = 1 / (1 + Math.exp(-logits[i]));
        if (!(score >= opts.minScore)) continue;
        const r = i * REGRESSORS;
        const cx = anchors[2 * i] + regress[r];
        const cy = anchors[2 * i + 1] + regress[r + 1];
        const hw = regress[r + 2] / 2;
        const hh = regress[r + 3] / 2;
        if (!(hw > 0 && hh > 0)) continue;
        const keypoints: number[] = [];
        for (let k = 0; k < KEYPOINTS; k++) keypoints.push((anchors[2 * i] + regress[r + 4 + 2 * k]) * scale, (anchors[2 * i + 1] + regress[r + 5 + 2 * k]) * scale);
        candidates.push({ score, corners: [(cx - hw) * scale, (cy - hh) * scale, (cx + hw) * scale, (cy + hh) * scale], keypoints });
      }
      candidates.sort((a, b) => b.score - a.score);

      // Weighted non-maximum suppression (MediaPipe's "WEIGHTED" mode): each face is the
      // score-weighted mean of its overlapping candidates, which steadies the box.
      const faces: DetectedFace[] = [];
      const used = new Uint8Array(candidates.length);
      for (let i = 0; i < candidates.length && faces.length < opts.maxFaces; i++) {
        if (used[i]) continue;
        const best = candidates[i];
        const corners = [0, 0, 0, 0];
        const keypoints = new Array<number>(2 * KEYPOINTS).fill(0);
        let total = 0;
        for (let j = i; j < candidates.length; j++) {
          if (used[j] || iou(best.corners, candidates[j].corners) <= opts.iouThreshold) continue;
          used[j] = 1;
          const c = candidates[j];
          total += c.score;
          for (let q = 0; q < 4; q++) corners[q] += c.score * c.corners[q];
          for (let q = 0; q < keypoints.length; q++) keypoints[q] += c.score * c.keypoints[q];
        }
        for (let q = 0; q < 4; q++) corners[q] /= total;
        const kp: Array<[number, number]> = [];
        for (let q = 0; q < KEYPOINTS; q++) kp.push([keypoints[2 * q] / total, keypoints[2 * q + 1] / total]);
        faces.push({ box: [corners[0], corners[1], corners[2] - corners[0], corners[3] - corners[1]], score: best.score, keypoints: kp });
      }
      return faces;
    },
    dispose() {
      graph.dispose();
    },
  };
}
