/** Issue 15, point 10: `prnet --version`, and usage errors exit with 2 in every command. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { EXIT_USAGE, usageErrorsOf } from '../../src/cli/exitCodes.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));

test('prnet --version and -V print the package version and exit 0', async () => {
  const { version } = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const { stdout } = await run(process.execPath, [path.join(repo, 'bin/prnet.js'), flag]);
    assert.equal(stdout.trim(), version);
  }
});

test('usageErrorsOf: a setup step that throws sets exit status 2 and rethrows the same error; one that succeeds leaves the status alone', async () => {
  const before = process.exitCode;
  try {
    process.exitCode = undefined;
    assert.equal(await usageErrorsOf(async () => 42), 42);
    assert.equal(process.exitCode, undefined);
    const err = new Error('model.onnx: not an ONNX model');
    await assert.rejects(usageErrorsOf(async () => { throw err; }), (e) => e === err);
    assert.equal(process.exitCode, EXIT_USAGE);
  } finally {
    process.exitCode = before;
  }
});

test('usage errors exit with 2 in every command; --help with 0', async () => {
  const prnet = (args: string[]) => new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(process.execPath, [path.join(repo, 'bin/prnet.js'), ...args], { timeout: 120_000 }, (err, _stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
  for (const args of [['no-such-command'], ['convert'], ['convert', 'x', '--no-such-option'], ['eval', 'aflw2000'], ['export'], ['weights', 'no-such-subcommand'], ['train', '--data', 'x'], ['train', '--data', 'x', '--validate-only']]) {
    const r = await prnet(args);
    assert.equal(r.code, 2, `prnet ${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.trim().split('\n').length <= 3, `short: ${r.stderr}`);
  }
  for (const args of [['--help'], ['convert', '--help'], ['eval', '--help']]) assert.equal((await prnet(args)).code, 0, args.join(' '));
});

test('a missing input of export or convert is a setup error (exit 2, one line), before any output', async () => {
  const prnet = (args: string[]) => new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(process.execPath, [path.join(repo, 'bin/prnet.js'), ...args], { timeout: 120_000 }, (err, _stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
  const out = path.join(repo, 'runs', `never-written-${process.pid}.onnx`);
  const cases: Array<[string[], RegExp]> = [
    [['export', 'no-such-run', '-o', out], /^prnet: no-such-run: no such file or folder \(the --out folder of prnet train/],
    [['convert', 'no-such-checkpoint', '-o', out], /^prnet: checkpoint index not found: no-such-checkpoint\.index/],
  ];
  for (const [args, message] of cases) {
    const r = await prnet(args);
    assert.equal(r.code, 2, `prnet ${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  await assert.rejects(readFile(out), /ENOENT/);
});

test('a reader of standard output that goes away (prnet … | head) ends the command quietly: exit 0, no stack trace', async () => {
  const { spawn } = await import('node:child_process');
  const aflw = path.resolve(repo, '../shared/fixtures/aflw2000-sample');
  for (const args of [['eval', 'aflw2000', aflw, '--limit', '2', '--baseline', 'mean-face'], ['doctor']]) {
    const child = spawn(process.execPath, [path.join(repo, 'bin/prnet.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    // Read the first bytes, then hang up, as `head -c 1` does.
    await new Promise<void>((resolve) => child.stdout.once('data', () => { child.stdout.destroy(); resolve(); }));
    const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    assert.equal(code, 0, `prnet ${args[0]}: ${stderr}`);
    assert.doesNotMatch(stderr, /EPIPE|at .*\.ts:\d+/, `prnet ${args[0]}`);
  }
});
