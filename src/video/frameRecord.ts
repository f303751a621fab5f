/**
 * One line of `faces.ndjson`: what the tracker found in one frame, as plain JSON.
 */
import type { TrackedFrame } from './faceTracker.js';

/** One face in a {@link FrameRecord}. */
export interface FaceRecord {
  /** Stable face id (see `TrackedFace.id`). */
  id: number;
  /** Whether the detector placed this face's crop in this frame (else tracking did). */
  detected: boolean;
  /** Bounding box of the 68 landmarks `[x, y, w, h]`, pixels. */
  box: [number, number, number, number];
  /** 68 landmarks `[x, y, z]`, pixels (x right, y down, z toward the viewer). */
  landmarks: [number, number, number][];
  /** Head pose, degrees, and the 3×4 camera (canonical face → image, row-major). */
  pose?: { yaw: number; pitch: number; roll: number; cameraMatrix: number[] };
  /** The head pose for a perspective camera (`perspectivePose`): face → camera 4×4, column-major, metres (to the micrometre), and the field of view it assumes. */
  camera?: { matrix: number[]; fovY: number };
}

/** One frame: its index, its time in seconds, and its faces. */
export interface FrameRecord {
  frame: number;
  time: number;
  faces: FaceRecord[];
}

const round = (v: number, digits: number) => {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
};

/**
 * The JSON record of a tracked frame (coordinates to 0.01 px, angles to 0.01°).
 *
 * ```ts
 * out.write(JSON.stringify(frameRecord(index, await tracker.track(image, time))) + '\n');
 * ```
 */
export function frameRecord(frame: number, tracked: TrackedFrame): FrameRecord {
  return {
    frame,
    time: round(tracked.time, 6),
    faces: tracked.faces.map((f) => {
      const landmarks: [number, number, number][] = [];
      for (let i = 0; i < f.landmarks.length; i += 3) landmarks.push([round(f.landmarks[i], 2), round(f.landmarks[i + 1], 2), round(f.landmarks[i + 2], 2)]);
      const record: FaceRecord = { id: f.id, detected: f.detected, box: f.box.map((v) => round(v, 2)) as FaceRecord['box'], landmarks };
      if (f.pose) record.pose = { yaw: round(f.pose.yaw, 2), pitch: round(f.pose.pitch, 2), roll: round(f.pose.roll, 2), cameraMatrix: Array.from(f.pose.cameraMatrix, (v) => round(v, 5)) };
      if (f.camera) record.camera = { matrix: Array.from(f.camera.matrix, (v) => round(v, 6)), fovY: f.camera.fovY };
      return record;
    }),
  };
}
