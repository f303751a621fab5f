import test from 'node:test';
import assert from 'node:assert/strict';
import type { ConvLayer, ConvTransposeLayer, NetworkSpec } from '../../src/model/resfcn.js';
import { resfcnSpec } from '../../src/model/resfcn.js';
import { convertCheckpoint, MODEL_METADATA } from '../../src/model/convertCheckpoint.js';
import { readOnnxMetadata } from '../../src/model/onnx/readOnnxMetadata.js';
import { quantizeModel } from '../../src/node/weights/quantizeModel.js';
import { loadOnnxModel } from '../../src/node/inference/onnxModel.js';
import { randomImage } from '../../src/train/engine/randomImage.js';
import { randomWeights } from '../../src/train/engine/randomWeights.js';

const conv = (scope: string, inC: number, outC: number, stride: number, activation: ConvLayer['activation']): ConvLayer =>
  ({ kind: 'conv', scope, inChannels: inC, outChannels: outC, kernel: 4, stride, batchNorm: true, activation });

test('int8 QDQ quantization keeps a small conv stack within a few quantization steps', async () => {
  const layers = [
    conv('q/Conv', 3, 16, 1, 'relu'),
    conv('q/Conv_1', 16, 32, 2, 'relu'), // quantized
    { kind: 'convTranspose', scope: 'q/Conv2d_transpose', inChannels: 32, outChannels: 16, kernel: 4, stride: 2, batchNorm: true, activation: 'relu' } as ConvTransposeLayer, // quantized (4 phases)
    conv('q/Conv_2', 16, 3, 1, 'sigmoid'),
  ];
  const spec: NetworkSpec = { ...resfcnSpec(), variant: 'q', rootScope: 'q', inputSize: 256, layers, outputScale: 256 };
  const weights = randomWeights(spec, 9);
  const crops = [randomImage(256, 1), randomImage(256, 2)];
  const fp32 = await loadOnnxModel(convertCheckpoint(spec, weights), { threads: 1 });
  const int8Bytes = await quantizeModel(spec, weights, crops);
  assert.match(readOnnxMetadata(int8Bytes)[MODEL_METADATA.weightsType]!, /^int8/);
  const int8 = await loadOnnxModel(int8Bytes, { threads: 1 });
  const a = await fp32.predict(crops[0]!, 1);
  const b = await int8.predict(crops[0]!, 1);
  await fp32.dispose();
  await int8.dispose();
  let max = 0, mean = 0, spread = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    max = Math.max(max, d);
    mean += d / a.length;
    spread = Math.max(spread, Math.abs(a[i]! - a[0]!));
  }
  assert.ok(spread > 5, `float output nearly constant (${spread})`);
  assert.ok(mean < 0.5 && max < 5, `int8 error mean ${mean.toFixed(3)} max ${max.toFixed(3)} (output units 0…256)`);
  assert.ok(mean > 1e-4, "int8 output identical to float: nothing was quantized");
  console.log(`# int8 vs fp32 on a 4-layer stack: mean ${mean.toFixed(4)}, max ${max.toFixed(4)}`);
});
