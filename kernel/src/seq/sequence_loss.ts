/**
 * Weighted next-token cross-entropy (a loss takes logits and numbers, never the model):
 *
 *   L = Σ_t w_t · (−log softmax(z_t)[y_t]) / Σ_t w_t        z [N, V], y [N], w [N]
 *
 * Returns { total, parts: { nll, tokenAcc } } where tokenAcc is the weighted share of positions whose
 * argmax is the label (a readout; not differentiated).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LossOutput } from '../train/train_task';

export function weightedTokenLoss(logits: tf.Tensor, labels: tf.Tensor, weights: tf.Tensor): LossOutput {
  const V = logits.shape[logits.rank - 1]!;
  const z = tf.reshape(logits, [-1, V]) as tf.Tensor2D; // [N, V]
  const y = tf.reshape(labels, [-1]) as tf.Tensor1D; // [N]
  const w = tf.reshape(weights, [-1]); // [N]
  const logp = tf.logSoftmax(z, -1); // [N, V]
  const picked = tf.sum(tf.mul(logp, tf.cast(tf.oneHot(y, V), 'float32')), -1); // [N]
  const denom = tf.maximum(tf.sum(w), 1e-6); // []
  const nll = tf.div(tf.neg(tf.sum(tf.mul(picked, w))), denom) as tf.Scalar; // []
  const hit = tf.cast(tf.equal(tf.argMax(z, -1), tf.cast(y, 'int32')), 'float32'); // [N]
  const tokenAcc = tf.div(tf.sum(tf.mul(hit, w)), denom) as tf.Scalar; // []
  return { total: nll, parts: { nll, tokenAcc } };
}
