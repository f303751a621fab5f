/**
 * Checks that weights trained by `train_resfcn.py` give the same outputs through prnet's own
 * export path: runs the ONNX model `prnet export <x.weights.json>` wrote on the validation
 * crops the script saved (`check.npy`) and compares with PyTorch's float32 outputs, read
 * at each 256-map pixel's place in the 128 map (the graph's half-pixel bilinear resize).
 *
 * ```sh
 * node --import tsx training/pytorch/checkExport.ts <out>/check.npy <index in check.npy> model.onnx
 * ```
 * Exits 1 when the largest difference exceeds 0.05 px.
 */
import { readFile } from 'node:fs/promises';
import { readNpy } from '../../src/io/npy.js';
import { loadOnnxModel } from '../../src/node/inference/onnxModel.js';
import { POSITION_MAP_SCALE, POSITION_MAP_SIZE } from '../../src/model/resfcn.js';

const [checkFile, indexArg, onnxFile] = process.argv.slice(2);
if (!checkFile || !indexArg || !onnxFile) {
  process.stderr.write('usage: checkExport.ts check.npy <variant index ≥ 1> model.onnx\n');
  process.exit(2);
}
const npy = readNpy(new Uint8Array(await readFile(checkFile)), checkFile);
const [, n, H] = npy.shape as [number, number, number];
const data = npy.data as Float32Array;
const per = n * H * H * 3;
const inputs = data.subarray(0, per);
const reference = data.subarray(Number(indexArg) * per, (Number(indexArg) + 1) * per);
const model = await loadOnnxModel(onnxFile);
const out = await model.predict(Float32Array.from(inputs), n);
const N = POSITION_MAP_SIZE;
let worst = 0, sum = 0;
for (let b = 0; b < n; b++) for (let v = 0; v < N; v++) for (let u = 0; u < N; u++) {
  const su = Math.min(Math.max((u - 0.5) / 2, 0), H - 1), sv = Math.min(Math.max((v - 0.5) / 2, 0), H - 1);
  const u0 = Math.min(Math.floor(su), H - 2), v0 = Math.min(Math.floor(sv), H - 2);
  const fu = su - u0, fv = sv - v0;
  for (let c = 0; c < 3; c++) {
    const at = (uu: number, vv: number) => reference[b * H * H * 3 + (vv * H + uu) * 3 + c]!;
    const ref = ((1 - fv) * ((1 - fu) * at(u0, v0) + fu * at(u0 + 1, v0)) + fv * ((1 - fu) * at(u0, v0 + 1) + fu * at(u0 + 1, v0 + 1))) * POSITION_MAP_SCALE;
    const d = Math.abs(out[b * N * N * 3 + (v * N + u) * 3 + c]! - ref);
    worst = Math.max(worst, d); sum += d;
  }
}
await model.dispose();
process.stdout.write(`${onnxFile} against PyTorch on ${n} crops: max |Δ| ${worst.toFixed(4)} px, mean ${(sum / (n * N * N * 3)).toFixed(5)} px\n`);
process.exit(worst <= 0.05 ? 0 : 1);
