/**
 * The official PRNet UV asset files (`Data/uv-data/` of github.com/YadiraF/PRNet, MIT
 * licence) with their sha256, the one place these names and digests are written.
 */
export const UV_ASSET_SHA256 = {
  'face_ind.txt': '86a7ce5131d3c827c368fd3c1236ded6b5d80802f1abd5cf98940ba0595ab231',
  'uv_kpt_ind.txt': '158f329a0e5518b7553195cf2373f91b9ada697b6071cdafb52b573d488a1c60',
  'canonical_vertices.npy': '724ceae7e9be10a86670159f3cdc4a4abd5bd8d3c29a475c17115b6ada55112c',
  'uv_face_mask.png': '66e0c5e555619d708202639058adbeece545b67fef52a22eabd46cc71494a6c6',
  'uv_weight_mask.png': 'a97882fbac6920ad08c6e314ea327db2b0a7d7fbf6a6a56be5e696b66fde0ae7',
  'uv_face_eyes.png': '46398c6222361c49c348dfb4ce9750dfe19a4a9c86540577190471fb1341f14c',
  'uv_face.png': '5ad30efe3723da2e26d928c517291605b9520a6ff0498e40140ce4f4cf842d2c',
} as const;

/** Name of one UV asset file. */
export type UvAssetFileName = keyof typeof UV_ASSET_SHA256;

/** The files {@link uvAssetsFromFiles} needs, in a stable order. */
export const UV_ASSET_FILES = Object.keys(UV_ASSET_SHA256) as UvAssetFileName[];

/** Where users' copies come from: `<base>/<name>`. */
export const UV_ASSET_BASE_URL = 'https://raw.githubusercontent.com/YadiraF/PRNet/master/Data/uv-data';
