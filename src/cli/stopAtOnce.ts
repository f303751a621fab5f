/**
 * What a second Ctrl-C does before the process exits, in every command that has one: no
 * new temporary file, rename or worker call starts; the writes, renames and network runs
 * already going are waited for (bounded); then the temporary files are removed.
 */
import { stopStagingFiles } from '../node/files/stageFile.js';
import { stopWorkerCalls } from '../node/inference/moduleWorker.js';

/**
 * Gets the process ready for an immediate `process.exit()`: resolves once nothing is left
 * half-done that the exit would turn into a stray file or an abort.
 *
 * ```ts
 * process.on('SIGINT', () => void stopAtOnce().then(() => process.exit(130)));
 * ```
 */
export async function stopAtOnce(): Promise<void> {
  await Promise.all([stopWorkerCalls(), stopStagingFiles()]);
}
