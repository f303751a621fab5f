/**
 * Starts `prnet <args>` from the sources as a child process and waits for a line on its
 * stderr (tests of `prnet serve` and `prnet worker`).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const MAIN = path.join(REPO, 'src/cli/main.ts');

export interface PrnetProcess {
  child: ChildProcessWithoutNullStreams;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves with the first match of `re` on stderr (rejects if the process exits first). */
  waitFor(re: RegExp): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function prnetProcess(args: string[], env: NodeJS.ProcessEnv = {}): PrnetProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: REPO, env: { ...process.env, ...env } });
  let err = '';
  const waiters = new Set<() => void>();
  child.stderr.on('data', (d) => {
    err += d;
    for (const w of waiters) w();
  });
  child.stdout.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => {
    resolve({ code, signal });
    for (const w of waiters) w();
  }));
  return {
    child,
    stderr: () => err,
    exited,
    waitFor(re) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = err.match(re);
          if (m) {
            waiters.delete(check);
            resolve(m);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            waiters.delete(check);
            reject(new Error(`prnet exited before ${re}: ${err}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
  };
}
