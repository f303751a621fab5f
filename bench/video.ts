/**
 * `prnet video` measured against known motion (issue 18). A fixture photo is moved by known
 * similarity transforms into a 640×480, 30 fps clip (still, slow pan, fast pan, zoom,
 * rotation, still), with fresh sensor-like noise on every frame, and encoded with ffmpeg.
 * The true landmarks of frame t are the still segment's mean landmarks moved by the known
 * transform. The clip then goes through the whole path (ffmpeg decode → track → network →
 * smoothing → JSON) with and without smoothing, and we report:
 * - jitter: mean frame-to-frame landmark motion on the still segment, % of face size;
 * - error and lag against the known motion per segment (lag: how many frames the landmark
 *   centroid trails the true centroid, along the motion);
 * - tracking losses; end-to-end frames per second (JSON only, and with the overlay video);
 * - a sweep of the One Euro parameters on the same raw landmarks (smoothing is pure
 *   post-processing: the crops come from the raw landmarks, so the network sees the same
 *   frames with or without it).
 * Run: `npm run bench -- video` (needs ffmpeg). `PRNET_BENCH_PHOTO` picks another photo.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RgbImage } from '../src/io/rgbImage.js';
import { decodeImage } from '../src/node/inference/decodeImage.js';
import { loadWorkerModel } from '../src/node/inference/networkWorker.js';
import { loadUvAssets } from '../src/node/inference/uvAssets.js';
import { loadDetector } from '../src/node/inference/detector.js';
import { videoEncoder } from '../src/node/video/videoEncoder.js';
import { trackVideo } from '../src/node/video/trackVideo.js';
import { resolveModelSource } from '../src/node/inference/prnet.js';
import { oneEuroFilter, ONE_EURO_FILTER_DEFAULTS, type OneEuroFilterOptions } from '../src/video/oneEuroFilter.js';
import type { FaceTrackerStats } from '../src/video/faceTracker.js';
import { cropFromLandmarks } from '../src/face/cropFromLandmarks.js';
import { pointsBounds } from '../src/geometry/pointsBounds.js';

const FPS = 30;
const WIDTH = 640, HEIGHT = 480;
const photoPath = process.env.PRNET_BENCH_PHOTO ?? fileURLToPath(new URL('../../shared/fixtures/photos/photo4.jpg', import.meta.url));

/** The motion script: segments of frames, each changing the transform linearly per frame. */
interface Segment { name: string; frames: number; dx?: number; dy?: number; zoom?: number; rotate?: number }
const SCRIPT: Segment[] = [
  { name: 'still', frames: 60 },
  { name: 'slow pan', frames: 60, dx: 1 }, // 30 px/s
  { name: 'fast pan', frames: 30, dx: -4, dy: 1 }, // 124 px/s
  { name: 'zoom', frames: 45, zoom: 1.25 }, // × 1.25 over 1.5 s
  { name: 'rotation', frames: 45, rotate: 20 }, // 20° over 1.5 s
  { name: 'still (end)', frames: 30 },
];

/** Similarity transform photo → frame: p' = s R(θ) (p − c) + (tx, ty). */
interface Pose2 { s: number; theta: number; tx: number; ty: number }

function schedule(base: Pose2): { poses: Pose2[]; segmentOf: string[] } {
  const poses: Pose2[] = [], segmentOf: string[] = [];
  let p = { ...base };
  for (const seg of SCRIPT) {
    for (let k = 0; k < seg.frames; k++) {
      if (poses.length > 0) {
        p = {
          s: p.s * (seg.zoom ? seg.zoom ** (1 / seg.frames) : 1),
          theta: p.theta + (seg.rotate ? (seg.rotate * Math.PI) / 180 / seg.frames : 0),
          tx: p.tx + (seg.dx ?? 0),
          ty: p.ty + (seg.dy ?? 0),
        };
      }
      poses.push(p);
      segmentOf.push(seg.name);
    }
  }
  return { poses, segmentOf };
}

/** Seeded normal deviates. */
function normal(seed: number): () => number {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Renders the photo under `pose` (bilinear), grey outside, plus Gaussian noise of `sigma` levels. */
function render(photo: RgbImage, centre: [number, number], pose: Pose2, noise: () => number, sigma: number): RgbImage {
  const out = new Uint8Array(WIDTH * HEIGHT * 3);
  const c = Math.cos(pose.theta) / pose.s, s = Math.sin(pose.theta) / pose.s;
  const { width: w, height: h, data } = photo;
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      // Inverse: p = R(−θ)(p' − t) / s + centre.
      const u = x - pose.tx, v = y - pose.ty;
      const px = c * u + s * v + centre[0], py = -s * u + c * v + centre[1];
      const o = (y * WIDTH + x) * 3;
      const x0 = Math.floor(px), y0 = Math.floor(py);
      for (let ch = 0; ch < 3; ch++) {
        let value = 96;
        if (x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h) {
          const fx = px - x0, fy = py - y0;
          const i = (y0 * w + x0) * 3 + ch;
          value = (1 - fy) * ((1 - fx) * data[i] + fx * data[i + 3]) + fy * ((1 - fx) * data[i + w * 3] + fx * data[i + w * 3 + 3]);
        }
        out[o + ch] = Math.max(0, Math.min(255, Math.round(value + sigma * noise())));
      }
    }
  }
  return { width: WIDTH, height: HEIGHT, data: out };
}

/** Applies pose_t ∘ pose_0⁻¹ to 68 x, y points. */
function movePoints(points: Float64Array, from: Pose2, to: Pose2): Float64Array {
  const out = new Float64Array(points.length);
  const k = to.s / from.s, dt = to.theta - from.theta;
  const c = k * Math.cos(dt), s = k * Math.sin(dt);
  for (let i = 0; i < points.length; i += 2) {
    const u = points[i] - from.tx, v = points[i + 1] - from.ty;
    out[i] = c * u - s * v + to.tx;
    out[i + 1] = s * u + c * v + to.ty;
  }
  return out;
}

type Series = (Float64Array | null)[]; // per frame: 68 x, y pairs of face 0, or null

function xy(landmarks: Float32Array): Float64Array {
  return Float64Array.from({ length: 136 }, (_, k) => landmarks[(k >> 1) * 3 + (k & 1)]);
}

const meanDistance = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i += 2) s += Math.hypot(a[i] - b[i], a[i + 1] - b[i + 1]);
  return s / (a.length / 2);
};
const centroid = (a: Float64Array): [number, number] => {
  let x = 0, y = 0;
  for (let i = 0; i < a.length; i += 2) { x += a[i]; y += a[i + 1]; }
  return [x / (a.length / 2), y / (a.length / 2)];
};

interface Metrics { jitter: number; perSegment: Map<string, { error: number; lag: number }>; missing: number }

function measure(series: Series, truth: Float64Array[], segmentOf: string[], faceSize: number): Metrics {
  const pct = (v: number) => (100 * v) / faceSize;
  // Jitter on the still segment, after the first 10 frames (the tracker settles from the detector's crop).
  let j = 0, jn = 0;
  for (let t = 11; t < 60; t++) {
    const a = series[t], b = series[t - 1];
    if (a && b) { j += meanDistance(a, b); jn++; }
  }
  const perSegment = new Map<string, { error: number; lag: number }>();
  for (const seg of SCRIPT) {
    let e = 0, n = 0, lagNum = 0, lagDen = 0;
    for (let t = 1; t < series.length; t++) {
      if (segmentOf[t] !== seg.name) continue;
      const l = series[t];
      if (!l) continue;
      e += meanDistance(l, truth[t]);
      n++;
      // Lag along the motion of each landmark: (truth − estimate) · v / |v|², v the true per-frame motion.
      for (let i = 0; i < l.length; i += 2) {
        const vx = truth[t][i] - truth[t - 1][i], vy = truth[t][i + 1] - truth[t - 1][i + 1];
        lagNum += (truth[t][i] - l[i]) * vx + (truth[t][i + 1] - l[i + 1]) * vy;
        lagDen += vx * vx + vy * vy;
      }
    }
    perSegment.set(seg.name, { error: pct(e / Math.max(1, n)), lag: lagDen > 1e-9 ? lagNum / lagDen : NaN });
  }
  return { jitter: pct(j / Math.max(1, jn)), perSegment, missing: series.filter((s) => !s).length };
}

/** The One Euro filter run offline on a landmark series (x, y, and z = 0 as the tracker's 68 × 3 would carry). */
function filterSeries(series: Series, options: OneEuroFilterOptions): Series {
  const f = oneEuroFilter(options);
  return series.map((l, t) => {
    if (!l) { f.reset(); return null; }
    const v = new Float32Array(204);
    for (let i = 0; i < 68; i++) { v[3 * i] = l[2 * i]; v[3 * i + 1] = l[2 * i + 1]; }
    // Speeds in crop sizes, as the tracker: the crop of the previous frame's landmarks.
    const out = f.filter(v, t / FPS, cropFromLandmarks(series[t - 1] ?? l).size);
    return Float64Array.from({ length: 136 }, (_, k) => out[(k >> 1) * 3 + (k & 1)]);
  });
}

const photo = await decodeImage(photoPath);
const centre: [number, number] = [photo.width / 2, photo.height / 2];
const base: Pose2 = { s: 300 / Math.max(photo.width, photo.height), theta: 0, tx: WIDTH / 2 - 40, ty: HEIGHT / 2 };
const { poses, segmentOf } = schedule(base);
const dir = await mkdtemp(path.join(os.tmpdir(), 'prnet-bench-video-'));
const clip = path.join(dir, 'clip.mp4');
const NOISE_SIGMA = 4; // grey levels, about a webcam's in daylight
const rand = normal(1);
const t0 = performance.now();
const encoder = videoEncoder(clip, { width: WIDTH, height: HEIGHT, frameRate: String(FPS), crf: 18 });
for (const pose of poses) await encoder.write(render(photo, centre, pose, rand, NOISE_SIGMA));
await encoder.close();
console.log(`clip: ${path.basename(photoPath)} moved by known similarity transforms, ${poses.length} frames ${WIDTH}×${HEIGHT} at ${FPS} fps, noise σ ${NOISE_SIGMA} levels, H.264 crf 18 (rendered in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
console.log(`segments: ${SCRIPT.map((s) => `${s.name} ${s.frames}`).join(', ')} frames (slow pan 30 px/s, fast pan 124 px/s, zoom ×1.25 and rotation 20° over 1.5 s each)`);

const modelSource = await resolveModelSource(process.env.PRNET_MODEL);
// As `prnet video` runs it: in a worker thread, so each frame's faces are built while the next frame's network runs.
const threads = Number(process.env.PRNET_BENCH_THREADS ?? 0);
const model = await loadWorkerModel(modelSource, { threads });
const assets = await loadUvAssets({ download: false });
const detector = await loadDetector();
// Time spent in the network and the detector, to tell them from the rest of each frame.
const spent = { network: 0, detector: 0 };
const timedModel = { ...model, predict: async (input: Float32Array, batch: number) => {
  const t = performance.now();
  try { return await model.predict(input, batch); } finally { spent.network += performance.now() - t; }
} };
const timedDetector = { detect: async (image: RgbImage) => {
  const t = performance.now();
  try { return await detector.detect(image); } finally { spent.detector += performance.now() - t; }
}, dispose: () => detector.dispose() };
const parts = { model: timedModel, assets, detector: timedDetector };
console.log(`model: ${typeof modelSource === 'string' ? path.relative(process.cwd(), modelSource) : 'bytes'} (${model.metadata['prnet.variant'] ?? '?'}, input ${model.inputSize}), ONNX Runtime threads: ${threads || 'one per core'} (PRNET_BENCH_THREADS), in a worker thread`);

async function run(smooth: boolean, overlay: boolean): Promise<{ series: Series; fps: number; stats: FaceTrackerStats; split: string }> {
  const series: Series = [];
  spent.network = 0;
  spent.detector = 0;
  const summary = await trackVideo(clip, path.join(dir, `out-${smooth}-${overlay}`), parts, {
    overlay,
    tracker: { smooth, maxFaces: 1 },
    onFrame: (_, frame) => { series.push(frame.faces[0] ? xy(frame.faces[0].landmarks) : null); },
  });
  const per = (ms: number) => (ms / summary.frames).toFixed(1);
  // The network's calls overlap the building of the previous frame's faces, so the parts do not add up.
  const split = `${per(summary.seconds * 1000)} ms/frame: network calls ${per(spent.network)} (wall time, overlapping the previous frame's smoothing, pose and JSON${overlay ? ', drawing' : ''}), detector ${per(spent.detector)}`;
  return { series, fps: summary.frames / summary.seconds, stats: summary.stats, split };
}

// Warm-up (model and detector first calls), then the measured runs.
await trackVideo(clip, path.join(dir, 'warm'), parts, { overlay: false, json: false, tracker: { maxFaces: 1 } });
const raw = await run(false, false);
const smooth = await run(true, false);
const withOverlay = await run(true, true);

// Ground truth: the still segment's mean raw landmarks (frames 10–59), moved by the known transforms.
const ref = new Float64Array(136);
let refN = 0;
for (let t = 10; t < 60; t++) if (raw.series[t]) { raw.series[t]!.forEach((v, i) => (ref[i] += v)); refN++; }
ref.forEach((v, i) => (ref[i] = v / refN));
const truth = poses.map((p) => movePoints(ref, poses[0], p));
const [x0, y0, x1, y1] = pointsBounds(ref);
const faceSize0 = Math.sqrt((x1 - x0) * (y1 - y0));
console.log(`face size (√ of the 68-landmark box area on the still segment): ${faceSize0.toFixed(1)} px; errors and jitter in % of the face size at each frame's scale`);

function report(label: string, r: { series: Series; fps?: number; stats?: FaceTrackerStats }): Metrics {
  const m = measure(r.series, truth, segmentOf, faceSize0);
  const segs = SCRIPT.slice(1, 5).map((s) => {
    const v = m.perSegment.get(s.name)!;
    return `${v.error.toFixed(2)} % / ${v.lag.toFixed(2)} f`;
  });
  const still = m.perSegment.get('still')!;
  const tracking = r.stats ? `${r.stats.lost} lost, ${r.stats.started} started, detector on ${r.stats.detections} frames, ${m.missing} frames without a face` : '';
  console.log(`| ${label} | ${m.jitter.toFixed(3)} % | ${still.error.toFixed(2)} % | ${segs.join(' | ')} | ${tracking} | ${r.fps ? r.fps.toFixed(1) : ''} |`);
  return m;
}

console.log('\n| run | jitter (still) | error (still) | slow pan: error / lag | fast pan | zoom | rotation | tracking | fps |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
const mRaw = report('raw (`--no-smooth`)', raw);
const mSmooth = report(`smoothed (defaults: minCutoff ${ONE_EURO_FILTER_DEFAULTS.minCutoff}, beta ${ONE_EURO_FILTER_DEFAULTS.beta}, speed ${ONE_EURO_FILTER_DEFAULTS.speed})`, smooth);
report('smoothed, with overlay.mp4', withOverlay);
report('the defaults offline on the raw landmarks (check: ≈ the smoothed run)', { series: filterSeries(raw.series, {}) });
console.log(`\njitter cut by smoothing: ${(mRaw.jitter / mSmooth.jitter).toFixed(1)}× (goal ≥ 5×); added lag on the slow pan: ${(mSmooth.perSegment.get('slow pan')!.lag - mRaw.perSegment.get('slow pan')!.lag).toFixed(2)} frames, fast pan: ${(mSmooth.perSegment.get('fast pan')!.lag - mRaw.perSegment.get('fast pan')!.lag).toFixed(2)} frames (goal < 1)`);
console.log(`end to end (decode, track, network, smoothing, JSON): ${smooth.fps.toFixed(1)} fps; with the overlay video encoded too: ${withOverlay.fps.toFixed(1)} fps (goal ≥ 60 fps JSON only on 2 cores)`);
console.log(`  raw: ${raw.split}\n  smoothed: ${smooth.split}\n  smoothed + overlay: ${withOverlay.split}`);
console.log(`  machine load while measuring (1-minute average): ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);

// The sweep: the same raw landmarks through other filter settings.
console.log('\nsweep (offline, on the raw landmarks; added lag = smoothed lag − raw lag, frames):');
console.log('| speed | minCutoff Hz | beta | jitter cut | added lag slow pan | fast pan | zoom | rotation | error fast pan |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
const rawLag = (name: string) => mRaw.perSegment.get(name)!.lag;
for (const speed of ['mean', 'each'] as const) {
  for (const minCutoff of [0.5, 1, 1.5, 2, 3]) {
    for (const beta of [0, 5, 10, 20, 40, 80]) {
      const m = measure(filterSeries(raw.series, { minCutoff, beta, speed }), truth, segmentOf, faceSize0);
      const added = ['slow pan', 'fast pan', 'zoom', 'rotation'].map((n) => (m.perSegment.get(n)!.lag - rawLag(n)).toFixed(2));
      console.log(`| ${speed} | ${minCutoff} | ${beta} | ${(mRaw.jitter / m.jitter).toFixed(1)}× | ${added.join(' | ')} | ${m.perSegment.get('fast pan')!.error.toFixed(2)} % |`);
    }
  }
}

detector.dispose();
await model.dispose();
if (process.env.PRNET_BENCH_KEEP) console.log(`files kept in ${dir}`);
else await rm(dir, { recursive: true, force: true });
