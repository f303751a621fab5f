/**
 * The demo page: load the model, UV assets and detector with a visible progress line, then
 * reconstruct faces from a chosen/dropped photo or the webcam (frame after frame, with fps,
 * smoothed over time by the One Euro filter of `prnet video` unless "smooth" is unticked),
 * draw overlays, show the mesh in three.js, and offer GLB / OBJ / JSON / NPY / STL / PTS / aligned face / UV texture downloads;
 * an edited UV texture can be applied back onto the photo (texture editing); the webcam's
 * followed face can be recorded as one animated GLB (`encodeAnimatedGlb`, as `prnet video --meshes glb`).
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
import { decodePnm, isPnm } from '../src/io/pnm.js';
import type { FaceResult } from '../src/reconstruct/faceResult.js';
import type { RgbImage } from '../src/io/rgbImage.js';
import { encodeGlb } from '../src/io/glb.js';
import { encodeObj } from '../src/io/obj.js';
import { encodeNpy } from '../src/io/encodeNpy.js';
import { encodeStl } from '../src/io/stl.js';
import { encodePts } from '../src/io/pts.js';
import { alignFace } from '../src/face/alignFace.js';
import { faceRelief } from '../src/print/faceRelief.js';
import { frontalize } from '../src/reconstruct/frontalize.js';
import { encodeAnimatedGlb, type AnimatedGlbFrame } from '../src/io/encodeAnimatedGlb.js';
import { faceJson } from '../src/io/faceJson.js';
import { encodePng } from '../src/io/png.js';
import { applyFaceTexture } from '../src/apps/applyFaceTexture.js';
import { faceResult } from '../src/reconstruct/faceResult.js';
import { decodeImagePixels } from '../src/web/decodeImagePixels.js';
import { rgbFromRgba } from '../src/web/rgbFromRgba.js';
import { MODEL_METADATA } from '../src/model/modelMetadata.js';
import { faceTracker } from '../src/video/faceTracker.js';
import { MAP_SMOOTHING } from '../src/reconstruct/facePipeline.js';
import { createFaceViewer } from './viewer.js';
import { drawOverlays } from './overlay.js';

/** Everything measured for one frame, in milliseconds. */
interface FrameTimings extends StageTimings {
  /** Overlays and 3D view updated (the page's own work). */
  render: number;
  /** Webcam loop: waiting for the browser to paint (its 2D and WebGL drawing) before the next frame. */
  paint?: number;
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
    /** The last applied texture: photo pixels changed and the time it took (read by the end-to-end test). */
    __prnetEdited?: { changed: number; ms: number };
    /** Webcam frames painted with the applied texture, and the pixels painted in the last one (read by the end-to-end test). */
    __prnetPainted?: { frames: number; changed: number };
    /** The last saved recording: frames, seconds, bytes (read by the end-to-end test). */
    __prnetRecording?: { frames: number; seconds: number; bytes: number; file: string };
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
const recordButton = $<HTMLButtonElement>('record');
const textureBox = $<HTMLInputElement>('texture');
const trackBox = $<HTMLInputElement>('track');
const smoothBox = $<HTMLInputElement>('smooth');
const view3dBox = $<HTMLInputElement>('view3d');
const glassesBox = $<HTMLInputElement>('glasses');
const fpsLine = $<HTMLElement>('fps');
const flipBox = $<HTMLInputElement>('flip');
const dropZone = $<HTMLElement>('drop');
const facePicker = $<HTMLSelectElement>('face');
const downloads = { glb: $<HTMLButtonElement>('download-glb'), obj: $<HTMLButtonElement>('download-obj'), json: $<HTMLButtonElement>('download-json'), posmap: $<HTMLButtonElement>('download-posmap'), stl: $<HTMLButtonElement>('download-stl'), pts: $<HTMLButtonElement>('download-pts'), aligned: $<HTMLButtonElement>('download-aligned'), uv: $<HTMLButtonElement>('download-uv') };
const applyTextureInput = $<HTMLInputElement>('apply-texture');
const downloadEdited = $<HTMLButtonElement>('download-edited');
/** The photo with an applied texture, until the next frame. */
let edited: { image: RgbImage; name: string } | undefined;

const params = new URLSearchParams(location.search);
const modelUrl = params.get('model') ?? 'models/default.onnx';
// The UV assets shipped in the package (a compact pack, like Node), or `?data=` a folder of the official files.
const dataUrl = params.get('data') ?? 'assets/uv-assets.bin';
const isolated = globalThis.crossOriginIsolated === true;
// Threads need SharedArrayBuffer, which only a cross-origin isolated page gets. One core is
// left to the rest of the frame (decoding, post-processing, the browser's drawing): on 2 cores
// the webcam loop ran faster with 1 network thread than with 2 (bench/webDemo.ts).
const threads = isolated ? Number(params.get('threads') ?? Math.max(1, (navigator.hardwareConcurrency ?? 2) - 1)) : 1;
// `?detector=onnx` runs BlazeFace on onnxruntime-web instead of tfjs-wasm (for comparison).
const detectorRuntime = params.get('detector') === 'onnx' ? 'onnx' : 'tfjs';

function status(text: string, error = false): void {
  statusLine.textContent = text;
  statusLine.classList.toggle('error', error);
}

const viewer = createFaceViewer($<HTMLDivElement>('viewer'));
let prn: WebPRNet | undefined;
/** The shown frame. */
let current: { image: RgbImage; source: CanvasImageSource; name: string; faces: FaceResult[] } | undefined;
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
  edited = undefined;
  downloadEdited.disabled = true;
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
  timingsLine.textContent = t.paint === undefined
    ? `last frame: decode ${ms(t.decode)} · detect ${ms(t.detect)} · crop ${ms(t.crop)} · network ${ms(t.network)} · post-processing ${ms(t.post)} · render ${ms(t.render)} · total ${ms(t.total)}`
    : `last frame: decode ${ms(t.decode)} · detect + crop + network ${ms(t.network)} (overlapping the previous frame) · post-processing ${ms(t.post)} · render ${ms(t.render)} · paint ${ms(t.paint)} · since the previous frame ${ms(t.total)}` + (fps ? ` · ${fps.toFixed(1)} fps` : '');
}

/** One pipeline run at a time: the webcam loop, a new photo and the texture toggle may overlap. */
let chain: Promise<unknown> = Promise.resolve();
function serial<T>(run: () => Promise<T>): Promise<T> {
  const result = chain.then(run);
  chain = result.catch(() => undefined);
  return result;
}

/** Runs the pipeline on one decoded photo and shows the result. */
function processFrame(image: RgbImage, source: CanvasImageSource, name: string, decodeMs: number, recenter: boolean, box?: [number, number, number, number]): Promise<FrameTimings> {
  return serial(() => runFrame(image, source, name, decodeMs, recenter, box));
}

async function runFrame(image: RgbImage, source: CanvasImageSource, name: string, decodeMs: number, recenter: boolean, box?: [number, number, number, number]): Promise<FrameTimings> {
  const start = performance.now() - decodeMs;
  const outputs = { pose: true, colors: true, texture: textureBox.checked };
  const { faces, timings } = await prn!.reconstruct(image, { box, maxFaces: 4, outputs, flipAverage: flipBox.checked });
  const render = showFaces(image, source, name, faces, undefined, recenter);
  const frame: FrameTimings = { ...timings, decode: decodeMs, render, total: performance.now() - start };
  window.__prnetLastResult!.timings = frame;
  return frame;
}

/**
 * Draws a frame's faces (overlays, 3D view, picker, downloads) and records them for the tests;
 * `raw`: the network's landmarks before smoothing, per face. Returns the milliseconds it took.
 */
function showFaces(image: RgbImage, source: CanvasImageSource, name: string, faces: FaceResult[], raw: (Float32Array | undefined)[] | undefined, recenter: boolean): number {
  const t0 = performance.now();
  if (webcamStream && facePaint) paintFrame(image, faces);
  else drawOverlays(photoCanvas, source, image.width, image.height, faces, { glasses: glassesBox.checked });
  if (recenter) selectedFace = 0; // a new photo starts with its best face
  const shown = faces[selectedFace] ?? faces[0];
  if (!view3dBox.checked) viewer.clear();
  else if (shown) viewer.show(shown, prn!.assets, recenter);
  else viewer.clear();
  if (!webcamStream) updateFacePicker(faces);
  current = { image, source, name, faces };
  edited = undefined;
  downloadEdited.disabled = true;
  window.__prnetFrames = (window.__prnetFrames ?? 0) + 1;
  for (const b of Object.values(downloads)) b.disabled = faces.length === 0;
  const render = performance.now() - t0;
  window.__prnetLastResult = {
    image: { width: image.width, height: image.height, name },
    faces: faces.map((f, i) => ({ box: [...f.box], score: f.score, landmarks: Array.from(f.landmarks), rawLandmarks: raw?.[i] && Array.from(raw[i]), pose: f.pose && { yaw: f.pose.yaw, pitch: f.pose.pitch, roll: f.pose.roll } })),
    timings: { decode: 0, detect: 0, crop: 0, network: 0, post: 0, render, total: render },
  };
  return render;
}

/**
 * The photo as a bitmap: what the browser decodes itself, and Netpbm (PPM, PGM, PBM), which no
 * browser does, through the same decoder as `prnet reconstruct` (`src/io/pnm.ts`).
 */
async function photoBitmap(file: File): Promise<ImageBitmap> {
  const head = new Uint8Array(await file.slice(0, 3).arrayBuffer());
  if (!isPnm(head)) return createImageBitmap(file, { imageOrientation: 'from-image' });
  const rgb = decodePnm(new Uint8Array(await file.arrayBuffer()));
  const rgba = new Uint8ClampedArray(rgb.width * rgb.height * 4);
  for (let i = 0, j = 0; i < rgb.data.length; i += 3, j += 4) {
    rgba[j] = rgb.data[i]!; rgba[j + 1] = rgb.data[i + 1]!; rgba[j + 2] = rgb.data[i + 2]!; rgba[j + 3] = 255;
  }
  return createImageBitmap(new ImageData(rgba, rgb.width, rgb.height));
}

async function processFile(file: File): Promise<void> {
  if (!prn || busy) return;
  stopWebcam();
  busy = true;
  try {
    status(`processing ${file.name}…`);
    const t0 = performance.now();
    const bitmap = await photoBitmap(file).catch((err: Error) => {
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

/**
 * Most frames of one webcam recording: 300 frames of 43,867 vertices hold about 160 MB of
 * float32 vertices in the page until the GLB (about 105 MB, 16-bit) is written.
 */
const RECORD_MAX_FRAMES = 300;
/** The webcam recording under way: the followed face's smoothed mesh per frame, at the frame's time. */
let recording: { frames: AnimatedGlbFrame[]; start: number; imageHeight: number } | undefined;

function startRecording(): void {
  recording = { frames: [], start: NaN, imageHeight: 0 };
  recordButton.textContent = 'Stop and save GLB';
  recordButton.classList.add('recording');
}

/** Adds the frame's first face (the followed one) to the recording; stops it when full. */
function recordFrame(time: number, image: RgbImage, faces: FaceResult[]): void {
  const face = faces[0];
  if (!recording || !face) return;
  if (!recording.frames.length) {
    recording.start = time;
    recording.imageHeight = image.height;
  }
  const t = time - recording.start;
  // A frame arriving at the same timestamp (a paused source) adds nothing: GLB keyframe times increase.
  if (recording.frames.length && !(t > recording.frames[recording.frames.length - 1]!.time)) return;
  recording.frames.push({ time: t, vertices: Float32Array.from(face.vertices) });
  recordButton.textContent = `Stop and save GLB (${recording.frames.length} frames)`;
  if (recording.frames.length >= RECORD_MAX_FRAMES) void stopRecording();
}

/** Ends the recording and saves it as `webcam.glb` (nothing when no frame had a face). */
async function stopRecording(): Promise<void> {
  const done = recording;
  recording = undefined;
  recordButton.textContent = 'Record GLB';
  recordButton.classList.remove('recording');
  if (!done || !prn) return;
  if (!done.frames.length) {
    status('recording: no face was followed, nothing saved', true);
    return;
  }
  const glb = await encodeAnimatedGlb(done.frames, prn.assets.triangles, { imageHeight: done.imageHeight, name: 'webcam' });
  const seconds = done.frames[done.frames.length - 1]!.time;
  save(glb, 'webcam.glb', 'model/gltf-binary');
  window.__prnetRecording = { frames: done.frames.length, seconds, bytes: glb.length, file: 'webcam.glb' };
  status(`recording saved: webcam.glb, ${done.frames.length} frames over ${seconds.toFixed(1)} s, ${(glb.length / 1e6).toFixed(1)} MB`);
}

/** Frames between two detections in tracking mode. */
const REDETECT_EVERY = 15;

/** Where video frames come from: the webcam, or (benchmark) a still photo again and again. */
interface FrameSource {
  /** Shown in the status line and the results. */
  name: string;
  /** What each frame is decoded from (and drawn under the overlays). */
  element: HTMLVideoElement | ImageBitmap;
  /** Whether to go on after the frames so far. */
  more(framesDone: number): boolean;
}

/**
 * The video loop of the webcam (and of `__prnetBench`): `prnet video`'s face tracker
 * (`faceTracker`: crops from the previous frame's landmarks between detections, stable ids,
 * One Euro smoothing), pipelined as `prnet video` is: frame k + 1 is decoded and its
 * crop and network started (the network in onnxruntime-web's worker) before frame k
 * is smoothed, built and drawn; detecting on every frame, frame k + 1 is also taken and
 * detected while frame k's network runs. Returns each shown frame's timings; `total` is the time
 * since the previous frame was shown, so 1000 / total is the frame rate.
 */
async function videoLoop(source: FrameSource, onFrame: (frame: FrameTimings, done: number) => void): Promise<FrameTimings[]> {
  const outputs = { colors: true, texture: textureBox.checked };
  const tracker = faceTracker({ model: prn!.model, assets: prn!.assets, detector: prn!.detector }, {
    maxFaces: 1,
    detectEvery: REDETECT_EVERY,
    trackLandmarks: trackBox.checked,
    smooth: smoothBox.checked,
    // The map's own smoothing where the mesh is seen or kept (it costs ~2 ms a frame).
    mapSmoothing: view3dBox.checked || recording ? MAP_SMOOTHING : 0,
    outputs,
  });
  // A changed option restarts the loop with a fresh tracker (smoothing starts afresh too).
  const settings = () => `${trackBox.checked}|${smoothBox.checked}|${textureBox.checked}|${view3dBox.checked || recording !== undefined}`;
  const started = settings();
  const timings: FrameTimings[] = [];
  // Detecting on every frame, frame k + 1's detection does not depend on frame k: it starts
  // as soon as the frame is decoded, before frame k's network result is awaited, so that with
  // the network in onnxruntime-web's worker (the demo's default) the two run side by side.
  const detectAhead = !trackBox.checked;
  const decodeNext = async () => {
    const t0 = performance.now();
    const image = await decodeImage(source.element, { name: source.name });
    const decode = performance.now() - t0;
    const detections = detectAhead ? prn!.detector.detect(image) : undefined;
    // Marked as handled: when the loop stops on an error first, this frame is never used.
    detections?.catch(() => undefined);
    return { image, time: t0 / 1000, decode, detections };
  };
  const start = (frame: Awaited<ReturnType<typeof decodeNext>>) => {
    const predicted = tracker.predict(frame.image, frame.time, { detections: frame.detections });
    predicted.catch(() => undefined);
    return { decode: frame.decode, started: performance.now(), predicted };
  };
  let pending: ReturnType<typeof start> | undefined = start(await decodeNext());
  let last = performance.now();
  let done = 0;
  while (pending) {
    const more = () => source.more(done + 1) && settings() === started;
    // Detecting every frame, the next frame is taken and detected while this one's network
    // runs. Tracking, it is taken only once this one's result is in: taking it earlier would
    // show every frame one network run later.
    const ahead = detectAhead && more() ? await decodeNext() : undefined;
    const predicted = await pending.predicted;
    const predictMs = performance.now() - pending.started;
    const decode = pending.decode;
    // The next frame's crop and network start while this one is built and drawn.
    pending = ahead ? start(ahead) : !detectAhead && more() ? start(await decodeNext()) : undefined;
    const t0 = performance.now();
    const tracked = tracker.finish(predicted);
    const post = performance.now() - t0;
    const raw = smoothBox.checked ? predicted.faces.map((f) => f.landmarks) : undefined;
    const render = showFaces(predicted.image, source.element, source.name, tracked.faces, raw, done === 0);
    recordFrame(predicted.time, predicted.image, tracked.faces);
    done++;
    // Let the page paint, as any animation would.
    const tp = performance.now();
    await new Promise(requestAnimationFrame);
    const now = performance.now();
    const frame: FrameTimings = { decode, detect: 0, crop: 0, network: predictMs, post, render, paint: now - tp, total: now - last };
    last = now;
    window.__prnetLastResult!.timings = frame;
    timings.push(frame);
    onFrame(frame, done);
  }
  return timings;
}

/** Webcam: the video loop until stopped (restarted when a setting changes), fps from the frame times. */
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
  recordButton.disabled = false;
  fpsLine.textContent = '— fps';
  const stream = webcamStream;
  let fps = 0;
  const source: FrameSource = { name: 'webcam', element: video, more: () => webcamStream === stream };
  void serial(async () => {
    while (webcamStream === stream) {
      try {
        await videoLoop(source, (frame) => {
          if (webcamStream !== stream) return; // stopped: the frame in flight is shown, not counted
          fps = fps ? 0.9 * fps + 0.1 * (1000 / frame.total) : 1000 / frame.total;
          showTimings(frame, fps);
          fpsLine.textContent = `${fps.toFixed(1)} fps`;
          status(`webcam: ${current?.faces.length ? 'face found' : 'no face'} · ${fps.toFixed(1)} fps`);
        });
      } catch (err) {
        status(`webcam: ${(err as Error).message}`, true);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  });
}

function stopWebcam(): void {
  if (!webcamStream) return;
  // A recording under way is saved with the frames so far.
  if (recording) void stopRecording();
  recordButton.disabled = true;
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
downloads.posmap.addEventListener('click', () => {
  const face = selected();
  if (!face || !prn) return;
  const uv = prn.assets.uvSize;
  save(encodeNpy(face.positionMap, [uv, uv, 3]), `${baseName()}${faceSuffix()}_posmap.npy`, 'application/octet-stream');
});
downloads.stl.addEventListener('click', () => {
  const face = selected();
  if (!face || !prn) return;
  const relief = faceRelief(frontalize(face.vertices, prn.assets.canonicalVertices), prn.assets.triangles);
  save(encodeStl(relief), `${baseName()}${faceSuffix()}.stl`, 'model/stl');
});
downloads.pts.addEventListener('click', () => {
  const face = selected();
  if (!face) return;
  save(encodePts(face.landmarks, 3), `${baseName()}${faceSuffix()}.pts`, 'text/plain');
});
downloads.aligned.addEventListener('click', async () => {
  const face = selected();
  if (!face || !current) return;
  save(await encodePng(alignFace(current.image, face.landmarks).image), `${baseName()}${faceSuffix()}_aligned.png`, 'image/png');
});
/** The selected face's UV texture, made now when the pipeline did not (the "UV texture" box unticked). */
function selectedTexture(): RgbImage | undefined {
  const face = selected();
  if (!face || !prn || !current) return undefined;
  return face.texture ?? faceResult(current.image, prn.assets, face, { texture: 'filled' }).texture;
}
downloads.uv.addEventListener('click', async () => {
  const texture = selectedTexture();
  if (texture) save(await encodePng(texture), `${baseName()}${faceSuffix()}_texture.png`, 'image/png');
});
/** Draws an RGB picture on the photo canvas (no overlays). */
function drawPicture(image: RgbImage): void {
  const rgba = new ImageData(image.width, image.height);
  for (let p = 0; p < image.width * image.height; p++) {
    rgba.data.set(image.data.subarray(3 * p, 3 * p + 3), 4 * p);
    rgba.data[4 * p + 3] = 255;
  }
  photoCanvas.width = image.width;
  photoCanvas.height = image.height;
  photoCanvas.getContext('2d')!.putImageData(rgba, 0, 0);
}

/** Pixels that differ between two pictures of one size. */
function changedPixels(a: RgbImage, b: RgbImage): number {
  let n = 0;
  for (let p = 0; p < a.width * a.height; p++) if (a.data[3 * p] !== b.data[3 * p] || a.data[3 * p + 1] !== b.data[3 * p + 1] || a.data[3 * p + 2] !== b.data[3 * p + 2]) n++;
  return n;
}

/**
 * The applied UV texture: the webcam paints it on the followed face in every frame (by its
 * alpha, `blend: 'over'`: fast, and the face around it stays as the camera shows it).
 */
let facePaint: { texture: RgbImage; alpha?: Uint8Array; name: string } | undefined;
const clearPaintButton = $<HTMLButtonElement>('clear-paint');
clearPaintButton.addEventListener('click', () => {
  facePaint = undefined;
  clearPaintButton.disabled = true;
  if (current && !webcamStream) drawOverlays(photoCanvas, current.source, current.image.width, current.image.height, current.faces, { glasses: glassesBox.checked });
});
// The photo's overlays again with or without the glasses (the webcam redraws every frame).
glassesBox.addEventListener('change', () => {
  if (current && !webcamStream && !facePaint) drawOverlays(photoCanvas, current.source, current.image.width, current.image.height, current.faces, { glasses: glassesBox.checked });
});

/** The webcam frame with the applied texture painted on its faces (drawn instead of the overlays). */
function paintFrame(image: RgbImage, faces: readonly FaceResult[]): void {
  let painted = image;
  let covered = 0;
  for (const face of faces) {
    const result = applyFaceTexture(painted, face, facePaint!.texture, prn!.assets, { blend: 'over', alpha: facePaint!.alpha });
    painted = result.image;
    // The pixels painted, from the mask (no second pass over the frame on the webcam's hot path).
    for (let p = 0; p < result.mask.length; p++) covered += result.mask[p]!;
  }
  drawPicture(painted);
  window.__prnetPainted = { frames: (window.__prnetPainted?.frames ?? 0) + 1, changed: covered };
}

// Texture editing (the paper's application): an edited UV texture back onto the photo, or
// onto the webcam's face in every frame.
applyTextureInput.addEventListener('change', async () => {
  const file = applyTextureInput.files?.[0];
  applyTextureInput.value = '';
  if (!file || !prn) return;
  try {
    const t0 = performance.now();
    const uv = prn.assets.uvSize;
    const pixels = await decodeImagePixels(file, { name: file.name });
    if (pixels.width !== uv || pixels.height !== uv) throw new Error(`${file.name}: a UV texture is ${uv}×${uv} (as the UV button saves it), got ${pixels.width}×${pixels.height}`);
    const alpha = new Uint8Array(uv * uv);
    let translucent = false;
    for (let i = 0; i < alpha.length; i++) translucent = (alpha[i] = pixels.data[4 * i + 3]!) < 255 || translucent;
    facePaint = { texture: rgbFromRgba(pixels.data, uv, uv), ...(translucent ? { alpha } : {}), name: file.name };
    clearPaintButton.disabled = false;
    if (webcamStream) {
      status(`${file.name}: painted on the webcam's face in every frame (× to stop)`);
      return;
    }
    const face = selected();
    if (!face || !current) {
      status(`${file.name} is ready: choose a photo with a face, or start the webcam`);
      return;
    }
    const { image } = applyFaceTexture(current.image, face, facePaint.texture, prn.assets, translucent ? { alpha } : {});
    const ms = performance.now() - t0;
    const changed = changedPixels(image, current.image);
    // Shown without overlays: the edit is what to look at.
    drawPicture(image);
    edited = { image, name: `${baseName()}_edited.png` };
    downloadEdited.disabled = false;
    window.__prnetEdited = { changed, ms };
    status(`${file.name} applied to face ${selectedFace + 1} in ${Math.round(ms)} ms (${changed} pixels changed)`);
  } catch (err) {
    status((err as Error).message, true);
  }
});
downloadEdited.addEventListener('click', async () => {
  if (edited) save(await encodePng(edited.image), edited.name, 'image/png');
});
downloads.json.addEventListener('click', () => {
  if (!current || !prn) return;
  const faces = current.faces.map((f) => ({
    landmarks: f.landmarks,
    pose: f.pose && { yaw: f.pose.yaw, pitch: f.pose.pitch, roll: f.pose.roll, cameraMatrix: f.pose.cameraMatrix },
    camera: f.camera,
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
recordButton.addEventListener('click', () => (recording ? void stopRecording() : startRecording()));
facePicker.addEventListener('change', () => {
  selectedFace = Number(facePicker.value);
  const face = selected();
  if (face && prn) viewer.show(face, prn.assets, true);
});
view3dBox.addEventListener('change', () => {
  const face = selected();
  if (view3dBox.checked && face && prn) viewer.show(face, prn.assets, false);
  else viewer.clear();
});
// A new option re-runs the current photo (the webcam loop picks it up by itself).
for (const box of [textureBox, flipBox]) {
  box.addEventListener('change', () => {
    if (current && !webcamStream && !busy) void processFrame(current.image, current.source, current.name, 0, false).then(showTimings);
  });
}

/**
 * The webcam's video loop on the current photo, `frames` frames (`track`: crop from the
 * previous frame's landmarks between detections, as the webcam; otherwise detect on every frame).
 */
window.__prnetBench = async (frames: number, options: { track?: boolean } = {}) => {
  if (!current || !prn) throw new Error('no photo processed yet');
  const element = current.source as ImageBitmap;
  const name = current.name;
  const wasTracking = trackBox.checked;
  trackBox.checked = options.track ?? false;
  try {
    return await serial(() => videoLoop({ name, element, more: (n) => n < frames }, () => undefined));
  } finally {
    trackBox.checked = wasTracking;
  }
};

/** Re-runs the current photo, optionally on a given face box `[x, y, w, h]` (no detection). */
window.__prnetRerun = async (box?: [number, number, number, number]) => {
  if (!current || !prn) throw new Error('no photo processed yet');
  await processFrame(current.image, current.source, current.name, 0, false, box);
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
    // onnxruntime-web in its Web Worker (`?worker=0`: on the page's thread). Detecting every
    // frame, the page's BlazeFace then runs beside the network: 17.5–20.3 against 15.9–17.3 fps
    // on 2 cores with the 3D view off; tracking, the same (bench/webDemo.ts, README "Speed").
    worker: params.get('worker') !== '0',
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
  window.__prnetInfo = { threads, isolated, inWorker: prn.inWorker, detectorBackend: prn.detector.backend, inputSize: prn.model.inputSize, variant };
  // As the CLI: what the model is, not its scores (those live in the model card, models/README.md).
  const weights = prn.model.metadata[MODEL_METADATA.weightsType];
  infoLine.textContent = `model ${modelUrl} (${variant}${weights ? `, ${weights} weights` : ''}) · onnxruntime-web wasm${prn.inWorker ? ' in a worker' : ''}, ${threads} thread${threads > 1 ? 's' : ''}${isolated ? '' : ' (page not cross-origin isolated)'} · detector BlazeFace on ${prn.detector.backend}`;
  webcamButton.disabled = !navigator.mediaDevices?.getUserMedia;
  status('ready: choose or drop a photo, or start the webcam');
  window.__prnetReady = true;
}

main().catch((err: Error) => {
  window.__prnetError = err.message;
  status(`failed to load: ${err.message}`, true);
  console.error(err);
});
