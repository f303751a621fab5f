/**
 * PRNet's published AFLW2000-3D results (Feng et al., ECCV 2018), NME in %, printed
 * beside measured figures. Dense 3D alignment needs the full ground-truth meshes.
 */
export const PRNET_PAPER_RESULTS = {
  nme2d: 3.26,
  nme3d: 4.7,
  yawBalancedNme2d: 3.62,
  dense3d: 4.4,
} as const;
