import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { tddfaInput, TDDFA_INPUT_SIZE } from '../../face/tddfa/tddfaInput.js';
import { tddfaImagePose } from '../../face/tddfa/tddfaImagePose.js';
import { tddfaParameters, TDDFA_PARAMETER_COUNT } from '../../face/tddfa/tddfaParameters.js';
import type { TddfaRoiBox } from '../../face/tddfa/tddfaRoiBox.js';
import { npyToFloat64, readNpy } from '../../io/npy.js';
import { faceFitPoints } from '../../labels/faceFitPoints.js';
import { fitPoints } from '../../labels/fitPoints.js';
import { teacherCorrespondence, type CorrespondenceFace } from '../../labels/teacherCorrespondence.js';
import { teacherLabel, TEACHER_LABEL_DEFAULTS, type TeacherLabelOptions } from '../../labels/teacherLabel.js';
import { TEACHER_FIT_DEFAULTS } from '../../labels/teacherFit.js';
import { encodeNpy } from '../../train/posmap300wlp/encodeNpy.js';
import { AFLW21_POINT_COUNT, AFLW21_UV } from '../../train/data/aflw21Correspondence.js';
import { writeFileAtomic } from '../atomicWrite.js';
import { loadTddfaTeacher } from '../tddfaTeacher.js';
import { loadUvAssets } from '../uvAssets.js';
import { LABEL_POSE_FLOATS, LABEL_QUALITY_FLOATS, LABEL_SET_FORMAT, LABEL_SET_VERSION, type LabelSetInfo } from './labelSetFiles.js';
import { encodeUvMorphableModel, loadUvMorphableModel } from './uvMorphableModelFile.js';

/** Options of {@link labelAflw21}. */
export interface LabelAflw21Options {
  /** `datasets/aflw21` folder. */
  dataDir: string;
  /** A 3DDFA_V2 ONNX model. */
  teacher: string;
  /** The 3DDFA_V2 BFM folder (`../shared/3ddfa`). */
  bfmDir: string;
  /** Output folder. */
  outDir: string;
  /** Label only the first N faces. */
  limit?: number;
  /** Faces the correspondence is learnt from (the first N with a teacher output). */
  correspondenceFaces: number;
  /** Fit and rejection settings. */
  label: Partial<TeacherLabelOptions>;
  /** Cache of the UV morphable model. */
  cacheDir: string | null;
  /** Official uv-data folder (for the face mask), else the default lookup. */
  uvDataDir?: string;
  /** Progress lines. */
  log: (line: string) => void;
  /** Called per face labelled. */
  onFace?: (done: number, total: number) => void;
  /** Called per face that cannot be labelled (corrupt or missing image, no annotation). */
  onSkip?: (name: string, reason: string) => void;
}

/** Defaults of {@link labelAflw21}. */
export const LABEL_AFLW21_DEFAULTS = { correspondenceFaces: 4000, label: {}, cacheDir: 'runs/cache', log: () => {} };

const CHUNK = 1000;

/**
 * Makes the teacher-fitted label set of AFLW-21: runs the teacher on every 120×120 crop
 * (resumable, per chunk of 1,000 faces under `<out>/.work`), learns where AFLW's 21 points
 * lie on the model from the teacher (`teacherCorrespondence`), fits every face
 * (`teacherLabel`), and writes the set atomically (`labelSetFiles.ts` describes it).
 *
 * ```ts
 * await labelAflw21({ dataDir: '../shared/datasets/aflw21', teacher: '../shared/3ddfa/mb05_120x120.onnx', bfmDir: '../shared/3ddfa', outDir: 'runs/labels' });
 * ```
 */
export async function labelAflw21(options: Partial<LabelAflw21Options> & Pick<LabelAflw21Options, 'dataDir' | 'teacher' | 'bfmDir' | 'outDir'>): Promise<LabelSetInfo> {
  const o = { ...LABEL_AFLW21_DEFAULTS, ...options } as LabelAflw21Options;
  const dir = path.resolve(o.dataDir);
  const read = async (name: string) => {
    try {
      return new Uint8Array(await readFile(path.join(dir, name)));
    } catch (err) {
      throw new Error(`AFLW-21 data set: cannot read ${path.join(dir, name)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  };
  let names = new TextDecoder().decode(await read('images.txt')).split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
  const pts = npyToFloat64(readNpy(await read('pts21.npy'), 'pts21.npy'));
  const roi = npyToFloat64(readNpy(await read('roi_box.npy'), 'roi_box.npy'));
  if (pts.length !== names.length * 42 || roi.length !== names.length * 4) throw new Error(`AFLW-21 data set ${dir}: ${names.length} images but ${pts.length / 42} point sets and ${roi.length / 4} boxes`);
  if (o.limit !== undefined && !(Number.isInteger(o.limit) && o.limit > 0)) throw new Error(`limit must be a positive integer, got ${o.limit}`);
  const count = Math.min(names.length, o.limit ?? names.length);
  names = names.slice(0, count);

  await mkdir(path.join(o.outDir, '.work'), { recursive: true });
  const teacher = await loadTddfaTeacher(o.teacher);
  const { model, pieces } = await loadUvMorphableModel(o.bfmDir, { cacheDir: o.cacheDir, log: o.log });
  const S = TDDFA_INPUT_SIZE, per = 3 * S * S;

  // 1. Teacher outputs, chunk by chunk (NaN for a face whose image cannot be read).
  const raw = new Float32Array(count * TDDFA_PARAMETER_COUNT);
  const skipped = new Map<number, string>();
  for (let c0 = 0; c0 < count; c0 += CHUNK) {
    const c1 = Math.min(count, c0 + CHUNK);
    const file = path.join(o.outDir, '.work', `teacher-${teacher.sha256.slice(0, 12)}-${c0}-${c1}.json`);
    let chunk: { raw: number[]; skipped: [number, string][] } | null = null;
    try {
      chunk = JSON.parse(await readFile(file, 'utf8'));
    } catch {
      chunk = null;
    }
    if (!chunk) {
      const input = new Float32Array((c1 - c0) * per);
      const bad: [number, string][] = [];
      await Promise.all(Array.from({ length: 4 }, async (_, w) => {
        for (let i = c0 + w; i < c1; i += 4) {
          try {
            const { data, info } = await sharp(path.join(dir, 'images', names[i]!)).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
            const box: TddfaRoiBox = [0, 0, info.width, info.height];
            tddfaInput({ width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) } as never, box, { out: input, offset: (i - c0) * per });
          } catch (err) {
            bad.push([i, `cannot read the image: ${(err as Error).message.split('\n')[0]}`]);
          }
        }
      }));
      const out = await teacher.predict(input, c1 - c0);
      for (const [i] of bad) out.fill(NaN, (i - c0) * TDDFA_PARAMETER_COUNT, (i - c0 + 1) * TDDFA_PARAMETER_COUNT);
      chunk = { raw: Array.from(out), skipped: bad };
      await writeFileAtomic(file, JSON.stringify(chunk));
    }
    raw.set(chunk.raw.map((v) => (v === null ? NaN : v)), c0 * TDDFA_PARAMETER_COUNT);
    for (const [i, why] of chunk.skipped) skipped.set(i, why);
    o.log(`teacher: ${c1}/${count} faces`);
  }

  // The face's human points in the 450 frame, and the teacher's crop box there.
  const humanOf = (i: number) => {
    const h = new Float64Array(AFLW21_POINT_COUNT * 2), w = new Float64Array(AFLW21_POINT_COUNT);
    for (let j = 0; j < AFLW21_POINT_COUNT; j++) {
      const x = pts[i * 42 + j]!, y = pts[i * 42 + 21 + j]!;
      h[j * 2] = x; h[j * 2 + 1] = y; w[j] = x >= 0 ? 1 : 0;
    }
    return { h, w };
  };
  const roiOf = (i: number): TddfaRoiBox => [roi[i * 4]!, roi[i * 4 + 1]!, roi[i * 4 + 2]!, roi[i * 4 + 3]!];
  const landmarkPoints = fitPoints(model, model.landmarkPixels);
  const teacherFitOf = (i: number) => {
    const p = tddfaParameters(raw.subarray(i * 62, i * 62 + 62), pieces.paramMean, pieces.paramStd);
    const coefficients = new Float64Array(model.shapeCount + model.expressionCount);
    coefficients.set(p.shape); coefficients.set(p.expression, model.shapeCount);
    return { ...tddfaImagePose(p, roiOf(i)), coefficients };
  };

  // 2. Correspondence from the teacher on the first faces.
  const assets = await loadUvAssets({ dataDir: o.uvDataDir, download: false });
  const faces: CorrespondenceFace[] = [];
  for (let i = 0; i < count && faces.length < o.correspondenceFaces; i++) {
    if (skipped.has(i) || !Number.isFinite(raw[i * 62]!)) continue;
    const t = teacherFitOf(i);
    const lm = faceFitPoints(t, landmarkPoints);
    faces.push({ teacher: t, ...(({ h, w }) => ({ human: h, visible: w }))(humanOf(i)), faceSize: boxSize(lm) });
  }
  const start = Uint32Array.from(AFLW21_UV, ([u, v]) => v * model.size + u);
  // Ears (12, 16): AFLW's ear point may sit anywhere on the side of the head.
  const { pixels, cost, startCost } = teacherCorrespondence(model, faces, start, assets.faceMask, { radii: { 12: 40, 16: 40 } });
  o.log(`correspondence from ${faces.length} faces: mean clipped distance ${mean(startCost) * 100 | 0}→${(mean(cost) * 100).toFixed(2)} % of the face`);

  // 3. Fit every face.
  const context = { model, points: fitPoints(model, pixels), landmarks: landmarkPoints, paramMean: pieces.paramMean, paramStd: pieces.paramStd };
  const labelOptions = { ...TEACHER_LABEL_DEFAULTS, ...o.label, fit: { ...TEACHER_FIT_DEFAULTS, ...(o.label.fit ?? {}) } };
  const K = model.shapeCount + model.expressionCount;
  const pose = new Float32Array(count * LABEL_POSE_FLOATS), coef = new Float32Array(count * K);
  const landmarks = new Float32Array(count * 68 * 3), quality = new Float32Array(count * LABEL_QUALITY_FLOATS);
  const reasons = new Map<string, number>();
  const rejectedLines: string[] = [];
  const fitErrors: number[] = [], gaps: number[] = [];
  for (let i = 0; i < count; i++) {
    const q = i * LABEL_QUALITY_FLOATS;
    let why = skipped.get(i) ?? null;
    if (!why) {
      const { h, w } = humanOf(i);
      const label = teacherLabel(raw.subarray(i * 62, i * 62 + 62), roiOf(i), h, w, context, labelOptions);
      pose.set(label.fit.rotation, i * LABEL_POSE_FLOATS);
      pose.set([label.fit.scale, label.fit.translation[0], label.fit.translation[1]], i * LABEL_POSE_FLOATS + 9);
      coef.set(label.fit.coefficients, i * K);
      landmarks.set(label.landmarks, i * 204);
      quality.set([label.fit.fitError, label.fit.teacherGap, label.fit.pointCount], q);
      why = label.rejected;
      if (!why) { fitErrors.push(label.fit.fitError); gaps.push(label.fit.teacherGap); }
    } else {
      o.onSkip?.(names[i]!, why);
    }
    if (why) {
      quality[q + 3] = 1;
      const kind = why.replace(/[\d.]+/g, '#');
      reasons.set(kind, (reasons.get(kind) ?? 0) + 1);
      rejectedLines.push(`${i}\t${names[i]}\t${why}`);
    }
    o.onFace?.(i + 1, count);
  }

  const info: LabelSetInfo = {
    format: LABEL_SET_FORMAT, version: LABEL_SET_VERSION, dataset: 'aflw21', count, images: names,
    frame: 'pose maps the UV model (BFM, y negated) into the 450×450 frame of pts21.npy and roi_box.npy: image = scale·(R·X)[x,y] + t',
    teacher: { file: path.basename(o.teacher), sha256: teacher.sha256 },
    correspondence: {
      uv: Array.from(pixels, (p) => [p % model.size, Math.floor(p / model.size)] as [number, number]),
      how: `teacherCorrespondence over the first ${faces.length} faces, from the AFLW21_UV table, radius 24 (ears 40) UV pixels; mean clipped distance per point before/after: ${Array.from(startCost, (c, j) => `${(c * 100).toFixed(1)}/${(cost[j]! * 100).toFixed(1)}`).join(' ')} %`,
    },
    settings: { ...labelOptions },
    summary: {
      kept: count - rejectedLines.length, rejected: rejectedLines.length, reasons: Object.fromEntries(reasons),
      medianFitError: median(fitErrors), medianTeacherGap: median(gaps),
    },
  };
  const out = (name: string, bytes: Uint8Array | string) => writeFileAtomic(path.join(o.outDir, name), bytes);
  await out('uv-model.bin', encodeUvMorphableModel(model));
  await out('pose.npy', encodeNpy(pose, [count, LABEL_POSE_FLOATS]));
  await out('coefficients.npy', encodeNpy(coef, [count, K]));
  await out('landmarks68.npy', encodeNpy(landmarks, [count, 68, 3]));
  await out('quality.npy', encodeNpy(quality, [count, LABEL_QUALITY_FLOATS]));
  await out('teacher.npy', encodeNpy(raw, [count, TDDFA_PARAMETER_COUNT]));
  await out('rejected.tsv', rejectedLines.join('\n') + (rejectedLines.length ? '\n' : ''));
  // labels.json last: a set without it is incomplete.
  await out('labels.json', JSON.stringify(info, null, 1));
  await rm(path.join(o.outDir, '.work'), { recursive: true, force: true });
  return info;
}

function boxSize(p: Float64Array): number {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let j = 0; j < p.length / 3; j++) {
    x0 = Math.min(x0, p[j * 3]!); x1 = Math.max(x1, p[j * 3]!);
    y0 = Math.min(y0, p[j * 3 + 1]!); y1 = Math.max(y1, p[j * 3 + 1]!);
  }
  return Math.sqrt(Math.max(x1 - x0, 1e-6) * Math.max(y1 - y0, 1e-6));
}
function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s / a.length;
}
function median(a: number[]): number {
  if (!a.length) return NaN;
  const s = [...a].sort((x, y) => x - y);
  return s[s.length >> 1]!;
}
