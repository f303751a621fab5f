/** TensorFlow V2 checkpoint ("tensor bundle") reading, isomorphic (the writer tests use lives in test/support/). */
export * from './checkpointTypes.js';
export { crc32c, maskCrc32c, unmaskCrc32c } from './crc32c.js';
export { parseCheckpointIndex, type ParseCheckpointIndexOptions } from './parseCheckpointIndex.js';
export * from './readCheckpointTensor.js';
export * from './checkpointWeights.js';
export { readSSTable, type SSTableEntry, type ReadSSTableOptions } from './readSSTable.js';
export { snappyDecompress } from './snappyDecompress.js';
