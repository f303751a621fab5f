/**
 * `prnet weights download [--from <prefix>] [--fp16] [--force]` and `prnet weights path`:
 * fetch the official PRNet checkpoint into the prnet cache (or take local files),
 * verify it, and convert it to the ONNX model the other commands use.
 */
import { readdir, stat, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { checkpointPrefix } from '../../node/weights/checkpoint.js';
import { convertCheckpointFile } from '../../node/weights/convertCheckpointFile.js';
import { sha256File } from '../../node/weights/download.js';
import { prnetHome } from '../../node/weights/prnetHome.js';
import {
  downloadOfficialCheckpoint, modelsDir, OFFICIAL_CHECKPOINT_FILES, officialModelPath, weightsDir, type OfficialFile,
} from '../../node/weights/weightsCache.js';

/** Environment overrides of the download URLs (mirrors; tests use a local server). */
const URL_ENV = { index: 'PRNET_CHECKPOINT_INDEX_URL', data: 'PRNET_CHECKPOINT_DATA_URL' } as const;

function mb(n: number): string {
  return `${(n / 1e6).toFixed(1)} MB`;
}

/** A progress bar on a terminal, else one line per 10 % (logs, CI). */
function progressReporter(label: string): { update: (bytes: number, total: number | undefined) => void; stop: () => void } {
  const err = process.stderr;
  if (err.isTTY) {
    const bar = new cliProgress.SingleBar({
      stream: err, format: `${label} [{bar}] {percentage}% {value_mb}/{total_mb} MB`, hideCursor: true, clearOnComplete: false,
    }, cliProgress.Presets.shades_classic);
    let started = false;
    return {
      update: (bytes, total) => {
        const t = total ?? Math.max(bytes, 1);
        const payload = { value_mb: (bytes / 1e6).toFixed(1), total_mb: (t / 1e6).toFixed(1) };
        if (!started) { bar.start(t, bytes, payload); started = true; } else { bar.setTotal(t); bar.update(bytes, payload); }
      },
      stop: () => { if (started) bar.stop(); },
    };
  }
  let lastDecile = -1;
  return {
    update: (bytes, total) => {
      if (!total) return;
      const decile = Math.floor((bytes / total) * 10);
      if (decile > lastDecile) {
        lastDecile = decile;
        err.write(`${label}: ${decile * 10}% (${mb(bytes)} of ${mb(total)})\n`);
      }
    },
    stop: () => undefined,
  };
}

async function checkLocalFiles(prefix: string): Promise<void> {
  for (const [suffix, file] of [['.index', OFFICIAL_CHECKPOINT_FILES.index], ['.data-00000-of-00001', OFFICIAL_CHECKPOINT_FILES.data]] as const) {
    const p = `${prefix}${suffix}`;
    let sha: string;
    try {
      sha = await sha256File(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(code === 'ENOENT' ? `checkpoint file not found: ${p}` : `cannot read ${p}: ${(e as Error).message}`);
    }
    if (sha !== file.sha256) {
      process.stderr.write(`warning: ${p} is not the official ${file.fileName} (sha256 ${sha.slice(0, 16)}…, official ${file.sha256.slice(0, 16)}…); converting it anyway\n`);
    }
  }
}

async function download(opts: { from?: string; fp16: boolean; force: boolean }): Promise<void> {
  const home = prnetHome();
  let prefix: string;
  if (opts.from) {
    prefix = checkpointPrefix(path.resolve(opts.from));
    await checkLocalFiles(prefix);
  } else {
    let bar: ReturnType<typeof progressReporter> | undefined;
    let current: OfficialFile | undefined;
    try {
      const r = await downloadOfficialCheckpoint({
        home,
        force: opts.force,
        urls: { index: process.env[URL_ENV.index] || undefined, data: process.env[URL_ENV.data] || undefined },
        onFile: (file, action, url) => {
          bar?.stop();
          bar = undefined;
          current = file;
          if (action === 'cached') process.stderr.write(`${file.fileName}: already downloaded and verified\n`);
          else process.stderr.write(`downloading ${file.fileName} (${mb(file.size)}) from ${url}\n`);
        },
        onProgress: (file, bytes, total) => {
          if (file !== current) return;
          bar ??= progressReporter(file.fileName);
          bar.update(bytes, total ?? file.size);
        },
      });
      prefix = r.prefix;
    } finally {
      bar?.stop();
    }
  }
  const output = officialModelPath(home, opts.fp16);
  await mkdir(modelsDir(home), { recursive: true });
  process.stderr.write(`converting ${prefix} to ONNX…\n`);
  const r = await convertCheckpointFile(prefix, output, { fp16: opts.fp16, variant: 'resfcn256' });
  process.stdout.write(`${r.output} (${mb(r.bytes)}, ${opts.fp16 ? 'fp16' : 'fp32'} weights, converted in ${r.seconds.toFixed(1)} s)\n`);
}

async function listDir(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch {
    return ['  (empty)'];
  }
  const official = new Map<string, OfficialFile>(Object.values(OFFICIAL_CHECKPOINT_FILES).map((f) => [f.fileName, f]));
  const lines: string[] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const s = await stat(path.join(dir, name));
    if (!s.isFile()) continue;
    let note = '';
    if (name.endsWith('.part')) note = '  (partial download; `prnet weights download` resumes it)';
    else if (official.has(name) && official.get(name)!.size !== s.size) note = '  (size differs from the official file)';
    lines.push(`  ${name}  ${mb(s.size)}${note}`);
  }
  return lines.length ? lines : ['  (empty)'];
}

async function showPath(): Promise<void> {
  const home = prnetHome();
  const lines = [home, `${weightsDir(home)}:`, ...(await listDir(weightsDir(home))), `${modelsDir(home)}:`, ...(await listDir(modelsDir(home)))];
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function register(program: Command): void {
  const weights = program
    .command('weights')
    .description('manage the official PRNet weights in the prnet cache ($PRNET_HOME)');
  weights
    .command('download')
    .description('download the official checkpoint (resumable, sha256-verified) and convert it to ONNX')
    .option('--from <checkpoint-prefix>', 'use local checkpoint files instead of downloading')
    .option('--fp16', 'store the converted weights in half precision', false)
    .option('--force', 'download again even if a verified copy is cached', false)
    .action(download);
  weights
    .command('path')
    .description('print the cache directory and what it holds')
    .action(showPath);
}
