/**
 * `prnet doctor [--json] [--model <onnx>]`: what this installation can do (see
 * `checkEnvironment`). Exit status: 0 when the essentials work (warnings name the commands
 * an optional part would break), 1 when one does not.
 */
import type { Command } from 'commander';
import { checkEnvironment, type EnvironmentCheck } from '../../node/doctor/checkEnvironment.js';

/** Exit status when an essential check failed. */
const EXIT_FAILED = 1;

export function register(program: Command): void {
  program
    .command('doctor')
    .description('check this installation: Node, ONNX Runtime, the model, UV assets and face detector (each run once), ffmpeg, training kernels, Redis')
    .option('--model <onnx>', 'check this model instead of the one the commands would pick')
    .option('--json', 'one JSON document on standard output instead of the table')
    .action(async (opts: { model?: string; json?: boolean }) => {
      const checks = await checkEnvironment({ model: opts.model });
      const failed = checks.some((c) => c.status === 'fail');
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ ok: !failed, checks }, null, 2)}\n`);
      } else {
        const width = Math.max(...checks.map((c) => c.name.length));
        for (const c of checks) process.stdout.write(line(c, width));
        const warned = checks.filter((c) => c.status === 'warn').map((c) => c.name);
        process.stdout.write(failed
          ? 'prnet cannot reconstruct faces here: see the failed checks above.\n'
          : `prnet is ready${warned.length ? ` (optional parts missing: ${warned.join(', ')})` : ''}.\n`);
      }
      process.exitCode = failed ? EXIT_FAILED : 0;
    });
}

function line(c: EnvironmentCheck, width: number): string {
  const mark = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' }[c.status];
  return `${mark}  ${c.name.padEnd(width)}  ${c.detail}\n${c.hint ? `${' '.repeat(8 + width)}→ ${c.hint}\n` : ''}`;
}
