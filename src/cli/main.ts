/**
 * The `prnet` command-line program. Each command lives in `commands/<name>.ts` and
 * exports `register(program)`; this file only lists them.
 */
import { Command } from 'commander';
import { COMMANDS } from './commands/index.js';
import { PRNET_VERSION } from '../version.js';
import { EXIT_INPUT, EXIT_USAGE } from './exitCodes.js';

export async function main(argv: string[] = process.argv): Promise<void> {
  // The reader of standard output went away (`prnet eval … | head`): stop quietly, as Unix
  // tools do, instead of an unhandled EPIPE with a stack trace. Commands that stream their
  // results to standard output (reconstruct -o -, video -o -) handle it themselves: they
  // stop the batch and still write their summary.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (process.stdout.listenerCount('error') > 1) return;
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    process.stderr.write(`prnet: standard output: ${err.message}\n`);
    process.exit(1);
  });
  const program = new Command();
  program
    .name('prnet')
    .description('Dense 3D face reconstruction and alignment from one photo (PRNet, ECCV 2018)')
    .version(PRNET_VERSION, '-V, --version', 'print the prnet version')
    .showHelpAfterError("(add --help for usage)")
    .configureOutput({ outputError: (s, write) => write(s) })
    // Every command inherits this (commander copies it to commands made after it): a usage
    // error (unknown command or option, missing or invalid argument) exits with 2; --help
    // and --version with 0. Input failures are each command's business (exit 1).
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE));
  for (const register of COMMANDS) register(program);
  await program.parseAsync(argv);
}

main().catch((err: unknown) => {
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`prnet: ${msg}\n`);
  if (process.env.PRNET_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exitCode = process.exitCode || EXIT_INPUT;
});
