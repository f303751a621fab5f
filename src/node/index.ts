/** Node adapters: files, codecs, ONNX Runtime for Node. */
export {};
