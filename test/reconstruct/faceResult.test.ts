/**
 * `faceResult`'s texture modes on a turned face: `'visible'` leaves the texels of the
 * vertices the z-buffer hides black (the far half of the face), and only those; `'full'`
 * samples every face texel. A frontal face cannot tell the two apart, a turned one can.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadUvAssets } from '../../src/node/inference/uvAssets.js';
import { faceResult, type FaceResultInput } from '../../src/reconstruct/faceResult.js';
import type { RgbImage } from '../../src/io/rgbImage.js';
import { syntheticFace } from '../support/syntheticFace.js';
import { seededRandom } from '../support/random.js';

const dataDir = fileURLToPath(new URL('../../../shared/prnet-data/uv-data/', import.meta.url));
const assets = await loadUvAssets({ dataDir, download: false });
const N = assets.faceIndices.length;
const uv = assets.uvSize;

/** A photo with no black pixel, so a black texel can only come from the mask. */
function noisePhoto(width: number, height: number, seed: number): RgbImage {
  const r = seededRandom(seed);
  return { width, height, data: Uint8Array.from({ length: width * height * 3 }, () => 1 + Math.floor(r() * 255)) };
}

/** The face turned `yaw` degrees, as `faceResult` gets it (position map in photo pixels). */
function turnedFace(yaw: number): FaceResultInput {
  const { positionMap } = syntheticFace(assets, { scale: 0.8, tx: 150, ty: 150, tz: 60, yaw });
  return { positionMap, box: [70, 70, 160, 160], score: 1, crop: { center: [150, 150], size: 256 }, cropTransform: Float64Array.of(1, 0, -22, 0, 1, -22) };
}

function isBlack(texture: RgbImage, t: number): boolean {
  return texture.data[3 * t] === 0 && texture.data[3 * t + 1] === 0 && texture.data[3 * t + 2] === 0;
}

/** Black fraction of the face texels in the left (u < uv/2) and right halves of the UV layout. */
function blackHalves(texture: RgbImage): { left: number; right: number } {
  const black = [0, 0], all = [0, 0];
  for (let i = 0; i < N; i++) {
    const t = assets.faceIndices[i];
    const half = t % uv < uv / 2 ? 0 : 1;
    all[half]++;
    if (isBlack(texture, t)) black[half]++;
  }
  return { left: black[0] / all[0], right: black[1] / all[1] };
}

test("texture 'visible' on a turned face: the far half black, the near half as 'full'", () => {
  const photo = noisePhoto(300, 300, 5);
  for (const yaw of [70, -70]) {
    const input = turnedFace(yaw);
    // Visibility is not asked for: the 'visible' texture must compute it itself.
    const visible = faceResult(photo, assets, input, { texture: 'visible', colors: false });
    const full = faceResult(photo, assets, input, { texture: 'full', colors: false });
    const vis = faceResult(photo, assets, input, { visibility: true, colors: false }).visibility!;
    assert.ok(visible.texture && full.texture);
    // 'full' samples every face texel; 'visible' blackens a large part of them.
    const fullHalves = blackHalves(full.texture);
    assert.ok(fullHalves.left < 0.01 && fullHalves.right < 0.01, `full: ${JSON.stringify(fullHalves)}`);
    const halves = blackHalves(visible.texture);
    assert.ok(Math.max(halves.left, halves.right) > 0.4, `yaw ${yaw}: far half only ${JSON.stringify(halves)} black`);
    assert.ok(Math.min(halves.left, halves.right) < 0.1, `yaw ${yaw}: near half ${JSON.stringify(halves)} black`);
    // Texel by texel: black exactly where the vertex is hidden, the 'full' colour where it is seen.
    let hidden = 0;
    for (let i = 0; i < N; i++) {
      const t = assets.faceIndices[i];
      if (!vis[i]) {
        hidden++;
        assert.ok(isBlack(visible.texture, t), `hidden vertex ${i} has a colour`);
      } else {
        for (let c = 0; c < 3; c++) assert.equal(visible.texture.data[3 * t + c], full.texture.data[3 * t + c], `seen vertex ${i}`);
      }
    }
    assert.ok(hidden / N > 0.2 && hidden / N < 0.8, `yaw ${yaw}: ${hidden / N} hidden`);
  }
  // Turning the other way blackens the other half.
  const a = blackHalves(faceResult(photo, assets, turnedFace(70), { texture: 'visible', colors: false }).texture!);
  const b = blackHalves(faceResult(photo, assets, turnedFace(-70), { texture: 'visible', colors: false }).texture!);
  assert.equal(a.left > a.right, b.right > b.left, `yaw 70: ${JSON.stringify(a)}, yaw -70: ${JSON.stringify(b)}`);
});

/** Unit vertex normals by a naive float64 sum of triangle cross products (independent of `vertexNormals`). */
function naiveNormalZ(vertices: Float32Array, triangles: Uint32Array): Float64Array {
  const n = new Float64Array(vertices.length);
  for (let k = 0; k < triangles.length; k += 3) {
    const [a, b, c] = [triangles[k]!, triangles[k + 1]!, triangles[k + 2]!];
    const u = [0, 1, 2].map((d) => vertices[3 * b + d]! - vertices[3 * a + d]!);
    const v = [0, 1, 2].map((d) => vertices[3 * c + d]! - vertices[3 * a + d]!);
    const cross = [u[1]! * v[2]! - u[2]! * v[1]!, u[2]! * v[0]! - u[0]! * v[2]!, u[0]! * v[1]! - u[1]! * v[0]!];
    for (const p of [a, b, c]) for (let d = 0; d < 3; d++) n[3 * p + d] += cross[d]!;
  }
  const z = new Float64Array(vertices.length / 3);
  for (let i = 0; i < z.length; i++) z[i] = n[3 * i + 2]! / (Math.hypot(n[3 * i]!, n[3 * i + 1]!, n[3 * i + 2]!) || 1);
  return z;
}

test("texture 'filled' on a turned face: texels the photo shows edge-on take their mirror texel's colour, frontal ones keep the photo's", () => {
  const photo = noisePhoto(300, 300, 9);
  const input = turnedFace(55);
  const face = faceResult(photo, assets, input, { texture: 'filled', visibility: true, colors: false });
  const full = faceResult(photo, assets, input, { texture: 'full', colors: false }).texture!;
  const filled = face.texture!;
  const vis = face.visibility!;
  const nz = naiveNormalZ(face.vertices, assets.triangles);
  const vertexAt = new Map<number, number>();
  for (let i = 0; i < N; i++) vertexAt.set(assets.faceIndices[i]!, i);
  let edgeOn = 0, frontal = 0;
  for (let i = 0; i < N; i++) {
    const t = assets.faceIndices[i]!;
    const x = t % uv, y = (t - x) / uv;
    const m = vertexAt.get(y * uv + (uv - 1 - x));
    if (m === undefined) continue;
    const same = (a: number, b: number, img: RgbImage) => [0, 1, 2].every((c) => filled.data[3 * a + c] === img.data[3 * b + c]);
    if (vis[i] && nz[i]! < 0.15 && vis[m] && nz[m]! > 0.7) {
      // Seen, but edge-on (the z-buffer lets it through): filled from the frontal mirror side.
      edgeOn++;
      assert.ok(same(t, assets.faceIndices[m]!, filled), `edge-on texel ${t} (n_z ${nz[i]!.toFixed(2)}) is not its mirror's colour`);
    } else if (vis[i] && nz[i]! > 0.7) {
      // Seen face-on, in a 7×7 window of seen, face-on texels (away from the mask's edges and
      // from what the nose hides): the photo's own sample, as 'full' has it.
      let inside = true;
      for (let dy = -3; dy <= 3 && inside; dy++) for (let dx = -3; dx <= 3; dx++) {
        const j = vertexAt.get((y + dy) * uv + x + dx);
        if (j === undefined || !vis[j] || !(nz[j]! > 0.5)) inside = false;
      }
      if (!inside) continue;
      frontal++;
      assert.ok(same(t, t, full), `frontal texel ${t} lost the photo's colour`);
    }
  }
  assert.ok(edgeOn > 100 && frontal > 5000, `edge-on ${edgeOn}, frontal ${frontal} texels checked`);
});
