/**
 * Browser entry of the library: the isomorphic core plus the browser adapters
 * (onnxruntime-web model, UV assets over HTTP, BlazeFace on tfjs-wasm, canvas decoding).
 *
 * ```ts
 * import { WebPRNet, decodeImage } from 'prnet/web';
 * const prn = await WebPRNet.load({ modelUrl: 'models/default.onnx', dataUrl: '/uv-data', detectorUrl: '/detector' });
 * const { faces } = await prn.reconstruct(await decodeImage(file));
 * ```
 */
export * from '../index.js';
export * from './onnxWebModel.js';
export * from './startOrtWebWorker.js';
export * from './fetchBytes.js';
export * from './rgbFromRgba.js';
export * from './decodeImagePixels.js';
export * from './decodeImage.js';
export * from './loadWebUvAssets.js';
export * from './detector.js';
export * from './webPrnet.js';
