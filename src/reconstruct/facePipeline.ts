/**
 * The one reconstruction pipeline: image → located faces → crops → position maps
 * (optionally flip-averaged, optionally refined by re-cropping around the predicted
 * landmarks) → per-face results. Isomorphic: the model, the UV assets and the detector are
 * injected, so Node (`PRNet`), the browser (`WebPRNet`), the CLI batch, the service and the
 * evaluation all run this same object. Callers that overlap work (the CLI batch runs the
 * network in a worker while the main thread prepares the next images) use its halves:
 * {@link FacePipeline.prepareFaces}, {@link FacePipeline.predictFaces} and
 * {@link FacePipeline.finishFaces}; {@link FacePipeline.reconstruct} is those three in a row.
 */
import type { RgbImage } from '../io/rgbImage.js';
import type { UvAssets } from '../uv/uvAssets.js';
import type { PositionMapModel } from '../model/session.js';
import type { FaceDetector } from '../face/faceDetector.js';
import { withDefaults } from '../io/withDefaults.js';
import { cropFromPrediction, PREDICTED_CROP_FACTOR, REFINE_CROP_FACTOR } from '../face/cropFromPrediction.js';
import { detectedMinRoll, landmarksRoll, UPRIGHT_MIN_ROLL } from '../face/faceRoll.js';
import type { FaceCrop } from '../face/faceCrop.js';
import { estimatePose } from '../geometry/estimatePose.js';
import { positionMapVertices } from '../uv/positionMapVertices.js';
import { restorePositionMap } from '../face/warpImage.js';
import { positionMapLandmarks } from '../uv/positionMapLandmarks.js';
import { locateFaces, type LocatedFace } from './locateFaces.js';
import { cropFaces } from './cropFaces.js';
import { restoreFaces } from './restoreFaces.js';
import { predictBatched, MAX_NETWORK_BATCH } from './predictBatched.js';
import { withFlipAveraging } from './withFlipAveraging.js';
import type { FaceOutputs, FaceResult } from './faceResult.js';

/** The injected parts of a {@link facePipeline}. */
export interface FacePipelineParts {
  /** The position-map network, whatever runs it (onnxruntime-node or -web, a worker pool, a fake). */
  model: PositionMapModel;
  /** The UV assets (topology, keypoints, canonical face, masks). */
  assets: UvAssets;
  /**
   * The face detector, or a function giving it (called on each need, so a lazy loader
   * should cache). Only used when a call gives neither `box` nor `landmarks`.
   */
  detector?: FaceDetector | (() => FaceDetector | Promise<FaceDetector>);
}

/** Options of every reconstruction call (per call, over the pipeline's own defaults). */
export interface ReconstructOptions {
  /** Face box `[x, y, w, h]`: reconstruct this face only, no detection. */
  box?: readonly [number, number, number, number];
  /** Landmarks as x, y pairs (e.g. the previous video frame's): crop around them, no detection. */
  landmarks?: ArrayLike<number>;
  /** Keep at most this many detected faces (best first). */
  maxFaces?: number;
  /** Optional per-face outputs (pose and colours by default; see {@link FaceOutputs}). */
  outputs?: Partial<FaceOutputs>;
  /**
   * Test-time flip augmentation ({@link withFlipAveraging}): average each face's map with
   * the mirrored map of its mirror image. Twice the network time; more accurate.
   */
  flipAverage: boolean;
  /**
   * Refinement passes: after each network pass, every face is cropped again around its
   * predicted 68 landmarks (`cropFromPrediction`, as the video tracker does) and run again. Each
   * pass costs one more network call.
   */
  refinePasses: number;
  /**
   * A refinement pass re-crops only the faces the previous pass saw turned by more than
   * this many degrees of yaw (0 = every face): frontal faces are cropped well by the
   * detector already, and a second run does not help them.
   */
  refineMinYaw: number;
  /** Most crops per network call (`predictBatched`): bounds the activations' memory. */
  maxBatch: number;
  /**
   * Upright crops (`faceRoll`): a detected face whose first map shows it rolled more than this
   * many degrees in its crop (the line from its eyes to its mouth) is cropped again around its
   * landmarks, turned upright, and run again; one the detector's keypoints show lying on its
   * side (past `UPRIGHT_MIN_DETECTED_ROLL`) is cropped turned from the start. Below it
   * crops stay axis-aligned, as official PRNet's. 180 turns it off. User boxes and landmarks
   * are always cropped axis-aligned, as the evaluation protocol does.
   */
  uprightMinRoll: number;
  /**
   * Smoothing of each restored position map before the mesh, landmarks and pose are read
   * from it: a Gaussian of this many texels over the face's texels (`smoothPositionMap`; 0 =
   * the network's map as it is). See {@link MAP_SMOOTHING}. Re-crops (refinement, upright
   * crops) follow the network's own landmarks, as the video tracker's crops do.
   */
  mapSmoothing: number;
}

/**
 * Default {@link ReconstructOptions.mapSmoothing}: σ = 1 texel. The light model's maps ripple
 * from texel to texel (its transposed convolutions), which shows on every mesh; measured on
 * held-out training faces (`npm run bench -- posmapSmoothing`), σ = 1 takes half of that
 * ripple out (its Laplacian, 1.15 → 0.58 % of the face size on 300 helen photos) and leaves
 * the landmarks where they were (inner-51 NME 4.065 → 4.062 %; AFLW-21 yaw-balanced
 * 6.965 → 6.964 % with detector crops, 4.521 → 4.518 % with reference crops). Wider blurs
 * leave a wider rim unsmoothed, take no more ripple out and start to cost accuracy on
 * turned faces (σ = 3: 4.536 %).
 */
export const MAP_SMOOTHING = 1;

/**
 * Defaults of {@link ReconstructOptions}: one plain pass, no flip, {@link MAX_NETWORK_BATCH}
 * crops per call; a refinement pass, when asked for, re-crops faces turned more than 45°.
 * Measured on held-out training faces (`npm run bench -- refineCrop`): refining every face
 * left 300 helen-afw68 photos no better (inner-51 NME 4.06 → 4.12 %); refining the faces
 * past 45° at {@link REFINE_CROP_FACTOR} left them unchanged and took 942 tight 120-pixel
 * AFLW-21 crops from 7.29 to 6.11 % yaw-balanced. Refinement stays off by default because
 * no held-out set has turned faces in photos with context (helen is mostly frontal, AFLW-21
 * is tight crops), and on the AFLW2000-3D fixtures, which report but do not decide, it
 * costs 5.84 → 6.63 %.
 */
export const RECONSTRUCT_DEFAULTS: ReconstructOptions = {
  flipAverage: false,
  refinePasses: 0,
  refineMinYaw: 45,
  maxBatch: MAX_NETWORK_BATCH,
  uprightMinRoll: UPRIGHT_MIN_ROLL,
  mapSmoothing: MAP_SMOOTHING,
};

function checkUprightMinRoll(degrees: number): void {
  if (!(degrees >= 0 && degrees <= 180)) throw new Error(`uprightMinRoll must be in [0, 180] degrees, got ${degrees}`);
}

/** |a − b| in degrees, the angles in radians wrapped to the nearest turn. */
function rollGap(a: number, b: number): number {
  return (Math.abs(Math.atan2(Math.sin(a - b), Math.cos(a - b))) * 180) / Math.PI;
}

/** Milliseconds spent in each stage of one reconstruction. */
export interface StageTimings {
  /** Decoding the photo (0 when the caller passed decoded pixels). */
  decode: number;
  /** Face detection (near 0 with a user box or landmarks). */
  detect: number;
  /** Cropping the faces into the network's input (refinement re-crops included). */
  crop: number;
  /** The network (every pass). */
  network: number;
  /** Position maps → vertices, landmarks and the optional outputs. */
  post: number;
}

/** What a reconstruction returns, the same in Node and in the browser. */
export interface ReconstructResult {
  /** One entry per face, best detection first; empty when none was found. */
  faces: FaceResult[];
  /** Time per stage. */
  timings: StageTimings;
}

/** One image's faces, located and cropped, waiting for the network (the first half). */
export interface PreparedFaces {
  /** The decoded image. */
  image: RgbImage;
  /** The faces found (or given), with the crops the network sees. */
  faces: LocatedFace[];
  /** NHWC float32 `[faces.length, inputSize, inputSize, 3]`, RGB in [0, 1]. */
  input: Float32Array;
  /** Per face: image → 256×256 crop affine of its position map. */
  transforms: Float64Array[];
  /** Time spent locating and cropping. */
  timings: Pick<StageTimings, 'detect' | 'crop'>;
}

/** The network's answer for a batch of {@link PreparedFaces}. */
export interface PredictedFaces {
  /** The batch as the last pass saw it: the given one, or its re-crops after refinement passes. */
  batch: PreparedFaces[];
  /** Position maps in crop pixels, the faces of `batch` in order, `256 · 256 · 3` floats each. */
  maps: Float32Array;
  /** Time spent in the network, and re-cropping between passes. */
  timings: Pick<StageTimings, 'crop' | 'network'>;
}

/** A reconstruction pipeline built by {@link facePipeline}. */
export interface FacePipeline {
  /** The position-map network (without flip averaging: that is an option). */
  readonly model: PositionMapModel;
  /** The UV assets. */
  readonly assets: UvAssets;
  /** Reconstructs the faces of a decoded image; `faces` is empty when none is found. */
  reconstruct(image: RgbImage, options?: Partial<ReconstructOptions>): Promise<ReconstructResult>;
  /** First half: locates the faces (detector, `box` or `landmarks`) and crops them for the network. */
  prepareFaces(image: RgbImage, options?: Partial<ReconstructOptions>): Promise<PreparedFaces>;
  /**
   * The middle: one network run over the faces of several images (at most `maxBatch` crops
   * per call, flip-averaged and refined as the options say). No network call when the
   * batch holds no face.
   */
  predictFaces(batch: readonly PreparedFaces[], options?: Partial<ReconstructOptions>): Promise<PredictedFaces>;
  /**
   * Second half: one image's position maps (from `maps`, starting at face `offset`) back to
   * image coordinates, then vertices, landmarks and the outputs asked for.
   */
  finishFaces(prepared: PreparedFaces, maps: Float32Array, options?: Partial<ReconstructOptions>, offset?: number): FaceResult[];
}

const now = (): number => performance.now();

/** The faces of several prepared images as one network input. */
function packInputs(batch: readonly PreparedFaces[]): { input: Float32Array; count: number } {
  const count = batch.reduce((n, p) => n + p.faces.length, 0);
  if (batch.length === 1) return { input: batch[0]!.input, count };
  const input = new Float32Array(batch.reduce((n, p) => n + p.input.length, 0));
  let o = 0;
  for (const p of batch) {
    input.set(p.input, o);
    o += p.input.length;
  }
  return { input, count };
}

/**
 * Builds the pipeline from its parts. `defaults` are the pipeline's own options, under
 * each call's.
 *
 * ```ts
 * const pipeline = facePipeline({ model, assets, detector }, { flipAverage: true });
 * const { faces, timings } = await pipeline.reconstruct(image, { outputs: { texture: true } });
 * // Overlapping work: prepare images, run the network on them together, finish each.
 * const prepared = await Promise.all(images.map((im) => pipeline.prepareFaces(im)));
 * const { batch, maps } = await pipeline.predictFaces(prepared);
 * let offset = 0;
 * for (const p of batch) { pipeline.finishFaces(p, maps, {}, offset); offset += p.faces.length; }
 * ```
 */
export function facePipeline(parts: FacePipelineParts, defaults: Partial<ReconstructOptions> = {}): FacePipeline {
  const { model, assets } = parts;
  const base = withDefaults(RECONSTRUCT_DEFAULTS, defaults);
  const settings = (options: Partial<ReconstructOptions>): ReconstructOptions => withDefaults(base, options);
  let flipped: PositionMapModel | undefined;
  // The wrapper's dispose passes through; the pipeline owns nothing.
  const network = (flip: boolean): PositionMapModel => (flip ? (flipped ??= withFlipAveraging(model)) : model);
  const detector = async (): Promise<FaceDetector | undefined> => (typeof parts.detector === 'function' ? parts.detector() : parts.detector);

  /**
   * One re-crop pass over a batch: each face for which `recrop` (given its last map in crop
   * pixels, the image → crop transform of that map, and the face) returns a new crop gets it
   * and a new network run; the others keep their crop and map. Returns whether any face was re-run.
   */
  async function recropPass(batch: PreparedFaces[], maps: Float32Array, recrop: (cropMap: Float32Array, transform: Float64Array, face: LocatedFace) => FaceCrop | undefined, net: PositionMapModel, maxBatch: number): Promise<boolean> {
    const per = assets.uvSize * assets.uvSize * 3, inPer = model.inputSize * model.inputSize * 3;
    const picks: { image: number; face: number; global: number }[] = [];
    const next = batch.map((p) => ({ ...p, faces: [...p.faces], transforms: [...p.transforms], input: p.input }));
    let offset = 0;
    next.forEach((p, pi) => {
      p.faces.forEach((face, i) => {
        const g = offset + i;
        const crop = recrop(maps.subarray(g * per, (g + 1) * per), p.transforms[i]!, face);
        if (!crop) return;
        p.faces[i] = { ...face, crop };
        picks.push({ image: pi, face: i, global: g });
      });
      offset += p.faces.length;
    });
    if (picks.length === 0) return false;
    const input = new Float32Array(picks.length * inPer);
    picks.forEach((k, j) => {
      const p = next[k.image]!;
      const { input: one, transforms } = cropFaces(p.image, [p.faces[k.face]!], model.inputSize);
      input.set(one, j * inPer);
      p.transforms[k.face] = transforms[0]!;
      if (p.input === batch[k.image]!.input) p.input = p.input.slice();
      p.input.set(one, k.face * inPer);
    });
    const fresh = await predictBatched(net, input, picks.length, maxBatch);
    picks.forEach((k, j) => maps.set(fresh.subarray(j * per, (j + 1) * per), k.global * per));
    next.forEach((p, pi) => { batch[pi] = p; });
    return true;
  }

  const pipeline: FacePipeline = {
    model,
    assets,

    async prepareFaces(image, options = {}) {
      const o = settings(options);
      checkUprightMinRoll(o.uprightMinRoll);
      const t0 = now();
      const given = Boolean(o.box || o.landmarks);
      const faces = await locateFaces(image, { box: o.box, landmarks: o.landmarks, maxFaces: o.maxFaces, uprightMinRoll: detectedMinRoll(o.uprightMinRoll), detector: given ? undefined : await detector() });
      const t1 = now();
      const { input, transforms } = cropFaces(image, faces, model.inputSize);
      return { image, faces, input, transforms, timings: { detect: t1 - t0, crop: now() - t1 } };
    },

    async predictFaces(batch, options = {}) {
      const o = settings(options);
      if (!(o.refinePasses >= 0 && Number.isInteger(o.refinePasses))) throw new Error(`refinePasses must be a whole number ≥ 0, got ${o.refinePasses}`);
      if (!(o.refineMinYaw >= 0 && o.refineMinYaw < 90)) throw new Error(`refineMinYaw must be in [0, 90) degrees, got ${o.refineMinYaw}`);
      checkUprightMinRoll(o.uprightMinRoll);
      const timings = { crop: 0, network: 0 };
      const current = [...batch];
      const { input, count } = packInputs(current);
      if (count === 0) return { batch: current, maps: new Float32Array(0), timings };
      const net = network(o.flipAverage);
      let t = now();
      const maps = await predictBatched(net, input, count, o.maxBatch);
      timings.network += now() - t;
      // A pass's checks and re-crops count as network time: it is one more network run.
      if (o.uprightMinRoll < 180) {
        // A detected face whose first map shows it rolled in its crop is cropped again around
        // its predicted landmarks, turned upright (as the video tracker crops every frame).
        t = now();
        await recropPass(current, maps, (cropMap, transform, face) => {
          if (!face.fromDetector) return undefined;
          const landmarks = restorePositionMap(positionMapLandmarks(cropMap, assets), transform);
          const roll = landmarksRoll(landmarks, 3);
          if (roll === undefined || rollGap(roll, face.crop.rotation ?? 0) <= o.uprightMinRoll) return undefined;
          // Landmarks that span no area (a network that failed on this face) keep the first map.
          try {
            return cropFromPrediction(landmarks, PREDICTED_CROP_FACTOR, o.uprightMinRoll);
          } catch {
            return undefined;
          }
        }, net, o.maxBatch);
        timings.network += now() - t;
      }
      for (let pass = 0; pass < o.refinePasses; pass++) {
        t = now();
        const rerun = await recropPass(current, maps, (cropMap, transform) => {
          const positionMap = restorePositionMap(cropMap, transform);
          if (o.refineMinYaw > 0 && !(Math.abs(estimatePose(positionMapVertices(positionMap, assets), assets.canonicalVertices).yaw) > o.refineMinYaw)) return undefined;
          return cropFromPrediction(positionMapLandmarks(positionMap, assets), REFINE_CROP_FACTOR, o.uprightMinRoll);
        }, net, o.maxBatch);
        timings.network += now() - t;
        if (!rerun) break;
      }
      return { batch: current, maps, timings };
    },

    finishFaces(prepared, maps, options = {}, offset = 0) {
      const o = settings(options);
      if (!(o.mapSmoothing >= 0 && Number.isFinite(o.mapSmoothing))) throw new Error(`mapSmoothing must be a number ≥ 0 (texels), got ${o.mapSmoothing}`);
      return restoreFaces(prepared.image, assets, prepared.faces, prepared.transforms, maps, o.outputs, offset, o.mapSmoothing);
    },

    async reconstruct(image, options = {}) {
      const prepared = await pipeline.prepareFaces(image, options);
      const timings: StageTimings = { decode: 0, detect: prepared.timings.detect, crop: prepared.timings.crop, network: 0, post: 0 };
      if (prepared.faces.length === 0) return { faces: [], timings };
      const predicted = await pipeline.predictFaces([prepared], options);
      timings.crop += predicted.timings.crop;
      timings.network = predicted.timings.network;
      const t = now();
      const faces = pipeline.finishFaces(predicted.batch[0]!, predicted.maps, options);
      timings.post = now() - t;
      return { faces, timings };
    },
  };
  return pipeline;
}
