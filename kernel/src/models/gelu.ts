import * as tf from '@tensorflow/tfjs-core';
import { webgpuBackend } from '../backend/webgpu_program';
import { geluBackwardWebGPU, geluForwardWebGPU } from './webgpu_gelu_program';

const C = 2 * Math.sqrt(2 / Math.PI); // 1.5957691…
const A = 0.044715;

/**
 * GELU, tanh approximation (Hendrycks & Gimpel 2016; GPT-2; PyTorch `gelu(approximate='tanh')`):
 *
 *   gelu(x) = ½ x (1 + tanh(√(2/π) (x + 0.044715 x³))) = x · σ(u),  u = 2√(2/π) (x + 0.044715 x³)
 *
 * written with the logistic σ because wasm's sigmoid is vectorised (≈14× faster than its tanh and erf).
 * Gradient: σ(u) + x σ(u)(1 − σ(u)) · 2√(2/π) (1 + 3·0.044715 x²).
 * On webgpu, forward and backward are one dispatch each (webgpu_gelu_program.ts).
 */
export const gelu = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  if (webgpuBackend() !== null && x.dtype === 'float32') {
    save([x]);
    return { value: geluForwardWebGPU(x, A, C), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => geluBackwardWebGPU(saved[0]!, dy, A, C) };
  }
  const x2 = tf.square(x); // [..., d]
  const s = tf.sigmoid(tf.mul(tf.mul(x, tf.add(tf.mul(x2, A), 1)), C)); // σ(u) [..., d]
  save([x, x2, s]);
  const value = tf.mul(x, s); // [..., d]
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor => {
    const [xs, x2s, ss] = saved;
    const du = tf.mul(tf.add(tf.mul(x2s, 3 * A), 1), C); // du/dx [..., d]
    const ds = tf.mul(tf.mul(ss, tf.sub(1, ss)), tf.mul(xs, du)); // x σ'(u) du/dx [..., d]
    return tf.mul(dy, tf.add(ss, ds)); // [..., d]
  };
  return { value, gradFunc };
}) as (x: tf.Tensor) => tf.Tensor;
