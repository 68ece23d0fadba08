/**
 * Weighted next-token cross-entropy (a loss takes logits and numbers, never the model):
 *
 *   L = Σ_t w_t · (−log softmax(z_t)[y_t]) / Σ_t w_t        z [N, V], y [N], w [N]
 *
 * Returns { total, parts: { nll, tokenAcc } } where tokenAcc is the weighted share of positions whose
 * argmax is the label (a readout; not differentiated). With `coordinates` (coordinate_smoothing.ts), the
 * labels that are coordinate bins are learnt against their soft targets instead of the one-hot.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LossOutput } from '../train/train_task';
import { softTokenNll, type CoordinateTargets } from './coordinate_smoothing';

export function weightedTokenLoss(logits: tf.Tensor, labels: tf.Tensor, weights: tf.Tensor, coordinates?: CoordinateTargets): LossOutput {
  const V = logits.shape[logits.rank - 1]!;
  const z = tf.reshape(logits, [-1, V]) as tf.Tensor2D; // [N, V]
  const y = tf.reshape(labels, [-1]) as tf.Tensor1D; // [N]
  const w = tf.reshape(weights, [-1]); // [N]
  const logp = tf.logSoftmax(z, -1); // [N, V]
  const perToken = coordinates ? softTokenNll(logp, y, coordinates) : tf.neg(tf.sum(tf.mul(logp, tf.cast(tf.oneHot(y, V), 'float32')), -1)); // [N]
  const denom = tf.maximum(tf.sum(w), 1e-6); // []
  const nll = tf.div(tf.sum(tf.mul(perToken, w)), denom) as tf.Scalar; // []
  const hit = tf.cast(tf.equal(tf.argMax(z, -1), tf.cast(y, 'int32')), 'float32'); // [N]
  const tokenAcc = tf.div(tf.sum(tf.mul(hit, w)), denom) as tf.Scalar; // []
  return { total: nll, parts: { nll, tokenAcc } };
}
