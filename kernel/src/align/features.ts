import * as tf from '@tensorflow/tfjs-core';
import '../backend/fast_matmul_gradient';

/**
 * Feature helpers shared by the losses. Glossary: B batch, n patches, m tokens, d features.
 */

/** x / ‖x‖₂ along the last axis (zero vectors stay zero). */
export function l2Normalize(x: tf.Tensor): tf.Tensor {
  const sq = tf.sum(tf.square(x), -1, true); // [..., 1]
  return tf.mul(x, tf.rsqrt(tf.maximum(sq, 1e-12))); // [..., d]
}

/** Mean of the patch features: [B, n, d] → [B, d]. */
export function meanPatches(imageFeatures: tf.Tensor): tf.Tensor {
  return tf.mean(imageFeatures, 1); // [B, d]
}

/** Mean of the valid token features: [B, m, d], mask [B, m] (1 = token) → [B, d]. Padding never contributes. */
export function meanValidTokens(textFeatures: tf.Tensor, textMask: tf.Tensor): tf.Tensor {
  const mask = tf.cast(textMask, 'float32'); // [B, m]
  const summed = tf.sum(tf.mul(textFeatures, tf.expandDims(mask, -1)), 1); // [B, d]
  return tf.div(summed, tf.maximum(tf.sum(mask, 1, true), 1)); // [B, d]
}

/**
 * Cosine similarity of every patch of every image with every token of every caption:
 * image [B, n, d], text [C, m, d] → S [B, C, n, m], S[i, j] = the patch × token matrix of pair (image i, caption j).
 * One 2-D product [B·n, d]·[d, C·m] (fast on every backend) and one transpose.
 */
export function pairwiseCosine(imageFeatures: tf.Tensor, textFeatures: tf.Tensor): tf.Tensor4D {
  const [B, n, d] = imageFeatures.shape;
  const [C, m] = textFeatures.shape;
  const x = tf.reshape(l2Normalize(imageFeatures), [B * n, d]) as tf.Tensor2D; // [B·n, d]
  const y = tf.reshape(l2Normalize(textFeatures), [C * m, d]) as tf.Tensor2D; // [C·m, d]
  const s = tf.reshape(tf.matMul(x, tf.transpose(y)), [B, n, C, m]); // [B, n, C, m]
  return tf.transpose(s, [0, 2, 1, 3]) as tf.Tensor4D; // [B, C, n, m]
}

/** Checks the shared shape contract of all losses; the message names the argument and the op. */
export function assertAlignmentInputs(op: string, imageFeatures: tf.Tensor, textFeatures: tf.Tensor, textMask: tf.Tensor): void {
  if (imageFeatures.rank !== 3) throw new Error(`${op}: imageFeatures must be [B, n, d], got [${imageFeatures.shape}]`);
  if (textFeatures.rank !== 3) throw new Error(`${op}: textFeatures must be [B, m, d], got [${textFeatures.shape}]`);
  const [B, , d] = imageFeatures.shape;
  const [Bt, m, dt] = textFeatures.shape;
  if (Bt !== B || dt !== d) {
    throw new Error(`${op}: textFeatures [${textFeatures.shape}] must match imageFeatures [${imageFeatures.shape}] in B and d`);
  }
  if (textMask.rank !== 2 || textMask.shape[0] !== B || textMask.shape[1] !== m) {
    throw new Error(`${op}: textMask must be [${B}, ${m}], got [${textMask.shape}]`);
  }
}
