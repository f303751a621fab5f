/**
 * Rasteriser and per-face drawing costs on a real PRNet topology: the canonical
 * face (43,867 vertices, 86,907 triangles from `faceTriangles`) placed to span
 * ~210×207 pixels of a 450×450 AFLW2000 photo. Prints median ms of each step.
 * Run: `npm run bench -- render` (needs ../shared).
 */
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadUvAssets } from '../src/node/inference/uvAssets.js';
import { decodeImage } from '../src/node/inference/decodeImage.js';
import { faceTriangles } from '../src/uv/faceTriangles.js';
import { positionMapVertices } from '../src/uv/positionMapVertices.js';
import { positionMapLandmarks } from '../src/uv/positionMapLandmarks.js';
import { estimatePose } from '../src/geometry/estimatePose.js';
import { rasterize } from '../src/render/rasterize.js';
import { renderDepth } from '../src/render/renderDepth.js';
import { vertexVisibility } from '../src/render/vertexVisibility.js';
import { vertexColors } from '../src/render/vertexColors.js';
import { uvTexture } from '../src/render/uvTexture.js';
import { renderTexture } from '../src/render/renderTexture.js';
import { uvTextureColors } from '../src/render/uvTextureColors.js';
import { drawLandmarks } from '../src/render/drawLandmarks.js';
import { drawPoseBox } from '../src/render/drawPoseBox.js';
import { encodeObj } from '../src/io/obj.js';
import { encodePly } from '../src/io/ply.js';
import { encodeGlb } from '../src/io/glb.js';
import { encodePng } from '../src/io/png.js';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const shared = path.resolve(root, '../shared');
const uv = await loadUvAssets({ dataDir: path.join(shared, 'prnet-data/uv-data'), download: false });
const photo = await decodeImage(path.join(shared, 'fixtures/aflw2000-sample/image00002.jpg'));
const { width: W, height: H } = photo;
const triangles = faceTriangles(uv.faceIndices);

// Position map: the canonical face moved to the photo's centre, scattered to its UV pixels.
const positionMap = new Float32Array(uv.uvSize * uv.uvSize * 3);
for (let i = 0; i < uv.faceIndices.length; i++) {
  const p = 3 * uv.faceIndices[i];
  positionMap[p] = uv.canonicalVertices[3 * i] + 225;
  positionMap[p + 1] = uv.canonicalVertices[3 * i + 1] - 258 + 225;
  positionMap[p + 2] = uv.canonicalVertices[3 * i + 2];
}
const vertices = positionMapVertices(positionMap, uv);

/** Median wall ms, and median CPU ms of this process (less sensitive to a busy machine). */
function median(label: string, runs: number, fn: () => unknown): number {
  for (let i = 0; i < 3; i++) fn();
  const times: number[] = [], cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const m = times[Math.floor(runs / 2)];
  console.log(`${label.padEnd(54)} ${m.toFixed(2).padStart(8)} ms wall ${cpu[Math.floor(runs / 2)].toFixed(2).padStart(8)} ms cpu`);
  return m;
}
async function medianAsync(label: string, runs: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 2; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const m = times[Math.floor(runs / 2)];
  console.log(`${label.padEnd(54)} ${m.toFixed(2).padStart(8)} ms wall`);
  return m;
}

console.log(`mesh: ${vertices.length / 3} vertices, ${triangles.length / 3} triangles, image ${W}×${H}`);
const raster = rasterize(vertices, triangles, W, H);
let covered = 0;
for (const t of raster.triangleIds) if (t >= 0) covered++;
console.log(`covered pixels: ${covered}`);
const visible = vertexVisibility(vertices, raster);
console.log(`visible vertices: ${visible.reduce((s, v) => s + v, 0)}`);

const R = 31;
median('rasterize (z-buffer + triangle ids)', R, () => rasterize(vertices, triangles, W, H));
median('renderDepth (rasterize + 8-bit)', R, () => renderDepth(vertices, triangles, W, H));
median('vertexVisibility (rasterize + test)', R, () => vertexVisibility(vertices, rasterize(vertices, triangles, W, H)));
median('vertexColors (bilinear)', R, () => vertexColors(photo, vertices));
median('uvTexture (bilinear, face mask)', R, () => uvTexture(photo, positionMap, { mask: uv.faceMask }));
const texture = uvTexture(photo, positionMap, { mask: uv.faceMask });
median('renderTexture (uv colours, rasterize, blend)', R, () =>
  renderTexture(uvTextureColors(texture, uv.faceIndices), vertices, triangles, W, H, { background: photo }));
median('per face: vertices+landmarks+pose+colours+visibility', R, () => {
  const v = positionMapVertices(positionMap, uv);
  positionMapLandmarks(positionMap, uv);
  estimatePose(v, uv.canonicalVertices);
  vertexColors(photo, v);
  vertexVisibility(v, rasterize(v, triangles, W, H));
});
const landmarks = positionMapLandmarks(positionMap, uv);
const pose = estimatePose(vertices, uv.canonicalVertices);
median('drawLandmarks + drawPoseBox', R, () => drawPoseBox(drawLandmarks(photo, landmarks), pose.cameraMatrix, landmarks));
const colors = vertexColors(photo, vertices);
median('encodeObj (colours)', 7, () => encodeObj({ vertices, triangles, colors }, { imageHeight: H }));
median('encodePly (colours)', 7, () => encodePly({ vertices, triangles, colors }, { imageHeight: H }));
await medianAsync('encodeGlb (colours)', 7, () => encodeGlb({ vertices, triangles, colors }, { imageHeight: H }));
await medianAsync('encodePng (256×256 texture)', 7, () => encodePng(texture));
