/** The environment variable that switches off ONNX Runtime's telemetry (read when its environment is created). */
export const ORT_TELEMETRY_ENV = 'ORT_DISABLE_TELEMETRY';

/**
 * Switches off ONNX Runtime's telemetry for this process, unless the user set
 * `ORT_DISABLE_TELEMETRY` themselves. Call it on the main thread before the first
 * session is created, in this thread or in a worker (a worker's `process.env` is a
 * private copy; the native runtime reads the process environment).
 *
 * Why: onnxruntime-node ≥ 1.29 collects device information on Linux when it creates its
 * environment, matching `/proc/self/cmdline` against a regular expression with GCC's
 * recursive `std::regex`. The recursion is about 50 frames per byte of command line, so a
 * long command line overflows the stack: `prnet reconstruct` with a few hundred file
 * arguments (about 12 KB) died with SIGSEGV in its network worker (4 MB stack), and about
 * 200 KB of arguments crash the main thread too. With telemetry off that code never runs.
 * It also stops onnxruntime from writing a device id under `~/.cache/Microsoft`.
 *
 * ```ts
 * disableOrtTelemetry();
 * const session = await ort.InferenceSession.create(bytes);
 * ```
 */
export function disableOrtTelemetry(env: NodeJS.ProcessEnv = process.env): void {
  env[ORT_TELEMETRY_ENV] ??= '1';
}
