/**
 * The Node training run: files in the run directory, refusal to overwrite a run,
 * stop → resume through the checkpoint file, and the exported weights/ONNX.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resfcnSpec } from '../../../src/model/resfcn.js';
import { trainRun, TRAIN_RUN_FILES } from '../../../src/node/train/trainRun.js';
import { decodeTrainCheckpoint } from '../../../src/train/loop/trainCheckpoint.js';
import { importWeights } from '../../../src/train/engine/exportWeights.js';
import type { WeightsManifest } from '../../../src/train/engine/exportWeights.js';
import { loadOnnxModel } from '../../../src/node/inference/onnxModel.js';
import { exportTrainedModel } from '../../../src/node/train/exportTrainedModel.js';
import { randomFloats, seededRandom } from '../../support/random.js';
import { randomTrainingData } from '../../support/randomTrainingData.js';

const spec = resfcnSpec({ variant: 'run32', inputSize: 32, baseChannels: 2 });
const S = 32;

const data = () => randomTrainingData(S, 0.1);

test('trainRun writes checkpoint, metrics, curve, weights and ONNX; stops and resumes', async () => {
  const out = await mkdtemp(path.join(tmpdir(), 'prnet-train-'));
  const quiet = { log: () => {}, dataDir: 'unused', outDir: out, spec, data: data(), batchSize: 4, epochs: 2, seed: 3, threads: 2, logEverySteps: 1 };
  try {
    const first = await trainRun({ ...quiet, maxSteps: 3 });
    assert.ok(first.stopped);
    const ck = decodeTrainCheckpoint(new Uint8Array(await readFile(path.join(out, TRAIN_RUN_FILES.checkpoint))));
    assert.equal(ck.step, 3);
    await assert.rejects(trainRun({ ...quiet }), /already exists: pass --resume/);
    const second = await trainRun({ ...quiet, resume: true });
    assert.ok(!second.stopped);
    assert.equal(second.step, 4);
    const metrics = (await readFile(path.join(out, TRAIN_RUN_FILES.metrics), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { epoch: number; valLoss: number; valNme: number });
    assert.deepEqual(metrics.map((m) => m.epoch), [0, 1]);
    assert.ok(metrics.every((m) => m.valLoss > 0 && m.valNme === 0.1));
    // One row per step (logEverySteps 1), in step order across the stop and the resume.
    const stepRows = (await readFile(path.join(out, TRAIN_RUN_FILES.steps), 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { step: number }).step);
    assert.deepEqual(stepRows, [1, 2, 3, 4]);
    const svg = await readFile(path.join(out, TRAIN_RUN_FILES.curveSvg), 'utf8');
    assert.match(svg, /^<svg[\s\S]*<path d="M[\d.]+,[\d.]+L/);
    // The validation NME (0.1 each epoch) on the right axis: two points at the 10 % tick's height.
    const nmePath = /<path d="M([\d.]+),([\d.]+)L([\d.]+),([\d.]+)" fill="none" stroke="#2ca02c"/.exec(svg);
    const tick10 = /<text x="[\d.]+" y="([\d.]+)"[^>]*fill="#2ca02c">10 %<\/text>/.exec(svg);
    assert.ok(nmePath && tick10, 'NME curve and axis drawn');
    assert.equal(nmePath[2], tick10[1]);
    assert.equal(nmePath[4], tick10[1]);
    const png = await readFile(path.join(out, TRAIN_RUN_FILES.curvePng));
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    // Exported weights equal the final checkpoint's.
    const final = decodeTrainCheckpoint(new Uint8Array(await readFile(path.join(out, TRAIN_RUN_FILES.checkpoint))));
    const manifest = JSON.parse(await readFile(path.join(out, TRAIN_RUN_FILES.manifest), 'utf8')) as WeightsManifest;
    const weights = importWeights(manifest, new Uint8Array(await readFile(path.join(out, TRAIN_RUN_FILES.weights))));
    assert.equal(weights.size, final.weights.size);
    for (const [k, w] of final.weights) assert.deepEqual(weights.get(k), w, k);
    // And the ONNX model runs with the run's input size.
    const model = await loadOnnxModel(path.join(out, TRAIN_RUN_FILES.onnx), { threads: 1 });
    assert.equal(model.inputSize, S);
    const y = await model.predict(randomFloats(S * S * 3, seededRandom(4)), 1);
    assert.equal(y.length, 256 * 256 * 3);
    assert.ok(y.every(Number.isFinite));
    await model.dispose();
    // prnet export: the checkpoint as an fp16 model plus TF-named weights, into a folder it creates.
    const exported = path.join(out, 'new-folder', 'exported.onnx');
    const ex = await exportTrainedModel(out, exported, { fp16: true, weights: true, note: 'interim, NME 9 %' });
    assert.equal(ex.step, 4);
    const half = await loadOnnxModel(exported, { threads: 1 });
    assert.equal(half.metadata['prnet.note'], 'interim, NME 9 %');
    assert.match(half.metadata['prnet.source'] ?? '', /step 4, epoch 2/);
    const y16 = await half.predict(randomFloats(S * S * 3, seededRandom(4)), 1);
    await half.dispose();
    let d16 = 0;
    for (let i = 0; i < y.length; i++) d16 = Math.max(d16, Math.abs(y16[i]! - y[i]!));
    assert.ok(d16 < 2, `fp16 export differs by ${d16} px`);
    const exManifest = JSON.parse(await readFile(path.join(out, 'new-folder', 'exported.weights.json'), 'utf8')) as WeightsManifest;
    assert.equal(exManifest.dtype, 'float16');
    const halfWeights = importWeights(exManifest, new Uint8Array(await readFile(path.join(out, 'new-folder', 'exported.weights.bin'))));
    for (const [k, w] of weights) {
      const h = halfWeights.get(k)!;
      assert.ok(w.every((x, i) => Math.abs(x - h[i]!) <= Math.abs(x) * 2 ** -11 + 2 ** -24), k);
    }
    await assert.rejects(exportTrainedModel(path.join(out, 'nope'), exported), /cannot read the training checkpoint \(ENOENT: .*nope is not the --out folder of prnet train, nor a \.weights\.json beside its \.weights\.bin\)/);
    // A new run initialised from the exported weights starts where this one ended.
    const warm = await mkdtemp(path.join(tmpdir(), 'prnet-train-warm-'));
    try {
      await trainRun({ ...quiet, outDir: warm, initWeights: path.join(out, TRAIN_RUN_FILES.weights), maxSteps: 1, learningRate: 1e-12, weightDecay: 0 });
      const started = decodeTrainCheckpoint(new Uint8Array(await readFile(path.join(warm, TRAIN_RUN_FILES.checkpoint))));
      for (const [k, w] of final.weights) {
        if (!k.endsWith('/weights')) continue; // moving statistics move with every step
        const v = started.weights.get(k)!;
        assert.ok(w.every((x, i) => Math.abs(x - v[i]!) < 1e-6), k);
      }
      await assert.rejects(trainRun({ ...quiet, outDir: path.join(warm, 'x'), initWeights: path.join(warm, 'missing.bin') }), /cannot read .*missing\.json/);
    } finally {
      await rm(warm, { recursive: true, force: true });
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('validateOnly scores exported weights with the figures of the epoch that made them, and writes nothing', async () => {
  const out = await mkdtemp(path.join(tmpdir(), 'prnet-train-validate-'));
  const quiet = { log: () => {}, dataDir: 'unused', spec, data: data(), batchSize: 4, epochs: 1, seed: 3, threads: 2 };
  try {
    const run = await trainRun({ ...quiet, outDir: path.join(out, 'run') });
    const epoch = run.metrics.at(-1)!;
    const weights = path.join(out, 'run', TRAIN_RUN_FILES.weights);
    const nowhere = path.join(out, 'nowhere');
    const scored = await trainRun({ ...quiet, outDir: nowhere, validateOnly: true, initWeights: weights });
    assert.ok(scored.validation && scored.validation.loss !== null && epoch.valLoss !== null);
    assert.ok(Math.abs(scored.validation.loss - epoch.valLoss) <= 1e-6 * epoch.valLoss, `val loss ${scored.validation.loss} vs the epoch's ${epoch.valLoss}`);
    assert.equal(scored.validation.nme, epoch.valNme);
    assert.deepEqual([scored.step, scored.metrics], [0, []]);
    await assert.rejects(readFile(path.join(nowhere, 'data.json')), { code: 'ENOENT' }, 'no run folder');
    await assert.rejects(trainRun({ ...quiet, outDir: nowhere, validateOnly: true }), /--validate-only: give the weights to score with --init-weights/);
    // Weights bring their variant: no --variant needed, a different one refused.
    const { variantSpec } = await import('../../../src/model/resfcn.js');
    const { exportWeights } = await import('../../../src/train/engine/exportWeights.js');
    const { randomWeights } = await import('../../../src/train/engine/randomWeights.js');
    const light = variantSpec('resfcn128-light');
    const exported = exportWeights(light, randomWeights(light, 4));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(out, 'light.weights.bin'), exported.data);
    await writeFile(path.join(out, 'light.weights.json'), JSON.stringify(exported.manifest));
    const lightData = randomTrainingData(128, 0.1);
    const { spec: _spec, ...noSpec } = quiet;
    const light128 = await trainRun({ ...noSpec, data: lightData, outDir: nowhere, validateOnly: true, initWeights: path.join(out, 'light.weights.bin') });
    assert.ok(light128.validation && Number.isFinite(light128.validation.loss));
    await assert.rejects(trainRun({ ...noSpec, data: lightData, outDir: nowhere, validateOnly: true, variant: 'resfcn256', initWeights: path.join(out, 'light.weights.bin') }), /holds resfcn128-light weights, not resfcn256/);
    await assert.rejects(trainRun({ ...quiet, outDir: nowhere, validateOnly: true, initWeights: weights, resume: true }), /not a run to resume/);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('Ctrl-C (a real SIGINT) stops a run within a step, with a checkpoint to resume from', async () => {
  const out = await mkdtemp(path.join(tmpdir(), 'prnet-train-'));
  const lines: string[] = [];
  try {
    // 4 steps per epoch: a loop that only noticed signals at epoch ends would reach step 4.
    const result = await trainRun({
      log: (l: string) => lines.push(l), dataDir: 'unused', outDir: out, spec, data: data(), batchSize: 2, epochs: 5, seed: 3, threads: 1, logEverySteps: 1,
      onStep: (s: { step: number }) => { if (s.step === 1) process.kill(process.pid, 'SIGINT'); },
    });
    assert.ok(result.stopped);
    assert.ok(result.step <= 2, `stopped at step ${result.step}`);
    assert.ok(lines.some((l) => /SIGINT: finishing the current step/.test(l)), lines.join('\n'));
    const ck = decodeTrainCheckpoint(new Uint8Array(await readFile(path.join(out, TRAIN_RUN_FILES.checkpoint))));
    assert.equal(ck.step, result.step);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('best.bin keeps the epoch with the best validation score, across a resume; export --best writes it', async () => {
  const out = await mkdtemp(path.join(tmpdir(), 'prnet-train-best-'));
  // Scripted validation NME per epoch: the best is the second epoch, and the run is
  // stopped and resumed after it, so the resumed session must respect the saved best.
  const scores = [0.3, 0.2, 0.25, 0.22];
  let validations = 0;
  const scripted = () => ({ ...data(), valLandmarkError: () => ({ nme: scores[validations++]!, perImage: new Float64Array(0) }) });
  const lines: string[] = [];
  const opts = { log: (l: string) => lines.push(l), dataDir: 'unused', outDir: out, spec, batchSize: 4, epochs: 4, seed: 3, threads: 1 };
  try {
    // 2 steps per epoch: stop after epoch 2 (step 4), resume to epoch 4.
    await trainRun({ ...opts, data: scripted(), maxSteps: 5 });
    const bestAfterFirst = JSON.parse(await readFile(path.join(out, TRAIN_RUN_FILES.bestMetrics), 'utf8')) as { epoch: number; valNme: number; step: number };
    assert.deepEqual([bestAfterFirst.epoch, bestAfterFirst.valNme, bestAfterFirst.step], [1, 0.2, 4]);
    await trainRun({ ...opts, data: scripted(), resume: true });
    assert.equal(validations, 4);
    const best = JSON.parse(await readFile(path.join(out, TRAIN_RUN_FILES.bestMetrics), 'utf8')) as { epoch: number; valNme: number; step: number };
    assert.deepEqual([best.epoch, best.valNme, best.step], [1, 0.2, 4]);
    assert.equal(decodeTrainCheckpoint(new Uint8Array(await readFile(path.join(out, TRAIN_RUN_FILES.best)))).step, 4);
    assert.equal(decodeTrainCheckpoint(new Uint8Array(await readFile(path.join(out, TRAIN_RUN_FILES.checkpoint)))).step, 8);
    assert.ok(lines.some((l) => /best so far \(validation 0\.2000, epoch 2\)/.test(l)), lines.join('\n'));
    const onnx = path.join(out, 'best.onnx');
    assert.equal((await exportTrainedModel(out, onnx, { checkpoint: 'best' })).step, 4);
    assert.equal((await exportTrainedModel(out, onnx)).step, 8);
    await rm(path.join(out, TRAIN_RUN_FILES.best));
    await assert.rejects(exportTrainedModel(out, onnx, { checkpoint: 'best' }), /no best checkpoint yet/);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

/** The loss of a one-step run's first step, with these loss options. */
async function firstStepLoss(options: { mouthWeight?: number; expressionWeight?: number }): Promise<number> {
  const out = await mkdtemp(path.join(tmpdir(), 'prnet-train-lips-'));
  try {
    await trainRun({ log: () => {}, dataDir: 'unused', outDir: out, spec, data: data(), batchSize: 4, epochs: 1, seed: 3, threads: 1, logEverySteps: 1, maxSteps: 1, ...options });
    return (JSON.parse((await readFile(path.join(out, TRAIN_RUN_FILES.steps), 'utf8')).split('\n')[0]!) as { loss: number }).loss;
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

test('mouthWeight scales the loss on the lips only: the first step\'s loss grows, and only by the lips\' share', async () => {
  const firstLoss = (mouthWeight: number) => firstStepLoss({ mouthWeight });
  const [plain, twice, fivefold] = [await firstLoss(1), await firstLoss(2), await firstLoss(5)];
  assert.ok(twice > plain, `${twice} > ${plain}`);
  // Linear in the factor: loss(k) = rest + k · lips.
  const lips = twice - plain;
  assert.ok(Math.abs(fivefold - (plain + 4 * lips)) < 1e-6 * plain + 1e-9, `${fivefold} vs ${plain + 4 * lips}`);
  // The lips are a small region of a 32×32 map: their share of the loss is a few per cent.
  assert.ok(lips / plain > 0.002 && lips / plain < 0.2, `lips' share ${lips / plain}`);
});

test('expressionWeight adds the expression loss, in proportion to its weight', async () => {
  const [plain, some, more] = [await firstStepLoss({}), await firstStepLoss({ expressionWeight: 50 }), await firstStepLoss({ expressionWeight: 150 })];
  assert.ok(some > plain, `${some} > ${plain}`);
  assert.ok(Math.abs((more - plain) - 3 * (some - plain)) < 1e-6 * plain + 1e-9, `linear in the weight: ${more - plain} vs 3 × ${some - plain}`);
});

test('prnet train --resume takes the variant and options from the checkpoint unless given again', async () => {
  const { execFile } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const repo = fileURLToPath(new URL('../../..', import.meta.url));
  const shared = path.resolve(repo, '../shared');
  const out = await mkdtemp(path.join(tmpdir(), 'prnet-train-cli-'));
  const cli = (args: string[]) => new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli/main.ts'), 'train', ...args], { cwd: repo, timeout: 240_000 }, (err, _stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
  const common = ['--out', path.join(out, 'run'), '--data', path.join(shared, 'datasets/aflw21'), '--uv-data', path.join(shared, 'prnet-data/uv-data'),
    '--cache', path.join(out, 'cache'), '--limit', '10', '--val-count', '4', '--threads', '1'];
  try {
    // 6 training images, batch 2: 3 steps an epoch; stop after 2 steps.
    const first = await cli([...common, '--variant', 'resfcn128-light', '--batch-size', '2', '--epochs', '2', '--bn-decay', '0.9', '--learning-rate', '3e-4', '--max-steps', '2', '--mouth-weight', '4', '--expression-weight', '300']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /loss weight of the lips: 4× the paper's/);
    assert.match(first.stderr, /expression loss \(differences of neighbouring pixels in the lips and eyes\): weight 300/);
    assert.deepEqual(JSON.parse(await readFile(path.join(out, 'run', 'data.json'), 'utf8')), { dataDir: path.join(shared, 'datasets/aflw21'), mouthWeight: 4, expressionWeight: 300 });
    const second = await cli([...common, '--resume']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /options of the run \(from the checkpoint\): .*batchSize 2.*batchNormDecay 0\.9/);
    assert.match(second.stderr, /loss weight of the lips: 4×/, 'the resumed run keeps its lips\' weight');
    assert.match(second.stderr, /expression loss weight of the run: 300/, 'and its expression loss');
    assert.match(second.stderr, /expression loss \(differences of neighbouring pixels in the lips and eyes\): weight 300/);
    const ck = decodeTrainCheckpoint(new Uint8Array(await readFile(path.join(out, 'run', TRAIN_RUN_FILES.checkpoint))));
    assert.equal(ck.variant, 'resfcn128-light');
    assert.equal(ck.step, 6); // to the end of epoch 2: the first session's --max-steps is not inherited
    assert.deepEqual([ck.options['batchNormDecay'], ck.options['learningRate'], ck.options['epochs']], [0.9, 3e-4, 2]);
    // An option given again wins; a conflicting variant is refused.
    const third = await cli([...common, '--resume', '--epochs', '3', '--max-steps', '7', '--variant', 'resfcn256']);
    assert.notEqual(third.code, 0);
    assert.match(third.stderr, /is a resfcn128-light run, not resfcn256/);
    const fourth = await cli([...common, '--resume', '--epochs', '3', '--max-steps', '7']);
    assert.equal(fourth.code, 0, fourth.stderr);
    const ck4 = decodeTrainCheckpoint(new Uint8Array(await readFile(path.join(out, 'run', TRAIN_RUN_FILES.checkpoint))));
    assert.deepEqual([ck4.step, ck4.options['epochs'], ck4.options['batchNormDecay']], [7, 3, 0.9]);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
