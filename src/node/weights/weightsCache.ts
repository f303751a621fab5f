/**
 * The official PRNet weights: where they come from (a small table of known files with
 * size and sha256) and where they live in the prnet cache
 * (`<home>/weights/256_256_resfcn256_weight.{index,data-00000-of-00001}`, converted
 * models in `<home>/models/`).
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { downloadFile, sha256File } from './download.js';
import { googleDriveConfirmation, googleDriveDownloadUrl, GOOGLE_DRIVE_DOWNLOAD_BASE } from './googleDrive.js';
import { prnetHome } from './prnetHome.js';

/** A file of the official release, with what it must hash to. */
export interface OfficialFile {
  /** File name in the cache and in the official `Data/net-data/` folder. */
  fileName: string;
  /** Where to get it (Google Drive files: see `googleDriveId`). */
  url: string;
  size: number;
  sha256: string;
  /** Google Drive file id, when the file is hosted there. */
  googleDriveId?: string;
}

/** Name of the official checkpoint (prefix of its two files). */
export const OFFICIAL_CHECKPOINT_NAME = '256_256_resfcn256_weight';

/** The official ResFCN256 checkpoint (Feng et al. 2018; research use). */
export const OFFICIAL_CHECKPOINT_FILES = {
  index: {
    fileName: `${OFFICIAL_CHECKPOINT_NAME}.index`,
    url: 'https://raw.githubusercontent.com/YadiraF/PRNet/master/Data/net-data/256_256_resfcn256_weight.index',
    size: 20_319,
    sha256: 'cb88192fcf744b8e26d1ea6a2681cd90f102a2d977ab1bac3026bdf4ce785744',
  },
  data: {
    fileName: `${OFFICIAL_CHECKPOINT_NAME}.data-00000-of-00001`,
    url: googleDriveDownloadUrl('1UoE-XuW1SDLUjZmJPkIZ1MLxvQFgmTFH'),
    size: 160_290_984,
    sha256: '59d338bf0c21b10be813f17f84042c9d3a5bf318e588855ff2b2c041c25bb91a',
    googleDriveId: '1UoE-XuW1SDLUjZmJPkIZ1MLxvQFgmTFH',
  },
} as const satisfies Record<'index' | 'data', OfficialFile>;

export type OfficialFileKey = keyof typeof OFFICIAL_CHECKPOINT_FILES;

/** `<home>/weights`: downloaded checkpoints. */
export function weightsDir(home: string = prnetHome()): string {
  return path.join(home, 'weights');
}

/** `<home>/models`: converted ONNX models. */
export function modelsDir(home: string = prnetHome()): string {
  return path.join(home, 'models');
}

/** `<home>/weights/256_256_resfcn256_weight`: the cached official checkpoint prefix. */
export function officialCheckpointPrefix(home: string = prnetHome()): string {
  return path.join(weightsDir(home), OFFICIAL_CHECKPOINT_NAME);
}

/** `<home>/models/resfcn256.onnx` (or `resfcn256-fp16.onnx`). */
export function officialModelPath(home: string = prnetHome(), fp16 = false): string {
  return path.join(modelsDir(home), fp16 ? 'resfcn256-fp16.onnx' : 'resfcn256.onnx');
}

/** Options of {@link downloadOfficialCheckpoint}. */
export interface DownloadOfficialCheckpointOptions {
  /** prnet home (default `prnetHome()`). */
  home?: string;
  /** Download again even when a verified copy is cached. */
  force?: boolean;
  /** URL overrides (mirrors, tests); default the official sources. */
  urls?: Partial<Record<OfficialFileKey, string>>;
  /** Base of Google Drive download URLs (tests point it at a local server). */
  googleDriveBaseUrl?: string;
  /** Retries per file after network errors. */
  retries?: number;
  /** Delay before the first retry in ms. */
  retryDelayMs?: number;
  /** Called before each file: whether it will be downloaded or is already cached. */
  onFile?: (file: OfficialFile, action: 'download' | 'cached', url: string) => void;
  /** Download progress of the current file. */
  onProgress?: (file: OfficialFile, bytes: number, total: number | undefined) => void;
}

/** Where the checkpoint ended up. */
export interface OfficialCheckpoint {
  /** Checkpoint prefix for `loadCheckpoint`. */
  prefix: string;
  /** Per file: path and whether it was downloaded now. */
  files: Array<{ file: OfficialFile; path: string; downloaded: boolean }>;
}

async function exists(p: string): Promise<boolean> {
  try { await stat(p); return true; } catch { return false; }
}

/** The URL a file is fetched from, honouring overrides and the Drive base. */
export function officialFileUrl(key: OfficialFileKey, options: Pick<DownloadOfficialCheckpointOptions, 'urls' | 'googleDriveBaseUrl'> = {}): string {
  const override = options.urls?.[key];
  if (override) return override;
  const f: OfficialFile = OFFICIAL_CHECKPOINT_FILES[key];
  if (f.googleDriveId) return googleDriveDownloadUrl(f.googleDriveId, options.googleDriveBaseUrl ?? GOOGLE_DRIVE_DOWNLOAD_BASE);
  return f.url;
}

/**
 * Makes sure the official checkpoint is in the cache, verified by sha256: downloads
 * what is missing (resuming partial downloads), re-downloads a cached file that does
 * not verify, and keeps a verified one unless `force`.
 *
 * ```ts
 * const { prefix } = await downloadOfficialCheckpoint({ onProgress: (f, n, t) => … });
 * const weights = await loadCheckpointWeights(prefix, resfcnSpec());
 * ```
 */
export async function downloadOfficialCheckpoint(options: DownloadOfficialCheckpointOptions = {}): Promise<OfficialCheckpoint> {
  const home = options.home ?? prnetHome();
  const dir = weightsDir(home);
  await mkdir(dir, { recursive: true });
  const out: OfficialCheckpoint = { prefix: officialCheckpointPrefix(home), files: [] };
  for (const key of ['index', 'data'] as const) {
    const file: OfficialFile = OFFICIAL_CHECKPOINT_FILES[key];
    const dest = path.join(dir, file.fileName);
    const url = officialFileUrl(key, options);
    if (options.force) {
      await rm(dest, { force: true });
      await rm(`${dest}.part`, { force: true });
    } else if (await exists(dest)) {
      if ((await stat(dest)).size === file.size && (await sha256File(dest)) === file.sha256) {
        options.onFile?.(file, 'cached', url);
        out.files.push({ file, path: dest, downloaded: false });
        continue;
      }
      await rm(dest, { force: true }); // a stale or corrupt copy
    }
    options.onFile?.(file, 'download', url);
    await downloadFile(url, dest, {
      size: file.size,
      sha256: file.sha256,
      retries: options.retries,
      retryDelayMs: options.retryDelayMs,
      interstitial: googleDriveConfirmation,
      onProgress: options.onProgress && ((n, t) => options.onProgress!(file, n, t)),
    });
    out.files.push({ file, path: dest, downloaded: true });
  }
  return out;
}
