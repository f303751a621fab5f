import type { MatFile } from '../io/mat.js';
import { matNumericVariable } from '../io/matValues.js';
import { LANDMARK_COUNT } from '../uv/parseKeypointIndices.js';

/** Head pose angles in degrees. */
export interface PoseAngles {
  pitch: number;
  yaw: number;
  roll: number;
}

/** The ground truth of one AFLW2000-3D image that the evaluation uses. */
export interface Aflw2000GroundTruth {
  /** `pt3d_68` as 68×3 row-major (x, y, z), image pixels; z toward the viewer. */
  landmarks: Float64Array;
  /** `Pose_Para[0..2]` (pitch, yaw, roll) in degrees, in the dataset's own convention. */
  pose: PoseAngles;
  /**
   * `pt2d` (2×21), the AFLW annotation the benchmark's 3DMM fit was made from, as 21×2 x y
   * pairs; NaN where a point was not annotated (AFLW's −1). Absent when the file lacks it.
   */
  points21?: Float64Array;
}

const DEG = 180 / Math.PI;

/**
 * Reads the fields the evaluation needs from an AFLW2000-3D `.mat` file: `pt3d_68`
 * (3×68) transposed to 68×3 points, and the pose from `Pose_Para` (1×7: pitch, yaw,
 * roll in radians, then translation and scale).
 *
 * ```ts
 * const gt = aflw2000GroundTruth(parseMat(bytes, { inflate }), 'image00002.mat');
 * ```
 */
export function aflw2000GroundTruth(mat: MatFile, fileName = 'MAT-file'): Aflw2000GroundTruth {
  const pts = matNumericVariable(mat, 'pt3d_68', [3, LANDMARK_COUNT], fileName).data;
  const pose = matNumericVariable(mat, 'Pose_Para', [1, 7], fileName).data;
  const landmarks = new Float64Array(LANDMARK_COUNT * 3);
  for (let i = 0; i < LANDMARK_COUNT; i++) for (let c = 0; c < 3; c++) landmarks[3 * i + c] = pts[c * LANDMARK_COUNT + i]!;
  if (!landmarks.every(Number.isFinite)) throw new Error(`${fileName}: pt3d_68 has non-finite values`);
  let points21: Float64Array | undefined;
  if (mat.variables['pt2d']) {
    const p = matNumericVariable(mat, 'pt2d', [2, 21], fileName).data;
    points21 = new Float64Array(42);
    for (let j = 0; j < 21; j++) {
      const x = p[j]!, y = p[21 + j]!;
      const seen = x >= 0 && y >= 0;
      points21[j * 2] = seen ? x : NaN; points21[j * 2 + 1] = seen ? y : NaN;
    }
  }
  return { landmarks, pose: { pitch: pose[0]! * DEG, yaw: pose[1]! * DEG, roll: pose[2]! * DEG }, ...(points21 ? { points21 } : {}) };
}
