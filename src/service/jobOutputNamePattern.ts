/**
 * The file names one image's outputs can have, as `prnet reconstruct` names them:
 * `<base>_<i>.obj|.ply|.glb|.mtl|.stl|.pts`, `<base>_<i>_texture.png`,
 * `<base>_<i>_aligned.png`, `<base>_<i>_posmap.npy`, `<base>.json`, `<base>_depth.png`,
 * `<base>_overlay.png`, `<base>_pncc.png`; and their temporary names while being written
 * (`.<name>.<pid>.<random>.tmp`). Isomorphic.
 */

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A pattern matching the final names (`temporary: false`) or the temporary names
 * (`temporary: true`) of the outputs of the image whose base name (file part) is `stem`.
 *
 * ```ts
 * jobOutputNamePattern('photo1', true).test('.photo1_0.obj.4242.a1b2c3d4.tmp'); // true
 * jobOutputNamePattern('photo1', false).test('photo10.json');                   // false
 * ```
 */
export function jobOutputNamePattern(stem: string, temporary: boolean): RegExp {
  const name = `${escape(stem)}(?:_\\d+(?:\\.(?:obj|ply|glb|mtl|stl|pts)|_(?:texture|aligned)\\.png|_posmap\\.npy)|\\.json|_(?:depth|overlay|pncc)\\.png)`;
  return new RegExp(temporary ? `^\\.${name}\\.\\d+\\.[0-9a-f]+\\.tmp$` : `^${name}$`);
}
