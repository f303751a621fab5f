import type { ImageEvaluation } from './evaluateAflw2000.js';

const num = (v: number | undefined, digits: number) => (v === undefined || !Number.isFinite(v) ? '' : v.toFixed(digits));
const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * Per-image CSV of an evaluation: name, status, ground-truth yaw, NME 2D/3D (in %),
 * predicted pose and absolute pose errors (degrees), geodesic rotation error, error text.
 *
 * ```ts
 * await writeFileAtomic('aflw.csv', evaluationCsv(records));
 * ```
 */
export function evaluationCsv(records: readonly ImageEvaluation[]): string {
  const head = 'name,status,gt_yaw_deg,nme2d_pct,nme3d_pct,pred_pitch_deg,pred_yaw_deg,pred_roll_deg,err_pitch_deg,err_yaw_deg,err_roll_deg,rotation_err_deg,mouth_opening_pct,mouth_opening_gt_pct,eye_opening_pct,eye_opening_gt_pct,error';
  const rows = records.map((r) =>
    [
      quote(r.name),
      r.status,
      num(r.yaw, 2),
      num(r.nme2d === undefined ? undefined : r.nme2d * 100, 4),
      num(r.nme3d === undefined ? undefined : r.nme3d * 100, 4),
      num(r.predictedPose?.pitch, 2),
      num(r.predictedPose?.yaw, 2),
      num(r.predictedPose?.roll, 2),
      num(r.poseError?.pitch, 2),
      num(r.poseError?.yaw, 2),
      num(r.poseError?.roll, 2),
      num(r.rotationError, 2),
      ...[r.mouthOpening?.predicted, r.mouthOpening?.annotated, r.eyeOpening?.predicted, r.eyeOpening?.annotated].map((v) => num(v === undefined ? undefined : v * 100, 4)),
      quote(r.error ?? ''),
    ].join(','),
  );
  return [head, ...rows].join('\n') + '\n';
}
