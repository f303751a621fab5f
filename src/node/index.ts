/**
 * `prnet/node`: prnet in Node. `PRNet` (decode, detect, crop, network, results) on
 * sharp and onnxruntime-node, the shipped model and UV assets, image decoding and
 * encoding, output files, and the weights' downloads and cache. Re-exports `prnet`, so
 * one import serves a Node program; training's Node edge is `prnet/node/train`.
 */
export * from '../index.js';
export * from './inference/prnet.js';
export * from './inference/onnxModel.js';
export * from './inference/uvAssets.js';
export * from './inference/detector.js';
export * from './inference/decodeImage.js';
export * from './inference/exifFovY.js';
export * from './inference/encodeImage.js';
export * from './inference/writeOutputs.js';
export * from './inference/disableOrtTelemetry.js';
export * from './weights/prnetHome.js';
export * from './weights/download.js';
export * from './weights/googleDrive.js';
export * from './weights/weightsCache.js';
export * from './weights/checkpoint.js';
export * from './weights/convertCheckpointFile.js';
export * from './files/atomicWrite.js';
export * from './files/readMatFile.js';
export * from './video/probeVideo.js';
export * from './video/decodeVideoFrames.js';
export * from './video/pipedVideo.js';
export * from './video/trackVideo.js';
