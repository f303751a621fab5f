import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { TDDFA_INPUT_SIZE } from '../../face/tddfa/tddfaInput.js';
import { TDDFA_PARAMETER_COUNT } from '../../face/tddfa/tddfaParameters.js';
import { withDefaults } from '../../io/withDefaults.js';

/** A 3DDFA_V2 model on onnxruntime-node. */
export interface TddfaTeacher {
  /** Side of the input crop (120). */
  inputSize: number;
  /** sha256 of the model file. */
  sha256: string;
  /** Raw (whitened) outputs, `n × 62`, of `n` NCHW inputs (`tddfaInput`). */
  predict(input: Float32Array, n: number): Promise<Float32Array>;
}

/** Options of {@link loadTddfaTeacher}. */
export interface LoadTddfaTeacherOptions {
  /** Intra-op threads (0: ONNX Runtime's default). */
  threads: number;
}

/** Defaults of {@link loadTddfaTeacher}. */
export const LOAD_TDDFA_TEACHER_DEFAULTS: LoadTddfaTeacherOptions = { threads: 0 };

/**
 * Loads a 3DDFA_V2 ONNX model (the mb05 in `../shared/3ddfa`, or the published
 * `mb1_120x120.onnx` / `resnet22.onnx`): one float input `[n, 3, 120, 120]`, one output
 * `[n, 62]`. Anything else is refused with a line saying what the file has.
 *
 * ```ts
 * const teacher = await loadTddfaTeacher('../shared/3ddfa/mb05_120x120.onnx');
 * const raw = await teacher.predict(tddfaInput(image, roi), 1);
 * ```
 */
export async function loadTddfaTeacher(file: string, options: Partial<LoadTddfaTeacherOptions> = {}): Promise<TddfaTeacher> {
  const o = withDefaults(LOAD_TDDFA_TEACHER_DEFAULTS, options);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (err) {
    throw new Error(`${file}: cannot read the 3DDFA_V2 model (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: o.threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  } catch (err) {
    throw new Error(`${file}: ONNX Runtime cannot load the model: ${(err as Error).message.split('\n')[0]}`);
  }
  const shapeOf = (meta: readonly ort.InferenceSession.ValueMetadata[]) => meta.map((m) => (m.isTensor ? `[${m.shape.join(', ')}]` : '?')).join(', ');
  const inMeta = session.inputMetadata[0], outMeta = session.outputMetadata[0];
  const S = TDDFA_INPUT_SIZE;
  const ok = session.inputNames.length === 1 && session.outputNames.length === 1 && inMeta?.isTensor && outMeta?.isTensor
    && inMeta.shape.length === 4 && inMeta.shape[1] === 3 && inMeta.shape[2] === S && inMeta.shape[3] === S
    && outMeta.shape.length === 2 && outMeta.shape[1] === TDDFA_PARAMETER_COUNT;
  if (!ok) {
    throw new Error(`${file}: not a 3DDFA_V2 model (expected input [n, 3, ${S}, ${S}] → output [n, ${TDDFA_PARAMETER_COUNT}], has ${shapeOf(session.inputMetadata)} → ${shapeOf(session.outputMetadata)})`);
  }
  const inName = session.inputNames[0]!, outName = session.outputNames[0]!;
  const fixedBatch = typeof inMeta.shape[0] === 'number' ? inMeta.shape[0] : 0;
  const per = 3 * S * S;
  return {
    inputSize: S,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    async predict(input, n) {
      if (input.length < n * per) throw new Error(`3DDFA teacher: ${n} inputs need ${n * per} floats, got ${input.length}`);
      const out = new Float32Array(n * TDDFA_PARAMETER_COUNT);
      const step = fixedBatch || n;
      for (let i = 0; i < n; i += step) {
        const k = Math.min(step, n - i);
        const feeds = { [inName]: new ort.Tensor('float32', input.subarray(i * per, (i + k) * per), [k, 3, S, S]) };
        const result = await session.run(feeds);
        out.set((result[outName]!.data as Float32Array).subarray(0, k * TDDFA_PARAMETER_COUNT), i * TDDFA_PARAMETER_COUNT);
      }
      return out;
    },
  };
}
