/**
 * The demo page: load the model, UV assets and detector with a visible progress line, then
 * reconstruct faces from a chosen/dropped photo or the webcam (frame after frame, with fps,
 * smoothed over time by the One Euro filter of `prnet video` unless "smooth" is unticked),
 * draw overlays, show the mesh in three.js, and offer GLB / OBJ / JSON downloads.
 *
 * URL parameters: `?model=` ONNX URL (default `models/default.onnx`), `?data=` the UV assets:
 * the package's pack (default `assets/uv-assets.bin`, the same file Node reads) or a base URL
 * of the official files (`uv-data`, served locally from `../shared`, or `UV_ASSET_BASE_URL`),
 * `?threads=` WebAssembly threads.
 * Tests read `window.__prnetLastResult` and call `window.__prnetBench`.
 */
import { WebPRNet, type WebLoadStage } from '../src/web/webPrnet.js';
import type { StageTimings } from '../src/reconstruct/facePipeline.js';
import { decodeImage } from '../src/web/decodeImage.js';
import type { FaceResult } from '../src/reconstruct/faceResult.js';
import type { RgbImage } from '../src/io/rgbImage.js';
import { encodeGlb } from '../src/io/glb.js';
import { encodeObj } from '../src/io/obj.js';
import { faceJson } from '../src/io/faceJson.js';
import { encodePng } from '../src/io/png.js';
import { MODEL_METADATA } from '../src/model/modelMetadata.js';
import { oneEuroFilter } from '../src/video/oneEuroFilter.js';
import { smoothFaceResult } from '../src/video/smoothFaceResult.js';
import { createFaceViewer } from './viewer.js';
import { drawOverlays } from './overlay.js';

/** Everything measured for one frame, in milliseconds. */
interface FrameTimings extends StageTimings {
  render: number;
  total: number;
}

/** What the page reports of its last frame (read by the end-to-end test). */
interface LastResult {
  image: { width: number; height: number; name: string };
  faces: Array<{ box: number[]; score: number; landmarks: number[]; /** The network's landmarks before smoothing (webcam with "smooth" ticked). */ rawLandmarks?: number[]; pose?: { yaw: number; pitch: number; roll: number } }>;
  timings: FrameTimings;
}

declare global {
  interface Window {
    __prnetReady?: boolean;
    __prnetFrames?: number;
    __prnetError?: string;
    __prnetLastResult?: LastResult;
    __prnetAssetsSummary?: Record<string, number>;
    __prnetBench?: (frames: number, options?: { track?: boolean }) => Promise<FrameTimings[]>;
    __prnetRerun?: (box?: [number, number, number, number]) => Promise<LastResult>;
    __prnetInfo?: Record<string, unknown>;
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const statusLine = $<HTMLParagraphElement>('status');
const timingsLine = $<HTMLParagraphElement>('timings');
const infoLine = $<HTMLParagraphElement>('info');
const photoCanvas = $<HTMLCanvasElement>('photo');
const video = $<HTMLVideoElement>('video');
const fileInput = $<HTMLInputElement>('file');
const webcamButton = $<HTMLButtonElement>('webcam');
const textureBox = $<HTMLInputElement>('texture');
const trackBox = $<HTMLInputElement>('track');
const smoothBox = $<HTMLInputElement>('smooth');
const fpsLine = $<HTMLElement>('fps');
const flipBox = $<HTMLInputElement>('flip');
const dropZone = $<HTMLElement>('drop');
const facePicker = $<HTMLSelectElement>('face');
const downloads = { glb: $<HTMLButtonElement>('download-glb'), obj: $<HTMLButtonElement>('download-obj'), json: $<HTMLButtonElement>('download-json') };

const params = new URLSearchParams(location.search);
const modelUrl = params.get('model') ?? 'models/default.onnx';
// The UV assets shipped in the package (a compact pack, like Node), or `?data=` a folder of the official files.
const dataUrl = params.get('data') ?? 'assets/uv-assets.bin';
const isolated = globalThis.crossOriginIsolated === true;
// Threads need SharedArrayBuffer, which only a cross-origin isolated page gets.
const threads = isolated ? Number(params.get('threads') ?? navigator.hardwareConcurrency ?? 1) : 1;
// `?detector=onnx` runs BlazeFace on onnxruntime-web instead of tfjs-wasm (for comparison).
const detectorRuntime = params.get('detector') === 'onnx' ? 'onnx' : 'tfjs';

function status(text: string, error = false): void {
  statusLine.textContent = text;
  statusLine.classList.toggle('error', error);
}

const viewer = createFaceViewer($<HTMLDivElement>('viewer'));
let prn: WebPRNet | undefined;
/** The shown frame; `raw`: its faces before smoothing (the webcam tracks from those, as `prnet video`). */
let current: { image: RgbImage; source: CanvasImageSource; name: string; faces: FaceResult[]; raw: FaceResult[] } | undefined;
let busy = false;
/** Index of the face shown in the viewer and exported as GLB / OBJ (several faces: the picker). */
let selectedFace = 0;
const selected = (): FaceResult | undefined => current?.faces[selectedFace] ?? current?.faces[0];

/** Fills the face picker (shown only when the photo has several faces). */
function updateFacePicker(faces: FaceResult[]): void {
  if (selectedFace >= faces.length) selectedFace = 0;
  facePicker.replaceChildren(...faces.map((f, i) => new Option(`face ${i + 1} of ${faces.length} (score ${f.score.toFixed(2)})`, String(i), false, i === selectedFace)));
  facePicker.hidden = faces.length < 2;
}

/** Forgets the current photo: blank canvas, empty viewer, no downloads (after a failed decode). */
function clearPhoto(): void {
  current = undefined;
  selectedFace = 0;
  photoCanvas.getContext('2d')?.clearRect(0, 0, photoCanvas.width, photoCanvas.height);
  viewer.clear();
  updateFacePicker([]);
  for (const b of Object.values(downloads)) b.disabled = true;
  window.__prnetLastResult = undefined;
}
let webcamStream: MediaStream | undefined;

const loadFractions = new Map<WebLoadStage, number>();
function onLoadProgress(stage: WebLoadStage, fraction: number): void {
  loadFractions.set(stage, fraction);
  const parts = [...loadFractions].filter(([, f]) => f < 1).map(([s, f]) => (Number.isFinite(f) ? `${s} ${Math.round(f * 100)} %` : `${s}…`));
  status(parts.length ? `loading ${parts.join(', ')}…` : 'initialising…');
}

const ms = (t: number) => `${t.toFixed(1)} ms`;
function showTimings(t: FrameTimings, fps?: number): void {
  timingsLine.textContent = `last frame: decode ${ms(t.decode)} · detect ${ms(t.detect)} · crop ${ms(t.crop)} · network ${ms(t.network)} · post-processing ${ms(t.post)} · render ${ms(t.render)} · total ${ms(t.total)}` + (fps ? ` · ${fps.toFixed(1)} fps` : '');
}

/** One pipeline run at a time: the webcam loop, a new photo and the texture toggle may overlap. */
let chain: Promise<unknown> = Promise.resolve();
function serial<T>(run: () => Promise<T>): Promise<T> {
  const result = chain.then(run);
  chain = result.catch(() => undefined);
  return result;
}

/**
 * The webcam's temporal smoothing: `prnet video`'s One Euro filter on the position map
 * (ONE_EURO_FILTER_DEFAULTS, speeds in crop sizes per second), for the one face the webcam follows.
 */
const smoother = oneEuroFilter();

/** Webcam frames: the frame's time (seconds) for the smoothing filter. */
interface SmoothFrame {
  time: number;
}

/** Runs the pipeline on one decoded frame and shows the result. */
function processFrame(image: RgbImage, source: CanvasImageSource, name: string, decodeMs: number, recenter: boolean, track?: ArrayLike<number>, box?: [number, number, number, number], smooth?: SmoothFrame): Promise<FrameTimings> {
  return serial(() => runFrame(image, source, name, decodeMs, recenter, track, box, smooth));
}

async function runFrame(image: RgbImage, source: CanvasImageSource, name: string, decodeMs: number, recenter: boolean, track?: ArrayLike<number>, box?: [number, number, number, number], smooth?: SmoothFrame): Promise<FrameTimings> {
  const start = performance.now() - decodeMs;
  const outputs = { pose: true, colors: true, texture: textureBox.checked };
  // Smoothing: the network's position map first (no optional outputs), the outputs from the smoothed map.
  const result = await prn!.reconstruct(image, { box, landmarks: track, maxFaces: webcamStream ? 1 : 4, outputs: smooth ? { pose: false, colors: false, texture: false } : outputs, flipAverage: flipBox.checked });
  const { timings } = result;
  let faces = result.faces;
  const raw = faces;
  if (smooth) {
    const ts = performance.now();
    faces = faces.slice(0, 1).map((f) => smoothFaceResult(image, prn!.assets, f, smoother, smooth.time, { outputs }));
    if (faces.length === 0) smoother.reset(); // lost: the next face starts afresh
    timings.post += performance.now() - ts;
  }
  const t0 = performance.now();
  drawOverlays(photoCanvas, source, image.width, image.height, faces);
  if (recenter) selectedFace = 0; // a new photo starts with its best face
  const shown = faces[selectedFace] ?? faces[0];
  if (shown) viewer.show(shown, prn!.assets, recenter);
  else viewer.clear();
  if (!webcamStream) updateFacePicker(faces);
  const render = performance.now() - t0;
  const frame: FrameTimings = { ...timings, decode: decodeMs, render, total: performance.now() - start };
  current = { image, source, name, faces, raw };
  window.__prnetFrames = (window.__prnetFrames ?? 0) + 1;
  for (const b of Object.values(downloads)) b.disabled = faces.length === 0;
  window.__prnetLastResult = {
    image: { width: image.width, height: image.height, name },
    faces: faces.map((f, i) => ({ box: [...f.box], score: f.score, landmarks: Array.from(f.landmarks), rawLandmarks: smooth && raw[i] ? Array.from(raw[i].landmarks) : undefined, pose: f.pose && { yaw: f.pose.yaw, pitch: f.pose.pitch, roll: f.pose.roll } })),
    timings: frame,
  };
  return frame;
}

async function processFile(file: File): Promise<void> {
  if (!prn || busy) return;
  stopWebcam();
  busy = true;
  try {
    status(`processing ${file.name}…`);
    const t0 = performance.now();
    const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' }).catch((err: Error) => {
      throw new Error(`${file.name}: cannot decode this image (${file.type || 'unknown type'}): ${err.message}`);
    });
    const image = await decodeImage(bitmap, { name: file.name });
    const frame = await processFrame(image, bitmap, file.name, performance.now() - t0, true);
    showTimings(frame);
    const n = current?.faces.length ?? 0;
    status(n ? `${file.name}: ${n} face${n > 1 ? 's' : ''} (${image.width}×${image.height})` : `${file.name}: no face found`);
  } catch (err) {
    // The previous photo must not stay on screen as if it were this one.
    clearPhoto();
    status((err as Error).message, true);
    console.error(err);
  } finally {
    busy = false;
  }
}

/** Frames between two detections in tracking mode. */
const REDETECT_EVERY = 15;

/** x, y pairs of 68×3 landmarks. */
function landmarksXy(landmarks: Float32Array): Float32Array {
  const out = new Float32Array((landmarks.length / 3) * 2);
  for (let i = 0; i < out.length / 2; i++) {
    out[2 * i] = landmarks[3 * i];
    out[2 * i + 1] = landmarks[3 * i + 1];
  }
  return out;
}

/** Webcam: one frame after the other (never overlapping), fps from the frame times. */
async function startWebcam(): Promise<void> {
  if (!prn) return;
  try {
    webcamStream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480, facingMode: 'user' }, audio: false });
  } catch (err) {
    status(`webcam: ${(err as Error).message}`, true);
    return;
  }
  video.srcObject = webcamStream;
  await video.play();
  webcamButton.textContent = 'Stop webcam';
  let fps = 0;
  let last = performance.now();
  let frameNumber = 0;
  let track: Float32Array | undefined;
  let detectedSize = 0;
  smoother.reset();
  fpsLine.textContent = '— fps';
  const loop = async () => {
    if (!webcamStream) return;
    const t0 = performance.now();
    try {
      const image = await decodeImage(video, { name: 'webcam frame' });
      // Between detections, crop around the previous frame's landmarks (as video trackers
      // do); the detector runs again every REDETECT_EVERY frames or when the face is lost.
      const useTrack = trackBox.checked && track && frameNumber % REDETECT_EVERY !== 0 ? track : undefined;
      const smooth = smoothBox.checked ? { time: t0 / 1000 } : undefined;
      const frame = await processFrame(image, video, 'webcam', performance.now() - t0, frameNumber === 0, useTrack, undefined, smooth);
      frameNumber++;
      // Track from the network's own landmarks, not the smoothed ones (as prnet video's tracker).
      const face = current?.raw[0];
      if (!useTrack) detectedSize = face ? Math.max(face.box[2], face.box[3]) : 0;
      track = face ? landmarksXy(face.landmarks) : undefined;
      // Lost, or the tracked face grew or shrank implausibly: detect again on the next frame.
      const size = face ? Math.max(face.box[2], face.box[3]) : 0;
      if (!face || size < 0.5 * detectedSize || size > 2 * detectedSize) frameNumber = 0;
      // Wall-clock rate of the loop (frame work plus waiting for the next animation frame).
      const now = performance.now();
      fps = fps ? 0.9 * fps + 0.1 * (1000 / (now - last)) : 1000 / (now - last);
      last = now;
      showTimings(frame, fps);
      fpsLine.textContent = `${fps.toFixed(1)} fps`;
      status(`webcam: ${current?.faces.length ? 'face found' : 'no face'} · ${fps.toFixed(1)} fps`);
    } catch (err) {
      status(`webcam: ${(err as Error).message}`, true);
    }
    requestAnimationFrame(() => void loop());
  };
  void loop();
}

function stopWebcam(): void {
  if (!webcamStream) return;
  for (const track of webcamStream.getTracks()) track.stop();
  webcamStream = undefined;
  video.srcObject = null;
  webcamButton.textContent = 'Start webcam';
  fpsLine.textContent = '';
}

function save(bytes: Uint8Array | string, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const baseName = () => (current?.name ?? 'face').replace(/\.[^.]+$/, '') || 'face';
/** `_<i>` after the name when the photo has several faces (as `prnet reconstruct` names them). */
const faceSuffix = () => ((current?.faces.length ?? 0) > 1 ? `_${selectedFace}` : '');

downloads.glb.addEventListener('click', async () => {
  const face = selected();
  if (!face || !prn) return;
  const texture = face.texture ? { png: await encodePng(face.texture), faceIndices: prn.assets.faceIndices, uvSize: prn.assets.uvSize } : undefined;
  save(await encodeGlb({ vertices: face.vertices, triangles: prn.assets.triangles, colors: face.colors, texture }, { imageHeight: current!.image.height }), `${baseName()}${faceSuffix()}.glb`, 'model/gltf-binary');
});
downloads.obj.addEventListener('click', () => {
  const face = selected();
  if (!face || !prn) return;
  save(encodeObj({ vertices: face.vertices, triangles: prn.assets.triangles, colors: face.colors }, { imageHeight: current!.image.height }).obj, `${baseName()}${faceSuffix()}.obj`, 'text/plain');
});
downloads.json.addEventListener('click', () => {
  if (!current || !prn) return;
  const faces = current.faces.map((f) => ({
    landmarks: f.landmarks,
    pose: f.pose && { yaw: f.pose.yaw, pitch: f.pose.pitch, roll: f.pose.roll, cameraMatrix: f.pose.cameraMatrix },
    box: f.box, // [x, y, w, h], as everywhere
    score: f.score,
    vertices: f.vertices,
  }));
  const model = { variant: prn.model.metadata[MODEL_METADATA.variant], weights: prn.model.metadata[MODEL_METADATA.weightsType] };
  save(faceJson({ image: { width: current.image.width, height: current.image.height, file: current.name }, model, faces }), `${baseName()}.json`, 'application/json');
});

fileInput.addEventListener('change', () => {
  const file = fileInput.files?.[0];
  if (file) void processFile(file);
  fileInput.value = '';
});
for (const type of ['dragenter', 'dragover'] as const) {
  dropZone.addEventListener(type, (e) => {
    e.preventDefault();
    dropZone.classList.add('dragover');
  });
}
dropZone.addEventListener('dragleave', () => dropZone.classList.remove('dragover'));
dropZone.addEventListener('drop', (e) => {
  e.preventDefault();
  dropZone.classList.remove('dragover');
  const file = e.dataTransfer?.files[0];
  if (file) void processFile(file);
});
webcamButton.addEventListener('click', () => (webcamStream ? stopWebcam() : void startWebcam()));
facePicker.addEventListener('change', () => {
  selectedFace = Number(facePicker.value);
  const face = selected();
  if (face && prn) viewer.show(face, prn.assets, true);
});
// Ticked again: start afresh rather than from the frame before it was unticked.
smoothBox.addEventListener('change', () => smoother.reset());
// A new option re-runs the current photo (the webcam loop picks it up by itself).
for (const box of [textureBox, flipBox]) {
  box.addEventListener('change', () => {
    if (current && !webcamStream && !busy) void processFrame(current.image, current.source, current.name, 0, false).then(showTimings);
  });
}

/**
 * Re-runs the whole pipeline on the current photo `frames` times, as the webcam loop would
 * (decode from its bitmap; with `track`, crop around the last landmarks instead of detecting).
 */
window.__prnetBench = async (frames: number, options: { track?: boolean } = {}) => {
  if (!current || !prn) throw new Error('no photo processed yet');
  const out: FrameTimings[] = [];
  // Track from the first frame's landmarks every time: a still photo has no motion, and an
  // untrained model's landmarks would otherwise drift frame after frame.
  const first = current.faces[0];
  const track = options.track && first ? landmarksXy(first.landmarks) : undefined;
  for (let i = 0; i < frames; i++) {
    const t0 = performance.now();
    const image = await decodeImage(current.source as ImageBitmap);
    out.push(await processFrame(image, current.source, current.name, performance.now() - t0, false, track));
    // Let the page paint, as a webcam loop would.
    await new Promise(requestAnimationFrame);
  }
  return out;
};

/** Re-runs the current photo, optionally on a given face box `[x, y, w, h]` (no detection). */
window.__prnetRerun = async (box?: [number, number, number, number]) => {
  if (!current || !prn) throw new Error('no photo processed yet');
  await processFrame(current.image, current.source, current.name, 0, false, undefined, box);
  return window.__prnetLastResult!;
};

async function main(): Promise<void> {
  status('loading…');
  prn = await WebPRNet.load({
    modelUrl,
    dataUrl,
    detectorUrl: 'detector',
    detectorRuntime,
    tfjsWasmUrl: new URL('tfjs/', location.href).href,
    ortWasmUrl: new URL('ort/', location.href).href,
    threads,
    onProgress: onLoadProgress,
  });
  const a = prn.assets;
  const sum = (arr: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < arr.length; i++) s += arr[i];
    return s;
  };
  window.__prnetAssetsSummary = {
    faceIndices: sum(a.faceIndices), keypointIndices: sum(a.keypointIndices), canonicalVertices: sum(a.canonicalVertices),
    triangles: a.triangles.length, faceMask: sum(a.faceMask), eyesMask: sum(a.eyesMask), weightMask: sum(a.weightMask),
  };
  const variant = prn.model.metadata[MODEL_METADATA.variant] ?? `${prn.model.inputSize}×${prn.model.inputSize} input`;
  window.__prnetInfo = { threads, isolated, detectorBackend: prn.detector.backend, inputSize: prn.model.inputSize, variant };
  // As the CLI: what the model is, not its scores (those live in the model card, models/README.md).
  const weights = prn.model.metadata[MODEL_METADATA.weightsType];
  infoLine.textContent = `model ${modelUrl} (${variant}${weights ? `, ${weights} weights` : ''}) · onnxruntime-web wasm, ${threads} thread${threads > 1 ? 's' : ''}${isolated ? '' : ' (page not cross-origin isolated)'} · detector BlazeFace on ${prn.detector.backend}`;
  webcamButton.disabled = !navigator.mediaDevices?.getUserMedia;
  status('ready: choose or drop a photo, or start the webcam');
  window.__prnetReady = true;
}

main().catch((err: Error) => {
  window.__prnetError = err.message;
  status(`failed to load: ${err.message}`, true);
  console.error(err);
});
