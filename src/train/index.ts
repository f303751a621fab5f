/**
 * `prnet/train`: training, isomorphic. `engine/` is the trainable ResFCN on tfjs-core
 * (kernels, the paper's weighted loss, Adam, weight averaging, export); `data/` makes
 * batches (crops, augmentation, position-map targets); `loop/` runs epochs with exact
 * resume. The label makers live in `src/labels/` and are exported here too: the teacher
 * fit, the AFLW mean-face fit and 300W-LP position maps. Files, the native kernels and
 * `prnet train` are in `prnet/node/train`.
 */
export * from './engine/batchNormTrain.js';
export * from './engine/calibratedWeights.js';
export * from './engine/exportWeights.js';
export * from './engine/fastKernels.js';
export * from './engine/loss.js';
export * from './engine/network.js';
export * from './engine/optimizer.js';
export * from './engine/randomImage.js';
export * from './engine/randomWeights.js';
export * from './engine/recalibrateBatchNorm.js';
export * from './engine/weightAverage.js';
export * from './data/augmentation.js';
export * from './data/concatTrainingData.js';
export * from './data/cropSquare.js';
export * from './data/landmarkError.js';
export * from './data/positionMapTarget.js';
export * from './data/posmapTrainingData.js';
export * from './data/samplePositionMap.js';
export * from './data/trainingCrop.js';
export * from './data/trainingData.js';
export * from './data/warpCropImage.js';
export * from './loop/lossCurve.js';
export * from './loop/trainCheckpoint.js';
export * from './loop/trainLoop.js';
export * from './loop/trainRandom.js';
export * from '../labels/aflwMeanFace/aflw21Correspondence.js';
export * from '../labels/aflwMeanFace/aflw21Deformation.js';
export * from '../labels/aflwMeanFace/canonicalPositionMap.js';
export * from '../labels/aflwMeanFace/deformationBasis.js';
export * from '../labels/aflwMeanFace/fitPose.js';
export * from '../labels/posmap300wlp/angleToMatrix3ddfa.js';
export * from '../io/encodeNpy.js';
export * from '../labels/posmap300wlp/imageVertices3ddfa.js';
export * from '../labels/posmap300wlp/keypointCrop.js';
export * from '../labels/posmap300wlp/modelVertices.js';
export * from '../labels/posmap300wlp/morphableModel.js';
export * from '../labels/posmap300wlp/parameters300wlp.js';
export * from '../labels/posmap300wlp/posmap300wlp.js';
export * from '../labels/posmap300wlp/uvPositionMap.js';
export * from '../labels/teacherFit/faceFitPoints.js';
export * from '../labels/teacherFit/fitPoints.js';
export * from '../labels/teacherFit/teacherCorrespondence.js';
export * from '../labels/teacherFit/teacherFit.js';
export * from '../labels/teacherFit/teacherLabel.js';
