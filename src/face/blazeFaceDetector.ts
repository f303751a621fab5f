/**
 * BlazeFace (MediaPipe's short/back-camera face detector, the 256×256 "back" model that
 * `@vladmandic/human` ships as `models/blazeface.json`) behind the {@link FaceDetector}
 * interface, independent of the runtime that executes the network: preprocessing
 * (letterbox, resample, normalise), anchors, box and keypoint decoding, sigmoid scores
 * and weighted non-maximum suppression. The network itself comes in as a
 * {@link BlazeFaceNetwork}: ONNX Runtime (the graph converted by `blazeFaceToOnnx`, the
 * default in Node and the browser) or tfjs (`blazeFace` in `./blazeFace.ts`).
 */
import { letterboxSimd, type AxisTaps } from './wasm/letterboxSimd.js';
import type { RgbImage } from '../io/rgbImage.js';
import type { DetectedFace, FaceDetector } from './faceDetector.js';

/** Side of BlazeFace's square input. */
export const BLAZEFACE_INPUT_SIZE = 256;

/** Options of {@link blazeFaceDetector}. */
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
/**
 * The graph's output nodes, in the order {@link BlazeFaceNetwork.run} returns them:
 * stride-16 scores `[1, 512, 1]` and regressors `[1, 512, 16]`, then stride-32 scores
 * `[1, 384, 1]` and regressors `[1, 384, 16]`.
 */
export const BLAZEFACE_OUTPUTS: readonly string[] = HEADS.flatMap((h) => [h.scores, h.boxes]);
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

const ANCHORS = anchorCenters();

/**
 * One axis of the letterbox resampling: for output index `o`, its `k` bilinear samples at
 * `(o + (s + ½) / k) · scale − ½`, s = 0…k−1, each weighted 1/k, merged into one run of
 * source taps `first[o] … first[o] + count[o] − 1` (weights `weights[o · stride + t]`).
 * Taps outside `[0, size)` are dropped: that is the black letterbox padding.
 */
function axisTaps(n: number, size: number, scale: number, k: number): AxisTaps {
  const first = new Int32Array(n);
  const count = new Int32Array(n);
  const stride = Math.ceil(scale) + 3; // a sample run spans at most scale·(k−1)/k + 2 taps
  const weights = new Float64Array(n * stride);
  for (let o = 0; o < n; o++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let s = 0; s < k; s++) {
      const x0 = Math.floor((o + (s + 0.5) / k) * scale - 0.5);
      for (let d = 0; d < 2; d++) if (x0 + d >= 0 && x0 + d < size) { lo = Math.min(lo, x0 + d); hi = Math.max(hi, x0 + d); }
    }
    if (hi < lo) continue;
    first[o] = lo;
    count[o] = hi - lo + 1;
    for (let s = 0; s < k; s++) {
      const x = (o + (s + 0.5) / k) * scale - 0.5;
      const x0 = Math.floor(x);
      const fx = x - x0;
      for (let d = 0; d < 2; d++) if (x0 + d >= 0 && x0 + d < size) weights[o * stride + x0 + d - lo] += (d ? fx : 1 - fx) / k;
    }
  }
  return { first, count, weights, stride };
}

/**
 * Letterboxes `image` into a black square (top-left aligned, so one scale maps back) and
 * resamples it to the network size, normalised to [−1, 1]. Downscaling averages a k×k grid
 * of bilinear samples per output pixel so large photos do not alias. Returns the
 * `[1, 256, 256, 3]` input (NHWC, or `[1, 3, 256, 256]` for `layout` `nchw`) and the factor
 * from input pixels back to image pixels.
 *
 * The k×k grid of bilinear samples is separable (each weight is a row weight times a column
 * weight), so it runs as a horizontal pass over the source rows the samples touch, then a
 * vertical pass: 2 ms for a 450×450 photo instead of 6 for the direct sum (2 loaded cores).
 */
export function blazeFaceInput(image: RgbImage, layout: 'nhwc' | 'nchw' = 'nhwc'): { input: Float32Array; scale: number } {
  const n = BLAZEFACE_INPUT_SIZE;
  const side = Math.max(image.width, image.height);
  const scale = side / n;
  const k = Math.min(8, Math.max(1, Math.ceil(scale)));
  const { width: w, height: h, data } = image;
  const xs = axisTaps(n, w, scale, k);
  const ys = axisTaps(n, h, scale, k);
  // WebAssembly SIMD where it runs (Node, browsers): the same passes, 0.3 instead of 1.6 ms for 450×450.
  const simd = letterboxSimd(data, w, h, n, xs, ys, layout);
  if (simd) return { input: simd, scale };
  // Horizontal pass: each source row that a vertical tap reads, resampled to n columns,
  // stored as 3n values per row: interleaved RGB (NHWC) or three runs of n (NCHW).
  const planar = layout === 'nchw';
  const rowUsed = new Uint8Array(h);
  for (let o = 0; o < n; o++) for (let t = 0; t < ys.count[o]!; t++) rowUsed[ys.first[o]! + t] = 1;
  const m = n * 3;
  const rows = new Float32Array(h * m);
  const [stepX, stepC] = planar ? [1, n] : [3, 1];
  for (let yy = 0; yy < h; yy++) {
    if (!rowUsed[yy]) continue;
    const src = yy * w * 3;
    const dst = yy * m;
    for (let ox = 0; ox < n; ox++) {
      let r = 0, g = 0, b = 0;
      let p = src + xs.first[ox]! * 3;
      const wo = ox * xs.stride;
      for (let t = 0, c = xs.count[ox]!; t < c; t++, p += 3) {
        const wt = xs.weights[wo + t]!;
        r += wt * data[p]!;
        g += wt * data[p + 1]!;
        b += wt * data[p + 2]!;
      }
      const q = dst + stepX * ox;
      rows[q] = r;
      rows[q + stepC] = g;
      rows[q + 2 * stepC] = b;
    }
  }
  // Vertical pass, with [0, 255] → [−1, 1] folded into the weights; row segments of `seg`
  // values land at `o` (one segment of 3n for NHWC, one per channel plane for NCHW).
  const input = new Float32Array(n * n * 3);
  const [segments, seg] = planar ? [3, n] : [1, m];
  for (let oy = 0; oy < n; oy++) {
    const c = ys.count[oy]!;
    for (let g = 0; g < segments; g++) {
      const o = planar ? g * n * n + oy * n : oy * m;
      if (c === 0) {
        input.fill(-1, o, o + seg);
        continue;
      }
      const row = ys.first[oy]! * m + g * seg;
      const wo = oy * ys.stride;
      if (c <= 4) {
        // The usual case (up to 4 source rows): one pass, taps in registers.
        const w0 = ys.weights[wo]! / 127.5;
        const w1 = c > 1 ? ys.weights[wo + 1]! / 127.5 : 0;
        const w2 = c > 2 ? ys.weights[wo + 2]! / 127.5 : 0;
        const w3 = c > 3 ? ys.weights[wo + 3]! / 127.5 : 0;
        // Rows past the run read row 0 again with weight 0 (always in bounds).
        const r1 = c > 1 ? row + m : row;
        const r2 = c > 2 ? row + 2 * m : row;
        const r3 = c > 3 ? row + 3 * m : row;
        for (let j = 0; j < seg; j++) input[o + j] = w0 * rows[row + j]! + w1 * rows[r1 + j]! + w2 * rows[r2 + j]! + w3 * rows[r3 + j]! - 1;
        continue;
      }
      for (let j = 0; j < seg; j++) input[o + j] = -1;
      for (let t = 0; t < c; t++) {
        const wt = ys.weights[wo + t]! / 127.5;
        const r = row + t * m;
        for (let j = 0; j < seg; j++) input[o + j] += wt * rows[r + j]!;
      }
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
 * The BlazeFace network on some runtime: one letterboxed input (NHWC `[1, 256, 256, 3]`,
 * values in [−1, 1], as {@link blazeFaceInput} makes it) in, the four
 * {@link BLAZEFACE_OUTPUTS} out, in that order.
 */
export interface BlazeFaceNetwork {
  /** Layout of the input `run` takes: NHWC (the tfjs graph's, default) or NCHW `[1, 3, 256, 256]`. */
  readonly layout?: 'nhwc' | 'nchw';
  /** Runs the network once. */
  run(input: Float32Array): Promise<Float32Array[]>;
  /** Frees the runtime's resources. */
  dispose(): void;
}

/**
 * Decodes the network's outputs (see {@link BlazeFaceNetwork}) into faces in image pixels:
 * anchors plus regressed offsets, sigmoid scores above `minScore`, then weighted
 * non-maximum suppression, best first, at most `maxFaces`.
 */
export function decodeBlazeFace(outputs: Float32Array[], scale: number, opts: BlazeFaceOptions): DetectedFace[] {
  const anchors = ANCHORS;
  const count = anchors.length / 2;
  const [scores16, boxes16, scores32, boxes32] = outputs;
  if (!scores16 || !boxes16 || !scores32 || !boxes32 || scores16.length + scores32.length !== count || boxes16.length + boxes32.length !== count * REGRESSORS) {
    throw new Error(`BlazeFace: the network returned outputs of ${outputs.map((o) => o.length).join(', ')} values, expected ${BLAZEFACE_OUTPUTS.length} holding ${count} scores and ${count * REGRESSORS} regressors`);
  }
  const logits = new Float32Array(count);
  const regress = new Float32Array(count * REGRESSORS);
  logits.set(scores16, 0);
  regress.set(boxes16, 0);
  logits.set(scores32, scores16.length);
  regress.set(boxes32, boxes16.length);

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
}

/**
 * Creates a BlazeFace {@link FaceDetector} around a network on any runtime.
 *
 * ```ts
 * const detector = blazeFaceDetector(network, { maxFaces: 5 });
 * const faces = await detector.detect(image); // [{ box: [x, y, w, h], score, keypoints }]
 * ```
 */
export function blazeFaceDetector(network: BlazeFaceNetwork, options: Partial<BlazeFaceOptions> = {}): FaceDetector {
  const opts = { ...BLAZEFACE_DEFAULTS, ...options };
  if (!(opts.maxFaces >= 1)) throw new Error(`maxFaces must be at least 1, got ${opts.maxFaces}`);
  return {
    async detect(image) {
      const { input, scale } = blazeFaceInput(image, network.layout);
      return decodeBlazeFace(await network.run(input), scale, opts);
    },
    dispose() {
      network.dispose();
    },
  };
}
