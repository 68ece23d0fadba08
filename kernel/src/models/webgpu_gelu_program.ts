import * as tf from '@tensorflow/tfjs-core';
import { ElementwiseProgram, runProgram } from '../backend/webgpu_program';

/**
 * GELU (tanh form, written with the logistic σ as in gelu.ts) and its derivative as one WebGPU dispatch
 * each, instead of 7 and 8 element-wise ops with 3 and 4 scalar constants that TF.js uploads through fresh
 * staging buffers every call. Same formulas and constants as gelu.ts:
 *
 *   forward:  y = x σ(u),  u = C (x + A x³) = C x (1 + A x²)
 *   backward: dx = dy (σ(u) + x σ(u)(1 − σ(u)) C (1 + 3 A x²))
 */
class GeluProgram extends ElementwiseProgram {
  variableNames: string[];
  uniforms = '';

  constructor(
    size: number,
    private readonly direction: 'forward' | 'backward',
    private readonly a: number,
    private readonly c: number,
  ) {
    super([size], `alignscopeGelu_${direction}`);
    this.variableNames = direction === 'forward' ? ['x'] : ['x', 'dy'];
  }

  getUserCode(): string {
    const f32 = (v: number) => `f32(${Math.fround(v).toPrecision(9)})`;
    const out = this.direction === 'forward' ? 'xi * s' : `dy[index] * (s + (s * (1.0 - s)) * (xi * ((x2 * ${f32(3 * this.a)} + 1.0) * ${f32(this.c)})))`;
    return `
  fn main(index : i32) {
    if (index >= uniforms.size) { return; }
    let xi = x[index];
    let x2 = xi * xi;
    let s = 1.0 / (1.0 + exp(-((xi * (x2 * ${f32(this.a)} + 1.0)) * ${f32(this.c)})));
    result[index] = ${out};
  }`;
  }
}

/** y = gelu(x) on the webgpu backend (one dispatch). */
export function geluForwardWebGPU(x: tf.Tensor, a: number, c: number): tf.Tensor {
  return tf.reshape(runProgram(new GeluProgram(x.size, 'forward', a, c), [x], []), x.shape);
}

/** dy · gelu'(x) on the webgpu backend (one dispatch). */
export function geluBackwardWebGPU(x: tf.Tensor, dy: tf.Tensor, a: number, c: number): tf.Tensor {
  return tf.reshape(runProgram(new GeluProgram(x.size, 'backward', a, c), [x, dy], []), x.shape);
}
