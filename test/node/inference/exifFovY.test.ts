/**
 * The camera from a photo's EXIF: the 35 mm-equivalent focal length to a vertical field of
 * view, read from files sharp writes with the tag, and the default when there is none.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { fovFromFocalLength35mm } from '../../../src/geometry/fovFromFocalLength35mm.js';
import { exifFovY } from '../../../src/node/inference/exifFovY.js';

const photo = fileURLToPath(new URL('../../../../shared/fixtures/photos/photo4.jpg', import.meta.url));

test('fovFromFocalLength35mm: 50 mm on a full 36 × 24 mm frame sees 2·atan(12/50) vertically; the equivalence goes by the diagonal', () => {
  const deg = (r: number) => (r * 180) / Math.PI;
  assert.ok(Math.abs(fovFromFocalLength35mm(50, 3600, 2400) - deg(2 * Math.atan(12 / 50))) < 1e-9);
  // Portrait: the same lens sees the long side vertically.
  assert.ok(Math.abs(fovFromFocalLength35mm(50, 2400, 3600) - deg(2 * Math.atan(18 / 50))) < 1e-9);
  // A 4:3 phone picture at 26 mm: the diagonal of the picture is 43.27 mm at that scale.
  const f = (26 * Math.hypot(3024, 4032)) / Math.hypot(36, 24);
  assert.ok(Math.abs(fovFromFocalLength35mm(26, 3024, 4032) - deg(2 * Math.atan(2016 / f))) < 1e-9);
  assert.throws(() => fovFromFocalLength35mm(0, 10, 10), /positive number of millimetres/);
});

test('exifFovY reads FocalLengthIn35mmFilm, and gives undefined without it or for a bad file', async () => {
  const tagged = await sharp(photo).withExif({ IFD2: { FocalLengthIn35mmFilm: '26' } }).jpeg().toBuffer();
  const fov = await exifFovY(new Uint8Array(tagged), 450, 450);
  assert.ok(fov !== undefined && Math.abs(fov - fovFromFocalLength35mm(26, 450, 450)) < 1e-9, `${fov}`);
  assert.equal(await exifFovY(photo, 450, 450), undefined, 'no EXIF lens');
  const silly = await sharp(photo).withExif({ IFD2: { FocalLengthIn35mmFilm: '2' } }).jpeg().toBuffer();
  assert.equal(await exifFovY(new Uint8Array(silly), 450, 450), undefined, 'a 2 mm "lens" is bad EXIF');
  assert.equal(await exifFovY(new TextEncoder().encode('not an image'), 10, 10), undefined);
});
