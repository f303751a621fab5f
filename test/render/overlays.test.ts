import test from 'node:test';
import assert from 'node:assert/strict';
import { drawLine } from '../../src/render/drawLine.js';
import { drawLandmarks, LANDMARK_CONTOUR_ENDS } from '../../src/render/drawLandmarks.js';
import { drawPoseBox, POSE_BOX_CORNERS } from '../../src/render/drawPoseBox.js';
import type { RgbImage } from '../../src/io/rgbImage.js';
import { rng } from './helpers.js';

const blank = (w: number, h: number): RgbImage => ({ width: w, height: h, data: new Uint8Array(w * h * 3).fill(40) });
const px = (img: RgbImage, x: number, y: number) => [...img.data.subarray(3 * (y * img.width + x), 3 * (y * img.width + x) + 3)];
const RED = [255, 0, 0], WHITE = [255, 255, 255], GREEN = [0, 255, 0], BG = [40, 40, 40];

/** Distance from (x, y) to segment a–b, float64. */
function segDist(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
  const t = l2 ? Math.min(1, Math.max(0, ((x - ax) * dx + (y - ay) * dy) / l2)) : 0;
  return Math.hypot(ax + t * dx - x, ay + t * dy - y);
}

test('drawLine: thin lines are gap-free, thick lines cover exactly the pixels within width/2', () => {
  const random = rng(20);
  for (let k = 0; k < 20; k++) {
    const img = blank(64, 48);
    const [ax, ay, bx, by] = [random() * 64, random() * 48, random() * 64, random() * 48];
    const width = k < 10 ? 1 : 1 + random() * 5;
    drawLine(img, ax, ay, bx, by, [255, 255, 255], width);
    const r = Math.max(0.5, width / 2);
    for (let y = 0; y < 48; y++) for (let x = 0; x < 64; x++) {
      const d = segDist(x, y, ax, ay, bx, by);
      if (Math.abs(d - r) < 1e-6) continue;
      assert.deepEqual(px(img, x, y), d < r ? WHITE : BG, `segment ${k}, pixel (${x}, ${y}), distance ${d}, radius ${r}`);
    }
    if (width === 1) {
      // Gap-free along the major axis.
      const steep = Math.abs(by - ay) > Math.abs(bx - ax);
      const [lo, hi] = steep ? [Math.ceil(Math.min(ay, by)), Math.floor(Math.max(ay, by))] : [Math.ceil(Math.min(ax, bx)), Math.floor(Math.max(ax, bx))];
      for (let s = lo; s <= hi; s++) {
        let found = false;
        for (let o = 0; o < (steep ? 64 : 48) && !found; o++) found = steep ? px(img, o, s)[0] === 255 : px(img, s, o)[0] === 255;
        assert.ok(found, `gap at ${s}`);
      }
    }
  }
});

test('drawLandmarks: dots on every point, segments inside contours only, input untouched', () => {
  // 68 points on a spiral, far apart, so midpoints of segments are far from dots.
  const pts = new Float32Array(68 * 3);
  for (let i = 0; i < 68; i++) {
    const a = i * 0.5, r = 20 + i * 2.5;
    pts[3 * i] = 100 + r * Math.cos(a); pts[3 * i + 1] = 100 + r * Math.sin(a); pts[3 * i + 2] = 7;
  }
  const img = blank(200, 200);
  const before = img.data.slice();
  const out = drawLandmarks(img, pts);
  assert.deepEqual(img.data, before);
  for (let i = 0; i < 68; i++) {
    const x = Math.round(pts[3 * i]), y = Math.round(pts[3 * i + 1]);
    if (x >= 0 && y >= 0 && x < 200 && y < 200) assert.deepEqual(px(out, x, y), RED, `landmark ${i}`);
  }
  let lines = 0;
  const drawn = [...Array(67).keys()].filter((i) => !LANDMARK_CONTOUR_ENDS.includes(i));
  const distToDrawn = (x: number, y: number) => Math.min(...drawn.map((i) => segDist(x, y, pts[3 * i], pts[3 * i + 1], pts[3 * i + 3], pts[3 * i + 4])));
  const distToDots = (x: number, y: number) => Math.min(...[...Array(68).keys()].map((i) => Math.hypot(pts[3 * i] - x, pts[3 * i + 1] - y)));
  for (let i = 0; i < 67; i++) {
    const mx = Math.round((pts[3 * i] + pts[3 * i + 3]) / 2), my = Math.round((pts[3 * i + 1] + pts[3 * i + 4]) / 2);
    // Pixels near the segment's middle, clear of dots, decide whether the segment was drawn.
    for (let y = my - 2; y <= my + 2; y++) for (let x = mx - 2; x <= mx + 2; x++) {
      if (x < 0 || y < 0 || x >= 200 || y >= 200 || distToDots(x, y) < 3) continue;
      const d = segDist(x, y, pts[3 * i], pts[3 * i + 1], pts[3 * i + 3], pts[3 * i + 4]);
      if (d > 0.4) continue;
      if (LANDMARK_CONTOUR_ENDS.includes(i)) {
        if (distToDrawn(x, y) > 0.6) assert.deepEqual(px(out, x, y), BG, `segment ${i}→${i + 1} must not be drawn`);
      } else {
        assert.deepEqual(px(out, x, y), WHITE, `segment ${i}→${i + 1}`);
        lines++;
      }
    }
  }
  assert.ok(lines > 40);
  // 2D landmarks work the same; other counts draw dots only.
  const pts2 = new Float32Array(136).map((_, i) => pts[3 * (i >> 1) + (i & 1)]);
  assert.deepEqual(drawLandmarks(img, pts2).data, out.data);
  const dots = drawLandmarks(img, new Float32Array([50, 60, 0, 150, 60, 0]));
  assert.deepEqual(px(dots, 100, 60), BG);
  assert.deepEqual(px(dots, 50, 60), RED);
});

test('drawPoseBox projects the official box with the camera and centres it on landmarks 0–26', () => {
  const random = rng(21);
  // A rotated, scaled camera with a translation that the recentring must cancel.
  const a = 0.4, b = -0.3, s = 0.8;
  const ca = Math.cos(a), sa = Math.sin(a), cb = Math.cos(b), sb = Math.sin(b);
  const R = [ca, 0, sa, 0, 1, 0, -sa, 0, ca]; // yaw
  const Rx = [1, 0, 0, 0, cb, -sb, 0, sb, cb]; // pitch
  const M = [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => s * (Rx[3 * i] * R[j] + Rx[3 * i + 1] * R[3 + j] + Rx[3 * i + 2] * R[6 + j])));
  const P = [M[0], M[1], M[2], 500, M[3], M[4], M[5], -300, M[6], M[7], M[8], 0];
  const lm = new Float32Array(68 * 3).map(() => 0);
  for (let i = 0; i < 68; i++) { lm[3 * i] = 120 + (random() - 0.5) * 60; lm[3 * i + 1] = 130 + (random() - 0.5) * 60; }
  let kx = 0, ky = 0;
  for (let i = 0; i < 27; i++) { kx += lm[3 * i] / 27; ky += lm[3 * i + 1] / 27; }
  const proj = POSE_BOX_CORNERS.map(([X, Y, Z]) => [M[0] * X + M[1] * Y + M[2] * Z, M[3] * X + M[4] * Y + M[5] * Z]);
  const rx = proj.slice(0, 4).reduce((t, p) => t + p[0], 0) / 4, ry = proj.slice(0, 4).reduce((t, p) => t + p[1], 0) / 4;
  const corners = proj.map(([x, y]) => [x - rx + kx, y - ry + ky]);
  const img = blank(260, 260);
  const out = drawPoseBox(img, P, lm);
  const edges = [[0, 1], [1, 2], [2, 3], [3, 0], [4, 5], [5, 6], [6, 7], [7, 4], [0, 4], [1, 5], [2, 6], [3, 7]];
  let green = 0;
  for (let y = 0; y < 260; y++) for (let x = 0; x < 260; x++) {
    const d = Math.min(...edges.map(([i, j]) => segDist(x, y, corners[i][0], corners[i][1], corners[j][0], corners[j][1])));
    if (Math.abs(d - 1) < 1e-6) continue;
    assert.deepEqual(px(out, x, y), d < 1 ? GREEN : BG, `pixel (${x}, ${y}) at distance ${d}`);
    if (d < 1) green++;
  }
  assert.ok(green > 500);
  assert.throws(() => drawPoseBox(img, [1, 2, 3], lm), /3×4/);
});
