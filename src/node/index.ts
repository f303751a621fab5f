/** Node adapters: files, codecs, ONNX Runtime for Node. */
export * from './uvAssets.js';
export * from './prnetHome.js';
export * from './decodeImage.js';
export * from './encodeImage.js';
export * from './atomicWrite.js';
export * from './detector.js';
export * from './prnet.js';
export * from './checkpoint.js';
export * from './download.js';
export * from './googleDrive.js';
export * from './weightsCache.js';
export * from './readMatFile.js';
export * from './trainingData.js';
export * from './trainGradients.js';
export * from './trainBackend.js';
export * from './trainRun.js';
