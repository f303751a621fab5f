/**
 * Writes BlazeFace as an ONNX file: `@vladmandic/human`'s tfjs graph
 * (`models/blazeface.json` + `.bin`) converted by prnet's own converter
 * (`src/face/tfGraphToOnnx.ts`), for inspection or for another ONNX runtime. prnet itself
 * does not need the file: `loadDetector` and `loadWebDetector` convert in memory when they
 * load (about 20 ms), so nothing derived from the third-party model is committed or cached.
 * BlazeFace is Apache-2.0 (MediaPipe), its tfjs packaging MIT (@vladmandic/human); the
 * file records both in its metadata.
 *
 * ```sh
 * node --import tsx scripts/blazeFaceOnnx.ts blazeface.onnx                       # as onnxruntime-web loads it
 * node --import tsx scripts/blazeFaceOnnx.ts blazeface.onnx --channel-multiple 16 # as onnxruntime-node loads it
 * ```
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { blazeFaceToOnnx } from '../src/face/blazeFaceOnnx.js';
import { readBlazeFaceModel } from '../src/node/inference/detector.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'channel-multiple': { type: 'string', default: '1' } } });
const out = positionals[0];
if (!out || positionals.length > 1) {
  console.error('usage: node --import tsx scripts/blazeFaceOnnx.ts OUT.onnx [--channel-multiple N]');
  process.exit(2);
}
const { json, weights } = await readBlazeFaceModel();
const bytes = blazeFaceToOnnx(json, weights, { channelMultiple: Number(values['channel-multiple']) });
await writeFile(out, bytes);
console.log(`${out}: ${bytes.length} bytes`);
