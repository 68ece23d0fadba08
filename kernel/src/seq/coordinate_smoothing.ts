/**
 * Soft targets for ordered coordinate tokens (stage 1, `stage1.coordinateSmoothing` = σ in bins; 0 = off,
 * the bins codec only). A coordinate answer `<bin_k>` is learnt against a discretised Gaussian around k
 * instead of a one-hot:
 *
 *   q_k(j) = exp(−(j − k)² / 2σ²) / Σ_i exp(−(i − k)² / 2σ²)        j, i = 0 … N−1 (the codec's bins)
 *   L = −Σ_j q_k(j) · log p(<bin_j>)                                   (other tokens keep the one-hot)
 *
 * Why: a one-hot makes "one bin off" as wrong as "sixty bins off", and each bin's (tied) embedding is
 * learnt on its own. Measured on the reference run's checkpoint, teacher-forced, on the expressions whose
 * object the head looks at: x1 is exact for 0.18 of them, within 2 bins for 0.73, mean error 2.2 bins —
 * a near miss of a few pixels costs a small object its IoU ≥ 0.5. The soft target rewards near misses
 * and pulls neighbouring bins' embeddings together (label distribution learning for ordinal targets:
 * Gao et al. 2017, DLDL; the distribution focal loss of GFL, Li et al. 2020, for box edges).
 */
import * as tf from '@tensorflow/tfjs-core';
import { hasOrderedBins } from './codec_bins';
import type { CoordinateCodec } from './coordinate_codec';

/** [N, N] row-stochastic: row k is the discretised Gaussian of `sigma` bins around k (σ > 0). */
export function gaussianBinTargets(bins: number, sigma: number): Float32Array {
  if (!(Number.isInteger(bins) && bins >= 1)) throw new Error(`gaussianBinTargets: bins must be a positive integer; got ${bins}`);
  if (!(sigma > 0 && Number.isFinite(sigma))) throw new Error(`gaussianBinTargets: sigma must be a positive number of bins; got ${sigma}`);
  const out = new Float32Array(bins * bins);
  for (let k = 0; k < bins; k++) {
    let total = 0;
    for (let j = 0; j < bins; j++) total += out[k * bins + j] = Math.exp(-((j - k) ** 2) / (2 * sigma * sigma));
    for (let j = 0; j < bins; j++) out[k * bins + j]! /= total;
  }
  return out;
}

/** Soft coordinate targets for a block of N ordered tokens at vocabulary ids [start, start + N). */
export interface CoordinateTargets {
  start: number;
  count: number;
  /** [N, N] gaussianBinTargets (plain numbers: the loss makes its tensor each step, so the task owns none). */
  table: Float32Array;
}

/** The targets of `codec` (a bins codec: its tokens are bins in order) at `start`, or an error naming the setting. */
export function coordinateTargets(codec: CoordinateCodec, start: number, sigma: number): CoordinateTargets {
  if (!hasOrderedBins(codec)) throw new Error(`stage1.coordinateSmoothing needs the bins codec (ordered <bin_k> tokens); got codec '${codec.name}'.`);
  const N = codec.tokens.length;
  return { start, count: N, table: gaussianBinTargets(N, sigma) };
}

/**
 * −Σ_j q(j) log p(j) of every position [N]: one-hot targets, except labels inside the coordinate block,
 * whose targets are their rows of `c.table` (logp [N, V], labels int32 [N]).
 */
export function softTokenNll(logp: tf.Tensor2D, labels: tf.Tensor1D, c: CoordinateTargets): tf.Tensor1D {
  const V = logp.shape[1];
  const hard = tf.neg(tf.sum(tf.mul(logp, tf.cast(tf.oneHot(labels, V), 'float32')), -1)); // [N]
  const offset = tf.sub(labels, c.start); // [N]
  const inside = tf.logicalAnd(tf.greaterEqual(offset, 0), tf.less(offset, c.count)); // [N]
  const q = tf.gather(tf.tensor2d(c.table, [c.count, c.count]), tf.cast(tf.clipByValue(offset, 0, c.count - 1), 'int32') as tf.Tensor1D); // [N, N_bins]
  const block = tf.slice(logp, [0, c.start], [-1, c.count]); // [N, N_bins]
  const soft = tf.neg(tf.sum(tf.mul(q, block), -1)); // [N]
  return tf.where(inside, soft, hard) as tf.Tensor1D;
}
