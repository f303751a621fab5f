/**
 * What one queue job of `prnet enqueue` / `prnet worker` carries, and its check.
 * Isomorphic: the job is plain JSON in Redis.
 */
import { TEXTURE_MODES, type TextureMode } from '../reconstruct/faceResult.js';
import { OUTPUT_KINDS, type OutputKind } from '../io/outputKinds.js';
import { ALIGNMENT_TEMPLATES, ALIGNED_FACE_MAX_SIZE, alignedFaceSize, type AlignmentTemplate } from '../face/alignedFaceTransform.js';

/** Output kinds a job may ask for (the same as `prnet reconstruct --outputs`). */
export const JOB_OUTPUT_KINDS = OUTPUT_KINDS;
/** One of {@link JOB_OUTPUT_KINDS}. */
export type JobOutputKind = OutputKind;

/** One image to reconstruct: where it is, where its files go, which files. */
export interface ReconstructJob {
  /** The image: a file path every worker can read (shared storage), or an http(s) URL. */
  input: string;
  /** Absolute output folder on shared storage. */
  outDir: string;
  /** Base of the file names inside `outDir` (as `prnet reconstruct` names them). */
  base: string;
  /** Files to write. */
  outputs: JobOutputKind[];
  /** UV texture of hidden face parts. */
  texture: TextureMode;
  /** At most this many faces. */
  maxFaces?: number;
  /** `aligned` outputs: which aligned face picture (ArcFace's 112×112 when left out). */
  align?: { template: AlignmentTemplate; size?: number };
  /** The camera's vertical field of view for the perspective pose, degrees (left out: the photo's EXIF lens, else 63). */
  fovY?: number;
  /** Meshes in each face's perspective camera space, metres (as `prnet reconstruct --camera-space`). */
  cameraSpace?: boolean;
}

/**
 * Checks job data read back from the queue; throws one line naming the first problem
 * (such a job fails for good: retrying cannot fix it).
 *
 * ```ts
 * const job = reconstructJob(bullJob.data);
 * ```
 */
export function reconstructJob(data: unknown): ReconstructJob {
  const d = (data ?? {}) as Record<string, unknown>;
  const str = (k: string): string => {
    if (typeof d[k] !== 'string' || d[k] === '') throw new Error(`job data: "${k}" must be a non-empty string`);
    return d[k] as string;
  };
  const input = str('input');
  const outDir = str('outDir');
  const base = str('base');
  if (base.split('/').some((p) => p === '..' || p === '') || base.startsWith('/')) throw new Error(`job data: "base" must be a relative name without "..", got ${JSON.stringify(base)}`);
  const outputs = d.outputs;
  if (!Array.isArray(outputs) || outputs.length === 0 || !outputs.every((k) => (JOB_OUTPUT_KINDS as readonly unknown[]).includes(k))) {
    throw new Error(`job data: "outputs" must be a non-empty list of ${JOB_OUTPUT_KINDS.join(', ')}`);
  }
  const texture = d.texture ?? 'filled';
  if (!(TEXTURE_MODES as readonly unknown[]).includes(texture)) throw new Error(`job data: "texture" must be one of ${TEXTURE_MODES.join(', ')}`);
  const maxFaces = d.maxFaces;
  if (maxFaces !== undefined && !(Number.isInteger(maxFaces) && (maxFaces as number) >= 1)) throw new Error('job data: "maxFaces" must be an integer ≥ 1');
  const align = d.align as Record<string, unknown> | undefined;
  if (align !== undefined) {
    // The alignment's own check of template and size, not a second copy of its rules.
    let ok = typeof align === 'object' && align !== null;
    try {
      if (ok) alignedFaceSize({ template: align.template as AlignmentTemplate, size: align.size as number | undefined });
    } catch {
      ok = false;
    }
    if (!ok) throw new Error(`job data: "align" must be { template: ${ALIGNMENT_TEMPLATES.join(' | ')}, size?: an integer from 8 to ${ALIGNED_FACE_MAX_SIZE} }`);
  }
  const fovY = d.fovY;
  if (fovY !== undefined && !(typeof fovY === 'number' && fovY > 0 && fovY < 180)) throw new Error('job data: "fovY" must be a field of view in degrees, between 0 and 180');
  const cameraSpace = d.cameraSpace;
  if (cameraSpace !== undefined && typeof cameraSpace !== 'boolean') throw new Error('job data: "cameraSpace" must be true or false');
  return {
    input, outDir, base, outputs: outputs as JobOutputKind[], texture: texture as TextureMode,
    ...(fovY !== undefined ? { fovY: fovY as number } : {}),
    ...(cameraSpace ? { cameraSpace: true } : {}),
    ...(maxFaces !== undefined ? { maxFaces: maxFaces as number } : {}),
    ...(align !== undefined ? { align: { template: align.template as AlignmentTemplate, ...(align.size !== undefined ? { size: align.size as number } : {}) } } : {}),
  };
}
