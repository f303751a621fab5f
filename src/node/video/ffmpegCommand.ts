/**
 * The ffmpeg tools prnet drives for video: `ffmpeg` and `ffprobe` from `$PATH` (Debian's
 * `ffmpeg` package), or the ones `$PRNET_FFMPEG` / `$PRNET_FFPROBE` name.
 */

/** Which tool. */
export type FfmpegTool = 'ffmpeg' | 'ffprobe';

/**
 * The command to run for an ffmpeg tool.
 *
 * ```ts
 * spawn(ffmpegCommand('ffprobe'), ['-v', 'error', file]);
 * ```
 */
export function ffmpegCommand(tool: FfmpegTool, env: NodeJS.ProcessEnv = process.env): string {
  return (tool === 'ffmpeg' ? env.PRNET_FFMPEG : env.PRNET_FFPROBE) || tool;
}

/** The one-line error for a tool that is not installed. */
export function ffmpegMissing(tool: FfmpegTool): Error {
  return new Error(`${tool} not found: prnet video needs ffmpeg (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg), or set PRNET_${tool.toUpperCase()} to the binary`);
}
