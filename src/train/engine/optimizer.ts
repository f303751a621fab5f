/**
 * Adam as TF1's `tf.train.AdamOptimizer` applies it (the optimizer of PRNet's era), with
 * a step-halving learning-rate schedule. Its whole state (step, first and second
 * moments by TF variable name) is plain data, so checkpoints resume exactly.
 */
import * as tf from '@tensorflow/tfjs-core';
import { withDefaults } from '../../io/withDefaults.js';

/** Options of {@link createAdam}. */
export interface AdamOptions {
  /** Base learning rate (PRNet: 1e-4). */
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  /** TF1's default epsilon ("epsilon hat" added to √v). */
  epsilon?: number;
  /** Halve the learning rate every this many epochs (PRNet: 5); 0 = never. */
  halveEveryEpochs?: number;
}

/** L2 weight decay folded into {@link Adam.apply}. */
export interface WeightDecay {
  /** λ of `λ·Σw²/2`. */
  lambda: number;
  /** TF names of the decayed variables (the conv weights). */
  names: ReadonlySet<string>;
}

export const ADAM_DEFAULTS: Required<AdamOptions> = { learningRate: 1e-4, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, halveEveryEpochs: 5 };

/** Adam state plus its update. */
export interface Adam {
  readonly options: Required<AdamOptions>;
  /** Updates taken so far. */
  step: number;
  /** First and second moments by TF variable name. */
  readonly m: Map<string, tf.Variable>;
  readonly v: Map<string, tf.Variable>;
  /** Learning rate of an epoch under the halving schedule. */
  learningRateAt(epoch: number): number;
  /**
   * One update of `variables` (TF name → variable) with `grads` (same names). With
   * `decay`, the variables it names get L2 weight decay: `λ·w` added to their gradient,
   * the gradient of `λ·Σw²/2` (the official `weights_regularizer`), without
   * differentiating that sum through the graph.
   */
  apply(variables: ReadonlyMap<string, tf.Variable>, grads: ReadonlyMap<string, tf.Tensor>, learningRate: number, decay?: WeightDecay): void;
  /** Copies the moments out (TF name → values). */
  exportMoments(): { m: Map<string, Float32Array>; v: Map<string, Float32Array> };
  /** Restores step and moments. */
  loadState(step: number, m: ReadonlyMap<string, Float32Array>, v: ReadonlyMap<string, Float32Array>, shapes: ReadonlyMap<string, number[]>): void;
  dispose(): void;
}

/**
 * Creates the optimizer:
 * `lr_t = lr·√(1−β2ᵗ)/(1−β1ᵗ)`, `m ← β1·m + (1−β1)·g`, `v ← β2·v + (1−β2)·g²`,
 * `w ← w − lr_t·m/(√v + ε)`.
 *
 * ```ts
 * const adam = createAdam({ learningRate: 1e-4 });
 * adam.apply(net.variables, grads, adam.learningRateAt(epoch));
 * ```
 */
export function createAdam(options: AdamOptions = {}): Adam {
  const o = withDefaults(ADAM_DEFAULTS, options);
  const m = new Map<string, tf.Variable>();
  const v = new Map<string, tf.Variable>();
  const adam: Adam = {
    options: o,
    step: 0,
    m,
    v,
    learningRateAt: (epoch) => o.learningRate * (o.halveEveryEpochs > 0 ? 0.5 ** Math.floor(epoch / o.halveEveryEpochs) : 1),
    apply(variables, grads, learningRate, decay) {
      adam.step++;
      const t = adam.step;
      // Bias correction in float64, folded into the step size as TF1 does.
      const lrT = (learningRate * Math.sqrt(1 - o.beta2 ** t)) / (1 - o.beta1 ** t);
      // One fused pass per variable over w, m, v and g (the tf-op version made ~12
      // full-size passes and dominated the step time of the full network).
      for (const [name, g] of grads) {
        const w = variables.get(name);
        if (!w) throw new Error(`Adam: no variable ${name}`);
        const wv = w.dataSync() as Float32Array;
        const gv = g.dataSync() as Float32Array;
        const mv = m.get(name)?.dataSync() as Float32Array | undefined;
        const vv = v.get(name)?.dataSync() as Float32Array | undefined;
        const n = wv.length;
        const w1 = new Float32Array(n), m1 = new Float32Array(n), v1 = new Float32Array(n);
        const b1 = o.beta1, b2 = o.beta2, eps = o.epsilon;
        const lambda = decay && decay.lambda > 0 && decay.names.has(name) ? decay.lambda : 0;
        for (let i = 0; i < n; i++) {
          const gi = lambda ? gv[i]! + lambda * wv[i]! : gv[i]!;
          // Moments rounded to float32 as TF stores them (fround also keeps resume exact).
          const mi = (m1[i] = Math.fround(b1 * (mv ? mv[i]! : 0) + (1 - b1) * gi));
          const vi = (v1[i] = Math.fround(b2 * (vv ? vv[i]! : 0) + (1 - b2) * gi * gi));
          w1[i] = wv[i]! - (lrT * mi) / (Math.sqrt(vi) + eps);
        }
        m.get(name)?.dispose();
        v.get(name)?.dispose();
        tf.tidy(() => {
          m.set(name, tf.variable(tf.tensor(m1, w.shape, 'float32'), false));
          v.set(name, tf.variable(tf.tensor(v1, w.shape, 'float32'), false));
          w.assign(tf.tensor(w1, w.shape, 'float32'));
        });
      }
    },
    exportMoments() {
      const copy = (src: Map<string, tf.Variable>) => new Map([...src].map(([k, t]) => [k, Float32Array.from(t.dataSync() as Float32Array)]));
      return { m: copy(m), v: copy(v) };
    },
    loadState(step, mm, vv, shapes) {
      adam.dispose();
      adam.step = step;
      for (const [name, values] of mm) {
        const shape = shapes.get(name);
        const second = vv.get(name);
        if (!shape || !second) throw new Error(`Adam state: moment ${name} has no variable or second moment`);
        m.set(name, tf.variable(tf.tensor(values, shape, 'float32'), false));
        v.set(name, tf.variable(tf.tensor(second, shape, 'float32'), false));
      }
    },
    dispose() {
      for (const t of [...m.values(), ...v.values()]) t.dispose();
      m.clear();
      v.clear();
    },
  };
  return adam;
}
