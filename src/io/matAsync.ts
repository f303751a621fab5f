import { parseMat, matCompressedElements, type MatFile } from './mat.js';

/**
 * Inflates a zlib stream (RFC 1950) with the web-standard `DecompressionStream`
 * (Node ≥ 18, all current browsers), so the isomorphic core needs no zlib.
 */
async function inflateWeb(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * {@link parseMat} for any platform: compressed variables are inflated first with
 * `DecompressionStream('deflate')`, then the file is parsed synchronously.
 *
 * ```ts
 * const mat = await parseMatAsync(new Uint8Array(await (await fetch(url)).arrayBuffer()));
 * ```
 */
export async function parseMatAsync(bytes: Uint8Array, name = 'MAT-file'): Promise<MatFile> {
  const inflated = new Map<number, Uint8Array>();
  for (const el of matCompressedElements(bytes)) {
    try {
      inflated.set(el.byteOffset, await inflateWeb(el));
    } catch (err) {
      throw new Error(`${name}: corrupt compressed variable: ${(err as Error).message}`);
    }
  }
  return parseMat(bytes, {
    name,
    inflate: (d) => {
      const out = inflated.get(d.byteOffset);
      if (!out) throw new Error('compressed element was not inflated');
      return out;
    },
  });
}
