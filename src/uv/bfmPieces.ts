/**
 * The Basel Face Model pieces that 3DDFA_V2 uses and that can be had without the full BFM
 * (`../shared/3ddfa/README.md`): the exact bases at the 68 landmarks, the dense mean face
 * with its triangles and UV coordinates, and a coarse dense shape basis. All coordinates are
 * in the BFM's own frame (y up, z toward the viewer), x y z interleaved per point.
 */
export interface BfmPieces {
  /** 62: the teacher's output whitening, `param = output · std + mean`. */
  paramMean: Float64Array;
  /** 62. */
  paramStd: Float64Array;
  /** 204 = 68 × 3: mean face at the 68 landmark vertices (`u_base`). */
  landmarkMean: Float64Array;
  /** 204 × 40 row-major: shape basis at the landmarks (`w_shp_base`). */
  landmarkShapeBasis: Float64Array;
  /** 204 × 10 row-major: expression basis at the landmarks (`w_exp_base`). */
  landmarkExpressionBasis: Float64Array;
  /** 3n: the dense mean face `u_shp + u_exp` (n = 53,215). */
  denseMean: Float64Array;
  /** m × 3, 0-based triangles over the dense vertices. */
  triangles: Uint32Array;
  /** n × 2: each dense vertex's UV in [0, 1] (PRNet's layout: pixel u·255, (1 − v)·255). */
  uv: Float64Array;
  /** 68 dense vertex indices of the landmarks. */
  landmarkVertices: Uint32Array;
  /** 3p: mean face at the p = 4,096 sample points of the coarse basis (`paf_mu`). */
  sampleMean: Float64Array;
  /** 3p × 40 row-major: shape basis at the sample points (`paf_w_shp`). */
  sampleShapeBasis: Float64Array;
}
