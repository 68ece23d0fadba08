import * as tf from '@tensorflow/tfjs-core';
import { ElementwiseProgram, runProgram, type ProgramUniform } from '../backend/webgpu_program';

/**
 * One Adam / AdamW update of one parameter on the webgpu backend in two dispatches (the moments, then the
 * parameter) instead of the ~15 element-wise ops of the TF.js formulation, and without the per-op scalar
 * tensors, each of which TF.js uploads through a freshly created staging buffer (measured on an H200: buffer
 * creation was a quarter of a train step's host time). The moments of a parameter of `size` entries live in
 * one tensor [2, size] (m, then v) so that one dispatch writes both. Step-dependent numbers travel as
 * uniforms, so the pipelines compile once.
 *
 * The arithmetic follows `AdamOptimizer.apply` operation by operation, with the same float32 constants:
 *   g ← g + λ₂ p ;  m ← m β1 + g (1 − β1) ;  v ← v β2 + g² (1 − β2)
 *   p ← p · decay − (m / (sqrt(v) / sqrt(1 − β2^t) + ε)) · stepSize
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

const UNIFORM_ORDER: Array<keyof AdamStepConstants> = ['beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'sqrtBias2', 'eps', 'stepSize', 'l2', 'decay'];
const UNIFORMS = UNIFORM_ORDER.map((k) => `${k} : f32,`).join(' ');

/** New moments [2, size] from the parameter, its gradient and the old moments [2, size]. */
class AdamMomentsProgram extends ElementwiseProgram {
  variableNames = ['param', 'grad', 'moments'];
  uniforms = UNIFORMS;

  constructor(paramSize: number) {
    super([2, paramSize], 'alignscopeAdamMoments');
  }

  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index >= uniforms.size) { return; }
    let n = uniforms.size / 2;
    let i = index % n;
    let g = grad[i] + param[i] * uniforms.l2;
    if (index < n) {
      result[index] = moments[index] * uniforms.beta1 + g * uniforms.oneMinusBeta1;
    } else {
      result[index] = moments[index] * uniforms.beta2 + (g * g) * uniforms.oneMinusBeta2;
    }
  }`;
  }
}

/** The new parameter from the old one and the NEW moments [2, size]. */
class AdamParamProgram extends ElementwiseProgram {
  variableNames = ['param', 'moments'];
  uniforms = UNIFORMS;

  constructor(paramSize: number) {
    super([paramSize], 'alignscopeAdamParam');
  }

  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index >= uniforms.size) { return; }
    let m = moments[index];
    let v = moments[index + uniforms.size];
    result[index] = param[index] * uniforms.decay - (m / (sqrt(v) / uniforms.sqrtBias2 + uniforms.eps)) * uniforms.stepSize;
  }`;
  }
}

/** One update: the new moments [2, size] and the new parameter (shaped like `param`). */
export function adamStepWebGPU(
  param: tf.Tensor,
  grad: tf.Tensor,
  moments: tf.Tensor,
  constants: AdamStepConstants,
): { moments: tf.Tensor; param: tf.Tensor } {
  const uniforms: ProgramUniform[] = UNIFORM_ORDER.map((k) => ({ type: 'float32', data: [Math.fround(constants[k])] }));
  const [p, g] = [param, grad].map((t) => (t.dtype === 'float32' ? t : tf.cast(t, 'float32')));
  const next = runProgram(new AdamMomentsProgram(param.size), [p!, g!, moments], uniforms);
  const value = runProgram(new AdamParamProgram(param.size), [p!, next], uniforms);
  return { moments: next, param: tf.reshape(value, param.shape) };
}
