/**
 * Peers in the same run (issue 16, item 4): MediaPipe FaceMesh, as `@vladmandic/human`
 * runs it, and prnet on the same images — the 31 AFLW2000-3D fixtures (ground truth in
 * their `.mat` files) and the 5 fixture photos (no ground truth) — with the time per
 * image and the 68-point landmark NME (2D, normalised by √(w·h) of the ground truth's
 * box, as `prnet eval`) side by side. Faces a method misses are counted apart; the NME
 * is over the faces that method found, and again over the faces both found.
 *
 * Each method runs in its own child process: human bundles its own copy of tfjs, and
 * tfjs keeps one engine per process (on `globalThis`), which prnet's BlazeFace also uses.
 *
 * Run: `npm run bench -- peers` (`PRNET_BENCH_RUNS=3` timed runs per image, median kept).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { decodeImage } from '../src/node/inference/decodeImage.js';
import { listAflw2000Samples } from '../src/node/files/listAflw2000Samples.js';
import { landmarkNme } from '../src/eval/landmarkNme.js';
import { matchFace } from '../src/eval/matchFace.js';
import type { RgbImage } from '../src/io/rgbImage.js';

const shared = fileURLToPath(new URL('../../shared/', import.meta.url));
const aflwDir = path.join(shared, 'fixtures/aflw2000-sample');
const photoDir = path.join(shared, 'fixtures/photos');
const RUNS = Number(process.env.PRNET_BENCH_RUNS ?? 3);

/**
 * MediaPipe's 468 face-mesh points → the 68 points of 300-W/dlib (the AFLW2000-3D order),
 * one or two mesh points per landmark (two are averaged). The correspondence published
 * by Peizhi Yan, https://github.com/PeizhiYan/Mediapipe_2_Dlib_Landmarks
 * (`mediapipe2dlib/mp2dlib.py`, `mp2dlib_correspondence`, 2024).
 */
const MEDIAPIPE_TO_68: ReadonlyArray<readonly number[]> = [
  // jaw 0–16
  [127], [234], [93], [132, 58], [58, 172], [136], [150], [176], [152], [400], [379], [365], [397, 288], [361], [323], [454], [356],
  // brows 17–26
  [70], [63], [105], [66], [107], [336], [296], [334], [293], [300],
  // nose 27–35
  [168, 6], [197, 195], [5], [4], [75], [97], [2], [326], [305],
  // eyes 36–47
  [33], [160], [158], [133], [153], [144], [362], [385], [387], [263], [373], [380],
  // mouth 48–67
  [61], [39], [37], [0], [267], [269], [291], [321], [314], [17], [84], [91], [78], [82], [13], [312], [308], [317], [14], [87],
];

/** One image's result from a method: the time of its best-of-`RUNS` median and every face's 68 points. */
interface ImageResult {
  name: string;
  set: 'aflw' | 'photo';
  ms: number;
  faces: number[][];
}
interface MethodResult {
  method: string;
  note: string;
  loadMs: number;
  images: ImageResult[];
}

async function fixtureImages(): Promise<Array<{ name: string; set: 'aflw' | 'photo'; image: RgbImage }>> {
  const out: Array<{ name: string; set: 'aflw' | 'photo'; image: RgbImage }> = [];
  for (const s of await listAflw2000Samples(aflwDir)) out.push({ name: s.name, set: 'aflw', image: (await s.load(true)).image! });
  for (const f of (await readdir(photoDir)).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort()) out.push({ name: f, set: 'photo', image: await decodeImage(path.join(photoDir, f)) });
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Runs `detect` on every image: one untimed warm-up on the first, then `RUNS` timed runs each. */
async function runAll(detect: (image: RgbImage) => Promise<number[][]>): Promise<ImageResult[]> {
  const images = await fixtureImages();
  await detect(images[0]!.image);
  const out: ImageResult[] = [];
  for (const { name, set, image } of images) {
    const ms: number[] = [];
    let faces: number[][] = [];
    for (let r = 0; r < RUNS; r++) {
      const t = performance.now();
      faces = await detect(image);
      ms.push(performance.now() - t);
    }
    out.push({ name, set, ms: median(ms), faces });
  }
  return out;
}

/**
 * MediaPipe FaceMesh (BlazeFace + the 468-point mesh model) through human's ESM bundle,
 * models read from `node_modules/@vladmandic/human/models` (offline).
 *
 * Human's Node builds need `@tensorflow/tfjs-node` or `tfjs-converter`, which are not
 * installed; its browser bundle carries tfjs whole. In Node that bundle finds no platform
 * (it mistakes Node for its Node build and lacks `util`), so it is loaded with Node's
 * version hidden and given a small platform (fetch from the models folder, TextEncoder).
 * Its own WebAssembly backend does not start that way (Emscripten wants a Worker or Node's
 * `path`), so the package's `@tensorflow/tfjs-backend-wasm` takes its place (one thread,
 * SIMD, as in a browser without cross-origin isolation); `PRNET_BENCH_HUMAN_BACKEND=cpu`
 * runs tfjs's pure-JavaScript CPU backend instead.
 */
async function runHuman(): Promise<MethodResult> {
  const require = createRequire(import.meta.url);
  const humanDir = path.join(path.dirname(require.resolve('@vladmandic/human')), '..');
  const base = 'http://human.models/';
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    const u = String(url instanceof Request ? url.url : url);
    if (!u.startsWith(base)) return realFetch(url, init);
    try {
      return new Response(await readFile(path.join(humanDir, 'models', u.slice(base.length))), { status: 200 });
    } catch {
      return new Response('not found', { status: 404 });
    }
  }) as typeof fetch;
  const t0 = performance.now();
  // tfjs keeps its engine and kernel registry on globalThis, so the WebAssembly backend of
  // the project's own @tensorflow/tfjs-backend-wasm (the version human bundles) registers
  // into the engine human's bundle then finds; loaded as a Node module, it reads its .wasm
  // from disk, which human's bundled copy cannot.
  const backend = process.env.PRNET_BENCH_HUMAN_BACKEND ?? 'wasm';
  const versions = Object.getOwnPropertyDescriptor(process, 'versions')!;
  Object.defineProperty(process, 'versions', { ...versions, value: { ...process.versions, node: undefined } });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let mod: any;
  try {
    mod = await import(path.join(humanDir, 'dist/human.esm.js'));
  } finally {
    Object.defineProperty(process, 'versions', versions);
  }
  const human = new mod.Human({
    backend, modelBasePath: base, debug: false,
    // Every run computed afresh: human otherwise returns its cached result for an unchanged
    // input and skips detection on "video" frames, which the repeated runs would time.
    cacheSensitivity: 0,
    face: {
      enabled: true,
      // MediaPipe's landmark pipeline rotates the crop upright from the detector's eye points.
      detector: { rotation: true, maxDetected: 5, return: false, skipFrames: 0, skipTime: 0 },
      mesh: { enabled: true }, iris: { enabled: false }, description: { enabled: false }, emotion: { enabled: false },
      antispoof: { enabled: false }, liveness: { enabled: false }, attention: { enabled: false },
    },
    body: { enabled: false }, hand: { enabled: false }, object: { enabled: false }, gesture: { enabled: false }, segmentation: { enabled: false }, filter: { enabled: false },
  });
  human.tf.setPlatform('prnet-bench', {
    fetch: (p: string, i?: RequestInit) => globalThis.fetch(p, i),
    now: () => performance.now(),
    encode: (t: string) => new TextEncoder().encode(t),
    decode: (b: Uint8Array, e: string) => new TextDecoder(e).decode(b),
    isTypedArray: (a: unknown) => ArrayBuffer.isView(a) && !(a instanceof DataView),
    setTimeoutCustom: (f: () => void, d: number) => setTimeout(f, d),
  });
  if (backend === 'wasm') {
    // After human's bundle has made the engine; the Node copy of tfjs-core reuses it. The
    // bundle's own 'wasm' backend cannot load its .wasm in Node (no __dirname in an ES
    // module), so it makes way for the package's; the kernels are the same version's.
    human.tf.removeBackend('wasm');
    const warn = console.warn;
    console.warn = () => {}; // one "already registered" line per kernel the bundle registered first
    const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm').finally(() => { console.warn = warn; });
    setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
    // Its threaded build starts Workers from blob URLs, which Node refuses: one thread, SIMD.
    human.tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  await human.load();
  const loadMs = performance.now() - t0;
  const images = await runAll(async (image) => {
    const tensor = human.tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
    try {
      const res = await human.detect(tensor);
      return (res.face as Array<{ mesh: number[][] }>).filter((f) => f.mesh?.length >= 468).map((f) => MEDIAPIPE_TO_68.flatMap((ids) => {
        const p = [0, 0, 0];
        for (const id of ids) for (let c = 0; c < 3; c++) p[c] += f.mesh[id]![c]! / ids.length;
        return p;
      }));
    } finally {
      tensor.dispose();
    }
  });
  return { method: 'MediaPipe FaceMesh (human)', note: `human ${human.version}, tfjs ${human.tf.version_core} on backend ${human.tf.getBackend()}, 1 thread`, loadMs, images };
}

/** prnet: BlazeFace, crop, network (onnxruntime-node, 2 threads), landmarks. */
async function runPrnet(): Promise<MethodResult> {
  const { PRNet, resolveModelSource } = await import('../src/node/inference/prnet.js');
  const t0 = performance.now();
  const source = await resolveModelSource();
  const prnet = await PRNet.load({ threads: 2 });
  await prnet.detector();
  const loadMs = performance.now() - t0;
  const images = await runAll(async (image) => {
    const { faces } = await prnet.reconstruct(image, { outputs: { pose: false, colors: false } });
    return faces.map((f) => Array.from(f.landmarks));
  });
  await prnet.dispose();
  const model = typeof source === 'string' ? path.relative(process.cwd(), source) : 'bytes';
  return { method: 'prnet', note: `model ${model}, BlazeFace and the network on onnxruntime-node (2 threads); landmarks only (no pose, colours)`, loadMs, images };
}

/**
 * 3DDFA_V2 (the small mb05 model in `../shared/3ddfa`, the teacher of the shipped model),
 * on onnxruntime-node with prnet's BlazeFace: each detection's crop is 3DDFA's landmark
 * crop (√2 × the landmark box, `parse_roi_box_from_landmark`) of the landmark box that
 * prnet's calibrated detector crop stands for (its side ÷ 1.6), since 3DDFA's own
 * box-to-crop constants are FaceBoxes'. With `recrop`, a second pass crops again from the
 * first pass's landmarks, as 3DDFA_V2's video demo does.
 */
async function runTddfa(recrop: boolean): Promise<MethodResult> {
  const { PRNet } = await import('../src/node/inference/prnet.js');
  const { loadTddfaTeacher } = await import('../src/node/inference/tddfaTeacher.js');
  const { loadBfmPieces } = await import('../src/node/train/labels/bfmPieces.js');
  const { tddfaOnCrops } = await import('../src/eval/tddfaPredictor.js');
  const { tddfaProject } = await import('../src/face/tddfa/tddfaProject.js');
  const { tddfaRoiFromLandmarks, TDDFA_LANDMARK_BOX_FACTOR } = await import('../src/face/tddfa/tddfaRoiBox.js');
  const { cropFromDetection } = await import('../src/face/cropFromDetection.js');
  const { BOX_CROP_FACTOR } = await import('../src/face/cropTransform.js');
  const dir = path.join(shared, '3ddfa');
  const t0 = performance.now();
  const prnet = await PRNet.load({ threads: 2 });
  const detector = await prnet.detector();
  const teacher = await loadTddfaTeacher(path.join(dir, 'mb05_120x120.onnx'), { threads: 2 });
  const bfm = await loadBfmPieces(dir);
  const model = { mean: bfm.landmarkMean, shapeBasis: bfm.landmarkShapeBasis, expressionBasis: bfm.landmarkExpressionBasis };
  const loadMs = performance.now() - t0;
  const pass = async (image: RgbImage, rois: Array<[number, number, number, number]>) =>
    (await tddfaOnCrops(teacher, bfm, rois.map((roi) => ({ image, roi })))).map(({ params, roi }) => tddfaProject(params, model, roi));
  const images = await runAll(async (image) => {
    const detections = await detector.detect(image);
    if (!detections.length) return [];
    let rois = detections.map((d): [number, number, number, number] => {
      const { center: [cx, cy], size } = cropFromDetection(d.box, d.keypoints, 180);
      const half = (size / BOX_CROP_FACTOR) * TDDFA_LANDMARK_BOX_FACTOR / 2;
      return [cx - half, cy - half, cx + half, cy + half];
    });
    let points = await pass(image, rois);
    if (recrop) {
      rois = points.map((p) => tddfaRoiFromLandmarks(p, 3));
      points = await pass(image, rois);
    }
    return points.map((p) => Array.from(p));
  });
  await prnet.dispose();
  return {
    method: recrop ? '3DDFA_V2 mb05, landmark re-crop' : '3DDFA_V2 mb05',
    note: `${path.relative(process.cwd(), dir)}/mb05_120x120.onnx on onnxruntime-node 2 threads, prnet's BlazeFace (ONNX Runtime); 68 sparse landmarks only${recrop ? ', two passes' : ''}`,
    loadMs, images,
  };
}

/** The predicted face that matches the ground truth (`matchFace`), if any. */
function matchedFace(faces: number[][], gt: ArrayLike<number>): number[] | undefined {
  return faces[matchFace(faces, gt, 3)];
}

async function child(method: string, outFile: string): Promise<void> {
  const result = method === 'human' ? await runHuman() : method === 'tddfa' ? await runTddfa(false) : method === 'tddfa-recrop' ? await runTddfa(true) : await runPrnet();
  await writeFile(outFile, JSON.stringify(result));
}

async function parent(): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'prnet-peers-'));
  const results: MethodResult[] = [];
  try {
    for (const method of ['human', 'tddfa', 'tddfa-recrop', 'prnet']) {
      const outFile = path.join(work, `${method}.json`);
      const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), method, outFile], { stdio: ['ignore', 'inherit', 'inherit'] });
      if (r.status !== 0) { console.log(`  ${method}: failed (exit ${r.status}), left out`); continue; }
      results.push(JSON.parse(await readFile(outFile, 'utf8')) as MethodResult);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const gts = new Map<string, Float64Array>();
  for (const s of await listAflw2000Samples(aflwDir)) gts.set(s.name, (await s.load(false)).groundTruth.landmarks);

  // Per method and AFLW image: the matched face's landmarks, or undefined when missed.
  const matched = results.map((r) => new Map(r.images.filter((i) => i.set === 'aflw').map((i) => [i.name, matchedFace(i.faces, gts.get(i.name)!)])));
  const both = [...gts.keys()].filter((n) => matched.every((m) => m.get(n)));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`peers, ${RUNS} timed runs per image (median), ${os.cpus().length} cores; NME 2D in % of √(w·h) of the ground-truth box`);
  console.log('| method | AFLW2000-3D fixtures: ms per image (median) | faces found / missed | NME 2D, found faces | NME 2D, the faces both found | photos: ms per image (median) | photos: faces found | load ms |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  results.forEach((r, k) => {
    const aflw = r.images.filter((i) => i.set === 'aflw');
    const photos = r.images.filter((i) => i.set === 'photo');
    const found = [...matched[k]!].filter(([, f]) => f);
    const nme = found.map(([n, f]) => 100 * landmarkNme(f!, gts.get(n)!, 2));
    const nmeBoth = both.map((n) => 100 * landmarkNme(matched[k]!.get(n)!, gts.get(n)!, 2));
    console.log(`| ${r.method} | ${median(aflw.map((i) => i.ms)).toFixed(1)} | ${found.length} / ${aflw.length - found.length} | ${nme.length ? mean(nme).toFixed(2) : '–'} | ${nmeBoth.length ? mean(nmeBoth).toFixed(2) : '–'} (${both.length}) | ${median(photos.map((i) => i.ms)).toFixed(1)} | ${photos.filter((i) => i.faces.length > 0).length} of ${photos.length} (${photos.reduce((n, i) => n + i.faces.length, 0)} faces) | ${r.loadMs.toFixed(0)} |`);
  });
  for (const r of results) console.log(`  ${r.method}: ${r.note}`);
  const missed = results.map((r, k) => `${r.method}: ${[...matched[k]!].filter(([, f]) => !f).map(([n]) => n).join(', ') || 'none'}`);
  console.log(`  missed AFLW faces — ${missed.join('; ')}`);
}

if (process.argv[2]) await child(process.argv[2], process.argv[3]!);
else await parent();
