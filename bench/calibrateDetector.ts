/**
 * Re-measures `BLAZEFACE_CENTER_SHIFT` and `BLAZEFACE_CROP_FACTOR` (src/face/cropFromDetection.ts):
 * on the AFLW2000-3D sample (ground-truth `pt3d_68`), the crop PRNet wants is the landmark
 * box × 1.6 (`BOX_CROP_FACTOR`): centre = box centre, side = 1.6 · mean box side. For each
 * image, BlazeFace's face (the one nearest the ground truth when there are several) gives
 * a box centre c_d and size s_d = (w + h) / 2; least squares then fits
 *   centre_gt = c_d + shift · s_d   and   side_gt = factor · s_d.
 * Prints the fit, the current constants, and the residual error each leaves (as a fraction
 * of the crop side). Run: `npm run bench -- calibrateDetector`.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMatAsync } from '../src/io/matAsync.js';
import { aflw2000GroundTruth } from '../src/eval/aflw2000GroundTruth.js';
import { decodeImage } from '../src/node/inference/decodeImage.js';
import { loadDetector } from '../src/node/inference/detector.js';
import { BOX_CROP_FACTOR } from '../src/face/cropTransform.js';
import { BLAZEFACE_CENTER_SHIFT, BLAZEFACE_CROP_FACTOR } from '../src/face/cropFromDetection.js';
import { cropFromLandmarks } from '../src/face/cropFromLandmarks.js';

const dir = fileURLToPath(new URL('../../shared/fixtures/aflw2000-sample/', import.meta.url));
const detector = await loadDetector({ minScore: 0.3 });
const rows: Array<{ name: string; sd: number; cd: [number, number]; cg: [number, number]; sg: number }> = [];
for (const f of (await readdir(dir)).filter((f) => f.endsWith('.mat')).sort()) {
  const name = f.slice(0, -4);
  const gt = aflw2000GroundTruth(await parseMatAsync(new Uint8Array(await readFile(path.join(dir, f))), f), f);
  const xy = new Float64Array(136);
  for (let i = 0; i < 68; i++) { xy[2 * i] = gt.landmarks[3 * i]!; xy[2 * i + 1] = gt.landmarks[3 * i + 1]!; }
  const want = cropFromLandmarks(xy); // landmark box × BOX_CROP_FACTOR
  const faces = await detector.detect(await decodeImage(path.join(dir, `${name}.jpg`)));
  if (faces.length === 0) { console.log(`${name}: no face detected (skipped)`); continue; }
  // The annotated face is the detection nearest the ground-truth centre.
  const dist = (b: number[]) => Math.hypot(b[0]! + b[2]! / 2 - want.center[0], b[1]! + b[3]! / 2 - want.center[1]);
  const best = faces.reduce((a, b) => (dist(b.box) < dist(a.box) ? b : a));
  const [x, y, w, h] = best.box;
  rows.push({ name, sd: (w + h) / 2, cd: [x + w / 2, y + h / 2], cg: want.center, sg: want.size });
}
detector.dispose();

let ss = 0, ax = 0, ay = 0, as = 0;
for (const r of rows) {
  ss += r.sd * r.sd;
  ax += r.sd * (r.cg[0] - r.cd[0]);
  ay += r.sd * (r.cg[1] - r.cd[1]);
  as += r.sd * r.sg;
}
const fit = { shiftX: ax / ss, shiftY: ay / ss, factor: as / ss };

function residuals(shiftY: number, factor: number, shiftX = 0): { center: number; size: number } {
  let c = 0, s = 0;
  for (const r of rows) {
    c += (Math.hypot(r.cd[0] + shiftX * r.sd - r.cg[0], r.cd[1] + shiftY * r.sd - r.cg[1]) / r.sg) ** 2;
    s += ((factor * r.sd - r.sg) / r.sg) ** 2;
  }
  return { center: Math.sqrt(c / rows.length), size: Math.sqrt(s / rows.length) };
}

const current = residuals(BLAZEFACE_CENTER_SHIFT, BLAZEFACE_CROP_FACTOR);
const fitted = residuals(fit.shiftY, fit.factor, fit.shiftX);
console.log(`images: ${rows.length} (landmark crop = box × ${BOX_CROP_FACTOR})`);
console.log(`fitted:  centre shift x ${fit.shiftX.toFixed(4)}, y ${fit.shiftY.toFixed(4)} · size; crop factor ${fit.factor.toFixed(4)}  → rms centre error ${(100 * fitted.center).toFixed(2)} %, size error ${(100 * fitted.size).toFixed(2)} % of the crop side`);
console.log(`current: BLAZEFACE_CENTER_SHIFT ${BLAZEFACE_CENTER_SHIFT}, BLAZEFACE_CROP_FACTOR ${BLAZEFACE_CROP_FACTOR}  → rms centre error ${(100 * current.center).toFixed(2)} %, size error ${(100 * current.size).toFixed(2)} %`);
const none = residuals(0, BOX_CROP_FACTOR);
console.log(`uncalibrated (box × ${BOX_CROP_FACTOR}, no shift): rms centre error ${(100 * none.center).toFixed(2)} %, size error ${(100 * none.size).toFixed(2)} %`);
