import * as tf from '@tensorflow/tfjs-core';
import { explicitTransposes } from '../backend/fast_matmul_gradient';
import { groupedMatMul } from './grouped_matmul';
import { Linear } from './linear';
import { Module } from './module';

/**
 * Multi-head self-attention (Vaswani et al. 2017) with an optional key padding mask:
 *
 *   A = softmax(q kᵀ / √dh + bias),  y = A v,  out = concat_heads(y) · Wo
 *
 * Shapes: B batch, T sequence, d width, h heads, dh = d / h, G = B·h (one product per batch × head).
 * On wasm the per-head products use `groupedMatMul` (a depthwise convolution; see its doc), so q, k, v are
 * transposed into its layouts [T, dh, G] and [dh, G, T] / [T, G, dh]. Other backends use the usual
 * [B, h, T, dh] layout with batched (transpose-flagged) products: on webgpu that is ~15 fewer dispatches
 * per layer, forward and backward.
 */
export class MultiHeadAttention extends Module {
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly out: Linear;
  readonly headDim: number;

  /**
   * `qkStd`: init std of the query/key weights. 0.02 (GPT-2) is the default of the benchmark encoders; at
   * width 64 it leaves every score ≈ 0 — uniform attention with near-zero q/k gradients — and a ViT then
   * learns shapes that span patches slowly (seq/grounded_lm_run.ts passes 1/√width, as the causal LM does).
   */
  constructor(readonly width: number, readonly heads: number, seed: number, path: string, qkStd = 0.02) {
    super();
    if (width % heads !== 0) throw new Error(`MultiHeadAttention: width ${width} is not divisible by heads ${heads}`);
    this.headDim = width / heads;
    this.q = this.child('q', new Linear(width, width, seed, `${path}.q`, qkStd));
    this.k = this.child('k', new Linear(width, width, seed, `${path}.k`, qkStd));
    this.v = this.child('v', new Linear(width, width, seed, `${path}.v`));
    this.out = this.child('out', new Linear(width, width, seed, `${path}.out`));
  }

  /**
   * @param x [B, T, d]
   * @param keyMask optional [B, T], 1 = real token, 0 = padding: padded keys get no attention.
   * @returns [B, T, d]
   */
  forward(x: tf.Tensor, keyMask?: tf.Tensor): tf.Tensor {
    const [B, T, d] = x.shape;
    const h = this.heads;
    const dh = this.headDim;
    const G = B * h;
    const heads = (t: tf.Tensor) => tf.reshape(t, [B, T, h, dh]); // [B, T, h, dh]
    const q = tf.mul(this.q.forward(x), 1 / Math.sqrt(dh)); // [B, T, d], scaled once here
    const bias = keyMask ? tf.mul(tf.sub(1, keyMask), -1e9) : null; // [B, T_key]
    if (!explicitTransposes()) {
      const split = (t: tf.Tensor) => tf.transpose(heads(t), [0, 2, 1, 3]); // [B, h, T, dh]
      let scores = tf.matMul(split(q), split(this.k.forward(x)), false, true); // [B, h, T_query, T_key]
      if (bias) scores = tf.add(scores, tf.reshape(bias, [B, 1, 1, T]));
      const y = tf.matMul(tf.softmax(scores, -1), split(this.v.forward(x))); // [B, h, T, dh]
      return this.out.forward(tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [B, T, d])); // [B, T, d]
    }
    const qx = tf.reshape(tf.transpose(heads(q), [1, 3, 0, 2]), [T, dh, G]) as tf.Tensor3D; // [T, dh, G]
    const kf = tf.reshape(tf.transpose(heads(this.k.forward(x)), [3, 0, 2, 1]), [dh, G, T]) as tf.Tensor3D; // [dh, G, T]
    const vf = tf.reshape(tf.transpose(heads(this.v.forward(x)), [1, 0, 2, 3]), [T, G, dh]) as tf.Tensor3D; // [T, G, dh]

    let scores = tf.reshape(groupedMatMul(qx, kf), [T, B, h, T]); // [T_query, B, h, T_key]
    if (bias) scores = tf.add(scores, tf.reshape(bias, [B, 1, T])); // [T, B, h, T]
    const attn = tf.softmax(scores, -1); // [T_query, B, h, T_key]
    const ax = tf.transpose(tf.reshape(attn, [T, G, T]), [0, 2, 1]) as tf.Tensor3D; // [T_query, T_key, G]
    const y = tf.reshape(groupedMatMul(ax, vf), [T, B, h, dh]); // [T, B, h, dh]
    const merged = tf.reshape(tf.transpose(y, [1, 0, 2, 3]), [B, T, d]); // [B, T, d]
    return this.out.forward(merged); // [B, T, d]
  }
}
