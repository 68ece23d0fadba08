import * as tf from '@tensorflow/tfjs-core';
import { assertAlignmentInputs, l2Normalize, meanPatches, meanValidTokens } from './features';
import { symmetricInfoNce } from './info_nce';
import type { LossOutput, Temperature } from './types';

export interface GlobalLossOptions {
  /** Softmax temperature τ (number = fixed, scalar tensor = learnable). Default 0.07. */
  temperature?: Temperature;
}

/**
 * Cosine similarity of pooled features, [B, B]: mean of patches vs mean of valid tokens, L2-normalised.
 * Row i = image i, column j = caption j.
 */
export function globalScores(imageFeatures: tf.Tensor, textFeatures: tf.Tensor, textMask: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    assertAlignmentInputs('globalScores', imageFeatures, textFeatures, textMask);
    const zi = l2Normalize(meanPatches(imageFeatures)) as tf.Tensor2D; // [B, d]
    const zt = l2Normalize(meanValidTokens(textFeatures, textMask)) as tf.Tensor2D; // [B, d]
    return tf.matMul(zi, tf.transpose(zt)); // [B, B]
  });
}

/**
 * `global`: the CLIP loss on pooled features (Radford et al. 2021; open_clip `ClipLoss`):
 *
 *   z_i = normalise(mean_p x_ip),  t_j = normalise(Σ_k mask_jk y_jk / Σ_k mask_jk),
 *   L = ½ (CE(z tᵀ / τ, I) + CE(t zᵀ / τ, I))
 *
 * imageFeatures [B, n, d], textFeatures [B, m, d], textMask [B, m] (1 = token, 0 = padding).
 */
export function globalLoss(
  imageFeatures: tf.Tensor,
  textFeatures: tf.Tensor,
  textMask: tf.Tensor,
  options: GlobalLossOptions = {},
): LossOutput {
  const total = tf.tidy(() => {
    const scores = globalScores(imageFeatures, textFeatures, textMask); // [B, B]
    return symmetricInfoNce(scores, options.temperature ?? 0.07);
  });
  return { total, parts: { global: total } };
}
