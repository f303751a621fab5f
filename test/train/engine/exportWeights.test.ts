import test from 'node:test';
import assert from 'node:assert/strict';
import { networkVariables, variantSpec } from '../../../src/model/resfcn.js';
import { exportWeights, importWeights, INT8_MIN_ELEMENTS } from '../../../src/train/engine/exportWeights.js';

function randomWeights(seed: number) {
  const spec = variantSpec('resfcn128-light');
  let s = seed >>> 0;
  const r = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296);
  const map = new Map<string, Float32Array>();
  for (const v of networkVariables(spec)) {
    const n = v.shape.reduce((a, b) => a * b, 1);
    // Channels of very different magnitude, so a per-tensor scale would fail the bound below.
    const channels = v.shape.at(-1)!;
    map.set(v.name, Float32Array.from({ length: n }, (_, i) => (r() - 0.5) * 2 * (1 + (i % channels) * 3)));
  }
  return { spec, map };
}

test('int8 warm-start weights: per-channel error within half a step, small tensors exact, about a quarter of float32', () => {
  const { spec, map } = randomWeights(11);
  const f32 = exportWeights(spec, map);
  const q = exportWeights(spec, map, { dtype: 'int8' });
  assert.equal(q.manifest.dtype, 'int8');
  assert.ok(q.data.length < 0.27 * f32.data.length, `${q.data.length} vs ${f32.data.length} bytes`);
  const back = importWeights(q.manifest, q.data);
  let quantised = 0;
  for (const v of q.manifest.variables) {
    const a = map.get(v.name)!, b = back.get(v.name)!;
    assert.equal(b.length, a.length);
    if (a.length < INT8_MIN_ELEMENTS) {
      assert.deepEqual(b, a, `${v.name} stays float32`);
      continue;
    }
    quantised++;
    assert.ok(v.int8);
    const channels = v.shape.at(-1)!;
    const max = new Float64Array(channels);
    a.forEach((x, i) => { max[i % channels] = Math.max(max[i % channels]!, Math.abs(x)); });
    a.forEach((x, i) => assert.ok(Math.abs(b[i]! - x) <= (max[i % channels]! / 127) * 0.5 * (1 + 1e-5), `${v.name}[${i}]`));
  }
  assert.ok(quantised > 10);
  // The float paths still round-trip.
  const again = importWeights(f32.manifest, f32.data);
  for (const [k, w] of map) assert.deepEqual(again.get(k), w);
  assert.throws(() => importWeights(q.manifest, q.data.subarray(0, q.data.length - 8)), /too short/);
});
