/**
 * Landmark accuracy of the real path, detector crops included: runs `prnet reconstruct`
 * (JSON output) on the AFLW2000-3D fixtures and scores each image's faces against the
 * `.mat` ground truth exactly as `prnet eval aflw2000` scores ground-truth crops (68-point
 * NME over √(w·h) of the ground-truth box, 2D and 3D with each set's mean z removed, by
 * |yaw| bin). The face whose landmark centroid lies nearest the ground truth's is scored;
 * an image with no face within half the ground-truth box size counts as a miss, apart.
 *
 * Run: `npm run bench -- reconstructAccuracy` (env: `PRNET_BENCH_MODEL=<onnx>`,
 * `PRNET_BENCH_AFLW=<dir>`, `PRNET_BENCH_ARGS="--flip-average"` for extra reconstruct flags).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { landmarkNme } from '../src/eval/landmarkNme.js';
import { summarizeEvaluation } from '../src/eval/summarizeEvaluation.js';
import type { ImageEvaluation } from '../src/eval/evaluateAflw2000.js';
import { listAflw2000Samples } from '../src/node/files/listAflw2000Samples.js';
import { matchFace } from '../src/eval/matchFace.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = path.resolve(process.env['PRNET_BENCH_AFLW'] ?? path.join(root, '../shared/fixtures/aflw2000-sample'));
const model = path.resolve(process.env['PRNET_BENCH_MODEL'] ?? path.join(root, 'models/default.onnx'));
const extra = (process.env['PRNET_BENCH_ARGS'] ?? '').split(/\s+/).filter(Boolean);

const samples = await listAflw2000Samples(dir).catch((err: Error) => {
  console.log(`skipped: ${err.message}`);
  process.exit(0);
});
const out = await mkdtemp(path.join(os.tmpdir(), 'prnet-recacc-'));
try {
  const cli = (args: string[]) => {
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [path.join(root, 'bin/prnet.js'), ...args], { encoding: 'utf8' });
    if (r.status !== 0 && r.status !== 1) throw new Error(`prnet ${args[0]} exited ${r.status}: ${r.stderr.trim().split('\n').pop()}`);
    return { stdout: r.stdout, ms: Date.now() - t0 };
  };
  const run = cli(['reconstruct', dir, '--outputs', 'json', '-o', out, '--model', model, '-q', ...extra]);
  const records: ImageEvaluation[] = [];
  let misses = 0;
  for (const s of samples) {
    const { groundTruth: gt } = await s.load(false);
    let doc: { faces: { landmarks: number[][] }[] };
    try {
      doc = JSON.parse(await readFile(path.join(out, `${s.name}.json`), 'utf8')) as typeof doc;
    } catch {
      records.push({ name: s.name, status: 'failed', error: 'no JSON written' });
      continue;
    }
    const g = gt.landmarks;
    const faces = doc.faces.map((f) => Float64Array.from(f.landmarks.flat()));
    const k = matchFace(faces, g, 3);
    if (k < 0) {
      misses++;
      records.push({ name: s.name, status: 'failed', error: 'no face found at the ground truth' });
      continue;
    }
    const best = faces[k]!;
    records.push({ name: s.name, status: 'ok', yaw: gt.pose.yaw, nme2d: landmarkNme(best, g, 2), nme3d: landmarkNme(best, g, 3) });
  }
  const sum = summarizeEvaluation(records);
  const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
  // The same model under the benchmark's ground-truth crop, for the gap.
  const evalOut = cli(['eval', 'aflw2000', dir, '--model', model, ...extra.filter((a) => a === '--flip-average')]).stdout;
  const pick = (label: string) => evalOut.split('\n').find((l) => l.trim().startsWith(label))?.trim().split(/\s{2,}/)[1] ?? '?';
  console.log(`${path.basename(model)} on ${samples.length} AFLW2000-3D images${extra.length ? ` (${extra.join(' ')})` : ''}: ${sum.evaluated} scored, ${misses} missed by the detector`);
  console.log('                          prnet reconstruct   ground-truth crop (prnet eval)');
  console.log(`  NME 2D                  ${pct(sum.nme2d).padStart(10)}          ${pick('NME 2D')}`);
  console.log(`  NME 3D                  ${pct(sum.nme3d).padStart(10)}          ${pick('NME 3D')}`);
  console.log(`  yaw-balanced NME 2D     ${pct(sum.yawBalancedNme2d).padStart(10)}          ${pick('yaw-balanced NME 2D')}`);
  for (const b of sum.yawBins) console.log(`    |yaw| ${b.label.padEnd(12)} (n=${b.count})`.padEnd(26) + `${pct(b.nme2d).padStart(10)}          ${pick(`|yaw| ${b.label}`)}`);
  console.log(`  wall time of prnet reconstruct: ${run.ms} ms for ${samples.length} images, process start and model load included`);
} finally {
  await rm(out, { recursive: true, force: true });
}
