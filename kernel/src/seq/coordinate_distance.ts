/**
 * The expected distance of a coordinate answer from its target (stage 1, `stage1.coordinateDistanceWeight`;
 * 0 = off, the bins codec only). At every position whose label is a coordinate bin k, the LM's distribution
 * over the codec's N bins (its logits there, renormalised over the bins) is charged the distance, in bins,
 * that it expects to be off:
 *
 *   p_t(j) = softmax_j(z_t[<bin_j>])                      j = 0 … N−1
 *   L = Σ_t w_t · Σ_j p_t(j) · |j − k_t|  /  Σ_t w_t       over the positions t whose label is a bin k_t
 *
 * Why: the cross-entropy charges mass on a bin one off as much as mass sixty bins off, and the answers are
 * read off by their median (coordinate_readout.ts), whose expected absolute error this is — the loss is
 * small only when the mass sits on and next to the target, and its gradient on bin j,
 * p(j) · (|j − k| − L_t), pushes away far mass harder than near mass. For a one-hot target this is the
 * earth mover's distance between the two distributions over the ordered bins (Hou et al. 2016 train
 * ordinal classifiers with its squared form); as an expected cost it is cost-sensitive classification.
 * It adds to the token loss (which keeps the label itself likeliest); it does not replace it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { hasOrderedBins } from './codec_bins';
import type { CoordinateCodec } from './coordinate_codec';

/** The codec's bins at vocabulary ids [start, start + count). */
export interface CoordinateBlock {
  start: number;
  count: number;
}

/** The block of `codec`'s tokens at `start`, or an error naming the setting unless the codec's tokens are ordered bins. */
export function coordinateDistanceBlock(codec: CoordinateCodec, start: number): CoordinateBlock {
  if (!hasOrderedBins(codec)) throw new Error(`stage1.coordinateDistanceWeight needs the bins codec (ordered <bin_k> tokens); got codec '${codec.name}'.`);
  return { start, count: codec.tokens.length };
}

/**
 * L above for logits [..., V], labels int32 [...] and weights [...] of the same leading shape; 0 when no
 * weighted label is a bin.
 */
export function coordinateDistanceLoss(logits: tf.Tensor, labels: tf.Tensor, weights: tf.Tensor, block: CoordinateBlock): tf.Scalar {
  const V = logits.shape[logits.rank - 1]!;
  if (block.start < 0 || block.start + block.count > V) throw new Error(`coordinateDistanceLoss: the bins [${block.start}, ${block.start + block.count}) lie outside the ${V} logits.`);
  const z = tf.reshape(logits, [-1, V]) as tf.Tensor2D; // [N, V]
  const offset = tf.sub(tf.reshape(labels, [-1]), block.start); // [N] int32
  const inside = tf.cast(tf.logicalAnd(tf.greaterEqual(offset, 0), tf.less(offset, block.count)), 'float32'); // [N]
  const w = tf.mul(tf.reshape(weights, [-1]), inside); // [N]
  const p = tf.softmax(tf.slice(z, [0, block.start], [-1, block.count]), -1); // [N, count]
  const target = tf.cast(tf.reshape(offset, [-1, 1]), 'float32'); // [N, 1]
  const distance = tf.abs(tf.sub(tf.range(0, block.count, 1, 'float32').reshape([1, block.count]), target)); // [N, count]
  const expected = tf.sum(tf.mul(p, distance), -1); // [N]
  return tf.div(tf.sum(tf.mul(expected, w)), tf.maximum(tf.sum(w), 1e-6)) as tf.Scalar;
}
