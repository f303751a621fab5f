import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { tddfaInput, TDDFA_INPUT_SIZE, type TddfaInputOptions } from '../../../face/tddfa/tddfaInput.js';
import { tddfaImagePose } from '../../../face/tddfa/tddfaImagePose.js';
import { mirrorTddfaInput } from '../../../face/tddfa/mirrorTddfaInput.js';
import { tddfaParameters, TDDFA_PARAMETER_COUNT } from '../../../face/tddfa/tddfaParameters.js';
import type { TddfaRoiBox } from '../../../face/tddfa/tddfaRoiBox.js';
import { faceFitPoints } from '../../../labels/teacherFit/faceFitPoints.js';
import { fitPoints } from '../../../labels/teacherFit/fitPoints.js';
import { teacherCorrespondence, type CorrespondenceFace } from '../../../labels/teacherFit/teacherCorrespondence.js';
import { pointBoxSize, teacherLabel, TEACHER_LABEL_DEFAULTS, type TeacherLabelOptions } from '../../../labels/teacherFit/teacherLabel.js';
import { TEACHER_FIT_DEFAULTS, type FaceFit } from '../../../labels/teacherFit/teacherFit.js';
import { encodeNpy } from '../../../io/encodeNpy.js';
import type { BfmPieces } from '../../../uv/bfmPieces.js';
import type { UvMorphableModel } from '../../../labels/uvMorphableModel.js';
import { writeFileAtomic } from '../../files/atomicWrite.js';
import { loadTddfaTeacher, type TddfaTeacher } from '../../inference/tddfaTeacher.js';
import { loadUvAssets } from '../../inference/uvAssets.js';
import { LABEL_POSE_FLOATS, LABEL_QUALITY_FLOATS, LABEL_SET_FORMAT, LABEL_SET_VERSION, type LabelSetInfo } from './labelSetFiles.js';
import type { LabelSource } from './labelSource.js';
import { encodeUvMorphableModel, loadUvMorphableModel } from './uvMorphableModelFile.js';
import { withDefaults } from '../../../io/withDefaults.js';
import { makeFolders } from '../../files/makeFolders.js';

/** Options of {@link labelFaces}. */
export interface LabelFacesOptions {
  /** A 3DDFA_V2 ONNX model. */
  teacher: string;
  /** The 3DDFA_V2 BFM folder (`../shared/3ddfa`). */
  bfmDir: string;
  /** Output folder. */
  outDir: string;
  /** Label only the first N faces. */
  limit?: number;
  /** Faces the correspondence is learnt from (the first N with a teacher output), where the source learns it. */
  correspondenceFaces: number;
  /** Fit and rejection settings. */
  label: Partial<TeacherLabelOptions>;
  /** Resampling of the teacher's crop (3DDFA_V2: OpenCV bilinear). */
  resample: TddfaInputOptions['resample'];
  /** Cache of the UV morphable model. */
  cacheDir: string | null;
  /** Official uv-data folder (for the face mask), else the default lookup. */
  uvDataDir?: string;
  /** Progress lines. */
  log: (line: string) => void;
  /** Called per face labelled. */
  onFace?: (done: number, total: number) => void;
  /** Called per face that cannot be labelled (corrupt or missing image). */
  onSkip?: (name: string, reason: string) => void;
}

/** Defaults of {@link labelFaces}. */
export const LABEL_FACES_DEFAULTS = { correspondenceFaces: 4000, label: {}, resample: 'bilinear' as const, cacheDir: 'runs/cache', log: () => {} };

/** Faces per resumable chunk of teacher outputs. */
const CHUNK = 1000;

/** The teacher's raw outputs of a source's faces (NaN rows for unreadable images), with the boxes it saw. */
export interface TeacherOutputs {
  raw: Float32Array;
  /** `count × 4`: the crop box in the data set's frame. */
  frameRoi: Float64Array;
  /** Unreadable faces and why. */
  skipped: Map<number, string>;
}

/**
 * Runs the teacher over a source's faces, chunk by chunk; finished chunks are kept in
 * `workDir` so an interrupted run resumes (`null`: no chunk files).
 *
 * ```ts
 * const { raw, frameRoi } = await teacherOutputs(source, teacher, 1537, 'runs/labels/.work');
 * ```
 */
export async function teacherOutputs(
  source: LabelSource, teacher: TddfaTeacher, count: number, workDir: string | null,
  options: { resample?: TddfaInputOptions['resample']; log?: (line: string) => void; mirror?: boolean } = {},
): Promise<TeacherOutputs> {
  const S = TDDFA_INPUT_SIZE, per = 3 * S * S, P = TDDFA_PARAMETER_COUNT;
  const raw = new Float32Array(count * P), frameRoi = new Float64Array(count * 4);
  const skipped = new Map<number, string>();
  for (let c0 = 0; c0 < count; c0 += CHUNK) {
    const c1 = Math.min(count, c0 + CHUNK);
    const file = workDir && path.join(workDir, `teacher-${teacher.sha256.slice(0, 12)}-${options.resample ?? 'bilinear'}${options.mirror ? '-mirror' : ''}-${c0}-${c1}.json`);
    let chunk: { raw: (number | null)[]; roi: number[]; skipped: [number, string][] } | null = null;
    if (file) chunk = await readFile(file, 'utf8').then((t) => JSON.parse(t), () => null);
    if (workDir) await mkdir(workDir, { recursive: true });
    if (!chunk) {
      const input = new Float32Array((c1 - c0) * per);
      const rois = new Array<number>((c1 - c0) * 4).fill(NaN);
      const bad: [number, string][] = [];
      await Promise.all(Array.from({ length: 4 }, async (_, w) => {
        for (let i = c0 + w; i < c1; i += 4) {
          try {
            const { image, crop, frameRoi: r } = await source.teacherCrop(i);
            tddfaInput(image, crop, { out: input, offset: (i - c0) * per, resample: options.resample ?? 'bilinear' });
            if (options.mirror) mirrorTddfaInput(input, (i - c0) * per, S);
            rois.splice((i - c0) * 4, 4, ...r);
          } catch (err) {
            bad.push([i, (err as Error).message.split('\n')[0]!]);
          }
        }
      }));
      const out = await teacher.predict(input, c1 - c0);
      for (const [i] of bad) out.fill(NaN, (i - c0) * P, (i - c0 + 1) * P);
      chunk = { raw: Array.from(out, (v) => (Number.isFinite(v) ? v : null)), roi: rois, skipped: bad };
      if (file) await writeFileAtomic(file, JSON.stringify(chunk));
    }
    raw.set(chunk.raw.map((v) => (v === null ? NaN : v)), c0 * P);
    frameRoi.set(chunk.roi.map((v) => (v === null ? NaN : v)), c0 * 4);
    for (const [i, why] of chunk.skipped) skipped.set(i, why);
    options.log?.(`teacher: ${c1}/${count} faces`);
  }
  return { raw, frameRoi, skipped };
}

/** The teacher's estimate of face `i` as a pose and coefficients in the data set's frame. */
export function teacherFaceFit(outputs: TeacherOutputs, i: number, model: UvMorphableModel, pieces: BfmPieces): FaceFit {
  const P = TDDFA_PARAMETER_COUNT;
  const p = tddfaParameters(outputs.raw.subarray(i * P, (i + 1) * P), pieces.paramMean, pieces.paramStd);
  const coefficients = new Float64Array(model.shapeCount + model.expressionCount);
  coefficients.set(p.shape); coefficients.set(p.expression, model.shapeCount);
  const r = outputs.frameRoi;
  return { ...tddfaImagePose(p, [r[i * 4]!, r[i * 4 + 1]!, r[i * 4 + 2]!, r[i * 4 + 3]!]), coefficients };
}

/**
 * Makes a teacher-fitted label set from a {@link LabelSource}: runs the teacher on every
 * face (resumable, chunks of 1,000 under `<out>/.work`), learns where the human points lie
 * on the model where the source asks for it (`teacherCorrespondence`), fits every face
 * (`teacherLabel`), and writes the set atomically, `labels.json` last (`labelSetFiles.ts`).
 *
 * ```ts
 * await labelFaces(await aflw21LabelSource('../shared/datasets/aflw21'), { teacher: '…/mb05_120x120.onnx', bfmDir: '../shared/3ddfa', outDir: 'runs/labels' });
 * ```
 */
export async function labelFaces(source: LabelSource, options: Partial<LabelFacesOptions> & Pick<LabelFacesOptions, 'teacher' | 'bfmDir' | 'outDir'>): Promise<LabelSetInfo> {
  const o = withDefaults(LABEL_FACES_DEFAULTS, options) as LabelFacesOptions;
  if (o.limit !== undefined && !(Number.isInteger(o.limit) && o.limit > 0)) throw new Error(`limit must be a positive integer, got ${o.limit}`);
  const count = Math.min(source.names.length, o.limit ?? source.names.length);
  const names = source.names.slice(0, count);
  const m = source.pointCount;
  const work = path.join(o.outDir, '.work');
  await makeFolders(work);
  const teacher = await loadTddfaTeacher(o.teacher);
  const { model, pieces } = await loadUvMorphableModel(o.bfmDir, { cacheDir: o.cacheDir, log: o.log });

  const outputs = await teacherOutputs(source, teacher, count, work, { resample: o.resample, log: o.log });
  const valid = (i: number) => !outputs.skipped.has(i) && Number.isFinite(outputs.raw[i * TDDFA_PARAMETER_COUNT]!);
  const human = (i: number) => source.human.subarray(i * m * 2, (i + 1) * m * 2);
  const weights = (i: number) => source.weights.subarray(i * m, (i + 1) * m);
  const landmarkPoints = fitPoints(model, model.landmarkPixels);

  let pixels = source.correspondence.start;
  let how = source.correspondence.how;
  if (source.correspondence.learn) {
    const assets = await loadUvAssets({ dataDir: o.uvDataDir, download: false });
    const faces: CorrespondenceFace[] = [];
    for (let i = 0; i < count && faces.length < o.correspondenceFaces; i++) {
      if (!valid(i)) continue;
      const t = teacherFaceFit(outputs, i, model, pieces);
      faces.push({ teacher: t, human: human(i), visible: weights(i), faceSize: pointBoxSize(faceFitPoints(t, landmarkPoints)) });
    }
    const found = teacherCorrespondence(model, faces, pixels, assets.faceMask, { radii: source.correspondence.radii ?? {} });
    pixels = found.pixels;
    how += ` over the first ${faces.length} faces; mean clipped distance per point at the start / chosen pixel: ${Array.from(found.startCost, (c, j) => `${(c * 100).toFixed(1)}/${(found.cost[j]! * 100).toFixed(1)}`).join(' ')} % of the face`;
    o.log(`correspondence learnt from ${faces.length} faces`);
  }

  const context = { model, points: fitPoints(model, pixels), landmarks: landmarkPoints, paramMean: pieces.paramMean, paramStd: pieces.paramStd };
  const labelOptions = { ...withDefaults(TEACHER_LABEL_DEFAULTS, o.label), fit: withDefaults(TEACHER_FIT_DEFAULTS, o.label.fit ?? {}) };
  const K = model.shapeCount + model.expressionCount;
  const pose = new Float32Array(count * LABEL_POSE_FLOATS), coef = new Float32Array(count * K);
  const landmarks = new Float32Array(count * 68 * 3), quality = new Float32Array(count * LABEL_QUALITY_FLOATS);
  const reasons = new Map<string, number>();
  const rejectedLines: string[] = [];
  const fitErrors: number[] = [], gaps: number[] = [];
  for (let i = 0; i < count; i++) {
    const q = i * LABEL_QUALITY_FLOATS;
    let why = outputs.skipped.get(i) ?? null;
    if (why) {
      o.onSkip?.(names[i]!, why);
    } else {
      const r = outputs.frameRoi.subarray(i * 4, i * 4 + 4);
      const roi: TddfaRoiBox = [r[0]!, r[1]!, r[2]!, r[3]!];
      const label = teacherLabel(outputs.raw.subarray(i * TDDFA_PARAMETER_COUNT, (i + 1) * TDDFA_PARAMETER_COUNT), roi, human(i), weights(i), context, labelOptions);
      pose.set(label.fit.rotation, i * LABEL_POSE_FLOATS);
      pose.set([label.fit.scale, label.fit.translation[0], label.fit.translation[1]], i * LABEL_POSE_FLOATS + 9);
      coef.set(label.fit.coefficients, i * K);
      landmarks.set(label.landmarks, i * 204);
      quality.set([label.fit.fitError, label.fit.teacherGap, label.fit.pointCount], q);
      why = label.rejected;
      if (!why) { fitErrors.push(label.fit.fitError); gaps.push(label.fit.teacherGap); }
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
    format: LABEL_SET_FORMAT, version: LABEL_SET_VERSION, dataset: source.dataset, dataDir: source.dir, count, images: names,
    frame: `pose maps the UV model (BFM, y negated) into ${source.frame}: image = scale·(R·X)[x,y] + t`,
    teacher: { file: path.basename(o.teacher), sha256: teacher.sha256 },
    correspondence: { uv: Array.from(pixels, (p) => [p % model.size, Math.floor(p / model.size)] as [number, number]), how },
    settings: { ...labelOptions, resample: o.resample },
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
  await out('teacher.npy', encodeNpy(outputs.raw, [count, TDDFA_PARAMETER_COUNT]));
  await out('roi_box.npy', encodeNpy(Float32Array.from(outputs.frameRoi), [count, 4]));
  await out('rejected.tsv', rejectedLines.join('\n') + (rejectedLines.length ? '\n' : ''));
  // labels.json last: a folder without it is an unfinished set.
  await out('labels.json', JSON.stringify(info, null, 1));
  await rm(work, { recursive: true, force: true });
  return info;
}

function median(a: number[]): number {
  if (!a.length) return NaN;
  const s = [...a].sort((x, y) => x - y);
  return s[s.length >> 1]!;
}
