import * as tf from '@tensorflow/tfjs-core';
import { ElementwiseProgram, runProgram, type ProgramUniform } from '../backend/webgpu_program';

/**
 * One Adam / AdamW update of one parameter on the webgpu backend in three dispatches (new m, new v, new
 * parameter) instead of the ~15 element-wise ops of the TF.js formulation, and without the per-op scalar
 * tensors, each of which TF.js uploads through a freshly created staging buffer (measured on an H200: buffer
 * creation was a quarter of a train step's host time). Step-dependent numbers travel as uniforms, so the
 * pipelines compile once.
 *
 * The arithmetic follows `AdamOptimizer.apply` operation by operation, with the same float32 constants:
 *   g ← g + λ₂ p ;  base ← p · decay ;  m ← m β1 + g (1 − β1) ;  v ← v β2 + g² (1 − β2)
 *   p ← base − (m / (sqrt(v) / sqrt(1 − β2^t) + ε)) · stepSize
 * (λ₂ = λ for coupled 'adam', 0 otherwise; decay = 1 − lr λ for 'adamw', 1 otherwise.) WGSL's sqrt and
 * division are not correctly rounded, so results agree with the op path to float32 rounding, not bit for bit.
 */
export interface AdamStepConstants {
  beta1: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  /** sqrt(1 − β2^t) */
  sqrtBias2: number;
  eps: number;
  /** lr / (1 − β1^t) */
  stepSize: number;
  /** λ of coupled L2 ('adam'), else 0 */
  l2: number;
  /** 1 − lr λ ('adamw'), else 1 */
  decay: number;
}

export type AdamOutput = 'm' | 'v' | 'param';

const UNIFORM_ORDER: Array<keyof AdamStepConstants> = ['beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'sqrtBias2', 'eps', 'stepSize', 'l2', 'decay'];

class AdamProgram extends ElementwiseProgram {
  variableNames = ['param', 'grad', 'm', 'v'];
  uniforms = UNIFORM_ORDER.map((k) => `${k} : f32,`).join(' ');

  constructor(
    shape: number[],
    private readonly output: AdamOutput,
  ) {
    super([shape.reduce((a, b) => a * b, 1)], `alignscopeAdam_${output}`);
  }

  getUserCode(): string {
    const value = {
      m: 'mNew',
      v: 'vNew',
      param: 'p * uniforms.decay - (mNew / (sqrt(vNew) / uniforms.sqrtBias2 + uniforms.eps)) * uniforms.stepSize',
    }[this.output];
    return `
  fn main(index : i32) {
    if (index >= uniforms.size) { return; }
    let p = param[index];
    let g = grad[index] + p * uniforms.l2;
    let mNew = m[index] * uniforms.beta1 + g * uniforms.oneMinusBeta1;
    let vNew = v[index] * uniforms.beta2 + (g * g) * uniforms.oneMinusBeta2;
    result[index] = ${value};
  }`;
  }
}

/** The three outputs (m, v, parameter) of one update, each shaped like `param`. */
export function adamStepWebGPU(
  param: tf.Tensor,
  grad: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  constants: AdamStepConstants,
): { m: tf.Tensor; v: tf.Tensor; param: tf.Tensor } {
  const uniforms: ProgramUniform[] = UNIFORM_ORDER.map((k) => ({ type: 'float32', data: [Math.fround(constants[k])] }));
  const inputs = [param, grad, m, v].map((t) => (t.dtype === 'float32' ? t : tf.cast(t, 'float32')));
  const run = (output: AdamOutput) => tf.reshape(runProgram(new AdamProgram(param.shape, output), inputs, uniforms), param.shape);
  return { m: run('m'), v: run('v'), param: run('param') };
}
