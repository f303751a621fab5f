import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { npyToFloat64, readNpy } from '../../../io/npy.js';
import type { UvMorphableModel } from '../../../labels/uvMorphableModel.js';
import type { FittedPose } from '../../../labels/aflwMeanFace/fitPose.js';
import { decodeUvMorphableModel } from './uvMorphableModelFile.js';

/** Format name and version written into `labels.json`. */
export const LABEL_SET_FORMAT = 'prnet-teacher-labels';
export const LABEL_SET_VERSION = 1;

/** Per-face floats of `pose.npy`: rotation (9, row-major), scale, tx, ty. */
export const LABEL_POSE_FLOATS = 12;
/** Per-face floats of `quality.npy`: fit error, teacher gap (both ÷ face size), annotated points, rejected (0/1). */
export const LABEL_QUALITY_FLOATS = 4;

/** `labels.json`. */
export interface LabelSetInfo {
  format: typeof LABEL_SET_FORMAT;
  version: number;
  /** `aflw21` or `helen-afw68`. */
  dataset: string;
  /** The data set's folder (absolute) when the set was made. */
  dataDir: string;
  /** Faces, in the data set's `images.txt` order. */
  count: number;
  /** Image names in order. */
  images: string[];
  /** What the pose maps into: the data set's image frame. */
  frame: string;
  /** Teacher file and sha256. */
  teacher: { file: string; sha256: string };
  /** The human points' UV pixels `[u, v]` on the model, and how they were chosen. */
  correspondence: { uv: [number, number][]; how: string };
  /** Fit and rejection settings. */
  settings: Record<string, unknown>;
  /** Counts and medians. */
  summary: Record<string, unknown>;
}

/** A label set as training reads it. */
export interface LabelSet {
  info: LabelSetInfo;
  model: UvMorphableModel;
  /** `count × 12`. */
  pose: Float64Array;
  /** `count × K`. */
  coefficients: Float64Array;
  /** `count × 68 × 3`. */
  landmarks: Float64Array;
  /** `count × 4`. */
  quality: Float64Array;
}

/**
 * Reads a label set written by `prnet label` (`labels.json`, `uv-model.bin`, `pose.npy`,
 * `coefficients.npy`, `landmarks68.npy`, `quality.npy`; `teacher.npy`, `roi_box.npy` and
 * `rejected.tsv` are for people and other tools). Every missing or mis-shaped file
 * is one error naming it.
 *
 * ```ts
 * const labels = await readLabelSet('runs/labels-aflw21');
 * ```
 */
export async function readLabelSet(dir: string): Promise<LabelSet> {
  const read = async (name: string) => {
    try {
      return new Uint8Array(await readFile(path.join(dir, name)));
    } catch (err) {
      throw new Error(`label set ${dir}: cannot read ${name} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); make it with prnet label`);
    }
  };
  const info = JSON.parse(new TextDecoder().decode(await read('labels.json'))) as LabelSetInfo;
  if (info.format !== LABEL_SET_FORMAT) throw new Error(`${path.join(dir, 'labels.json')}: not a prnet label set`);
  if (info.version !== LABEL_SET_VERSION) throw new Error(`${path.join(dir, 'labels.json')}: version ${info.version}, this prnet reads ${LABEL_SET_VERSION}`);
  const model = decodeUvMorphableModel(await read('uv-model.bin'), path.join(dir, 'uv-model.bin'));
  const K = model.shapeCount + model.expressionCount;
  const arr = async (name: string, per: number) => {
    const a = readNpy(await read(name), path.join(dir, name));
    if (a.data.length !== info.count * per) throw new Error(`${path.join(dir, name)}: expected ${info.count}×${per} values, got ${a.data.length}`);
    return npyToFloat64(a);
  };
  return {
    info, model,
    pose: await arr('pose.npy', LABEL_POSE_FLOATS),
    coefficients: await arr('coefficients.npy', K),
    landmarks: await arr('landmarks68.npy', 68 * 3),
    quality: await arr('quality.npy', LABEL_QUALITY_FLOATS),
  };
}

/**
 * The first `count` faces of a label set as training poses: rotation, scale and translation,
 * the coefficients as the deformation, and an infinite error for a face the set left out
 * (so training's fit-error test leaves it out too).
 *
 * ```ts
 * const poses = labelSetPoses(await readLabelSet('runs/labels'), 19080);
 * ```
 */
export function labelSetPoses(labels: LabelSet, count = labels.info.count): FittedPose[] {
  const K = labels.model.shapeCount + labels.model.expressionCount;
  const poses: FittedPose[] = [];
  for (let i = 0; i < count; i++) {
    const p = labels.pose.subarray(i * LABEL_POSE_FLOATS, (i + 1) * LABEL_POSE_FLOATS);
    poses.push({
      rotation: Float64Array.from(p.subarray(0, 9)), scale: p[9]!, translation: [p[10]!, p[11]!],
      deformation: Float64Array.from(labels.coefficients.subarray(i * K, (i + 1) * K)),
      rmse: labels.quality[i * LABEL_QUALITY_FLOATS + 3] ? Infinity : 0,
    });
  }
  return poses;
}
