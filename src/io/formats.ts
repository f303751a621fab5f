/**
 * `prnet/formats`: the file formats prnet reads and writes, isomorphic (bytes in, values
 * out): NumPy `.npy`, MATLAB level-5 `.mat`, iBUG `.pts` landmarks, TensorFlow checkpoints, the UV asset pack,
 * the ONNX metadata reader, and the mesh writers' shared pieces.
 */
export * from './npy.js';
export * from './encodeNpy.js';
export * from './mat.js';
export * from './matAsync.js';
export * from './matValues.js';
export * from './toYUp.js';
export * from './toYUpPositions.js';
export * from './obj.js';
export * from './ply.js';
export * from './glb.js';
export * from './encodeAnimatedGlb.js';
export * from './stl.js';
export * from './pts.js';
export * from './bmp.js';
export * from './pnm.js';
export * from './png.js';
export * from './faceJson.js';
export * from '../model/checkpoint/index.js';
export * from '../model/onnx/readOnnxMetadata.js';
export * from '../uv/uvAssetPackFormat.js';
export * from '../uv/encodeUvAssetPack.js';
export * from '../uv/decodeUvAssetPack.js';
export * from '../uv/parseFaceIndices.js';
export * from '../uv/parseKeypointIndices.js';
