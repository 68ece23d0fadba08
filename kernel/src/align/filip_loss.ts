import * as tf from '@tensorflow/tfjs-core';
import { assertAlignmentInputs, pairwiseCosine } from './features';
import { symmetricInfoNce } from './info_nce';
import type { LossOutput, Temperature } from './types';

export interface FilipLossOptions {
  /** Softmax temperature τ (number = fixed, scalar tensor = learnable). Default 0.07. */
  temperature?: Temperature;
}

/**
 * Token-wise late-interaction scores (FILIP, Yao et al. 2022), both directions, [B, B] each:
 *
 *   imageToText[i, j] = mean_p  max_{k valid in j} S_ij[p, k]
 *   textToImage[j, i] = mean_{k valid in j} max_p S_ij[p, k]
 *
 * with S_ij the patch × token cosine matrix. Padded tokens are never a maximum and never averaged.
 */
export function filipScores(
  imageFeatures: tf.Tensor,
  textFeatures: tf.Tensor,
  textMask: tf.Tensor,
): { imageToText: tf.Tensor2D; textToImage: tf.Tensor2D } {
  return tf.tidy(() => {
    assertAlignmentInputs('filipScores', imageFeatures, textFeatures, textMask);
    const [B, m] = textMask.shape;
    const s = pairwiseCosine(imageFeatures, textFeatures); // [B, B, n, m]
    const mask = tf.reshape(tf.cast(textMask, 'float32'), [1, B, 1, m]); // [1, B_text, 1, m]
    // cosines are ≥ −1: pushing padding to −1e4 keeps it out of every max
    const masked = tf.sub(s, tf.mul(tf.sub(1, mask), 1e4)); // [B, B, n, m]
    const imageToText = tf.mean(tf.max(masked, 3), 2) as tf.Tensor2D; // [B_image, B_text]
    const tokenBest = tf.max(s, 2); // [B_image, B_text, m]
    const mask3 = tf.reshape(mask, [1, B, m]); // [1, B_text, m]
    const perPair = tf.div(tf.sum(tf.mul(tokenBest, mask3), 2), tf.maximum(tf.sum(mask3, 2), 1)); // [B_image, B_text]
    return { imageToText, textToImage: tf.transpose(perPair) as tf.Tensor2D }; // [B_text, B_image]
  });
}

/** `filip`: symmetric InfoNCE over the FILIP scores / τ. Shapes as in `globalLoss`. */
export function filipLoss(
  imageFeatures: tf.Tensor,
  textFeatures: tf.Tensor,
  textMask: tf.Tensor,
  options: FilipLossOptions = {},
): LossOutput {
  const total = tf.tidy(() => {
    const { imageToText, textToImage } = filipScores(imageFeatures, textFeatures, textMask);
    return symmetricInfoNce(imageToText, options.temperature ?? 0.07, textToImage);
  });
  return { total, parts: { filip: total } };
}
