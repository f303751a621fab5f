/**
 * `prnet/node/train`: training's Node edge. The run (checkpoints, curves, resume), the
 * native convolution kernels behind tfjs, the training sets on disk (AFLW-21,
 * helen-afw68, 300W-LP), the label sets `prnet label` writes, and export to ONNX.
 */
export * from './exportTrainedModel.js';
export * from './helenTrainingData.js';
export * from './morphableModel.js';
export * from './posmapDataset.js';
export * from './trainBackend.js';
export * from './trainGradients.js';
export * from './trainRun.js';
export * from './trainRunFiles.js';
export * from './trainingData.js';
export * from './labels/aflw21LabelSource.js';
export * from './labels/bfmPieces.js';
export * from './labels/helenAfw68LabelSource.js';
export * from './labels/labelFaces.js';
export * from './labels/labelSetFiles.js';
export * from './labels/labelSource.js';
export * from './labels/uvMorphableModelFile.js';
