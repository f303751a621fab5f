/**
 * Face tracking through a video for the position-map network: detect on the first frame
 * and when a face is lost, otherwise crop each face from its 68 landmarks of the previous
 * frame (`cropFromPrediction`, the crop the refinement pass uses); faces keep stable ids,
 * matched to detections by box overlap; position maps are smoothed per face with a
 * {@link oneEuroFilter}, so landmarks, mesh and pose are smoothed together. Pure and
 * isomorphic: the caller brings the model, the detector and the UV assets.
 */
import { smoothPositionMap } from '../uv/smoothPositionMap.js';
import { MAP_SMOOTHING } from '../reconstruct/facePipeline.js';
import type { RgbImage } from '../io/rgbImage.js';
import type { UvAssets } from '../uv/uvAssets.js';
import type { PositionMapModel } from '../model/session.js';
import type { DetectedFace, FaceDetector } from '../face/faceDetector.js';
import type { FaceCrop } from '../face/faceCrop.js';
import { detectedMinRoll, UPRIGHT_MIN_ROLL } from '../face/faceRoll.js';
import { cropFromPrediction } from '../face/cropFromPrediction.js';
import { cropFromDetection } from '../face/cropFromDetection.js';
import { restorePositionMap } from '../face/warpImage.js';
import { positionMapLandmarks } from '../uv/positionMapLandmarks.js';
import { cropFaces } from '../reconstruct/cropFaces.js';
import { predictBatched } from '../reconstruct/predictBatched.js';
import { faceResult, type FaceOutputs, type FaceResult } from '../reconstruct/faceResult.js';
import { MIN_BOX_INSIDE_FRACTION, type LocatedFace } from '../reconstruct/locateFaces.js';
import { withDefaults } from '../io/withDefaults.js';
import { oneEuroFilter, type OneEuroFilter, type OneEuroFilterOptions } from './oneEuroFilter.js';
import { boxOverlap } from './boxOverlap.js';
import { pointsBox } from '../geometry/pointsBounds.js';
import { smoothFaceResult } from './smoothFaceResult.js';
import { frameSignature, type FrameSignature } from './frameSignature.js';
import { sceneCut, type SceneCutOptions } from './sceneCut.js';
import { dissolveHistoryLength, dissolveSpan, type DissolveOptions } from './dissolve.js';

import { cropContrast, MIN_CROP_CONTRAST } from './cropContrast.js';

/** Frames a cut waits for the shot from before to come back (a camera flash lasts one or two frames at 25–30 fps). */
export const FLASH_FRAMES = 3;

/** What the tracker runs on. */
export interface FaceTrackerParts {
  /** The position-map network. */
  model: PositionMapModel;
  /** UV assets (keypoints, topology, canonical face for the pose). */
  assets: UvAssets;
  /** Detector for the first frame, lost faces and the periodic search for new ones. */
  detector: FaceDetector;
}

/** Options of {@link faceTracker}. */
export interface FaceTrackerOptions {
  /** Most faces tracked at once (the detector's best first). */
  maxFaces?: number;
  /**
   * Run the detector every this many frames even when no face is lost, to find faces that
   * entered the picture and to check the tracked ones (0: only on the first frame and after a loss).
   */
  detectEvery?: number;
  /** Least crop overlap (intersection over union) for a detection to be the same face as a track. */
  minOverlap?: number;
  /**
   * A face is lost when its crop grows or shrinks by more than this factor from one frame to
   * the next, or its centre moves by more than `maxJump` crop sizes: the network followed
   * something that is not the face.
   */
  maxSizeChange?: number;
  /** See `maxSizeChange`: largest move of the crop centre per frame, in crop sizes. */
  maxJump?: number;
  /** A tracked face the periodic detection does not see for this many detections in a row is dropped. */
  maxMisses?: number;
  /** Smooth the position maps over time (One Euro filter; `false` for the raw network output). */
  smooth?: boolean;
  /** Filter parameters (see {@link OneEuroFilterOptions}); speeds are in crop sizes per second. */
  filter?: OneEuroFilterOptions;
  /** Estimate each face's pose (a similarity fit of 43,867 vertices; about a millisecond). */
  pose?: boolean;
  /** Further outputs of each face (vertex colours, texture…; see {@link FaceOutputs}); `pose` above wins over `outputs.pose`. */
  outputs?: Partial<FaceOutputs>;
  /**
   * Crop each face from its previous frame's landmarks (`true`, the tracker) or run the
   * detector on every frame and crop from its boxes (`false`; faces still keep their ids and
   * smoothing filters by box overlap).
   */
  trackLandmarks?: boolean;
  /**
   * Upright crops (see `faceRoll`): between detections a face whose previous frame shows it
   * rolled more than this many degrees is cropped turned with it, so a head tilting over onto
   * its side is followed; a new face the detector's keypoints show rolled past
   * `UPRIGHT_MIN_DETECTED_ROLL` (or this, if larger) is cropped turned from the start. 180:
   * never, axis-aligned crops throughout. (With `trackLandmarks: false` crops come from the
   * detector alone, so only the second rule applies.)
   */
  uprightMinRoll?: number;
  /**
   * Scene cuts (see {@link sceneCut}): a frame that starts a new shot drops every tracked face
   * and runs the detector, so a face is not followed into the next shot (a phantom on
   * whatever its crop then holds, or a new person under the old id, smoothed into the old
   * face). Thresholds, or `false` to follow faces across cuts.
   */
  sceneCut?: SceneCutOptions | false;
  /**
   * Cross-dissolves (see {@link dissolveSpan}): the last frame of a gradual change from one
   * shot to another, which no two consecutive frames show, drops every tracked face as a
   * cut does. Thresholds, or `false` to follow faces through dissolves (`sceneCut: false`
   * turns both off).
   */
  dissolve?: DissolveOptions | false;
  /**
   * A cut followed, within this many frames, by a frame of the shot from before (no cut
   * between the two) was a camera flash or a glitch, not a new shot: the faces of before
   * come back with their ids and smoothing, and those found on the odd frames are dropped.
   * 0: every cut is a new shot.
   */
  flashFrames?: number;
  /**
   * A tracked face whose crop's grey levels vary less than this (standard deviation, 0–255;
   * see {@link cropContrast}) is lost: a black or flat frame, the end of a fade to black, a
   * covered camera. 0 turns the check off.
   */
  minCropContrast?: number;
  /**
   * Spatial smoothing of each restored position map, texels (see `ReconstructOptions.mapSmoothing`).
   * Off by default here: the One Euro filter already smooths each face over time, the
   * landmarks and pose do not gain from it (`npm run bench -- posmapSmoothing`), and it
   * costs about 2 ms a frame per face (65–68 against 52–59 fps in `prnet video`). Worth it
   * where the mesh itself is shown or kept (`prnet video --meshes`, the demo's 3D view): use {@link MAP_SMOOTHING}.
   */
  mapSmoothing?: number;
}

/** Defaults of {@link FaceTrackerOptions}. */
export const FACE_TRACKER_DEFAULTS = {
  maxFaces: 4,
  detectEvery: 30,
  minOverlap: 0.3,
  maxSizeChange: 1.5,
  maxJump: 0.5,
  maxMisses: 2,
  smooth: true,
  filter: {} as OneEuroFilterOptions,
  pose: true,
  outputs: {} as Partial<FaceOutputs>,
  trackLandmarks: true,
  uprightMinRoll: UPRIGHT_MIN_ROLL,
  sceneCut: {} as SceneCutOptions | false,
  dissolve: {} as DissolveOptions | false,
  flashFrames: FLASH_FRAMES,
  minCropContrast: MIN_CROP_CONTRAST,
  mapSmoothing: 0,
};

/** One tracked face in one frame: a {@link FaceResult} (smoothed when smoothing is on) with an id. */
export interface TrackedFace extends FaceResult {
  /** Stable id: the same face keeps it from frame to frame; a lost and found face gets a new one. */
  id: number;
  /** Whether this frame's crop came from the detector (first frame of a face) rather than from tracking. */
  detected: boolean;
}

/** What {@link FaceTracker.track} returns for a frame. */
export interface TrackedFrame {
  /** The time given with the frame, seconds. */
  time: number;
  /** The faces, by id. */
  faces: TrackedFace[];
  /** Whether the detector ran on this frame. */
  detected: boolean;
}

/** Counts since the tracker started. */
export interface FaceTrackerStats {
  /** Frames tracked. */
  frames: number;
  /** Frames the detector ran on. */
  detections: number;
  /** Faces started (ids given out). */
  started: number;
  /** Faces lost (tracking failed, the detector stopped seeing them, or a scene cut). */
  lost: number;
  /** Scene cuts found, cross-dissolves included (see {@link FaceTrackerOptions.sceneCut}). */
  cuts: number;
  /** Of {@link cuts}, the cross-dissolves (see {@link FaceTrackerOptions.dissolve}). */
  dissolves: number;
  /** Flashes: cuts undone by a return to the shot from before (see {@link FaceTrackerOptions.flashFrames}); not in {@link cuts}. */
  flashes: number;
}

/**
 * A frame whose network has run ({@link FaceTracker.predict}): each face's raw landmarks are
 * known and the tracks have moved on to the next frame's crops, but the faces (smoothing,
 * mesh, pose) are not built yet ({@link FaceTracker.finish}).
 */
export interface PredictedFrame {
  /** The time given with the frame, seconds. */
  time: number;
  /** The frame. */
  image: RgbImage;
  /** Whether the detector ran on this frame. */
  detected: boolean;
  /** The faces kept, in crop coordinates, with what building them needs. */
  faces: PredictedFace[];
}

/** One face of a {@link PredictedFrame}. */
interface PredictedFace {
  id: number;
  detected: boolean;
  score: number;
  crop: FaceCrop;
  cropTransform: Float64Array;
  /** The network's position map, crop coordinates. */
  cropMap: Float32Array;
  /** Raw landmarks, image coordinates. */
  landmarks: Float32Array;
  filter: OneEuroFilter | undefined;
}

/** Options of one {@link FaceTracker.predict} call. */
export interface PredictOptions {
  /**
   * This frame's detections, when the caller has already started them (the detector's
   * `detect(image)` of this very frame): used if the frame is due for detection, ignored
   * otherwise. With `trackLandmarks: false` every frame is due, so a caller can run frame
   * k + 1's detection while frame k's network runs elsewhere (the browser demo does, with the
   * network in a worker) instead of after it.
   */
  detections?: Promise<readonly DetectedFace[]> | readonly DetectedFace[];
}

/** A running tracker. */
export interface FaceTracker {
  /** Tracks the faces of the next frame, taken at `time` seconds: `finish(await predict(image, time))`. */
  track(image: RgbImage, time: number): Promise<TrackedFrame>;
  /**
   * The first half of {@link track}: detection when due, the crops, the network, the raw
   * landmarks that place the next frame's crops. Video files call it for frame k + 1 before
   * {@link finish} of frame k, so that frame k's faces are built while the network runs
   * (when the model runs off the main thread, as `loadWorkerModel`'s does).
   */
  predict(image: RgbImage, time: number, options?: PredictOptions): Promise<PredictedFrame>;
  /**
   * The second half of {@link track}: restores, smooths and builds the faces of a predicted
   * frame. Call it once per predicted frame, in order: the smoothing filters run through the frames.
   */
  finish(frame: PredictedFrame): TrackedFrame;
  /** Counts so far. */
  stats(): FaceTrackerStats;
}

interface Track {
  id: number;
  crop: FaceCrop;
  /** Raw (unsmoothed) landmarks of the last frame, 68 × 3: the next crop comes from them. */
  landmarks: Float32Array | undefined;
  filter: OneEuroFilter | undefined;
  misses: number;
  detected: boolean;
  score: number;
}

/** The square of a crop as a box `[x, y, w, h]`. */
function cropBox(crop: FaceCrop): [number, number, number, number] {
  return [crop.center[0] - crop.size / 2, crop.center[1] - crop.size / 2, crop.size, crop.size];
}

/** Fraction of a box inside the image. */
function insideFraction(box: readonly number[], image: RgbImage): number {
  const [x, y, w, h] = box as [number, number, number, number];
  if (!(w > 0 && h > 0)) return 0;
  const iw = Math.max(0, Math.min(x + w, image.width) - Math.max(x, 0));
  const ih = Math.max(0, Math.min(y + h, image.height) - Math.max(y, 0));
  return (iw * ih) / (w * h);
}

/**
 * Creates a tracker.
 *
 * ```ts
 * const tracker = faceTracker({ model, assets, detector }, { maxFaces: 2 });
 * for await (const { image, time } of frames) {
 *   const { faces } = await tracker.track(image, time);
 *   for (const face of faces) console.log(face.id, face.landmarks.subarray(0, 3), face.pose?.yaw);
 * }
 * console.log(tracker.stats()); // { frames, detections, started, lost }
 * ```
 */
export function faceTracker(parts: FaceTrackerParts, options: FaceTrackerOptions = {}): FaceTracker {
  const o = withDefaults(FACE_TRACKER_DEFAULTS, options);
  if (!(Number.isInteger(o.maxFaces) && o.maxFaces >= 1)) throw new Error(`faceTracker: maxFaces must be a positive integer, got ${o.maxFaces}`);
  if (!(Number.isInteger(o.detectEvery) && o.detectEvery >= 0)) throw new Error(`faceTracker: detectEvery must be an integer ≥ 0, got ${o.detectEvery}`);
  const { model, assets, detector } = parts;
  const stats: FaceTrackerStats = { frames: 0, detections: 0, started: 0, lost: 0, cuts: 0, dissolves: 0, flashes: 0 };
  /** The previous frame's summary, for scene cuts. */
  let lastSignature: FrameSignature | undefined;
  /** The last frames' signatures, for dissolves (since the last cut). */
  const recent: FrameSignature[] = [];
  const recentLength = o.dissolve === false ? 1 : dissolveHistoryLength(o.dissolve);
  /** The faces a cut set aside, with the frame before it, until `until`: in case the cut was a flash. */
  let held: { tracks: Track[]; signature: FrameSignature; until: number } | undefined;
  let tracks: Track[] = [];
  let nextId = 0;
  let needDetect = true;
  const newTrack = (crop: FaceCrop, score: number): Track => {
    stats.started++;
    return { id: nextId++, crop, landmarks: undefined, filter: o.smooth ? oneEuroFilter(o.filter) : undefined, misses: 0, detected: true, score };
  };

  async function detect(image: RgbImage, given: PredictOptions['detections']): Promise<void> {
    stats.detections++;
    const found = (await (given ?? detector.detect(image))).slice(0, o.maxFaces).map((d) => ({ crop: cropFromDetection(d.box, d.keypoints, detectedMinRoll(o.uprightMinRoll)), score: d.score }));
    // Greedy matching, best overlap first.
    const pairs: { t: number; d: number; overlap: number }[] = [];
    tracks.forEach((track, t) => found.forEach((det, d) => {
      const overlap = boxOverlap(cropBox(track.crop), cropBox(det.crop));
      if (overlap >= o.minOverlap) pairs.push({ t, d, overlap });
    }));
    pairs.sort((a, b) => b.overlap - a.overlap);
    const trackMatched = new Set<number>(), detMatched = new Set<number>();
    for (const { t, d } of pairs) {
      if (trackMatched.has(t) || detMatched.has(d)) continue;
      trackMatched.add(t);
      detMatched.add(d);
      if (!o.trackLandmarks) {
        tracks[t]!.crop = found[d]!.crop;
        tracks[t]!.score = found[d]!.score;
      }
    }
    const kept: Track[] = [];
    tracks.forEach((track, t) => {
      if (trackMatched.has(t)) {
        track.misses = 0;
        kept.push(track);
      } else if (o.trackLandmarks && track.landmarks && ++track.misses < o.maxMisses) {
        kept.push(track);
      } else {
        stats.lost++;
      }
    });
    tracks = kept;
    for (let d = 0; d < found.length && tracks.length < o.maxFaces; d++) {
      if (!detMatched.has(d)) tracks.push(newTrack(found[d].crop, found[d].score));
    }
  }

  async function predict(image: RgbImage, time: number, options: PredictOptions = {}): Promise<PredictedFrame> {
    const frame = stats.frames++;
    if (o.sceneCut !== false) {
      const signature = frameSignature(image);
      recent.push(signature);
      if (recent.length > recentLength) recent.shift();
      const cut = lastSignature !== undefined && sceneCut(lastSignature, signature, o.sceneCut);
      const dissolve = !cut && o.dissolve !== false && dissolveSpan(recent, { ...o.dissolve, cut: o.sceneCut }) > 0;
      if (held && frame > held.until) held = undefined;
      const back = cut && held !== undefined && !sceneCut(held.signature, signature, o.sceneCut);
      if (back) {
        // The shot from before the last cut is back: that cut was a flash. Its faces return.
        stats.cuts--;
        stats.flashes++;
        stats.lost += tracks.length - held!.tracks.length;
        tracks = held!.tracks;
        held = undefined;
      } else if (cut || dissolve) {
        stats.cuts++;
        if (dissolve) stats.dissolves++;
        held = cut && o.flashFrames > 0 ? { tracks, signature: lastSignature!, until: frame + o.flashFrames } : undefined;
        stats.lost += tracks.length;
        tracks = [];
      }
      if (back || cut || dissolve) {
        // The shot starts (or starts again) here: no span reaches back across the change.
        recent.length = 0;
        recent.push(signature);
      }
      lastSignature = signature;
    }
    const runDetect = needDetect || tracks.length === 0 || !o.trackLandmarks || (o.detectEvery > 0 && frame % o.detectEvery === 0);
    needDetect = false;
    // Detections the caller started for a frame not due for them: theirs to drop, not an unhandled rejection.
    if (!runDetect && options.detections) void Promise.resolve(options.detections).catch(() => undefined);
    for (const track of tracks) {
      track.detected = false;
      if (track.landmarks) track.crop = cropFromPrediction(track.landmarks, undefined, o.uprightMinRoll);
    }
    if (runDetect) await detect(image, options.detections);
    if (tracks.length === 0) return { time, image, faces: [], detected: runDetect };
    const located: LocatedFace[] = tracks.map((t) => ({ box: cropBox(t.crop), score: t.score, crop: t.crop }));
    const { input, count, transforms } = cropFaces(image, located, model.inputSize);
    // Before the network: the worker may take the batch.
    const flat = tracks.map((_, i) => o.minCropContrast > 0 && cropContrast(input, i, model.inputSize) < o.minCropContrast);
    const maps = await predictBatched(model, input, count);
    const per = assets.uvSize * assets.uvSize * 3;
    const faces: PredictedFace[] = [];
    const kept: Track[] = [];
    tracks.forEach((track, i) => {
      const cropMap = maps.subarray(i * per, (i + 1) * per);
      // Only the 68 landmarks are restored here: the next crop needs no more.
      const landmarks = restorePositionMap(positionMapLandmarks(cropMap, assets), transforms[i]);
      const box = pointsBox(landmarks, 3);
      let lost = flat[i]! || !landmarks.every(Number.isFinite) || !(box[2] > 0 && box[3] > 0) || insideFraction(box, image) < MIN_BOX_INSIDE_FRACTION;
      if (!lost) {
        const next = cropFromPrediction(landmarks, undefined, o.uprightMinRoll);
        const change = next.size / track.crop.size;
        const jump = Math.hypot(next.center[0] - track.crop.center[0], next.center[1] - track.crop.center[1]) / track.crop.size;
        lost = change > o.maxSizeChange || change < 1 / o.maxSizeChange || jump > o.maxJump;
      }
      if (lost) {
        stats.lost++;
        needDetect = true;
        return;
      }
      track.landmarks = landmarks;
      faces.push({ id: track.id, detected: track.detected, score: track.score, crop: track.crop, cropTransform: transforms[i], cropMap, landmarks, filter: track.filter });
      kept.push(track);
    });
    // Two tracks that converged on one face: keep the older.
    tracks = kept.filter((track, i) => !kept.some((other, j) => j !== i && other.id < track.id && boxOverlap(cropBox(other.crop), cropBox(track.crop)) > 0.5));
    const ids = new Set(tracks.map((t) => t.id));
    return { time, image, faces: faces.filter((f) => ids.has(f.id)), detected: runDetect };
  }

  function finish(frame: PredictedFrame): TrackedFrame {
    const { image, time } = frame;
    // No colours unless asked (faceResult's own default has them): `prnet video` does not need them.
    const outputs = { colors: false, ...o.outputs, pose: o.pose };
    const faces = frame.faces.map((face): TrackedFace => {
      const positionMap = restorePositionMap(face.cropMap, face.cropTransform);
      if (o.mapSmoothing > 0) smoothPositionMap(positionMap, assets.uvSize, { sigma: o.mapSmoothing, mask: assets.faceMask, out: positionMap });
      const input = { positionMap, box: pointsBox(face.landmarks, 3), score: face.score, crop: face.crop, cropTransform: face.cropTransform };
      // The restored map is the tracker's own: smoothing may write into it.
      const result = face.filter ? smoothFaceResult(image, assets, input, face.filter, time, { outputs, overwrite: true }) : faceResult(image, assets, input, outputs);
      return { ...result, id: face.id, detected: face.detected };
    });
    return { time, faces, detected: frame.detected };
  }

  return {
    stats: () => ({ ...stats }),
    predict,
    finish,
    async track(image, time) {
      return finish(await predict(image, time));
    },
  };
}
