import * as tf from '@tensorflow/tfjs-core';
import type { Temperature } from './types';

/**
 * Cross-entropy of each row of `logits` [B, B] against its diagonal (the matching pair), averaged:
 *   −(1/B) Σ_i log softmax(logits_i)_i
 */
export function infoNce(logits: tf.Tensor): tf.Scalar {
  const B = logits.shape[0]!;
  const logp = tf.logSoftmax(logits as tf.Tensor2D, -1); // [B, B]
  return tf.neg(tf.div(tf.sum(tf.mul(logp, tf.eye(B))), B)) as tf.Scalar;
}

/**
 * Symmetric InfoNCE (CLIP, Radford et al. 2021): ½ (CE(image → text) + CE(text → image)).
 * @param imageToText [B_image, B_text] scores (higher = more similar), row i = image i
 * @param textToImage [B_text, B_image]; default imageToTextᵀ (one score per pair)
 */
export function symmetricInfoNce(imageToText: tf.Tensor, temperature: Temperature, textToImage?: tf.Tensor): tf.Scalar {
  const it = tf.div(imageToText, temperature); // [B, B]
  const ti = tf.div(textToImage ?? tf.transpose(imageToText), temperature); // [B, B]
  return tf.mul(tf.add(infoNce(it), infoNce(ti)), 0.5) as tf.Scalar;
}
