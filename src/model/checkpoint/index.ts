/** TensorFlow V2 checkpoint ("tensor bundle") reading and writing, isomorphic. */
export * from './checkpointTypes.js';
export { crc32c, maskCrc32c, unmaskCrc32c } from './crc32c.js';
export { parseCheckpointIndex, type ParseCheckpointIndexOptions } from './parseCheckpointIndex.js';
export { encodeCheckpointIndex } from './encodeCheckpointIndex.js';
export * from './readCheckpointTensor.js';
export * from './checkpointWeights.js';
export * from './writeCheckpoint.js';
export { readSSTable, type SSTableEntry, type ReadSSTableOptions } from './readSSTable.js';
export { writeSSTable, type WriteSSTableOptions } from './writeSSTable.js';
export { snappyDecompress } from './snappyDecompress.js';
