import * as tf from '@tensorflow/tfjs-core';
import { webgpuBackend } from '../backend/webgpu_program';
import { adamStepWebGPU } from './webgpu_adam_program';

/**
 * Adam (Kingma & Ba 2015) and AdamW (decoupled weight decay, Loshchilov & Hutter 2019), written out so
 * that the optimiser state (first/second moments and per-parameter step counts) can be saved and
 * restored exactly. Same update as torch.optim.Adam / AdamW, for parameter p, gradient g, step t:
 *
 *   adam  (L2, coupled):   g ← g + λ p
 *   adamw (decoupled):     p ← p (1 − lr λ)
 *   m ← β1 m + (1 − β1) g ;   v ← β2 v + (1 − β2) g²
 *   p ← p − (lr / (1 − β1^t)) · m / ( sqrt(v) / sqrt(1 − β2^t) + ε )
 *
 * A parameter whose gradient is null (it did not influence the loss) is skipped: no moment update, no
 * decay, its step count does not advance (as in PyTorch). The learning rate is an argument of `apply`
 * so a schedule can change it every step.
 *
 * `lrScales` (one per parameter, default all 1) multiplies the learning rate of each parameter — e.g. a
 * faster patch encoder under a slower LM (param groups in PyTorch); a scale of 0 freezes its parameter.
 *
 * On the webgpu backend each update is two fused dispatches (webgpu_adam_program.ts) instead of ~15 ops;
 * `fused: false` in the options, or ALIGNSCOPE_FUSED=0, keeps the op path (tests compare the two).
 *
 * @example
 *   const opt = new AdamOptimizer([w], { kind: 'adamw', lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 });
 *   tf.tidy(() => opt.apply([gradW], 1e-3));
 *   opt.dispose();
 */
export interface OptimizerConfig {
  kind: 'adam' | 'adamw';
  /** Peak learning rate (the schedule scales it). */
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** λ: L2 penalty added to the gradient ('adam') or decoupled decay ('adamw'). */
  weightDecay: number;
}

/** The moments, as plain float32 arrays in parameter order — what a checkpoint stores. */
export interface AdamStateValues {
  stepCounts: number[];
  m: Float32Array[];
  v: Float32Array[];
}

export class AdamOptimizer {
  /**
   * Moments, non-trainable variables so `apply` can update them in place inside tf.tidy. Fused on webgpu:
   * one [2, size] per parameter (row 0 m, row 1 v), so one dispatch writes both; otherwise m and v apart
   * (slicing a packed pair costs wasm ~40% more per update).
   */
  private readonly packed: tf.Variable[] | null;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  private readonly stepCounts: number[];
  private readonly lrScales: readonly number[];

  constructor(
    private readonly params: readonly tf.Variable[],
    readonly config: OptimizerConfig,
    options: { fused?: boolean; lrScales?: readonly number[] } = {},
  ) {
    const scales = options.lrScales ?? params.map(() => 1);
    if (scales.length !== params.length) {
      throw new Error(`AdamOptimizer: option 'lrScales' needs one scale per parameter (${params.length}), got ${scales.length}.`);
    }
    const bad = scales.findIndex((x) => !(Number.isFinite(x) && x >= 0));
    if (bad >= 0) throw new Error(`AdamOptimizer: option 'lrScales'[${bad}] (parameter '${params[bad]!.name}') must be a finite number ≥ 0, got ${scales[bad]}.`);
    this.lrScales = scales.slice();
    const fused = options.fused ?? process.env.ALIGNSCOPE_FUSED !== '0';
    // tidy: a variable shares its initial tensor's data; the initial tensor handle itself is released.
    const zeros = (shape: number[]) => tf.tidy(() => tf.variable(tf.zeros(shape), false));
    this.packed = fused && webgpuBackend() !== null ? params.map((p) => zeros([2, p.size])) : null;
    this.m = this.packed ? [] : params.map((p) => zeros(p.shape));
    this.v = this.packed ? [] : params.map((p) => zeros(p.shape));
    this.stepCounts = params.map(() => 0);
  }

  /** One update at learning rate `lrAll` (× each parameter's scale). `grads[i]` belongs to `params[i]` (null = skip). Call inside tf.tidy. */
  apply(grads: readonly (tf.Tensor | null)[], lrAll: number): void {
    if (grads.length !== this.params.length) {
      throw new Error(`AdamOptimizer.apply: expected ${this.params.length} gradients (one per parameter), got ${grads.length}.`);
    }
    const { kind, beta1, beta2, eps, weightDecay } = this.config;
    const onGPU = this.packed !== null && webgpuBackend() !== null;
    for (let i = 0; i < this.params.length; i++) {
      const g0 = grads[i];
      if (g0 == null) continue;
      const p = this.params[i];
      const t = ++this.stepCounts[i];
      const lr = lrAll * this.lrScales[i]!;
      if (onGPU) {
        const next = adamStepWebGPU(p, g0, this.packed![i], {
          beta1, oneMinusBeta1: 1 - beta1, beta2, oneMinusBeta2: 1 - beta2,
          sqrtBias2: Math.sqrt(1 - Math.pow(beta2, t)), eps,
          stepSize: lr / (1 - Math.pow(beta1, t)),
          l2: kind === 'adam' ? weightDecay : 0,
          decay: kind === 'adamw' ? 1 - lr * weightDecay : 1,
        });
        this.packed![i].assign(next.moments);
        p.assign(next.param);
      } else if (this.packed) {
        // packed on webgpu, and the backend has changed since: the op formulas on the two rows
        const size = p.size;
        const m0 = tf.reshape(tf.slice(this.packed[i], [0, 0], [1, size]), p.shape);
        const v0 = tf.reshape(tf.slice(this.packed[i], [1, 0], [1, size]), p.shape);
        const next = this.opStep(p, g0, m0, v0, lr, t);
        this.packed[i].assign(tf.stack([tf.reshape(next.m, [size]), tf.reshape(next.v, [size])]));
        p.assign(next.param);
      } else {
        const next = this.opStep(p, g0, this.m[i], this.v[i], lr, t);
        this.m[i].assign(next.m);
        this.v[i].assign(next.v);
        p.assign(next.param);
      }
    }
  }

  /** The update in TF.js ops (the formulas of the file comment). */
  private opStep(p: tf.Tensor, g0: tf.Tensor, m0: tf.Tensor, v0: tf.Tensor, lr: number, t: number): { m: tf.Tensor; v: tf.Tensor; param: tf.Tensor } {
    const { kind, beta1, beta2, eps, weightDecay } = this.config;
    let g: tf.Tensor = g0;
    let base: tf.Tensor = p;
    if (weightDecay !== 0 && kind === 'adam') g = tf.add(g, tf.mul(p, tf.scalar(weightDecay)));
    if (weightDecay !== 0 && kind === 'adamw') base = tf.mul(p, tf.scalar(1 - lr * weightDecay));
    const m = tf.add(tf.mul(m0, tf.scalar(beta1)), tf.mul(g, tf.scalar(1 - beta1)));
    const v = tf.add(tf.mul(v0, tf.scalar(beta2)), tf.mul(tf.square(g), tf.scalar(1 - beta2)));
    const stepSize = lr / (1 - Math.pow(beta1, t));
    const denom = tf.add(tf.div(tf.sqrt(v), tf.scalar(Math.sqrt(1 - Math.pow(beta2, t)))), tf.scalar(eps));
    return { m, v, param: tf.sub(base, tf.mul(tf.div(m, denom), tf.scalar(stepSize))) };
  }

  /** Reads the state back (async: one read per moment tensor). */
  async getState(): Promise<AdamStateValues> {
    if (this.packed) {
      const both = await Promise.all(this.packed.map(async (x) => (await x.data()) as Float32Array));
      const m = both.map((values, i) => values.slice(0, this.params[i].size));
      const v = both.map((values, i) => values.slice(this.params[i].size));
      return { stepCounts: this.stepCounts.slice(), m, v };
    }
    const m = await Promise.all(this.m.map(async (x) => new Float32Array(await x.data())));
    const v = await Promise.all(this.v.map(async (x) => new Float32Array(await x.data())));
    return { stepCounts: this.stepCounts.slice(), m, v };
  }

  /** Restores a state saved by `getState` (exact: float32 in, float32 out). */
  setState(state: AdamStateValues): void {
    const n = this.params.length;
    if (state.stepCounts.length !== n || state.m.length !== n || state.v.length !== n) {
      throw new Error(`AdamOptimizer.setState: expected state for ${n} parameters, got ${state.stepCounts.length}.`);
    }
    for (let i = 0; i < n; i++) {
      const { shape, size } = this.params[i];
      if (state.m[i].length !== size || state.v[i].length !== size) {
        throw new Error(`AdamOptimizer.setState: moments of parameter ${i} ('${this.params[i].name}') have ${state.m[i].length} values, expected ${size}.`);
      }
      if (this.packed) {
        const both = new Float32Array(2 * size);
        both.set(state.m[i]);
        both.set(state.v[i], size);
        tf.tidy(() => this.packed![i].assign(tf.tensor2d(both, [2, size])));
      } else {
        tf.tidy(() => {
          this.m[i].assign(tf.tensor(state.m[i], shape, 'float32'));
          this.v[i].assign(tf.tensor(state.v[i], shape, 'float32'));
        });
      }
      this.stepCounts[i] = state.stepCounts[i];
    }
  }

  dispose(): void {
    for (const x of [...(this.packed ?? []), ...this.m, ...this.v]) x.dispose();
  }
}
