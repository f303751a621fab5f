/**
 * prnet — PRNet (Feng et al., ECCV 2018) in TypeScript: the inference library.
 *
 * Isomorphic: nothing exported here imports Node modules, so the browser bundle and Node
 * share it. What a user needs to go from a photo to a face: the model interface, the UV
 * assets, the pipeline and its results, poses, pictures and mesh writers, video tracking
 * and smoothing. Runtimes and file access live in `prnet/node` and `prnet/web` (each
 * re-exports this entry); training, evaluation and file formats have their own subpaths:
 * `prnet/train`, `prnet/node/train`, `prnet/eval`, `prnet/formats`.
 *
 * ```ts
 * import { PRNet } from 'prnet/node';          // or WebPRNet from 'prnet/web'
 * const prn = await PRNet.load();
 * const { faces } = await prn.reconstruct('photo.jpg');
 * ```
 */
// The model: the layer description, the session interface every runtime implements, metadata.
export * from './model/resfcn.js';
export * from './model/session.js';
export * from './model/modelMetadata.js';
export * from './model/assertPrnetModel.js';
// The UV assets: topology and the position map's readers.
export * from './uv/uvAssets.js';
export * from './uv/uvAssetFiles.js';
export * from './uv/uvAssetsFromFiles.js';
export * from './uv/decodeUvAssetPack.js';
export * from './uv/uvMasks.js';
export * from './uv/faceTriangles.js';
export * from './uv/positionMapVertices.js';
export * from './uv/positionMapLandmarks.js';
export * from './uv/mirrorPositionMap.js';
// Faces: the detector interface and the crops made from boxes or landmarks.
export * from './face/faceDetector.js';
export * from './face/faceCrop.js';
export * from './face/cropTransform.js';
export * from './face/cropFromBox.js';
export * from './face/cropFromLandmarks.js';
export * from './face/cropFromDetection.js';
export * from './face/cropFromPrediction.js';
export * from './face/faceRoll.js';
export * from './face/warpImage.js';
// Aligned face pictures (ArcFace's 112×112, FFHQ's square) from the 68 landmarks.
export * from './face/alignedFaceTransform.js';
export * from './face/alignFace.js';
export * from './geometry/fitSimilarity2d.js';
export * from './geometry/landmarks68.js';
export * from './geometry/affine2d.js';
export * from './geometry/warpRgb.js';
// The pipeline and its results.
export * from './reconstruct/facePipeline.js';
export * from './reconstruct/faceResult.js';
export * from './reconstruct/frontalize.js';
export * from './reconstruct/withFlipAveraging.js';
export * from './reconstruct/predictBatched.js';
// Pose.
export * from './geometry/estimatePose.js';
export * from './geometry/rotationToEuler.js';
export * from './geometry/perspectivePose.js';
export * from './geometry/projectPerspective.js';
export * from './geometry/cameraSpaceVertices.js';
export * from './geometry/fovFromFocalLength35mm.js';
export * from './uv/canonicalEyeCentres.js';
// Images, pictures and textures.
export * from './io/rgbImage.js';
export * from './io/grayImage.js';
export * from './render/renderDepth.js';
export * from './render/vertexVisibility.js';
export * from './render/vertexColors.js';
export * from './render/uvTexture.js';
export * from './render/renderTexture.js';
export * from './render/nccColors.js';
export * from './render/renderPncc.js';
export * from './render/drawLandmarks.js';
export * from './render/drawPoseBox.js';
export * from './render/overlayStrokes.js';
// Writers.
export * from './io/obj.js';
export * from './io/ply.js';
export * from './io/glb.js';
export * from './io/encodeAnimatedGlb.js';
export * from './io/stl.js';
export * from './io/png.js';
export * from './io/faceJson.js';
// Video: tracking and temporal smoothing.
export * from './video/faceTracker.js';
export * from './video/oneEuroFilter.js';
export * from './video/smoothFaceResult.js';
export * from './video/sceneCut.js';
export * from './video/frameSignature.js';
export * from './video/dissolve.js';
export * from './video/cropContrast.js';
// Applications.
export * from './apps/applyFaceTexture.js';
export * from './apps/faceSwap.js';
export * from './print/faceRelief.js';
