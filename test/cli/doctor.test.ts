import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import os from 'node:os';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { REPO } from '../support/prnetProcess.js';

interface Report { ok: boolean; checks: Array<{ name: string; status: 'ok' | 'warn' | 'fail'; detail: string; hint?: string; essential: boolean }> }

function doctor(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/cli/main.ts'), 'doctor', ...args], { cwd: REPO, timeout: 120_000, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('prnet doctor: every essential part runs here (exit 0); --json lists each check', async () => {
  const { PRNET_MODEL: _m, PRNET_REDIS_URL: _r, ...clean } = process.env;
  // An empty cache: the shipped model is the one picked, whatever this machine's cache holds.
  const r = await doctor(['--json'], { ...clean, PRNET_MODEL: '', PRNET_REDIS_URL: '', PRNET_HOME: mkdtempSync(path.join(os.tmpdir(), 'prnet-doctor-')) });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  assert.equal(report.ok, true);
  assert.deepEqual(report.checks.map((c) => c.name), ['node', 'onnxruntime', 'model', 'uv-assets', 'face-detector', 'ffmpeg', 'ffprobe', 'training-kernels', 'redis', 'cache']);
  const by = new Map(report.checks.map((c) => [c.name, c]));
  for (const name of ['node', 'onnxruntime', 'model', 'uv-assets', 'face-detector']) {
    assert.equal(by.get(name)!.status, 'ok', `${name}: ${by.get(name)!.detail}`);
    assert.equal(by.get(name)!.essential, true);
  }
  assert.match(by.get('model')!.detail, /models\/default\.onnx \(the model shipped with prnet: resfcn128-light, 128×128 input, float16 weights; sha256 [0-9a-f]{12}…\); one run [\d.]+ ms/);
  assert.match(by.get('uv-assets')!.detail, /43,867 vertices, 68 landmarks, 86,907 triangles/);
});

test('prnet doctor: a missing model fails (exit 1) with what to do; a missing ffmpeg and an unreachable Redis only warn, the password hidden', async () => {
  const missing = await doctor([], { PRNET_MODEL: path.join(REPO, 'no-such-model.onnx') });
  assert.equal(missing.code, 1, missing.stdout);
  assert.match(missing.stdout, /^FAIL {2}model +PRNET_MODEL=.*no-such-model\.onnx: no such model file$/m);
  assert.match(missing.stdout, /→ run `prnet weights download`/);
  assert.match(missing.stdout, /prnet cannot reconstruct faces here/);
  const notAModel = await doctor(['--model', path.join(REPO, 'README.md')]);
  assert.equal(notAModel.code, 1);
  // The file named, as the commands name it (not "<model bytes>"), and no raw ENOENT message.
  assert.match(notAModel.stdout, /^FAIL {2}model +.*README\.md: not an ONNX model: /m);
  const noFile = await doctor(['--model', path.join(REPO, 'no-such-model.onnx')]);
  assert.equal(noFile.code, 1);
  assert.match(noFile.stdout, /^FAIL {2}model +.*no-such-model\.onnx: cannot read model file \(ENOENT\)$/m);
  // An ONNX model with the right tensors but no prnet metadata: what the commands refuse without --force.
  const { constantFaceModel } = await import('../support/randomModel.js');
  const bare = path.join(mkdtempSync(path.join(os.tmpdir(), 'prnet-doctor-')), 'foreign.onnx');
  writeFileSync(bare, constantFaceModel(new Float32Array(256 * 256 * 3).fill(100), 256, {}));
  const noMeta = await doctor(['--model', bare]);
  assert.equal(noMeta.code, 1, noMeta.stdout);
  assert.match(noMeta.stdout, /not a prnet model .*--force/);
  // A model that runs but returns NaN (a diverged training run) cannot reconstruct anything.
  const nan = path.join(path.dirname(bare), 'nan.onnx');
  writeFileSync(nan, constantFaceModel(new Float32Array(256 * 256 * 3).fill(NaN), 256));
  const nanModel = await doctor(['--model', nan]);
  assert.equal(nanModel.code, 1, nanModel.stdout);
  assert.match(nanModel.stdout, /^FAIL {2}model +.*nan\.onnx: returns NaN or ±∞ on a noise picture: the model is broken/m);
  const optional = await doctor(['--json'], { PRNET_FFMPEG: '/nonexistent/ffmpeg', PRNET_REDIS_URL: 'redis://:s3cret@127.0.0.1:1' });
  assert.equal(optional.code, 0, optional.stdout);
  const report = JSON.parse(optional.stdout) as Report;
  const by = new Map(report.checks.map((c) => [c.name, c]));
  assert.equal(by.get('ffmpeg')!.status, 'warn');
  assert.match(by.get('ffmpeg')!.detail, /\/nonexistent\/ffmpeg: ENOENT/);
  assert.match(by.get('ffmpeg')!.hint!, /only `prnet video` needs it/);
  assert.equal(by.get('redis')!.status, 'warn');
  assert.match(by.get('redis')!.detail, /^redis:\/\/:\*\*\*@127\.0\.0\.1:1: /);
  assert.doesNotMatch(optional.stdout, /s3cret/);
  const table = await doctor([], { PRNET_FFMPEG: '/nonexistent/ffmpeg' });
  assert.match(table.stdout, /prnet is ready \(optional parts missing: ffmpeg\)\./);
});
