import type { TddfaRoiBox } from '../../../face/tddfa/tddfaRoiBox.js';
import type { RgbImage } from '../../../io/rgbImage.js';

/** A data set of faces with human points, as the label maker reads it. */
export interface LabelSource {
  /** Name written into the label set (`aflw21`, `helen-afw68`). */
  dataset: string;
  /** The data set's folder. */
  dir: string;
  /** Image names in order. */
  names: string[];
  /** Points annotated per face (21, 68). */
  pointCount: number;
  /** `count × pointCount × 2` human points in the data set's frame, x y pairs. */
  human: Float64Array;
  /** `count × pointCount` point weights (0: not annotated). */
  weights: Float64Array;
  /** What the labels' pose maps into. */
  frame: string;
  /** The image the teacher reads for face `i`, the crop box in that image, and the same box in the data set's frame. */
  teacherCrop(i: number): Promise<{ image: RgbImage; crop: TddfaRoiBox; frameRoi: TddfaRoiBox }>;
  /** Where the points lie on the UV model (flat UV indices), and whether to refine that from the teacher. */
  correspondence: { start: Uint32Array; learn: boolean; radii?: Record<number, number>; how: string };
}
