import test from 'node:test';
import assert from 'node:assert/strict';
import type { ConvLayer, ConvTransposeLayer, NetworkSpec } from '../../src/model/resfcn.js';
import { resfcnSpec } from '../../src/model/resfcn.js';
import { convertCheckpoint, MODEL_METADATA } from '../../src/model/convertCheckpoint.js';
import { readOnnxMetadata } from '../../src/model/onnx/readOnnxMetadata.js';
import { quantizeModel } from '../../src/node/weights/quantizeModel.js';
import type { OnnxGraph } from '../../src/model/onnx/onnxModel.js';
import { calibrationTensors, quantizeGraph } from '../../src/model/quantize/quantizeGraph.js';
import { loadOnnxModel } from '../../src/node/inference/onnxModel.js';
import { randomImage } from '../../src/train/engine/randomImage.js';
import { randomWeights } from '../../src/train/engine/randomWeights.js';

const conv = (scope: string, inC: number, outC: number, stride: number, activation: ConvLayer['activation']): ConvLayer =>
  ({ kind: 'conv', scope, inChannels: inC, outChannels: outC, kernel: 4, stride, batchNorm: true, activation });

test('int8 QDQ quantization keeps a small conv stack within a few quantization steps', async () => {
  // Layers whose output is at least a quarter of the input side stay float (INT8_FLOAT_TAIL_SIDE),
  // so the stack goes down to 32 px, where the stride-2 conv and the transposed conv are quantized.
  const layers = [
    conv('q/Conv', 3, 16, 1, 'relu'), // float: 3 channels
    conv('q/Conv_1', 16, 32, 2, 'relu'), // float: 128 px
    conv('q/Conv_2', 32, 32, 2, 'relu'), // float: 64 px
    conv('q/Conv_3', 32, 32, 2, 'relu'), // quantized: 32 px
    { kind: 'convTranspose', scope: 'q/Conv2d_transpose', inChannels: 32, outChannels: 16, kernel: 4, stride: 2, batchNorm: true, activation: 'relu' } as ConvTransposeLayer, // quantized (4 phases at 32 px)
    { kind: 'convTranspose', scope: 'q/Conv2d_transpose_1', inChannels: 16, outChannels: 16, kernel: 4, stride: 4, batchNorm: true, activation: 'relu' } as ConvTransposeLayer, // float: 256 px
    conv('q/Conv_4', 16, 3, 1, 'sigmoid'),
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
  console.log(`# int8 vs fp32 on a 7-layer stack: mean ${mean.toFixed(4)}, max ${max.toFixed(4)}`);
  // Without the float tail, Conv_1, Conv_2 and the last transposed conv (28,672 weights) would be int8 too: 3 bytes less each, less the scales, zero points and nodes int8 adds.
  const allInt8 = await quantizeModel(spec, weights, crops, { floatTailSide: Infinity });
  assert.ok(int8Bytes.length - allInt8.length > 28_672 * 2, `float tail kept: ${int8Bytes.length} against ${allInt8.length} bytes all-int8`);
});

/** Two 8-channel 1×1 convs in a row, after an Identity (a graph input itself cannot be quantized). */
function twoConvGraph(): OnnxGraph {
  const w = (name: string) => ({ name, dataType: 'float32' as const, dims: [8, 8, 1, 1], data: Float32Array.from({ length: 64 }, (_, i) => Math.sin(i + name.length)) });
  return {
    name: 'g',
    nodes: [
      { opType: 'Identity', name: 'in', inputs: ['x'], outputs: ['x0'] },
      { opType: 'Conv', name: 'first', inputs: ['x0', 'w1'], outputs: ['y1'] },
      { opType: 'Relu', name: 'relu', inputs: ['y1'], outputs: ['r1'] },
      { opType: 'Conv', name: 'second', inputs: ['r1', 'w2'], outputs: ['y'] },
    ],
    initializers: [w('w1'), w('w2')],
    inputs: [{ name: 'x', dataType: 'float32', shape: [1, 8, 4, 4] }],
    outputs: [{ name: 'y', dataType: 'float32' }],
  };
}

test('quantizeGraph leaves the convolutions named in floatConvs float, and quantizes the rest', () => {
  const graph = twoConvGraph();
  const ranges = new Map(['x0', 'r1', 'y'].map((n) => [n, { min: -1, max: 2 }]));
  const convInputs = (g: OnnxGraph) => new Map(g.nodes.filter((n) => n.opType === 'Conv').map((n) => [n.name!, n.inputs[1]!]));
  const all = convInputs(quantizeGraph(graph, ranges));
  assert.match(all.get('first')!, /_dq_q\d+$/, 'first conv reads dequantized int8 weights');
  assert.match(all.get('second')!, /_dq_q\d+$/, 'second conv reads dequantized int8 weights');
  const tail = quantizeGraph(graph, ranges, { floatConvs: new Set(['second']) });
  const some = convInputs(tail);
  assert.match(some.get('first')!, /_dq_q\d+$/);
  assert.equal(some.get('second'), 'w2', 'the float conv keeps its float32 initializer');
  assert.ok(tail.initializers.some((t) => t.name === 'w2' && t.dataType === 'float32'));
  assert.deepEqual(calibrationTensors(graph, { floatConvs: new Set(['second']) }), ['x0', 'r1'], 'no ranges asked for the float conv');
});
