import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO } from '../../support/prnetProcess.js';

/** Runs test/support/exitDuringRun.ts: a process that exits with 130 while its network worker runs. */
function exitDuringRun(mode: 'wait' | 'nowait'): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'test/support/exitDuringRun.ts'), mode], { cwd: REPO });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

test('stopWorkerCalls: the exit waits for the network run in flight and gets its own code; later calls are not sent', async () => {
  const r = await exitDuringRun('wait');
  assert.equal(r.code, 130, r.stderr);
  const { finished, settled } = JSON.parse(r.stdout) as { finished: number; settled: boolean };
  assert.ok(finished > 50, `the run in flight completed before the exit (${finished} ms after it started)`);
  assert.equal(settled, false, 'a call made after the stop neither ran nor failed');
});

test('without stopWorkerCalls, exiting while onnxruntime-node runs in a worker aborts the process (why the guard exists)', async () => {
  const r = await exitDuringRun('nowait');
  assert.notEqual(r.code, 130, 'onnxruntime-node no longer aborts here: the guard may be unnecessary');
  assert.match(r.stderr, /Napi::Error/);
});
