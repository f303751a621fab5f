/** The package version, written into model files (kept equal to package.json by a test). */
export const PRNET_VERSION = '0.1.0';
