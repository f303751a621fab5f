/**
 * `prnet reconstruct` with 1,000 distinct file arguments (issue 15, point 1). With a
 * command line of a few hundred paths onnxruntime-node's telemetry code overflowed the
 * network worker's stack (SIGSEGV, exit 139) before any image was processed; see
 * `src/node/inference/disableOrtTelemetry.ts`.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const COUNT = 1000;

test('1,000 distinct file arguments: every image done, no crash', async () => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'prnet-many-'));
  try {
    const dir = path.join(work, 'a-folder-with-a-fairly-long-name');
    await mkdir(dir);
    // A small grey image (the box is given, so no detection); the same bytes under 1,000 names.
    const png = await sharp({ create: { width: 40, height: 40, channels: 3, background: { r: 120, g: 110, b: 100 } } }).png().toBuffer();
    const files: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      const f = path.join(dir, `portrait-${String(i).padStart(4, '0')}.png`);
      await writeFile(f, png);
      files.push(f);
    }
    assert.ok(files.join(' ').length > 50_000, 'a command line well above the old limit (about 12 KB)');
    const out = path.join(work, 'out');
    const env = { ...process.env };
    delete env.ORT_DISABLE_TELEMETRY;
    const r = await new Promise<{ code: number | string | null; signal: string | null; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli/main.ts'), 'reconstruct', ...files, '-o', out, '--outputs', 'json', '--box', '5,5,30,30', '-q', '--batch', '8'],
        { cwd: repo, env, timeout: 600_000, maxBuffer: 16 << 20 }, (err, _stdout, stderr) => resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, signal: (err as { signal?: string } | null)?.signal ?? null, stderr }));
    });
    assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr}`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`prnet: ${COUNT} images, ${COUNT} faces, 0 failed`));
    const written = (await readdir(out)).filter((f) => f.endsWith('.json'));
    assert.equal(written.length, COUNT);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
